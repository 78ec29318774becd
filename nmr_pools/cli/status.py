"""`status`: the pools, and one account's positions in them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
from ape.cli import network_option

from nmr_pools.amounts import format_fee, format_nmr, format_price
from nmr_pools.cli.common import (
    PoolsCommand,
    connect,
    deployments_option,
    model_label,
    pool_option,
    resolve_address,
)


@click.command(cls=PoolsCommand)
@network_option()
@pool_option(required=False, help="Only this pool (address or model id; default: every pool).")
@click.option(
    "--account",
    "account_ref",
    default=None,
    help="Also show this account's positions (address or `ape accounts` alias).",
)
@deployments_option
def status(
    provider: Any, pool_ref: str | None, account_ref: str | None, deployments_path: Path | None
) -> None:
    """A table of the pools (price per share, high-water mark, assets, pending requests, rounds
    waiting, fees owed, NMR the treasury owes each pool, and its state: active, paused, winding
    down to round s, or closed and why) and, with --account, what that account holds, has
    pending and can claim, with the best and worst case of the rounds in flight (each at most
    ± the return cap)."""
    from rich.console import Console

    from nmr_pools.cli.tables import Sheet
    from nmr_pools.preview import PoolState, read_position

    ctx = connect(provider, deployments_path)
    account = resolve_address(account_ref, "--account") if account_ref else None
    pools = [ctx.pool(pool_ref)] if pool_ref else ctx.pools()
    factory = ctx.factory
    current = int(factory.current_round())
    # the terminal's width, or 80 columns when piped (COLUMNS overrides): tables never cut a cell
    console = Console()
    console.print(f"factory {factory.address} · round {current} open")
    states = {pool.address: PoolState.read(pool, factory) for pool in pools}
    owed = {address: state.model.treasury_owed for address, state in states.items()}
    owed_line = (
        f" · owes pools {format_nmr(sum(owed.values()))} it could not pay yet" if any(owed.values()) else ""
    )
    console.print(
        f"treasury holds {format_nmr(ctx.treasury.available())}{owed_line} · return cap "
        f"±{int(factory.return_cap()) * 100 / 10**18:g}% per round"
    )
    if not pools:
        console.print(
            "No pools yet: create one with `ape pools create-pool --model-id NAME --fee 20 --attestation "
            "FILE` (or `--attester TEST::0` on a local chain)."
        )
        return
    amounts = [
        "price/share",
        "high-water mark",
        "active NMR",
        "pending deposits",
        "pending redemptions",
        "last settled",
        "rounds waiting",
        "fee",
        "fees owed",
    ]
    # the treasury's debt to each pool only when there is some: the table stays narrow otherwise
    if any(owed.values()):
        amounts.append("owed by treasury")
    table = Sheet(
        ("model", "pool", *amounts, "state"), title="Pools", right=frozenset(amounts), key_columns=2
    )
    for pool in pools:
        state = states[pool.address]
        model = state.model
        pending_shares = model.pending_redeem_shares
        cells = [
            model_label(pool),
            str(pool.address),
            format_price(state.price),
            format_price(model.high_water_mark),
            format_nmr(state.total_assets, unit=""),
            format_nmr(model.pending_deposit_assets, unit=""),
            f"{format_nmr(pending_shares, unit='sh')}" if pending_shares else "0",
            str(state.last_settled_round),
            str(max(current - 1 - state.last_settled_round, 0)),
            format_fee(model.fee_bps),
            format_nmr(model.fees_owed, unit=""),
        ]
        if any(owed.values()):
            cells.append(format_nmr(owed[pool.address], unit=""))
        table.add_row(*cells, state.lifecycle.words())
    table.print(console)
    if account is None:
        return
    rows = Sheet(
        ("model", "shares", "value", "claimable", "pending", "claimable when", "worst case", "best case"),
        title=f"Account {account}",
        right=frozenset(("shares", "value", "worst case", "best case")),
    )
    any_position = False
    for pool in pools:
        state = states[pool.address]
        position = read_position(pool, state, account)
        if position.empty:
            continue
        any_position = True
        claimable = []
        if position.claimable_shares:
            claimable.append(format_nmr(position.claimable_shares, unit="shares"))
        if position.claimable_nmr:
            claimable.append(format_nmr(position.claimable_nmr))
        pending, when = [], []
        for request_round, assets in position.pending_deposits:
            pending.append(f"deposit {format_nmr(assets)} (r{request_round})")
            when.append(state.lifecycle.converts(request_round))
        for request_round, shares in position.pending_redemptions:
            pending.append(f"redeem {format_nmr(shares, unit='sh')} (r{request_round})")
            when.append(state.lifecycle.converts(request_round))
        rows.add_row(
            model_label(pool),
            format_nmr(position.shares, unit=""),
            format_nmr(position.value),
            "\n".join(claimable) or "-",
            "\n".join(pending) or "-",
            "\n".join(when) or "-",
            format_nmr(position.worst),
            format_nmr(position.best),
        )
    if any_position:
        rows.print(console)
        console.print("worst/best: every unsettled round the position bears at ∓ the cap (before fees).")
    else:
        console.print(f"{account} has nothing in these pools.")
