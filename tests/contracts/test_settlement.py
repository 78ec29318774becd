"""DelegationPool.settle: who, which round, how much, and what it moves."""

import boa
import pytest

from tests.contracts.conftest import NMR, WAD, events, set_balance

CAP = 5 * 10**16
DIGEST = b"\xab" * 32


@pytest.fixture
def invested(pool, fund, alice):
    """alice holds 100 NMR of shares; the current round is open, the previous one settled."""
    fund(alice, 100 * NMR, pool)
    pool.requestDeposit(100 * NMR, alice, alice, sender=alice)
    pool.deposit(100 * NMR, alice, sender=alice)
    return pool


@pytest.fixture
def closed(invested, next_round):
    """The round alice deposited in has closed; returns it."""
    r = invested.current_round()
    next_round()
    return r


def test_settle__gain__paid_from_treasury(invested, closed, settler, nmr, treasury):
    supply_before = nmr.totalSupply()
    invested.settle(closed, 3 * 10**16, DIGEST, sender=settler)
    event = events(invested, "Settled")[0]
    # 100 NMR * 3% = 3 NMR paid; 20% fee on 3 NMR = 0.6 NMR
    assert (event.round, event.round_return, event.results_digest) == (closed, 3 * 10**16, DIGEST)
    assert (event.paid, event.burned, event.fee) == (3 * NMR, 0, 6 * NMR // 10)
    assert event.total_assets == invested.totalAssets() == 1024 * NMR // 10
    assert event.price_per_share == invested.price_per_share() == event.high_water_mark
    assert nmr.balanceOf(invested) == 103 * NMR and nmr.totalSupply() == supply_before
    assert invested.fees_owed() == 6 * NMR // 10
    assert invested.last_settled_round() == closed  # the digest is in the event only


def test_settle__loss__burned_with_nmr(invested, closed, settler, nmr):
    supply_before = nmr.totalSupply()
    invested.settle(closed, -4 * 10**16, DIGEST, sender=settler)
    event = events(invested, "Settled")[0]
    assert (event.paid, event.burned, event.fee) == (0, 4 * NMR, 0)
    assert invested.totalAssets() == 96 * NMR and nmr.balanceOf(invested) == 96 * NMR
    assert nmr.totalSupply() == supply_before - 4 * NMR
    assert invested.high_water_mark() == WAD  # never decreases


def test_settle__rounding__gain_down_loss_up(pool, fund, alice, settler, next_round):
    fund(alice, 33, pool)
    pool.requestDeposit(33, alice, alice, sender=alice)
    r = pool.current_round()
    next_round()
    pool.settle(r, 10**16, DIGEST, sender=settler)  # 0.33 wei -> 0 paid
    assert events(pool, "Settled")[0].paid == 0
    next_round()
    pool.settle(r + 1, -(10**16), DIGEST, sender=settler)  # 0.33 wei -> 1 burned
    assert events(pool, "Settled")[0].burned == 1
    assert pool.totalAssets() == 32


@pytest.mark.parametrize("round_return", [CAP, -CAP])
def test_settle__at_cap__accepted(invested, closed, settler, round_return):
    invested.settle(closed, round_return, DIGEST, sender=settler)
    assert invested.last_settled_round() == closed


@pytest.mark.parametrize("round_return", [CAP + 1, -CAP - 1, 2**255 - 1, -(2**255)])
def test_settle__beyond_cap__reverts(invested, closed, settler, round_return):
    with boa.reverts("pool: return above cap"):
        invested.settle(closed, round_return, DIGEST, sender=settler)


def test_settle__lowered_factory_cap__applies(invested, closed, settler, factory, deployer):
    factory.set_return_cap(10**16, sender=deployer)
    with boa.reverts("pool: return above cap"):
        invested.settle(closed, 10**16 + 1, DIGEST, sender=settler)
    invested.settle(closed, -(10**16), DIGEST, sender=settler)


def test_settle__not_settler__reverts(invested, closed, outsider, owner, guardian):
    for account in (outsider, owner, guardian):
        with boa.reverts("factory: not settler"):
            invested.settle(closed, 0, DIGEST, sender=account)


def test_settle__only_through_the_factory(invested, closed, settler, deployer):
    # the pool takes a settlement from its factory only (which checks the settler and passes
    # its caps): a settler, an admin, anyone calling the pool directly is refused
    for account in (settler, deployer):
        with boa.reverts("pool: not the factory"):
            invested.core.settle(closed, 0, DIGEST, 5 * 10**16, 10_000, sender=account)


def test_settle__out_of_order_and_duplicate__revert(invested, closed, settler, next_round):
    next_round()
    with boa.reverts("pool: not the next round"):
        invested.settle(closed + 1, 0, DIGEST, sender=settler)
    invested.settle(closed, 0, DIGEST, sender=settler)
    with boa.reverts("pool: not the next round"):
        invested.settle(closed, 0, DIGEST, sender=settler)
    with boa.reverts("pool: not the next round"):
        invested.settle(closed - 1, 0, DIGEST, sender=settler)


def test_settle__round_not_closed__reverts(invested, settler):
    with boa.reverts("pool: round not closed"):
        invested.settle(invested.current_round(), 0, DIGEST, sender=settler)


def test_settle__converts_next_round_groups_only(pool, fund, alice, bob, settler, next_round):
    fund(alice, 100 * NMR, pool)
    fund(bob, 100 * NMR, pool)
    r1 = pool.current_round()
    pool.requestDeposit(100 * NMR, alice, alice, sender=alice)  # converted now
    pool.deposit(100 * NMR, alice, sender=alice)
    r2 = next_round()
    pool.requestDeposit(50 * NMR, bob, bob, sender=bob)  # waits for r1
    r3 = next_round()
    pool.requestDeposit(50 * NMR, bob, bob, sender=bob)  # waits for r2
    next_round()
    pool.settle(r1, CAP, DIGEST, sender=settler)  # bob is not in r1
    assert pool.pendingDepositRequest(r2, bob) == 0
    assert pool.pendingDepositRequest(r3, bob) == 50 * NMR
    # alice: 100 + 5 - 20% fee = 104 NMR; bob's 50 buy shares at that price
    assert pool.totalAssets() == 154 * NMR
    assert pool.maxMint(bob) == 50 * NMR * (100 * NMR + 1) // (104 * NMR + 1)


def test_donation__changes_no_claim(invested, closed, nmr, fund, bob, settler):
    price = invested.price_per_share()
    fund(bob, 50 * NMR)
    nmr.transfer(invested, 50 * NMR, sender=bob)
    assert invested.totalAssets() == 100 * NMR and invested.price_per_share() == price
    invested.settle(closed, -CAP, DIGEST, sender=settler)
    assert invested.totalAssets() == 95 * NMR  # the loss is on active assets, not the balance


def test_settle__burn_returns_false__pool_reverts_with_its_own_message(invested, closed, settler, nmr):
    # mainnet NMR answers a failed burn with False, not a revert: the pool checks the bool.
    # Here the pool's NMR is made to disappear (no contract path does that) so the burn fails.
    set_balance(nmr, invested.address, 0)
    with boa.reverts("pool: NMR burn failed"):
        invested.settle(closed, -(10**16), DIGEST, sender=settler)
