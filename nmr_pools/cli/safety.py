"""Safety commands of a pool: `pause`/`unpause` new deposits, `wind-down`, `emergency-exit`.

Pausing stops new deposit requests only: redeeming, cancelling and claiming always work.

The wind-down and the emergency exit (DESIGN.md §5; the pool's `wind_down()` and
`emergency_exit()`, see `nmr_pools.lifecycle`) end a pool for good. Each command checks the
role or the stall first and refuses in one sentence, prints what will happen to every holder
(the last round, who can still leave and how), and sends nothing with `--dry-run`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
from ape.cli import account_option, network_option

from nmr_pools.amounts import format_nmr, format_price
from nmr_pools.cli.common import Context, PoolsCommand, connect, deployments_option, model_label, pool_option
from nmr_pools.cli.permissions import require_owner_or_guardian
from nmr_pools.cli.signing import ready_to_sign
from nmr_pools.cli.times import duration, utc

dry_run_option = click.option("--dry-run", is_flag=True, help="Print what would be sent, and send nothing.")


def _toggle(
    provider: Any, account: Any, pool_ref: str, deployments_path: Path | None, dry_run: bool, pause: bool
) -> None:
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
        if pause
        else "new deposit requests will be accepted again"
    )
    click.echo(
        f"{verb.capitalize()} pool {pool.address} ({model_label(pool)}) as its {capacity} "
        f"{account.address}: {effect}."
    )
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


def _lifecycle(ctx: Context, pool: Any) -> Any:
    from nmr_pools.cli.times import now
    from nmr_pools.lifecycle import Lifecycle
    from nmr_pools.model.from_chain import load_pool_model

    return Lifecycle.of(load_pool_model(pool, ctx.factory, now()))


def _refuse_if_closed(pool: Any, lifecycle: Any, what: str) -> None:
    if lifecycle.closed:
        raise click.UsageError(
            f"pool {pool.address} ({model_label(pool)}) is already closed "
            f"({lifecycle.closed_because}): {what}."
        )


@click.command(cls=PoolsCommand)
@network_option()
@account_option()
@pool_option()
@dry_run_option
@deployments_option
def wind_down(
    provider: Any, account: Any, pool_ref: str, dry_run: bool, deployments_path: Path | None
) -> None:
    """Wind a pool down for good (its owner or a factory guardian): no new deposits from now on,
    and the open round is the last one it plays. Every round up to it is still settled and every
    request converts on its usual schedule (nobody escapes a played round); settling the last
    round closes the pool, after which redemptions convert at once at the final price."""
    ctx = connect(provider, deployments_path)
    pool = ctx.pool(pool_ref)
    label = f"{pool.address} ({model_label(pool)})"
    capacity = require_owner_or_guardian(pool, ctx.factory, account, f"wind down pool {pool.address}")
    lifecycle = _lifecycle(ctx, pool)
    _refuse_if_closed(pool, lifecycle, "nothing to wind down")
    if lifecycle.winding_down:
        raise click.UsageError(
            f"pool {label} is already winding down: round {lifecycle.wind_down_round} is its last, "
            "and settling it closes the pool."
        )
    last, settled = lifecycle.current_round, lifecycle.last_settled_round
    to_settle = last - settled
    click.echo(f"Wind down pool {label} as its {capacity} {account.address}:")
    click.echo(
        f"  - no new deposit requests from now on; round {last} (open now) is the last round the pool plays"
    )
    rounds = (
        f"round {last} is still settled as usual once it closes"
        if to_settle == 1
        else f"rounds {settled + 1}..{last} are still settled as usual ({to_settle} to go, the last once round "
        f"{last} closes)"
    )
    click.echo(
        f"  - {rounds} and every request converts on its usual schedule: nobody escapes a played round"
    )
    click.echo(
        f"  - redemptions requested after round {last} join round {last + 1}'s group: they convert when round "
        f"{last} is settled, at the pool's final price"
    )
    click.echo(
        f"  - pending deposits still convert; a deposit made in round {last} can be cancelled while it is open"
    )
    click.echo(
        f"  - once round {last} is settled the pool is closed: redemptions convert at once at the final price"
    )
    click.echo("This cannot be undone.")
    if dry_run:
        click.echo(f"Dry run: DelegationPool({pool.address}).wind_down() not sent.")
        return
    ready_to_sign(account)
    pool.wind_down(sender=account)
    click.echo(
        f"Pool {pool.address} is winding down: round {int(pool.wind_down_round())} is its last; it closes when "
        "that round is settled."
    )


@click.command(cls=PoolsCommand)
@network_option()
@account_option()
@pool_option()
@dry_run_option
@deployments_option
def emergency_exit(
    provider: Any, account: Any, pool_ref: str, dry_run: bool, deployments_path: Path | None
) -> None:
    """Close a pool whose settler is gone (anyone may, once the pool is stalled: its next round
    closed more than the factory's stall gap ago and is still unsettled). Unsettled rounds are
    forfeited; shares then redeem at once at the last settled price and pending requests can be
    taken back in full. Before the pool stalls, says when the exit opens."""
    ctx = connect(provider, deployments_path)
    pool = ctx.pool(pool_ref)
    label = f"{pool.address} ({model_label(pool)})"
    lifecycle = _lifecycle(ctx, pool)
    _refuse_if_closed(
        pool, lifecycle, "redeem with `ape pools redeem`, take pending requests back with `ape pools cancel`"
    )
    gap = int(ctx.factory.stall_gap())
    waiting_round = lifecycle.last_settled_round + 1
    closed_at = lifecycle.exit_opens_at - gap
    if not lifecycle.stalled:
        since = (
            f"closed at {utc(closed_at)}"
            if closed_at <= lifecycle.now
            else f"is still open (it closes at {utc(closed_at)})"
        )
        raise click.UsageError(
            f"pool {label} is not stalled, so its emergency exit is shut: its next round {waiting_round} {since}, and "
            f"the exit opens at {utc(lifecycle.exit_opens_at)} (in {duration(lifecycle.exit_opens_at - lifecycle.now)}) "
            f"only if round {waiting_round} is still unsettled then (stall gap {duration(gap)}). Until then redeem the "
            "usual way (`ape pools redeem`)."
        )
    pending_nmr = int(pool.pending_deposit_assets())
    pending_shares = int(pool.pending_redeem_shares())
    forfeited = (
        f"rounds {waiting_round}..{lifecycle.last_played_round}"
        if lifecycle.last_played_round > waiting_round
        else f"round {waiting_round}"
    )
    click.echo(
        f"Emergency exit of pool {label}, as {account.address}: round {waiting_round} closed at "
        f"{utc(closed_at)}, {duration(lifecycle.now - closed_at)} ago, and has no result (stall gap "
        f"{duration(gap)}): the settler is gone."
    )
    click.echo(f"  - the pool closes for good: {forfeited} are never settled (their results are forfeited)")
    click.echo(
        f"  - shares redeem at once at the last settled price, {format_price(int(pool.price_per_share()))} per "
        "share: `ape pools redeem`, then `ape pools claim`"
    )
    click.echo(
        f"  - pending deposits ({format_nmr(pending_nmr)}) come back in full and pending redemptions "
        f"({format_nmr(pending_shares, unit='shares')}) can be cancelled and redeemed again at once: "
        "`ape pools cancel`"
    )
    click.echo("  - whatever already converted stays claimable: `ape pools claim`")
    if dry_run:
        click.echo(f"Dry run: DelegationPool({pool.address}).emergency_exit() not sent.")
        return
    ready_to_sign(account)
    pool.emergency_exit(sender=account)
    click.echo(f"Pool {pool.address} is closed (emergency exit): redeem and cancel as above.")
