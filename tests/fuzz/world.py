"""The deployed system every fuzzing history starts from, built on chain and in the model at once.

`build_world()` deploys with `nmr_pools.deployment.deploy_with` (the CLI's sequence), grants
the test roles, funds the treasury, creates the pool and gives every actor NMR and an
allowance, making each call on the titanoboa chain and on the reference model through the
same `Driver`, so the model starts exactly where the chain does (the first storage comparison
of every history proves it).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import boa
from eth_account import Account
from eth_account.signers.local import LocalAccount
from eth_utils import keccak

from nmr_pools.attestation import attest_with_key
from nmr_pools.deployment import DAY, System, deploy_with
from nmr_pools.model import Clock, FactoryModel, PoolModel, RoundSchedule
from nmr_pools.model.nmr import NmrLedger
from tests.fuzz.chain import PROJECT_ROOT, BoaBackend, attach_pool, load_partial
from tests.fuzz.driver import Driver
from tests.roles import TEST_ROLES

NMR = 10**18
MAX_UINT256 = 2**256 - 1

# fee increases must happen inside one history
FEE_DELAY_ROUNDS = 2
FEE_BPS = 2_000
MODEL_NAME = "fuzzed"
# small enough that gains drain it in most histories (the pool then records what it is owed,
# and `fund_treasury` refills it)
TREASURY_FUNDS = 200 * NMR
DELEGATOR_FUNDS = 10_000 * NMR
SIDE_FUNDS = 1_000 * NMR

# delegators (the contract wallet is one of them) and everyone else
DELEGATORS = ("alice", "bob", "carol", "dave", "wallet")
OTHERS = ("deployer", "settler", "guardian", "owner", "erin", "outsider")
EOAS = (*OTHERS, "alice", "bob", "carol", "dave", "wallet-signer")
WALLET_SOURCE = PROJECT_ROOT / "tests" / "fuzz" / "contracts" / "ContractWallet.vy"


def actor_account(name: str) -> LocalAccount:
    """A fixed key per actor, so permits can be signed and failures replay the same addresses."""
    return Account.from_key(keccak(text=f"nmr-pools fuzz actor {name}"))


@dataclass
class World:
    """The system, the pool, the actors, and the model of the same state."""

    system: System
    pool: Any
    wallet: Any
    accounts: dict[str, LocalAccount]
    addr: dict[str, str]  # every actor, the wallet and the pool by name
    model: PoolModel
    driver: Driver


def build_world() -> World:
    accounts = {name: actor_account(name) for name in EOAS}
    addr = {name: account.address for name, account in accounts.items()}
    deployer = addr["deployer"]
    boa.env.timestamp = max(boa.env.timestamp, 1_800_000_000)
    system = deploy_with(BoaBackend(deployer), round_length=DAY)
    with boa.env.prank(addr["wallet-signer"]):
        wallet = load_partial(str(WALLET_SOURCE)).deploy()
    addr["wallet"] = str(wallet.address)
    factory = system.factory
    clock = Clock(boa.env.timestamp)
    factory_model = FactoryModel(
        address=str(factory.address),
        treasury=str(system.treasury.address),
        schedule=RoundSchedule(factory.genesis(), factory.round_length()),
        nmr=NmrLedger.premined(deployer),
        admins={deployer},
        settlers={deployer},
        guardians={deployer},
        attesters={deployer},
        nmr_address=str(system.nmr.address),
        pool_implementation=str(system.implementation.address),
    )
    # immutables live in the code, not in the storage the machine compares: check them once
    immutables = (
        factory.nmr(),
        factory.treasury(),
        factory.pool_implementation(),
        factory.genesis(),
        factory.round_length(),
        system.treasury.nmr(),
    )
    expected = (
        factory_model.nmr_address,
        factory_model.treasury,
        factory_model.pool_implementation,
        factory_model.schedule.genesis,
        factory_model.schedule.round_length,
        factory_model.nmr_address,
    )
    assert tuple(str(v) if isinstance(v, str) else v for v in immutables) == expected, (
        "immutables differ from the model"
    )
    # the implementation's extension is the one the factory deployed with it
    assert str(system.implementation.EXTENSION()) == str(factory.pool_extension()), (
        "the pools' extension differs"
    )
    driver = Driver(addr=addr, clock=clock, wallets={"wallet": wallet})
    ledger = factory_model.nmr

    for name, role in TEST_ROLES.items():
        members = factory_model.settlers if name == "settler" else factory_model.guardians
        driver.setup(
            lambda m=members, a=addr[name]: m.add(a), "deployer", factory, "grant_role", addr[name], role
        )
    driver.setup(
        lambda: factory_model.set_fee_delay_rounds(deployer, FEE_DELAY_ROUNDS),
        "deployer",
        factory,
        "set_fee_delay_rounds",
        FEE_DELAY_ROUNDS,
    )
    _approve(driver, system, ledger, "deployer", str(system.treasury.address), TREASURY_FUNDS)
    driver.setup(
        lambda: ledger.transfer_from(
            factory_model.treasury, deployer, factory_model.treasury, TREASURY_FUNDS
        ),
        "deployer",
        system.treasury,
        "fund",
        TREASURY_FUNDS,
    )

    model_id = MODEL_NAME.encode().ljust(32, b"\0")
    pool_address = _create_pool(driver, factory, model_id, accounts["deployer"].key)
    backend = BoaBackend(deployer)
    pool = attach_pool(backend.partial("DelegationPool"), backend.partial("PoolExtension"), pool_address)
    addr["pool"] = pool_address
    clock.timestamp = boa.env.timestamp
    model = PoolModel(
        address=pool_address,
        factory=factory_model,
        clock=clock,
        owner=addr["owner"],
        fee_bps=FEE_BPS,
        model_id=model_id,
        model_name=MODEL_NAME,
    )
    factory_model.register(pool_address, model_id)

    for name in DELEGATORS + ("erin", "outsider", "owner"):
        funds = DELEGATOR_FUNDS if name in DELEGATORS else SIDE_FUNDS
        _issue(driver, system, ledger, name, funds)
        _approve(driver, system, ledger, name, pool_address, MAX_UINT256)
    # start a little into the next round
    boa.env.timestamp = (
        factory_model.schedule.round_start(factory_model.schedule.round_at(boa.env.timestamp) + 1) + 3_600
    )
    clock.timestamp = boa.env.timestamp
    return World(
        system=system, pool=pool, wallet=wallet, accounts=accounts, addr=addr, model=model, driver=driver
    )


def _create_pool(driver: Driver, factory: Any, model_id: bytes, attester_key: bytes) -> str:
    """The owner creates the pool with the deployer's (the attester's) attestation."""
    deadline = boa.env.timestamp + DAY
    attestation = attest_with_key(
        attester_key,
        chain_id=factory.eip712Domain()[3],
        factory=str(factory.address),
        model_id=model_id,
        model_name=MODEL_NAME,
        owner=driver.addr["owner"],
        deadline=deadline,
    )
    created = driver.call(
        "owner",
        factory,
        "create_pool",
        model_id,
        MODEL_NAME,
        FEE_BPS,
        attestation.attester,
        deadline,
        attestation.signature_bytes,
    )
    assert isinstance(created, str), f"create_pool reverted during set-up: {created}"
    return str(created)


def _issue(driver: Driver, system: System, ledger: NmrLedger, name: str, amount: int) -> None:
    """The faucet: a transfer from the deployer, who holds the premined supply."""
    driver.setup(
        lambda: ledger.transfer(driver.addr["deployer"], driver.addr[name], amount),
        "deployer",
        system.nmr,
        "transfer",
        driver.addr[name],
        amount,
    )


def _approve(driver: Driver, system: System, ledger: NmrLedger, name: str, spender: str, amount: int) -> None:
    driver.setup(
        lambda: ledger.approve(driver.addr[name], spender, amount),
        name,
        system.nmr,
        "approve",
        spender,
        amount,
    )
