"""`score`: one round's inputs in, the canonical results file and its digest out.

A plain click command (no Ape imports) so it runs standalone (`python -m nmr_pools.scoring`)
and can be added to the `ape pools` group as is. Bad input is a usage error naming the
problem, with a non-zero exit code and no file written.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import click

from nmr_pools.scoring.errors import ScoringError
from nmr_pools.scoring.payout import CONFIGS, DEFAULT_CONFIG, WAD

if TYPE_CHECKING:
    from rich.table import Table

    from nmr_pools.scoring.results import RoundResults

# numpy, pyarrow and rich are imported inside the command, so `--help` and option errors answer
# at once; a run never imports pandas or scipy (the readers of `inputs` and the engine's array
# path do without them)

# Rounds with more prediction cells than this (5,000 stocks x 200 models) take long enough
# (about a second) to deserve a progress bar.
PROGRESS_CELLS = 1_000_000

# Models listed at each end of the summary table.
SUMMARY_ROWS = 5

_FILE = click.Path(exists=True, dir_okay=False, readable=True, path_type=Path)


def _read(reader: Callable[[Path], object], path: Path, option: str) -> object:
    """Read one input, turning a ScoringError into a usage error on its option."""
    try:
        return reader(path)
    except ScoringError as error:
        raise click.BadParameter(str(error), param_hint=option) from None


@contextmanager
def _progress(total: int, show: bool) -> Iterator[Callable[[int], None]]:
    """A rich progress bar on stderr (only for large rounds); yields `advance(n_models)`."""
    from rich.console import Console

    console = Console(stderr=True)
    if not (show and console.is_terminal):
        # nothing to draw (a transient bar on a file or pipe leaves only a blank line), so
        # rich.progress is not even imported
        yield lambda done: None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    bar = Progress(
        TextColumn("scoring"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    )
    task = bar.add_task("scoring", total=total)
    with bar:
        yield lambda done: bar.advance(task, done)


def _summary(results: RoundResults, out: Path) -> Table:
    """One screen: the round, the best and worst models, how many were invalid, the digest."""
    from rich.table import Table

    from nmr_pools.scoring.results import STATUS_OK

    ok = sorted(
        (m for m in results.models if m.status == STATUS_OK), key=lambda m: (-m.round_return_wad, m.model_id)
    )
    invalid = Counter(m.status.split(":", 1)[0] for m in results.models if m.status != STATUS_OK)
    table = Table(
        title=f"round {results.round} · {results.config_name} v{results.config_version}", show_lines=False
    )
    for column in ("model", "corr", "mmc", "return"):
        table.add_column(column, justify="left" if column == "model" else "right")
    shown = ok if len(ok) <= 2 * SUMMARY_ROWS else ok[:SUMMARY_ROWS] + [None] + ok[-SUMMARY_ROWS:]
    for model in shown:
        if model is None:
            table.add_row("…", "", "", "")
            continue
        table.add_row(
            model.model_id, f"{model.corr:+.4f}", f"{model.mmc:+.4f}", f"{model.round_return_wad / WAD:+.4%}"
        )
    reasons = ", ".join(f"{count} {reason}" for reason, count in sorted(invalid.items())) or "none"
    payout = results.models[0].payout_factor if results.models else 1.0
    table.caption = f"{len(results.models)} models · invalid: {reasons} · payout factor {payout:.6g}"
    return table


@click.command("score")
@click.option(
    "--round",
    "round_number",
    type=click.IntRange(min=1),
    required=True,
    help="Round number (>= 1) recorded in the results file.",
)
@click.option(
    "--predictions",
    type=_FILE,
    required=True,
    help="Predictions, .parquet or .csv: wide (`id` + one column per model) or long (`id, model, prediction`).",
)
@click.option(
    "--targets",
    type=_FILE,
    required=True,
    help="Targets, .parquet or .csv: `id` + one value column (buckets 0, 0.25, 0.5, 0.75, 1).",
)
@click.option(
    "--stakes",
    type=_FILE,
    required=True,
    help="Stakes, .parquet or .csv: `model, stake` (NMR), one row for every model in the predictions.",
)
@click.option(
    "--meta-model",
    type=_FILE,
    default=None,
    help="Meta model, .parquet or .csv: `id` + one value column. Default: the stake-weighted mean of the valid predictions.",
)
@click.option(
    "--config",
    "config_name",
    type=click.Choice(sorted(CONFIGS)),
    default=DEFAULT_CONFIG,
    show_default=True,
    help="Named payout configuration (multipliers, cap, stake threshold).",
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    required=True,
    help="Where to write the canonical results JSON; its keccak256 digest goes to <out>.digest.",
)
def score_command(
    round_number: int,
    predictions: Path,
    targets: Path,
    stakes: Path,
    meta_model: Path | None,
    config_name: str,
    out: Path,
) -> None:
    """Score one round: CORR, MMC and the WAD return of every model, written canonically.

    Writes the results JSON to --out and its keccak256 digest (the `results_digest` for the
    pools' `settle`) to <out>.digest, and prints a summary. Nothing is written on bad input.
    """
    if not out.parent.is_dir():
        raise click.BadParameter(
            f"directory {out.parent} does not exist; create it first", param_hint="--out"
        )
    if predictions.suffix.lower() == ".csv":
        from nmr_pools.scoring import csv_arrow

        csv_arrow.prefetch(predictions)  # parsed on pyarrow's threads while the engine imports
    from rich.console import Console

    from nmr_pools.scoring.engine import score_round_arrays
    from nmr_pools.scoring.inputs import read_meta_model, read_predictions, read_stakes, read_targets
    from nmr_pools.scoring.results import digest_path, write_results

    matrix = _read(read_predictions, predictions, "--predictions")
    target_values = _read(read_targets, targets, "--targets")
    stake_values = _read(read_stakes, stakes, "--stakes")
    meta_values = _read(read_meta_model, meta_model, "--meta-model") if meta_model is not None else None
    n_stocks, n_models = matrix.shape  # type: ignore[attr-defined]
    try:
        with _progress(n_models, n_stocks * n_models > PROGRESS_CELLS) as advance:
            results = score_round_arrays(
                round_number,
                matrix,  # type: ignore[arg-type]
                target_values,  # type: ignore[arg-type]
                stake_values,  # type: ignore[arg-type]
                meta_values,  # type: ignore[arg-type]
                config_name,
                progress=advance,
            )
        digest = write_results(results, out)
    except ScoringError as error:
        raise click.UsageError(str(error)) from None
    Console().print(_summary(results, out))
    click.echo(f"engine {results.engine_version}; wrote {out} and {digest_path(out).name}")
    click.echo(f"digest {digest}")
