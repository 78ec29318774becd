"""The deployments file: where the protocol's contracts live on one network.

`deployments/<ecosystem>-<network>.json` (relative to the current directory) holds the
contracts' addresses (the pools' implementation and `pool_extension`, the second half it
delegates to), the chain id and the deployment block, the Multicall read aggregator's address
(`multicall`, absent from files written before it existed: the tools then read one call at a
time), whether the NMR is the stand-in this project deployed (`nmr_stand_in`) and who deployed
(`deployer`, who holds the stand-in's premined supply). Every `ape pools` command reads it, and
`--deployments PATH` overrides the location.

The stand-in is recognised by this file, never by probing the token: mainnet NMR's fallback
answers any unknown call (`owner()`, `issue(...)`) with success and empty data.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from nmr_pools.errors import DeploymentsError

DEPLOYMENTS_DIR = "deployments"
# the contract types the commands need from the project
CONTRACT_NAMES = ("NMR", "PayoutTreasury", "DelegationPool", "PoolExtension", "PoolFactory")
# mainnet NMR (Numeraire); `deploy` uses it instead of the stand-in on Ethereum mainnet
MAINNET_NMR = "0x1776e1F26f98b1A5dF9cD347953a26dd3Cb46671"


@dataclass(frozen=True)
class Deployment:
    """One deployment of the protocol on one network."""

    ecosystem: str
    network: str
    chain_id: int
    block: int
    nmr: str
    treasury: str
    pool_implementation: str
    factory: str
    # the read aggregator (contracts/Multicall.vy); None: batched reads fall back to plain calls
    multicall: str | None = None
    # the pools' second half (contracts/PoolExtension.vy), which the implementation delegates to
    pool_extension: str | None = None
    # True: `nmr` is the stand-in deployed with the protocol (it has a faucet: the deployer's
    # premined supply); False: a token the deployment was pointed at (mainnet NMR); None: a file
    # written before this was recorded
    nmr_stand_in: bool | None = None
    # the account that deployed (every factory role; holds the stand-in's premined supply)
    deployer: str | None = None

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2) + "\n"


def default_path(ecosystem: str, network: str) -> Path:
    """`deployments/<ecosystem>-<network>.json` under the current directory."""
    return Path.cwd() / DEPLOYMENTS_DIR / f"{ecosystem}-{network}.json"


def path_for(provider: Any, override: str | os.PathLike[str] | None = None) -> Path:
    """The deployments file of the connected network, or `override`."""
    if override is not None:
        return Path(override)
    network = provider.network
    return default_path(network.ecosystem.name, network.name)


def save_deployment(deployment: Deployment, path: str | os.PathLike[str]) -> Path:
    """Write the deployments file (creating its folder); return its path."""
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    temporary = out.with_name(f".{out.name}.tmp")
    temporary.write_text(deployment.to_json(), encoding="utf-8")
    os.replace(temporary, out)
    return out


def read_deployment(path: str | os.PathLike[str]) -> Deployment:
    """Read a deployments file; DeploymentsError with a sentence when it is missing or malformed."""
    source = Path(path)
    if not source.exists():
        raise DeploymentsError(
            f"No deployments file at {source}: run `ape pools deploy` on this network first, "
            "or point to the file with --deployments PATH."
        )
    try:
        document = json.loads(source.read_text(encoding="utf-8"))
        return Deployment(
            ecosystem=str(document["ecosystem"]),
            network=str(document["network"]),
            chain_id=int(document["chain_id"]),
            block=int(document["block"]),
            nmr=str(document["nmr"]),
            treasury=str(document["treasury"]),
            pool_implementation=str(document["pool_implementation"]),
            factory=str(document["factory"]),
            multicall=str(document["multicall"]) if document.get("multicall") else None,
            pool_extension=str(document["pool_extension"]) if document.get("pool_extension") else None,
            nmr_stand_in=bool(document["nmr_stand_in"]) if document.get("nmr_stand_in") is not None else None,
            deployer=str(document["deployer"]) if document.get("deployer") else None,
        )
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise DeploymentsError(
            f"The deployments file {source} is not valid ({type(error).__name__}: {error}); "
            "deploy again or fix the file."
        ) from None


def load_deployment(provider: Any, override: str | os.PathLike[str] | None = None) -> Deployment:
    """The deployment of the connected chain, checked against it (chain id and code at the factory)."""
    path = path_for(provider, override)
    deployment = read_deployment(path)
    chain_id = int(provider.chain_id)
    if deployment.chain_id != chain_id:
        raise DeploymentsError(
            f"The deployments file {path} is for chain id {deployment.chain_id}, but the connected "
            f"network has chain id {chain_id}: pick the matching --network or --deployments file."
        )
    if not provider.get_code(deployment.factory):
        raise DeploymentsError(
            f"No factory at {deployment.factory} on the connected chain (the chain was reset or the "
            f"file {path} is stale): run `ape pools deploy` again."
        )
    return deployment


def load_project() -> Any:
    """The Ape project holding the protocol's contracts.

    The current directory's project when it has them (running from a clone), else the project
    this package was installed from (an editable install).
    """
    import ape

    try:
        local = ape.project
        if all(name in local.contracts for name in CONTRACT_NAMES):
            return local
    except Exception:  # noqa: BLE001 - any unreadable local project: try the package's own
        pass
    root = Path(__file__).resolve().parent.parent
    if (root / "contracts" / "PoolFactory.vy").exists():
        return ape.Project(root)
    raise DeploymentsError(
        "The protocol's contracts (NMR, PayoutTreasury, DelegationPool, PoolExtension, PoolFactory) are not in the "
        "current project: run `ape pools` from the nmr-pools project folder."
    )


def connect_system(deployment: Deployment, project: Any | None = None) -> Any:
    """The deployed contracts as a `nmr_pools.deployment.System` of Ape contract instances."""
    from nmr_pools.deployment import System

    project = project or load_project()
    return System(
        nmr=project.NMR.at(deployment.nmr),
        treasury=project.PayoutTreasury.at(deployment.treasury),
        implementation=project.DelegationPool.at(deployment.pool_implementation),
        factory=project.PoolFactory.at(deployment.factory),
        multicall=project.Multicall.at(deployment.multicall) if deployment.multicall else None,
        extension=project.PoolExtension.at(deployment.pool_extension) if deployment.pool_extension else None,
    )
