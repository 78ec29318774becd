"""Two-step ownership of a pool: the owner offers it (`transfer-ownership`), the new owner
takes it (`accept-ownership`). Until accepted nothing changes, so a mistyped address costs
nothing but a new offer (or `--cancel`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
from ape.cli import account_option, network_option

from nmr_pools.cli.common import (
    PoolsCommand,
    connect,
    deployments_option,
    model_label,
    pool_option,
    resolve_address,
)
from nmr_pools.cli.permissions import require_owner, same
from nmr_pools.cli.safety import dry_run_option

ZERO_ADDRESS = "0x" + "00" * 20


def _pending(pool: Any) -> str | None:
    pending = str(pool.pending_owner())
    return None if int(pending, 16) == 0 else pending


@click.command(cls=PoolsCommand)
@network_option()
@account_option()
@pool_option()
@click.option("--to", "to", default=None, help="The new owner (address or `ape accounts` alias).")
@click.option("--cancel", is_flag=True, help="Withdraw a pending offer instead.")
@dry_run_option
@deployments_option
def transfer_ownership(
    provider: Any,
    account: Any,
    pool_ref: str,
    to: str | None,
    cancel: bool,
    dry_run: bool,
    deployments_path: Path | None,
) -> None:
    """Offer a pool's ownership (its fees, fee and limit settings) to another account (owner
    only). It changes hands when that account runs `accept-ownership`; a new offer replaces a
    pending one, and --cancel withdraws it."""
    if (to is None) == (not cancel):
        raise click.UsageError("give either --to NEW_OWNER or --cancel.")
    ctx = connect(provider, deployments_path)
    pool = ctx.pool(pool_ref)
    require_owner(pool, account, f"transfer the ownership of pool {pool.address}")
    pending = _pending(pool)
    label = f"pool {pool.address} ({model_label(pool)})"
    if cancel:
        if pending is None:
            raise click.UsageError(f"{label} has no pending ownership offer to cancel.")
        new_owner = ZERO_ADDRESS
        click.echo(f"Withdraw the offer of {label} to {pending}; {account.address} stays its owner.")
    else:
        if str(to).lower() == ZERO_ADDRESS.lower():  # before resolve_address, whose refusal is generic
            raise click.BadParameter(
                "the zero address cannot own a pool; use --cancel to withdraw an offer.", param_hint="--to"
            )
        new_owner = resolve_address(str(to), "--to")
        if same(new_owner, account.address):
            raise click.BadParameter(f"{new_owner} already owns {label}.", param_hint="--to")
        replaces = f" (replacing the offer to {pending})" if pending and not same(pending, new_owner) else ""
        click.echo(
            f"Offer {label} to {new_owner}{replaces}. {account.address} stays its owner until "
            f"{new_owner} runs `ape pools accept-ownership --pool {pool.address}`."
        )
    if dry_run:
        click.echo(f"Dry run: DelegationPool({pool.address}).transfer_ownership({new_owner}) not sent.")
        return
    pool.transfer_ownership(new_owner, sender=account)
    click.echo("Offer withdrawn." if cancel else f"Offered; pending owner: {pool.pending_owner()}.")


@click.command(cls=PoolsCommand)
@network_option()
@account_option()
@pool_option()
@dry_run_option
@deployments_option
def accept_ownership(
    provider: Any, account: Any, pool_ref: str, dry_run: bool, deployments_path: Path | None
) -> None:
    """Take over a pool whose owner offered it to this account with `transfer-ownership`."""
    ctx = connect(provider, deployments_path)
    pool = ctx.pool(pool_ref)
    pending = _pending(pool)
    label = f"pool {pool.address} ({model_label(pool)})"
    if pending is None or not same(pending, account.address):
        offered = f"it is offered to {pending}" if pending else "no offer is pending"
        raise click.UsageError(f"{account.address} cannot accept {label}: {offered}.")
    click.echo(
        f"Accept {label} from {pool.owner()}: {account.address} becomes its owner (fees, fee and "
        "deposit-limit settings, pausing)."
    )
    if dry_run:
        click.echo(f"Dry run: DelegationPool({pool.address}).accept_ownership() not sent.")
        return
    pool.accept_ownership(sender=account)
    click.echo(f"{account.address} now owns {label}.")
