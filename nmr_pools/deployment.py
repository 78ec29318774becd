"""Deploy the protocol (NMR stand-in, treasury, pool implementation, factory), and create
attested pools on it.

One sequence of deployments and calls (`deploy_with`) for every chain backend: Ape (the CLI,
the scripts, the demo and the Ape tests, through `deploy_system`) and titanoboa (the fuzzing
suite, `tests/fuzz/system.py`), so the two can never drift apart. `create_attested_pool` is
how the demo, the benchmarks and the Ape tests create a pool on Ape: an attester signs the
owner's model ownership (`nmr_pools.attestation`), the owner sends `create_pool` with it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Protocol

DAY = 86_400


@dataclass(frozen=True)
class System:
    """The deployed contracts of one protocol instance."""

    nmr: Any
    treasury: Any
    implementation: Any
    factory: Any
    multicall: Any | None = None  # the read aggregator the operator tools batch their reads through
    extension: Any | None = None  # the pools' second half: the code behind every call the core forwards

    def addresses(self) -> dict[str, str]:
        addresses = {
            "nmr": str(self.nmr.address),
            "treasury": str(self.treasury.address),
            "pool_implementation": str(self.implementation.address),
            "factory": str(self.factory.address),
        }
        if self.extension is not None:
            addresses["pool_extension"] = str(self.extension.address)
        if self.multicall is not None:
            addresses["multicall"] = str(self.multicall.address)
        return addresses


class ChainBackend(Protocol):
    """What a deployment needs from a chain: deploy a project contract or its blueprint
    (EIP-5202: the factory creates the pools' implementation and extension from them), attach
    to one, send a call."""

    def deploy(self, contract_name: str, *args: Any) -> Any: ...

    def declare(self, contract_name: str) -> str: ...

    def at(self, contract_name: str, address: str) -> Any: ...

    def send(self, contract: Any, method: str, *args: Any) -> Any: ...


def deploy_with(
    backend: ChainBackend,
    *,
    round_length: int = DAY,
    genesis: int = 0,
    nmr_address: str | None = None,
) -> System:
    """Deploy everything from the backend's deployer, who gets every factory role.

    `genesis=0` makes round 1 open at deployment. With `nmr_address` (mainnet), the real NMR
    is used instead of deploying the stand-in.
    """
    nmr = backend.deploy("NMR") if nmr_address is None else backend.at("NMR", nmr_address)
    # the factory deploys the treasury, the implementation and its extension from these
    # blueprints: the treasury with the factory's address as its immutable, the other two with
    # the factory, the NMR, the treasury and the schedule as theirs
    treasury_blueprint = backend.declare("PayoutTreasury")
    pool_blueprint = backend.declare("DelegationPool")
    extension_blueprint = backend.declare("PoolExtension")
    factory = backend.deploy(
        "PoolFactory",
        nmr.address,
        treasury_blueprint,
        pool_blueprint,
        extension_blueprint,
        genesis,
        round_length,
    )
    treasury = backend.at("PayoutTreasury", str(factory.treasury()))
    implementation = backend.at("DelegationPool", str(factory.pool_implementation()))
    extension = backend.at("PoolExtension", str(factory.pool_extension()))
    return System(
        nmr=nmr, treasury=treasury, implementation=implementation, factory=factory, extension=extension
    )


@dataclass(frozen=True)
class ApeBackend:
    """Deploys the project's contracts with Ape, from `deployer`."""

    project: Any
    deployer: Any

    def deploy(self, contract_name: str, *args: Any) -> Any:
        return self.deployer.deploy(getattr(self.project, contract_name), *args)

    def declare(self, contract_name: str) -> str:
        receipt = self.deployer.declare(getattr(self.project, contract_name))
        if not receipt.contract_address:
            raise RuntimeError(f"the blueprint of {contract_name} was not deployed (no contract address)")
        return str(receipt.contract_address)

    def at(self, contract_name: str, address: str) -> Any:
        return getattr(self.project, contract_name).at(address)

    def send(self, contract: Any, method: str, *args: Any) -> Any:
        return getattr(contract, method)(*args, sender=self.deployer)


def deploy_system(
    project: Any,
    deployer: Any,
    *,
    round_length: int = DAY,
    genesis: int = 0,
    nmr_address: str | None = None,
    multicall: bool = False,
) -> System:
    """`deploy_with` on Ape: the CLI's, the scripts' and the demo's deployment.

    With `multicall`, the read aggregator (contracts/Multicall.vy) is deployed too: `ape pools
    deploy`, the demo and the benchmarks want it (settling hundreds of pools reads them in a
    few calls); tests of the contracts do not need it.
    """
    system = deploy_with(
        ApeBackend(project, deployer), round_length=round_length, genesis=genesis, nmr_address=nmr_address
    )
    if not multicall:
        return system
    return replace(system, multicall=deployer.deploy(project.Multicall))


# how long the attestations `create_attested_pool` signs stay valid (they are used at once)
ATTESTATION_LIFETIME = 3_600


def create_attested_pool(
    project: Any,
    factory: Any,
    *,
    attester: Any,
    owner: Any,
    model_id: bytes,
    model_name: str,
    fee_bps: int,
) -> Any:
    """Create the pool of `model_id` owned by `owner` (Ape accounts), `attester` (an account with
    the factory's ATTESTER role: the deployer has it) attesting the ownership; return the pool."""
    from ape import chain

    from nmr_pools.attestation import attest_with_account

    attestation = attest_with_account(
        attester,
        chain_id=int(chain.chain_id),
        factory=str(factory.address),
        model_id=model_id,
        model_name=model_name,
        owner=str(owner.address),
        deadline=int(chain.pending_timestamp) + ATTESTATION_LIFETIME,
    )
    if attestation is None:
        raise ValueError(f"{attester.address} did not sign the attestation of {model_name!r}")
    factory.create_pool(
        model_id,
        model_name,
        fee_bps,
        attestation.attester,
        attestation.deadline,
        attestation.signature_bytes,
        sender=owner,
    )
    from nmr_pools.pool_contract import pool_at

    return pool_at(project, factory.pool_of(model_id))
