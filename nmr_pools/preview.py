"""Previews of requests and positions.

A request is previewed by the reference model (`nmr_pools.model`) loaded with the pool's
state: the same checks and revert messages as the contract (so a request that would revert
is refused before anything is sent), the request id, whether it converts at once, and what it
converts to at today's price. Positions and ranges use the pool's integer formulas
(virtual offset 1, rounding down; `supply` is the pool's `share_supply`: shares in
circulation, converted but unclaimed, and locked in pending redemptions):
    shares = assets * (supply + 1) // (total_assets + 1)
    assets = shares * (total_assets + 1) // (supply + 1)
The best/worst cases bound every in-flight round by the factory's return cap: each round
moves a position by at most ±cap (fees ignored, so the best case is before fees). A pool's
lifecycle bounds the rounds in flight: a winding-down pool plays no round after its last, and a
closed pool settles nothing more (`nmr_pools.lifecycle`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from nmr_pools.amounts import WAD
from nmr_pools.lifecycle import Lifecycle

# virtual shares and assets the pool adds to every conversion
VIRTUAL_OFFSET = 1


def to_shares(assets: int, supply: int, total_assets: int) -> int:
    # round down: like the pool, dust stays in the pool
    return assets * (supply + VIRTUAL_OFFSET) // (total_assets + VIRTUAL_OFFSET)


def to_assets(shares: int, supply: int, total_assets: int) -> int:
    # round down: like the pool, dust stays in the pool
    return shares * (total_assets + VIRTUAL_OFFSET) // (supply + VIRTUAL_OFFSET)


def compound(value: int, round_return: int, rounds: int) -> int:
    """`value * (1 + r)^rounds` with WAD `r`, rounded down at every round."""
    for _ in range(max(rounds, 0)):
        value = value * (WAD + round_return) // WAD
    return value


def bounds(value: int, cap: int, rounds: int) -> tuple[int, int]:
    """(worst, best) of `value` after `rounds` rounds of at most ±cap each."""
    return compound(value, -cap, rounds), compound(value, cap, rounds)


@dataclass(frozen=True)
class PoolState:
    """What a preview needs to know about a pool, read once."""

    model: Any  # nmr_pools.model.PoolModel with the pool's pool-wide state
    total_assets: int
    supply: int
    last_settled_round: int
    current_round: int
    return_cap: int
    lifecycle: Lifecycle

    @classmethod
    def read(cls, pool: Any, factory: Any) -> PoolState:
        from ape import chain

        from nmr_pools.model.from_chain import load_pool_model

        model = load_pool_model(pool, factory, int(chain.pending_timestamp))
        # the model already read the pool's totals and the factory's cap: no second round of calls
        return cls(
            model=model,
            total_assets=model.total_assets,
            supply=model.share_supply(),
            last_settled_round=model.last_settled_round,
            current_round=model.current_round(),
            return_cap=model.factory.return_cap,
            lifecycle=Lifecycle.of(model),
        )

    @property
    def price(self) -> int:
        return to_assets(WAD, self.supply, self.total_assets)

    def rounds_before(self, request_round: int) -> int:
        """Unsettled rounds before `request_round` (what must settle before its group converts;
        none in a closed pool, which settles nothing more)."""
        if self.lifecycle.closed:
            return 0
        return max(request_round - 1 - self.last_settled_round, 0)

    def in_flight(self) -> int:
        """Rounds active shares already bear but that are not settled (the open one included,
        none after a winding-down pool's last round, none in a closed pool)."""
        return max(self.lifecycle.last_played_round - self.last_settled_round, 0)


@dataclass(frozen=True)
class RequestPreview:
    """A deposit (NMR in, shares out) or redemption (shares in, NMR out) request made now."""

    request_round: int
    converts_now: bool
    convert_after_round: int  # the round whose settlement converts the request
    rounds_to_wait: int  # unsettled rounds before conversion
    at_current_price: int  # shares (deposit) or NMR (redeem) at today's price
    worst: int
    best: int


def preview_deposit(state: PoolState, assets: int) -> RequestPreview:
    """Shares a deposit requested now converts to: at today's price, and the range after the
    unsettled rounds before it (it does not bear them, but they move the price it buys at)."""
    # the model applies the pool's checks (raises ModelRevert with the contract's message)
    request = state.model.preview_request_deposit(assets)
    request_round = request.request_id
    wait = state.rounds_before(request_round)
    shares_now = request.amount_out
    # a higher price (best case for the pool's rounds) buys fewer shares, and the other way round
    low_assets, high_assets = bounds(state.total_assets, state.return_cap, wait)
    fewest = to_shares(assets, state.supply, high_assets)
    most = to_shares(assets, state.supply, low_assets)
    return RequestPreview(
        request_round, request.converts_now, request_round - 1, wait, shares_now, fewest, most
    )


def preview_redeem(state: PoolState, shares: int) -> RequestPreview:
    """NMR a redemption requested now converts to: it bears the unsettled rounds before now."""
    request = state.model.preview_request_redeem(shares)
    request_round = request.request_id
    wait = 0 if request.converts_now else state.rounds_before(request_round)
    value = request.amount_out
    worst, best = bounds(value, state.return_cap, wait)
    return RequestPreview(request_round, request.converts_now, request_round - 1, wait, value, worst, best)


@dataclass
class Position:
    """One account's stake in one pool, and its best/worst case over the in-flight rounds."""

    shares: int = 0  # held shares
    value: int = 0  # held shares at today's price
    claimable_shares: int = 0  # converted deposits not yet claimed (shares)
    claimable_nmr: int = 0  # converted redemptions not yet claimed (NMR)
    pending_deposits: list[tuple[int, int]] = field(default_factory=list)  # (round, NMR)
    pending_redemptions: list[tuple[int, int]] = field(default_factory=list)  # (round, shares)
    worst: int = 0
    best: int = 0

    @property
    def empty(self) -> bool:
        return not (
            self.shares
            or self.claimable_shares
            or self.claimable_nmr
            or self.pending_deposits
            or self.pending_redemptions
        )


def read_position(pool: Any, state: PoolState, account: Any) -> Position:
    """The account's position, with worst/best NMR after all in-flight rounds settle at ∓cap."""
    position = Position(
        shares=int(pool.balanceOf(account)),
        claimable_shares=int(pool.maxMint(account)),
        claimable_nmr=int(pool.maxWithdraw(account)),
        pending_deposits=[(int(r), int(a)) for r, a in pool.pending_requests(account, False)],
        pending_redemptions=[(int(r), int(s)) for r, s in pool.pending_requests(account, True)],
    )
    active = position.shares + position.claimable_shares
    position.value = to_assets(position.shares, state.supply, state.total_assets)
    cap = state.return_cap
    # active shares bear every in-flight round
    worst, best = bounds(to_assets(active, state.supply, state.total_assets), cap, state.in_flight())
    for request_round, assets in position.pending_deposits:
        # a deposit bears the rounds from the one it was made in up to the open one (or the
        # wind-down's last); in a closed pool it comes back in full
        low, high = bounds(assets, cap, max(state.lifecycle.last_played_round - request_round + 1, 0))
        worst, best = worst + low, best + high
    for request_round, shares in position.pending_redemptions:
        # locked shares bear the unsettled rounds before the one they were requested in
        low, high = bounds(
            to_assets(shares, state.supply, state.total_assets), cap, state.rounds_before(request_round)
        )
        worst, best = worst + low, best + high
    position.worst = worst + position.claimable_nmr
    position.best = best + position.claimable_nmr
    return position
