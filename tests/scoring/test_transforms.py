"""rank / gaussian / signed power: hand-checkable cases and pandas/scipy on random input."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from scipy import stats

from nmr_pools.scoring import gaussian, rank_gaussian_power, signed_power, tie_kept_rank


def test_rank__without_ties__is_position_minus_half_over_n():
    assert tie_kept_rank(np.array([0.3, 0.1, 0.2])).tolist() == [2.5 / 3, 0.5 / 3, 1.5 / 3]


def test_rank__with_ties__averages_them():
    # sorted: 0.1, 0.5, 0.5, 0.9 -> ranks 1, 2.5, 2.5, 4
    assert tie_kept_rank(np.array([0.5, 0.1, 0.9, 0.5])).tolist() == [0.5, 0.125, 0.875, 0.5]


def test_rank__tiny_n__single_value_and_all_tied_are_one_half():
    assert tie_kept_rank(np.array([0.7])).tolist() == [0.5]
    assert tie_kept_rank(np.array([0.2, 0.2, 0.2])).tolist() == [0.5, 0.5, 0.5]


def test_rank__negative_zero_ties_with_zero():
    assert tie_kept_rank(np.array([0.0, -0.0, -1.0])).tolist() == [2 / 3, 2 / 3, 0.5 / 3]


def test_rank__columns_are_independent():
    table = np.array([[1.0, 3.0], [2.0, 2.0], [3.0, 1.0]])  # (n_stocks, n_models)
    assert tie_kept_rank(table).tolist() == [[0.5 / 3, 2.5 / 3], [1.5 / 3, 1.5 / 3], [2.5 / 3, 0.5 / 3]]


def test_gaussian__of_one_half_is_zero_and_symmetric():
    values = gaussian(np.array([0.5, 0.025, 0.975]))
    assert values[0] == 0.0
    np.testing.assert_allclose(values[1:], [-1.959963984540054, 1.959963984540054], rtol=1e-15)


def test_signed_power__keeps_sign():
    assert signed_power(np.array([-4.0, 0.0, 4.0])).tolist() == [-8.0, 0.0, 8.0]


def test_transforms__do_not_modify_input():
    table = np.array([[0.3, 0.1], [0.1, 0.1], [0.2, 0.9]])
    before = table.copy()
    tie_kept_rank(table), rank_gaussian_power(table), signed_power(table), gaussian(table[:, :1] / 2)
    np.testing.assert_array_equal(table, before)


# values with many ties (a coarse grid) as well as continuous ones
_values = st.one_of(st.floats(0, 1, allow_nan=False), st.sampled_from([0.0, 0.25, 0.5, 0.75, 1.0]))


@settings(max_examples=60, deadline=None)
@given(arrays(np.float64, st.tuples(st.integers(1, 40), st.integers(1, 6)), elements=_values))
def test_rank_gaussian_power__matches_pandas_and_scipy(table):
    frame = pd.DataFrame(table)
    ranked = frame.apply(lambda s: (s.rank(method="average").values - 0.5) / s.count())
    np.testing.assert_array_equal(tie_kept_rank(table), ranked.to_numpy())
    expected = ranked.apply(lambda s: stats.norm.ppf(s))
    expected = np.sign(expected) * np.abs(expected) ** 1.5
    np.testing.assert_allclose(rank_gaussian_power(table), expected.to_numpy(), rtol=1e-14, atol=1e-14)


@settings(max_examples=60, deadline=None)
@given(
    arrays(
        np.float64,
        st.tuples(st.integers(1, 5), st.integers(1, 40)),
        elements=st.sampled_from([0.0, -0.0, 0.1, 0.25, 0.5, 0.75, 1.0]) | st.floats(0, 1),
    ),
)
def test_gaussian_rank_rows__is_rank_then_ndtri_bit_for_bit(rows):
    from nmr_pools.scoring.transforms import gaussian_rank_rows, gaussian_rows, rank_rows

    expected = gaussian_rows(rank_rows(rows))
    looked_up = gaussian_rank_rows(rows)
    assert looked_up.tobytes() == expected.tobytes()  # same bits, signs of zero included


def test_normal_ndtri__scipy_bit_for_bit__table_range_and_tails():
    from scipy.special import ndtri as scipy_ndtri

    from nmr_pools.scoring.normal import ndtri, ndtri_array

    rng = np.random.default_rng(7)
    table = np.concatenate(
        [((np.arange(2 * n - 1) / 2 + 1) - 0.5) / n for n in (1, 2, 3, 7, 100, 4999, 5000)]
    )
    tails = np.concatenate(
        [10.0 ** rng.uniform(-300, -0.5, 5_000), 1 - 10.0 ** rng.uniform(-16, -0.5, 5_000)]
    )
    values = np.concatenate(
        [table, rng.random(20_000), tails, [np.nextafter(0, 1), 0.5, np.exp(-2), np.exp(-32)]]
    )
    ours = np.array([ndtri(float(v)) for v in values])
    assert ours.tobytes() == scipy_ndtri(values).tobytes()
    assert ndtri_array(values).tobytes() == scipy_ndtri(values).tobytes()
    assert ndtri(0.0) == -np.inf and ndtri(1.0) == np.inf
    with pytest.raises(ValueError, match="probability in"):
        ndtri(1.5)
    with pytest.raises(ValueError, match="strictly between 0 and 1"):
        ndtri_array(np.array([0.5, 0.0]))


def _assert_sorts(rows):
    from nmr_pools.scoring.transforms import sort_rows

    flat, ascending = sort_rows(rows)
    order = flat - np.arange(rows.shape[0])[:, None] * rows.shape[1]  # positions within each row
    assert (np.sort(order, axis=1) == np.arange(rows.shape[1])).all()  # a permutation of each row
    assert ascending.tobytes() == np.take_along_axis(rows, order, axis=1).tobytes()
    np.testing.assert_array_equal(ascending, np.sort(rows, axis=1))


@settings(max_examples=100, deadline=None)
@given(
    arrays(
        np.float64,
        st.tuples(st.integers(1, 6), st.integers(1, 70)),
        elements=st.floats(allow_nan=False) | st.sampled_from([0.0, -0.0, 5e-324, -5e-324, 1.0, -1.0]),
    )
)
def test_sort_rows__sorts_any_float_rows(rows):
    _assert_sorts(rows)


def test_sort_rows__floats_apart_only_in_their_lowest_bits__still_in_order():
    # keys keep all but the position bits of each float: these rows need the argsort fallback
    rng = np.random.default_rng(3)
    near = (np.array([0.5, -0.5]).view(np.int64)[:, None] + rng.integers(-40, 40, size=(2, 300))).view(
        np.float64
    )
    rows = np.vstack([near, rng.random((3, 300))])
    _assert_sorts(rows)
