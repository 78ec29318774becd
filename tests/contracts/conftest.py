"""Contract unit tests on titanoboa: named actors, one deployed system per module, factory fixtures.

The system is deployed once per test module with `nmr_pools.deployment.deploy_with` (the CLI's
sequence) on `tests.fuzz.chain.BoaBackend`, and every test runs inside `boa.env.anchor()`, so
each test starts from the same freshly deployed state and nothing it does (transactions, time)
leaks into the next test or into other suites sharing the process. titanoboa's own pytest
plugin is off (`-p no:boa_test`): this file does the anchoring, under plain pytest and under
`ape test` alike.

Fixtures are factories: `create_pool(name, fee_bps, pool_owner)`, `attest(model_id, name,
owner)` (the deployer's ownership attestation, as `create_pool`'s last three arguments),
`fund(account, amount, spender)` (a transfer from the deployer, who holds the premined NMR),
`next_round(n)`. Helpers the tests import: `events` (the events of the last call)
and `model` (a model id from a name).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterator
from typing import Any

import boa
import pytest
from eth_utils import keccak

from nmr_pools.attestation import attest_with_key
from nmr_pools.deployment import DAY, System, deploy_with
from tests.fuzz.chain import BoaBackend, PoolHandle, attach
from tests.fuzz.world import actor_account
from tests.roles import TEST_ROLES

NMR = 10**18
WAD = 10**18
ZERO_ADDRESS = "0x" + "00" * 20
# a fixed start time (2027-01-15) so every run sees the same round boundaries
START_TIME = 1_800_000_000
# how long an ownership attestation stays valid
ATTESTATION_LIFETIME = DAY
TREASURY_FUNDS = 1_000_000 * NMR


def model(name: str) -> bytes:
    """The bytes32 model id of `name` (right-padded with zeros)."""
    return name.encode().ljust(32, b"\0")


def events(emitter: Any, name: str, *, call: Any = None) -> list[Any]:
    """The `name` events that `emitter` logged during the last call made to `call` (default:
    to `emitter` itself), e.g. `events(nmr, "Transfer", call=pool)` after `pool.settle`.

    Read them right after the call: any later call to that contract, a view included, replaces
    what titanoboa keeps as its last call."""
    caller = call or emitter
    # a pool handle remembers its last call whichever half (or the factory) it went to
    last = caller._last_computation if isinstance(caller, PoolHandle) else caller._computation
    logs = emitter.get_logs(computation=last, strict=False)
    return [
        log
        for log in logs
        if type(log).__name__ == name and str(log.address).lower() == str(emitter.address).lower()
    ]


def set_balance(token: Any, account: str, amount: int) -> None:
    """Overwrite `token.balanceOf[account]` in storage (for failures no contract path can cause)."""
    slot = token.compiler_data.storage_layout["storage_layout"]["balanceOf"]["slot"]
    key = keccak(slot.to_bytes(32, "big") + bytes(12) + bytes.fromhex(str(account)[2:]))
    boa.env.set_storage(token.address, int.from_bytes(key, "big"), amount)
    assert token.balanceOf(account) == amount, "the balance slot was not where the layout said"


def quietly(action: Callable[[], Any]) -> Any:
    """Run `action` without titanoboa's warning that a pool clone's bytecode is not the
    implementation's (titanoboa registers each contract `create_pool` creates)."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="casted bytecode does not match")
        return action()


# ---- actors: fixed addresses (the fuzzing suite's keys, so they can sign permits) ----

ACTORS = ("deployer", "settler", "guardian", "owner", "alice", "bob", "carol", "outsider")
ADDRESS = {name: str(actor_account(name).address) for name in ACTORS}


@pytest.fixture(scope="session")
def deployer() -> str:
    return ADDRESS["deployer"]


@pytest.fixture(scope="session")
def settler() -> str:
    return ADDRESS["settler"]


@pytest.fixture(scope="session")
def guardian() -> str:
    return ADDRESS["guardian"]


@pytest.fixture(scope="session")
def owner() -> str:
    return ADDRESS["owner"]


@pytest.fixture(scope="session")
def alice() -> str:
    return ADDRESS["alice"]


@pytest.fixture(scope="session")
def bob() -> str:
    return ADDRESS["bob"]


@pytest.fixture(scope="session")
def carol() -> str:
    return ADDRESS["carol"]


@pytest.fixture(scope="session")
def outsider() -> str:
    return ADDRESS["outsider"]


@pytest.fixture(scope="session", autouse=True)
def _actors(
    deployer: str, settler: str, guardian: str, owner: str, alice: str, bob: str, carol: str, outsider: str
) -> None:
    """Every actor from the first test on. Under `ape test`, a session fixture first requested
    after a module fixture makes Ape drop the module fixtures and build them again (here: a
    second deployment, nested in the first one's anchor)."""


@pytest.fixture(scope="session", autouse=True)
def _fast_view_calls() -> None:
    """These tests never touch Ape's chain: skip the root conftest's Ape set-up."""


# ---- chain: one deployment per module, one anchor per test ----


@pytest.fixture(scope="module")
def backend() -> BoaBackend:
    """Deploys the project's contracts from the deployer (what `deploy_with` needs)."""
    return BoaBackend(ADDRESS["deployer"])


