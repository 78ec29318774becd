"""PoolFactory: pool creation and registry, schedule, roles, caps, batch settlement."""

import boa
import pytest

from nmr_pools.deployment import DAY, deploy_with
from tests.contracts.conftest import NMR, WAD, events, model, quietly

ADMIN, SETTLER, GUARDIAN, ATTESTER = 1, 2, 4, 8


def test_deploy__sets_schedule_caps_and_roles(factory, deployer):
    assert factory.current_round() == 1
    assert factory.round_length() == DAY
    assert factory.round_start(1) <= boa.env.timestamp < factory.round_start(2)
    assert factory.return_cap() == 5 * 10**16
    assert factory.fee_cap_bps() == 5_000
    assert factory.fee_delay_rounds() == 30
    assert factory.stall_gap() == 30 * DAY
    assert factory.roles(deployer) == ADMIN | SETTLER | GUARDIAN | ATTESTER
    assert factory.is_attester(deployer)


def test_deploy__genesis_in_future__reverts(backend):
    with boa.reverts("factory: round 1 not open yet"):
        deploy_with(backend, genesis=boa.env.timestamp + 10)


def test_deploy__rounds_shorter_than_an_hour__reverts(backend):
    # a pool's deposit queue keeps rounds in 24 bits: hourly rounds last 1,900 years in them
    with boa.reverts("factory: rounds shorter than an hour"):
        deploy_with(backend, round_length=3_599)


def test_create_pool__registers_and_initializes(factory, attest, attach_pool, owner):
    attestation = attest(model("alpha"), "alpha", owner)
    quietly(lambda: factory.create_pool(model("alpha"), "alpha", 1_500, *attestation, sender=owner))
    created = events(factory, "PoolCreated")[0]
    pool = attach_pool(factory.pool_of(model("alpha")))
    assert (created.model_id, created.pool, created.owner, created.fee_bps) == (
        model("alpha"),
        pool.address,
        owner,
        1_500,
    )
    assert factory.is_pool(pool) and factory.model_of(pool) == model("alpha")
    assert factory.pool_count() == 1 and factory.pool_at(0) == pool.address
    assert pool.name() == "NMR Pool alpha" and pool.symbol() == "npalpha"
    assert pool.owner() == owner and pool.fee_bps() == 1_500
    assert pool.model_id() == model("alpha")
    assert pool.asset() == factory.nmr() and pool.share() == pool.address
    assert pool.last_settled_round() == factory.current_round() - 1
    assert pool.high_water_mark() == WAD and pool.price_per_share() == WAD
    assert pool.decimals() == 18


def test_create_pool__second_pool_for_model__reverts(factory, attest, owner, bob):
    attestation = attest(model("alpha"), "alpha", owner)
    quietly(lambda: factory.create_pool(model("alpha"), "alpha", 0, *attestation, sender=owner))
    with boa.reverts("factory: model has a pool"):
        factory.create_pool(model("alpha"), "alpha2", 0, *attest(model("alpha"), "alpha2", bob), sender=bob)


@pytest.mark.parametrize(
    "model_id, name, fee, message",
    [
        (b"\0" * 32, "x", 0, "factory: zero model id"),
        (b"m".ljust(32, b"\0"), "", 0, "factory: empty model name"),
        (b"m".ljust(32, b"\0"), "m", 5_001, "factory: fee above cap"),
    ],
)
def test_create_pool__bad_arguments__revert(factory, attest, owner, model_id, name, fee, message):
    attestation = attest(model_id, name, owner)
    with boa.reverts(message):
        factory.create_pool(model_id, name, fee, *attestation, sender=owner)


def test_pool__initialize_twice__reverts(pool, owner):
    with boa.reverts("pool: already initialized"):
        pool.initialize(owner, model("x"), "x", 0, sender=owner)


def test_implementation_and_extension__cannot_be_initialized(system, attach_pool, owner):
    # neither the implementation (through its fallback) nor the extension called directly
    for address in (system.implementation.address, system.extension.address):
        with boa.reverts("pool: already initialized"):
            attach_pool(address).initialize(owner, model("x"), "x", 0, sender=owner)


def test_implementation_and_extension__carry_the_factorys_schedule_and_addresses(system, attach_pool):
    # the factory deployed both from blueprints with itself, the NMR, the treasury and the
    # schedule as immutables: every clone reads them from code
    factory = system.factory
    assert factory.pool_implementation() == system.implementation.address
    assert factory.pool_extension() == system.extension.address
    for address in (system.implementation.address, system.extension.address):
        half = attach_pool(address)
        assert half.factory() == factory.address
        assert (half.genesis(), half.round_length()) == (factory.genesis(), factory.round_length())
        assert half.current_round() == factory.current_round()
    # (the asset is a view of the core, the implementation)
    assert attach_pool(system.implementation.address).asset() == factory.nmr()


def test_implementation__closed_from_the_start(system, attach_pool, alice):
    # nobody can file a request in the implementation itself by mistake
    implementation = attach_pool(system.implementation.address)
    system.nmr.approve(implementation.address, 10**18, sender=alice)
    with boa.reverts("pool: closed"):
        implementation.requestDeposit(10**18, alice, alice, sender=alice)


