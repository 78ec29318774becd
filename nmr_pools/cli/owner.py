"""Model-owner commands: create a pool, change its fee, claim its fees."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
from ape.cli import account_option, network_option

from nmr_pools.amounts import format_fee, format_nmr, parse_fee
from nmr_pools.cli.attest import MAX_MODEL_NAME, attestation_for_pool, checked_model_name
from nmr_pools.cli.common import (
    PoolsCommand,
    connect,
    deployments_option,
    pool_option,
    resolve_address,
)
from nmr_pools.cli.signing import ready_to_sign


def _fee_callback(ctx: click.Context, param: click.Parameter, value: str | None) -> int | None:
    if value is None:
        return None
    try:
        return parse_fee(value)
    except ValueError as error:
        raise click.BadParameter(str(error)) from None


fee_option = click.option(
    "--fee",
    "fee_bps",
    required=True,
    callback=_fee_callback,
    help="Performance fee as a percentage of gains above the high-water mark, e.g. 20 or 12.5% (or 2000bps).",
)


def _check_owner(pool: Any, account: Any) -> None:
    owner = str(pool.owner())
    if owner.lower() != str(account.address).lower():
        raise click.UsageError(f"only the pool's owner ({owner}) can do this; pass --account for it.")


@click.command(cls=PoolsCommand)
@network_option()
@account_option()
@click.option("--model-id", required=True, help="The model: its name or Numerai id (or 0x + 64 hex).")
@click.option(
    "--name",
    "model_name",
    default=None,
    help=f"Short name for the share token (at most {MAX_MODEL_NAME} characters; default: the attested "
    "name, else the model id).",
)
@fee_option
@click.option(
    "--attestation",
    "attestation_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="The attester's statement that you own the model (written by `ape pools attest`).",
)
@click.option(
    "--attester",
    "attester_ref",
    default=None,
    help="Local play: an attester account at hand (e.g. TEST::0, the deployer) that signs it now.",
)
@deployments_option
def create_pool(
    provider: Any,
    account: Any,
    model_id: str,
    model_name: str | None,
    fee_bps: int,
    attestation_path: Path | None,
    attester_ref: str | None,
    deployments_path: Path | None,
) -> None:
    """Create the pool of a model you own; you become its owner and earn its fees. The factory
    needs an attester's signed word that the model is yours: --attestation FILE (from `ape pools
    attest`), or on a local chain --attester TEST::0 to sign it on the spot."""
    from nmr_pools.settlement import model_key

    model_id = model_id.strip()
    if attestation_path is None or model_name is not None:
        checked_model_name(
            model_id, model_name
        )  # before connecting (an attestation's name is checked with it)
    ctx = connect(provider, deployments_path)
    factory = ctx.factory
    key = model_key(model_id)
    cap = int(factory.fee_cap_bps())
    if fee_bps > cap:
        raise click.BadParameter(
            f"fee {format_fee(fee_bps)} is above the factory's cap of {format_fee(cap)}.", param_hint="--fee"
        )
    attestation, name = attestation_for_pool(
        ctx, account, model_id, key, model_name, attestation_path, attester_ref
    )
    ready_to_sign(account)
    factory.create_pool(
        key,
        name,
        fee_bps,
        attestation.attester,
        attestation.deadline,
        attestation.signature_bytes,
        sender=account,
    )
    pool = ctx.pool_at(factory.pool_of(key))
    click.echo(
        f"Created pool {pool.address} for model {model_id!r} (share token {pool.symbol()}), "
        f"fee {format_fee(fee_bps)}, owner {account.address}, attested by {attestation.attester}."
    )
    click.echo(f"model key (bytes32): 0x{key.hex()}")


@click.command(cls=PoolsCommand)
@network_option()
@account_option()
@pool_option()
@fee_option
@deployments_option
def set_fee(provider: Any, account: Any, pool_ref: str, fee_bps: int, deployments_path: Path | None) -> None:
    """Change the performance fee. Decreases apply at once; increases after the factory's delay."""
    ctx = connect(provider, deployments_path)
    pool = ctx.pool(pool_ref)
    _check_owner(pool, account)
    cap = int(ctx.factory.fee_cap_bps())
    if fee_bps > cap:
        raise click.BadParameter(
            f"fee {format_fee(fee_bps)} is above the factory's cap of {format_fee(cap)}.", param_hint="--fee"
        )
    old = int(pool.fee_bps())
    ready_to_sign(account)
    pool.set_fee(fee_bps, sender=account)
    if fee_bps <= old:
        click.echo(
            f"Fee of {pool.address} changed from {format_fee(old)} to {format_fee(fee_bps)}, effective now."
        )
    else:
        click.echo(
            f"Fee increase of {pool.address} to {format_fee(fee_bps)} proposed; it applies from round "
            f"{pool.pending_fee_round()} on (now {format_fee(old)})."
        )


@click.command(cls=PoolsCommand)
@network_option()
@account_option()
@pool_option()
@click.option("--to", "to", default=None, help="Receiver of the NMR (address or alias; default: the owner).")
@deployments_option
def claim_fees(
    provider: Any, account: Any, pool_ref: str, to: str | None, deployments_path: Path | None
) -> None:
    """Send the performance fees a pool owes to its owner (or --to)."""
    ctx = connect(provider, deployments_path)
    pool = ctx.pool(pool_ref)
    _check_owner(pool, account)
    receiver = resolve_address(to, "--to") if to else str(account.address)
    owed = int(pool.fees_owed())
    if owed == 0:
        click.echo(f"Pool {pool.address} owes no fees yet: fees accrue on gains above the high-water mark.")
        return
    ready_to_sign(account)
    pool.claim_fees(receiver, sender=account)
    click.echo(f"Claimed {format_nmr(owed)} of fees from {pool.address} to {receiver}.")
