"""`ape run demo`: a tournament season end to end on the in-process chain (or `--network`).

Deploys everything, creates pools with different fees, gives delegators wallets and NMR,
plays daily rounds with lagged results scored by the engine and settled through the same code
path as `ape pools settle`, then prints a summary and writes out/demo/ (chart, report, results).
"""

from __future__ import annotations

from pathlib import Path

import click

from nmr_pools.amounts import parse_nmr
from nmr_pools.cli.common import PoolsCommand


def _positive(ctx, param, value):
    if value < 1:
        raise click.BadParameter("must be at least 1")
    return value


@click.command(cls=PoolsCommand)  # one-line errors; no throwaway node for a local chain that is down
@click.option("--pools", default=5, show_default=True, callback=_positive, help="Pools (one per model).")
@click.option(
    "--delegators", default=12, show_default=True, callback=_positive, help="Delegators with wallets."
)
@click.option(
    "--rounds", default=60, show_default=True, callback=_positive, help="Daily rounds in the season."
)
@click.option(
    "--lag",
    default=20,
    show_default=True,
    type=click.IntRange(min=0),
    help="Rounds between a round closing and its results arriving.",
)
@click.option("--seed", default=7, show_default=True, help="Same seed, same numbers.")
@click.option(
    "--out",
    default="out/demo",
    show_default=True,
    type=click.Path(file_okay=False),
    help="Where the chart, report and results files go.",
)
@click.option(
    "--treasury",
    "treasury",
    default="500000",
    show_default=True,
    help="NMR the payout treasury starts with; a small one runs short and owes the pools the rest.",
)
def cli(pools, delegators, rounds, lag, seed, out, treasury):
    """Run a tournament season end to end and write a report to out/demo/."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from nmr_pools.demo import chart, report, season
    from nmr_pools.deployments import load_project

    console = Console()
    try:
        funding = parse_nmr(treasury, what="--treasury", allow_zero=True)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--treasury") from None
    config = season.SeasonConfig(pools, delegators, rounds, lag, seed, Path(out), funding)
    config.out.mkdir(parents=True, exist_ok=True)
    console.print(
        f"Season: {pools} pools, {delegators} delegators, {rounds} rounds, results lag {lag}, seed {seed}"
    )
    with Progress(
        TextColumn("[bold]rounds"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=console
    ) as progress:
        task = progress.add_task("rounds", total=rounds + lag + 1)
        played = season.run(
            config, load_project(), on_round=lambda done, total: progress.update(task, completed=done)
        )
    rows = report.summarize(played)
    check = report.conservation(played)
    png = chart.draw(played, config.out / "price_per_share.png")
    md = report.write_report(played, rows, check, png)

    report.summary_sheet(rows).print(console)
    console.print("Conservation check:")
    for line in check.lines:
        console.print(f"  {line}")
    console.print(f"[bold]{'Every NMR is accounted for.' if check.ok else 'MISMATCH: see above.'}[/bold]")
    console.print(f"Wrote {png}, {md} and {len(played.digests)} results files in {config.out / 'results'}")
    if not check.ok:
        raise click.ClickException("the conservation check failed")
