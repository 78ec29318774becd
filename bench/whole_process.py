"""Whole-process benchmark: `python -m nmr_pools.scoring` against numerai-tools, CSV in, results out.

Both commands read the same synthetic round's CSV files (5,000 stocks x 1,000 models by
default), compute CORR, MMC against the stake-weighted meta model and the payout, and write a
file; each whole process (interpreter start, imports, reading, scoring, writing) is timed with
`/usr/bin/time -v` (wall clock and maximum resident set size), alternating the two commands
`repeats` times so both see the same machine load. Ours runs this checkout's `nmr_pools`
(byte-compiled first, as an install would be). numerai-tools runs in its own environment
(it needs numpy 2, this project pins numpy 1), through `bench/numerai_tools_driver.py`:

    python3 -m venv /tmp/nt-venv
    /tmp/nt-venv/bin/pip install "numpy>=2" pandas scipy numerai-tools==0.7.2

Without that interpreter (or without /usr/bin/time) the comparison is skipped with a note.
"""

from __future__ import annotations

import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow

# where the numerai-tools interpreter is looked for (override: NUMERAI_TOOLS_PYTHON=...)
NT_PYTHON = os.environ.get("NUMERAI_TOOLS_PYTHON", "/tmp/nt-venv/bin/python")
TIME = "/usr/bin/time"
DRIVER = Path(__file__).with_name("numerai_tools_driver.py")
# the checkout this file belongs to: `nmr_pools` is imported from here, not from wherever the
# venv's editable install points (a git worktree shares the venv of the main checkout)
REPOSITORY = Path(__file__).resolve().parent.parent
# the held-out parity run: 5,000 stocks x 1,000 models
N_STOCKS, N_MODELS = 5_000, 1_000
REPEATS = 7


@dataclass(frozen=True)
class Run:
    """One timed process."""

    wall_s: float
    cpu_s: float  # user + system, every thread: what the machine spent, whatever else runs on it
    max_rss_mib: float


def _parse_time_v(report: str) -> Run:
    """Wall clock and max RSS from GNU time's `-v` report."""
    wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (?:(\d+):)?(\d+):([\d.]+)", report)
    rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", report)
    user = re.search(r"User time \(seconds\): ([\d.]+)", report)
    system = re.search(r"System time \(seconds\): ([\d.]+)", report)
    if wall is None or rss is None or user is None or system is None:
        raise RuntimeError(f"unexpected /usr/bin/time output:\n{report}")
    hours, minutes, seconds = int(wall.group(1) or 0), int(wall.group(2)), float(wall.group(3))
    return Run(
        hours * 3600 + minutes * 60 + seconds,
        float(user.group(1)) + float(system.group(1)),
        int(rss.group(1)) / 1024,
    )


def timed(argv: list[str], cwd: Path, env: dict[str, str] | None = None) -> Run:
    """Run `argv` under `/usr/bin/time -v`; RuntimeError with its output if it fails."""
    done = subprocess.run([TIME, "-v", *argv], cwd=cwd, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return _parse_time_v(done.stderr)


def unavailable() -> str | None:
    """Why the comparison cannot run here, or None."""
    if not Path(TIME).exists():
        return f"{TIME} is not installed (Debian: apt-get install time)"
    if not Path(NT_PYTHON).exists():
        return (
            f"no numerai-tools interpreter at {NT_PYTHON} (create it: python3 -m venv /tmp/nt-venv && "
            "/tmp/nt-venv/bin/pip install 'numpy>=2' pandas scipy numerai-tools==0.7.2, "
            "or set NUMERAI_TOOLS_PYTHON)"
        )
    return None


def _versions(python: str) -> str:
    script = (
        "import importlib.metadata as m; print(', '.join(f'{p} {m.version(p)}' for p in "
        "('numerai-tools', 'numpy', 'pandas', 'scipy')))"
    )
    return subprocess.run([python, "-c", script], capture_output=True, text=True, check=True).stdout.strip()


def _agreement(ours_json: Path, theirs_csv: Path) -> float:
    """Largest |difference| of CORR and MMC between the two outputs."""
    import json

    ours = pd.DataFrame(json.loads(ours_json.read_text())["models"]).set_index("model_id")
    theirs = pd.read_csv(theirs_csv, dtype={"model": str}).set_index("model")
    return float(max(np.abs(ours["corr"] - theirs["corr"]).max(), np.abs(ours["mmc"] - theirs["mmc"]).max()))


def measure(n_stocks: int = N_STOCKS, n_models: int = N_MODELS, repeats: int = REPEATS) -> dict[str, object]:
    """Time both whole processes `repeats` times, alternating; the numbers for `markdown`."""
    from nmr_pools.scoring import synthetic_round

    with tempfile.TemporaryDirectory(prefix="whole-process-") as folder:
        work = Path(folder)
        paths = synthetic_round(n_stocks, n_models, seed=n_models).write(work / "in", "csv")
        inputs = [str(paths["predictions"]), str(paths["targets"]), str(paths["stakes"])]
        ours_argv = [
            sys.executable,
            "-m",
            "nmr_pools.scoring",
            "--round",
            "1",
            "--predictions",
            inputs[0],
            "--targets",
            inputs[1],
            "--stakes",
            inputs[2],
            "--out",
            str(work / "ours.json"),
        ]
        theirs_argv = [NT_PYTHON, str(DRIVER), *inputs, str(work / "theirs.csv")]
        # as an installed package would be (pip byte-compiles on install): a run should not
        # compile sources because this environment sets PYTHONDONTWRITEBYTECODE
        subprocess.run([sys.executable, "-m", "compileall", "-q", str(REPOSITORY / "nmr_pools")], check=True)
        ours_env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join(filter(None, [str(REPOSITORY), os.environ.get("PYTHONPATH")])),
        }
        loads = [os.getloadavg()[0]]  # 1-minute load average: at the start, then after each pair
        ours: list[Run] = []
        theirs: list[Run] = []
        for _ in range(repeats):
            ours.append(timed(ours_argv, work, ours_env))
            theirs.append(timed(theirs_argv, work))
            loads.append(os.getloadavg()[0])
        return {
            "stocks": n_stocks,
            "models": n_models,
            "repeats": repeats,
            "loads": loads,
            "ours": ours,
            "theirs": theirs,
            "agreement": _agreement(work / "ours.json", work / "theirs.csv"),
            "theirs_versions": _versions(NT_PYTHON),
            "csv_mib": Path(inputs[0]).stat().st_size / 2**20,
        }


