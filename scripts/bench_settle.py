"""Wall time of settling many pools through the settlement pipeline of `ape pools settle` on anvil:
`ape run bench_settle --network ethereum:local:foundry [--pools 1000] [--no-plain]`. Writes bench/settle.md.

The pools are created and funded first (not timed); then a results file for every model is
written, and planning (reads the chain, checks, picks the batch size from gas estimates) and
execution (`settle_many` batches, receipts) are timed separately -- the exact functions the
`settle` command calls, with the Multicall aggregator `ape pools deploy` records. For
comparison the same plan is also timed with plain reads (one `eth_call` per view, what a
deployments file without an aggregator gets); it is not executed.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import click
from ape import accounts, chain, networks, project
from ape.cli import ConnectedProviderCommand
from rich.progress import Progress

from nmr_pools.deployment import DAY, create_attested_pool, deploy_system

NMR = 10**18


@click.command(cls=ConnectedProviderCommand)
@click.option(
    "--pools",
    "n_pools",
    default=1_000,
    show_default=True,
    type=click.IntRange(min=1),
    help="How many pools to create and settle.",
)
@click.option("--out", default="bench/settle.md", show_default=True, help="Where to write the table.")
@click.option(
    "--plain/--no-plain",
    default=True,
    show_default=True,
    help="Also time the plan with plain reads (no aggregator), for comparison.",
)
def cli(n_pools: int, out: str, plain: bool):
    """Time settling one round on many pools (plan + execute) and write bench/settle.md."""
    from nmr_pools.scoring import ModelResult, RoundResults, model_id_to_bytes32, write_results
    from nmr_pools.scoring.results import with_digest
    from nmr_pools.settlement import execute_plan, plan_settlement, read_results

    deployer, owner, funder = accounts.test_accounts[0], accounts.test_accounts[1], accounts.test_accounts[2]
    system = deploy_system(project, deployer, round_length=DAY, multicall=True)
    multicall = str(system.multicall.address)
    nmr, factory = system.nmr, system.factory
    # the deployer holds the stand-in's whole premined supply: the treasury and the funder get theirs from it
    nmr.approve(system.treasury, 1_000_000 * NMR, sender=deployer)
    system.treasury.fund(1_000_000 * NMR, sender=deployer)
    nmr.transfer(funder, n_pools * 10 * NMR, sender=deployer)
    names = [f"bench{i:05d}" for i in range(n_pools)]
    with Progress() as progress:
        task = progress.add_task("creating and funding pools", total=n_pools)
        for name in names:
            pool = create_attested_pool(
                project,
                factory,
                attester=deployer,
                owner=owner,
                model_id=bytes(model_id_to_bytes32(name)),
                model_name=name,
                fee_bps=1_000,
            )
            nmr.approve(pool, 10 * NMR, sender=funder)
            pool.requestDeposit(10 * NMR, funder, funder, sender=funder)
            progress.advance(task)
    round_id = int(factory.current_round())
    chain.pending_timestamp = int(factory.round_start(round_id + 1))
    chain.mine()
    models = [
        ModelResult(name, 0.01, 0.001, 1.0, (i % 11 - 5) * 10**16, "ok") for i, name in enumerate(names)
    ]
    path = Path(out).with_suffix(".results.json")
    write_results(with_digest(RoundResults(round_id, "classic-2025", 1, "bench", models, "")), path)

    load = os.getloadavg()[0]
    rows = []
    if plain:
        started = time.perf_counter()
        plain_plan = plan_settlement(factory, read_results(path), sender=deployer)
        plain_plan.check()
        rows.append(("plain calls", plain_plan, time.perf_counter() - started, None, None))

    started = time.perf_counter()
    results = read_results(path)
    plan = plan_settlement(factory, results, sender=deployer, multicall=multicall)
    plan.check()
    planned = time.perf_counter()
    with Progress() as progress:
        task = progress.add_task("settling", total=len(plan.to_settle))
        report = execute_plan(
            plan, deployer, progress=lambda done, total: progress.update(task, completed=done)
        )
    finished = time.perf_counter()
    rows.insert(0, ("Multicall", plan, planned - started, finished - planned, report))
    path.unlink()
    Path(f"{path}.digest").unlink()
    settled = len(report.settled)
    lines = [
        "# Settling many pools",
        "",
        (
            f"`ape run bench_settle --pools {n_pools}` on `{networks.provider.network_choice}` (anvil 1.7.1), "
            f"{time.strftime('%Y-%m-%d')}: one round settled on every pool through `nmr_pools.settlement` "
            "(the code path of `ape pools settle`), on a 2-core machine. 'reads' is how planning read the "
            "pools: batched through the Multicall aggregator `ape pools deploy` records, or one `eth_call` per "
            "view (a deployments file without one); the plain-calls plan is timed for comparison and not executed. "
            f"1-minute load average when timing started: {load:.1f} (above the core count, other work shared "
            "the machine and the times are upper bounds)."
        ),
        "",
        "| pools | reads | eth_calls to plan | batch size | transactions | plan (s) | execute (s) | total (s) | pools settled |",
        "| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for label, row_plan, plan_s, execute_s, row_report in rows:
        if row_report is None:
            lines.append(
                f"| {n_pools:,} | {label} | {row_plan.reads:,} | {row_plan.batch_size} | — | {plan_s:.1f} | "
                "not run | — | — |"
            )
        else:
            lines.append(
                f"| {n_pools:,} | {label} | {row_plan.reads:,} | {row_plan.batch_size} | "
                f"{len(row_report.transactions)} | {plan_s:.1f} | {execute_s:.1f} | {plan_s + execute_s:.1f} | "
                f"{len(row_report.settled):,} |"
            )
    table = "\n".join([*lines, ""])
    Path(out).write_text(table)
    click.echo(table)
    if settled != n_pools:
        raise click.ClickException(f"only {settled} of {n_pools} pools settled")
