"""`deploy-multicall`: add the read aggregator to a deployment that was made without it.

`ape pools deploy` deploys contracts/Multicall.vy and records it; deployments files written
before that have no `multicall`, and `settle` then reads every pool one call at a time (it
says so). This deploys the aggregator and writes its address into the file. The aggregator
only makes static calls and holds nothing, so any account may deploy it.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import click
from ape.cli import account_option, network_option

from nmr_pools.cli.common import PoolsCommand, connect, deployments_option


@click.command(cls=PoolsCommand)
@network_option()
@account_option()
@click.option("--force", is_flag=True, help="Deploy a new aggregator even if the file names a live one.")
@deployments_option
def deploy_multicall(provider: Any, account: Any, force: bool, deployments_path: Path | None) -> None:
    """Deploy the read aggregator (contracts/Multicall.vy) and record it in the deployments
    file, so `settle` reads hundreds of pools in a few calls instead of several per pool."""
    from nmr_pools.deployments import path_for, save_deployment

    ctx = connect(provider, deployments_path)
    existing = ctx.deployment.multicall
    if existing and ctx.provider.get_code(existing) and not force:
        raise click.UsageError(
            f"the deployments file already names a live aggregator at {existing}; "
            "pass --force to deploy another."
        )
    aggregator = account.deploy(ctx.project.Multicall)
    path = save_deployment(
        replace(ctx.deployment, multicall=str(aggregator.address)), path_for(ctx.provider, deployments_path)
    )
    click.echo(f"Deployed the read aggregator at {aggregator.address}; recorded in {path}.")
