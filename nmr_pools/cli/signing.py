"""Keyfile accounts: one passphrase per command, however many transactions it sends.

Ape asks a locked keyfile account's passphrase at its first transaction, then whether to leave
it unlocked, and (told no) the passphrase again at every later transaction. A command calls
`ready_to_sign(account)` right before its first transaction instead: the passphrase is asked
once (or read from APE_ACCOUNTS_<alias>_PASSPHRASE, Ape's own variable), and every
transaction still shows itself and asks "Sign: [y/N]". Test accounts (TEST::n) and accounts
already unlocked pass through.
"""

from __future__ import annotations

import logging
import os
from typing import Any

import click

# wrong passphrases before the command gives up (nothing has been sent by then)
ATTEMPTS = 3


def passphrase_variable(alias: str) -> str:
    return f"APE_ACCOUNTS_{alias}_PASSPHRASE"


def ready_to_sign(account: Any) -> None:
    """Unlock a keyfile account for the rest of this command (see the module docstring)."""
    from ape_accounts import KeyfileAccount
    from ape_accounts.accounts import InvalidPasswordError

    if not isinstance(account, KeyfileAccount) or not account.locked:
        return
    _quiet_cached_key_notice()
    variable = passphrase_variable(account.alias)
    if passphrase := os.environ.get(variable):
        try:
            account.unlock(passphrase)
        except InvalidPasswordError:
            raise click.ClickException(
                f"{variable} does not unlock '{account.alias}'; fix or unset it. Nothing was sent."
            ) from None
        return
    for _ in range(ATTEMPTS):
        passphrase = click.prompt(
            f"Passphrase of '{account.alias}' (asked once for this command)", hide_input=True, err=True
        )
        try:
            account.unlock(passphrase)
            return
        except InvalidPasswordError:
            click.echo("Wrong passphrase.", err=True)
    raise click.ClickException(
        f"could not unlock '{account.alias}' after {ATTEMPTS} attempts; nothing was sent."
    )


class _CachedKeyNotice(logging.Filter):
    """Drops Ape's "Using cached key for <alias>" warning, logged at every transaction of an
    unlocked keyfile account: `ready_to_sign` unlocked it on purpose, for this one command."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith("Using cached key for")


def _quiet_cached_key_notice() -> None:
    ape_logger = logging.getLogger("ape")
    if not any(isinstance(existing, _CachedKeyNotice) for existing in ape_logger.filters):
        ape_logger.addFilter(_CachedKeyNotice())
