"""`revoke-role`: take a factory role from an account (admin).

`grant-role` (in `admin`) gives roles; this takes them back. The factory keeps at least one
admin: an admin cannot revoke its own admin role.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
from ape.cli import account_option, network_option

from nmr_pools.cli.common import PoolsCommand, connect, deployments_option, resolve_address
from nmr_pools.cli.permissions import ROLE_FLAGS, ROLE_POWERS, factory_roles, require_admin, same
from nmr_pools.cli.safety import dry_run_option


@click.command(cls=PoolsCommand)
@network_option()
@account_option()
@click.option("--from", "holder", required=True, help="The account to take the role from (address or alias).")
@click.option("--role", type=click.Choice(sorted(ROLE_FLAGS)), required=True, help="The factory role.")
@dry_run_option
@deployments_option
def revoke_role(
    provider: Any, account: Any, holder: str, role: str, dry_run: bool, deployments_path: Path | None
) -> None:
    """Take a factory role (settler, guardian or admin) from an account (admin only)."""
    ctx = connect(provider, deployments_path)
    factory = ctx.factory
    target = resolve_address(holder, "--from")
    require_admin(factory, account, f"revoke roles on factory {factory.address}")
    if role == "admin" and same(target, account.address):
        raise click.UsageError(
            "an admin cannot revoke its own admin role (the factory keeps one); use another admin's account."
        )
    held = factory_roles(factory, target)
    if role not in held:
        now = ", ".join(held) if held else "no role"
        raise click.UsageError(f"{target} is not a {role} of factory {factory.address} (it holds {now}).")
    click.echo(
        f"Revoke the {role} role of {target} on factory {factory.address}: it will no longer "
        f"{ROLE_POWERS[role]}."
    )
    if dry_run:
        click.echo(
            f"Dry run: PoolFactory({factory.address}).revoke_role({target}, {ROLE_FLAGS[role]}) not sent."
        )
        return
    factory.revoke_role(target, ROLE_FLAGS[role], sender=account)
    left = factory_roles(factory, target)
    click.echo(f"Revoked; {target} now holds {', '.join(left) if left else 'no role'}.")
