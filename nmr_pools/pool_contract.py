"""A pool as one Ape contract: the core's functions and the extension's, at the pool's address.

A pool is a minimal proxy of `DelegationPool.vy` (requests, claims, settlement, shares), which
forwards every call it does not know to `PoolExtension.vy` (settings, safety switches, views)
with a delegatecall. Callers should not have to know which half a function lives in, so the
tools talk to a pool through one contract type whose ABI is both halves' (the core's entry wins
where both declare the same name and inputs: events both emit, `initialize`'s absence).
"""

from __future__ import annotations

from functools import cache
from typing import Any

from ape.contracts import ContractContainer, ContractInstance
from ethpm_types import ContractType

POOL_NAME = "DelegationPool"
EXTENSION_NAME = "PoolExtension"


def _signature(item: Any) -> tuple[str, str, tuple[str, ...]]:
    inputs = tuple(str(getattr(i, "type", "")) for i in getattr(item, "inputs", []) or [])
    return (item.type, getattr(item, "name", "") or "", inputs)


def merged_pool_type(core: ContractType, extension: ContractType) -> ContractType:
    """The pool's contract type: the core's ABI, then every extension entry the core lacks."""
    seen = {_signature(item) for item in core.abi}
    extra = [item for item in extension.abi if item.type != "constructor" and _signature(item) not in seen]
    return core.model_copy(update={"abi": [*core.abi, *extra]})


@cache
def _pool_type_of(project: Any) -> ContractType:
    return merged_pool_type(
        getattr(project, POOL_NAME).contract_type, getattr(project, EXTENSION_NAME).contract_type
    )


def pool_container(project: Any) -> ContractContainer:
    """The pools' contract container (deploy nothing with it: pools are cloned by the factory)."""
    return ContractContainer(_pool_type_of(project))


def pool_at(project: Any, address: Any) -> ContractInstance:
    """The pool at `address`, with both halves' functions and events.

    Built directly rather than through Ape's contract cache, which would merge in whatever ABI
    it has stored for the address (a minimal proxy's implementation, say).
    """
    return ContractInstance(str(address), _pool_type_of(project))
