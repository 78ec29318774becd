"""What a delegator does in a round: deposit, top up, redeem, cancel, claim, or chase the best pool.

Decisions use only the seeded RNG and on-chain state, so the same seed gives the same season.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from nmr_pools.approvals import ensure_allowance
from nmr_pools.demo.cast import NMR, Delegator


@dataclass
class Counts:
    """How many of each action the season saw."""

    deposits: int = 0
    top_ups: int = 0
    redemptions: int = 0
    cancellations: int = 0
    claims: int = 0
    switches: int = 0
    fee_claims: int = 0


def claim_everything(pool: Any, who: Delegator, counts: Counts) -> None:
    """Claim converted deposits (shares) and converted redemptions (NMR), if any."""
    account = who.account
    assets = int(pool.maxDeposit(account))
    if assets:
        pool.deposit(assets, account, account, sender=account)
        counts.claims += 1
    shares = int(pool.maxRedeem(account))
    if shares:
        pool.redeem(shares, account, account, sender=account)
        counts.claims += 1


def _deposit(nmr: Any, pool: Any, who: Delegator, amount: int, counts: Counts) -> int:
    account = who.account
    amount = min(amount, int(nmr.balanceOf(account)))
    if amount < NMR:
        return 0
    ensure_allowance(nmr, account, pool, amount)
    pool.requestDeposit(amount, account, account, sender=account)
    return amount


def act(
    rng: random.Random,
    who: Delegator,
    nmr: Any,
    pools: list[Any],
    recent_returns: list[float],
    counts: Counts,
) -> None:
    """One delegator's turn in the current round."""
    account = who.account
    roll = rng.random()
    if who.personality == "chaser" and recent_returns and roll < 0.15:
        best = max(range(len(pools)), key=lambda i: recent_returns[i])
        worst = min(range(len(pools)), key=lambda i: recent_returns[i])
        shares = int(pools[worst].balanceOf(account)) if worst in who.pools_touched else 0
        if best != worst and shares:
            pools[worst].requestRedeem(shares, account, account, sender=account)
            counts.redemptions += 1
            counts.switches += 1
        who.favourite = best
        roll = 0.0  # and put new money where the returns are
    pool_index = (
        who.favourite if who.personality != "cautious" or rng.random() < 0.7 else rng.randrange(len(pools))
    )
    pool = pools[pool_index]
    if roll < 0.22:
        share = 0.08 if who.personality == "cautious" else 0.25
        amount = max(NMR, int(who.budget * share * (0.5 + rng.random())) // NMR * NMR)
        if _deposit(nmr, pool, who, amount, counts):
            counts.top_ups += pool_index in who.pools_touched
            counts.deposits += pool_index not in who.pools_touched
            who.pools_touched.add(pool_index)
            if rng.random() < 0.08:  # second thoughts while the round is still open
                request_id = int(pool.current_round())
                if int(pool.pendingDepositRequest(request_id, account)):
                    pool.cancelDepositRequest(request_id, account, account, sender=account)
                    counts.cancellations += 1
    elif roll < 0.32 and pool_index in who.pools_touched:
        held = int(pool.balanceOf(account))
        # integers only: a float fraction of a balance can round above the balance
        losing = who.personality == "cautious" and recent_returns and recent_returns[pool_index] < 0
        shares = held if losing else held * 2 // 5
        if shares:
            pool.requestRedeem(shares, account, account, sender=account)
            counts.redemptions += 1
