"""Per-model scores of a round: `numerai_corr`, MMC (`correlation_contribution`), meta model.

Semantics follow numerai-tools' `scoring` module, applied to each model's column as if it were
scored alone:

- alignment (`filter_sort_index`): drop NaN rows on both sides, keep the ids both have, sort
  them, and refuse when more than 20% of either side would be dropped;
- CORR: centre the target on *all* its ids first, then align; rank (average ties),
  gaussianize and raise the predictions to 1.5 keeping sign; raise the centred target the same
  way; Pearson correlation;
- MMC: align predictions, meta model and target pairwise (three alignments, each with the 20%
  rule); rank and gaussianize predictions and meta model; orthogonalize the predictions
  against the meta model; multiply the target by 4 if it lies in [0, 1]; centre it *after*
  alignment; MMC = `target · p_orth / n`.

Speed: models whose column has no NaN share one row set, so they are transformed in blocks of
`CHUNK_MODELS` with array operations, on `WORKERS` threads (numpy releases the GIL). The rare
columns with NaNs are aligned one by one but go through the very same kernels. Every kernel
reduces along a model's own contiguous row, so a model's score does not depend on which other
models were scored with it.

The work is done on labelled arrays (`labelled`: no pandas, so the `score` command never loads
it); `score_models`, `numerai_corr`, `correlation_contribution` and `stake_weighted_meta_model`
take and give pandas objects and convert at the door.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from nmr_pools.scoring.errors import ScoringError, name_some
from nmr_pools.scoring.labelled import (
    LabelledColumn,
    PredictionMatrix,
    difference,
    duplicates,
    object_array,
)
from nmr_pools.scoring.transforms import gaussian_rank_rows, signed_power_rows

if TYPE_CHECKING:
    import pandas as pd

# numerai-tools' DEFAULT_MAX_FILTERED_INDEX_RATIO: aligning two inputs may drop at most 20% of
# either side's ids (Numerai data changes can drop a few stocks; more means a broken input).
DEFAULT_MAX_FILTERED_RATIO = 0.2

# numerai-tools maps targets in [0, 1] (buckets 0, .25, .5, .75, 1) to 0..4 before centring,
# so the centred buckets are -2..2 and MMC is on the scale Numerai pays.
MMC_TARGET_SCALE = 4.0

# Models per block: 16 models x 5,000 stocks x 8 bytes = 640 KB per temporary: the dozen
# temporaries of a block stay in cache, and peak memory is ~10 MB whatever the number of models.
CHUNK_MODELS = 16

# Threads scoring blocks at once (numpy's sort, indexing and ufuncs release the GIL); two
# matches the machines the settler runs on and never changes a number, only the wall time.
WORKERS = 2

Progress = Callable[[int], None]  # called with the number of models just finished


# ---- alignment (numerai-tools' filter_sort_index, as a yes/no on id sets) ----


def keeps_enough(n_kept: int, n_total: int, max_filtered_ratio: float) -> bool:
    """numerai-tools' check `kept / total >= 1 - max_ratio`, with the same float operations."""
    return n_total > 0 and n_kept / n_total >= (1 - max_filtered_ratio)


def corr_ids(
    prediction_ids: Iterable[object],
    n_predictions: int,
    target_ids: Iterable[object],
    n_targets: int,
    max_ratio: float,
) -> np.ndarray | None:
    """Sorted ids CORR uses for one column, or None when the 20% rule refuses the alignment.

    `*_ids` are the non-NaN ids; `n_*` the full lengths (NaN rows count, as in numerai-tools).
    """
    shared = set(target_ids).intersection(prediction_ids)
    if not (
        keeps_enough(len(shared), n_targets, max_ratio)
        and keeps_enough(len(shared), n_predictions, max_ratio)
    ):
        return None
    return object_array(sorted(shared))


def mmc_ids(
    prediction_ids: Iterable[object],
    n_predictions: int,
    meta_ids: Iterable[object],
    n_meta: int,
    target_ids: Iterable[object],
    n_targets: int,
    max_ratio: float,
) -> np.ndarray | None:
    """Sorted ids MMC uses for one column, or None; numerai-tools' three alignments in order."""
    with_meta = set(meta_ids).intersection(prediction_ids)  # meta model vs predictions
    if not (
        keeps_enough(len(with_meta), n_meta, max_ratio)
        and keeps_enough(len(with_meta), n_predictions, max_ratio)
    ):
        return None
    with_target = with_meta.intersection(target_ids)  # target vs aligned predictions
    if not (
        keeps_enough(len(with_target), n_targets, max_ratio)
        and keeps_enough(len(with_target), len(with_meta), max_ratio)
    ):
        return None
    # the third alignment (target vs aligned meta model) keeps the same ids; its checks are
    # len/len == 1 on the target side and the ratio just checked on the meta side
    return object_array(sorted(with_target))


