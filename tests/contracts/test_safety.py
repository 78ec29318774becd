"""Deposit limit, pause, wind-down, emergency exit, two-step ownership."""

import boa
import pytest

from tests.contracts.conftest import NMR, ZERO_ADDRESS, events

DIGEST = b"\0" * 32
DAY = 86_400
# the pool's Closure flag
WOUND_DOWN, EMERGENCY_EXIT, DEPLETED = 1, 2, 4


@pytest.fixture
def funded(pool, fund, alice, bob):
    fund(alice, 1_000 * NMR, pool)
    fund(bob, 1_000 * NMR, pool)
    return pool


def test_deposit_limit__counts_active_and_pending(funded, owner, alice, bob, next_round):
    funded.set_deposit_limit(150 * NMR, sender=owner)
    assert events(funded, "DepositLimitSet")[0].deposit_limit == 150 * NMR
    funded.requestDeposit(100 * NMR, alice, alice, sender=alice)  # active
    next_round()
    funded.requestDeposit(50 * NMR, bob, bob, sender=bob)  # pending
    with boa.reverts("pool: deposit limit exceeded"):
        funded.requestDeposit(1, bob, bob, sender=bob)


def test_deposit_limit__owner_only(funded, outsider):
    with boa.reverts("ownable: caller is not the owner"):
        funded.set_deposit_limit(0, sender=outsider)


@pytest.mark.parametrize("who", ["owner", "guardian"])
def test_pause__blocks_deposits_not_redemptions_or_claims(funded, alice, who, request):
    account = request.getfixturevalue(who)
    funded.requestDeposit(10 * NMR, alice, alice, sender=alice)
    funded.pause(sender=account)
    assert events(funded, "Paused")[0].account == account
    with boa.reverts("pool: paused"):
        funded.requestDeposit(NMR, alice, alice, sender=alice)
    funded.deposit(10 * NMR, alice, sender=alice)  # claim works
    funded.requestRedeem(4 * NMR, alice, alice, sender=alice)  # redemption works
    funded.redeem(4 * NMR, alice, alice, sender=alice)
    with boa.reverts("pool: already paused"):
        funded.pause(sender=account)
    funded.unpause(sender=account)
    with boa.reverts("pool: not paused"):
        funded.unpause(sender=account)
    funded.requestDeposit(NMR, alice, alice, sender=alice)


def test_pause__outsider__reverts(funded, outsider, owner):
    with boa.reverts("pool: not owner or guardian"):
        funded.pause(sender=outsider)
    funded.pause(sender=owner)
    with boa.reverts("pool: not owner or guardian"):
        funded.unpause(sender=outsider)


# ---- wind-down: no played round can be escaped (finding 1) ----


@pytest.fixture
def invested(funded, alice, bob, settler, next_round):
    """Alice holds 1,000 NMR of shares and the pool is lagging: rounds r..r+3 are closed and
    unsettled; their results (four 5% losses) are public but not applied yet."""
    funded.requestDeposit(1_000 * NMR, alice, alice, sender=alice)  # caught up: converts at once
    funded.deposit(1_000 * NMR, alice, sender=alice)
    next_round(4)
    return funded


def settle_losses(pool, settler, first, last, loss=-5 * 10**16):
    for r in range(first, last + 1):
        pool.settle(r, loss, DIGEST, sender=settler)


