"""The fuzzing suite prints how many steps and histories each machine ran."""

from __future__ import annotations

from typing import Any

from tests.fuzz.profiles import RUNS


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if RUNS.lines:
        terminalreporter.section("fuzzing")
        for line in RUNS.lines:
            terminalreporter.write_line(line)