# ---- kernels: rows: (k_models, n_stocks), vectors: (n_stocks,) ----


def row_dot(rows: np.ndarray, vector: np.ndarray) -> np.ndarray:
    """`rows @ vector` as a pairwise sum along each row (same bits whatever k is): (k,)."""
    return (rows * vector).sum(axis=1)


def pearson_rows(rows: np.ndarray, target: np.ndarray) -> np.ndarray:
    """Pearson correlation of each row with `target`, as `np.corrcoef` (NaN if constant): (k,)."""
    rows_c = rows - rows.mean(axis=1, keepdims=True)  # (k, n)
    target_c = target - target.mean()  # (n,)
    covariance = row_dot(rows_c, target_c)  # (k,), unnormalised: the n - 1 cancels
    with np.errstate(invalid="ignore", divide="ignore"):
        scores = covariance / np.sqrt(row_dot(rows_c, rows_c)) / np.sqrt(target_c @ target_c)
    return np.clip(scores, -1.0, 1.0)


def orthogonalize_rows(rows: np.ndarray, meta: np.ndarray) -> np.ndarray:
    """Each row minus its projection on `meta`: `p - m (p·m)/(m·m)`: (k, n)."""
    projection = row_dot(rows, meta) / (meta @ meta)  # (k,)
    return rows - projection[:, None] * meta[None, :]


def contribution_rows(
    gaussian_preds: np.ndarray, gaussian_meta: np.ndarray, centred_target: np.ndarray
) -> np.ndarray:
    """MMC of each row: `target · orthogonalize(p, m) / n`: (k,)."""
    return row_dot(orthogonalize_rows(gaussian_preds, gaussian_meta), centred_target) / len(centred_target)


def gaussian_ranks(rows: np.ndarray) -> np.ndarray:
    """Rank then gaussianize each row: (k, n) -> (k, n)."""
    return gaussian_rank_rows(rows)


def model_block(values_t: np.ndarray, columns: np.ndarray, rows: np.ndarray | None = None) -> np.ndarray:
    """Contiguous copy of `values_t[columns][:, rows]`: (k, n_rows); rows None = all."""
    if rows is None:
        return np.ascontiguousarray(values_t[columns])
    return np.take(values_t[columns], rows, axis=1)  # two plain gathers: faster than one np.ix_


# ---- targets and meta model on an aligned id set ----


def corr_target(centred_targets: LabelledColumn, ids: np.ndarray) -> np.ndarray:
    """The CORR target on `ids`: centred over all ids beforehand, then raised to 1.5: (n,)."""
    return signed_power_rows(centred_targets.at(ids))


def mmc_target(targets: LabelledColumn, ids: np.ndarray) -> np.ndarray:
    """The MMC target on `ids`: times 4 if it lies in [0, 1], then centred on these ids: (n,)."""
    aligned = targets.at(ids)
    if ((aligned >= 0) & (aligned <= 1)).all():
        aligned = aligned * MMC_TARGET_SCALE
    return aligned - aligned.mean()


def mmc_meta(meta_model: LabelledColumn, ids: np.ndarray) -> np.ndarray:
    """The meta model on `ids`, ranked and gaussianized: (n,)."""
    return gaussian_ranks(meta_model.at(ids).reshape(1, -1))[0]


def meta_model_of(predictions: PredictionMatrix, stakes: LabelledColumn) -> LabelledColumn:
    """`sum_j stake_j * pred_j / sum_j stake_j` per stock (NaN predictions add nothing).

    numerai-tools' `stake_weight`: raw predictions, skip-NaN sum, divided by the total stake of
    the models in `stakes` (every one of which must be a model of `predictions`), summed in
    the stakes' order.
    """
    unknown = difference(stakes.ids, predictions.models)
    if unknown:
        raise ScoringError(f"stakes name models that have no predictions: {name_some(unknown)}")
    weights = stakes.values  # (n_staked,)
    total = weights.sum()
    if not total > 0:
        raise ScoringError("cannot build a stake-weighted meta model: the total stake is not positive")
    columns = predictions.model_rows_of(stakes.ids)  # (n_staked,) rows of values_t
    weighted = np.zeros(len(predictions.ids))  # (n_stocks,)
    for start in range(0, len(columns), CHUNK_MODELS):
        block = model_block(predictions.values_t, columns[start : start + CHUNK_MODELS])  # (k, n_stocks)
        contributions = block * weights[start : start + CHUNK_MODELS, None]
        missing = np.isnan(contributions)
        if missing.any():  # np.nansum's NaN -> 0, without its copy of every block
            contributions[missing] = 0.0
        weighted += contributions.sum(axis=0)
    return LabelledColumn(predictions.ids, weighted / total)


