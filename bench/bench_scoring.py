"""Benchmark the scoring engine against a straightforward per-column pandas implementation.

Runs synthetic rounds of 5,000 stocks x 100, 1,000 and 5,000 models and measures, for CORR,
MMC and the whole results file, wall time (best of `REPEATS`) and peak memory allocated
during the call (tracemalloc, which sees numpy's buffers; the inputs themselves are not
counted). The baseline is the same definitions written the obvious way: one column at a
time with `Series.rank`, `scipy.stats.norm.ppf` and `Series.corr`. It is only timed up to
1,000 models (it takes minutes beyond). Writes a markdown table to bench/scoring.md.

    .venv/bin/python bench/bench_scoring.py                # full run
    .venv/bin/python bench/bench_scoring.py --quick        # small smoke run (not written to scoring.md)
    .venv/bin/python bench/bench_scoring.py --whole-only   # only the whole-process comparison

The full run ends with the whole-process comparison against numerai-tools
(`bench/whole_process.py`: `python -m nmr_pools.scoring` and numerai-tools on the same CSV
files, timed with /usr/bin/time -v), skipped with a note when numerai-tools' environment is absent.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import scipy
from scipy import stats

from nmr_pools.scoring import (
    correlation_contribution,
    numerai_corr,
    score_round,
    stake_weighted_meta_model,
    synthetic_round,
    write_results,
)
from nmr_pools.scoring.payout import CONFIGS, return_to_wad

sys.path.insert(0, str(Path(__file__).parent))
import whole_process  # bench/ is not a package: its sibling module is found from here

REPEATS = 3  # best of three: the least disturbed run
BASELINE_MAX_MODELS = 1_000  # the per-column baseline takes minutes beyond this
CLASSIC = CONFIGS["classic-2025"]
WHOLE_PROCESS_HEADING = "## Whole process"


# ---- baseline: the definitions, one column at a time ----


def baseline_gaussian_rank(column: pd.Series) -> pd.Series:
    ranked = (column.rank(method="average") - 0.5) / column.count()
    return pd.Series(stats.norm.ppf(ranked), index=column.index)


def baseline_corr(predictions: pd.DataFrame, targets: pd.Series) -> pd.Series:
    centred = targets - targets.mean()
    ids = centred.index.intersection(predictions.index).sort_values()
    target = centred.loc[ids]
    target = np.sign(target) * np.abs(target) ** 1.5
    scores = {}
    for model in predictions.columns:
        gaussian = baseline_gaussian_rank(predictions.loc[ids, model])
        scores[model] = target.corr(np.sign(gaussian) * np.abs(gaussian) ** 1.5)
    return pd.Series(scores)


def baseline_mmc(predictions: pd.DataFrame, meta_model: pd.Series, targets: pd.Series) -> pd.Series:
    ids = targets.index.intersection(predictions.index).intersection(meta_model.index).sort_values()
    meta = baseline_gaussian_rank(meta_model.loc[ids]).to_numpy()
    target = targets.loc[ids] * 4
    target = (target - target.mean()).to_numpy()
    scores = {}
    for model in predictions.columns:
        p = baseline_gaussian_rank(predictions.loc[ids, model]).to_numpy()
        orthogonal = p - meta * (p @ meta) / (meta @ meta)
        scores[model] = target @ orthogonal / len(ids)
    return pd.Series(scores)


def baseline_results(predictions: pd.DataFrame, targets: pd.Series, stakes: pd.Series) -> bytes:
    meta = (predictions[stakes.index] * stakes).sum(axis=1) / stakes.sum()
    corr, mmc = baseline_corr(predictions, targets), baseline_mmc(predictions, meta, targets)
    factor = min(1.0, CLASSIC.stake_threshold / stakes.sum())
    models = []
    for model in sorted(predictions.columns):
        ret = float(np.clip(factor * (corr[model] * 0.5 + mmc[model] * 2.0), -0.05, 0.05))
        models.append(
            {
                "model_id": model,
                "corr": corr[model],
                "mmc": mmc[model],
                "payout_factor": factor,
                "round_return_wad": return_to_wad(ret, CLASSIC.cap_wad),
                "status": "ok",
            }
        )
    return json.dumps({"models": models}, sort_keys=True, separators=(",", ":")).encode()


# ---- measuring ----


def measure(call: Callable[[], object]) -> tuple[float, float]:
    """(best wall seconds of REPEATS, peak MiB allocated during one call)."""
    best = float("inf")
    for _ in range(REPEATS):
        start = time.perf_counter()
        call()
        best = min(best, time.perf_counter() - start)
    tracemalloc.start()
    tracemalloc.reset_peak()
    call()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return best, peak / 2**20


def engine_results(r, directory: str) -> None:
    results = score_round(1, r.predictions, r.targets, r.stakes)
    write_results(results, Path(directory) / "results.json")


def run(n_stocks: int, model_counts: list[int], baseline_max: int) -> list[dict[str, object]]:
    rows = []
    for n_models in model_counts:
        r = synthetic_round(n_stocks, n_models, seed=n_models)
        meta = stake_weighted_meta_model(r.predictions, r.stakes)
        with tempfile.TemporaryDirectory() as directory:
            tasks: dict[str, tuple[Callable[[], object], Callable[[], object]]] = {
                "CORR": (
                    lambda: numerai_corr(r.predictions, r.targets),
                    lambda: baseline_corr(r.predictions, r.targets),
                ),
                "MMC": (
                    lambda: correlation_contribution(r.predictions, meta, r.targets),
                    lambda: baseline_mmc(r.predictions, meta, r.targets),
                ),
                "results file": (
                    lambda: engine_results(r, directory),
                    lambda: baseline_results(r.predictions, r.targets, r.stakes),
                ),
            }
            for task, (engine, baseline) in tasks.items():
                engine_time, engine_mem = measure(engine)
                row: dict[str, object] = {
                    "stocks": n_stocks,
                    "models": n_models,
                    "task": task,
                    "engine_s": engine_time,
                    "engine_mib": engine_mem,
                }
                if n_models <= baseline_max:
                    baseline_time, baseline_mem = measure(baseline)
                    row.update(baseline_s=baseline_time, baseline_mib=baseline_mem)
                rows.append(row)
                print(row, flush=True)
        if n_models <= baseline_max:  # the two implementations agree
            corr = numerai_corr(r.predictions, r.targets)
            assert np.allclose(corr, baseline_corr(r.predictions, r.targets)[corr.index], atol=1e-12, rtol=0)
    return rows


def markdown(rows: list[dict[str, object]], note: str) -> str:
    lines = [
        "# Scoring engine benchmark",
        "",
        note,
        "",
        "| stocks x models | task | engine time (s) | baseline time (s) | speed-up | engine peak (MiB) | baseline peak (MiB) |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in rows:
        has_baseline = "baseline_s" in row
        speed = f"{row['baseline_s'] / row['engine_s']:.1f}x" if has_baseline else "—"
        lines.append(
            f"| {row['stocks']:,} x {row['models']:,} | {row['task']} | {row['engine_s']:.3f} | "
            + (f"{row['baseline_s']:.3f}" if has_baseline else "not run")
            + f" | {speed} | {row['engine_mib']:.1f} | "
            + (f"{row['baseline_mib']:.1f}" if has_baseline else "not run")
            + " |"
        )
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="1,000 stocks x 20 and 100 models; print only")
    parser.add_argument(
        "--whole-only",
        action="store_true",
        help="only the whole-process comparison; replaces that section of scoring.md",
    )
    args = parser.parse_args()
    out = Path(__file__).with_name("scoring.md")
    if args.whole_only:
        kept = out.read_text().split(WHOLE_PROCESS_HEADING)[0].rstrip("\n") + "\n\n" if out.exists() else ""
        out.write_text(kept + whole_process.section())
        print(out.read_text())
        return
    if args.quick:
        rows = run(1_000, [20, 100], baseline_max=100)
        print(markdown(rows, "quick smoke run"))
        return
    rows = run(5_000, [100, 1_000, 5_000], baseline_max=BASELINE_MAX_MODELS)
    note = (
        f"Machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores; Python "
        f"{platform.python_version()}, numpy {np.__version__}, pandas {pd.__version__}, scipy {scipy.__version__}. "
        f"Time: best of {REPEATS}. Peak: bytes allocated during one call (tracemalloc; inputs excluded). "
        f"Baseline: per-column pandas (`Series.rank`, `scipy.stats.norm.ppf`, `Series.corr`), not run above "
        f"{BASELINE_MAX_MODELS:,} models. 'results file' = meta model + CORR + MMC + payout + WAD + canonical JSON "
        f"(+ keccak digest and write for the engine). Synthetic rounds from `synthetic_round(seed=n_models)`."
    )
    out.write_text(markdown(rows, note) + "\n" + whole_process.section())
    print(out.read_text())


if __name__ == "__main__":
    main()
