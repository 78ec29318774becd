"""Every computed view of the pool, read in one call through `contracts/PoolLens.vy`, and the model's.

Storage getters (`fees_owed()`, `deposit_group_assets(r)`, …) return a storage variable the
fuzzer already compares by name; the views here compute something (prices, conversions,
claimable amounts scanned from the request queues, open requests). Both sides produce a flat
`{key: value}` dict with readable keys, e.g. `"price_per_share"`, `("alice", "maxRedeem")`,
`("alice", "pending_requests", "redeem")`, `("bob", 7, "pendingDepositRequest")`, so a
mismatch names exactly which view of which actor differs.
"""

from __future__ import annotations

from typing import Any

from nmr_pools.model import PoolModel
from nmr_pools.model.pool import UNLIMITED
from tests.fuzz.chain import PROJECT_ROOT, load_partial

LENS_SOURCE = PROJECT_ROOT / "tests" / "fuzz" / "contracts" / "PoolLens.vy"
# the lens reads this many (controller, round) pairs of pendingDeposit/RedeemRequest at most
MAX_REQUESTS = 64

GLOBALS = (
    "totalAssets",
    "totalSupply",
    "price_per_share",
    "current_round",
    "is_stalled",
    "convertToShares(1e18)",
    "convertToAssets(1e18)",
    "block.timestamp",
)
# the getters of the packed storage (the fuzzer compares the packed words; these unpack them)
GETTERS = (
    "share_supply",
    "last_settled_round",
    "pending_deposit_assets",
    "pending_redeem_shares",
    "reserved_redeem_assets",
    "closure",
    "paused",
    "fees_owed",
    "treasury_owed",
    "high_water_mark",
    "fee_bps",
    "pending_fee_bps",
    "pending_fee_round",
    "wind_down_round",
    "deposit_limit",
)
POOL_STATE = (
    "total_assets",
    "pending_deposit_assets",
    "reserved_redeem_assets",
    "share_supply",
    "pending_redeem_shares",
    "last_settled_round",
    "deposit_limited",
    "winding_down",
    "closure",
    "paused",
)
SETTINGS = ("high_water_mark", "fee_bps", "pending_fee_bps", "pending_fee_round", "wind_down_round")
# request groups read per lens call at most (the lens's bound)
MAX_GROUPS = 24
MAX_UINT256 = 2**256 - 1
PER_CONTROLLER = (
    "balanceOf",
    "maxDeposit",
    "maxMint",
    "maxRedeem",
    "maxWithdraw",
    "claimableDepositRequest",
    "claimableRedeemRequest",
)


def deploy_lens(deployer: str) -> Any:
    import boa

    with boa.env.prank(deployer):
        return load_partial(str(LENS_SOURCE)).deploy()


class ViewPlan:
    """The controllers whose views are read (by name), and which requests to ask about."""

    def __init__(self, names: dict[str, str], controllers: list[str]) -> None:
        self.names = names  # name -> address
        self.controllers = controllers

    def requests(self, model: PoolModel) -> list[tuple[str, int]]:
        """Every queued request, the open round for every controller, and the round after it for
        the first (a future round must read zero; one controller shows it)."""
        current = model.current_round()
        by_address = {address: name for name, address in self.names.items()}
        asked: set[tuple[str, int]] = set()
        for (controller, _side), queue in model.queues.items():
            for entry_round, _amount in queue.entries:
                asked.add((by_address[controller], entry_round))
        for name in self.controllers:
            asked.add((name, current))
        asked.add((self.controllers[0], current + 1))
        return sorted(asked)[:MAX_REQUESTS]

    def group_rounds(self, model: PoolModel) -> list[int]:
        """Every round with a request group, the last settled round's neighbours, newest first."""
        rounds = set(model.deposit_group_assets) | set(model.redeem_group_shares)
        rounds.update({model.last_settled_round, model.last_settled_round + 1, model.last_settled_round + 2})
        return sorted(rounds, reverse=True)[:MAX_GROUPS]


