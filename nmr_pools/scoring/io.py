"""Reading a round's inputs from Parquet or CSV, with the file-level checks.

Formats (the suffix decides: `.parquet`/`.pq` or `.csv`):

- predictions, wide: `id` + one numeric column per model (the column name is the model id);
  or long: exactly `id, model, prediction`. Missing (id, model) pairs of a long file are NaN.
- targets and meta model: `id` + exactly one numeric column (any name, e.g. `target`).
- stakes: exactly `model, stake` (NMR, one row per model).

Ids and model ids are read as strings. CSV is read with pyarrow's multithreaded reader (pandas'
as a fallback where pyarrow cannot load); either way numbers are parsed with round-trip
precision, so a float written with `repr` reads back bit for bit. Every problem raises ScoringError naming
the file and the offending columns/ids; nothing here checks values against other files.

These readers give pandas objects; the `score` command reads through `inputs` instead, which
takes CSV files straight to arrays without importing pandas and comes back here for anything
else (and for every error message).
"""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path
from types import ModuleType

import numpy as np
import pandas as pd

from nmr_pools.scoring import csv_arrow
from nmr_pools.scoring.errors import ScoringError, name_some

PARQUET_SUFFIXES = (".parquet", ".pq")
CSV_SUFFIXES = (".csv",)
ID = "id"
LONG_COLUMNS = ["id", "model", "prediction"]
STAKE_COLUMNS = ["model", "stake"]


# ---- raw tables ----


def parquet_module() -> ModuleType:
    """`pyarrow.parquet`, imported on first use; ScoringError if this environment lacks it.

    (A pyarrow built for NumPy 2 fails to import next to NumPy 1.x; CSV still works then.)
    """
    try:
        import pyarrow.parquet
    except ImportError as error:
        raise ScoringError(f"Parquet support is unavailable here ({error}); use .csv files") from None
    return pyarrow.parquet


def _header(path: Path) -> list[str]:
    """Column names exactly as stored (pandas would silently rename duplicates)."""
    if path.suffix.lower() in PARQUET_SUFFIXES:
        schema = parquet_module().read_schema(path)
        return [name for name in schema.names if not name.startswith("__index_level_")]
    return csv_arrow.csv_header(path)


def _check_header(header: list[str], source: Path) -> None:
    """Every column named, no name twice (checked before parsing: readers rename or merge)."""
    blank = [name for name in header if str(name).strip() == ""]
    if blank:
        raise ScoringError(f"{source}: has {len(blank)} column(s) without a name")
    duplicated = sorted(name for name, count in Counter(header).items() if count > 1)
    if duplicated:
        raise ScoringError(f"{source}: duplicate columns: {name_some(duplicated)}")


def _read_csv_arrow(source: Path, header: list[str]) -> pd.DataFrame | None:
    """The file through pyarrow (`csv_arrow`), as a frame whose numbers are one float64 block;
    None when pyarrow cannot take the file (the caller then reads it with pandas)."""
    columns = csv_arrow.read_columns(source, header)
    if columns is None:
        return None
    frame = pd.DataFrame(columns.block.T, columns=columns.numbers, copy=False)  # (n_rows, n_numeric), a view
    for name, values in columns.text.items():
        frame.insert(header.index(name), name, values)
    return frame


def _read_csv_pandas(source: Path) -> pd.DataFrame:
    """pandas' reader with round-trip float parsing (where pyarrow cannot load, or refuses the file)."""
    return pd.read_csv(
        source, dtype={ID: str, "model": str}, float_precision="round_trip", keep_default_na=True
    )


def _read_csv(source: Path, header: list[str]) -> pd.DataFrame:
    frame = _read_csv_arrow(source, header)
    return _read_csv_pandas(source) if frame is None else frame


def read_table(path: str | os.PathLike[str]) -> pd.DataFrame:
    """A Parquet/CSV file as a frame with string `id`/`model` columns; ScoringError if unreadable."""
    source = Path(path)
    suffix = source.suffix.lower()
    if suffix not in PARQUET_SUFFIXES + CSV_SUFFIXES:
        raise ScoringError(f"{source}: unsupported file type {suffix or '(none)'!r}; use .parquet or .csv")
    try:
        header = _header(source)
        _check_header(header, source)
        if suffix in PARQUET_SUFFIXES:
            table = pd.read_parquet(source)
            if ID in (table.index.names or []):
                table = table.reset_index()
        else:
            table = _read_csv(source, header)
    except ScoringError:
        raise
    except (
        OSError,
        ValueError,
        UnicodeDecodeError,
        StopIteration,
    ) as error:  # pyarrow/pandas errors are ValueErrors
        raise ScoringError(f"{source}: cannot read the file: {error}") from None
    except Exception as error:  # pyarrow raises its own ArrowException family too
        raise ScoringError(f"{source}: cannot read the file: {type(error).__name__}: {error}") from None
    finally:
        csv_arrow.forget(source)  # a prefetched read the refusal above left unused
    table.columns = [str(name) for name in table.columns]
    if table.empty:
        raise ScoringError(f"{source}: the file has no rows")
    return table


