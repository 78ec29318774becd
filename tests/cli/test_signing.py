"""Keyfile accounts: the passphrase once per command (or from Ape's variable), `Sign:` for each
transaction, nothing sent when the passphrase is wrong."""

from __future__ import annotations

import uuid

import pytest

PASSPHRASE = "Keyfile-passphrase-2026!"


@pytest.fixture
def wallet(accounts, with_pool):
    """TEST::8's key as an `ape accounts` keyfile (unique alias, deleted afterwards), holding NMR."""
    from ape import accounts as account_manager
    from ape_accounts import import_account_from_private_key

    alias = f"signer-{uuid.uuid4().hex[:8]}"
    import_account_from_private_key(alias, PASSPHRASE, accounts[8].private_key)
    account = account_manager.load(alias)
    try:
        yield account
    finally:
        account.keyfile_path.unlink(missing_ok=True)


def test_deposit__keyfile__passphrase_once_then_sign_each_transaction(ok, wallet, monkeypatch):
    ok("faucet", "--to", wallet.alias, "--amount", "10", "--account", "TEST::0")
    monkeypatch.delenv(f"APE_ACCOUNTS_{wallet.alias}_PASSPHRASE", raising=False)
    output = ok("deposit", "--pool", "alpha", "--amount", "10", "--account", wallet.alias,
                input=f"{PASSPHRASE}\ny\ny\n")
    assert output.count(f"Passphrase of '{wallet.alias}' (asked once for this command)") == 1
    assert output.count("Sign:") == 2  # approve, then requestDeposit
    assert "Leave" not in output and "Using cached key" not in output
    assert "claimable now" in output


def test_deposit__passphrase_from_apes_variable__only_sign_is_asked(ok, wallet, monkeypatch):
    ok("faucet", "--to", wallet.alias, "--amount", "10", "--account", "TEST::0")
    monkeypatch.setenv(f"APE_ACCOUNTS_{wallet.alias}_PASSPHRASE", PASSPHRASE)
    output = ok("deposit", "--pool", "alpha", "--amount", "10", "--account", wallet.alias, input="y\ny\n")
    assert "Passphrase of" not in output and output.count("Sign:") == 2


def test_deposit__wrong_passphrase__nothing_sent(fails, ok, wallet, monkeypatch):
    ok("faucet", "--to", wallet.alias, "--amount", "10", "--account", "TEST::0")
    nonce = wallet.nonce
    monkeypatch.setenv(f"APE_ACCOUNTS_{wallet.alias}_PASSPHRASE", "not-it")
    output = fails("deposit", "--pool", "alpha", "--amount", "10", "--account", wallet.alias, code=1)
    assert f"APE_ACCOUNTS_{wallet.alias}_PASSPHRASE does not unlock '{wallet.alias}'" in output
    monkeypatch.delenv(f"APE_ACCOUNTS_{wallet.alias}_PASSPHRASE")
    output = fails("deposit", "--pool", "alpha", "--amount", "10", "--account", wallet.alias,
                   input="no\nstill no\nnope\n", code=1)
    assert output.count("Wrong passphrase.") == 3 and "after 3 attempts; nothing was sent" in output
    assert wallet.nonce == nonce
