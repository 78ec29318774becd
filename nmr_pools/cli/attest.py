"""`attest`: an attester states that an account owns a Numerai model, so it may create its pool.

`PoolFactory.create_pool` accepts the caller as a model's owner only with an attester's EIP-712
signature (`nmr_pools.attestation`). The attester (Numerai's key in production: an account the
admin granted the attester role; the deployer on a local chain) runs `ape pools attest`, which
writes the signed statement as a JSON file; the owner passes it to `ape pools create-pool
--attestation FILE`. For local play `create-pool --attester TEST::0` signs on the spot.

`attestation_for_pool` is what `create-pool` uses: it reads or makes the attestation and checks
every term the factory will check (chain, factory, model, name, owner, deadline, attester's role,
signature) so a wrong one is refused in one sentence before anything is sent.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
from ape.cli import account_option, network_option

from nmr_pools.cli.common import (
    Context,
    PoolsCommand,
    connect,
    deployments_option,
    load_account,
    resolve_address,
)
from nmr_pools.cli.permissions import require_role, same
from nmr_pools.cli.signing import ready_to_sign
from nmr_pools.cli.times import DAY, HOUR, duration, now, utc

# PoolFactory.create_pool takes the model name as String[24]
MAX_MODEL_NAME = 24
# how long an attestation `attest` writes stays valid, by default
DEFAULT_DAYS = 7
# how long an attestation made on the spot by `create-pool --attester` stays valid
ON_THE_SPOT_SECONDS = HOUR


def checked_model_name(model_id: str, model_name: str | None) -> str:
    """The share token's model name: `model_name`, else the model id; at most 24 bytes."""
    if not model_id.strip():
        raise click.BadParameter("the model id is empty.", param_hint="--model-id")
    name = (model_name if model_name is not None else model_id).strip()
    if not name:
        raise click.BadParameter("the name is empty.", param_hint="--name")
    if len(name.encode("utf-8")) > MAX_MODEL_NAME:
        hint = "--name" if model_name is not None else "--model-id"
        raise click.BadParameter(
            f"{name!r} is longer than {MAX_MODEL_NAME} characters; give a shorter --name for the share token.",
            param_hint=hint,
        )
    return name


def _require_no_pool(ctx: Context, model_id: str, key: bytes) -> None:
    existing = str(ctx.factory.pool_of(key))
    if int(existing, 16) != 0:
        raise click.BadParameter(
            f"model {model_id!r} already has a pool: {existing}.", param_hint="--model-id"
        )


def _signing_note(account: Any, message: dict[str, Any]) -> None:
    """A keyfile wallet shows the typed message as raw hashes before "Sign:": say which is which."""
    from ape_accounts import KeyfileAccount

    from nmr_pools.attestation import signable

    if isinstance(account, KeyfileAccount):
        raw = signable(message)
        click.echo(
            f"{account.alias} signs it as an EIP-712 message: header = the factory's domain separator "
            f"0x{bytes(raw.header).hex()}, body = the ModelOwnership hash 0x{bytes(raw.body).hex()}."
        )


def _check_on_chain_digest(ctx: Context, attestation: Any) -> None:
    """The factory must compute the digest this module signs (same domain and type)."""
    from nmr_pools.attestation import digest

    on_chain = bytes(
        ctx.factory.model_ownership_digest(
            attestation.model_key, attestation.model_name, attestation.owner, attestation.deadline
        )
    )
    if on_chain != digest(attestation.message):
        raise click.ClickException(
            f"factory {ctx.factory.address} computes another digest for this attestation than this tool signs: "
            "is the deployments file's factory this project's PoolFactory?"
        )


@click.command(cls=PoolsCommand)
@network_option()
@account_option()
@click.option("--model-id", required=True, help="The model: its name or Numerai id (or 0x + 64 hex).")
@click.option(
    "--name",
    "model_name",
    default=None,
    help=f"The pool's model name (share token; at most {MAX_MODEL_NAME} characters; default: the model id).",
)
@click.option(
    "--owner",
    "owner",
    required=True,
    help="The model's owner, who will create the pool: an address or an account alias.",
)
@click.option(
    "--days",
    type=click.FloatRange(min=0, min_open=True, max=365),
    default=DEFAULT_DAYS,
    show_default=True,
    help="How long the attestation stays valid.",
)
@click.option(
    "--out",
    "out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Where to write it (default: attestation-<name>.json in the current folder; folders are created).",
)
@deployments_option
def attest(
    provider: Any,
    account: Any,
    model_id: str,
    model_name: str | None,
    owner: str,
    days: float,
    out: Path | None,
    deployments_path: Path | None,
) -> None:
    """Attest that --owner owns a model (an attester signs; the admin grants the role): writes the
    signed attestation the owner passes to `ape pools create-pool --attestation FILE`."""
    from nmr_pools.attestation import attest_with_account, ownership_message
    from nmr_pools.settlement import model_key

    name = checked_model_name(model_id, model_name)
    owner_address = resolve_address(owner, "--owner")
    ctx = connect(provider, deployments_path)
    key = model_key(model_id)
    _require_no_pool(ctx, model_id, key)
    require_role(ctx.factory, account, "attester", "attest model ownership")
    path = out or Path(f"attestation-{name}.json")
    deadline = now() + int(days * DAY)
    click.echo(
        f"Attest as {account.address}: {owner_address} owns model {model_id!r} (pool name {name!r}), "
        f"valid until {utc(deadline)} ({duration(deadline - now())}), factory {ctx.factory.address}, "
        f"chain id {ctx.provider.chain_id}."
    )
    ready_to_sign(account)
    _signing_note(
        account,
        ownership_message(
            int(ctx.provider.chain_id), str(ctx.factory.address), key, name, owner_address, deadline
        ),
    )
    attestation = attest_with_account(
        account,
        chain_id=int(ctx.provider.chain_id),
        factory=str(ctx.factory.address),
        model_id=key,
        model_name=name,
        owner=owner_address,
        deadline=deadline,
    )
    if attestation is None:
        raise click.ClickException("not signed: no attestation written.")
    _check_on_chain_digest(ctx, attestation)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(attestation.to_json(), encoding="utf-8")
    click.echo(
        f"Wrote {path}. The owner creates the pool with: ape pools create-pool --model-id {model_id} "
        f"--attestation {path} --fee PERCENT --account OWNER"
    )


