"""Payout factor, round return, WAD conversion."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nmr_pools.scoring import CONFIGS, ScoringError, get_config, payout_factor, return_to_wad, round_returns
from nmr_pools.scoring.payout import decimal_wad

CLASSIC = CONFIGS["classic-2025"]


def test_config__classic_2025__has_the_documented_parameters():
    assert (CLASSIC.corr_multiplier, CLASSIC.mmc_multiplier, CLASSIC.cap, CLASSIC.version) == (
        0.5,
        2.0,
        0.05,
        1,
    )
    assert CLASSIC.cap_wad == 5 * 10**16


def test_get_config__unknown__names_the_known_ones():
    with pytest.raises(ScoringError, match=r"unknown payout config 'classic-1999'; known: 'classic-2025'"):
        get_config("classic-1999")


def test_payout_factor__is_one_up_to_the_threshold_then_threshold_over_total():
    assert payout_factor(0.0, 300_000.0) == 1.0
    assert payout_factor(300_000.0, 300_000.0) == 1.0
    assert payout_factor(600_000.0, 300_000.0) == 0.5


def test_payout_factor__negative_total__raises():
    with pytest.raises(ScoringError, match="total stake must be a finite number >= 0"):
        payout_factor(-1.0, 300_000.0)


def test_round_returns__clip_at_the_cap():
    returns = round_returns(np.array([0.02, 1.0, -1.0]), np.array([0.01, 0.0, 0.0]), 0.5, CLASSIC)
    assert returns.tolist() == [0.5 * (0.02 * 0.5 + 0.01 * 2.0), 0.05, -0.05]


def test_return_to_wad__uses_the_shortest_decimal():
    assert return_to_wad(0.05, CLASSIC.cap_wad) == 50_000_000_000_000_000
    assert return_to_wad(-0.05, CLASSIC.cap_wad) == -50_000_000_000_000_000
    assert return_to_wad(0.1 + 0.2, 10**18) == 300_000_000_000_000_040  # repr 0.30000000000000004
    assert decimal_wad(0.30000000000000004) == 300_000_000_000_000_040
    assert return_to_wad(1.5e-19, CLASSIC.cap_wad) == 0  # 0.15 wei rounds to 0
    assert return_to_wad(2.5e-18, CLASSIC.cap_wad) == 2  # half to even
    assert return_to_wad(-0.0, CLASSIC.cap_wad) == 0


def test_return_to_wad__non_finite__raises():
    with pytest.raises(ScoringError, match="non-finite"):
        return_to_wad(float("nan"), CLASSIC.cap_wad)


@settings(max_examples=200, deadline=None)
@given(st.floats(-1, 1, allow_nan=False))
def test_return_to_wad__never_exceeds_the_cap(value):
    clipped = float(np.clip(value, -CLASSIC.cap, CLASSIC.cap))
    wad = return_to_wad(clipped, CLASSIC.cap_wad)
    assert abs(wad) <= CLASSIC.cap_wad
    assert abs(wad - clipped * 1e18) <= 1e18 * 1e-15  # within float precision of the value