@pytest.fixture(scope="module")
def deployment(backend: BoaBackend) -> Iterator[System]:
    """The protocol as the CLI deploys it, with the test roles granted and an empty treasury;
    deployed once per module, inside an anchor that the module's end reverts."""
    with boa.env.anchor():
        boa.env.timestamp = START_TIME
        system = deploy_with(backend, round_length=DAY)
        for role, mask in TEST_ROLES.items():
            backend.send(system.factory, "grant_role", ADDRESS[role], mask)
        yield system


@pytest.fixture(autouse=True)
def system(deployment: System) -> Iterator[System]:
    """The module's deployment, inside an anchor per test: each test starts from the freshly
    deployed state and leaves no trace. Every fixture that changes the chain depends on this
    one, so it changes it inside the anchor whatever order the fixtures are set up in (`ape
    test` reorders them, autouse or not)."""
    with boa.env.anchor():
        yield deployment


@pytest.fixture
def nmr(system: System) -> Any:
    return system.nmr


@pytest.fixture
def treasury(system: System, deployer: str) -> Any:
    """The treasury, holding 1,000,000 NMR (of the deployer's premined supply) to pay gains from."""
    system.nmr.approve(system.treasury, TREASURY_FUNDS, sender=deployer)
    system.treasury.fund(TREASURY_FUNDS, sender=deployer)
    return system.treasury


@pytest.fixture
def factory(system: System, treasury: Any) -> Any:
    return system.factory


class PoolUnderTest(PoolHandle):
    """A pool (both halves) whose `settle(round, return, digest, sender=...)` goes through the
    factory, the only caller a pool accepts (`pool.core.settle` is the pool's own function)."""

    def __init__(self, core: Any, extension: Any, factory: Any) -> None:
        super().__init__(core, extension)
        self._factory = factory

    def settle(self, round_id: int, round_return: int, digest: bytes, *, sender: str) -> Any:
        try:
            return self._factory.settle(self._core.address, round_id, round_return, digest, sender=sender)
        finally:
            self.record(self._factory._computation)


def uninitialized_clone(deployer: str, implementation: str) -> str:
    """A bare EIP-1167 minimal proxy of `implementation`, as `create_pool` makes before it calls
    `initialize` (to test `initialize`'s own checks)."""
    runtime = bytes.fromhex(
        "363d3d373d3d3d363d73" + str(implementation)[2:].lower() + "5af43d82803e903d91602b57fd5bf3"
    )
    init = bytes.fromhex("3d602d80600a3d3981f3") + runtime
    address, _ = boa.env.deploy_code(bytecode=init, sender=deployer)
    return str(address)


@pytest.fixture
def attach_pool(backend: BoaBackend, system: System) -> Callable[[str], Any]:
    """The pool at an address (a clone `create_pool` made), both halves as one object."""

    def at(address: str) -> Any:
        return PoolUnderTest(
            attach(backend.partial("DelegationPool"), address),
            attach(backend.partial("PoolExtension"), address),
            system.factory,
        )

    return at


@pytest.fixture
def attest(system: System) -> Callable[[bytes, str, str], tuple[str, int, bytes]]:
    """`attest(model_id, name, owner)`: the deployer's (an attester's) signature that `owner`
    owns the model, as `create_pool`'s (attester, deadline, signature) arguments."""
    factory = system.factory

    def sign(model_id: bytes, name: str, owner: str) -> tuple[str, int, bytes]:
        attestation = attest_with_key(
            actor_account("deployer").key,
            chain_id=factory.eip712Domain()[3],
            factory=str(factory.address),
            model_id=model_id,
            model_name=name,
            owner=owner,
            deadline=boa.env.timestamp + ATTESTATION_LIFETIME,
        )
        return attestation.attester, attestation.deadline, attestation.signature_bytes

    return sign


@pytest.fixture
def create_pool(
    factory: Any, owner: str, attest: Callable[..., tuple[str, int, bytes]], attach_pool: Callable[[str], Any]
) -> Callable[..., Any]:
    """`create_pool(name, fee_bps, pool_owner)`: a new pool (named model1, model2... by default),
    attested to its owner, with a funded treasury behind it."""
    counter = iter(range(1, 1_000))

    def create(name: str | None = None, fee_bps: int = 2_000, pool_owner: str | None = None) -> Any:
        name = name or f"model{next(counter)}"
        creator = pool_owner or owner
        attestation = attest(model(name), name, creator)
        address = quietly(
            lambda: factory.create_pool(model(name), name, fee_bps, *attestation, sender=creator)
        )
        return attach_pool(address)

    return create


@pytest.fixture
def pool(create_pool: Callable[..., Any]) -> Any:
    """The pool of model "alpha", owned by `owner`, 20% fee."""
    return create_pool("alpha")


@pytest.fixture
def fund(nmr: Any, deployer: str) -> Callable[..., None]:
    """`fund(account, amount, spender)`: give `account` `amount` NMR (from the deployer, who holds
    the premined supply) and approve `spender` for it (mainnet approve rule aware: approve from
    zero, else changeApproval)."""

    def give(account: str, amount: int, spender: Any = None) -> None:
        nmr.transfer(account, amount, sender=deployer)
        if spender is not None:
            current = nmr.allowance(account, spender)
            if current == 0:
                nmr.approve(spender, amount, sender=account)
            else:
                nmr.changeApproval(spender, current, current + amount, sender=account)

    return give


@pytest.fixture
def next_round(system: System) -> Callable[[int], int]:
    """`next_round(n)`: move time to the start of the round `n` rounds on; returns that round."""
    factory = system.factory

    def advance(n: int = 1) -> int:
        boa.env.timestamp = factory.round_start(factory.current_round() + n)
        return factory.current_round()

    return advance
