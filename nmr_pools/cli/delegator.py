"""Delegator commands: request deposits and redemptions, cancel them, claim what converted."""

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
from nmr_pools.cli.signing import ready_to_sign
from nmr_pools.cli.times import now
from nmr_pools.lifecycle import Lifecycle


def _when(request_round: int, lifecycle: Lifecycle) -> str:
    """When a request of `request_round` converts, in words."""
    if lifecycle.closed:
        return "never converts: the pool is closed, so take it back with `ape pools cancel`"
    wait = request_round - 1 - lifecycle.last_settled_round
    if wait <= 0:
        return "claimable now"
    return f"claimable once round {request_round - 1} is settled ({wait} round(s) to settle)"


@click.command(cls=PoolsCommand)
@network_option()
@account_option()
@pool_option()
@amount_option(help="NMR to deposit, e.g. 12.5.")
@deployments_option
def deposit(provider: Any, account: Any, pool_ref: str, amount: int, deployments_path: Path | None) -> None:
    """Request a deposit: the NMR moves in now and converts to shares once the previous round
    is settled (at once when the pool is caught up). Handles NMR's approve rule."""
    from nmr_pools.approvals import ensure_allowance
    from nmr_pools.preview import PoolState, preview_deposit

    ctx = connect(provider, deployments_path)
    pool = ctx.pool(pool_ref)
    state = PoolState.read(pool, ctx.factory)
    lifecycle = state.lifecycle
    if lifecycle.closed:
        raise click.UsageError(
            f"pool {pool.address} is closed ({lifecycle.closed_because}) and takes no deposits."
        )
    if lifecycle.winding_down:
        raise click.UsageError(
            f"pool {pool.address} is winding down (round {lifecycle.wind_down_round} is its last) "
            "and takes no deposits; redeeming and claiming still work."
        )
    if lifecycle.paused:
        raise click.UsageError(
            f"pool {pool.address} is paused and takes no new deposits (redeem and claim still work)."
        )
    balance = int(ctx.nmr.balanceOf(account))
    if balance < amount:
        raise click.BadParameter(
            f"{account.address} holds {format_nmr(balance)}, less than {format_nmr(amount)}.",
            param_hint="--amount",
        )
    room = int(pool.deposit_limit()) - int(pool.totalAssets()) - int(pool.pending_deposit_assets())
    if amount > room:
        raise click.BadParameter(
            f"the pool's deposit limit leaves room for {format_nmr(max(room, 0))} only.",
            param_hint="--amount",
        )
    preview = preview_deposit(state, amount)
    click.echo(
        f"Deposit {format_nmr(amount)} into {model_label(pool)} ({pool.address}), request id {preview.request_round}:"
    )
    if preview.converts_now:
        click.echo(
            f"  the pool is caught up: converts at once to {format_nmr(preview.at_current_price, unit='shares')}"
        )
    else:
        click.echo(
            f"  converts after round {preview.convert_after_round} is settled ({preview.rounds_to_wait} round(s) to go): "
            f"{format_nmr(preview.at_current_price, unit='shares')} at today's price, between "
            f"{format_nmr(preview.worst, unit='')} and {format_nmr(preview.best, unit='shares')} "
            f"after those rounds (±{state.return_cap * 100 / 10**18:g}% each)"
        )
    click.echo(f"  your NMR is at risk from round {preview.request_round} on.")
    ready_to_sign(account)
    current = int(ctx.nmr.allowance(account, pool))
    if current < amount:
        how = "approve" if current == 0 else f"changeApproval from {format_nmr(current)} (NMR's approve rule)"
        click.echo(f"  allowing the pool to take {format_nmr(amount)} ({how})…")
    ensure_allowance(ctx.nmr, account, pool, amount)
    pool.requestDeposit(amount, account, account, sender=account)
    claimable = int(pool.maxDeposit(account))
    if claimable:
        click.echo(
            f"Requested; {format_nmr(claimable)} of deposits are claimable now: run `ape pools claim`."
        )
    else:
        click.echo(f"Requested; {_when(preview.request_round, lifecycle)}, then run `ape pools claim`.")


@click.command(cls=PoolsCommand)
@network_option()
@account_option()
@pool_option()
@amount_option("--shares", what="--shares", required=False, help="Shares to redeem, e.g. 10.5.")
@click.option("--all", "redeem_all", is_flag=True, help="Redeem every share you hold.")
@deployments_option
def redeem(
    provider: Any,
    account: Any,
    pool_ref: str,
    shares: int | None,
    redeem_all: bool,
    deployments_path: Path | None,
) -> None:
    """Request a redemption: the shares are locked now and convert to NMR once the previous
    round is settled (at once when the pool is caught up or closed). While a pool winds down,
    a redemption made after its last round converts when that round is settled."""
    from nmr_pools.preview import PoolState, preview_redeem

    if (shares is None) == (not redeem_all):
        raise click.UsageError("give either --shares AMOUNT or --all.")
    ctx = connect(provider, deployments_path)
    pool = ctx.pool(pool_ref)
    held = int(pool.balanceOf(account))
    if shares is None:  # --all
        if held == 0:
            raise click.UsageError(
                f"{account.address} holds no shares of {pool.address} (claim converted deposits first)."
            )
        shares = held
    if shares > held:
        raise click.BadParameter(
            f"{account.address} holds {format_nmr(held, unit='shares')}, less than {format_nmr(shares, unit='shares')}"
            + (
                " (claim converted deposits first with `ape pools claim`)"
                if int(pool.maxMint(account))
                else ""
            )
            + ".",
            param_hint="--shares",
        )
    state = PoolState.read(pool, ctx.factory)
    lifecycle = state.lifecycle
    preview = preview_redeem(state, shares)
    click.echo(
        f"Redeem {format_nmr(shares, unit='shares')} of {model_label(pool)} ({pool.address}), "
        f"request id {preview.request_round}:"
    )
    if preview.converts_now:
        price = "the final price" if lifecycle.closed else "today's price"
        click.echo(f"  converts at once to {format_nmr(preview.at_current_price)} ({price})")
    else:
        click.echo(
            f"  worth {format_nmr(preview.at_current_price)} today; converts after round {preview.convert_after_round} "
            f"is settled, to between {format_nmr(preview.worst, unit='')} and {format_nmr(preview.best)}"
        )
        if lifecycle.winding_down and preview.request_round == lifecycle.wind_down_round + 1:
            click.echo(
                f"  the pool is winding down: round {lifecycle.wind_down_round} is the last it plays, so this "
                "redemption converts when that round is settled (the pool then closes)"
            )
    ready_to_sign(account)
    pool.requestRedeem(shares, account, account, sender=account)
    claimable = int(pool.maxWithdraw(account))
    if claimable:
        click.echo(f"Requested; {format_nmr(claimable)} is claimable now: run `ape pools claim`.")
    else:
        click.echo(f"Requested; {_when(preview.request_round, lifecycle)}, then run `ape pools claim`.")


