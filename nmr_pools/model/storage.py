"""The model's state in the contracts' storage layout, variable by variable.

The differential fuzzer (`tests/fuzz`) reads every storage variable of the deployed contracts
by name and compares it with these dictionaries, so this module is the one place that knows
how a contract *stores* what the model *means*: packed words, queue indices, role flags. A
change of a contract's storage layout is a change here, never in the fuzzer; a variable the
contract has and this module does not name fails the comparison.

Conventions (those of the storage reader): a HashMap is a dict of its non-zero entries
(nested for nested maps), addresses are checksummed strings, bytes32 values are 32 bytes.
"""

from __future__ import annotations

from typing import Any

from nmr_pools.model.factory import FactoryModel
from nmr_pools.model.ledger import ZERO_ADDRESS, TokenLedger
from nmr_pools.model.pool import DEPOSIT_SIDE, REDEEM_SIDE, PoolModel

# queue entries and bounds pack two 128-bit halves into one word: high * HALF + low
HALF = 2**128
# PoolFactory's Role flag: ADMIN = 1, SETTLER = 2, GUARDIAN = 4, ATTESTER = 8
ROLE_ADMIN, ROLE_SETTLER, ROLE_GUARDIAN, ROLE_ATTESTER = 1, 2, 4, 8
ZERO_WORD = b"\0" * 32


def _nonzero(table: dict[Any, Any]) -> dict[Any, Any]:
    return {key: value for key, value in table.items() if value}


def _nested(pairs: dict[tuple[Any, Any], Any]) -> dict[Any, dict[Any, Any]]:
    """`{(a, b): v}` -> `{a: {b: v}}`, non-zero values only."""
    out: dict[Any, dict[Any, Any]] = {}
    for (outer, inner), value in pairs.items():
        if value:
            out.setdefault(outer, {})[inner] = value
    return out


def _bytes32(value: bytes) -> bytes:
    return value.ljust(32, b"\0")


def token_storage(token: TokenLedger) -> dict[str, Any]:
    """snekmate `erc20`'s variables (without `is_minter`, which the caller knows)."""
    return {
        "erc20.balanceOf": _nonzero(token.balances),
        "erc20.allowance": _nested(token.allowances),
        "erc20.totalSupply": token.total_supply,
        "erc20.nonces": _nonzero(token.nonces),
    }


def nmr_storage(nmr: TokenLedger) -> dict[str, Any]:
    """`NMR.vy` (the stand-in, laid out like mainnet NMR's public variables)."""
    return {
        "totalSupply": nmr.total_supply,
        "balanceOf": _nonzero(nmr.balances),
        "allowance": _nested(nmr.allowances),
        "name": "Numeraire",
        "symbol": "NMR",
        "decimals": 18,
    }


def pool_storage(pool: PoolModel) -> dict[str, Any]:
    """`DelegationPool.vy`, a clone initialised by the factory."""
    factory = pool.factory
    queues: dict[str, dict[int, dict[int, int]]] = {}
    bounds: dict[str, dict[int, int]] = {}
    for (controller, side), queue in pool.queues.items():
        entries = {
            queue.head + i: entry_round * HALF + amount
            for i, (entry_round, amount) in enumerate(queue.entries)
            if entry_round * HALF + amount
        }
        if entries:
            queues.setdefault(controller, {})[side] = entries
        if queue.head * HALF + queue.tail:
            bounds.setdefault(controller, {})[side] = queue.head * HALF + queue.tail
    operators: dict[str, dict[str, bool]] = {}
    for controller, operator in pool.operators:
        operators.setdefault(controller, {})[operator] = True
    return {
        "ownable.owner": pool.owner,
        "ownable_2step.pending_owner": pool.pending_owner,
        **token_storage(pool.shares),
        # clones never grant minters: shares are minted through the module's internal functions
        "erc20.is_minter": {},
        "factory": factory.address,
        "asset": factory.nmr_address,
        "model_id": _bytes32(pool.model_id),
        "_name": pool.name,
        "_symbol": pool.symbol,
        "_initialized": True,
        "genesis": factory.schedule.genesis,
        "round_length": factory.schedule.round_length,
        "total_assets": pool.total_assets,
        "pending_deposit_assets": pool.pending_deposit_assets,
        "pending_redeem_shares": pool.pending_redeem_shares,
        "reserved_redeem_assets": pool.reserved_redeem_assets,
        "fees_owed": pool.fees_owed,
        "last_settled_round": pool.last_settled_round,
        "treasury_owed": pool.treasury_owed,
        "results_digest": {r: d for r, d in pool.results_digest.items() if d != ZERO_WORD},
        "high_water_mark": pool.high_water_mark,
        "deposit_group_assets": _nonzero(pool.deposit_group_assets),
        "deposit_group_shares": _nonzero(pool.deposit_group_shares),
        "redeem_group_shares": _nonzero(pool.redeem_group_shares),
        "redeem_group_assets": _nonzero(pool.redeem_group_assets),
        "_queue": queues,
        "_queue_bounds": bounds,
        "_claimable_deposit_assets": _nonzero(pool.claimable_deposit_assets),
        "_claimable_deposit_shares": _nonzero(pool.claimable_deposit_shares),
        "_claimable_redeem_shares": _nonzero(pool.claimable_redeem_shares),
        "_claimable_redeem_assets": _nonzero(pool.claimable_redeem_assets),
        "isOperator": operators,
        "fee_bps": pool.fee_bps,
        "pending_fee_bps": pool.pending_fee_bps,
        "pending_fee_round": pool.pending_fee_round,
        "deposit_limit": pool.deposit_limit,
        "paused": pool.paused,
        "wind_down_round": pool.wind_down_round,
        "closure": pool.closure,
    }


def factory_storage(factory: FactoryModel) -> dict[str, Any]:
    """`PoolFactory.vy`: schedule, caps, roles and the registry."""
    roles: dict[str, int] = {}
    for flag, members in (
        (ROLE_ADMIN, factory.admins),
        (ROLE_SETTLER, factory.settlers),
        (ROLE_GUARDIAN, factory.guardians),
        (ROLE_ATTESTER, factory.attesters),
    ):
        for account in members:
            roles[account] = roles.get(account, 0) | flag
    return {
        "nmr": factory.nmr_address,
        "treasury": factory.treasury,
        "pool_implementation": factory.pool_implementation,
        "genesis": factory.schedule.genesis,
        "round_length": factory.schedule.round_length,
        "return_cap": factory.return_cap,
        "fee_cap_bps": factory.fee_cap_bps,
        "fee_delay_rounds": factory.fee_delay_rounds,
        "stall_gap": factory.stall_gap,
        "roles": _nonzero(roles),
        "pool_of": {_bytes32(model): pool for pool, model in factory.model_of.items()},
        "model_of": {pool: _bytes32(model) for pool, model in factory.model_of.items()},
        "pool_at": dict(enumerate(factory.pools)),
        "pool_count": len(factory.pools),
    }


def treasury_storage(factory: FactoryModel, deployer: str) -> dict[str, Any]:
    """`PayoutTreasury.vy`: the token, the factory whose pools may draw, and who set it."""
    return {"nmr": factory.nmr_address, "factory": factory.address, "deployer": deployer}


__all__ = ["ZERO_ADDRESS", "factory_storage", "nmr_storage", "pool_storage", "token_storage", "treasury_storage"]
