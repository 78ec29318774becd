"""End to end: two pools, three delegators, 30 rounds of mixed gains and burns with a resolution
lag, so deposit and redeem requests overlap in-flight rounds. Every settlement, conversion and
claim is checked against arithmetic written out here from the pre-state read on chain, and after
every step the pool's NMR equals active assets + pending deposits + set-aside redemptions + fees.

The treasury starts nearly empty: gains it cannot pay are owed to the pools and collected, fee
and all, at their next settlement once it is funded (round TOP_UP_AT). The volatile pool winds
down at round WIND_DOWN_AT: it takes no deposit after that, still settles every round up to that
one (redemptions made later join the group after it and bear them all), then closes, and the
last redemptions convert at once at its final price. At the end every NMR is accounted for:
what the treasury paid, what it still owes, what was burned, what the people and the owner hold.

Runs on the in-process chain and, in `make test`, on anvil (`--network ethereum:local:foundry`).
"""

from __future__ import annotations

from collections import defaultdict

import pytest
from ape.exceptions import ContractLogicError

from tests.conftest import NMR, WAD

ROUNDS = 30
LAG = 3  # a round is settled LAG rounds after it closes
RETURNS = [3, -2, 5, -5, 1, 0, -1, 4, -3, 2]  # percent, cycled
DIGEST = b"\x5e" * 32
TREASURY_START = 40 * NMR  # less than the first rounds' gains: the rest is owed
TOP_UP_AT = 15  # season step at which the treasury is funded
TOP_UP = 10_000 * NMR
WIND_DOWN_AT = 20  # season step at which the volatile pool winds down (its owner)


@pytest.fixture
def treasury(system, deployer):
    """This test's treasury: nearly empty (overrides the shared 1,000,000 NMR one)."""
    system.nmr.approve(system.treasury, TREASURY_START, sender=deployer)
    system.treasury.fund(TREASURY_START, sender=deployer)
    return system.treasury


def floor_div(x: int, y: int, d: int) -> int:
    return x * y // d


