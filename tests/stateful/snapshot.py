"""One-call snapshots of a pool (through `lens.vy`) and the same snapshot from the model.

Both sides produce a flat `{key: int}` dict with readable keys, e.g. `"fees_owed"`,
`("alice", "maxRedeem")`, `("alice", "pending_requests", "redeem")`, `("group", 7,
"redeem_group_assets")`, so a mismatch names exactly what differs.
"""

from __future__ import annotations

import functools
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from eth_abi import decode, encode
from eth_utils import keccak, to_canonical_address
from ethpm_types import ContractType

from nmr_pools.model import PoolModel

LENS_SOURCE = Path(__file__).with_name("lens.vy")
_READ_TYPES = ["address", "address", "address", "address[]", "address[]", "address[]", "address[]", "uint256[]", "address[]", "uint256[]"]
_READ_SELECTOR = keccak(text=f"read({','.join(_READ_TYPES)})")[:4]

GLOBALS = (
    "totalAssets",
    "totalSupply",
    "pending_deposit_assets",
    "pending_redeem_shares",
    "reserved_redeem_assets",
    "fees_owed",
    "last_settled_round",
    "last_settled_at",
    "high_water_mark",
    "fee_bps",
    "pending_fee_bps",
    "pending_fee_round",
    "deposit_limit",
    "paused",
    "is_shutdown",
    "price_per_share",
    "current_round",
    "is_stalled",
    "owner",
    "pending_owner",
    "nmr.balanceOf(pool)",
    "nmr.balanceOf(treasury)",
    "block.timestamp",
    "convertToShares(1e18)",
    "convertToAssets(1e18)",
    "balanceOf(pool)",
)
PER_ACCOUNT = (
    "nmr.balanceOf",
    "balanceOf",
    "maxDeposit",
    "maxMint",
    "maxRedeem",
    "maxWithdraw",
    "claimableDepositRequest",
    "claimableRedeemRequest",
    "nonces",
)
# views of accounts that never hold requests
PER_OTHER_ACCOUNT = ("nmr.balanceOf", "balanceOf")
PER_ROUND = ("deposit_group_assets", "deposit_group_shares", "redeem_group_shares", "redeem_group_assets", "results_digest")


def deploy_lens(deployer: Any) -> Any:
    import vyper
    from ape.contracts import ContractContainer

    compiled = vyper.compile_code(LENS_SOURCE.read_text(), output_formats=["abi", "bytecode"])
    contract_type = ContractType.model_validate(
        {"contractName": "PoolLens", "abi": compiled["abi"], "deploymentBytecode": {"bytecode": compiled["bytecode"]}}
    )
    return deployer.deploy(ContractContainer(contract_type))


class Layout:
    """Which accounts, allowance pairs, rounds and requests a snapshot covers (names for addresses)."""

    def __init__(self, names: dict[str, str], pairs: list[tuple[str, str]], controllers: list[str]) -> None:
        self.names = names  # name -> address
        self.pairs = pairs  # (owner name, spender name)
        self.controllers = controllers  # accounts that may hold requests (full per-account views)

    def rounds_and_requests(self, model: PoolModel) -> tuple[list[int], list[tuple[str, int]]]:
        """The rounds around the settlement frontier and now, and every queued request.

        Groups of older rounds can no longer change (they were compared while they could).
        """
        current, settled = model.current_round(), model.last_settled_round
        rounds = {settled - 1, settled, settled + 1, settled + 2, current, current + 1}
        requests: set[tuple[str, int]] = set()
        by_address = {address: name for name, address in self.names.items()}
        for (controller, _side), queue in model.queues.items():
            for entry_round, _amount in queue.entries:
                requests.add((by_address[controller], entry_round))
                rounds.add(entry_round)
        for name in self.controllers:
            requests.add((name, current))
        return sorted(r for r in rounds if r >= 0)[-128:], sorted(requests)[:256]