def markdown(result: dict[str, object] | None, skipped: str | None = None) -> str:
    """The bench/scoring.md section."""
    lines = ["## Whole process: CSV files in, results file out", ""]
    if result is None:
        return "\n".join([*lines, f"Not measured: {skipped}.", ""])
    ours: list[Run] = result["ours"]  # type: ignore[assignment]
    loads: list[float] = result["loads"]  # type: ignore[assignment]
    theirs: list[Run] = result["theirs"]  # type: ignore[assignment]

    def row(name: str, runs: list[Run]) -> str:
        walls = [r.wall_s for r in runs]
        return (
            f"| {name} | {min(walls):.2f} | {statistics.median(walls):.2f} | "
            f"{statistics.median(r.cpu_s for r in runs):.2f} | {max(r.max_rss_mib for r in runs):.0f} |"
        )

    best_ratio = min(r.wall_s for r in theirs) / min(r.wall_s for r in ours)
    median_ratio = statistics.median(r.wall_s for r in theirs) / statistics.median(r.wall_s for r in ours)
    cpu_ratio = statistics.median(r.cpu_s for r in theirs) / statistics.median(r.cpu_s for r in ours)
    setting = (
        f"{result['stocks']:,} stocks x {result['models']:,} models (`synthetic_round(seed={result['models']})` "
        f"written as CSV, predictions {result['csv_mib']:.0f} MiB), each whole process timed with "
        f"`/usr/bin/time -v`, the two commands alternated {result['repeats']} times "
        f"on {platform.machine()} with {os.cpu_count()} cores, Linux {platform.release()} "
        f"(1-minute load average {loads[0]:.1f} at the start, {min(loads):.1f} to {max(loads):.1f} over the runs; "
        "a load above the core count means other work shared the machine and the times are noisy). Both compute "
        "numerai_corr, correlation_contribution against the stake-weighted meta model and the payout; "
        "both import byte-compiled code (ours is compiled first, as an install would)."
    )
    ours_command = (
        f"- ours: `python -m nmr_pools.scoring --round 1 --predictions ... --targets ... --stakes ... --out "
        f"ours.json` (Python {platform.python_version()}, numpy {np.__version__}, pyarrow {pyarrow.__version__})"
    )
    theirs_command = (
        f"- numerai-tools: `{NT_PYTHON} bench/numerai_tools_driver.py predictions.csv targets.csv stakes.csv "
        f"theirs.csv` ({result['theirs_versions']})"
    )
    speed_up = (
        f"Speed-up in wall time: {best_ratio:.1f}x (best against best), {median_ratio:.1f}x (median against "
        f"median); CPU time (user + system, all threads): {cpu_ratio:.1f}x less (a busy machine inflates CPU "
        "time too, through the caches and cores it shares, but less than the wall clock). On a busy machine "
        "the best run is the one least disturbed."
    )
    lines += [
        setting,
        "",
        ours_command,
        theirs_command,
        f"- largest CORR/MMC difference between the two outputs: {result['agreement']:.1e}",
        "",
        "| command | best wall (s) | median wall (s) | median CPU (s) | max RSS (MiB) |",
        "| --- | ---: | ---: | ---: | ---: |",
        row("nmr_pools.scoring", ours),
        row("numerai-tools", theirs),
        "",
        speed_up,
        "",
    ]
    return "\n".join(lines)


def section() -> str:
    """Measure if possible, else say why not: the markdown either way."""
    reason = unavailable()
    if reason is not None:
        print(f"whole-process comparison skipped: {reason}", flush=True)
        return markdown(None, reason)
    started = time.perf_counter()
    result = measure()
    print(f"whole-process comparison took {time.perf_counter() - started:.0f} s", flush=True)
    return markdown(result)


if __name__ == "__main__":
    print(section())
