"""PayoutTreasury: anyone funds it, only registered pools draw from it, and what it cannot pay is owed."""

import boa
import pytest

from tests.contracts.conftest import ADDRESS, NMR, ZERO_ADDRESS, events, model, quietly


def test_fund__anyone(system, fund, alice):
    treasury = system.treasury
    fund(alice, 7 * NMR, treasury)
    treasury.fund(7 * NMR, sender=alice)
    funded = events(treasury, "Funded")[0]
    assert (funded.sender, funded.amount) == (alice, 7 * NMR)
    assert treasury.available() == 7 * NMR


def test_fund__zero__reverts(system, alice):
    with boa.reverts("treasury: zero amount"):
        system.treasury.fund(0, sender=alice)


def test_pay__outsider__reverts(treasury, outsider):
    with boa.reverts("treasury: caller is not a pool"):
        treasury.pay(1, sender=outsider)


def test_treasury__deployed_by_its_factory(system):
    """The factory deploys the treasury with itself as the treasury's immutable: there is no
    setter to call (or front-run), and no moment in which the treasury has no factory."""
    treasury, factory = system.treasury, system.factory
    assert treasury.factory() == factory.address and factory.treasury() == treasury.address
    assert treasury.nmr() == system.nmr.address
    assert not hasattr(treasury, "set_factory")


@pytest.mark.parametrize(("argument", "reason"), [(0, "treasury: zero NMR"), (1, "treasury: zero factory")])
def test_treasury__zero_address__refused(backend, nmr, argument, reason):
    arguments = [nmr.address, nmr.address]
    arguments[argument] = ZERO_ADDRESS
    with boa.reverts(reason):
        backend.deploy("PayoutTreasury", *arguments)


def test_pool_gain__draws_payout_and_logs(pool, treasury, nmr, fund, alice, settler, next_round):
    fund(alice, 100 * NMR, pool)
    pool.requestDeposit(100 * NMR, alice, alice, sender=alice)
    before = treasury.available()
    r = pool.current_round()
    next_round()
    pool.settle(r, 2 * 10**16, b"\0" * 32, sender=settler)
    # NMR's Transfer records the payout, the pool's Settled what it asked for
    (drawn,) = events(nmr, "Transfer", call=pool)
    assert (drawn.sender, drawn.receiver, drawn.value) == (treasury.address, pool.address, 2 * NMR)
    settled = events(pool, "Settled")[0]
    assert (settled.paid, settled.unpaid) == (2 * NMR, 0)
    assert treasury.available() == before - 2 * NMR


@pytest.fixture
def dry_pool(system, attest, attach_pool, fund, owner, alice):
    """A pool of 100 NMR whose treasury holds only 1 NMR (the `treasury` fixture is not used)."""
    attestation = attest(model("dry"), "dry", owner)
    quietly(lambda: system.factory.create_pool(model("dry"), "dry", 2_000, *attestation, sender=owner))
    pool = attach_pool(system.factory.pool_of(model("dry")))
    fund(alice, 100 * NMR, pool)
    pool.requestDeposit(100 * NMR, alice, alice, sender=alice)
    system.nmr.approve(system.treasury, NMR, sender=ADDRESS["deployer"])
    system.treasury.fund(NMR, sender=ADDRESS["deployer"])
    return pool


def test_pool_gain__treasury_short__pays_what_it_holds_and_owes_the_rest(dry_pool, system, settler):
    # finding 2: an unpayable gain no longer stalls the pool (which would open its emergency exit)
    pool, r = dry_pool, dry_pool.current_round()
    boa.env.timestamp = system.factory.round_start(r + 1)
    pool.settle(r, 3 * 10**16, b"\0" * 32, sender=settler)  # +3% of 100 NMR: 3 NMR, 1 NMR available
    settled = events(pool, "Settled")[0]
    assert (settled.paid, settled.unpaid) == (NMR, 2 * NMR)
    assert pool.treasury_owed() == 2 * NMR
    assert pool.totalAssets() == 100 * NMR + NMR - settled.fee  # only what was paid is credited
    assert pool.last_settled_round() == r and system.treasury.available() == 0


def test_owed__collected_when_the_treasury_is_refilled(dry_pool, system, settler, outsider, fund):
    pool, r = dry_pool, dry_pool.current_round()
    boa.env.timestamp = system.factory.round_start(r + 1)
    pool.settle(r, 3 * 10**16, b"\0" * 32, sender=settler)
    assets = pool.totalAssets()
    assert pool.collect_owed(sender=outsider) == 0  # still nothing to draw
    fund(outsider, 5 * NMR, system.treasury)
    system.treasury.fund(5 * NMR, sender=outsider)
    assert pool.collect_owed(sender=outsider) == 2 * NMR  # anyone may collect
    collected = events(pool, "OwedCollected")[0]
    assert (collected.amount, collected.still_owed) == (2 * NMR, 0)
    assert pool.treasury_owed() == 0
    # the collected gain lifts the price above the mark: the 20% fee applies to it
    assert collected.fee == 2 * NMR * 2_000 // 10_000
    assert pool.totalAssets() == assets + 2 * NMR - collected.fee
    with boa.reverts("pool: nothing owed"):
        pool.collect_owed(sender=outsider)


def test_owed__collected_first_by_the_next_settlement(dry_pool, system, settler, outsider, fund):
    pool, r = dry_pool, dry_pool.current_round()
    boa.env.timestamp = system.factory.round_start(r + 1)
    pool.settle(r, 3 * 10**16, b"\0" * 32, sender=settler)
    fund(outsider, 50 * NMR, system.treasury)
    system.treasury.fund(50 * NMR, sender=outsider)
    boa.env.timestamp = system.factory.round_start(r + 2)
    pool.settle(r + 1, -(10**16), b"\0" * 32, sender=settler)  # the owed 2 NMR bear this round's -1%
    collected = events(pool, "OwedCollected")[0]
    settled = events(pool, "Settled")[0]
    assert collected.amount == 2 * NMR and pool.treasury_owed() == 0
    active = 100 * NMR + NMR - 2 * 10**17 + 2 * NMR - collected.fee  # after the credit, before the loss
    assert settled.burned == -(-active // 100)