def read_chain(chain: Any, lens: Any, pool: Any, nmr: Any, treasury: Any, layout: Layout, model: PoolModel) -> dict[Any, int]:
    rounds, requests = layout.rounds_and_requests(model)
    names = list(layout.controllers)
    others = [n for n in layout.names if n not in layout.controllers]
    args = [
        pool.address,
        nmr.address,
        treasury.address,
        [layout.names[n] for n in names],
        [layout.names[n] for n in others],
        [layout.names[o] for o, _ in layout.pairs],
        [layout.names[s] for _, s in layout.pairs],
        rounds,
        [layout.names[c] for c, _ in requests],
        [r for _, r in requests],
    ]
    data = _READ_SELECTOR + encode(_READ_TYPES, args)
    tester = chain.provider.tester.ethereum_tester
    raw = tester.call({"from": layout.names["deployer"], "to": lens.address, "data": "0x" + data.hex()})
    (values,) = decode(["uint256[]"], bytes.fromhex(raw[2:]))
    it = iter(values)
    out: dict[Any, int] = {name: next(it) for name in GLOBALS}
    for name in names:
        for field in PER_ACCOUNT:
            out[(name, field)] = next(it)
        for side in ("deposit", "redeem"):
            count = next(it)
            out[(name, "pending_requests", side)] = tuple((next(it), next(it)) for _ in range(count))  # type: ignore[assignment]
    for name in others:
        out[(name, "nmr.balanceOf")] = next(it)
        out[(name, "balanceOf")] = next(it)
    for owner, spender in layout.pairs:
        out[(owner, spender, "allowance")] = next(it)
        out[(owner, spender, "isOperator")] = next(it)
    for r in rounds:
        for field in PER_ROUND:
            out[("group", r, field)] = next(it)
    for controller, r in requests:
        out[(controller, r, "pendingDepositRequest")] = next(it)
        out[(controller, r, "pendingRedeemRequest")] = next(it)
    assert next(it, None) is None, "lens layout out of step with snapshot.py"
    return out


def read_model(model: PoolModel, treasury: str, layout: Layout) -> dict[Any, int]:
    rounds, requests = layout.rounds_and_requests(model)
    out: dict[Any, int] = {
        "totalAssets": model.total_assets,
        "totalSupply": model.total_supply(),
        "pending_deposit_assets": model.pending_deposit_assets,
        "pending_redeem_shares": model.pending_redeem_shares,
        "reserved_redeem_assets": model.reserved_redeem_assets,
        "fees_owed": model.fees_owed,
        "last_settled_round": model.last_settled_round,
        "last_settled_at": model.last_settled_at,
        "high_water_mark": model.high_water_mark,
        "fee_bps": model.fee_bps,
        "pending_fee_bps": model.pending_fee_bps,
        "pending_fee_round": model.pending_fee_round,
        "deposit_limit": model.deposit_limit,
        "paused": int(model.paused),
        "is_shutdown": int(model.is_shutdown),
        "price_per_share": model.price_per_share(),
        "current_round": model.current_round(),
        "is_stalled": int(model.is_stalled()),
        "owner": int(model.owner, 16),
        "pending_owner": int(model.pending_owner, 16),
        "nmr.balanceOf(pool)": model.nmr.balance_of(model.address),
        "nmr.balanceOf(treasury)": model.nmr.balance_of(treasury),
        "block.timestamp": model.clock.timestamp,
        "convertToShares(1e18)": model.convert_to_shares(10**18),
        "convertToAssets(1e18)": model.convert_to_assets(10**18),
        "balanceOf(pool)": model.balance_of(model.address),
    }
    for name, address in layout.names.items():
        out[(name, "nmr.balanceOf")] = model.nmr.balance_of(address)
        out[(name, "balanceOf")] = model.balance_of(address)
        if name not in layout.controllers:
            continue
        out[(name, "balanceOf")] = model.balance_of(address)
        out[(name, "maxDeposit")] = model.max_deposit(address)
        out[(name, "maxMint")] = model.max_mint(address)
        out[(name, "maxRedeem")] = model.max_redeem(address)
        out[(name, "maxWithdraw")] = model.max_withdraw(address)
        out[(name, "claimableDepositRequest")] = model.claimable_deposit_request(0, address)
        out[(name, "claimableRedeemRequest")] = model.claimable_redeem_request(0, address)
        out[(name, "nonces")] = model.shares.nonce(address)
        out[(name, "pending_requests", "deposit")] = tuple(model.pending_requests(address, False))  # type: ignore[assignment]
        out[(name, "pending_requests", "redeem")] = tuple(model.pending_requests(address, True))  # type: ignore[assignment]
    for owner, spender in layout.pairs:
        out[(owner, spender, "allowance")] = model.shares.allowance(layout.names[owner], layout.names[spender])
        out[(owner, spender, "isOperator")] = int(model.is_operator(layout.names[owner], layout.names[spender]))
    for r in rounds:
        out[("group", r, "deposit_group_assets")] = model.deposit_group_assets.get(r, 0)
        out[("group", r, "deposit_group_shares")] = model.deposit_group_shares.get(r, 0)
        out[("group", r, "redeem_group_shares")] = model.redeem_group_shares.get(r, 0)
        out[("group", r, "redeem_group_assets")] = model.redeem_group_assets.get(r, 0)
        out[("group", r, "results_digest")] = int.from_bytes(model.results_digest.get(r, b"\0" * 32), "big")
    for controller, r in requests:
        out[(controller, r, "pendingDepositRequest")] = model.pending_deposit_request(r, layout.names[controller])
        out[(controller, r, "pendingRedeemRequest")] = model.pending_redeem_request(r, layout.names[controller])
    return out


