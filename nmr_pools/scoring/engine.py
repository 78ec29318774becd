"""`score_round`: validated inputs in, a round's canonical results (and digest) out.

Pipeline: check the inputs as a whole (`ScoringError` stops the round) -> give each model a
status (an invalid submission scores 0, the round goes on) -> stake-weighted meta model from
the valid models unless one is given -> CORR and MMC of the valid models (`metrics`) ->
payout factor -> round return -> WAD -> results sorted by model id, encoded, hashed.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from nmr_pools.scoring.errors import ScoringError, name_some
from nmr_pools.scoring.metrics import (
    CHUNK_MODELS,
    DEFAULT_MAX_FILTERED_RATIO,
    Progress,
    corr_ids,
    mmc_ids,
    model_block,
    score_models,
    stake_weighted_meta_model,
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

# Bumped whenever a change could alter any number or byte of a results file.
ENGINE_VERSION = "1.0.0"

_RATIO = DEFAULT_MAX_FILTERED_RATIO


# ---- whole-input checks (ScoringError: the round is not scored) ----


def check_predictions(predictions: pd.DataFrame) -> None:
    """Non-empty, unique string ids and model ids, numeric values (NaN allowed, per model)."""
    if predictions.shape[0] == 0 or predictions.shape[1] == 0:
        raise ScoringError(
            f"predictions are empty ({predictions.shape[0]} ids x {predictions.shape[1]} models)"
        )
    for what, index in (("ids", predictions.index), ("model ids", predictions.columns)):
        duplicated = index[index.duplicated()].unique()
        if len(duplicated):
            raise ScoringError(f"predictions have duplicate {what}: {name_some(duplicated)}")
        bad = [name for name in index if not isinstance(name, str) or name == ""]
        if bad:
            raise ScoringError(f"predictions {what} must be non-empty strings: {name_some(bad)}")
    non_numeric = [c for c, dtype in predictions.dtypes.items() if not pd.api.types.is_float_dtype(dtype)]
    if non_numeric:
        raise ScoringError(f"predictions columns must be float: {name_some(non_numeric)}")


def check_series(values: pd.Series, what: str) -> None:
    """Non-empty, unique string ids, finite values (targets and a given meta model)."""
    if len(values) == 0:
        raise ScoringError(f"{what} are empty")
    duplicated = values.index[values.index.duplicated()].unique()
    if len(duplicated):
        raise ScoringError(f"{what} have duplicate ids: {name_some(duplicated)}")
    numbers = values.to_numpy(dtype=np.float64)
    bad = values.index[~np.isfinite(numbers)]
    if len(bad):
        raise ScoringError(f"{what} must be finite; NaN/inf at ids {name_some(bad)}")


def check_overlap(predictions: pd.DataFrame, targets: pd.Series, meta_model: pd.Series | None) -> pd.Index:
    """The ids the round scores on; ScoringError if aligning would drop more than 20% of a side."""
    ids = corr_ids(predictions.index, len(predictions), targets.index, len(targets), _RATIO)
    if ids is None:
        shared = predictions.index.intersection(targets.index)
        raise ScoringError(
            f"predictions ({len(predictions)} ids) and targets ({len(targets)} ids) share only {len(shared)} ids "
            f"(at most {_RATIO:.0%} of either may be dropped); targets without predictions: "
            f"{name_some(targets.index.difference(predictions.index))}; predictions without targets: "
            f"{name_some(predictions.index.difference(targets.index))}"
        )
    if ids.empty or targets.loc[ids].nunique() < 2:
        raise ScoringError(
            "targets are constant on the ids shared with the predictions: nothing to score against"
        )
    if meta_model is not None:
        meta_ids = mmc_ids(
            predictions.index,
            len(predictions),
            meta_model.index,
            len(meta_model),
            targets.index,
            len(targets),
            _RATIO,
        )
        if meta_ids is None:
            raise ScoringError(
                f"the meta model ({len(meta_model)} ids) shares too few ids with the predictions and targets; "
                f"missing: {name_some(ids.difference(meta_model.index))}"
            )
        if meta_model.loc[meta_ids].nunique() < 2:
            raise ScoringError("the meta model is constant on the scored ids: MMC is undefined")
    return ids


def check_stakes(stakes: pd.Series, predictions: pd.DataFrame) -> None:
    """One finite, non-negative stake per predicted model, and no others."""
    duplicated = stakes.index[stakes.index.duplicated()].unique()
    if len(duplicated):
        raise ScoringError(f"stakes have duplicate models: {name_some(duplicated)}")
    unknown = stakes.index.difference(predictions.columns)
    if len(unknown):
        raise ScoringError(f"stakes name unknown models (no predictions): {name_some(unknown)}")
    missing = predictions.columns.difference(stakes.index)
    if len(missing):
        raise ScoringError(f"stakes are missing for models (give 0 if unstaked): {name_some(missing)}")
    numbers = stakes.to_numpy(dtype=np.float64)
    bad = stakes.index[~(np.isfinite(numbers) & (numbers >= 0))]
    if len(bad):
        raise ScoringError(f"stakes must be finite and >= 0; bad for models {name_some(bad)}")


# ---- per-model status (an invalid submission scores 0, the round goes on) ----


def _out_of_range_status(column: pd.Series) -> str:
    values = column.to_numpy()
    outside = ~np.isnan(values) & ~((values >= 0) & (values <= 1))
    first = int(np.flatnonzero(outside)[0])
    return (
        f"out_of_range: {int(outside.sum())} value(s) outside [0, 1], "
        f"e.g. id {column.index[first]} = {float(values[first])!r}"
    )


def _too_many_nans(column: pd.Series, targets: pd.Series, meta_model: pd.Series | None) -> str | None:
    present = column.index[column.notna().to_numpy()]
    fine = corr_ids(present, len(column), targets.index, len(targets), _RATIO) is not None
    if fine and meta_model is not None:
        fine = (
            mmc_ids(
                present, len(column), meta_model.index, len(meta_model), targets.index, len(targets), _RATIO
            )
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


def model_statuses(
    predictions: pd.DataFrame, targets: pd.Series, meta_model: pd.Series | None, ids: pd.Index
) -> pd.Series:
    """ "ok" or "<reason>: <detail>" per model; checks in order out_of_range, NaNs, constant.

    Vectorised over models (a min and a max per model when every prediction is scored); only
    the (rare) models with NaNs are checked and aligned one by one.
    """
    values_t = predictions.to_numpy(dtype=np.float64).T  # (n_models, n_stocks), read only
    # two passes over the values: min and max propagate NaN, so a NaN low marks a row with NaNs
    low, high = values_t.min(axis=1), values_t.max(axis=1)  # (n_models,)
    has_nan = np.isnan(low)
    outside = ~has_nan & ((low < 0) | (high > 1))
    constant = ~has_nan & ~(high > low)
    rows = predictions.index.get_indexer(ids)
    if len(rows) != values_t.shape[1]:  # some predictions are not scored: constant on the scored rows only
        constant = _constant_rows(values_t, rows)
    for position in np.flatnonzero(has_nan):  # rare: NaN-aware checks, one model at a time
        row = values_t[position : position + 1]
        missing = np.isnan(row)
        outside[position] = bool((~missing & ~((row >= 0) & (row <= 1))).any())
        constant[position] = bool(_constant_rows(row, rows)[0])
    statuses = np.full(len(predictions.columns), STATUS_OK, dtype=object)
    for position in np.flatnonzero(outside | has_nan | constant):
        column = predictions.iloc[:, position]
        if outside[position]:
            statuses[position] = _out_of_range_status(column)
            continue
        nan_status = _too_many_nans(column, targets, meta_model) if has_nan[position] else None
        if nan_status is not None:
            statuses[position] = nan_status
        elif constant[position]:
            count = int(column.reindex(ids).notna().sum())
            statuses[position] = f"constant: all {count} scored predictions are equal"
    return pd.Series(statuses, index=predictions.columns, dtype=object)


# ---- the round ----


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
    payout = get_config(config) if isinstance(config, str) else config
    if isinstance(round_number, bool) or not isinstance(round_number, int | np.integer) or round_number < 1:
        raise ScoringError(f"round must be an integer >= 1, got {round_number!r}")
    check_predictions(predictions)
    check_series(targets, "targets")
    if meta_model is not None:
        check_series(meta_model, "meta model")
    check_stakes(stakes, predictions)
    ids = check_overlap(predictions, targets, meta_model)

    statuses = model_statuses(predictions, targets, meta_model, ids)
    valid = list(predictions.columns[statuses.to_numpy() == STATUS_OK])
    # a column subset is a copy: skip it in the usual case where every model is valid
    scored = predictions if len(valid) == predictions.shape[1] else predictions[valid]
    if meta_model is None and valid:
        meta_model = stake_weighted_meta_model(scored, stakes[valid])
        check_overlap(predictions, targets, meta_model)

    scores = np.full((predictions.shape[1], 2), np.nan)  # (n_models, [corr, mmc])
    valid_positions = predictions.columns.get_indexer(valid)
    if valid:
        scores[valid_positions] = score_models(scored, targets, meta_model, progress=progress).to_numpy()
    status_of = {str(model): str(status) for model, status in statuses.items()}
    undefined = valid_positions[~np.isfinite(scores[valid_positions]).all(axis=1)]
    for position in undefined:  # e.g. the target or meta model is constant on this model's ids
        status_of[str(predictions.columns[position])] = "constant: scores undefined on this model's ids"

    factor = payout_factor(float(stakes.to_numpy(dtype=np.float64).sum()), payout.stake_threshold)
    returns = round_returns(scores[:, 0], scores[:, 1], factor, payout)
    models = []
    for position, model in enumerate(predictions.columns):
        ok = status_of[model] == STATUS_OK
        models.append(
            ModelResult(
                model_id=str(model),
                corr=float(scores[position, 0]) if ok else None,
                mmc=float(scores[position, 1]) if ok else None,
                payout_factor=float(factor),
                round_return_wad=return_to_wad(float(returns[position]), payout.cap_wad) if ok else 0,
                status=status_of[model],
            )
        )
    models.sort(key=lambda m: m.model_id)
    return with_digest(
        RoundResults(int(round_number), payout.name, payout.version, ENGINE_VERSION, models, "")
    )
