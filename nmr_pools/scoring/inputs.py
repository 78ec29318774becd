"""A round's input files read straight into labelled arrays, without pandas: the `score` command's readers.

A CSV file goes through pyarrow (`csv_arrow`): its `id`/`model` column becomes the labels and
its parsed float64 block the values, no copy. Whatever this path does not take as it is — a
Parquet file, long-format predictions, a file pyarrow refuses, or one that fails a check (a
missing or repeated id, a bad stake, no rows) — is read by the pandas readers of `io`
(imported only then) and converted: they give the same numbers, or the error that names the
problem, so every file check has one implementation (and one wording).
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from nmr_pools.scoring import csv_arrow
from nmr_pools.scoring.labelled import LabelledColumn, PredictionMatrix, duplicates, object_array

ID = "id"
STAKE_COLUMNS = ["model", "stake"]


def _csv_columns(path: str | os.PathLike[str]) -> csv_arrow.ArrowColumns | None:
    """A CSV file's columns through pyarrow, or None when `io` should read it (not a CSV file,
    a header `io` refuses, no rows, or anything pyarrow cannot take)."""
    source = Path(path)
    if source.suffix.lower() != ".csv":
        return None
    try:
        header = csv_arrow.csv_header(source)
        if not header or any(name.strip() == "" for name in header) or duplicates(header):
            return None
        columns = csv_arrow.read_columns(source, header)
    except Exception:  # noqa: BLE001 - `io` reads the file again and reports the problem properly
        return None
    if columns is None or columns.block.shape[1] == 0:
        return None
    return columns


def _good_labels(labels: np.ndarray) -> bool:
    """No label missing, blank or repeated (what `io` refuses, naming the rows or labels)."""
    return all(label is not None and label.strip() != "" for label in labels) and not duplicates(labels)


def read_predictions(path: str | os.PathLike[str]) -> PredictionMatrix:
    """Predictions file (wide or long) -> (n_models, n_stocks) matrix labelled by id and model id."""
    columns = _csv_columns(path)
    if columns is not None and list(columns.text) == [ID] and columns.numbers:
        ids = columns.text[ID]
        if _good_labels(ids):
            return PredictionMatrix(ids, object_array(columns.numbers), columns.block)
    from nmr_pools.scoring import io

    return PredictionMatrix.from_frame(io.read_predictions(path))


def _read_series(path: str | os.PathLike[str], reader_name: str) -> LabelledColumn:
    """`id` + one numeric column -> values by id (targets, meta model)."""
    columns = _csv_columns(path)
    if columns is not None and list(columns.text) == [ID] and len(columns.numbers) == 1:
        ids = columns.text[ID]
        if _good_labels(ids):
            return LabelledColumn(ids, columns.block[0])
    from nmr_pools.scoring import io

    return LabelledColumn.from_series(getattr(io, reader_name)(path))


def read_targets(path: str | os.PathLike[str]) -> LabelledColumn:
    """Targets file (`id`, one value column) -> targets by id."""
    return _read_series(path, "read_targets")


def read_meta_model(path: str | os.PathLike[str]) -> LabelledColumn:
    """Meta model file (`id`, one value column) -> meta model by id."""
    return _read_series(path, "read_meta_model")


def read_stakes(path: str | os.PathLike[str]) -> LabelledColumn:
    """Stakes file (`model, stake`) -> NMR by model id (finite, >= 0)."""
    columns = _csv_columns(path)
    if columns is not None and sorted(columns.header) == STAKE_COLUMNS and columns.numbers == ["stake"]:
        models, stakes = columns.text["model"], columns.block[0]
        if _good_labels(models) and (np.isfinite(stakes) & (stakes >= 0)).all():
            return LabelledColumn(models, stakes)
    from nmr_pools.scoring import io

    return LabelledColumn.from_series(io.read_stakes(path))
