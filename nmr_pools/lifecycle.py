"""A pool's lifecycle (DESIGN.md §5), in numbers and in words.

    active ──pause──▶ paused (no new deposits; redeeming and claiming go on)
    active ──wind_down() at round s──▶ winding down to round s
        no new deposits; every round up to s is still settled and requests convert on their
        usual schedule (a redemption made after s joins the group of s + 1); settling s closes it
    any open pool ──emergency_exit() once stalled──▶ closed: emergency exit
        stalled = the pool's next round closed more than the factory's stall gap ago and is
        unsettled: the settler is gone; unsettled rounds are forfeited
    a settlement that leaves the price below 1e-6 NMR per share ──▶ closed: depleted
    closed: nothing more is settled, redemptions convert at once at the final price, pending
        requests can be taken back (deposits in full)

`Lifecycle.of(model)` reads it from a `nmr_pools.model.PoolModel` loaded from chain (the
previews' model); `status`, the delegator commands and `wind-down`/`emergency-exit` word it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# pool_ledger.vy `flag Closure`: why a pool closed
WOUND_DOWN = 1
EMERGENCY_EXIT = 2
DEPLETED = 4
CLOSURE_WORDS = {WOUND_DOWN: "wound down", EMERGENCY_EXIT: "emergency exit", DEPLETED: "depleted"}


@dataclass(frozen=True)
class Lifecycle:
    """Where a pool stands: open, paused, winding down or closed, and whether it stalled."""

    closure: int  # Closure flag; 0 while the pool is open
    wind_down_round: int  # the last round a winding-down pool plays; 0 if not winding down
    paused: bool
    last_settled_round: int
    current_round: int
    exit_opens_at: int  # when the emergency exit opens if the next round stays unsettled (timestamp)
    now: int  # the timestamp the state was read at

    @classmethod
    def of(cls, model: Any) -> Lifecycle:
        """From a `PoolModel` holding the pool's state (`nmr_pools.model.from_chain`)."""
        schedule = model.factory.schedule
        # the next round (last settled + 1) closes when round last settled + 2 opens
        next_round_closed_at = schedule.round_start(model.last_settled_round + 2)
        return cls(
            closure=int(model.closure),
            wind_down_round=int(model.wind_down_round),
            paused=bool(model.paused),
            last_settled_round=int(model.last_settled_round),
            current_round=int(model.current_round()),
            exit_opens_at=next_round_closed_at + int(model.factory.stall_gap),
            now=int(model.clock.timestamp),
        )

    @property
    def closed(self) -> bool:
        return self.closure != 0

    @property
    def winding_down(self) -> bool:
        return self.wind_down_round != 0 and not self.closed

    @property
    def stalled(self) -> bool:
        """Anyone may call `emergency_exit` (an open pool whose settler is gone)."""
        return not self.closed and self.now >= self.exit_opens_at

    @property
    def accepts_deposits(self) -> bool:
        return not (self.closed or self.winding_down or self.paused)

    @property
    def closed_because(self) -> str:
        return ", ".join(words for bit, words in CLOSURE_WORDS.items() if self.closure & bit)

    @property
    def last_played_round(self) -> int:
        """The last round whose result the pool's active shares bear: the open round, the
        wind-down round, or for a closed pool the last settled one."""
        if self.closed:
            return self.last_settled_round
        if self.winding_down:
            return min(self.current_round, self.wind_down_round)
        return self.current_round

    @property
    def rounds_left_to_settle(self) -> int:
        """Rounds a winding-down pool still settles before it closes (its last round included)."""
        return max(self.wind_down_round - self.last_settled_round, 0) if self.winding_down else 0

    def words(self) -> str:
        """ "active", "paused", "winding down to round 12", "closed: wound down", … (+ "stalled")."""
        if self.closed:
            return f"closed: {self.closed_because}"
        state = f"winding down to round {self.wind_down_round}" if self.winding_down else "active"
        if self.paused:
            state = "paused" if state == "active" else f"{state}, paused"
        if self.stalled:
            state += "; stalled: emergency exit open"
        return state

    def redeem_group(self) -> int:
        """The group (request id) a redemption made now joins."""
        if self.wind_down_round != 0:
            return min(self.current_round, self.wind_down_round + 1)
        return self.current_round

    def converts(self, request_round: int) -> str:
        """When a pending request of `request_round` converts, in words."""
        if self.closed:
            return "never: the pool is closed, cancel it to take it back"
        wait = request_round - 1 - self.last_settled_round
        return "now" if wait <= 0 else f"after round {request_round - 1} ({wait} to settle)"
