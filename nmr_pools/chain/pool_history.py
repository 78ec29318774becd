"""A pool's settled rounds, from its `Settled` events: what `ape pools history` shows.

Each event carries the round, its return, what was paid from the treasury (and what it could
not pay, owed to the pool) or burned, the owner's fee, and the price per share and high-water
mark after it. The summary is what a
delegator weighs before depositing: the price's path, the worst round, the deepest drop from
a peak, and how far the price sits below its high-water mark (no fee is charged until it is
back above).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from nmr_pools.chain.logs import EventLayout, read_events

WAD = 10**18


@dataclass(frozen=True)
class SettledRound:
    """One `Settled` event of a pool."""

    round: int
    round_return: int  # signed WAD
    paid: int  # NMR wei drawn from the treasury
    burned: int  # NMR wei burned
    unpaid: int  # NMR wei of the gain the treasury could not pay: owed to the pool, collected later
    fee: int  # NMR wei accrued to the owner
    total_assets: int  # active assets after the round
    price_per_share: int  # WAD, after the round
    high_water_mark: int  # WAD, after the round
    results_digest: str
    block_number: int


@dataclass(frozen=True)
class HistorySummary:
    """The whole history in a few numbers."""

    rounds: int
    first_round: int
    last_round: int
    start_price: int  # WAD, before the first settled round: 1 NMR per share
    end_price: int  # WAD, after the last
    high_water_mark: int  # WAD, after the last
    paid: int
    burned: int
    unpaid: int
    fees: int
    gains: int  # rounds with a positive return
    losses: int  # rounds with a negative return
    worst_round: SettledRound
    best_round: SettledRound
    max_drawdown: float  # largest fall of the price from an earlier peak, as a fraction

    @property
    def price_change(self) -> float:
        return self.end_price / self.start_price - 1 if self.start_price else 0.0

    @property
    def below_high_water_mark(self) -> float:
        """How far the price is below its high-water mark (0: at it, fees are charged on gains)."""
        return 1 - self.end_price / self.high_water_mark if self.high_water_mark else 0.0


def settled_layout(pool_type: Any) -> EventLayout:
    """The `Settled` event's layout from the compiled pool's ABI."""
    events = [event for event in pool_type.contract_type.events if event.name == "Settled"]
    if not events:
        raise LookupError("the pool contract has no Settled event")
    return EventLayout.from_abi(events[0])


def read_pool_history(web3: Any, pool: str, layout: EventLayout, from_block: int) -> list[SettledRound]:
    """Every settled round of `pool` since `from_block` (the deployment's block), oldest first."""
    rounds = []
    for event in read_events(web3, pool, layout, from_block):
        rounds.append(
            SettledRound(
                round=int(event["round"]),
                round_return=int(event["round_return"]),
                paid=int(event["paid"]),
                burned=int(event["burned"]),
                unpaid=int(event.get("unpaid", 0)),  # pools deployed before the field existed have none
                fee=int(event["fee"]),
                total_assets=int(event["total_assets"]),
                price_per_share=int(event["price_per_share"]),
                high_water_mark=int(event["high_water_mark"]),
                results_digest="0x" + bytes(event["results_digest"]).hex(),
                block_number=int(event["block_number"]),
            )
        )
    return rounds


def summarise(history: list[SettledRound]) -> HistorySummary | None:
    """The summary of a non-empty history (None for a pool that never settled)."""
    if not history:
        return None
    first = history[0]
    # every pool starts at 1 NMR per share (no shares, no assets: (0 + 1) / (0 + 1)), and only
    # settlements move the price (conversions happen at it)
    start_price = WAD
    peak, drawdown = start_price, 0.0
    for item in history:
        peak = max(peak, item.price_per_share)
        if peak:
            drawdown = max(drawdown, 1 - item.price_per_share / peak)
    return HistorySummary(
        rounds=len(history),
        first_round=first.round,
        last_round=history[-1].round,
        start_price=start_price,
        end_price=history[-1].price_per_share,
        high_water_mark=history[-1].high_water_mark,
        paid=sum(item.paid for item in history),
        burned=sum(item.burned for item in history),
        unpaid=sum(item.unpaid for item in history),
        fees=sum(item.fee for item in history),
        gains=sum(1 for item in history if item.round_return > 0),
        losses=sum(1 for item in history if item.round_return < 0),
        worst_round=min(history, key=lambda item: (item.round_return, item.round)),
        best_round=max(history, key=lambda item: (item.round_return, -item.round)),
        max_drawdown=drawdown,
    )
