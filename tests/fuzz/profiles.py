"""Hypothesis profiles of the fuzzing suite, and the count of what ran.

Profiles (choose with `NMR_POOLS_PROFILE=ci|long|smoke`, default `ci`):
- `ci`: 160 histories of up to 200 steps (~165 on average: ≥ 25,000 steps), split over the
  machine's two cores as two processes of 80 with different seeds (`make fuzz` alone; `make
  test` beside the rest of the suite);
- `long`: 10x the steps of `ci` (`make test-long`);
- `smoke`: a quick look while editing the machine (not for CI).
`NMR_POOLS_EXAMPLES=N` overrides the number of histories (one process's share of a profile);
`NMR_POOLS_NO_SHRINK=1` reports the first failure as found, unshrunk and unsaved (the mutation
check needs only the failing check's message).
"""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass, field

import pytest
from hypothesis import HealthCheck, Phase, settings

PROFILE_ENV = "NMR_POOLS_PROFILE"
EXAMPLES_ENV = "NMR_POOLS_EXAMPLES"
NO_SHRINK_ENV = "NMR_POOLS_NO_SHRINK"

_COMMON = dict(
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large],
    print_blob=True,
)
PROFILES = {
    "ci": settings(max_examples=160, stateful_step_count=200, **_COMMON),
    "long": settings(max_examples=1_600, stateful_step_count=200, **_COMMON),
    "smoke": settings(max_examples=5, stateful_step_count=50, **_COMMON),
}


def fuzz_settings() -> settings:
    """The profile named by `NMR_POOLS_PROFILE`, with `NMR_POOLS_EXAMPLES` histories if set."""
    name = os.environ.get(PROFILE_ENV, "ci")
    if name not in PROFILES:
        raise pytest.UsageError(f"{PROFILE_ENV} must be one of {', '.join(PROFILES)}, not {name!r}")
    profile = PROFILES[name]
    share = os.environ.get(EXAMPLES_ENV)
    if share is not None:
        if not share.isdigit() or int(share) < 1:
            raise pytest.UsageError(f"{EXAMPLES_ENV} must be a whole number >= 1, not {share!r}")
        profile = settings(profile, max_examples=int(share))
    if os.environ.get(NO_SHRINK_ENV):
        profile = settings(profile, phases=[Phase.explicit, Phase.generate], database=None)
    return profile


@dataclass
class Runs:
    """Steps and histories run in this process, and one line per machine for the summary."""

    steps: int = 0
    histories: int = 0
    lines: list[str] = field(default_factory=list)
    # how often the paths that matter were taken (closures, shortfalls, exits checked, ...)
    paths: Counter[str] = field(default_factory=Counter)

    def record(
        self, machine: str, steps: int, histories: int, transactions: int, seconds: float, cpu_seconds: float
    ) -> None:
        """One summary line; CPU time as well as wall time, since other work may share the cores.
        Transactions are counted beside steps since a compound step (an attack) sends dozens."""
        rate = steps / seconds if seconds else 0.0
        cpu_rate = steps / cpu_seconds if cpu_seconds else 0.0
        profile = os.environ.get(PROFILE_ENV, "ci")
        self.lines.append(
            f"{machine}: {steps:,} steps in {histories:,} histories ({transactions:,} transactions), "
            f"{seconds:.0f} s wall, {cpu_seconds:.0f} s CPU "
            f"({rate:.0f} steps/s wall, {cpu_rate:.0f} per CPU second; profile {profile})"
        )
        if self.paths:
            self.lines.append(
                "  paths: " + ", ".join(f"{name} {count:,}" for name, count in sorted(self.paths.items()))
            )


RUNS = Runs()
