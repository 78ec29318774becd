"""Payout parameters (named, versioned), payout factor, round return and its WAD integer.

A round return is `clip(payout_factor * (corr * corr_multiplier + mmc * mmc_multiplier),
-cap, cap)`, computed in float64 and then converted to the signed WAD integer the pool
contract receives (1e18 = 100%).

WAD conversion, chosen once: take the float's shortest round-trip decimal (`repr`, the same
digits the results file prints), multiply by 10**18 exactly with `decimal`, and round to an
integer half-to-even. Unlike `int(round(ret * 1e18))` (a float product, inexact) or
`Decimal(ret)` (the binary expansion: 0.05 -> 50000000000000002.77...), this maps 0.05 to
exactly 5 * 10**16 and every printed return to the integer a reader would compute from it.
The result is then clamped to `±cap_wad` so `|wad| <= cap_wad` holds exactly.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Context, Decimal
from typing import TYPE_CHECKING

from nmr_pools.scoring.errors import ScoringError, name_some

if TYPE_CHECKING:
    import numpy as np

# 1e18 = 100%: the contract's fixed-point scale for round returns.
WAD = 10**18

# Digits for the exact decimal product: a float repr has at most 17 significant digits and
# the scale adds 18 more, so 50 digits can never round.
_EXACT = Context(prec=50)


@dataclass(frozen=True)
class PayoutConfig:
    """Numerai's payout parameters for a period; a new set gets a new name or version."""

    name: str
    version: int
    corr_multiplier: float  # weight of CORR in the return
    mmc_multiplier: float  # weight of MMC in the return
    cap: float  # |round return| never exceeds this fraction of the stake
    stake_threshold: float  # NMR; above this total stake the payout factor shrinks

    @property
    def cap_wad(self) -> int:
        """The cap as an exact WAD integer (0.05 -> 5 * 10**16)."""
        return decimal_wad(self.cap)


CONFIGS: dict[str, PayoutConfig] = {
    # Numerai Classic payouts in 2025: 0.5x CORR + 2x MMC, capped at ±5% of the stake per
    # round; the stake-cap threshold is the 300,000 NMR Numerai announced for Classic
    # (forum.numer.ai "Announcing new payouts system", 2021).
    "classic-2025": PayoutConfig(
        name="classic-2025",
        version=1,
        corr_multiplier=0.5,
        mmc_multiplier=2.0,
        cap=0.05,
        stake_threshold=300_000.0,
    ),
}

DEFAULT_CONFIG = "classic-2025"


def get_config(name: str) -> PayoutConfig:
    """The named payout configuration; ScoringError listing the known names otherwise."""
    if name not in CONFIGS:
        raise ScoringError(f"unknown payout config {name!r}; known: {name_some(sorted(CONFIGS))}")
    return CONFIGS[name]


def payout_factor(total_stake: float, stake_threshold: float) -> float:
    """`min(1, threshold / total_stake)`: 1 up to the threshold, then shrinking (1 if nothing staked)."""
    if not (math.isfinite(total_stake) and total_stake >= 0):
        raise ScoringError(f"total stake must be a finite number >= 0, got {total_stake!r}")
    if total_stake <= stake_threshold:
        return 1.0
    return stake_threshold / total_stake


def round_returns(corr: np.ndarray, mmc: np.ndarray, factor: float, config: PayoutConfig) -> np.ndarray:
    """`clip(factor * (corr * corr_mult + mmc * mmc_mult), -cap, cap)` per model: (n_models,)."""
    import numpy as np  # here, so the CLI's option list (CONFIGS) loads without numpy

    raw = factor * (corr * config.corr_multiplier + mmc * config.mmc_multiplier)
    return np.clip(raw, -config.cap, config.cap)


def decimal_wad(value: float) -> int:
    """`value` (a float) in WAD via its shortest decimal, rounded half-to-even (see module doc)."""
    if not math.isfinite(value):
        raise ScoringError(f"cannot convert a non-finite return {value!r} to WAD")
    scaled = _EXACT.multiply(Decimal(repr(float(value))), Decimal(WAD))
    return int(scaled.quantize(Decimal(1), rounding=ROUND_HALF_EVEN, context=_EXACT))


def return_to_wad(value: float, cap_wad: int) -> int:
    """The signed WAD the pool receives for a round return, clamped to `±cap_wad` exactly."""
    return max(-cap_wad, min(cap_wad, decimal_wad(value)))