# ---- the scoring pipeline ----


@dataclass(frozen=True)
class _Plan:
    """What to compute for one set of columns sharing one row set."""

    rows: np.ndarray  # (n_used,) positions of the aligned, sorted ids in the predictions index
    corr_target: np.ndarray | None  # (n_used,) powered centred target, or None: no CORR
    meta: np.ndarray | None  # (n_used,) gaussianized meta model, or None: no MMC
    mmc_target: np.ndarray | None  # (n_used,) scaled centred target


def _score_block(values_t: np.ndarray, columns: np.ndarray, plan: _Plan) -> np.ndarray:
    """CORR and MMC of `columns` (positions in `values_t`): (k, 2), NaN where not asked."""
    block = model_block(values_t, columns, plan.rows)  # (k, n_used)
    gaussianized = gaussian_ranks(block)
    scores = np.full((len(columns), 2), np.nan)
    if plan.corr_target is not None:
        scores[:, 0] = pearson_rows(signed_power_rows(gaussianized), plan.corr_target)
    if plan.meta is not None and plan.mmc_target is not None:
        scores[:, 1] = contribution_rows(gaussianized, plan.meta, plan.mmc_target)
    return scores


def _score_columns(
    values_t: np.ndarray, columns: np.ndarray, plan: _Plan, progress: Progress | None
) -> np.ndarray:
    """`_score_block` over blocks of `CHUNK_MODELS` columns on `WORKERS` threads: (k, 2)."""
    blocks = [columns[start : start + CHUNK_MODELS] for start in range(0, len(columns), CHUNK_MODELS)]

    def run(block_columns: np.ndarray) -> np.ndarray:
        scores = _score_block(values_t, block_columns, plan)
        if progress is not None:
            progress(len(block_columns))
        return scores

    if len(blocks) <= 1:
        return np.vstack([run(b) for b in blocks]) if blocks else np.empty((0, 2))
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        return np.vstack(list(pool.map(run, blocks)))


def _require_unique(ids: np.ndarray, what: str) -> None:
    repeated = duplicates(ids)
    if repeated:
        raise ScoringError(f"{what} has duplicate ids: {name_some(repeated)}")


def _plans_for(
    prediction_ids: np.ndarray,
    predictions: PredictionMatrix,
    targets: LabelledColumn,
    centred: LabelledColumn,
    meta_model: LabelledColumn | None,
    want_corr: bool,
    max_ratio: float,
) -> tuple[_Plan, ...] | None:
    """One plan (or a CORR plan and an MMC plan when their ids differ); None if refused.

    `prediction_ids`: the non-NaN ids of the columns planned for.
    """
    n_predictions = len(predictions.ids)
    target_ids = targets.present_ids()
    ids_corr = (
        corr_ids(prediction_ids, n_predictions, target_ids, len(targets), max_ratio) if want_corr else None
    )
    if want_corr and ids_corr is None:
        return None
    ids_mmc = None
    if meta_model is not None:
        ids_mmc = mmc_ids(
            prediction_ids,
            n_predictions,
            meta_model.present_ids(),
            len(meta_model),
            target_ids,
            len(targets),
            max_ratio,
        )
        if ids_mmc is None:
            return None
    corr_part = (
        (predictions.rows_of(ids_corr), corr_target(centred, ids_corr)) if ids_corr is not None else None
    )
    mmc_part = None
    if ids_mmc is not None and meta_model is not None:
        mmc_part = (predictions.rows_of(ids_mmc), mmc_meta(meta_model, ids_mmc), mmc_target(targets, ids_mmc))
    if corr_part and mmc_part and ids_corr is not None and ids_corr.tolist() == ids_mmc.tolist():
        return (_Plan(corr_part[0], corr_part[1], mmc_part[1], mmc_part[2]),)  # shared ranks
    plans = []
    if corr_part:
        plans.append(_Plan(corr_part[0], corr_part[1], None, None))
    if mmc_part:
        plans.append(_Plan(mmc_part[0], None, mmc_part[1], mmc_part[2]))
    return tuple(plans)


