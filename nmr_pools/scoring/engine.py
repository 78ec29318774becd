"""`score_round`: validated inputs in, a round's canonical results (and digest) out.

Pipeline: check the inputs as a whole (`ScoringError` stops the round) -> give each model a
status (an invalid submission scores 0, the round goes on) -> stake-weighted meta model from
the valid models unless one is given -> CORR and MMC of the valid models (`metrics`) ->
payout factor -> round return -> WAD -> results sorted by model id, encoded, hashed.

`score_round_arrays` runs it on labelled arrays (`labelled`, no pandas: the `score` command's
path); `score_round` takes pandas objects, checks their dtypes and converts them at the door.
"""

from __future__ import annotations

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
from nmr_pools.scoring.metrics import (
    CHUNK_MODELS,
    DEFAULT_MAX_FILTERED_RATIO,
    Progress,
    corr_ids,
    meta_model_of,
    mmc_ids,
    model_block,
    score_matrix,
)
from nmr_pools.scoring.payout import (
    DEFAULT_CONFIG,
    PayoutConfig,
    get_config,
    payout_factor,
    return_to_wad,
    round_returns,
)
from nmr_pools.scoring.results import STATUS_OK, ModelResult, RoundResults, with_digest

if TYPE_CHECKING:
    import pandas as pd

# Bumped whenever a change could alter any number or byte of a results file.
ENGINE_VERSION = "1.0.0"

_RATIO = DEFAULT_MAX_FILTERED_RATIO


# ---- whole-input checks (ScoringError: the round is not scored) ----


def check_prediction_labels(ids: np.ndarray, models: np.ndarray) -> None:
    """Non-empty, unique string ids and model ids: (n_stocks,) and (n_models,) labels."""
    if len(ids) == 0 or len(models) == 0:
        raise ScoringError(f"predictions are empty ({len(ids)} ids x {len(models)} models)")
    for what, labels in (("ids", ids), ("model ids", models)):
        repeated = duplicates(labels)
        if repeated:
            raise ScoringError(f"predictions have duplicate {what}: {name_some(repeated)}")
        bad = [name for name in labels if not isinstance(name, str) or name == ""]
        if bad:
            raise ScoringError(f"predictions {what} must be non-empty strings: {name_some(bad)}")


def check_predictions(predictions: pd.DataFrame) -> None:
    """Non-empty, unique string ids and model ids, numeric values (NaN allowed, per model)."""
    from pandas.api.types import is_float_dtype

    check_prediction_labels(object_array(predictions.index), object_array(predictions.columns))
    non_numeric = [c for c, dtype in predictions.dtypes.items() if not is_float_dtype(dtype)]
    if non_numeric:
        raise ScoringError(f"predictions columns must be float: {name_some(non_numeric)}")


def check_series(values: LabelledColumn, what: str) -> None:
    """Non-empty, unique string ids, finite values (targets and a given meta model)."""
    if len(values) == 0:
        raise ScoringError(f"{what} are empty")
    repeated = duplicates(values.ids)
    if repeated:
        raise ScoringError(f"{what} have duplicate ids: {name_some(repeated)}")
    bad = values.ids[~np.isfinite(values.values)]
    if len(bad):
        raise ScoringError(f"{what} must be finite; NaN/inf at ids {name_some(bad)}")


def _fewer_than_two_values(values: np.ndarray) -> bool:
    """`Series.nunique() < 2`: fewer than two distinct non-NaN values."""
    return len(np.unique(values[~np.isnan(values)])) < 2


def check_overlap(
    predictions: PredictionMatrix, targets: LabelledColumn, meta_model: LabelledColumn | None
) -> np.ndarray:
    """The ids the round scores on, sorted; ScoringError if aligning would drop more than 20% of a side."""
    ids = corr_ids(predictions.ids, len(predictions.ids), targets.ids, len(targets), _RATIO)
    if ids is None:
        shared = set(predictions.ids).intersection(targets.ids)
        raise ScoringError(
            f"predictions ({len(predictions.ids)} ids) and targets ({len(targets)} ids) share only {len(shared)} ids "
            f"(at most {_RATIO:.0%} of either may be dropped); targets without predictions: "
            f"{name_some(difference(targets.ids, predictions.ids))}; predictions without targets: "
            f"{name_some(difference(predictions.ids, targets.ids))}"
        )
    if len(ids) == 0 or _fewer_than_two_values(targets.at(ids)):
        raise ScoringError(
            "targets are constant on the ids shared with the predictions: nothing to score against"
        )
    if meta_model is not None:
        meta_ids = mmc_ids(
            predictions.ids,
            len(predictions.ids),
            meta_model.ids,
            len(meta_model),
            targets.ids,
            len(targets),
            _RATIO,
        )
        if meta_ids is None:
            raise ScoringError(
                f"the meta model ({len(meta_model)} ids) shares too few ids with the predictions and targets; "
                f"missing: {name_some(difference(ids, meta_model.ids))}"
            )
        if _fewer_than_two_values(meta_model.at(meta_ids)):
            raise ScoringError("the meta model is constant on the scored ids: MMC is undefined")
    return ids


