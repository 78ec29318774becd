"""Safety commands of a pool: `pause` and `unpause` new deposits (owner or guardian).

Pausing stops new deposit requests only: redeeming, cancelling and claiming always work.

The wind-down and the emergency exit (DESIGN.md §5; the pool's `wind_down()` and
`emergency_exit()`) belong here too, as `wind-down` and `emergency-exit`, with the same shape
(role or stall checked before sending, a preview, `--dry-run`); the lead adds them with the
rest of the CLI's move to the new pool.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
from ape.cli import account_option, network_option

from nmr_pools.cli.common import PoolsCommand, connect, deployments_option, model_label, pool_option
from nmr_pools.cli.permissions import require_owner_or_guardian

dry_run_option = click.option("--dry-run", is_flag=True, help="Print what would be sent, and send nothing.")


def _toggle(provider: Any, account: Any, pool_ref: str, deployments_path: Path | None, dry_run: bool,
            pause: bool) -> None:
    ctx = connect(provider, deployments_path)
    pool = ctx.pool(pool_ref)
    verb = "pause" if pause else "unpause"
    capacity = require_owner_or_guardian(pool, ctx.factory, account, f"{verb} pool {pool.address}")
    paused = bool(pool.paused())
    if paused == pause:
        state = "already paused" if paused else "not paused"
        raise click.UsageError(f"pool {pool.address} ({model_label(pool)}) is {state}: nothing to do.")
    effect = (
        "new deposit requests will be refused; redeeming, cancelling and claiming go on"
        if pause else "new deposit requests will be accepted again"
    )
    click.echo(f"{verb.capitalize()} pool {pool.address} ({model_label(pool)}) as its {capacity} "
               f"{account.address}: {effect}.")
    if dry_run:
        click.echo(f"Dry run: DelegationPool({pool.address}).{verb}() not sent.")
        return
    getattr(pool, verb)(sender=account)
    click.echo(f"Pool {pool.address} is {'paused' if pause else 'accepting deposits again'}.")


@click.command(cls=PoolsCommand)
@network_option()
@account_option()
@pool_option()
@dry_run_option
@deployments_option
def pause(provider: Any, account: Any, pool_ref: str, dry_run: bool, deployments_path: Path | None) -> None:
    """Stop new deposit requests to a pool (its owner or a factory guardian). Redemptions,
    cancellations and claims keep working; `unpause` reopens deposits."""
    _toggle(provider, account, pool_ref, deployments_path, dry_run, pause=True)


@click.command(cls=PoolsCommand)
@network_option()
@account_option()
@pool_option()
@dry_run_option
@deployments_option
def unpause(provider: Any, account: Any, pool_ref: str, dry_run: bool, deployments_path: Path | None) -> None:
    """Accept deposit requests to a paused pool again (its owner or a factory guardian)."""
    _toggle(provider, account, pool_ref, deployments_path, dry_run, pause=False)
