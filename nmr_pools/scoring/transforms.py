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

from nmr_pools.scoring.normal import ndtri_array

# numerai-tools raises gaussianized predictions (and the centred target) to this power,
# keeping the sign, to weight the tails more than a plain Pearson correlation would.
CORR_POWER = 1.5

# the 63 bits below a float64's sign: flipped for negative floats to order them as integers
MAGNITUDE_BITS = np.int64(0x7FFF_FFFF_FFFF_FFFF)


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
    table = ndtri_array(percentiles)  # scipy's ndtri, bit for bit, without scipy (see `normal`)
    table.flags.writeable = False
    return table


def sort_rows(rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Where each row's values go in ascending order, and those values: `flat[i, j]` is the
    index in `rows.ravel()` of row i's j-th smallest value (ties in any order), `ascending` is
    `np.sort(rows, axis=1)`: (k, n) intp, (k, n) float64. `rows` must be C-contiguous.

    Sorts one int64 key per element instead of an indirect argsort (a quarter less time): the
    float's bits mapped to an integer of the same order, its lowest `b` bits replaced by the
    element's flat index (`b` bits hold any index of the block). Floats that differ only in
    those bits may then come out of order; the rows where that happened (a check on the sorted
    values) are argsorted instead. Equal floats always get the same key bits, so ties stay
    together. Flat indices make the gathers and scatters plain `take`/`put`.
    """
    n_rows, n_columns = rows.shape  # rows: (k, n), C-contiguous, no NaN
    flat_bits = max(1, (n_rows * n_columns - 1).bit_length())
    low = np.int64((1 << flat_bits) - 1)
    bits = rows.view(np.int64)
    keys = bits >> 63  # -1 for negative floats, 0 otherwise
    keys &= MAGNITUDE_BITS
    keys ^= bits  # negative floats: magnitude bits flipped, so larger magnitudes sort lower
    keys &= ~low
    keys |= np.arange(n_rows * n_columns, dtype=np.int64).reshape(n_rows, n_columns)
    keys.sort(axis=1)
    keys &= low
    flat = keys.view(np.intp) if np.dtype(np.intp) == np.dtype(np.int64) else keys.astype(np.intp)
    ascending = rows.ravel().take(flat)
    unsorted = (ascending[:, 1:] < ascending[:, :-1]).any(axis=1)  # (k,)
    for row in np.flatnonzero(unsorted):  # floats closer than the dropped bits: rare
        flat[row] = np.argsort(rows[row]) + row * n_columns
        ascending[row] = rows.ravel()[flat[row]]
    return flat, ascending


def gaussian_rank_rows(rows: np.ndarray) -> np.ndarray:
    """`gaussian_rows(rank_rows(rows))` bit for bit, looked up instead of computed per element.

    A row of n values can only take 2n - 1 gaussianized values (see `_gaussian_of_rank_sums`):
    they are computed once per n and scattered by sort order. Rows without ties (continuous
    predictions, the usual case) need no run bookkeeping: `first = last = position`; the rows
    with ties get `first + last` from their runs of equal values, all rows at once.
    """
    n_models, n_stocks = rows.shape  # rows: (n_models, n_stocks)
    table = _gaussian_of_rank_sums(n_stocks)
    rows = np.ascontiguousarray(rows)
    flat, ascending = sort_rows(rows)  # (n_models, n_stocks): where each value goes, and the values
    starts_run = np.ones((n_models, n_stocks), dtype=bool)  # True where a new value begins
    np.not_equal(ascending[:, 1:], ascending[:, :-1], out=starts_run[:, 1:])
    tied = np.flatnonzero(~starts_run.all(axis=1))  # (n_tied,)
    by_position = table[0::2]  # first + last = 2 * position
    if len(tied) == 0:
        in_order = np.broadcast_to(by_position, (n_models, n_stocks))
    else:
        in_order = np.empty((n_models, n_stocks))  # gaussianized values in ascending order
        in_order[:] = by_position
        # the tied rows' runs, end to end (every row starts a run): run i spans sorted
        # positions first..last of its row, first + last = 2 first + length - 1
        run_starts = np.flatnonzero(starts_run[tied])  # (n_runs,) in the flattened rows
        lengths = np.diff(run_starts, append=len(tied) * n_stocks)  # (n_runs,)
        rank_sums = 2 * (run_starts % n_stocks) + lengths - 1
        in_order[tied] = np.repeat(table[rank_sums], lengths).reshape(len(tied), n_stocks)
    gaussianized = np.empty((n_models, n_stocks))
    gaussianized.ravel()[flat] = in_order
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
