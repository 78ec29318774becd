"""Column transforms of the Numerai scores: tie-kept rank, gaussianize, signed power 1.5.

Public functions take arrays laid out like a predictions table, `(n_stocks,)` or
`(n_stocks, n_models)`, and transform each column independently (along axis 0). Internally
the work is done on *model-major* arrays `(n_models, n_stocks)`, C-contiguous, so that each
model's values are contiguous: sorting and reductions then run along the fast axis, and every
model's numbers come out of the same sequence of floating-point operations whether it is
transformed alone or together with thousands of others (no dependence on batch size).

None of these functions accept NaN: callers drop NaN rows first (see `metrics`).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from nmr_pools.scoring.normal import ndtri as scalar_ndtri

# numerai-tools raises gaussianized predictions (and the centred target) to this power,
# keeping the sign, to weight the tails more than a plain Pearson correlation would.
CORR_POWER = 1.5


# ---- layout helpers ----


def to_model_major(x: np.ndarray) -> np.ndarray:
    """`(n_stocks,)` or `(n_stocks, n_models)` -> contiguous float64 `(n_models, n_stocks)` (a copy)."""
    columns = x.reshape(-1, 1) if x.ndim == 1 else x
    return np.ascontiguousarray(np.asarray(columns, dtype=np.float64).T)


def from_model_major(rows: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Inverse of `to_model_major`: `(n_models, n_stocks)` -> `shape` of the original input."""
    return rows.T.reshape(shape).copy()


# ---- model-major kernels: rows: (n_models, n_stocks), no NaN ----


def rank_rows(rows: np.ndarray) -> np.ndarray:
    """Average-tie percentile rank of each row: `(rank - 0.5) / n`, values in (0, 1).

    One argsort for all rows. Within a run of equal values occupying sorted positions
    `first..last` (0-based), every member gets the average 1-based rank `(first + last)/2 + 1`
    — exactly the float pandas' `rank(method="average")` produces, since both are k or k+0.5.
    """
    n_models, n_stocks = rows.shape  # rows: (n_models, n_stocks)
    order = np.argsort(rows, axis=1)  # (n_models, n_stocks): positions in ascending order
    ascending = np.take_along_axis(rows, order, axis=1)
    starts_run = np.ones((n_models, n_stocks), dtype=bool)  # True where a new value begins
    np.not_equal(ascending[:, 1:], ascending[:, :-1], out=starts_run[:, 1:])
    ends_run = np.ones((n_models, n_stocks), dtype=bool)  # True where a value's run ends
    ends_run[:, :-1] = starts_run[:, 1:]
    position = np.arange(n_stocks)
    # first sorted position of each element's run: carry run starts forward
    first = np.maximum.accumulate(np.where(starts_run, position, 0), axis=1)
    # last sorted position of each element's run: carry run ends backward
    last = np.minimum.accumulate(np.where(ends_run, position, n_stocks)[:, ::-1], axis=1)[:, ::-1]
    average_rank = (first + last) / 2 + 1  # 1-based, ties share their average
    percentile = (average_rank - 0.5) / n_stocks
    ranked = np.empty_like(percentile)
    np.put_along_axis(ranked, order, percentile, axis=1)
    return ranked


@lru_cache(maxsize=8)
def _gaussian_of_rank_sums(n_stocks: int) -> np.ndarray:
    """`ndtri` of every percentile a row of `n_stocks` can have, by `first + last`: (2n - 1,).

    A value whose run of ties spans sorted positions `first..last` gets the average rank
    `(first + last) / 2 + 1`; `first + last` is an integer in [0, 2n - 2]. The table applies
    `rank_rows`' float operations to each such integer, then `ndtri`: the same bits.
    """
    rank_sums = np.arange(2 * n_stocks - 1)  # first + last
    average_rank = rank_sums / 2 + 1
    percentiles = (average_rank - 0.5) / n_stocks
    # scipy's ndtri, bit for bit, without importing scipy (see `normal`): 2n - 1 scalar calls
    table = np.fromiter(
        (scalar_ndtri(p) for p in percentiles.tolist()), dtype=np.float64, count=len(percentiles)
    )
    table.flags.writeable = False
    return table


