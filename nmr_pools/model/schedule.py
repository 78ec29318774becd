"""Rounds and time: the factory's schedule and the clock the model reads `block.timestamp` from."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RoundSchedule:
    """Round `r` is open while `genesis + r * round_length <= now < genesis + (r + 1) * round_length`."""

    genesis: int
    round_length: int

    def round_at(self, timestamp: int) -> int:
        """The round open at `timestamp` (the contract's `current_round()`)."""
        return (timestamp - self.genesis) // self.round_length

    def round_start(self, round_id: int) -> int:
        """When `round_id` opens (the factory's `round_start`)."""
        return self.genesis + round_id * self.round_length


@dataclass
class Clock:
    """`block.timestamp` of the next transaction or call; the caller keeps it in step with the chain."""

    timestamp: int
