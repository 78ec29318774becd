"""Factories for the scoring tests: synthetic rounds in memory and on disk."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from nmr_pools.scoring import SyntheticRound, synthetic_round


@pytest.fixture
def create_round() -> Callable[..., SyntheticRound]:
    """`create_round(n_stocks=300, n_models=6, seed=0, **kw)` -> a small synthetic round."""

    def create(n_stocks: int = 300, n_models: int = 6, seed: int = 0, **kwargs: object) -> SyntheticRound:
        return synthetic_round(n_stocks, n_models, seed, **kwargs)  # type: ignore[arg-type]

    return create


@pytest.fixture
def write_csv(tmp_path: Path) -> Callable[[str, pd.DataFrame], Path]:
    """`write_csv(name, frame)` -> path of `frame` written as CSV (no index) in a temp dir."""

    def write(name: str, frame: pd.DataFrame) -> Path:
        path = tmp_path / name
        frame.to_csv(path, index=False)
        return path

    return write
