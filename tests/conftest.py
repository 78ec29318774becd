"""Shared fixtures: named actors, a deployed system, and factories for pools and funded wallets.

The NMR stand-in premines its whole supply to the deployer: the treasury and every wallet get
their NMR by transfer from it. Pools are created with the deployer's (an attester's) signed
word that their owner owns the model, as `create_pool` requires."""

from __future__ import annotations

import pytest

from nmr_pools.deployment import DAY, create_attested_pool, deploy_system
from nmr_pools.fast_calls import name_default_caller
from tests.roles import TEST_ROLES

NMR = 10**18
WAD = 10**18


@pytest.fixture(scope="session", autouse=True)
def _fast_view_calls(request):
    """Skip web3's per-call account listing on the in-process chain (no-op on anvil, and
    nothing at all when the suite runs without Ape's pytest plugin, as the scoring tests can)."""
    if not request.config.pluginmanager.has_plugin("ape_test"):
        return
    networks = request.getfixturevalue("networks")
    accounts = request.getfixturevalue("accounts")
    name_default_caller(networks.provider, accounts[0])


@pytest.fixture(scope="session")
def deployer(accounts):
    return accounts[0]


@pytest.fixture(scope="session")
def settler(accounts):
    return accounts[1]


@pytest.fixture(scope="session")
def guardian(accounts):
    return accounts[2]


@pytest.fixture(scope="session")
def owner(accounts):
    return accounts[3]


@pytest.fixture(scope="session")
def alice(accounts):
    return accounts[4]


@pytest.fixture(scope="session")
def bob(accounts):
    return accounts[5]


@pytest.fixture(scope="session")
def carol(accounts):
    return accounts[6]


@pytest.fixture(scope="session")
def outsider(accounts):
    return accounts[7]


@pytest.fixture
def system(project, deployer, settler, guardian):
    system = deploy_system(project, deployer, round_length=DAY)
    factory = system.factory
    factory.grant_role(settler, TEST_ROLES["settler"], sender=deployer)
    factory.grant_role(guardian, TEST_ROLES["guardian"], sender=deployer)
    return system


@pytest.fixture
def nmr(system):
    return system.nmr


@pytest.fixture
def treasury(system, deployer):
    """The treasury, holding 1,000,000 NMR of the deployer's premined supply."""
    system.nmr.approve(system.treasury, 1_000_000 * NMR, sender=deployer)
    system.treasury.fund(1_000_000 * NMR, sender=deployer)
    return system.treasury


@pytest.fixture
def factory(system, treasury):
    return system.factory


@pytest.fixture
def create_pool(project, factory, owner, deployer):
    """`create_pool(name, fee_bps, pool_owner)`: the pool of model `name` (bytes32: the name
    right-padded with zeros), its ownership attested by the deployer."""
    counter = iter(range(1, 1_000))

    def create(name: str | None = None, fee_bps: int = 2_000, pool_owner=None):
        name = name or f"model{next(counter)}"
        model_id = name.encode().ljust(32, b"\0")
        return create_attested_pool(
            project,
            factory,
            attester=deployer,
            owner=pool_owner or owner,
            model_id=model_id,
            model_name=name,
            fee_bps=fee_bps,
        )

    return create


@pytest.fixture
def pool(create_pool):
    return create_pool("alpha")


@pytest.fixture
def fund(nmr, deployer):
    """Give `account` `amount` NMR (a transfer from the deployer's premined supply) and approve
    `spender` for it (mainnet approve rule aware)."""

    def give(account, amount: int, spender=None):
        nmr.transfer(account, amount, sender=deployer)
        if spender is not None:
            current = nmr.allowance(account, spender)
            if current == 0:
                nmr.approve(spender, amount, sender=account)
            else:
                nmr.changeApproval(spender, current, current + amount, sender=account)

    return give


@pytest.fixture
def next_round(chain, factory):
    """Move time to the start of the next round (or `n` rounds on)."""

    def advance(n: int = 1):
        start = factory.round_start(factory.current_round() + n)
        chain.pending_timestamp = start
        chain.mine()
        return factory.current_round()

    return advance
