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
from nmr_pools.model.pool import DEPOSIT_SIDE, REDEEM_SIDE, UNLIMITED, PoolModel
from nmr_pools.model.queue import INLINE

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
    """`DelegationPool.vy` (and its extension: same storage), a clone initialised by the factory.

    The pool's factory, asset, treasury and schedule are immutables of its implementation (in
    code, not storage: `tests/fuzz/world.py` checks them once). Its state is in packed words
    (`pool_ledger.vy`):
        _deposit_limit_complement  UNLIMITED - deposit limit (zero: unlimited)
        _model_name_word           the name's bytes from the top | its length (lowest byte)
        _totals          total_assets << 170 | pending_deposit_assets << 85 | reserved_redeem_assets
        _shares          share_supply << 151 | pending_redeem_shares << 46
                         | last_settled_round << 6 | (deposit limit set) << 5
                         | (winding down) << 4 | closure << 1 | paused
        _fees            high_water_mark << 128 | (_pending not zero) << 117 | fees_owed << 32
                         | fee_bps << 16 | pending_fee_bps
        _pending         treasury_owed << 128 | pending_fee_round << 40 | wind_down_round
        groups           converted << 255 | in << 128 | out
        queue entries    (index >= 1)  round << 128 | amount
        queue headers    head << 240 | tail << 224 | (queued and claimable pair not zero) << 223
                         | the first entries, inline: a deposit queue's at index 1 and 0
                         (round << 85 | NMR, from bit 109 and 0), a redeem queue's at index 0
                         (round << 128 | shares); the others in `_entries`
        claimable pairs  in << 128 | out
    """
    entries: dict[str, dict[int, dict[int, int]]] = {}
    headers: dict[str, dict[int, int]] = {}
    claimable_words: dict[str, dict[int, int]] = {}
    claimables = {
        DEPOSIT_SIDE: (pool.claimable_deposit_assets, pool.claimable_deposit_shares),
        REDEEM_SIDE: (pool.claimable_redeem_shares, pool.claimable_redeem_assets),
    }
    controllers = {c for c, _ in pool.queues} | {
        c for table in claimables.values() for part in table for c in part
    }
    for controller in controllers:
        for side, (ins, outs) in claimables.items():
            claimable = ins.get(controller, 0) << 128 | outs.get(controller, 0)
            if claimable:
                claimable_words.setdefault(controller, {})[side] = claimable
            queue = pool.queues.get((controller, side))
            head, tail = (queue.head, queue.tail) if queue is not None else (0, 0)
            queued: dict[int, tuple[int, int]] = {}
            if queue is not None:
                queued = {queue.head + i: (r, amount) for i, (r, amount) in enumerate(queue.entries)}
            flag = int(claimable != 0 and tail > head)  # the flag speaks only for a queued header
            header = head << 240 | tail << 224 | flag << 223 | _inline_entries(side, queued)
            if header:
                headers.setdefault(controller, {})[side] = header
            words = {index: r << 128 | amount for index, (r, amount) in queued.items()}
            words = {index: word for index, word in words.items() if word}
            if words:
                entries.setdefault(controller, {})[side] = words
    pending = pool.treasury_owed << 128 | pool.pending_fee_round << 40 | pool.wind_down_round
    operators: dict[str, dict[str, bool]] = {}
    for controller, operator in pool.operators:
        operators.setdefault(controller, {})[operator] = True
    return {
        "ownable.owner": pool.owner,
        "ownable_2step.pending_owner": pool.pending_owner,
        **token_storage(pool.shares),
        # clones never grant minters: shares are minted through the module's internal functions
        "erc20.is_minter": {},
        "ledger._deposit_limit_complement": UNLIMITED - pool.deposit_limit,
        "ledger.model_id": _bytes32(pool.model_id),
        "ledger._model_name_word": _name_word(pool.model_name),
        "ledger._totals": pool.total_assets << 170
        | pool.pending_deposit_assets << 85
        | pool.reserved_redeem_assets,
        "ledger._shares": (
            pool.share_supply() << 151
            | pool.pending_redeem_shares << 46
            | pool.last_settled_round << 6
            | int(pool.deposit_limit != UNLIMITED) << 5
            | int(pool.wind_down_round != 0) << 4
            | pool.closure << 1
            | int(pool.paused)
        ),
        "ledger._fees": (
            pool.high_water_mark << 128
            | int(pending != 0) << 117
            | pool.fees_owed << 32
            | pool.fee_bps << 16
            | pool.pending_fee_bps
        ),
        "ledger._pending": pending,
        "ledger._deposit_groups": _groups(pool.deposit_group_assets, pool.deposit_group_shares),
        "ledger._redeem_groups": _groups(pool.redeem_group_shares, pool.redeem_group_assets),
        "ledger._requests": headers,
        "ledger._entries": entries,
        "ledger._claimable": claimable_words,
        "ledger.isOperator": operators,
    }


def _inline_entries(side: int, queued: dict[int, tuple[int, int]]) -> int:
    """The entries a queue header holds, taken out of `queued` (index -> (round, amount)): entry
    `i` is `round << amount_bits | amount`, from bit `i * (round_bits + amount_bits)`."""
    inline = INLINE[side]
    bits = 0
    for index in range(inline.count):
        entry_round, amount = queued.pop(index, (0, 0))
        bits |= (entry_round << inline.amount_bits | amount) << (
            index * (inline.round_bits + inline.amount_bits)
        )
    return bits


def _name_word(name: str) -> int:
    """A String[24] in one word: its bytes from the top, its length in the lowest byte."""
    data = name.encode()
    return int.from_bytes(data.ljust(32, b"\0"), "big") | len(data)


# a group's word has this bit once the group converted (its converted side has an entry)
CONVERTED = 1 << 255


def _groups(requested: dict[int, int], converted: dict[int, int]) -> dict[int, int]:
    """`{round: converted flag | requested << 128 | converted to}` for every round either side
    has, non-zero words only."""
    words = {
        r: (CONVERTED if r in converted else 0) | requested.get(r, 0) << 128 | converted.get(r, 0)
        for r in set(requested) | set(converted)
    }
    return {r: word for r, word in words.items() if word}


def factory_storage(factory: FactoryModel) -> dict[str, Any]:
    """`PoolFactory.vy`: caps (`_caps`: return cap << 128 | fee cap), roles and the registry
    (NMR, treasury, implementation and the schedule are immutables, in its code: the deployment
    parity test reads them)."""
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
        "_caps": factory.return_cap << 128 | factory.fee_cap_bps,
        "fee_delay_rounds": factory.fee_delay_rounds,
        "stall_gap": factory.stall_gap,
        "roles": _nonzero(roles),
        "pool_of": {_bytes32(model): pool for pool, model in factory.model_of.items()},
        "model_of": {pool: _bytes32(model) for pool, model in factory.model_of.items()},
        "pool_at": dict(enumerate(factory.pools)),
        "pool_count": len(factory.pools),
    }


def treasury_storage() -> dict[str, Any]:
    """`PayoutTreasury.vy`: no storage (the token and the factory whose pools may draw are
    immutables, in its code: the deployment parity test reads them)."""
    return {}


__all__ = [
    "ZERO_ADDRESS",
    "factory_storage",
    "nmr_storage",
    "pool_storage",
    "token_storage",
    "treasury_storage",
]
