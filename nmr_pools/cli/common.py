"""Options and helpers shared by the `ape pools` commands."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click
from ape.cli import ConnectedProviderCommand

from nmr_pools.amounts import parse_nmr
from nmr_pools.cli.readable import ReadableCommand

_ADDRESS = re.compile(r"0x[0-9a-fA-F]{40}")

# help of Ape's `--account` option (which has none) on every command that signs
ACCOUNT_HELP = (
    "The account that signs: an `ape accounts` alias, or TEST::0 to TEST::19 on a local chain "
    "(asked for when omitted)."
)
# pools named in an error message before "and N more"
POOLS_LISTED = 10


class PoolsCommand(ReadableCommand, ConnectedProviderCommand):
    """A connected command: one-line errors (also under `ape run`, where the `pools` group is
    not involved), help on `--account`, and no throwaway node when the local chain is down."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for param in self.params:
            if isinstance(param, click.Option) and param.name == "account" and not param.help:
                param.help = ACCOUNT_HELP

    def before_invoke(self, ctx: click.Context) -> None:
        from ape.cli.options import NETWORK_META_KEY

        from nmr_pools.cli.local_chain import require_running

        provider = ctx.meta.get(NETWORK_META_KEY, {}).get("provider")
        if provider is not None:
            require_running(provider)


def deployments_option(f: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--deployments",
        "deployments_path",
        type=click.Path(dir_okay=False, path_type=Path),
        default=None,
        help="Deployments file to use (default: deployments/<ecosystem>-<network>.json).",
    )(f)


def _amount_callback(what: str) -> Callable[[click.Context, click.Parameter, str | None], int | None]:
    def callback(ctx: click.Context, param: click.Parameter, value: str | None) -> int | None:
        if value is None:
            return None
        try:
            return parse_nmr(value, what=what)
        except ValueError as error:
            raise click.BadParameter(str(error)) from None

    return callback


def amount_option(*decls: str, what: str = "amount", required: bool = True, help: str) -> Callable[..., Any]:
    return click.option(
        *(decls or ("--amount",)), required=required, callback=_amount_callback(what), help=help
    )


def pool_option(required: bool = True, help: str | None = None) -> Callable[..., Any]:
    return click.option(
        "--pool",
        "pool_ref",
        required=required,
        help=help or "The pool: its address, or the model id it was created for.",
    )


@dataclass
class Context:
    """A connected chain with the protocol's deployment loaded."""

    provider: Any
    project: Any
    deployment: Any
    system: Any

    @property
    def factory(self) -> Any:
        return self.system.factory

    @property
    def nmr(self) -> Any:
        return self.system.nmr

    @property
    def treasury(self) -> Any:
        return self.system.treasury

    @property
    def pool_type(self) -> Any:
        """The pools' contract container: both halves' functions and events (`nmr_pools.pool_contract`)."""
        from nmr_pools.pool_contract import pool_container

        return pool_container(self.project)

    def pool_at(self, address: Any) -> Any:
        """The pool at `address`, with both halves' functions (never Ape's `.at`, which merges cached ABIs)."""
        from nmr_pools.pool_contract import pool_at

        return pool_at(self.project, address)

    def pool(self, ref: str) -> Any:
        """The pool named by `--pool`: an address of one of the factory's pools, or a model id."""
        factory = self.factory
        if _ADDRESS.fullmatch(ref):
            if not factory.is_pool(ref):
                raise click.BadParameter(
                    f"{ref} is not a pool of factory {factory.address}; {self.existing_pools()}.",
                    param_hint="--pool",
                )
            return self.pool_at(ref)
        from nmr_pools.settlement import model_key

        address = str(factory.pool_of(model_key(ref)))
        if int(address, 16) == 0:
            raise click.BadParameter(
                f"model {ref!r} has no pool; {self.existing_pools()}. Create one with "
                f"`ape pools create-pool --model-id {ref}`, or give a pool's address.",
                param_hint="--pool",
            )
        return self.pool_at(address)

    def existing_pools(self) -> str:
        """The pools that exist, in words, for an error about one that does not."""
        factory = self.factory
        count = int(factory.pool_count())
        if count == 0:
            return "there are no pools yet"
        shown = [self.pool_at(factory.pool_at(i)) for i in range(min(count, POOLS_LISTED))]
        names = ", ".join(f"{model_label(pool)} ({pool.address})" for pool in shown)
        more = f" and {count - len(shown)} more (`ape pools status` lists them)" if count > len(shown) else ""
        return f"the pools are: {names}{more}"

    def pools(self) -> list[Any]:
        """Every pool of the factory, in creation order."""
        factory = self.factory
        return [self.pool_at(factory.pool_at(i)) for i in range(int(factory.pool_count()))]