def read_chain(lens: Any, pool: Any, plan: ViewPlan, model: PoolModel) -> dict[Any, Any]:
    requests = plan.requests(model)
    group_rounds = plan.group_rounds(model)
    values = lens.read(
        pool.address,
        [plan.names[n] for n in plan.controllers],
        [plan.names[c] for c, _ in requests],
        [r for _, r in requests],
        group_rounds,
    )
    it = iter(values)
    out: dict[Any, Any] = {name: next(it) for name in GLOBALS}
    out.update({(name, "()"): next(it) for name in GETTERS})
    out.update({("pool_state", field): next(it) for field in POOL_STATE})
    out.update({("settings", field): next(it) for field in SETTINGS})
    for r in group_rounds:
        out[("deposit_group", r)] = (next(it), next(it))
        out[("redeem_group", r)] = (next(it), next(it))
    for name in plan.controllers:
        for view in PER_CONTROLLER:
            out[(name, view)] = next(it)
        for side in ("deposit", "redeem"):
            count = next(it)
            out[(name, "pending_requests", side)] = tuple((next(it), next(it)) for _ in range(count))
    for controller, r in requests:
        out[(controller, r, "pendingDepositRequest")] = next(it)
        out[(controller, r, "pendingRedeemRequest")] = next(it)
    assert next(it, None) is None, "PoolLens.vy and views.py are out of step"
    return out


def read_model(model: PoolModel, plan: ViewPlan) -> dict[Any, Any]:
    out: dict[Any, Any] = {
        "totalAssets": model.total_assets,
        "totalSupply": model.total_supply(),
        "price_per_share": model.price_per_share(),
        "current_round": model.current_round(),
        "is_stalled": int(model.is_stalled()),
        "convertToShares(1e18)": model.convert_to_shares(10**18),
        "convertToAssets(1e18)": model.convert_to_assets(10**18),
        "block.timestamp": model.clock.timestamp,
    }
    limit = MAX_UINT256 if model.deposit_limit == UNLIMITED else model.deposit_limit
    getters = {"share_supply": model.share_supply(), "paused": int(model.paused), "deposit_limit": limit}
    for name in GETTERS:
        out[(name, "()")] = getters[name] if name in getters else getattr(model, name)
    # the state's fields the model derives (the contract stores them)
    derived = {
        "share_supply": model.share_supply(),
        "deposit_limited": model.deposit_limit != UNLIMITED,
        "winding_down": model.wind_down_round != 0,
    }
    for field in POOL_STATE:
        out[("pool_state", field)] = int(derived[field] if field in derived else getattr(model, field))
    for field in SETTINGS:
        out[("settings", field)] = getattr(model, field)
    for r in plan.group_rounds(model):
        out[("deposit_group", r)] = (
            model.deposit_group_assets.get(r, 0),
            model.deposit_group_shares.get(r, 0),
        )
        out[("redeem_group", r)] = (model.redeem_group_shares.get(r, 0), model.redeem_group_assets.get(r, 0))
    for name in plan.controllers:
        address = plan.names[name]
        out[(name, "balanceOf")] = model.balance_of(address)
        out[(name, "maxDeposit")] = model.max_deposit(address)
        out[(name, "maxMint")] = model.max_mint(address)
        out[(name, "maxRedeem")] = model.max_redeem(address)
        out[(name, "maxWithdraw")] = model.max_withdraw(address)
        out[(name, "claimableDepositRequest")] = model.claimable_deposit_request(0, address)
        out[(name, "claimableRedeemRequest")] = model.claimable_redeem_request(0, address)
        out[(name, "pending_requests", "deposit")] = tuple(model.pending_requests(address, False))
        out[(name, "pending_requests", "redeem")] = tuple(model.pending_requests(address, True))
    for controller, r in plan.requests(model):
        out[(controller, r, "pendingDepositRequest")] = model.pending_deposit_request(
            r, plan.names[controller]
        )
        out[(controller, r, "pendingRedeemRequest")] = model.pending_redeem_request(r, plan.names[controller])
    return out


def view_differences(chain: dict[Any, Any], model: dict[Any, Any]) -> list[str]:
    """`key: chain=… model=…` for every view whose values differ."""
    return [
        f"{key}: chain={chain.get(key)} model={model.get(key)}"
        for key in model
        if chain.get(key) != model.get(key)
    ]
