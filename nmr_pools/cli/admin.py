"""Admin commands: deploy the protocol, fund the treasury, hand out stand-in NMR, grant roles."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
from ape.cli import account_option, network_option

from nmr_pools.amounts import format_nmr
from nmr_pools.cli.common import (
    PoolsCommand,
    active_provider,
    amount_option,
    connect,
    deployments_option,
    resolve_address,
)
from nmr_pools.cli.permissions import ROLE_FLAGS, ROLE_POWERS, require_admin, same
from nmr_pools.cli.signing import ready_to_sign


def _is_mainnet(provider: Any) -> bool:
    return int(provider.chain_id) == 1


def _refuse_to_replace(path: Path, provider: Any) -> None:
    """Refuse to overwrite a deployments file whose contracts may still exist: they are live on
    the connected chain, or the file belongs to another chain (the local chain of `make chain`
    when it is down, a testnet, ...). A file whose factory is gone from its own chain (the chain
    was reset) is replaced."""
    from nmr_pools.deployments import read_deployment
    from nmr_pools.errors import DeploymentsError

    try:
        old = read_deployment(path)
    except DeploymentsError:
        return  # unreadable: nothing in it to lose
    chain_id = int(provider.chain_id)
    if old.chain_id != chain_id:
        raise click.UsageError(
            f"{path} holds a deployment on chain id {old.chain_id} (factory {old.factory}), not this chain "
            f"({chain_id}); its contracts may still live there. Pass --deployments to write elsewhere, or "
            "--force to replace it."
        )
    if provider.get_code(old.factory):
        raise click.UsageError(
            f"{path} already holds a live deployment (factory {old.factory}); pass --force to "
            "replace it, or --deployments to write elsewhere."
        )
    click.echo(f"Replacing {path}: its factory {old.factory} is gone from this chain (the chain was reset).")


@click.command(cls=PoolsCommand)
@network_option()
@account_option()
@click.option(
    "--round-length",
    type=click.IntRange(min=3_600),
    default=86_400,
    show_default=True,
    help="Seconds per round (86,400 = daily rounds; at least 3,600).",
)
@click.option(
    "--genesis",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    help="Start of round 0 (unix time); 0 opens round 1 now.",
)
@click.option(
    "--nmr",
    "nmr_address",
    default=None,
    help="Use this NMR token instead of deploying the stand-in (mainnet uses the real NMR).",
)
@click.option(
    "--settler", "settlers", multiple=True, help="Grant the settler role to this address/alias (repeatable)."
)
@amount_option(
    "--fund-treasury",
    what="--fund-treasury",
    required=False,
    help="NMR to put in the treasury from the deploying account (which holds the stand-in's "
    "whole premined supply).",
)
@click.option(
    "--force",
    is_flag=True,
    help="Replace a deployments file whose contracts are live, or that belongs to another chain.",
)
@deployments_option
def deploy(
    provider: Any,
    account: Any,
    round_length: int,
    genesis: int,
    nmr_address: str | None,
    settlers: tuple[str, ...],
    fund_treasury: int | None,
    force: bool,
    deployments_path: Path | None,
) -> None:
    """Deploy the protocol and write its addresses to the deployments file.

    Off mainnet an NMR stand-in is deployed, its whole 11,000,000 NMR premined to the deploying
    account (`faucet` hands it out); on mainnet the real NMR (0x1776…6671) is used. The
    deploying account gets every factory role (admin, settler, guardian, attester).
    """
    from nmr_pools.approvals import ensure_allowance
    from nmr_pools.deployment import deploy_system
    from nmr_pools.deployments import MAINNET_NMR, Deployment, load_project, path_for, save_deployment

    provider = active_provider(provider)
    path = path_for(provider, deployments_path)
    if path.exists() and not force:
        _refuse_to_replace(path, provider)
    settler_addresses = [resolve_address(value, "--settler") for value in settlers]
    if nmr_address is None and _is_mainnet(provider):
        nmr_address = MAINNET_NMR
    if nmr_address is not None:
        nmr_address = resolve_address(nmr_address, "--nmr")
    if nmr_address is not None and not provider.get_code(nmr_address):
        raise click.BadParameter(f"no contract at {nmr_address} on this network.", param_hint="--nmr")
    if genesis and genesis + round_length > provider.get_block("latest").timestamp:
        raise click.BadParameter(
            "round 1 must already be open: genesis + round length must be in the past.",
            param_hint="--genesis",
        )

    project = load_project()
    # a lower bound of the deployment block: event queries start here
    start_block = int(provider.get_block("latest").number) + 1
    ready_to_sign(account)
    click.echo(
        f"Deploying from {account.address} on {provider.network.ecosystem.name}:{provider.network.name} "
        f"(chain id {provider.chain_id})…"
    )
    system = deploy_system(
        project, account, round_length=round_length, genesis=genesis, nmr_address=nmr_address, multicall=True
    )
    for address in settler_addresses:
        system.factory.grant_role(address, ROLE_FLAGS["settler"], sender=account)
    if fund_treasury:
        balance = int(system.nmr.balanceOf(account))
        if balance < fund_treasury:
            raise click.UsageError(
                f"deployed, but cannot fund the treasury: {account.address} holds {format_nmr(balance)}, "
                f"less than {format_nmr(fund_treasury)}."
            )
        ensure_allowance(system.nmr, account, system.treasury, fund_treasury)
        system.treasury.fund(fund_treasury, sender=account)

    deployment = Deployment(
        ecosystem=provider.network.ecosystem.name,
        network=provider.network.name,
        chain_id=int(provider.chain_id),
        block=start_block,
        nmr_stand_in=nmr_address is None,
        deployer=str(account.address),
        **system.addresses(),
    )
    save_deployment(deployment, path)
    for name, address in system.addresses().items():
        click.echo(f"  {name:<20} {address}")
    if settler_addresses:
        click.echo("  settlers:            " + ", ".join(settler_addresses))
    if fund_treasury:
        click.echo(f"  treasury funded with {format_nmr(fund_treasury)}")
    click.echo(f"Wrote {path}")


@click.command(cls=PoolsCommand)
@network_option()
@account_option()
@amount_option(help="NMR to add to the treasury, e.g. 1000.")
@deployments_option
def fund_treasury(provider: Any, account: Any, amount: int, deployments_path: Path | None) -> None:
    """Add NMR from your account to the payout treasury (approving it first)."""
    from nmr_pools.approvals import ensure_allowance

    ctx = connect(provider, deployments_path)
    balance = int(ctx.nmr.balanceOf(account))
    if balance < amount:
        raise click.BadParameter(
            f"{account.address} holds {format_nmr(balance)}, less than {format_nmr(amount)}.",
            param_hint="--amount",
        )
    ready_to_sign(account)
    ensure_allowance(ctx.nmr, account, ctx.treasury, amount)
    ctx.treasury.fund(amount, sender=account)
    click.echo(
        f"Funded treasury {ctx.treasury.address} with {format_nmr(amount)}; "
        f"it now holds {format_nmr(ctx.treasury.available())}."
    )


@click.command(cls=PoolsCommand)
@network_option()
@account_option()
@click.option("--to", "to", required=True, help="Receiver: an address or an account alias.")
@amount_option(required=False, help="Stand-in NMR to hand out, e.g. 500.")
@click.option(
    "--eth",
    "eth",
    type=click.FloatRange(min=0),
    default=0.0,
    show_default=True,
    help="Also send this much ether (for gas) from --account.",
)
@deployments_option
def faucet(
    provider: Any, account: Any, to: str, amount: int | None, eth: float, deployments_path: Path | None
) -> None:
    """Hand out stand-in NMR and/or send ether to an account (not on mainnet).

    The NMR stand-in premines its whole supply to the deploying account, so the NMR is a
    transfer from it (--account must be the deployer); burned NMR never comes back. The
    stand-in is recognised by the deployments file, which `deploy` writes: on a real NMR
    token there is no faucet."""
    if amount is None and eth == 0:
        raise click.UsageError("give --amount (stand-in NMR to hand out), --eth (ether to send), or both.")
    ctx = connect(provider, deployments_path)
    receiver = resolve_address(to, "--to")
    if _is_mainnet(ctx.provider):
        raise click.UsageError("there is no faucet on mainnet: get NMR on an exchange, and ether for gas.")
    deployment = ctx.deployment
    if amount is not None:
        if deployment.nmr_stand_in is None:
            raise click.UsageError(
                f"the deployments file does not say whether the NMR at {ctx.nmr.address} is the "
                "stand-in (it was written by an older `deploy`): deploy again to use the faucet."
            )
        if not deployment.nmr_stand_in:
            raise click.UsageError(
                f"the NMR at {ctx.nmr.address} is a real token, not the stand-in: it has no faucet; "
                "send NMR from an account that holds some."
            )
        holder = deployment.deployer or ""
        if not same(holder, account.address):
            raise click.UsageError(
                f"the stand-in's NMR is held by its deployer {holder}, not {account.address}: "
                "pass --account for the deployer (TEST::0 on the local chain)."
            )
        left = int(ctx.nmr.balanceOf(account))
        if left < amount:
            raise click.BadParameter(
                f"the deployer holds {format_nmr(left)} of the premined supply, less than "
                f"{format_nmr(amount)} (burned NMR never comes back).",
                param_hint="--amount",
            )
    ready_to_sign(account)
    sent = []
    if amount is not None:
        ctx.nmr.transfer(receiver, amount, sender=account)
        sent.append(format_nmr(amount))
    if eth > 0:
        account.transfer(receiver, int(eth * 10**18))
        sent.append(f"{eth:g} ether")
    click.echo(
        f"Sent {' and '.join(sent)} to {receiver}; it now holds {format_nmr(ctx.nmr.balanceOf(receiver))}."
    )


@click.command(cls=PoolsCommand)
@network_option()
@account_option()
@click.option("--to", "to", required=True, help="The account to grant the role to (address or alias).")
@click.option("--role", type=click.Choice(sorted(ROLE_FLAGS)), required=True, help="The factory role.")
@deployments_option
def grant_role(provider: Any, account: Any, to: str, role: str, deployments_path: Path | None) -> None:
    """Give an account a factory role (admin only): settler (settles rounds), guardian (pauses or
    winds down any pool), attester (attests model ownership for `create-pool`) or admin."""
    ctx = connect(provider, deployments_path)
    receiver = resolve_address(to, "--to")
    require_admin(ctx.factory, account, f"grant roles on factory {ctx.factory.address}")
    ready_to_sign(account)
    ctx.factory.grant_role(receiver, ROLE_FLAGS[role], sender=account)
    click.echo(f"Granted the {role} role to {receiver}: it may now {ROLE_POWERS[role]}.")
