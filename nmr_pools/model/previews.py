"""What a settlement or a request will do, computed without changing the model."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class GroupConversion:
    """The request groups of `round` converted right after round `round - 1` settled."""

    round: int
    deposit_assets: int
    deposit_shares: int
    redeem_shares: int
    redeem_assets: int


@dataclass(frozen=True)
class SettleOutcome:
    """One settlement, as the `Settled` and `RequestsConverted` events report it.

    `total_assets`, `price_per_share` and `high_water_mark` are taken after the return and
    the fee, before the groups of `round + 1` convert (like the event).
    """

    round: int
    round_return: int
    paid: int  # drawn from the treasury for this round's gain
    unpaid: int  # the part of the gain the treasury could not pay (owed to the pool)
    burned: int
    fee: int
    fee_bps: int
    collected: int  # owed NMR from earlier rounds collected before this round applied
    total_assets: int
    price_per_share: int
    high_water_mark: int
    conversion: GroupConversion


@dataclass(frozen=True)
class RequestPreview:
    """What a request made now would do.

    `request_id` is the round it joins. If `converts_now`, `amount_out` is exact (shares for a
    deposit, NMR for a redemption). Otherwise it converts right after round `request_id - 1`
    settles, at the price then; `amount_out` is only its value at today's price.
    """

    request_id: int
    converts_now: bool
    amount_out: int