def ceil_div(x: int, y: int, d: int) -> int:
    return -((-x * y) // d)


class Ledger:
    """What each delegator requested, per pool and side, by round (to derive claims by hand)."""

    def __init__(self):
        self.requests = defaultdict(list)  # (who, pool, side) -> [(round, amount, out_or_None)]

    def add(self, key, round_, amount, converted_out=None):
        self.requests[key].append([round_, amount, converted_out])

    def claimable(self, key, pool):
        """Sum over converted requests of floor(amount * group_out / group_in), then forget them."""
        total_in = total_out = 0
        keep = []
        last = pool.last_settled_round()
        for entry in self.requests[key]:
            round_, amount, out = entry
            if out is None and round_ > last + 1:
                keep.append(entry)
                continue
            if out is None:
                if key[2] == "deposit":
                    group_assets, group_shares = pool.deposit_group(round_)
                    out = floor_div(amount, group_shares, group_assets)
                else:
                    group_shares, group_assets = pool.redeem_group(round_)
                    out = floor_div(amount, group_assets, group_shares)
            total_in += amount
            total_out += out
        self.requests[key] = keep
        return total_in, total_out


def check_conservation(pool, nmr):
    held = nmr.balanceOf(pool)
    owed = (
        pool.totalAssets() + pool.pending_deposit_assets() + pool.reserved_redeem_assets() + pool.fees_owed()
    )
    assert held == owed, f"pool {pool.address}: holds {held}, owes {owed}"


def fee_above_mark(assets_before, assets_after, hwm, supply, fee_bps):
    """The pool's performance fee: only on what lifts the assets above the high-water mark's."""
    base = max(assets_before, ceil_div(hwm, supply + 1, WAD) - 1)
    return max(0, assets_after - base) * fee_bps // 10_000


def test_season(
    create_pool, factory, treasury, nmr, fund, alice, bob, carol, owner, settler, deployer, next_round
):
    pools = [create_pool("steady", fee_bps=1_000), create_pool("volatile", fee_bps=2_500)]
    people = {"alice": alice, "bob": bob, "carol": carol}
    for person in people.values():
        for pool in pools:
            fund(person, 2_000 * NMR, pool)
    start_nmr = {name: nmr.balanceOf(p) for name, p in people.items()}
    treasury_start, supply_start = treasury.available(), nmr.totalSupply()
    ledger = Ledger()
    totals = {"paid": 0, "collected": 0, "unpaid": 0, "burned": 0, "fees": 0}
    first_round = factory.current_round()
    wind_down_round = 0  # the volatile pool's last round, once it winds down

    def request_deposit(name, pool, amount):
        person = people[name]
        if pool.wind_down_round():
            # a winding-down pool takes no new deposit
            with pytest.raises(ContractLogicError, match="pool: winding down|pool: closed"):
                pool.requestDeposit(amount, person, person, sender=person)
            return
        caught_up = pool.current_round() <= pool.last_settled_round() + 1
        supply, assets = pool.share_supply(), pool.totalAssets()
        pool.requestDeposit(amount, person, person, sender=person)
        out = floor_div(amount, supply + 1, assets + 1) if caught_up else None
        ledger.add((name, pool.address, "deposit"), pool.current_round(), amount, out)

    def request_redeem(name, pool, shares):
        person = people[name]
        last_round = pool.wind_down_round()
        # nothing after a wind-down's last round is played: later redemptions join the group after it
        group = min(pool.current_round(), last_round + 1) if last_round else pool.current_round()
        converts_now = pool.closure() != 0 or group <= pool.last_settled_round() + 1
        supply, assets = pool.share_supply(), pool.totalAssets()
        [event] = pool.requestRedeem(shares, person, person, sender=person).decode_logs(pool.RedeemRequest)
        assert event.requestId == group
        out = floor_div(shares, assets + 1, supply + 1) if converts_now else None
        ledger.add((name, pool.address, "redeem"), group, shares, out)

    def claim_all(name, pool):
        person = people[name]
        assets_in, shares_out = ledger.claimable((name, pool.address, "deposit"), pool)
        assert (pool.maxDeposit(person), pool.maxMint(person)) == (assets_in, shares_out)
        if assets_in:
            event = pool.deposit(assets_in, person, sender=person).decode_logs(pool.Deposit)[0]
            assert (event.assets, event.shares) == (assets_in, shares_out)
        shares_in, assets_out = ledger.claimable((name, pool.address, "redeem"), pool)
        assert (pool.maxRedeem(person), pool.maxWithdraw(person)) == (shares_in, assets_out)
        if shares_in:
            event = pool.redeem(shares_in, person, person, sender=person).decode_logs(pool.Withdraw)[0]
            assert (event.assets, event.shares) == (assets_out, shares_in)

    def settle(pool, round_, pct):
        round_return = pct * 10**16
        assets, supply, hwm, fee_bps = (
            pool.totalAssets(),
            pool.share_supply(),
            pool.high_water_mark(),
            pool.fee_bps(),
        )
        owed, available = pool.treasury_owed(), treasury.available()
        receipt = factory.settle(pool, round_, round_return, DIGEST, sender=settler)
        # first what the treasury owes from earlier rounds, as far as it can pay it now, fee and all
        collected = min(owed, available)
        collections = receipt.decode_logs(pool.OwedCollected)
        if collected:
            fee = fee_above_mark(assets, assets + collected, hwm, supply, fee_bps)
            [event] = collections
            assert (event.amount, event.fee, event.still_owed) == (collected, fee, owed - collected)
            assets += collected - fee
            hwm = max(hwm, (assets + 1) * WAD // (supply + 1))
            available -= collected
            totals["collected"] += collected
            totals["fees"] += fee
        else:
            assert collections == []
        event = receipt.decode_logs(pool.Settled)[0]
        if pct >= 0:
            gain = floor_div(assets, round_return, WAD)
            paid = min(gain, available)  # what the treasury cannot pay is owed to the pool
            fee = fee_above_mark(assets, assets + paid, hwm, supply, fee_bps)
            assert (event.paid, event.unpaid, event.burned, event.fee) == (paid, gain - paid, 0, fee)
            assert event.total_assets == assets + paid - fee
        else:
            burned = ceil_div(assets, -round_return, WAD)
            assert (event.paid, event.unpaid, event.burned, event.fee) == (0, 0, burned, 0)
            assert event.total_assets == assets - burned
        assert pool.treasury_owed() == owed - collected + event.unpaid
        price = (event.total_assets + 1) * WAD // (supply + 1)
        assert event.price_per_share == price and event.high_water_mark == max(hwm, price)
        assert event.results_digest == DIGEST
        # the next round's groups converted in the same settlement, at that price
        assert (event.deposit_assets, event.deposit_shares) == tuple(pool.deposit_group(round_ + 1))
        assert (event.redeem_shares, event.redeem_assets) == tuple(pool.redeem_group(round_ + 1))
        assert event.deposit_shares == floor_div(event.deposit_assets, supply + 1, event.total_assets + 1)
        assert pool.closure() == (1 if round_ == pool.wind_down_round() else 0)  # its last round closes it
        totals["paid"] += event.paid
        totals["unpaid"] += event.unpaid
        totals["burned"] += event.burned
        totals["fees"] += event.fee

    for i in range(ROUNDS):
        steady, volatile = pools
        if i % 3 == 0:
            request_deposit("alice", steady, 100 * NMR)
        if i % 4 == 1:
            request_deposit("bob", volatile, 50 * NMR)
            request_deposit("bob", steady, 20 * NMR + i)  # odd wei amounts exercise rounding
        if i % 5 == 2:
            request_deposit("carol", volatile, 70 * NMR)
        if i % 6 == 3 and steady.balanceOf(alice) > 0:
            request_redeem("alice", steady, steady.balanceOf(alice) // 2)
        if i % 7 == 4 and volatile.balanceOf(bob) > 0:
            request_redeem("bob", volatile, volatile.balanceOf(bob))
        if i % 8 == 5 and volatile.balanceOf(carol) > 0:
            request_redeem("carol", volatile, volatile.balanceOf(carol) // 3 + 1)
        if i == TOP_UP_AT:
            nmr.approve(treasury, TOP_UP, sender=deployer)
            treasury.fund(TOP_UP, sender=deployer)
        if i == WIND_DOWN_AT:
            volatile.wind_down(sender=owner)
            wind_down_round = volatile.wind_down_round()
            assert wind_down_round == factory.current_round()
        next_round()
        due = factory.current_round() - 1 - LAG
        for k, pool in enumerate(pools):
            while pool.closure() == 0 and pool.last_settled_round() < due:
                r = pool.last_settled_round() + 1
                settle(pool, r, RETURNS[(r + 3 * k) % len(RETURNS)])
            check_conservation(pool, nmr)
        for name in people:
            for pool in pools:
                claim_all(name, pool)
                check_conservation(pool, nmr)
        for pool in pools:
            # shares circulate only once claimed; the price also counts converted deposits not
            # claimed yet and shares locked in pending redemptions
            holders = sum(pool.balanceOf(p) for p in people.values())
            state = pool.pool_state()
            assert holders == pool.totalSupply()
            unclaimed = sum(int(pool.maxMint(p)) for p in people.values())
            assert (
                state.share_supply == pool.share_supply() >= holders + unclaimed + state.pending_redeem_shares
            )

    # the end: the settler catches up (the volatile pool closed at its last round), then everybody
    # claims and redeems everything, which converts at once in a caught-up or closed pool
    next_round()
    for pool in pools:
        while pool.closure() == 0 and pool.last_settled_round() < factory.current_round() - 1:
            settle(pool, pool.last_settled_round() + 1, 1)
    steady, volatile = pools
    assert volatile.closure() == 1 and volatile.last_settled_round() == wind_down_round
    assert totals["unpaid"] > 0 and totals["collected"] > 0, (
        "the treasury never ran short, or was never collected"
    )
    for name, person in people.items():
        for pool in pools:
            claim_all(name, pool)
            if pool.balanceOf(person):
                request_redeem(name, pool, pool.balanceOf(person))
            claim_all(name, pool)
    for pool in pools:
        check_conservation(pool, nmr)
        assert pool.pending_deposit_assets() == 0 and pool.pending_redeem_shares() == 0
        pool.claim_fees(owner, sender=owner)
        # what is left is rounding dust, owned by no one (at most a few wei per conversion)
        assert nmr.balanceOf(pool) < 1_000
    assert steady.last_settled_round() == factory.current_round() - 1 >= first_round + ROUNDS - 1

    # global conservation: every NMR is accounted for, owed ones included
    out_to_people = sum(nmr.balanceOf(p) - start_nmr[n] for n, p in people.items())
    dust = sum(nmr.balanceOf(pool) for pool in pools)
    drawn = totals["paid"] + totals["collected"]
    assert treasury_start + TOP_UP - treasury.available() == drawn
    assert sum(pool.treasury_owed() for pool in pools) == totals["unpaid"] - totals["collected"]
    assert supply_start - nmr.totalSupply() == totals["burned"]
    assert out_to_people + nmr.balanceOf(owner) + dust == drawn - totals["burned"]
    assert nmr.balanceOf(owner) == totals["fees"] > 0
