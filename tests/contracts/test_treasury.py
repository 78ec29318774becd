"""PayoutTreasury: anyone funds it, only registered pools draw from it."""

import ape

from tests.conftest import NMR


def test_fund__anyone(system, fund, alice):
    treasury = system.treasury
    fund(alice, 7 * NMR, treasury)
    tx = treasury.fund(7 * NMR, sender=alice)
    assert treasury.available() == 7 * NMR
    funded = tx.decode_logs(treasury.Funded)[0]
    assert (funded.sender, funded.amount) == (alice, 7 * NMR)


def test_fund__zero__reverts(system, alice):
    with ape.reverts("treasury: zero amount"):
        system.treasury.fund(0, sender=alice)


def test_pay__outsider__reverts(treasury, outsider):
    with ape.reverts("treasury: caller is not a pool"):
        treasury.pay(1, sender=outsider)


def test_set_factory__only_once_and_only_deployer(treasury, deployer, outsider):
    with ape.reverts("treasury: not deployer"):
        treasury.set_factory(outsider, sender=outsider)
    with ape.reverts("treasury: factory already set"):
        treasury.set_factory(outsider, sender=deployer)


def test_pay__factory_not_set__reverts(project, nmr, deployer, outsider):
    treasury = deployer.deploy(project.PayoutTreasury, nmr.address)
    with ape.reverts("treasury: factory not set"):
        treasury.pay(1, sender=outsider)


def test_pool_gain__draws_payout_and_logs(pool, treasury, fund, alice, settler, next_round, nmr):
    fund(alice, 100 * NMR, pool)
    pool.requestDeposit(100 * NMR, alice, alice, sender=alice)
    before = treasury.available()
    r = pool.current_round()
    next_round()
    tx = pool.settle(r, 2 * 10**16, b"\0" * 32, sender=settler)
    drawn = tx.decode_logs(treasury.PayoutDrawn)[0]
    assert (drawn.pool, drawn.amount) == (pool.address, 2 * NMR)
    assert treasury.available() == before - 2 * NMR


def test_pool_gain__treasury_empty__reverts_by_name(project, system, fund, owner, alice, settler, chain):
    # the `treasury` fixture (which funds it) is not used here
    model_id = b"dry".ljust(32, b"\0")
    system.factory.create_pool(model_id, "dry", 0, sender=owner)
    pool = project.DelegationPool.at(system.factory.pool_of(model_id))
    fund(alice, 100 * NMR, pool)
    pool.requestDeposit(100 * NMR, alice, alice, sender=alice)
    r = pool.current_round()
    chain.pending_timestamp = system.factory.round_start(r + 1)
    chain.mine()
    with ape.reverts("treasury: insufficient NMR"):
        pool.settle(r, 10**16, b"\0" * 32, sender=settler)
