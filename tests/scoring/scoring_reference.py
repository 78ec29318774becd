"""An independent, slow, per-model implementation of the numerai-tools definitions.

Written from numerai-tools' `scoring` module semantics with plain pandas/scipy and loops, one
model at a time; the engine's vectorised code must agree with it to 1e-12.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

MAX_RATIO = 0.2


class Refused(Exception):
    """The 20% alignment rule refused (numerai-tools would fail its assert)."""


def filter_sort(s1: pd.Series, s2: pd.Series) -> tuple[pd.Series, pd.Series]:
    ids = s1.dropna().index.intersection(s2.dropna().index)
    if not (len(s1) and len(s2)) or len(ids) / len(s1) < 1 - MAX_RATIO or len(ids) / len(s2) < 1 - MAX_RATIO:
        raise Refused
    return s1.loc[ids].sort_index(), s2.loc[ids].sort_index()


def rank(s: pd.Series) -> pd.Series:
    return pd.Series((s.rank(method="average").values - 0.5) / s.count(), index=s.index)


def gauss(s: pd.Series) -> pd.Series:
    return pd.Series(stats.norm.ppf(s.values), index=s.index)


def power(s: pd.Series) -> pd.Series:
    return np.sign(s) * np.abs(s) ** 1.5


def corr_one(prediction: pd.Series, targets: pd.Series) -> float:
    centred = targets - targets.mean()
    t, p = filter_sort(centred, prediction)
    return float(power(t).corr(power(gauss(rank(p)))))


def mmc_one(prediction: pd.Series, meta_model: pd.Series, targets: pd.Series) -> float:
    m, p = filter_sort(meta_model, prediction)
    t, p = filter_sort(targets, p)
    t, m = filter_sort(t, m)
    p_g = gauss(rank(p)).values
    m_g = gauss(rank(m)).values
    total = 0.0
    p_m = sum(a * b for a, b in zip(p_g, m_g, strict=False))
    m_m = sum(b * b for b in m_g)
    t_values = t.values * 4 if ((t >= 0).all() and (t <= 1).all()) else t.values.copy()
    t_values = t_values - t_values.mean()
    for a, b, c in zip(p_g, m_g, t_values, strict=False):
        total += c * (a - b * p_m / m_m)
    return total / len(t_values)


def stake_weight(predictions: pd.DataFrame, stakes: pd.Series) -> pd.Series:
    return (predictions[stakes.index] * stakes).sum(axis=1) / stakes.sum()


def corr_all(predictions: pd.DataFrame, targets: pd.Series) -> dict[str, float]:
    return {c: corr_one(predictions[c], targets) for c in predictions.columns}


def mmc_all(predictions: pd.DataFrame, meta_model: pd.Series, targets: pd.Series) -> dict[str, float]:
    return {c: mmc_one(predictions[c], meta_model, targets) for c in predictions.columns}
