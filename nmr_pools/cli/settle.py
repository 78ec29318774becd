"""Settler commands: `settle` a scored round on every pool, `verify` what was settled."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
from ape.cli import account_option, network_option

from nmr_pools.amounts import format_wad_pct
from nmr_pools.cli.common import PoolsCommand, connect, deployments_option
from nmr_pools.cli.signing import ready_to_sign

_FILE = click.Path(exists=True, dir_okay=False, readable=True, path_type=Path)


@click.command(cls=PoolsCommand)
@network_option()
@account_option()
@click.option("--round", "round_id", type=click.IntRange(min=1), required=True, help="The round to settle.")
@click.option(
    "--results",
    "results_path",
    type=_FILE,
    required=True,
    help="The round's results file written by `ape pools score` (its .digest beside it).",
)
@click.option("--dry-run", is_flag=True, help="Print exactly what would be sent, and send nothing.")
@click.option(
    "--batch-size",
    type=click.IntRange(min=1, max=256),
    default=None,
    help="At most this many pools per transaction (default: as many as the gas limit allows).",
)
@deployments_option
def settle(
    provider: Any,
    account: Any,
    round_id: int,
    results_path: Path,
    dry_run: bool,
    batch_size: int | None,
    deployments_path: Path | None,
) -> None:
    """Settle round N on every pool whose model is in the results file, in `settle_many`
    batches. Pools that already settled N are skipped, so re-running finishes an interrupted
    run without settling any pool twice; closed pools are skipped too. The whole file is
    refused, before anything is sent, if its digest does not match, its round is not the next
    one of a pool, or a return exceeds the cap. A treasury short of the gains pays what it
    holds and the rest is owed to the pools (the plan says how much)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from nmr_pools.errors import SettlementError
    from nmr_pools.settlement import execute_plan, plan_settlement, read_results

    try:
        results = read_results(results_path)
    except SettlementError as error:
        raise click.BadParameter(str(error), param_hint="--results") from None
    if results.round != round_id:
        raise click.BadParameter(
            f"{results_path} holds the results of round {results.round}, not round {round_id}.",
            param_hint="--results",
        )
    ctx = connect(provider, deployments_path)
    plan = plan_settlement(
        ctx.factory,
        results,
        pool_type=ctx.pool_type,
        sender=account,
        batch_size=batch_size,
        multicall=ctx.deployment.multicall,
    )
    if dry_run:
        for line in plan.describe():
            click.echo(line)
        if not plan.ok:
            plan.check()  # raises: the dry run shows what the real run would refuse
        click.echo("Dry run: nothing sent.")
        return
    for line in plan.notes():
        click.echo(line)
    plan.check()
    if not plan.to_settle:
        click.echo(f"Nothing to settle for round {round_id}.")
        return
    ready_to_sign(account)
    with Progress(
        TextColumn("settling round {task.fields[round]}"), BarColumn(), MofNCompleteColumn(), transient=True
    ) as bar:
        task = bar.add_task("settle", total=len(plan.to_settle), round=round_id)
        report = execute_plan(
            plan,
            account,
            pool_type=ctx.pool_type,
            progress=lambda done, total: bar.update(task, completed=done),
        )
    for line in report.summary():
        click.echo(line)


@click.command(cls=PoolsCommand)
@network_option()
@click.option("--round", "round_id", type=click.IntRange(min=1), required=True, help="The round to verify.")
@click.option("--predictions", type=_FILE, required=True, help="The round's predictions (.parquet or .csv).")
@click.option("--targets", type=_FILE, required=True, help="The round's targets (.parquet or .csv).")
@click.option("--stakes", type=_FILE, required=True, help="The round's stakes (.parquet or .csv).")
@click.option("--meta-model", type=_FILE, default=None, help="The meta model, if it was given to `score`.")
@click.option(
    "--config", "config_name", default=None, help="Payout configuration (default: the engine's default)."
)
@click.option(
    "--results",
    "results_path",
    type=_FILE,
    default=None,
    help="Also check this results file against the recomputed results.",
)
@deployments_option
def verify(
    provider: Any,
    round_id: int,
    predictions: Path,
    targets: Path,
    stakes: Path,
    meta_model: Path | None,
    config_name: str | None,
    results_path: Path | None,
    deployments_path: Path | None,
) -> None:
    """Recompute a round's results from its public inputs and check, for every pool of a
    scored model, the results digest and the return it settled on chain (read from its
    Settled events). Prints every mismatch and exits with an error if there is one."""
    from nmr_pools import scoring
    from nmr_pools.chain.pool_history import read_pool_history, settled_layout
    from nmr_pools.settlement import model_key

    ctx = connect(provider, deployments_path)
    try:
        frame = scoring.read_predictions(predictions)
        target_series = scoring.read_targets(targets)
        stake_series = scoring.read_stakes(stakes)
        meta_series = scoring.read_meta_model(meta_model) if meta_model is not None else None
        results = scoring.score_round(
            round_id, frame, target_series, stake_series, meta_series, config_name or scoring.DEFAULT_CONFIG
        )
    except (ValueError, KeyError) as error:  # ScoringError is a ValueError; unknown config a KeyError
        raise click.UsageError(f"cannot recompute round {round_id}: {error}") from None
    click.echo(f"Recomputed round {round_id}: {len(results.models)} model(s), digest {results.digest}")
    mismatches: list[str] = []
    if results_path is not None:
        try:
            given = scoring.load_results(results_path)
        except ValueError as error:
            raise click.BadParameter(str(error), param_hint="--results") from None
        if given.digest != results.digest:
            mismatches.append(
                f"{results_path} has digest {given.digest}, the recomputed results {results.digest}"
            )
    factory = ctx.factory
    layout = settled_layout(ctx.pool_type)
    checked = 0
    for model in results.models:
        address = str(factory.pool_of(model_key(model.model_id)))
        if int(address, 16) == 0:
            continue
        pool = ctx.pool_at(address)
        if int(pool.last_settled_round()) < round_id:
            if int(pool.closure()):
                click.echo(
                    f"note: {model.model_id}: pool {address} closed before round {round_id} and settles "
                    "nothing more: nothing to check"
                )
            else:
                mismatches.append(f"{model.model_id}: pool {address} has not settled round {round_id} yet")
            continue
        events = [
            item
            for item in read_pool_history(ctx.provider.web3, address, layout, ctx.deployment.block)
            if item.round == round_id
        ]
        if not events:
            mismatches.append(
                f"{model.model_id}: no Settled event of round {round_id} found for pool {address}"
            )
            continue
        checked += 1
        event = events[-1]
        if event.results_digest != results.digest:
            mismatches.append(f"{model.model_id}: pool {address} settled with digest {event.results_digest}")
        settled = event.round_return
        if settled != model.round_return_wad:
            mismatches.append(
                f"{model.model_id}: pool {address} settled {format_wad_pct(settled)} ({settled}), "
                f"recomputed {format_wad_pct(model.round_return_wad)} ({model.round_return_wad})"
            )
    for line in mismatches:
        click.echo(f"MISMATCH {line}")
    if mismatches:
        raise click.ClickException(f"{len(mismatches)} mismatch(es) in round {round_id}.")
    click.echo(f"OK: {checked} pool(s) settled round {round_id} with the recomputed digest and returns.")
