"""`history`: a pool's settled rounds as a table (and a PNG chart), from its `Settled` events."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
from ape.cli import network_option

from nmr_pools.amounts import format_fee, format_nmr, format_wad_pct
from nmr_pools.cli.common import PoolsCommand, connect, deployments_option, model_label, pool_option

# rounds the table shows by default (the newest); --last 0 shows all
DEFAULT_LAST = 20
# decimals of NMR amounts and of prices in the table: enough to see a fee, short enough for 80 columns
AMOUNT_PLACES = 4
PRICE_PLACES = 6


def _chart_path(ctx: click.Context, param: click.Parameter, value: Path | None) -> Path | None:
    if value is None:
        return None
    if value.suffix.lower() != ".png":
        raise click.BadParameter(f"{value} does not end in .png; the chart is a PNG image.")
    if not value.parent.is_dir():
        raise click.BadParameter(f"directory {value.parent} does not exist; create it first.")
    return value


def _amount(wei: int) -> str:
    return format_nmr(wei, places=AMOUNT_PLACES, unit="") if wei else "0"


def _price(wad: int) -> str:
    return format_nmr(wad, places=PRICE_PLACES, unit="")


def _pct(fraction: float) -> str:
    return f"{fraction * 100:.2f}%"


def history_table(rows: list[Any], title: str) -> Any:
    """The rounds as a rich table that fits 80 columns (cells fold rather than being cut)."""
    from rich import box
    from rich.table import Table

    # one space and the column rule between columns: seven 12-character cells fit in 80 columns
    table = Table(
        title=title,
        box=box.SIMPLE_HEAD,
        show_edge=False,
        pad_edge=False,
        padding=(0, 1, 0, 0),
        caption="amounts in NMR; price and HWM in NMR per share",
    )
    # "unpaid" (gains the treasury could not pay yet) only when some round has any: 7 columns fit 80
    owed = any(item.unpaid for item in rows)
    headers = (
        ("round", "return", "paid", "unpaid", "burned", "fee", "price", "HWM")
        if owed
        else ("round", "return", "paid", "burned", "fee", "price", "HWM")
    )
    for header in headers:
        table.add_column(header, justify="right", overflow="fold", no_wrap=False)
    for item in rows:
        amounts = [_amount(item.paid), _amount(item.unpaid)] if owed else [_amount(item.paid)]
        table.add_row(
            str(item.round),
            format_wad_pct(item.round_return),
            *amounts,
            _amount(item.burned),
            _amount(item.fee),
            _price(item.price_per_share),
            _price(item.high_water_mark),
        )
    return table


def summary_lines(summary: Any) -> list[str]:
    """A few plain lines a delegator reads before depositing."""
    flat = summary.rounds - summary.gains - summary.losses
    below = summary.below_high_water_mark
    hwm = f"high-water mark {_price(summary.high_water_mark)}"
    hwm += (
        f", price {_pct(below)} below it: no fee until it is regained"
        if below > 0
        else ": fees apply to new gains"
    )
    rounds = (
        f"{summary.rounds} round(s) settled ({summary.first_round}..{summary.last_round}): "
        f"{summary.gains} gain(s), {summary.losses} loss(es), {flat} flat"
    )
    price = (
        f"price per share {_price(summary.start_price)} -> {_price(summary.end_price)} NMR "
        f"({summary.price_change * 100:+.2f}%)"
    )
    extremes = (
        f"worst round {summary.worst_round.round}: {format_wad_pct(summary.worst_round.round_return)}; "
        f"best round {summary.best_round.round}: {format_wad_pct(summary.best_round.round_return)}; "
        f"deepest drop from a peak: {_pct(summary.max_drawdown)}"
    )
    flows = (
        f"paid from the treasury {format_nmr(summary.paid)}; burned {format_nmr(summary.burned)}; "
        f"fees {format_nmr(summary.fees)}"
    )
    lines = [rounds, price, hwm, extremes, flows]
    if summary.unpaid:
        lines.append(
            f"gains the treasury could not pay when settled: {format_nmr(summary.unpaid)} "
            "(owed to the pool, collected when the treasury is funded)"
        )
    return lines


@click.command(cls=PoolsCommand)
@network_option()
@pool_option()
@click.option(
    "--last",
    "last",
    type=click.IntRange(min=0),
    default=DEFAULT_LAST,
    show_default=True,
    help="Show the newest N settled rounds (0: every round).",
)
@click.option(
    "--chart",
    "chart",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    callback=_chart_path,
    help="Also write a PNG chart of the price per share and high-water mark.",
)
@deployments_option
def history(
    provider: Any, pool_ref: str, last: int, chart: Path | None, deployments_path: Path | None
) -> None:
    """A pool's settled rounds: return, NMR paid or burned, the owner's fee, and the price per
    share and high-water mark after each round, with a summary (price path, worst round,
    deepest drop, distance to the high-water mark). Read from the pool's Settled events since
    the deployment's block."""
    from rich.console import Console

    from nmr_pools.chain.pool_history import read_pool_history, settled_layout, summarise

    ctx = connect(provider, deployments_path)
    pool = ctx.pool(pool_ref)
    name = model_label(pool)
    history_rounds = read_pool_history(
        ctx.provider.web3, str(pool.address), settled_layout(ctx.pool_type), ctx.deployment.block
    )
    click.echo(f"Pool {pool.address} (model {name})")
    click.echo(f"owner {pool.owner()}, fee {format_fee(int(pool.fee_bps()))}")
    summary = summarise(history_rounds)
    if summary is None:
        click.echo("No round settled yet: the pool has no history to show.")
        if chart is not None:
            click.echo(f"No chart written to {chart}: nothing to draw.")
        return
    for line in summary_lines(summary):
        click.echo(line)
    shown = history_rounds if last == 0 else history_rounds[-last:]
    title = (
        f"{name}: last {len(shown)} of {len(history_rounds)} round(s)"
        if len(shown) < len(history_rounds)
        else f"{name}: every settled round"
    )
    Console().print(history_table(shown, title))
    if chart is not None:
        from nmr_pools.cli.history_chart import draw_history

        draw_history(history_rounds, f"Pool {name}: price per share and high-water mark", chart)
        click.echo(f"Wrote {chart}")
