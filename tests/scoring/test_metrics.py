"""CORR and MMC: hand-checkable cases, and the slow per-model reference on random rounds."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scoring_reference as ref
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from scipy.special import ndtri

from nmr_pools.scoring import (
    ScoringError,
    correlation_contribution,
    numerai_corr,
    score_models,
    stake_weighted_meta_model,
)

TOLERANCE = 1e-12  # the engine must agree with numerai-tools' definitions to this


def _ids(n: int) -> list[str]:
    return [f"n{i:015x}" for i in range(n)]


def _gaussian_target(n: int) -> pd.Series:
    """A target already shaped like gaussianized ranks, so CORR(pred = its order) is 1."""
    return pd.Series(ndtri((np.arange(n) + 0.5) / n), index=_ids(n))


# ---- hand-checkable ----


def test_numerai_corr__perfect_predictions__is_one():
    target = _gaussian_target(50)
    predictions = pd.DataFrame({"m": np.linspace(0.01, 0.99, 50)}, index=target.index)
    assert numerai_corr(predictions, target)["m"] == pytest.approx(1.0, abs=TOLERANCE)


def test_numerai_corr__inverse_predictions__is_minus_one():
    target = _gaussian_target(50)
    predictions = pd.DataFrame({"m": np.linspace(0.99, 0.01, 50)}, index=target.index)
    assert numerai_corr(predictions, target)["m"] == pytest.approx(-1.0, abs=TOLERANCE)


def test_numerai_corr__orthogonal_predictions__is_zero():
    # target values (-x, -y, y, x); prediction ranks 3, 1, 4, 2 give (y, -x, x, -y): dot = 0
    target = _gaussian_target(4)
    predictions = pd.DataFrame({"m": [0.6, 0.2, 0.8, 0.4]}, index=target.index)
    assert numerai_corr(predictions, target)["m"] == pytest.approx(0.0, abs=TOLERANCE)


def test_numerai_corr__constant_column__is_nan_like_numerai_tools():
    target = _gaussian_target(10)
    predictions = pd.DataFrame({"m": np.full(10, 0.5)}, index=target.index)
    assert np.isnan(numerai_corr(predictions, target)["m"])


def test_correlation_contribution__predictions_equal_to_meta_model__is_zero():
    target = pd.Series([0.0, 0.25, 0.5, 0.75, 1.0, 0.5], index=_ids(6))
    meta = pd.Series([0.1, 0.4, 0.3, 0.9, 0.8, 0.5], index=target.index)
    predictions = pd.DataFrame({"m": meta.to_numpy()}, index=target.index)
    assert correlation_contribution(predictions, meta, target)["m"] == pytest.approx(0.0, abs=TOLERANCE)


def test_correlation_contribution__orthogonal_meta_model__is_covariance_with_four_times_target():
    # meta model orthogonal to the prediction: MMC = (4t - mean(4t)) . p_gaussian / n
    target = pd.Series([0.0, 0.25, 0.75, 1.0], index=_ids(4))
    predictions = pd.DataFrame({"m": [0.1, 0.2, 0.3, 0.4]}, index=target.index)  # ranks 1..4
    meta = pd.Series([0.6, 0.2, 0.8, 0.4], index=target.index)  # ranks 3, 1, 4, 2: orthogonal
    p = ndtri((np.arange(4) + 0.5) / 4)
    t = np.array([0.0, 1.0, 3.0, 4.0]) - 2.0
    expected = float(t @ p / 4)
    assert correlation_contribution(predictions, meta, target)["m"] == pytest.approx(expected, abs=TOLERANCE)


def test_stake_weighted_meta_model__is_the_stake_weighted_mean_skipping_nan():
    predictions = pd.DataFrame({"a": [0.2, np.nan], "b": [0.8, 0.4]}, index=_ids(2))
    stakes = pd.Series({"a": 1.0, "b": 3.0})
    meta = stake_weighted_meta_model(predictions, stakes)
    assert meta.tolist() == pytest.approx([(0.2 + 2.4) / 4, 1.2 / 4], abs=1e-15)


def test_metrics__too_little_overlap__raises_naming_models():
    target = _gaussian_target(10)
    predictions = pd.DataFrame({"m": np.linspace(0, 1, 7)}, index=target.index[:7])
    with pytest.raises(ScoringError, match=r"drops more than 20% of the ids: 'm'"):
        numerai_corr(predictions, target)


# ---- against the slow reference ----


@st.composite
def rounds(draw):
    n = draw(st.integers(8, 60))
    k = draw(st.integers(1, 5))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    ids = [f"n{v:015x}" for v in rng.permutation(10 * n)[:n]]  # unsorted, like real files
    values = rng.random((n, k))
    coarse = draw(st.booleans())
    if coarse:  # many ties
        values = np.round(values, 1)
    frame = pd.DataFrame(values, index=ids, columns=[f"model_{j}" for j in range(k)])
    nan_share = draw(st.sampled_from([0.0, 0.0, 0.1, 0.15]))  # below the 20% rule
    if nan_share:
        column = draw(st.integers(0, k - 1))
        frame.iloc[rng.permutation(n)[: int(nan_share * n)], column] = np.nan
    target = pd.Series(
        rng.choice([0.0, 0.25, 0.5, 0.75, 1.0], size=n, p=[0.05, 0.2, 0.5, 0.2, 0.05]), index=ids
    )
    if draw(st.booleans()):  # targets that are not in [0, 1]: no x4
        target = target * 2 - 1.5
    meta = pd.Series(np.round(rng.random(n), 2), index=ids)
    return frame, target, meta


@settings(max_examples=60, deadline=None)
@given(rounds())
def test_scores__match_the_slow_reference(data):
    predictions, target, meta = data
    assume(target.nunique() > 1 and meta.nunique() > 1)
    assume(all(predictions[c].nunique() > 1 for c in predictions))
    scores = score_models(predictions, target, meta)
    expected_corr = ref.corr_all(predictions, target)
    expected_mmc = ref.mmc_all(predictions, meta, target)
    for model in predictions.columns:
        assert scores.at[model, "corr"] == pytest.approx(expected_corr[model], abs=TOLERANCE, nan_ok=True)
        assert scores.at[model, "mmc"] == pytest.approx(expected_mmc[model], abs=TOLERANCE)


@settings(max_examples=20, deadline=None)
@given(rounds())
def test_scores__inputs_are_not_modified(data):
    predictions, target, meta = data
    copies = predictions.copy(), target.copy(), meta.copy()
    score_models(predictions, target, meta)
    numerai_corr(predictions, target)
    correlation_contribution(predictions, meta, target)
    pd.testing.assert_frame_equal(predictions, copies[0])
    pd.testing.assert_series_equal(target, copies[1])
    pd.testing.assert_series_equal(meta, copies[2])


def test_scores__do_not_depend_on_the_other_models():
    rng = np.random.default_rng(7)
    ids = _ids(300)
    predictions = pd.DataFrame(rng.random((300, 300)), index=ids).add_prefix("m")
    target = pd.Series(rng.choice([0.0, 0.5, 1.0], 300), index=ids)
    meta = pd.Series(rng.random(300), index=ids)
    everything = score_models(predictions, target, meta)
    alone = score_models(predictions[["m17"]], target, meta)
    assert everything.loc["m17"].tolist() == alone.loc["m17"].tolist()  # bit for bit