def gaussian_rank_rows(rows: np.ndarray) -> np.ndarray:
    """`gaussian_rows(rank_rows(rows))` bit for bit, looked up instead of computed per element.

    A row of n values can only take 2n - 1 gaussianized values (see `_gaussian_of_rank_sums`):
    they are computed once per n and scattered by sort order. Rows without ties (continuous
    predictions, the usual case) need no run bookkeeping: `first = last = position`.
    """
    n_models, n_stocks = rows.shape  # rows: (n_models, n_stocks)
    table = _gaussian_of_rank_sums(n_stocks)
    order = np.argsort(rows, axis=1)  # (n_models, n_stocks): positions in ascending order
    ascending = np.take_along_axis(rows, order, axis=1)
    starts_run = np.ones((n_models, n_stocks), dtype=bool)  # True where a new value begins
    np.not_equal(ascending[:, 1:], ascending[:, :-1], out=starts_run[:, 1:])
    tied = ~starts_run.all(axis=1)  # (n_models,)
    gaussianized = np.empty((n_models, n_stocks))
    by_position = table[0::2]  # first + last = 2 * position
    if not tied.any():
        np.put_along_axis(gaussianized, order, by_position[None, :], axis=1)
    else:
        untied = np.flatnonzero(~tied)
        gaussianized[untied[:, None], order[untied]] = by_position
    for row in np.flatnonzero(tied):
        starts = starts_run[row]
        ends = np.ones(n_stocks, dtype=bool)
        ends[:-1] = starts[1:]
        position = np.arange(n_stocks)
        first = np.maximum.accumulate(np.where(starts, position, 0))
        last = np.minimum.accumulate(np.where(ends, position, n_stocks)[::-1])[::-1]
        gaussianized[row, order[row]] = table[first + last]
    return gaussianized


def gaussian_rows(ranked: np.ndarray) -> np.ndarray:
    """Standard normal inverse CDF, element-wise (what `scipy.stats.norm.ppf` computes)."""
    from scipy.special import ndtri  # here: the engine's path (gaussian_rank_rows) needs no scipy

    return ndtri(ranked)


def signed_power_rows(x: np.ndarray) -> np.ndarray:
    """`sign(x) * |x| ** 1.5`, computed as `sign(x) * |x| * sqrt(|x|)`.

    Two correctly rounded IEEE operations instead of libm's `pow`, so the result is the same
    bit for bit on every platform (it agrees with `** 1.5` to an ulp or two).
    """
    magnitude = np.abs(x)
    return np.sign(x) * (magnitude * np.sqrt(magnitude))


# ---- public, table layout: x: (n_stocks,) or (n_stocks, n_models) ----


def tie_kept_rank(x: np.ndarray) -> np.ndarray:
    """Rank each column with average ties, scaled to `(rank - 0.5) / n_stocks`."""
    return from_model_major(rank_rows(to_model_major(x)), x.shape)


def gaussian(ranked: np.ndarray) -> np.ndarray:
    """Gaussianize ranks in (0, 1) with the standard normal inverse CDF."""
    return gaussian_rows(np.asarray(ranked, dtype=np.float64))


def signed_power(x: np.ndarray, power: float = CORR_POWER) -> np.ndarray:
    """`sign(x) * |x| ** power`; the default 1.5 takes the exact `|x| * sqrt(|x|)` route."""
    values = np.asarray(x, dtype=np.float64)
    if power == CORR_POWER:
        return signed_power_rows(values)
    return np.sign(values) * np.abs(values) ** power


def rank_gaussian_power(x: np.ndarray) -> np.ndarray:
    """The CORR transform of predictions: rank, gaussianize, signed power 1.5 (per column)."""
    rows = to_model_major(x)
    return from_model_major(signed_power_rows(gaussian_rows(rank_rows(rows))), x.shape)
