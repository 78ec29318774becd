"""Labelled arrays: the id-set operations and the mean give what the pandas expressions they replace give."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from nmr_pools.scoring.labelled import (
    LabelledColumn,
    PredictionMatrix,
    difference,
    duplicates,
    object_array,
    sorted_intersection,
)

_labels = st.lists(st.sampled_from(["n1", "n2", "n10", "N2", "007", "7", "é", "a b", ""]), max_size=12)


@settings(max_examples=200, deadline=None)
@given(_labels, _labels)
def test_id_sets__match_pandas(a, b):
    left, right = pd.Index(a, dtype=object), pd.Index(b, dtype=object)
    assert duplicates(a) == list(left[left.duplicated()].unique())
    unique_left, unique_right = left.unique(), right.unique()  # the engine intersects unique ids
    assert sorted_intersection(a, b).tolist() == list(unique_left.intersection(unique_right).sort_values())
    assert difference(a, b) == list(left.difference(right))


def test_object_array__keeps_strings_whole():
    labels = object_array(["ab", "c"])
    assert labels.dtype == object and labels.shape == (2,) and labels.tolist() == ["ab", "c"]


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.floats(-1e6, 1e6, allow_nan=False) | st.just(float("nan")) | st.sampled_from([0.1, 0.25, -0.0]),
        min_size=0,
        max_size=60,
    )
)
def test_nan_mean__is_pandas_mean_bit_for_bit(values):
    series = pd.Series(values, index=[f"n{i}" for i in range(len(values))], dtype=np.float64)
    ours = LabelledColumn.from_series(series).nan_mean()
    theirs = series.mean()
    assert (np.isnan(ours) and np.isnan(theirs)) or np.float64(ours).tobytes() == np.float64(theirs).tobytes()


def test_column__at_and_present_ids_follow_loc_and_dropna():
    series = pd.Series([0.5, np.nan, 0.25], index=["b", "a", "c"])
    column = LabelledColumn.from_series(series)
    assert column.at(["c", "b"]).tolist() == series.loc[["c", "b"]].tolist()
    assert column.present_ids().tolist() == series.dropna().index.tolist()


def test_matrix__from_frame_is_model_major_and_finds_rows():
    frame = pd.DataFrame({"m1": [0.1, 0.2, 0.3], "m2": [0.4, 0.5, 0.6]}, index=["x", "y", "z"])
    matrix = PredictionMatrix.from_frame(frame)
    assert matrix.shape == (3, 2) and matrix.values_t.tolist() == [[0.1, 0.2, 0.3], [0.4, 0.5, 0.6]]
    assert matrix.rows_of(["z", "x"]).tolist() == [2, 0] and matrix.model_rows_of(["m2"]).tolist() == [1]
    assert matrix.column(1).at(["y"]).tolist() == [0.5]
