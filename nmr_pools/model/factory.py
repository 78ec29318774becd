"""The factory and treasury context a pool reads: schedule, caps, roles, and payouts."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from nmr_pools.model.errors import require
from nmr_pools.model.ledger import ZERO_ADDRESS
from nmr_pools.model.nmr import NmrLedger
from nmr_pools.model.schedule import RoundSchedule

# 5% per round (WAD): Numerai's payout cap and the ceiling of any return cap
MAX_RETURN_CAP = 5 * 10**16
# 100% in basis points: the ceiling of the fee cap
MAX_FEE_BPS = 10_000
# factory defaults: 50% fee cap, 30-round fee delay
DEFAULT_FEE_CAP_BPS = 5_000
DEFAULT_FEE_DELAY_ROUNDS = 30
# the stall gap's bounds (longer than the ~4-week resolution lag, at most a year)
MIN_STALL_GAP = 30 * 86_400
MAX_STALL_GAP = 365 * 86_400
DEFAULT_STALL_GAP = MIN_STALL_GAP


@dataclass
class FactoryModel:
    """What `PoolFactory.vy` and `PayoutTreasury.vy` provide to a pool.

    `admins`, `settlers` and `guardians` hold addresses with the factory's ADMIN, SETTLER and
    GUARDIAN roles. The treasury's NMR lives in the shared `nmr` ledger under `treasury`.
    """

    address: str
    treasury: str
    schedule: RoundSchedule
    nmr: NmrLedger
    return_cap: int = MAX_RETURN_CAP
    fee_cap_bps: int = DEFAULT_FEE_CAP_BPS
    fee_delay_rounds: int = DEFAULT_FEE_DELAY_ROUNDS
    stall_gap: int = DEFAULT_STALL_GAP
    admins: set[str] = field(default_factory=set)
    settlers: set[str] = field(default_factory=set)
    guardians: set[str] = field(default_factory=set)
    attesters: set[str] = field(default_factory=set)
    # addresses the factory stores (for comparing its storage; the accounting never reads them)
    nmr_address: str = ZERO_ADDRESS
    pool_implementation: str = ZERO_ADDRESS
    # the registry: pools in creation order, and the model each was created for
    pools: list[str] = field(default_factory=list)
    model_of: dict[str, bytes] = field(default_factory=dict)

    # ---- registry ----

    def register(self, pool: str, model_id: bytes) -> None:
        """`create_pool`'s bookkeeping: one pool per model, enumerable in creation order."""
        require(model_id not in self.model_of.values(), "factory: model has a pool")
        self.pools.append(pool)
        self.model_of[pool] = model_id

    # ---- roles ----

    def is_settler(self, account: str) -> bool:
        return account in self.settlers

    def is_guardian(self, account: str) -> bool:
        return account in self.guardians

    # ---- admin settings (same checks and messages as the factory) ----

    def set_return_cap(self, sender: str, return_cap: int) -> None:
        require(sender in self.admins, "factory: not admin")
        require(return_cap <= MAX_RETURN_CAP, "factory: cap above 5%")
        self.return_cap = return_cap

    def set_fee_cap(self, sender: str, fee_cap_bps: int) -> None:
        require(sender in self.admins, "factory: not admin")
        require(fee_cap_bps <= MAX_FEE_BPS, "factory: fee cap above 100%")
        self.fee_cap_bps = fee_cap_bps

    def set_fee_delay_rounds(self, sender: str, fee_delay_rounds: int) -> None:
        require(sender in self.admins, "factory: not admin")
        require(fee_delay_rounds >= 1, "factory: fee delay below 1 round")
        self.fee_delay_rounds = fee_delay_rounds

    def set_stall_gap(self, sender: str, stall_gap: int) -> None:
        require(sender in self.admins, "factory: not admin")
        require(stall_gap >= MIN_STALL_GAP, "factory: stall gap below 30 days")
        require(stall_gap <= MAX_STALL_GAP, "factory: stall gap above 365 days")
        self.stall_gap = stall_gap

    # ---- settlement (the pools' only caller) ----

    def settle(self, sender: str, pool: Any, round_id: int, round_return: int, results_digest: bytes) -> Any:
        """`PoolFactory.settle`: a settler settles one pool (the pool checks the rest)."""
        require(sender in self.settlers, "factory: not settler")
        require(pool.address in self.model_of, "factory: not a pool")
        return pool.settle(self.address, round_id, round_return, results_digest)

    # ---- treasury ----

    def treasury_available(self) -> int:
        """NMR the treasury can pay out."""
        return self.nmr.balance_of(self.treasury)

    def pay(self, pool: str, amount: int) -> int:
        """`PayoutTreasury.pay`: move up to `amount` from the treasury to `pool`; what it paid."""
        paid = min(amount, self.treasury_available())
        if paid > 0:
            self.nmr.move(self.treasury, pool, paid)
        return paid
