"""`set-deposit-limit`: cap the NMR a pool accepts (owner)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
from ape.cli import account_option, network_option

from nmr_pools.amounts import format_nmr
from nmr_pools.cli.common import (
    PoolsCommand,
    amount_option,
    connect,
    deployments_option,
    model_label,
    pool_option,
)
from nmr_pools.cli.permissions import require_owner
from nmr_pools.cli.safety import dry_run_option

# the pool's "no limit" (its initial deposit_limit)
UNLIMITED = 2**256 - 1


def format_limit(limit: int) -> str:
    return "unlimited" if limit == UNLIMITED else format_nmr(limit)


def limit_effect(limit: int, held: int) -> str:
    """What the new limit means for deposits, given the NMR the pool counts against it."""
    if limit == UNLIMITED:
        return "deposit requests of any size will be accepted"
    if held >= limit:
        return (
            f"the pool already counts {format_nmr(held)} against it: no deposit request is accepted until "
            "redemptions bring it below the limit (nobody's NMR is touched)"
        )
    return f"room for {format_nmr(limit - held)} more in deposit requests"


@click.command(cls=PoolsCommand)
@network_option()
@account_option()
@pool_option()
@amount_option(
    "--amount",
    what="--amount",
    required=False,
    help="The new limit in NMR: active plus pending deposits the pool may hold, e.g. 50000.",
)
@click.option("--unlimited", is_flag=True, help="Remove the limit.")
@dry_run_option
@deployments_option
def set_deposit_limit(
    provider: Any,
    account: Any,
    pool_ref: str,
    amount: int | None,
    unlimited: bool,
    dry_run: bool,
    deployments_path: Path | None,
) -> None:
    """Cap the NMR a pool accepts (active assets plus pending deposits), or lift the cap with
    --unlimited (pool owner only). Requests beyond the limit are refused; nothing already in
    the pool is touched."""
    if (amount is None) == (not unlimited):
        raise click.UsageError("give either --amount NMR or --unlimited.")
    limit = UNLIMITED if unlimited else int(amount or 0)
    ctx = connect(provider, deployments_path)
    pool = ctx.pool(pool_ref)
    require_owner(pool, account, f"set the deposit limit of pool {pool.address}")
    current = int(pool.deposit_limit())
    if current == limit:
        raise click.UsageError(f"the deposit limit of pool {pool.address} is already {format_limit(limit)}.")
    held = int(pool.totalAssets()) + int(pool.pending_deposit_assets())
    click.echo(
        f"Set the deposit limit of pool {pool.address} ({model_label(pool)}) from {format_limit(current)} "
        f"to {format_limit(limit)}: {limit_effect(limit, held)}."
    )
    if dry_run:
        click.echo(f"Dry run: DelegationPool({pool.address}).set_deposit_limit({limit}) not sent.")
        return
    pool.set_deposit_limit(limit, sender=account)
    click.echo(f"Deposit limit of {pool.address} is now {format_limit(int(pool.deposit_limit()))}.")