@click.command(cls=PoolsCommand)
@network_option()
@account_option()
@pool_option()
@click.option(
    "--side",
    type=click.Choice(["deposit", "redeem", "both"]),
    default="both",
    show_default=True,
    help="Which requests to cancel.",
)
@deployments_option
def cancel(provider: Any, account: Any, pool_ref: str, side: str, deployments_path: Path | None) -> None:
    """Cancel your requests made in the open round (any pending one once the pool is closed:
    deposits come back in full, redeemed shares come back to be redeemed again at once)."""
    ctx = connect(provider, deployments_path)
    pool = ctx.pool(pool_ref)
    current = int(pool.current_round())
    shut = int(pool.closure()) != 0
    sides = ["deposit", "redeem"] if side == "both" else [side]
    done = []
    pending_elsewhere = []
    for name in sides:
        for request_round, amount in pool.pending_requests(account, name == "redeem"):
            request_round, amount = int(request_round), int(amount)
            if request_round != current and not shut:
                pending_elsewhere.append((name, request_round, amount))
                continue
            ready_to_sign(account)
            if name == "deposit":
                pool.cancelDepositRequest(request_round, account, account, sender=account)
                done.append(f"deposit request {request_round}: {format_nmr(amount)} returned")
            else:
                pool.cancelRedeemRequest(request_round, account, account, sender=account)
                done.append(f"redeem request {request_round}: {format_nmr(amount, unit='shares')} returned")
    if not done:
        detail = "; ".join(
            f"{n} request {r} ({format_nmr(a, unit='NMR' if n == 'deposit' else 'shares')})"
            for n, r, a in pending_elsewhere
        )
        raise click.UsageError(
            f"nothing to cancel in pool {pool.address}: only requests made in the open round {current} can be "
            "cancelled" + (f"; your other pending requests: {detail}" if detail else "") + "."
        )
    for line in done:
        click.echo(f"Cancelled {line}.")
    if shut and any(line.startswith("redeem") for line in done):
        click.echo("The pool is closed: `ape pools redeem` converts those shares at once at its final price.")


@click.command(cls=PoolsCommand)
@network_option()
@account_option()
@pool_option(required=False, help="Only this pool (default: every pool of the factory).")
@deployments_option
def claim(provider: Any, account: Any, pool_ref: str | None, deployments_path: Path | None) -> None:
    """Claim everything that has converted: shares of deposits and NMR of redemptions."""
    ctx = connect(provider, deployments_path)
    from nmr_pools.model.from_chain import load_pool_model

    pools = [ctx.pool(pool_ref)] if pool_ref else ctx.pools()
    claimed = 0
    waiting = []
    for pool in pools:
        label = f"{model_label(pool)} ({pool.address})"
        deposit_assets = int(pool.maxDeposit(account))
        if deposit_assets:
            shares = int(pool.maxMint(account))
            ready_to_sign(account)
            pool.deposit(deposit_assets, account, account, sender=account)
            click.echo(
                f"{label}: claimed {format_nmr(shares, unit='shares')} for {format_nmr(deposit_assets)} deposited."
            )
            claimed += 1
        redeem_shares = int(pool.maxRedeem(account))
        if redeem_shares:
            assets = int(pool.maxWithdraw(account))
            ready_to_sign(account)
            pool.redeem(redeem_shares, account, account, sender=account)
            click.echo(
                f"{label}: claimed {format_nmr(assets)} for {format_nmr(redeem_shares, unit='shares')} redeemed."
            )
            claimed += 1
        deposits = pool.pending_requests(account, False)
        redemptions = pool.pending_requests(account, True)
        if not deposits and not redemptions:
            continue
        lifecycle = Lifecycle.of(load_pool_model(pool, ctx.factory, now()))
        for request_round, amount in deposits:
            waiting.append(
                f"{label}: deposit of {format_nmr(int(amount))} (round {request_round}) "
                f"{_when(int(request_round), lifecycle)}"
            )
        for request_round, amount in redemptions:
            waiting.append(
                f"{label}: redemption of {format_nmr(int(amount), unit='shares')} (round {request_round}) "
                f"{_when(int(request_round), lifecycle)}"
            )
    if not claimed:
        click.echo(f"Nothing to claim for {account.address}.")
    for line in waiting:
        click.echo(f"pending: {line}")
