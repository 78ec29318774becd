"""The one list of views the operator tools read from pools, the factory and the treasury.

When a contract's view is renamed or added (as `closure` replaced `is_shutdown` when the
wind-down landed), this module is the one edit: the settlement planner and the executor read
pool state only through `read_registry` and `read_settlement_states`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from nmr_pools.chain.batch_reads import BatchReader, Read
from nmr_pools.chain.views import View

# ---- the views ----

# factory: schedule, caps, registry
CURRENT_ROUND = View("current_round", (), "uint256")
RETURN_CAP = View("return_cap", (), "uint256")
POOL_COUNT = View("pool_count", (), "uint256")
TREASURY = View("treasury", (), "address")
POOL_AT = View("pool_at", ("uint256",), "address")
POOL_OF = View("pool_of", ("bytes32",), "address")
# treasury: NMR it can pay gains from
AVAILABLE = View("available", (), "uint256")
# pool: what settling a round needs to know
LAST_SETTLED_ROUND = View("last_settled_round", (), "uint256")
# the pool's Closure flag (WOUND_DOWN=1, EMERGENCY_EXIT=2, DEPLETED=4); 0 while it settles
CLOSURE = View("closure", (), "uint256")
# the last round a winding-down pool plays (0: not winding down); it still settles up to it
WIND_DOWN_ROUND = View("wind_down_round", (), "uint256")
TOTAL_ASSETS = View("totalAssets", (), "uint256")
# gains the treasury could not pay when settled: the pool collects them first at its next settlement
TREASURY_OWED = View("treasury_owed", (), "uint256")
# the pool views `read_settlement_states` reads, in the order PoolSettlementState takes them.
# Not `pool_state()`, which holds three of them in one call: its answer is 256 bytes, and the
# Multicall aggregator (snekmate's multicall) keeps at most 255 bytes of each sub-call's answer.
SETTLEMENT_VIEWS = (LAST_SETTLED_ROUND, CLOSURE, WIND_DOWN_ROUND, TOTAL_ASSETS, TREASURY_OWED)
# Closure flag bits, by name (DelegationPool.vy `flag Closure`)
CLOSURES = {1: "wound down", 2: "emergency exit", 4: "depleted"}


# ---- what is read ----


@dataclass(frozen=True)
class PoolSettlementState:
    """A pool's settlement state at the reader's block."""

    pool: str
    last_settled_round: int
    closure: int  # Closure flag; 0 while the pool settles
    wind_down_round: int  # last round a winding-down pool plays; 0 if not winding down
    total_assets: int  # active assets: what a round's return applies to
    treasury_owed: int  # NMR the treasury owes the pool; its next settlement draws it first

    @property
    def settles_rounds(self) -> bool:
        """Whether the pool still takes settlements (a closed pool takes none; a winding-down
        one settles every round up to its last, and settling that one closes it)."""
        return self.closure == 0

    @property
    def closed_because(self) -> str:
        """Why the pool is closed, in words ("" while it settles)."""
        return ", ".join(name for bit, name in CLOSURES.items() if self.closure & bit)


@dataclass(frozen=True)
class Registry:
    """The factory's schedule, cap, treasury and pools, and the pool of each asked model key."""

    current_round: int
    return_cap: int
    treasury: str
    treasury_available: int
    pools: list[str]  # every pool, in creation order
    pool_of: dict[bytes, str | None]  # model key -> pool (None: the model has no pool)


def read_registry(reader: BatchReader, factory: str, keys: Iterable[bytes]) -> Registry:
    """Two batched reads: the factory's scalars, then the treasury's balance, every pool and every key's pool."""
    current, cap, count, treasury = reader.read(
        [
            Read(factory, CURRENT_ROUND),
            Read(factory, RETURN_CAP),
            Read(factory, POOL_COUNT),
            Read(factory, TREASURY),
        ]
    )
    keys = list(keys)
    answers = reader.read(
        [Read(treasury, AVAILABLE)]
        + [Read(factory, POOL_AT, (index,)) for index in range(int(count))]
        + [Read(factory, POOL_OF, (key,)) for key in keys]
    )
    pools = [str(address) for address in answers[1 : 1 + int(count)]]
    pool_of = {
        key: (None if int(address, 16) == 0 else str(address))
        for key, address in zip(keys, answers[1 + int(count) :], strict=True)
    }
    return Registry(int(current), int(cap), str(treasury), int(answers[0]), pools, pool_of)


def read_settlement_states(reader: BatchReader, pools: Sequence[str]) -> dict[str, PoolSettlementState]:
    """Every pool's settlement state, by address, in one batched read."""
    width = len(SETTLEMENT_VIEWS)
    answers = reader.read([Read(pool, view) for pool in pools for view in SETTLEMENT_VIEWS])
    return {
        pool: PoolSettlementState(pool, *(int(value) for value in answers[i * width : (i + 1) * width]))
        for i, pool in enumerate(pools)
    }


def read_last_settled_rounds(reader: BatchReader, pools: Sequence[str]) -> dict[str, int]:
    """Every pool's last settled round, by address (what execution re-reads before each batch)."""
    answers = reader.read([Read(pool, LAST_SETTLED_ROUND) for pool in pools])
    return {pool: int(last) for pool, last in zip(pools, answers, strict=True)}