def _read_attestation(path: Path) -> Any:
    from nmr_pools.attestation import Attestation

    try:
        return Attestation.from_json(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as error:
        raise click.BadParameter(f"{path} is {error}.", param_hint="--attestation") from None


def _check_terms(ctx: Context, attestation: Any, account: Any, model_id: str, key: bytes, name: str) -> None:
    """Every term `create_pool` checks, checked here first, each with its own sentence."""
    from nmr_pools.attestation import recover_attester

    hint = "--attestation"
    ask = "ask the attester for a new one (`ape pools attest`)"
    if attestation.chain_id != int(ctx.provider.chain_id):
        raise click.BadParameter(
            f"it was made for chain id {attestation.chain_id}, not this chain "
            f"({ctx.provider.chain_id}); {ask}.",
            param_hint=hint,
        )
    if not same(attestation.factory, ctx.factory.address):
        raise click.BadParameter(
            f"it was made for factory {attestation.factory}, not {ctx.factory.address}; {ask}.",
            param_hint=hint,
        )
    if attestation.model_key != key:
        raise click.BadParameter(
            f"it attests model {attestation.model_id}, not {model_id!r} (0x{key.hex()}).", param_hint=hint
        )
    if attestation.model_name != name:
        raise click.BadParameter(
            f"it names the pool {attestation.model_name!r}, not {name!r}: drop --name (the "
            "attested name is used) or " + ask + ".",
            param_hint=hint,
        )
    if not same(attestation.owner, account.address):
        raise click.BadParameter(
            f"it lets {attestation.owner} create the pool, not {account.address}: send from "
            f"that account (--account), or {ask}.",
            param_hint=hint,
        )
    moment = now()
    if attestation.deadline < moment:
        raise click.BadParameter(
            f"it expired at {utc(attestation.deadline)} ({duration(moment - attestation.deadline)} "
            f"ago); {ask}.",
            param_hint=hint,
        )
    if not ctx.factory.is_attester(attestation.attester):
        raise click.BadParameter(
            f"its signer {attestation.attester} is not an attester of factory "
            f"{ctx.factory.address} (any more); {ask}.",
            param_hint=hint,
        )
    if not ctx.provider.get_code(
        attestation.attester
    ):  # a contract attester (EIP-1271) is checked on chain only
        try:
            signer = recover_attester(attestation)
        except ValueError as error:
            raise click.BadParameter(f"{error}; {ask}.", param_hint=hint) from None
        if not same(signer, attestation.attester):
            raise click.BadParameter(
                f"its signature is not {attestation.attester}'s (the file was altered, or the "
                f"signature covers other terms); {ask}.",
                param_hint=hint,
            )


def attestation_for_pool(
    ctx: Context,
    account: Any,
    model_id: str,
    key: bytes,
    model_name: str | None,
    attestation_path: Path | None,
    attester_ref: str | None,
) -> tuple[Any, str]:
    """The attestation `create-pool` sends, and the pool's model name: read from
    `attestation_path` (its name is the default), or signed now by the account `attester_ref`."""
    from nmr_pools.attestation import attest_with_account, ownership_message

    if attestation_path is not None and attester_ref is not None:
        raise click.UsageError("give --attestation FILE or --attester ACCOUNT, not both.")
    if attestation_path is None and attester_ref is None:
        raise click.UsageError(
            "creating a pool needs an attester's word that you own the model: give --attestation FILE (written by "
            "`ape pools attest`, run by an attester), or on a local chain --attester TEST::0 to sign it now."
        )
    _require_no_pool(ctx, model_id, key)
    if attestation_path is not None:
        attestation = _read_attestation(attestation_path)
        name = checked_model_name(model_id, model_name if model_name is not None else attestation.model_name)
        _check_terms(ctx, attestation, account, model_id, key, name)
        return attestation, name
    name = checked_model_name(model_id, model_name)
    attester = load_account(str(attester_ref), "--attester")
    require_role(ctx.factory, attester, "attester", "attest model ownership")
    ready_to_sign(attester)
    deadline = now() + ON_THE_SPOT_SECONDS
    _signing_note(
        attester,
        ownership_message(
            int(ctx.provider.chain_id), str(ctx.factory.address), key, name, str(account.address), deadline
        ),
    )
    attestation = attest_with_account(
        attester,
        chain_id=int(ctx.provider.chain_id),
        factory=str(ctx.factory.address),
        model_id=key,
        model_name=name,
        owner=str(account.address),
        deadline=deadline,
    )
    if attestation is None:
        raise click.ClickException("the attester did not sign: nothing sent.")
    return attestation, name