def score_matrix(
    predictions: PredictionMatrix,
    targets: LabelledColumn,
    meta_model: LabelledColumn | None = None,
    want_corr: bool = True,
    max_filtered_ratio: float = DEFAULT_MAX_FILTERED_RATIO,
    progress: Progress | None = None,
    models: np.ndarray | None = None,
) -> np.ndarray:
    """CORR (if `want_corr`) and MMC (if `meta_model` is given) of the models at positions
    `models` (default: all): (n_scored, 2), columns corr and mmc (NaN when not asked, or for a
    constant column's CORR, as numerai-tools gives).

    Raises ScoringError naming the models whose alignment drops more than 20% of the ids.
    """
    _require_unique(predictions.ids, "predictions")
    _require_unique(targets.ids, "targets")
    if meta_model is not None:
        _require_unique(meta_model.ids, "meta model")
    values_t = predictions.values_t  # (n_models, n_stocks); never written to
    scored = np.arange(values_t.shape[0]) if models is None else models  # (n_scored,) rows of values_t
    has_nan = np.isnan(values_t).any(axis=1)[scored]  # (n_scored,)
    # CORR centres over all target ids, before alignment
    centred = LabelledColumn(targets.ids, targets.values - targets.nan_mean())
    scores = np.full((len(scored), 2), np.nan)
    refused: list[object] = []

    full = np.flatnonzero(~has_nan)  # positions in `scored`
    if full.size:
        plans = _plans_for(
            predictions.ids, predictions, targets, centred, meta_model, want_corr, max_filtered_ratio
        )
        if plans is None:
            refused.extend(predictions.models[scored[full]])
        else:
            for number, plan in enumerate(plans):
                block_scores = _score_columns(values_t, scored[full], plan, progress if number == 0 else None)
                asked = ~np.isnan(block_scores)
                scores[full] = np.where(asked, block_scores, scores[full])

    for position in np.flatnonzero(has_nan):  # rare: each NaN pattern gets its own alignment
        column = scored[position]
        present = predictions.ids[~np.isnan(values_t[column])]
        plans = _plans_for(present, predictions, targets, centred, meta_model, want_corr, max_filtered_ratio)
        if plans is None:
            refused.append(predictions.models[column])
            continue
        for plan in plans:
            one = _score_block(values_t, np.array([column]), plan)[0]
            scores[position] = np.where(np.isnan(one), scores[position], one)
        if progress is not None:
            progress(1)

    if refused:
        raise ScoringError(
            f"aligning these models with the targets/meta model drops more than "
            f"{max_filtered_ratio:.0%} of the ids: {name_some(refused)}"
        )
    return scores


# ---- the pandas API ----


def stake_weighted_meta_model(predictions: pd.DataFrame, stakes: pd.Series) -> pd.Series:
    """The stake-weighted meta model (`meta_model_of`) of a predictions frame: (n_stocks,) by id."""
    import pandas as pd

    meta = meta_model_of(PredictionMatrix.from_frame(predictions), LabelledColumn.from_series(stakes))
    return pd.Series(meta.values, index=predictions.index, name="meta_model")


def score_models(
    predictions: pd.DataFrame,
    targets: pd.Series,
    meta_model: pd.Series | None = None,
    want_corr: bool = True,
    max_filtered_ratio: float = DEFAULT_MAX_FILTERED_RATIO,
    progress: Progress | None = None,
) -> pd.DataFrame:
    """CORR (if `want_corr`) and MMC (if `meta_model` is given) of every column of `predictions`.

    predictions: (n_stocks, n_models) indexed by id; targets, meta_model: indexed by id.
    Returns a frame indexed like `predictions.columns` with columns `corr` and `mmc` (NaN when
    not asked, or for a constant column's CORR, as numerai-tools gives).
    Raises ScoringError naming the columns whose alignment drops more than 20% of the ids.
    """
    import pandas as pd

    scores = score_matrix(
        PredictionMatrix.from_frame(predictions),
        LabelledColumn.from_series(targets),
        None if meta_model is None else LabelledColumn.from_series(meta_model),
        want_corr,
        max_filtered_ratio,
        progress,
    )
    return pd.DataFrame(scores, index=predictions.columns, columns=["corr", "mmc"])


def numerai_corr(
    predictions: pd.DataFrame, targets: pd.Series, max_filtered_ratio: float = DEFAULT_MAX_FILTERED_RATIO
) -> pd.Series:
    """Numerai CORR of each column (numerai-tools `numerai_corr`, per column): (n_models,)."""
    return score_models(predictions, targets, None, True, max_filtered_ratio)["corr"].rename(None)


def correlation_contribution(
    predictions: pd.DataFrame,
    meta_model: pd.Series,
    targets: pd.Series,
    max_filtered_ratio: float = DEFAULT_MAX_FILTERED_RATIO,
) -> pd.Series:
    """MMC of each column (numerai-tools `correlation_contribution`, per column): (n_models,)."""
    return score_models(predictions, targets, meta_model, False, max_filtered_ratio)["mmc"].rename(None)