def connect(provider: Any, deployments_path: Path | None) -> Context:
    """Load the deployments file of the connected network (DeploymentsError -> usage error)."""
    from nmr_pools.deployments import connect_system, load_deployment, load_project
    from nmr_pools.errors import DeploymentsError

    provider = active_provider(provider)

    try:
        deployment = load_deployment(provider, deployments_path)
        project = load_project()
    except DeploymentsError as error:
        hint = ""
        if getattr(provider, "name", None) == "test":
            hint = (
                " (ethereum:local:test is Ape's in-process chain, new for every command: the local chain "
                "of `make chain` is --network ethereum:local:foundry)"
            )
        raise click.UsageError(f"{error}{hint}") from None
    return Context(
        provider=provider, project=project, deployment=deployment, system=connect_system(deployment, project)
    )


def active_provider(provider: Any) -> Any:
    """The connected provider the command runs on.

    The `provider` click hands a ConnectedProviderCommand can be a fresh, unconnected instance
    when the network was already connected (as under `ape test`); the active one is Ape's.
    """
    from ape import networks

    active = networks.active_provider
    return active if active is not None else provider


def resolve_address(value: str, param_hint: str) -> str:
    """An address given as 0x… or as an `ape accounts` alias (or TEST::n); never the zero address."""
    if _ADDRESS.fullmatch(value):
        if int(value, 16) == 0:
            raise click.BadParameter(
                "that is the zero address, which nobody controls (NMR sent there is lost); give a real "
                "address or an account alias.",
                param_hint=param_hint,
            )
        return value
    from ape import accounts

    if value.upper().startswith("TEST::") and value[6:].isdigit():
        index = int(value[6:])
        if index < len(accounts.test_accounts):
            return str(accounts.test_accounts[index].address)
    elif value in accounts.aliases:
        return str(accounts.load(value).address)
    raise click.BadParameter(
        f"{value!r} is neither an address (0x + 40 hex) nor an account alias.", param_hint=param_hint
    )


def load_account(value: str, param_hint: str) -> Any:
    """The Ape account named by `value` (TEST::n on a local chain, or an `ape accounts` alias),
    whose key is at hand to sign with; a usage error otherwise."""
    from ape import accounts

    if value.upper().startswith("TEST::") and value[6:].isdigit():
        index = int(value[6:])
        if index < len(accounts.test_accounts):
            return accounts.test_accounts[index]
        raise click.BadParameter(
            f"there are {len(accounts.test_accounts)} test accounts, TEST::0 to "
            f"TEST::{len(accounts.test_accounts) - 1}.",
            param_hint=param_hint,
        )
    if value in accounts.aliases:
        return accounts.load(value)
    raise click.BadParameter(
        f"{value!r} is not an account whose key is here (an `ape accounts` alias or TEST::n).",
        param_hint=param_hint,
    )


def model_label(pool: Any) -> str:
    """The model name a pool was created with (its share token is "NMR Pool <name>")."""
    name = str(pool.name())
    return name.removeprefix("NMR Pool ")


def waiting_rounds(pool: Any) -> int:
    """Closed rounds not yet settled."""
    return max(int(pool.current_round()) - 1 - int(pool.last_settled_round()), 0)
