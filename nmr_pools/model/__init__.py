"""Reference model of the pool accounting, in exact integers (DESIGN.md §3–§5).

`PoolModel` mirrors `DelegationPool.vy` function by function, with the same checks, revert
messages (`ModelRevert`) and rounding; `FactoryModel` is the schedule, caps, roles and
treasury it reads; `TokenLedger` holds NMR and share balances. The differential tests in
`tests/stateful` run it side by side with the contracts; the CLI uses its previews
(`preview_settle`, `preview_request_deposit`, `preview_request_redeem`).
"""

from nmr_pools.model.errors import ModelRevert
from nmr_pools.model.factory import FactoryModel
from nmr_pools.model.fixed_point import BPS, VIRTUAL_OFFSET, WAD, mul_div, performance_fee
from nmr_pools.model.ledger import ZERO_ADDRESS, TokenLedger
from nmr_pools.model.pool import PoolModel
from nmr_pools.model.previews import GroupConversion, RequestPreview, SettleOutcome
from nmr_pools.model.queue import MAX_OPEN_REQUESTS, RequestQueue
from nmr_pools.model.schedule import Clock, RoundSchedule

__all__ = [
    "BPS",
    "MAX_OPEN_REQUESTS",
    "VIRTUAL_OFFSET",
    "WAD",
    "ZERO_ADDRESS",
    "Clock",
    "FactoryModel",
    "GroupConversion",
    "ModelRevert",
    "PoolModel",
    "RequestPreview",
    "RequestQueue",
    "RoundSchedule",
    "SettleOutcome",
    "TokenLedger",
    "mul_div",
    "performance_fee",
]
