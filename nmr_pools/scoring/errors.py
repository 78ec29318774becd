"""The one exception the scoring engine raises, and how it names offenders."""

from __future__ import annotations

from collections.abc import Iterable

# How many offending ids/columns an error message lists before it says "and N more":
# enough to find the problem in the file, short enough to fit on one screen.
MAX_NAMED = 5


class ScoringError(ValueError):
    """Input the engine refuses to score; the message names the problem and the offenders."""


def name_some(items: Iterable[object], limit: int = MAX_NAMED) -> str:
    """`'a', 'b', 'c' and 7 more` — the first `limit` items, quoted, and how many were left out."""
    listed = [str(item) for item in items]
    shown = ", ".join(repr(item) for item in listed[:limit])
    hidden = len(listed) - limit
    return f"{shown} and {hidden} more" if hidden > 0 else shown
