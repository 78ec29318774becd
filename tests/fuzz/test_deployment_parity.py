"""The fuzzed system is the deployed system: `deploy_with` on titanoboa and on Ape give the same state.

Both chains run the one deployment sequence (`nmr_pools.deployment.deploy_with`); this test
deploys both ways, creates a pool on each, and compares every argument-free view of every
contract, with each chain's own addresses replaced by their role names.
"""

from __future__ import annotations

from typing import Any

import boa

from nmr_pools.attestation import attest_with_key
from nmr_pools.deployment import DAY, deploy_system, deploy_with
from nmr_pools.pool_contract import pool_at
from tests.fuzz.chain import BoaBackend, attach_pool

MODEL_ID = b"parity".ljust(32, b"\0")


def _views(contract_abi: list[dict[str, Any]]) -> list[str]:
    return sorted(
        item["name"]
        for item in contract_abi
        if item.get("type") == "function"
        and item.get("stateMutability") in ("view", "pure")
        and not item["inputs"]
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


def _attestation(factory: Any, key: bytes, owner: str, now: int) -> tuple[str, int, bytes]:
    """The deployer (an attester) attests that it owns the model (create_pool's last arguments)."""
    signed = attest_with_key(
        key,
        chain_id=factory.eip712Domain()[3],
        factory=str(factory.address),
        model_id=MODEL_ID,
        model_name="parity",
        owner=owner,
        deadline=now + DAY,
    )
    return signed.attester, signed.deadline, signed.signature_bytes


def test_deploy_with__ape_and_titanoboa__same_state(project, accounts, chain):
    deployer = accounts[0]
    key = bytes.fromhex(str(deployer.private_key).removeprefix("0x"))
    ape_system = deploy_system(project, deployer, round_length=DAY)
    ape_attestation = _attestation(ape_system.factory, key, str(deployer.address), chain.pending_timestamp)
    ape_system.factory.create_pool(MODEL_ID, "parity", 1_000, *ape_attestation, sender=deployer)
    pool_address = ape_system.factory.pool_of(MODEL_ID)
    ape_pool = pool_at(project, pool_address)
    ape_time = chain.blocks.head.timestamp

    with boa.env.anchor():
        backend = BoaBackend(str(deployer.address))
        boa_system = deploy_with(backend, round_length=DAY)
        boa_attestation = _attestation(boa_system.factory, key, str(deployer.address), boa.env.timestamp)
        backend.send(boa_system.factory, "create_pool", MODEL_ID, "parity", 1_000, *boa_attestation)
        boa_address = boa_system.factory.pool_of(MODEL_ID)
        boa_pool = attach_pool(
            backend.partial("DelegationPool"), backend.partial("PoolExtension"), boa_address
        )
        boa_time = boa.env.timestamp

        pairs = [
            (ape_system.nmr, boa_system.nmr, "NMR"),
            (ape_system.treasury, boa_system.treasury, "PayoutTreasury"),
            (ape_system.extension, boa_system.extension, "PoolExtension"),
            (ape_system.implementation, boa_system.implementation, "DelegationPool"),
            (ape_system.factory, boa_system.factory, "PoolFactory"),
            (ape_pool, boa_pool, "DelegationPool"),  # both halves of the pool
        ]
        ape_labels = {str(a.address).lower(): label for a, _, label in pairs}
        boa_labels = {str(b.address).lower(): label for _, b, label in pairs}
        ape_labels[str(deployer.address).lower()] = boa_labels[str(deployer.address).lower()] = "deployer"
        # the pool and the implementation share a contract type: tell them apart
        ape_labels[str(pool_address).lower()] = boa_labels[str(boa_address).lower()] = "pool"
        for ape_contract, boa_contract, name in pairs:
            names = [
                n
                for n in _views([item.model_dump() for item in ape_contract.contract_type.abi])
                if n not in ("genesis", "eip712Domain", "DOMAIN_SEPARATOR", "last_settled_at")
            ]
            ape_state = _state(lambda n, c=ape_contract: getattr(c, n)(), names, ape_labels)
            boa_state = _state(lambda n, c=boa_contract: getattr(c, n)(), names, boa_labels)
            assert ape_state == boa_state, f"{name}: Ape and titanoboa deployments differ"
        # the schedule: round 1 opens at deployment on both chains
        for factory, now in ((ape_system.factory, ape_time), (boa_system.factory, boa_time)):
            assert factory.current_round() == 1
            assert factory.genesis() + DAY <= now < factory.genesis() + 2 * DAY
        assert ape_system.factory.roles(deployer) == boa_system.factory.roles(str(deployer.address)) == 15
