"""Load a pool's pool-wide state from chain into a `PoolModel`, for previews.

Per-controller state (queues, claims, operators) is not loaded: previews of a request or a
settlement only need the pool's totals, price, high-water mark, fee, limits and schedule.
"""

from __future__ import annotations

from typing import Any

from nmr_pools.model.factory import FactoryModel
from nmr_pools.model.nmr import NmrLedger
from nmr_pools.model.pool import UNLIMITED, PoolModel
from nmr_pools.model.schedule import Clock, RoundSchedule


def load_pool_model(pool: Any, factory: Any, timestamp: int, treasury_available: int = 0) -> PoolModel:
    """A `PoolModel` holding `pool`'s pool-wide state, with the clock at `timestamp`.

    `treasury_available` is the treasury's NMR (it decides whether a previewed gain can be paid).
    """
    factory_model = FactoryModel(
        address=str(factory.address),
        treasury=str(factory.treasury()),
        schedule=RoundSchedule(int(factory.genesis()), int(factory.round_length())),
        nmr=NmrLedger(),
        return_cap=int(factory.return_cap()),
        fee_cap_bps=int(factory.fee_cap_bps()),
        fee_delay_rounds=int(factory.fee_delay_rounds()),
        stall_gap=int(factory.stall_gap()),
    )
    model = PoolModel(
        address=str(pool.address),
        factory=factory_model,
        clock=Clock(timestamp),
        owner=str(pool.owner()),
        fee_bps=0,  # the real fee is set below: the cap check belongs to creation time
        model_id=bytes(pool.model_id()),
    )
    model.shares.total_supply = int(pool.totalSupply())
    # the packed state and settings, one call each (converted deposits' shares are minted only
    # when claimed: the share supply the price counts is totalSupply, the unclaimed deposit
    # shares and the shares locked in pending redemptions)
    state, settings = pool.pool_state(), pool.settings()
    model.total_assets = int(state.total_assets)
    model.pending_deposit_assets = int(state.pending_deposit_assets)
    model.reserved_redeem_assets = int(state.reserved_redeem_assets)
    model.pending_redeem_shares = int(state.pending_redeem_shares)
    model.unclaimed_deposit_shares = (
        int(state.share_supply) - model.shares.total_supply - model.pending_redeem_shares
    )
    model.last_settled_round = int(state.last_settled_round)
    model.closure = int(state.closure)
    model.paused = bool(state.paused)
    model.high_water_mark = int(settings.high_water_mark)
    model.fee_bps = int(settings.fee_bps)
    model.pending_fee_bps = int(settings.pending_fee_bps)
    model.pending_fee_round = int(settings.pending_fee_round)
    model.wind_down_round = int(settings.wind_down_round)
    model.fees_owed = int(pool.fees_owed())
    model.treasury_owed = int(pool.treasury_owed())
    model.deposit_limit = min(int(pool.deposit_limit()), UNLIMITED)  # the view says 2**256 - 1 for unlimited
    # the treasury's balance decides whether a gain can be paid
    model.nmr.balances[factory_model.treasury] = treasury_available
    return model
