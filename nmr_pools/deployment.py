"""Deploy the protocol (NMR stand-in, treasury, pool implementation, factory) with Ape.

One code path for tests, the CLI (`ape pools deploy`), the scripts and the demo.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

DAY = 86_400


@dataclass(frozen=True)
class System:
    """The deployed contracts of one protocol instance."""

    nmr: Any
    treasury: Any
    implementation: Any
    factory: Any

    def addresses(self) -> dict[str, str]:
        return {
            "nmr": str(self.nmr.address),
            "treasury": str(self.treasury.address),
            "pool_implementation": str(self.implementation.address),
            "factory": str(self.factory.address),
        }


def deploy_system(
    project: Any,
    deployer: Any,
    *,
    round_length: int = DAY,
    genesis: int = 0,
    nmr_address: str | None = None,
) -> System:
    """Deploy everything from `deployer`, who gets every factory role.

    `genesis=0` makes round 1 open at deployment. With `nmr_address` (mainnet), the real NMR
    is used instead of deploying the stand-in.
    """
    if nmr_address is None:
        nmr = deployer.deploy(project.NMR)
    else:
        nmr = project.NMR.at(nmr_address)
    treasury = deployer.deploy(project.PayoutTreasury, nmr.address)
    implementation = deployer.deploy(project.DelegationPool)
    factory = deployer.deploy(
        project.PoolFactory, nmr.address, treasury.address, implementation.address, genesis, round_length
    )
    treasury.set_factory(factory.address, sender=deployer)
    return System(nmr=nmr, treasury=treasury, implementation=implementation, factory=factory)
