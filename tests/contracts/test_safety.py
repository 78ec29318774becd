"""Deposit limit, pause, shutdown (by role and by stall), two-step ownership."""

import boa
import pytest

from tests.contracts.conftest import NMR, ZERO_ADDRESS, events

DIGEST = b"\0" * 32
DAY = 86_400


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


def test_shutdown__by_outsider_before_stall__reverts(funded, outsider, next_round):
    next_round()  # a closed round waits, but not for long
    assert not funded.is_stalled()
    with boa.reverts("pool: not owner or guardian"):
        funded.shutdown(sender=outsider)


def test_shutdown__by_anyone_once_stalled(funded, outsider, factory, deployer):
    factory.set_stall_gap(3 * DAY, sender=deployer)
    boa.env.timestamp += 3 * DAY
    assert funded.is_stalled()
    funded.shutdown(sender=outsider)
    event = events(funded, "ShutDown")[0]
    assert (event.account, event.stalled) == (outsider, True)
    assert funded.is_shutdown()


def test_shutdown__nothing_waiting__not_stalled(funded, factory, deployer, settler, next_round):
    factory.set_stall_gap(DAY, sender=deployer)
    r = funded.current_round()
    next_round()
    boa.env.timestamp += DAY // 2
    funded.settle(r, 0, DIGEST, sender=settler)
    boa.env.timestamp += 2 * DAY - DAY // 2 - 10  # long after the last settlement...
    assert funded.current_round() == r + 2 and funded.is_stalled()  # ...round r+1 now waits
    funded.settle(r + 1, 0, DIGEST, sender=settler)
    assert not funded.is_stalled()


@pytest.mark.parametrize("who", ["owner", "guardian"])
def test_shutdown__everyone_gets_out_at_last_price(
    funded, alice, bob, settler, next_round, nmr, who, request
):
    funded.requestDeposit(100 * NMR, alice, alice, sender=alice)
    funded.deposit(100 * NMR, alice, sender=alice)
    r = funded.current_round()
    next_round()
    funded.settle(r, -2 * 10**16, DIGEST, sender=settler)  # price 0.98
    r2 = funded.current_round()
    next_round()
    bob_round = funded.current_round()
    funded.requestDeposit(30 * NMR, bob, bob, sender=bob)  # pending behind round r2
    funded.requestRedeem(50 * NMR, alice, alice, sender=alice)  # pending behind round r2
    account = request.getfixturevalue(who)
    funded.shutdown(sender=account)
    with boa.reverts("pool: shut down"):
        funded.shutdown(sender=account)
    with boa.reverts("pool: shut down"):
        funded.settle(r2, 0, DIGEST, sender=settler)
    with boa.reverts("pool: shut down"):
        funded.requestDeposit(NMR, bob, bob, sender=bob)
    next_round()
    # pending deposit: taken back in full, even though its round has closed
    funded.cancelDepositRequest(bob_round, bob, bob, sender=bob)
    assert nmr.balanceOf(bob) == 1_000 * NMR
    # pending redemption: shares back, then redeem at once at the last price
    funded.cancelRedeemRequest(bob_round, alice, alice, sender=alice)
    funded.requestRedeem(100 * NMR, alice, alice, sender=alice)
    assert funded.maxWithdraw(alice) == 98 * NMR
    funded.redeem(100 * NMR, alice, alice, sender=alice)
    assert nmr.balanceOf(alice) == 998 * NMR
    assert funded.totalSupply() == 0


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
