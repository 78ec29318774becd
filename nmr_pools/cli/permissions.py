"""Who may do what, checked before anything is sent: one refusal sentence per missing role.

The contracts refuse too; checking first spares a failed transaction and its gas, and says
which account would be allowed.
"""

from __future__ import annotations

from typing import Any

import click

# factory Role flags (PoolFactory.vy: ADMIN=1, SETTLER=2, GUARDIAN=4, ATTESTER=8)
ROLE_FLAGS = {"admin": 1, "settler": 2, "guardian": 4, "attester": 8}
# what each factory role may do, for previews and refusals
ROLE_POWERS = {
    "admin": "grant and revoke roles and set the factory's caps",
    "settler": "settle rounds on every pool",
    "guardian": "pause or wind down any pool",
    "attester": "attest model ownership for new pools",
}


def same(a: Any, b: Any) -> bool:
    return str(a).lower() == str(b).lower()


def factory_roles(factory: Any, account: Any) -> list[str]:
    """The factory roles `account` holds, by name."""
    flags = int(factory.roles(account))
    return [name for name, flag in ROLE_FLAGS.items() if flags & flag]


def require_owner(pool: Any, account: Any, action: str) -> str:
    """'owner' if `account` owns `pool`, else a usage error naming the owner."""
    owner = str(pool.owner())
    if not same(owner, account.address):
        raise click.UsageError(
            f"{account.address} cannot {action}: only the pool's owner ({owner}) can; pass --account for it."
        )
    return "owner"


def require_owner_or_guardian(pool: Any, factory: Any, account: Any, action: str) -> str:
    """'owner' or 'guardian' (the capacity `account` acts in), else a usage error."""
    owner = str(pool.owner())
    if same(owner, account.address):
        return "owner"
    if factory.is_guardian(account):
        return "guardian"
    raise click.UsageError(
        f"{account.address} cannot {action}: only the pool's owner ({owner}) or a guardian of factory "
        f"{factory.address} can."
    )


def require_admin(factory: Any, account: Any, action: str) -> str:
    """'admin' if `account` is a factory admin, else a usage error."""
    if "admin" not in factory_roles(factory, account):
        raise click.UsageError(
            f"{account.address} cannot {action}: it is not an admin of factory {factory.address}."
        )
    return "admin"


def require_role(factory: Any, account: Any, role: str, action: str) -> str:
    """`role` if `account` holds that factory role, else a usage error saying who grants it."""
    if role not in factory_roles(factory, account):
        article = "an" if role[0] in "aeiou" else "a"
        raise click.UsageError(
            f"{account.address} cannot {action}: it is not {article} {role} of factory {factory.address} (an "
            f"admin grants it with `ape pools grant-role --role {role}`)."
        )
    return role
