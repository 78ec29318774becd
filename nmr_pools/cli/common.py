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

_ADDRESS = re.compile(r"0x[0-9a-fA-F]{40}")


class PoolsCommand(ConnectedProviderCommand):
    """A connected command whose Ape and contract errors end in one sentence, not a traceback
    (also under `ape run`, where the `pools` group is not involved)."""

    def invoke(self, ctx: click.Context) -> Any:
        from ape.exceptions import ApeException

        from nmr_pools.errors import explain

        try:
            return super().invoke(ctx)
        except click.ClickException:
            raise
        except ApeException as error:
            raise click.ClickException(explain(error)) from None


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
    return click.option(*(decls or ("--amount",)), required=required, callback=_amount_callback(what), help=help)


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

    def pool(self, ref: str) -> Any:
        """The pool named by `--pool`: an address of one of the factory's pools, or a model id."""
        factory = self.factory
        if _ADDRESS.fullmatch(ref):
            if not factory.is_pool(ref):
                raise click.BadParameter(
                    f"{ref} is not a pool of factory {factory.address}; `ape pools status` lists the pools.",
                    param_hint="--pool",
                )
            return self.project.DelegationPool.at(ref)
        from nmr_pools.settlement import model_key

        address = str(factory.pool_of(model_key(ref)))
        if int(address, 16) == 0:
            raise click.BadParameter(
                f"model {ref!r} has no pool; create it with `ape pools create-pool --model-id {ref}`, "
                "or give the pool's address.",
                param_hint="--pool",
            )
        return self.project.DelegationPool.at(address)

    def pools(self) -> list[Any]:
        """Every pool of the factory, in creation order."""
        factory = self.factory
        return [self.project.DelegationPool.at(factory.pool_at(i)) for i in range(int(factory.pool_count()))]


def connect(provider: Any, deployments_path: Path | None) -> Context:
    """Load the deployments file of the connected network (DeploymentsError -> usage error)."""
    from nmr_pools.deployments import connect_system, load_deployment, load_project
    from nmr_pools.errors import DeploymentsError

    provider = active_provider(provider)

    try:
        deployment = load_deployment(provider, deployments_path)
        project = load_project()
    except DeploymentsError as error:
        raise click.UsageError(str(error)) from None
    return Context(provider=provider, project=project, deployment=deployment, system=connect_system(deployment, project))


def active_provider(provider: Any) -> Any:
    """The connected provider the command runs on.

    The `provider` click hands a ConnectedProviderCommand can be a fresh, unconnected instance
    when the network was already connected (as under `ape test`); the active one is Ape's.
    """
    from ape import networks

    active = networks.active_provider
    return active if active is not None else provider


def resolve_address(value: str, param_hint: str) -> str:
    """An address given as 0x… or as an `ape accounts` alias (or TEST::n)."""
    if _ADDRESS.fullmatch(value):
        return value
    from ape import accounts

    if value.upper().startswith("TEST::") and value[6:].isdigit():
        index = int(value[6:])
        if index < len(accounts.test_accounts):
            return str(accounts.test_accounts[index].address)
    elif value in accounts.aliases:
        return str(accounts.load(value).address)
    raise click.BadParameter(f"{value!r} is neither an address (0x + 40 hex) nor an account alias.", param_hint=param_hint)


def model_label(pool: Any) -> str:
    """The model name a pool was created with (its share token is "NMR Pool <name>")."""
    name = str(pool.name())
    return name.removeprefix("NMR Pool ")


def waiting_rounds(pool: Any) -> int:
    """Closed rounds not yet settled."""
    return max(int(pool.current_round()) - 1 - int(pool.last_settled_round()), 0)