@pytest.mark.parametrize("who", ["owner", "guardian"])
def test_wind_down__holder_still_bears_every_played_round(
    invested, alice, settler, nmr, who, request, next_round
):
    pool = invested
    first, last_round = pool.last_settled_round() + 1, pool.current_round()
    pool.wind_down(sender=request.getfixturevalue(who))
    event = events(pool, "WindDown")[0]
    assert event.last_round == last_round and pool.wind_down_round() == last_round
    # redeeming at once is impossible: the request joins the group after the last round
    assert pool.requestRedeem(1_000 * NMR, alice, alice, sender=alice) == last_round
    assert pool.maxWithdraw(alice) == 0
    next_round(2)
    settle_losses(pool, settler, first, last_round)  # every round up to the last is settled
    closed = events(pool, "Closed")[0]
    assert (closed.closure, closed.last_settled_round) == (WOUND_DOWN, last_round)
    assert pool.closure() == WOUND_DOWN
    # requested in the last round, the redemption bears the four rounds before it, all played:
    # 1,000 * 0.95**4 = 814.51 NMR, not the 1,000 a shutdown used to pay out at once
    owed = pool.maxWithdraw(alice)
    assert abs(owed - 1_000 * NMR * 95**4 // 100**4) < NMR // 1_000
    pool.withdraw(owed, alice, alice, sender=alice)
    assert nmr.balanceOf(alice) == owed


def test_wind_down__requests_of_closed_rounds_cannot_be_cancelled(invested, alice, bob, owner, next_round):
    pool = invested
    request_round = pool.current_round()
    pool.requestRedeem(500 * NMR, alice, alice, sender=alice)
    pool.requestDeposit(100 * NMR, bob, bob, sender=bob)
    pool.wind_down(sender=owner)
    next_round()
    with boa.reverts("pool: round closed, cannot cancel"):
        pool.cancelRedeemRequest(request_round, alice, alice, sender=alice)
    with boa.reverts("pool: round closed, cannot cancel"):
        pool.cancelDepositRequest(request_round, bob, bob, sender=bob)


def test_wind_down__no_new_deposits_but_redemptions_and_claims(invested, alice, bob, owner):
    pool = invested
    pool.wind_down(sender=owner)
    with boa.reverts("pool: winding down"):
        pool.requestDeposit(NMR, bob, bob, sender=bob)
    with boa.reverts("pool: already winding down"):
        pool.wind_down(sender=owner)
    pool.requestRedeem(NMR, alice, alice, sender=alice)  # redemptions are always accepted


def test_wind_down__by_outsider__reverts(invested, outsider):
    with boa.reverts("pool: not owner or guardian"):
        invested.wind_down(sender=outsider)


def test_wind_down__settling_its_last_round_closes_then_exits_are_instant(
    funded, alice, owner, settler, next_round, nmr
):
    funded.requestDeposit(100 * NMR, alice, alice, sender=alice)
    funded.deposit(100 * NMR, alice, sender=alice)
    last_round = funded.current_round()
    funded.wind_down(sender=owner)
    next_round()
    funded.settle(last_round, 10**16, DIGEST, sender=settler)  # +1% (20% fee on it)
    assert funded.closure() == WOUND_DOWN
    with boa.reverts("pool: closed"):
        funded.settle(last_round + 1, 0, DIGEST, sender=settler)
    with boa.reverts("pool: closed"):
        funded.requestDeposit(NMR, alice, alice, sender=alice)
    with boa.reverts("pool: closed"):
        funded.wind_down(sender=owner)
    assets, supply = funded.totalAssets(), funded.totalSupply()
    assert assets == 100_800_000_000_000_000_000  # 100 + 1% - 20% of the gain
    funded.requestRedeem(100 * NMR, alice, alice, sender=alice)  # converts at once at the final price
    assert funded.maxWithdraw(alice) == 100 * NMR * (assets + 1) // (supply + 1)


# ---- emergency exit: only once the settler is really gone (finding 2) ----


def test_emergency_exit__before_the_stall_gap__reverts(invested, outsider, factory):
    pool = invested
    next_closed = factory.round_start(pool.last_settled_round() + 2)
    boa.env.timestamp = next_closed + factory.stall_gap() - 1  # results merely late
    assert not pool.is_stalled()
    with boa.reverts("pool: not stalled"):
        pool.emergency_exit(sender=outsider)


def test_emergency_exit__after_the_stall_gap__anyone_closes_the_pool(
    invested, alice, bob, outsider, factory, nmr
):
    pool = invested
    request_round = pool.current_round()
    pool.requestDeposit(100 * NMR, bob, bob, sender=bob)
    pool.requestRedeem(400 * NMR, alice, alice, sender=alice)
    boa.env.timestamp = factory.round_start(pool.last_settled_round() + 2) + factory.stall_gap()
    assert pool.is_stalled()
    pool.emergency_exit(sender=outsider)
    assert pool.closure() == EMERGENCY_EXIT
    with boa.reverts("pool: closed"):
        pool.emergency_exit(sender=outsider)
    # the unsettled results are forfeited: deposits come back in full, shares redeem at the last price
    pool.cancelDepositRequest(request_round, bob, bob, sender=bob)
    assert nmr.balanceOf(bob) == 1_000 * NMR
    pool.cancelRedeemRequest(request_round, alice, alice, sender=alice)
    pool.requestRedeem(1_000 * NMR, alice, alice, sender=alice)
    assert pool.maxWithdraw(alice) == 1_000 * NMR


def test_emergency_exit__owner_has_no_shortcut(invested, owner, guardian):
    for account in (owner, guardian):
        with boa.reverts("pool: not stalled"):
            invested.emergency_exit(sender=account)


def test_stall__measured_from_the_next_rounds_close_not_from_the_last_settlement(
    funded, factory, settler, next_round
):
    # a new pool waits ~20 rounds for its first result: that is no stall
    r = funded.current_round()
    next_round(20)
    assert not funded.is_stalled()
    boa.env.timestamp = factory.round_start(r + 1) + factory.stall_gap()
    assert funded.is_stalled()
    funded.settle(r, 0, DIGEST, sender=settler)
    assert not funded.is_stalled()  # round r + 1 closed less than the gap ago


def test_ownership__two_step(funded, owner, bob, outsider):
    funded.transfer_ownership(bob, sender=owner)
    assert funded.pending_owner() == bob
    with boa.reverts("ownable_2step: caller is not the new owner"):
        funded.accept_ownership(sender=outsider)
    assert funded.owner() == owner
    funded.accept_ownership(sender=bob)
    assert funded.owner() == bob and funded.pending_owner() == ZERO_ADDRESS
    with boa.reverts("ownable: caller is not the owner"):
        funded.transfer_ownership(outsider, sender=owner)
    funded.set_fee(0, sender=bob)