def differences(chain_view: dict[Any, int], model_view: dict[Any, int]) -> list[str]:
    """`key: chain=… model=…` for every key whose values differ."""
    return [
        f"{key}: chain={chain_view.get(key)} model={model_view.get(key)}"
        for key in model_view
        if chain_view.get(key) != model_view.get(key)
    ]


# ---- raw storage: the whole state every step, at a fraction of the cost of view calls ----

_HALF = 2**128
_DEPOSIT, _REDEEM = 0, 1


@functools.lru_cache(maxsize=None)
def storage_slots(contract_path: str) -> dict[str, int]:
    """`{"total_assets": 18, "erc20.balanceOf": 2, …}` from `vyper -f layout` (so it follows the source)."""
    output = subprocess.run(
        [sys.executable, "-m", "vyper", "-f", "layout", contract_path], check=True, capture_output=True, text=True
    ).stdout
    slots: dict[str, int] = {}

    def walk(node: dict[str, Any], prefix: str) -> None:
        for key, value in node.items():
            if isinstance(value, dict) and "slot" in value:
                slots[prefix + key] = value["slot"]
            elif isinstance(value, dict):
                walk(value, prefix + key + ".")

    walk(json.loads(output)["storage_layout"], "")
    return slots


def _key(value: int | str) -> bytes:
    return (int(value, 16) if isinstance(value, str) else value).to_bytes(32, "big")


def mapping_slot(slot: int, *keys: int | str) -> int:
    """Vyper 0.4: `HashMap[k]` of the map at `slot` lives at `keccak256(slot ++ k)`."""
    for key in keys:
        slot = int.from_bytes(keccak(slot.to_bytes(32, "big") + _key(key)), "big")
    return slot


class StorageReader:
    """Reads pool and NMR storage straight from the in-process EVM state (no calls)."""

    def __init__(self, chain: Any, pool: str, nmr: str, project_root: Path) -> None:
        self.backend = chain.provider.tester.ethereum_tester.backend
        self.pool = to_canonical_address(pool)
        self.nmr = to_canonical_address(nmr)
        self.slot = storage_slots(str(project_root / "contracts" / "DelegationPool.vy"))
        self.nmr_slot = storage_slots(str(project_root / "contracts" / "NMR.vy"))

    def read(self, layout: Layout, model: PoolModel, treasury: str) -> dict[Any, Any]:
        state = self.backend.chain.get_vm().state
        slot = self.slot

        def pool_at(name: str, *keys: int | str) -> int:
            return state.get_storage(self.pool, mapping_slot(slot[name], *keys))

        def nmr_balance(address: str) -> int:
            return state.get_storage(self.nmr, mapping_slot(self.nmr_slot["erc20.balanceOf"], address))

        return _storage_view(layout, model, treasury, pool_at, nmr_balance, self._queue_reader(pool_at))

    @staticmethod
    def _queue_reader(pool_at: Any) -> Any:
        def entries(controller: str, side: int) -> tuple[tuple[int, int], ...]:
            bounds = pool_at("_queue_bounds", controller, side)
            head, tail = divmod(bounds, _HALF)
            return tuple(divmod(pool_at("_queue", controller, side, i), _HALF) for i in range(head, tail))

        return entries


