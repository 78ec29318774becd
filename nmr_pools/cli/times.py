"""Chain timestamps and durations in words, for previews and refusals."""

from __future__ import annotations

import time

DAY = 86_400
HOUR = 3_600


def utc(timestamp: int) -> str:
    """A unix timestamp as "2026-12-08 03:00 UTC"."""
    return time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(int(timestamp)))


def duration(seconds: int) -> str:
    """A positive duration, rounded to the two largest units: "29 days 3 hours", "5 hours 2 minutes"."""
    seconds = max(int(seconds), 0)
    days, rest = divmod(seconds, DAY)
    hours, rest = divmod(rest, HOUR)
    minutes = rest // 60
    parts = [(days, "day"), (hours, "hour"), (minutes, "minute")]
    words = [f"{n} {unit}{'s' if n != 1 else ''}" for n, unit in parts if n]
    return " ".join(words[:2]) if words else "less than a minute"


def now() -> int:
    """The timestamp the next transaction will see (the chain's pending block)."""
    from ape import chain

    return int(chain.pending_timestamp)
