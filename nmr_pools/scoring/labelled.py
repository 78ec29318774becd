"""A round's inputs as numpy arrays with their labels, and the id-set operations on them.

The engine works on these, not on pandas objects: the `score` command reads its files straight
into them (`inputs`) and never imports pandas (half a second of a run's start-up), while the
pandas API (`score_round`, `score_models`) converts its frames and series and runs the very
same code. numpy only.

The id-set operations give what the pandas expressions they replace give: `duplicates` is
`index[index.duplicated()].unique()` (each repeated label once, in the order it repeats),
`sorted_intersection(a, b)` is `a.intersection(b).sort_values()` and `difference(a, b)` is
`a.difference(b)`. Sorting uses Python's `<`, as pandas does for an index of strings.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import pandas as pd


def object_array(labels: Iterable[object]) -> np.ndarray:
    """Labels as a 1-d object array (strings stay Python strings, never split into characters)."""
    items = list(labels)
    array = np.empty(len(items), dtype=object)
    array[:] = items
    return array


# ---- id sets ----


def duplicates(labels: Iterable[object]) -> list[object]:
    """Every label that occurs more than once, once each, in the order of its second occurrence."""
    labels = list(labels)
    if len(set(labels)) == len(labels):
        return []  # the usual case, decided without a Python loop
    seen: set[object] = set()
    repeated: dict[object, None] = {}  # insertion-ordered set
    for label in labels:
        if label in seen:
            repeated[label] = None
        else:
            seen.add(label)
    return list(repeated)


def sorted_intersection(a: Iterable[object], b: Iterable[object]) -> np.ndarray:
    """The labels in both, sorted: (n_shared,) object."""
    return object_array(sorted(set(a).intersection(b)))


def difference(a: Iterable[object], b: Iterable[object]) -> list[object]:
    """The labels of `a` that `b` lacks, once each: sorted, except (as pandas) when `b` is empty
    or the labels cannot be ordered, then in `a`'s order."""
    others = set(b)
    missing = [label for label in dict.fromkeys(a) if label not in others]
    if not others:
        return missing
    try:
        return sorted(missing)
    except TypeError:
        return missing


def positions(labels: np.ndarray) -> dict[object, int]:
    """label -> its position (for unique labels)."""
    return dict(zip(labels.tolist(), range(len(labels)), strict=True))


def _lookup(position_of: dict[object, int], labels: Iterable[object]) -> np.ndarray:
    """The positions of `labels` (KeyError for an unknown one): (n,) intp."""
    return np.fromiter(map(position_of.__getitem__, labels), dtype=np.intp)


# ---- containers ----


@dataclass(frozen=True)
class LabelledColumn:
    """Numbers labelled by id: targets or a meta model (by stock id), stakes (by model id)."""

    ids: np.ndarray  # (n,) object: the labels, unique once checked
    values: np.ndarray  # (n,) float64, NaN where missing

    @classmethod
    def from_series(cls, series: pd.Series) -> LabelledColumn:
        return cls(object_array(series.index), series.to_numpy(dtype=np.float64))

    def __len__(self) -> int:
        return len(self.ids)

    @cached_property
    def position_of(self) -> dict[object, int]:
        """id -> row (the ids must be unique)."""
        return positions(self.ids)

    def at(self, ids: Iterable[object]) -> np.ndarray:
        """The values at `ids`, in that order (`series.loc[ids]`): (len(ids),) float64."""
        return self.values[_lookup(self.position_of, ids)]

    def present_ids(self) -> np.ndarray:
        """The ids whose value is not NaN, in order (`series.dropna().index`)."""
        return self.ids[~np.isnan(self.values)]

    def nan_mean(self) -> float:
        """Mean of the non-NaN values, as pandas' `Series.mean()` computes it (NaN read as 0 in a
        pairwise sum, divided by the count): the same bits."""
        missing = np.isnan(self.values)
        count = len(self.values) - int(missing.sum())
        total = np.where(missing, 0.0, self.values).sum() if missing.any() else self.values.sum()
        return float(np.float64(total) / np.float64(count)) if count else float("nan")


@dataclass(frozen=True)
class PredictionMatrix:
    """A round's predictions: one row of values per model, labelled by stock id and model id."""

    ids: np.ndarray  # (n_stocks,) object: stock ids
    models: np.ndarray  # (n_models,) object: model ids
    values_t: np.ndarray  # (n_models, n_stocks) float64, NaN where missing; never written to

    @classmethod
    def from_frame(cls, frame: pd.DataFrame) -> PredictionMatrix:
        """(n_stocks, n_models) frame -> model-major matrix (a view of a single float block)."""
        return cls(object_array(frame.index), object_array(frame.columns), frame.to_numpy(dtype=np.float64).T)

    @property
    def shape(self) -> tuple[int, int]:
        """(n_stocks, n_models), like the table the predictions came from."""
        return len(self.ids), len(self.models)

    @cached_property
    def position_of(self) -> dict[object, int]:
        """stock id -> column of `values_t` (the ids must be unique)."""
        return positions(self.ids)

    @cached_property
    def model_position_of(self) -> dict[object, int]:
        """model id -> row of `values_t` (the model ids must be unique)."""
        return positions(self.models)

    def rows_of(self, ids: Iterable[object]) -> np.ndarray:
        """Positions of `ids` among the stock ids (`index.get_indexer(ids)`, all present): (n,) intp."""
        return _lookup(self.position_of, ids)

    def model_rows_of(self, models: Iterable[object]) -> np.ndarray:
        """Rows of `values_t` of `models` (all present): (n,) intp."""
        return _lookup(self.model_position_of, models)

    def column(self, model: int) -> LabelledColumn:
        """One model's predictions by stock id."""
        return LabelledColumn(self.ids, self.values_t[model])
