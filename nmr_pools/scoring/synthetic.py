"""Seeded synthetic rounds for tests, the demo and benchmarks.

A latent market signal `z ~ N(0, 1)` per stock decides the target bucket: the lowest 5% of z
get 0, the next 20% 0.25, the middle 50% 0.5, then 20% 0.75 and the top 5% 1 — Numerai's
bucket proportions. Each model sees `skill * z + sqrt(1 - skill**2) * noise`, where the noise
mixes a factor shared by all models (so models and the meta model are correlated, as on
Numerai) with the model's own noise; its predictions are the percentile ranks of that view,
and every other model is rounded to 2 decimals so ties occur. `skill` in [-1, 1] is the
correlation of a model's view with the signal: positive is good, negative is harmful, so a
demo can make one model consistently bad by giving it a negative skill every round.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.special import ndtri

from nmr_pools.scoring.errors import ScoringError

# Numerai target buckets and the share of stocks in each (5% / 20% / 50% / 20% / 5%).
TARGET_BUCKETS = (0.0, 0.25, 0.5, 0.75, 1.0)
BUCKET_SHARES = (0.05, 0.20, 0.50, 0.20, 0.05)

# Share of each model's noise that is common to all models: Numerai models correlate with
# each other (and the meta model) far more than with the target.
SHARED_NOISE = 0.6

# Default skills: typical Numerai models have CORR around 0.01-0.03, a few are harmful.
DEFAULT_SKILL_MEAN = 0.02
DEFAULT_SKILL_SPREAD = 0.03

# Stakes are lognormal: most models stake a few NMR to a few hundred, a few whales much more.
STAKE_LOG_MEAN = 3.0  # median stake e**3 ~ 20 NMR
STAKE_LOG_SIGMA = 1.5

# Numerai live ids: "n" + 15 hex digits.
ID_HEX_DIGITS = 15


@dataclass(frozen=True)
class SyntheticRound:
    """A synthetic round: predictions (n_stocks, n_models), targets, stakes, skills."""

    predictions: pd.DataFrame
    targets: pd.Series
    stakes: pd.Series
    skills: pd.Series

    def write(self, directory: str | os.PathLike[str], file_format: str = "parquet") -> dict[str, Path]:
        """Write predictions (wide), targets and stakes as `parquet` or `csv`; return the paths."""
        if file_format not in ("parquet", "csv"):
            raise ScoringError(f"file_format must be 'parquet' or 'csv', got {file_format!r}")
        folder = Path(directory)
        folder.mkdir(parents=True, exist_ok=True)
        tables = {
            "predictions": self.predictions.rename_axis("id").reset_index(),
            "targets": self.targets.rename("target").rename_axis("id").reset_index(),
            "stakes": self.stakes.rename("stake").rename_axis("model").reset_index(),
        }
        paths = {}
        for name, table in tables.items():
            path = folder / f"{name}.{file_format}"
            if file_format == "parquet":
                table.to_parquet(path, index=False)
            else:
                table.to_csv(path, index=False, float_format=None)
            paths[name] = path
        return paths


def stock_ids(n_stocks: int, rng: np.random.Generator) -> list[str]:
    """`n_stocks` distinct Numerai-like ids ("n" + 15 hex digits), in random order."""
    ids: set[str] = set()
    while len(ids) < n_stocks:
        draws = rng.integers(0, 16**ID_HEX_DIGITS, size=n_stocks - len(ids), dtype=np.int64)
        ids.update(f"n{value:0{ID_HEX_DIGITS}x}" for value in draws)
    # a set's order depends on the process's hash seed: sort first, then shuffle with the rng,
    # so the same seed gives the same round in every process
    ordered = sorted(ids)
    return [ordered[i] for i in rng.permutation(len(ordered))]


def bucketize(signal: np.ndarray) -> np.ndarray:
    """Map a signal to target buckets by rank, in Numerai's 5/20/50/20/5 proportions: (n,)."""
    edges = np.cumsum(BUCKET_SHARES)[:-1]  # upper percentile of each bucket but the last
    percentile = (np.argsort(np.argsort(signal)) + 0.5) / len(signal)
    return np.asarray(TARGET_BUCKETS)[np.searchsorted(edges, percentile)]


def synthetic_round(
    n_stocks: int = 5_000,
    n_models: int = 100,
    seed: int = 0,
    skills: Sequence[float] | None = None,
    model_ids: Sequence[str] | None = None,
) -> SyntheticRound:
    """A reproducible round: same arguments -> the same round, bit for bit.

    skills: one per model in [-1, 1] (default: drawn around `DEFAULT_SKILL_MEAN`).
    model_ids: one per model (default `model_0000`, `model_0001`, ...).
    """
    if n_stocks < 2 or n_models < 1:
        raise ScoringError(f"need at least 2 stocks and 1 model, got {n_stocks} x {n_models}")
    rng = np.random.default_rng(seed)
    names = list(model_ids) if model_ids is not None else [f"model_{j:04d}" for j in range(n_models)]
    drawn = rng.normal(DEFAULT_SKILL_MEAN, DEFAULT_SKILL_SPREAD, size=n_models).clip(-0.9, 0.9)
    skill = np.asarray(skills, dtype=np.float64) if skills is not None else drawn
    if len(names) != n_models or skill.shape != (n_models,) or len(set(names)) != n_models:
        raise ScoringError(f"need {n_models} distinct model ids and {n_models} skills")
    if not ((skill >= -1) & (skill <= 1)).all():
        raise ScoringError("skills must lie in [-1, 1]")
    ids = stock_ids(n_stocks, rng)
    signal = rng.standard_normal(n_stocks)  # (n_stocks,)
    shared = rng.standard_normal(n_stocks)  # (n_stocks,) noise every model partly sees
    own = rng.standard_normal((n_stocks, n_models))  # (n_stocks, n_models)
    noise = np.sqrt(SHARED_NOISE) * shared[:, None] + np.sqrt(1 - SHARED_NOISE) * own
    view = skill * signal[:, None] + np.sqrt(1 - skill**2) * noise  # (n_stocks, n_models)
    ranks = (np.argsort(np.argsort(view, axis=0), axis=0) + 0.5) / n_stocks  # in (0, 1)
    predictions = ranks.copy()
    predictions[:, ::2] = np.round(ranks[:, ::2], 2).clip(0.0, 1.0)  # every other model has ties
    # keep the view's distribution shape but in [0, 1]: a sigmoid of the gaussianized ranks
    predictions[:, 1::2] = 1 / (1 + np.exp(-ndtri(ranks[:, 1::2])))
    stakes = rng.lognormal(STAKE_LOG_MEAN, STAKE_LOG_SIGMA, size=n_models)
    return SyntheticRound(
        predictions=pd.DataFrame(predictions, index=pd.Index(ids, name="id"), columns=names),
        targets=pd.Series(bucketize(signal), index=pd.Index(ids, name="id"), name="target"),
        stakes=pd.Series(stakes, index=pd.Index(names, name="model"), name="stake"),
        skills=pd.Series(skill, index=pd.Index(names, name="model"), name="skill"),
    )
