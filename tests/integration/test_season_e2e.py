"""End to end: two pools, three delegators, 30 rounds of mixed gains and burns with a resolution
lag, so deposit and redeem requests overlap in-flight rounds. Every settlement, conversion and
claim is checked against arithmetic written out here from the pre-state read on chain, and after
every step the pool's NMR equals active assets + pending deposits + set-aside redemptions + fees.

Runs on the in-process chain and, in `make test`, on anvil (`--network ethereum:local:foundry`).
"""

from __future__ import annotations

from collections import defaultdict

from tests.conftest import NMR, WAD

ROUNDS = 30
LAG = 3  # a round is settled LAG rounds after it closes
RETURNS = [3, -2, 5, -5, 1, 0, -1, 4, -3, 2]  # percent, cycled
DIGEST = b"\x5e" * 32


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
                    out = floor_div(amount, pool.deposit_group_shares(round_), pool.deposit_group_assets(round_))
                else:
                    out = floor_div(amount, pool.redeem_group_assets(round_), pool.redeem_group_shares(round_))
            total_in += amount
            total_out += out
        self.requests[key] = keep
        return total_in, total_out


def check_conservation(pool, nmr):
    held = nmr.balanceOf(pool)
    owed = pool.totalAssets() + pool.pending_deposit_assets() + pool.reserved_redeem_assets() + pool.fees_owed()
    assert held == owed, f"pool {pool.address}: holds {held}, owes {owed}"


def test_season(create_pool, factory, treasury, nmr, fund, alice, bob, carol, owner, settler, next_round):
    pools = [create_pool("steady", fee_bps=1_000), create_pool("volatile", fee_bps=2_500)]
    people = {"alice": alice, "bob": bob, "carol": carol}
    for person in people.values():
        for pool in pools:
            fund(person, 2_000 * NMR, pool)
    start_nmr = {name: nmr.balanceOf(p) for name, p in people.items()}
    treasury_start, supply_start = treasury.available(), nmr.totalSupply()
    ledger = Ledger()
    totals = {"paid": 0, "burned": 0, "fees": 0}
    first_round = factory.current_round()

    def request_deposit(name, pool, amount):
        person = people[name]
        caught_up = pool.current_round() <= pool.last_settled_round() + 1
        supply, assets = pool.totalSupply(), pool.totalAssets()
        pool.requestDeposit(amount, person, person, sender=person)
        out = floor_div(amount, supply + 1, assets + 1) if caught_up else None
        ledger.add((name, pool.address, "deposit"), pool.current_round(), amount, out)

    def request_redeem(name, pool, shares):
        person = people[name]
        caught_up = pool.current_round() <= pool.last_settled_round() + 1
        supply, assets = pool.totalSupply(), pool.totalAssets()
        pool.requestRedeem(shares, person, person, sender=person)
        out = floor_div(shares, assets + 1, supply + 1) if caught_up else None
        ledger.add((name, pool.address, "redeem"), pool.current_round(), shares, out)

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
        assets, supply, hwm, fee_bps = pool.totalAssets(), pool.totalSupply(), pool.high_water_mark(), pool.fee_bps()
        event = pool.settle(round_, round_return, DIGEST, sender=settler).decode_logs(pool.Settled)[0]
        if pct >= 0:
            paid = floor_div(assets, round_return, WAD)
            base = max(assets, ceil_div(hwm, supply + 1, WAD) - 1)
            fee = max(0, assets + paid - base) * fee_bps // 10_000
            assert (event.paid, event.burned, event.fee) == (paid, 0, fee)
            assert event.total_assets == assets + paid - fee
        else:
            burned = ceil_div(assets, -round_return, WAD)
            assert (event.paid, event.burned, event.fee) == (0, burned, 0)
            assert event.total_assets == assets - burned
        price = (event.total_assets + 1) * WAD // (supply + 1)
        assert event.price_per_share == price and event.high_water_mark == max(hwm, price)
        totals["paid"] += event.paid
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
        next_round()
        due = factory.current_round() - 1 - LAG
        for k, pool in enumerate(pools):
            while pool.last_settled_round() < due:
                r = pool.last_settled_round() + 1
                settle(pool, r, RETURNS[(r + 3 * k) % len(RETURNS)])
            check_conservation(pool, nmr)
        for name in people:
            for pool in pools:
                claim_all(name, pool)
                check_conservation(pool, nmr)
        for pool in pools:
            holders = sum(pool.balanceOf(p) for p in people.values()) + pool.balanceOf(pool)
            assert holders == pool.totalSupply()

    # wind down: the settler catches up, then everybody claims and redeems everything, which
    # converts at once now that the pools are caught up
    next_round()
    for pool in pools:
        while pool.last_settled_round() < factory.current_round() - 1:
            settle(pool, pool.last_settled_round() + 1, 1)
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
        assert pool.last_settled_round() == factory.current_round() - 1 >= first_round + ROUNDS - 1

    # global conservation: every NMR is accounted for
    out_to_people = sum(nmr.balanceOf(p) - start_nmr[n] for n, p in people.items())
    dust = sum(nmr.balanceOf(pool) for pool in pools)
    assert treasury_start - treasury.available() == totals["paid"]
    assert supply_start - nmr.totalSupply() == totals["burned"]
    assert out_to_people + nmr.balanceOf(owner) + dust == totals["paid"] - totals["burned"]
    assert nmr.balanceOf(owner) == totals["fees"] > 0