def test_pool__reads_the_schedule_from_code(create_pool, system):
    pool = create_pool("a")
    assert pool.factory() == system.factory.address
    assert pool.asset() == system.nmr.address
    assert pool.current_round() == system.factory.current_round()


def test_pools__have_no_permit(create_pool):
    # shares have no EIP-2612 permit (ERC-7540 operators cover delegation; the pool stays under
    # EIP-170's size limit): the functions do not exist, so nothing can be signed away
    pool = create_pool("a")
    for name in ("permit", "nonces", "DOMAIN_SEPARATOR"):
        assert not hasattr(pool, name)


def test_roles__grant_and_revoke(factory, deployer, outsider):
    assert not factory.is_settler(outsider)
    factory.grant_role(outsider, SETTLER | GUARDIAN, sender=deployer)
    assert events(factory, "RoleGranted")[0].role == SETTLER | GUARDIAN
    assert factory.is_settler(outsider) and factory.is_guardian(outsider)
    factory.revoke_role(outsider, SETTLER, sender=deployer)
    assert not factory.is_settler(outsider) and factory.is_guardian(outsider)


def test_roles__only_admin(factory, outsider, settler):
    for call in (
        lambda: factory.grant_role(outsider, ADMIN, sender=settler),
        lambda: factory.revoke_role(settler, SETTLER, sender=outsider),
        lambda: factory.set_return_cap(10**16, sender=settler),
        lambda: factory.set_fee_cap(100, sender=outsider),
        lambda: factory.set_fee_delay_rounds(5, sender=outsider),
        lambda: factory.set_stall_gap(40 * DAY, sender=outsider),
    ):
        with boa.reverts("factory: not admin"):
            call()


def test_roles__admin_cannot_revoke_own_admin(factory, deployer):
    with boa.reverts("factory: cannot revoke own admin"):
        factory.revoke_role(deployer, ADMIN, sender=deployer)


def test_caps__bounds(factory, deployer):
    with boa.reverts("factory: cap above 5%"):
        factory.set_return_cap(5 * 10**16 + 1, sender=deployer)
    with boa.reverts("factory: fee cap above 100%"):
        factory.set_fee_cap(10_001, sender=deployer)
    with boa.reverts("factory: fee delay below 1 round"):
        factory.set_fee_delay_rounds(0, sender=deployer)
    # longer than the resolution lag (~4 weeks), and never so long the exit is out of reach
    with boa.reverts("factory: stall gap below 30 days"):
        factory.set_stall_gap(30 * DAY - 1, sender=deployer)
    with boa.reverts("factory: stall gap below 30 days"):
        factory.set_stall_gap(DAY, sender=deployer)
    with boa.reverts("factory: stall gap above 365 days"):
        factory.set_stall_gap(365 * DAY + 1, sender=deployer)
    factory.set_stall_gap(365 * DAY, sender=deployer)
    assert factory.stall_gap() == 365 * DAY
    factory.set_return_cap(10**16, sender=deployer)
    assert events(factory, "ReturnCapSet")[0].return_cap == 10**16
    assert factory.return_cap() == 10**16


def test_settle_many__settles_each_pool(factory, create_pool, settler, next_round, fund, alice):
    pools = [create_pool(f"m{i}") for i in range(3)]
    for p in pools:
        fund(alice, 10 * NMR, p)
        p.requestDeposit(10 * NMR, alice, alice, sender=alice)
    r = factory.current_round()
    next_round()
    reports = [(p.address, r, (i - 1) * 10**16, bytes([i + 1]) * 32) for i, p in enumerate(pools)]
    factory.settle_many(reports, sender=settler)
    assert events(factory, "BatchSettled")[0].pools == 3
    settled = [events(p, "Settled", call=factory)[0] for p in pools]
    assert [(e.round, e.results_digest) for e in settled] == [(r, bytes([i + 1]) * 32) for i in range(3)]
    assert [p.last_settled_round() for p in pools] == [r, r, r]
    # -1%, 0, and +1% minus the 20% fee
    assert [p.totalAssets() for p in pools] == [9_900 * NMR // 1000, 10 * NMR, 10_080 * NMR // 1000]


def test_settle_many__not_settler__reverts(factory, pool, outsider, next_round):
    r = factory.current_round()
    next_round()
    with boa.reverts("factory: not settler"):
        factory.settle_many([(pool.address, r, 0, b"\0" * 32)], sender=outsider)


def test_settle_many__unknown_pool__reverts(factory, settler, outsider, next_round):
    r = factory.current_round()
    next_round()
    with boa.reverts("factory: not a pool"):
        factory.settle_many([(outsider, r, 0, b"\0" * 32)], sender=settler)


def test_settle_many__one_bad_report__reverts_all(factory, create_pool, settler, next_round):
    a, b = create_pool("a"), create_pool("b")
    r = factory.current_round()
    next_round()
    with boa.reverts("pool: not the next round"):
        factory.settle_many(
            [(a.address, r, 0, b"\0" * 32), (b.address, r + 1, 0, b"\0" * 32)], sender=settler
        )
    assert a.last_settled_round() == r - 1
