"""The fuzzed system is the deployed system: `deploy_with` on titanoboa and on Ape give the same state.

Both chains run the one deployment sequence (`nmr_pools.deployment.deploy_with`); this test
deploys both ways, creates a pool on each, and compares every argument-free view of every
contract, with each chain's own addresses replaced by their role names.
"""

from __future__ import annotations

from typing import Any

import boa

from nmr_pools.deployment import DAY, deploy_system, deploy_with
from tests.fuzz.chain import BoaBackend, attach

MODEL_ID = b"parity".ljust(32, b"\0")


def _views(contract_abi: list[dict[str, Any]]) -> list[str]:
    return sorted(
        item["name"]
        for item in contract_abi
        if item.get("type") == "function" and item.get("stateMutability") in ("view", "pure") and not item["inputs"]
    )


def _state(read: Any, names: list[str], labels: dict[str, str]) -> dict[str, Any]:
    """Every named view, with addresses replaced by the role they play on that chain."""
    state = {}
    for name in names:
        try:
            value = read(name)
        except Exception:  # a view that reverts (the implementation's clock views do) must revert on both
            value = "reverts"
        if isinstance(value, str):  # titanoboa's Address is a str subclass
            value = labels.get(value.lower(), str(value))
        state[name] = value
    return state


def test_deploy_with__ape_and_titanoboa__same_state(project, accounts, chain):
    deployer = accounts[0]
    ape_system = deploy_system(project, deployer, round_length=DAY)
    ape_system.factory.create_pool(MODEL_ID, "parity", 1_000, sender=deployer)
    ape_pool = project.DelegationPool.at(ape_system.factory.pool_of(MODEL_ID))
    ape_time = chain.blocks.head.timestamp

    with boa.env.anchor():
        backend = BoaBackend(str(deployer.address))
        boa_system = deploy_with(backend, round_length=DAY)
        backend.send(boa_system.factory, "create_pool", MODEL_ID, "parity", 1_000)
        boa_pool = attach(backend.partial("DelegationPool"), boa_system.factory.pool_of(MODEL_ID))
        boa_time = boa.env.timestamp

        pairs = [
            (ape_system.nmr, boa_system.nmr, "NMR"),
            (ape_system.treasury, boa_system.treasury, "PayoutTreasury"),
            (ape_system.implementation, boa_system.implementation, "DelegationPool"),
            (ape_system.factory, boa_system.factory, "PoolFactory"),
            (ape_pool, boa_pool, "DelegationPool"),
        ]
        ape_labels = {str(a.address).lower(): label for a, _, label in pairs}
        boa_labels = {str(b.address).lower(): label for _, b, label in pairs}
        ape_labels[str(deployer.address).lower()] = boa_labels[str(deployer.address).lower()] = "deployer"
        # the pool and the implementation share a contract type: tell them apart
        ape_labels[str(ape_pool.address).lower()] = boa_labels[str(boa_pool.address).lower()] = "pool"
        for ape_contract, boa_contract, name in pairs:
            names = [n for n in _views([item.model_dump() for item in ape_contract.contract_type.abi]) if n not in ("genesis", "eip712Domain", "DOMAIN_SEPARATOR", "last_settled_at")]
            ape_state = _state(lambda n, c=ape_contract: getattr(c, n)(), names, ape_labels)
            boa_state = _state(lambda n, c=boa_contract: getattr(c, n)(), names, boa_labels)
            assert ape_state == boa_state, f"{name}: Ape and titanoboa deployments differ"
        # the schedule: round 1 opens at deployment on both chains
        for factory, now in ((ape_system.factory, ape_time), (boa_system.factory, boa_time)):
            assert factory.current_round() == 1
            assert factory.genesis() + DAY <= now < factory.genesis() + 2 * DAY
        assert ape_system.factory.roles(deployer) == boa_system.factory.roles(str(deployer.address)) == 7