def read_model_storage(layout: Layout, model: PoolModel, treasury: str) -> dict[Any, Any]:
    """The model's state in the same shape as `StorageReader.read`."""
    scalars = {
        "total_assets": model.total_assets,
        "pending_deposit_assets": model.pending_deposit_assets,
        "pending_redeem_shares": model.pending_redeem_shares,
        "reserved_redeem_assets": model.reserved_redeem_assets,
        "fees_owed": model.fees_owed,
        "last_settled_round": model.last_settled_round,
        "last_settled_at": model.last_settled_at,
        "high_water_mark": model.high_water_mark,
        "fee_bps": model.fee_bps,
        "pending_fee_bps": model.pending_fee_bps,
        "pending_fee_round": model.pending_fee_round,
        "deposit_limit": model.deposit_limit,
        "paused": int(model.paused),
        "is_shutdown": int(model.is_shutdown),
        "ownable.owner": int(model.owner, 16),
        "ownable_2step.pending_owner": int(model.pending_owner, 16),
        "erc20.totalSupply": model.total_supply(),
    }
    maps = {
        "erc20.balanceOf": lambda a: model.balance_of(a),
        "erc20.nonces": lambda a: model.shares.nonce(a),
        "_claimable_deposit_assets": lambda a: model.claimable_deposit_assets.get(a, 0),
        "_claimable_deposit_shares": lambda a: model.claimable_deposit_shares.get(a, 0),
        "_claimable_redeem_shares": lambda a: model.claimable_redeem_shares.get(a, 0),
        "_claimable_redeem_assets": lambda a: model.claimable_redeem_assets.get(a, 0),
    }

    def pool_at(name: str, *keys: int | str) -> int:
        if not keys:
            return scalars[name]
        if name in maps:
            return maps[name](keys[0])
        if name == "erc20.allowance":
            return model.shares.allowance(keys[0], keys[1])  # type: ignore[arg-type]
        if name == "isOperator":
            return int(model.is_operator(keys[0], keys[1]))  # type: ignore[arg-type]
        if name == "results_digest":
            return int.from_bytes(model.results_digest.get(keys[0], b"\0" * 32), "big")  # type: ignore[arg-type]
        group = getattr(model, name)
        return group.get(keys[0], 0)

    def entries(controller: str, side: int) -> tuple[tuple[int, int], ...]:
        queue = model.queues.get((controller, side))
        return () if queue is None else tuple((r, a) for r, a in queue.entries)

    return _storage_view(layout, model, treasury, pool_at, model.nmr.balance_of, entries)


def _storage_view(layout: Layout, model: PoolModel, treasury: str, pool_at: Any, nmr_balance: Any, entries: Any) -> dict[Any, Any]:
    out: dict[Any, Any] = {}
    for name in (
        "total_assets", "pending_deposit_assets", "pending_redeem_shares", "reserved_redeem_assets", "fees_owed",
        "last_settled_round", "last_settled_at", "high_water_mark", "fee_bps", "pending_fee_bps", "pending_fee_round",
        "deposit_limit", "paused", "is_shutdown", "ownable.owner", "ownable_2step.pending_owner", "erc20.totalSupply",
    ):  # fmt: skip
        out[name] = pool_at(name)
    out["nmr.balanceOf(pool)"] = nmr_balance(model.address)
    out["nmr.balanceOf(treasury)"] = nmr_balance(treasury)
    out["erc20.balanceOf(pool)"] = pool_at("erc20.balanceOf", model.address)
    for name, address in layout.names.items():
        out[(name, "nmr.balanceOf")] = nmr_balance(address)
        out[(name, "erc20.balanceOf")] = pool_at("erc20.balanceOf", address)
    for name in layout.controllers:
        address = layout.names[name]
        for field in ("erc20.nonces", "_claimable_deposit_assets", "_claimable_deposit_shares", "_claimable_redeem_shares", "_claimable_redeem_assets"):
            out[(name, field)] = pool_at(field, address)
        out[(name, "_queue", "deposit")] = entries(address, _DEPOSIT)
        out[(name, "_queue", "redeem")] = entries(address, _REDEEM)
    for owner, spender in layout.pairs:
        out[(owner, spender, "erc20.allowance")] = pool_at("erc20.allowance", layout.names[owner], layout.names[spender])
        out[(owner, spender, "isOperator")] = pool_at("isOperator", layout.names[owner], layout.names[spender])
    rounds, _ = layout.rounds_and_requests(model)
    for r in rounds:
        for field in PER_ROUND:
            out[("group", r, field)] = pool_at(field, r)
    return out