def _string_column(table: pd.DataFrame, column: str, source: object) -> pd.Series:
    """`column` as strings; ScoringError if any is missing or blank."""
    values = table[column]
    missing = values.isna() | (values.astype(str).str.strip() == "")
    if missing.any():
        rows = [int(i) + 1 for i in np.flatnonzero(missing.to_numpy())]
        raise ScoringError(f"{source}: column {column!r} is empty in data row(s) {name_some(rows)}")
    return values.astype(str)


def _numeric(table: pd.DataFrame, columns: list[str], source: object) -> pd.DataFrame:
    """The given columns as float64; ScoringError naming the non-numeric ones."""
    dtypes = table.dtypes  # one lookup per column, not one Series each
    bad = [
        c
        for c in columns
        if not pd.api.types.is_numeric_dtype(dtypes[c]) or pd.api.types.is_bool_dtype(dtypes[c])
    ]
    if bad:
        raise ScoringError(f"{source}: non-numeric column(s): {name_some(bad)}")
    if list(columns) == [name for name in table.columns if name != ID]:
        # every column but the ids: drop the id column from a shallow copy, which shares the
        # numbers' block instead of copying it (40 MB at 5,000 x 1,000, and its page faults)
        numbers = table.copy(deep=False)
        if ID in numbers.columns:
            del numbers[ID]
    else:
        numbers = table[columns]
    return numbers.astype(np.float64, copy=False)


def _unique_index(values: pd.Series, what: str, source: object) -> pd.Index:
    index = pd.Index(values, name=ID)
    duplicated = index[index.duplicated()].unique()
    if len(duplicated):
        raise ScoringError(f"{source}: duplicate {what}: {name_some(duplicated)}")
    return index


# ---- the four inputs ----


def predictions_from_table(table: pd.DataFrame, source: object = "predictions") -> pd.DataFrame:
    """Wide or long table -> (n_stocks, n_models) float64 frame indexed by id, columns = model ids."""
    columns = list(table.columns)
    if ID not in columns:
        raise ScoringError(f"{source}: no 'id' column (columns: {name_some(columns)})")
    if sorted(columns) == sorted(LONG_COLUMNS):
        ids = _string_column(table, "id", source)
        models = _string_column(table, "model", source)
        values = _numeric(table, ["prediction"], source)["prediction"]
        pairs = pd.MultiIndex.from_arrays([ids, models])
        repeated = pairs[pairs.duplicated()].unique()
        if len(repeated):
            raise ScoringError(f"{source}: duplicate (id, model) rows: {name_some(repeated)}")
        wide = pd.Series(values.to_numpy(), index=pairs).unstack()
        wide.index.name, wide.columns.name = ID, None
        return wide.astype(np.float64)
    models = [c for c in columns if c != ID]
    if not models:
        raise ScoringError(
            f"{source}: no model columns besides 'id' (long format needs exactly {LONG_COLUMNS})"
        )
    index = _unique_index(_string_column(table, ID, source), "ids", source)
    frame = _numeric(table, models, source)
    frame.index = index
    return frame


def series_from_table(table: pd.DataFrame, what: str, source: object) -> pd.Series:
    """`id` + one numeric column -> float64 series indexed by id (targets, meta model)."""
    columns = list(table.columns)
    others = [c for c in columns if c != ID]
    if ID not in columns or len(others) != 1:
        raise ScoringError(
            f"{source}: {what} needs columns 'id' and exactly one value column, got {name_some(columns)}"
        )
    index = _unique_index(_string_column(table, ID, source), "ids", source)
    values = _numeric(table, others, source)[others[0]]
    return pd.Series(values.to_numpy(), index=index, name=others[0])


def stakes_from_table(table: pd.DataFrame, source: object = "stakes") -> pd.Series:
    """`model, stake` -> float64 series of NMR indexed by model id (finite, >= 0)."""
    if sorted(table.columns) != sorted(STAKE_COLUMNS):
        raise ScoringError(
            f"{source}: stakes need exactly columns {STAKE_COLUMNS}, got {name_some(table.columns)}"
        )
    index = _unique_index(_string_column(table, "model", source), "models", source)
    stakes = pd.Series(
        _numeric(table, ["stake"], source)["stake"].to_numpy(), index=index.rename("model"), name="stake"
    )
    bad = stakes.index[~(np.isfinite(stakes.to_numpy()) & (stakes.to_numpy() >= 0))]
    if len(bad):
        raise ScoringError(f"{source}: stakes must be finite and >= 0; bad for models {name_some(bad)}")
    return stakes


def read_predictions(path: str | os.PathLike[str]) -> pd.DataFrame:
    """Predictions file (wide or long) -> (n_stocks, n_models) frame indexed by id."""
    return predictions_from_table(read_table(path), path)


def read_targets(path: str | os.PathLike[str]) -> pd.Series:
    """Targets file (`id`, one value column) -> series indexed by id."""
    return series_from_table(read_table(path), "targets", path).rename("target")


def read_meta_model(path: str | os.PathLike[str]) -> pd.Series:
    """Meta model file (`id`, one value column) -> series indexed by id."""
    return series_from_table(read_table(path), "meta model", path).rename("meta_model")


def read_stakes(path: str | os.PathLike[str]) -> pd.Series:
    """Stakes file (`model, stake`) -> series of NMR indexed by model id."""
    return stakes_from_table(read_table(path), path)
