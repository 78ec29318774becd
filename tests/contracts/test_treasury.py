"""PayoutTreasury: anyone funds it, only registered pools draw from it."""

import boa

from tests.contracts.conftest import NMR, events, model, quietly


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


def test_set_factory__only_once_and_only_deployer(treasury, deployer, outsider):
    with boa.reverts("treasury: not deployer"):
        treasury.set_factory(outsider, sender=outsider)
    with boa.reverts("treasury: factory already set"):
        treasury.set_factory(outsider, sender=deployer)


def test_pay__factory_not_set__reverts(backend, nmr, outsider):
    treasury = backend.deploy("PayoutTreasury", nmr.address)
    with boa.reverts("treasury: factory not set"):
        treasury.pay(1, sender=outsider)


def test_pool_gain__draws_payout_and_logs(pool, treasury, fund, alice, settler, next_round):
    fund(alice, 100 * NMR, pool)
    pool.requestDeposit(100 * NMR, alice, alice, sender=alice)
    before = treasury.available()
    r = pool.current_round()
    next_round()
    pool.settle(r, 2 * 10**16, b"\0" * 32, sender=settler)
    drawn = events(treasury, "PayoutDrawn", call=pool)[0]
    assert (drawn.pool, drawn.amount) == (pool.address, 2 * NMR)
    assert treasury.available() == before - 2 * NMR


def test_pool_gain__treasury_empty__reverts_by_name(system, attest, attach_pool, fund, owner, alice, settler):
    # the `treasury` fixture (which funds it) is not used here
    attestation = attest(model("dry"), "dry", owner)
    quietly(lambda: system.factory.create_pool(model("dry"), "dry", 0, *attestation, sender=owner))
    pool = attach_pool(system.factory.pool_of(model("dry")))
    fund(alice, 100 * NMR, pool)
    pool.requestDeposit(100 * NMR, alice, alice, sender=alice)
    r = pool.current_round()
    boa.env.timestamp = system.factory.round_start(r + 1)
    with boa.reverts("treasury: insufficient NMR"):
        pool.settle(r, 10**16, b"\0" * 32, sender=settler)
