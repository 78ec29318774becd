"""A controller's open requests on one side (deposits or redemptions), oldest first.

Mirrors the contract's `_queue`/`_queue_bounds`: entries are `[round, amount]`; requests of
one round share the newest entry; a cancelled older entry (only possible in shutdown) stays
as a zero-amount marker; the converted prefix is moved to the claimable totals ("checkpoint")
whenever the controller next touches that side.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from nmr_pools.model.errors import ModelRevert, require

# a controller may hold this many open requests per side (one per round at most)
MAX_OPEN_REQUESTS = 64


@dataclass(frozen=True)
class InlineEntries:
    """The entries a queue's header holds (`pool_ledger.vy`): how many, and their fields' widths."""

    count: int
    round_bits: int
    amount_bits: int


# by side: a deposit queue's header holds its entries at indices 0 and 1 (round 24 bits, NMR
# 85); a redeem queue's holds index 0 (round 40, shares 128)
INLINE = {0: InlineEntries(2, 24, 85), 1: InlineEntries(1, 40, 128)}


@dataclass
class RequestQueue:
    """`entries[i] = [round, amount]` at the contract's index `head + i` (`tail = head + len(entries)`)."""

    entries: list[list[int]] = field(default_factory=list)
    # the contract's index of the oldest entry (back to 0 when a checkpoint empties the queue)
    head: int = 0

    @property
    def tail(self) -> int:
        return self.head + len(self.entries)

    def enqueue(self, request_round: int, amount: int) -> None:
        """Add a request; rounds only grow, so only the newest entry can be of the same round."""
        if self.entries and self.entries[-1][0] == request_round:
            self.entries[-1][1] += amount
            return
        require(len(self.entries) < MAX_OPEN_REQUESTS, "pool: too many open requests")
        self.entries.append([request_round, amount])

    def cancel(self, request_round: int) -> int:
        """Remove the pending amount of `request_round` and return it."""
        for index, (entry_round, amount) in enumerate(self.entries):
            if entry_round == request_round and amount > 0:
                if index == len(self.entries) - 1:
                    self.entries.pop()
                else:
                    self.entries[index][1] = 0
                return amount
        raise ModelRevert("pool: nothing pending to cancel")

    def converted_prefix(self, is_converted: Callable[[int], bool]) -> list[tuple[int, int]]:
        """The leading entries whose groups have converted, as `(round, amount)` (markers included)."""
        prefix: list[tuple[int, int]] = []
        for entry_round, amount in self.entries:
            if not is_converted(entry_round):
                break
            prefix.append((entry_round, amount))
        return prefix

    def inline_entries(self, side: int) -> list[list[int]]:
        """The entries the contract keeps in the queue's header (`side`: 0 deposits, 1 redemptions)."""
        return self.entries[: max(0, INLINE[side].count - self.head)]

    def drop_prefix(self, count: int) -> None:
        """Checkpoint: the converted prefix leaves; an emptied queue starts again at index 0."""
        del self.entries[:count]
        self.head = 0 if not self.entries else self.head + count

    def pending_amount(self, request_round: int) -> int:
        """The amount of the first entry of `request_round` (the caller checks it is unconverted)."""
        for entry_round, amount in self.entries:
            if entry_round == request_round:
                return amount
        return 0

    def open_requests(self, is_converted: Callable[[int], bool]) -> list[tuple[int, int]]:
        """`pending_requests`: unconverted, non-empty entries as `(round, amount)`."""
        return [
            (entry_round, amount)
            for entry_round, amount in self.entries
            if not is_converted(entry_round) and amount > 0
        ]