def check_stakes(stakes: LabelledColumn, predictions: PredictionMatrix) -> None:
    """One finite, non-negative stake per predicted model, and no others."""
    repeated = duplicates(stakes.ids)
    if repeated:
        raise ScoringError(f"stakes have duplicate models: {name_some(repeated)}")
    unknown = difference(stakes.ids, predictions.models)
    if unknown:
        raise ScoringError(f"stakes name unknown models (no predictions): {name_some(unknown)}")
    missing = difference(predictions.models, stakes.ids)
    if missing:
        raise ScoringError(f"stakes are missing for models (give 0 if unstaked): {name_some(missing)}")
    numbers = stakes.values
    bad = stakes.ids[~(np.isfinite(numbers) & (numbers >= 0))]
    if len(bad):
        raise ScoringError(f"stakes must be finite and >= 0; bad for models {name_some(bad)}")


# ---- per-model status (an invalid submission scores 0, the round goes on) ----


def _out_of_range_status(column: LabelledColumn) -> str:
    values = column.values
    outside = ~np.isnan(values) & ~((values >= 0) & (values <= 1))
    first = int(np.flatnonzero(outside)[0])
    return (
        f"out_of_range: {int(outside.sum())} value(s) outside [0, 1], "
        f"e.g. id {column.ids[first]} = {float(values[first])!r}"
    )


def _too_many_nans(
    column: LabelledColumn, targets: LabelledColumn, meta_model: LabelledColumn | None
) -> str | None:
    present = column.present_ids()
    fine = corr_ids(present, len(column), targets.ids, len(targets), _RATIO) is not None
    if fine and meta_model is not None:
        fine = (
            mmc_ids(present, len(column), meta_model.ids, len(meta_model), targets.ids, len(targets), _RATIO)
            is not None
        )
    if fine:
        return None
    return (
        f"too_many_nans: {len(column) - len(present)} of {len(column)} predictions are NaN; "
        f"aligning with the targets would drop more than {_RATIO:.0%} of the ids"
    )


