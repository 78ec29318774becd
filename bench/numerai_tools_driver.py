"""What `python -m nmr_pools.scoring` computes, done with numerai-tools: the whole-process baseline.

Run with an interpreter that has numerai-tools (its own venv, numpy 2; never this project's):

    /tmp/nt-venv/bin/python bench/numerai_tools_driver.py PREDICTIONS.csv TARGETS.csv STAKES.csv OUT.csv

Reads the same CSV files with pandas, builds the stake-weighted meta model
(`stake_weight`), scores every model with `numerai_corr` and `correlation_contribution`,
computes the payout (classic-2025: `clip(factor * (0.5 corr + 2 mmc), -0.05, 0.05)`, factor
`min(1, 300,000 / total stake)`) and writes `model,corr,mmc,round_return` to OUT.csv.
Standalone on purpose: it imports nothing from nmr_pools.
"""

from __future__ import annotations

import sys

import numpy as np
import pandas as pd
from numerai_tools.scoring import correlation_contribution, numerai_corr, stake_weight

CORR_MULTIPLIER, MMC_MULTIPLIER, CAP, STAKE_THRESHOLD = 0.5, 2.0, 0.05, 300_000.0


def main(predictions_csv: str, targets_csv: str, stakes_csv: str, out_csv: str) -> None:
    predictions = pd.read_csv(predictions_csv, dtype={"id": str}).set_index("id")
    targets = pd.read_csv(targets_csv, dtype={"id": str}).set_index("id")["target"]
    stakes = pd.read_csv(stakes_csv, dtype={"model": str}).set_index("model")["stake"]
    meta_model = stake_weight(predictions, stakes)
    corr = numerai_corr(predictions, targets)
    mmc = correlation_contribution(predictions, meta_model, targets)
    factor = min(1.0, STAKE_THRESHOLD / float(stakes.sum()))
    returns = np.clip(factor * (corr * CORR_MULTIPLIER + mmc * MMC_MULTIPLIER), -CAP, CAP)
    out = pd.DataFrame({"corr": corr, "mmc": mmc, "round_return": returns})
    out.index.name = "model"
    out.sort_index().to_csv(out_csv)


if __name__ == "__main__":
    if len(sys.argv) != 5:
        sys.exit(f"usage: {sys.argv[0]} PREDICTIONS.csv TARGETS.csv STAKES.csv OUT.csv")
    main(*sys.argv[1:])