def _constant_rows(values_t: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """True for models whose non-NaN values on `rows` are all equal (or fewer than two): (n_models,)."""
    constant = np.empty(values_t.shape[0], dtype=bool)
    for start in range(0, values_t.shape[0], CHUNK_MODELS):
        block = model_block(values_t, np.arange(start, min(start + CHUNK_MODELS, len(values_t))), rows)
        missing = np.isnan(block)
        low = np.where(missing, np.inf, block).min(axis=1)
        high = np.where(missing, -np.inf, block).max(axis=1)
        constant[start : start + CHUNK_MODELS] = ~(high > low)
    return constant


def statuses_of(
    predictions: PredictionMatrix,
    targets: LabelledColumn,
    meta_model: LabelledColumn | None,
    ids: np.ndarray,
) -> list[str]:
    """ "ok" or "<reason>: <detail>" per model, in model order; checks in order out_of_range,
    NaNs, constant.

    Vectorised over models (a min and a max per model when every prediction is scored); only
    the (rare) models with NaNs are checked and aligned one by one.
    """
    values_t = predictions.values_t  # (n_models, n_stocks), read only
    # two passes over the values: min and max propagate NaN, so a NaN low marks a row with NaNs
    low, high = values_t.min(axis=1), values_t.max(axis=1)  # (n_models,)
    has_nan = np.isnan(low)
    outside = ~has_nan & ((low < 0) | (high > 1))
    constant = ~has_nan & ~(high > low)
    rows = predictions.rows_of(ids)
    if len(rows) != values_t.shape[1]:  # some predictions are not scored: constant on the scored rows only
        constant = _constant_rows(values_t, rows)
    for position in np.flatnonzero(has_nan):  # rare: NaN-aware checks, one model at a time
        row = values_t[position : position + 1]
        missing = np.isnan(row)
        outside[position] = bool((~missing & ~((row >= 0) & (row <= 1))).any())
        constant[position] = bool(_constant_rows(row, rows)[0])
    statuses = [STATUS_OK] * len(predictions.models)
    for position in np.flatnonzero(outside | has_nan | constant):
        column = predictions.column(position)
        if outside[position]:
            statuses[position] = _out_of_range_status(column)
            continue
        nan_status = _too_many_nans(column, targets, meta_model) if has_nan[position] else None
        if nan_status is not None:
            statuses[position] = nan_status
        elif constant[position]:
            count = int((~np.isnan(column.values[rows])).sum())
            statuses[position] = f"constant: all {count} scored predictions are equal"
    return statuses


def model_statuses(
    predictions: pd.DataFrame, targets: pd.Series, meta_model: pd.Series | None, ids: pd.Index
) -> pd.Series:
    """`statuses_of` for pandas inputs: a status per model, indexed by model id."""
    import pandas as pd

    statuses = statuses_of(
        PredictionMatrix.from_frame(predictions),
        LabelledColumn.from_series(targets),
        None if meta_model is None else LabelledColumn.from_series(meta_model),
        object_array(ids),
    )
    return pd.Series(statuses, index=predictions.columns, dtype=object)


# ---- the round ----


def _payout_and_round(config: PayoutConfig | str, round_number: int) -> PayoutConfig:
    payout = get_config(config) if isinstance(config, str) else config
    if isinstance(round_number, bool) or not isinstance(round_number, int | np.integer) or round_number < 1:
        raise ScoringError(f"round must be an integer >= 1, got {round_number!r}")
    return payout


def score_round_arrays(
    round_number: int,
    predictions: PredictionMatrix,
    targets: LabelledColumn,
    stakes: LabelledColumn,
    meta_model: LabelledColumn | None = None,
    config: PayoutConfig | str = DEFAULT_CONFIG,
    progress: Progress | None = None,
) -> RoundResults:
    """`score_round` on labelled arrays (the `score` command's path: no pandas)."""
    payout = _payout_and_round(config, round_number)
    check_prediction_labels(predictions.ids, predictions.models)
    check_series(targets, "targets")
    if meta_model is not None:
        check_series(meta_model, "meta model")
    check_stakes(stakes, predictions)
    ids = check_overlap(predictions, targets, meta_model)

    statuses = statuses_of(predictions, targets, meta_model, ids)
    valid = np.flatnonzero(np.array(statuses, dtype=object) == STATUS_OK)  # (n_valid,) model positions
    if meta_model is None and len(valid):
        valid_models = predictions.models[valid]
        meta_model = meta_model_of(predictions, LabelledColumn(valid_models, stakes.at(valid_models)))
        check_overlap(predictions, targets, meta_model)

    scores = np.full((len(predictions.models), 2), np.nan)  # (n_models, [corr, mmc])
    if len(valid):
        scores[valid] = score_matrix(predictions, targets, meta_model, progress=progress, models=valid)
    status_of = {str(model): str(status) for model, status in zip(predictions.models, statuses, strict=True)}
    undefined = valid[~np.isfinite(scores[valid]).all(axis=1)]
    for position in undefined:  # e.g. the target or meta model is constant on this model's ids
        status_of[str(predictions.models[position])] = "constant: scores undefined on this model's ids"

    factor = payout_factor(float(stakes.values.sum()), payout.stake_threshold)
    returns = round_returns(scores[:, 0], scores[:, 1], factor, payout)
    cap_wad = payout.cap_wad  # a property that converts through decimal: once, not per model
    models = []
    for position, model in enumerate(predictions.models):
        ok = status_of[model] == STATUS_OK
        models.append(
            ModelResult(
                model_id=str(model),
                corr=float(scores[position, 0]) if ok else None,
                mmc=float(scores[position, 1]) if ok else None,
                payout_factor=float(factor),
                round_return_wad=return_to_wad(float(returns[position]), cap_wad) if ok else 0,
                status=status_of[model],
            )
        )
    models.sort(key=lambda m: m.model_id)
    return with_digest(
        RoundResults(int(round_number), payout.name, payout.version, ENGINE_VERSION, models, "")
    )


def score_round(
    round_number: int,
    predictions: pd.DataFrame,
    targets: pd.Series,
    stakes: pd.Series,
    meta_model: pd.Series | None = None,
    config: PayoutConfig | str = DEFAULT_CONFIG,
    progress: Progress | None = None,
) -> RoundResults:
    """Score every model of a round and return its canonical results with their digest.

    predictions: (n_stocks, n_models) in [0, 1], indexed by id, one column per model id.
    targets: (n_targets,) by id. stakes: NMR by model id (every model, 0 allowed).
    meta_model: by id; if None, the stake-weighted mean of the valid models' predictions.
    Inputs are never modified. Raises ScoringError (naming the problem) on bad input.
    """
    payout = _payout_and_round(config, round_number)
    check_predictions(predictions)
    return score_round_arrays(
        round_number,
        PredictionMatrix.from_frame(predictions),
        LabelledColumn.from_series(targets),
        LabelledColumn.from_series(stakes),
        None if meta_model is None else LabelledColumn.from_series(meta_model),
        payout,
        progress,
    )
