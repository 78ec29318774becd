"""Keyfile accounts: the passphrase once per command (or from Ape's variable), `Sign:` for each
transaction, nothing sent when the passphrase is wrong."""

from __future__ import annotations

import uuid

import pytest

from nmr_pools.pool_contract import pool_at

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
    output = ok(
        "deposit",
        "--pool",
        "alpha",
        "--amount",
        "10",
        "--account",
        wallet.alias,
        input=f"{PASSPHRASE}\ny\ny\n",
    )
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
    output = fails(
        "deposit",
        "--pool",
        "alpha",
        "--amount",
        "10",
        "--account",
        wallet.alias,
        input="no\nstill no\nnope\n",
        code=1,
    )
    assert output.count("Wrong passphrase.") == 3 and "after 3 attempts; nothing was sent" in output
    assert wallet.nonce == nonce


# ---- a keyfile attester signs an ownership attestation (EIP-712) ----


@pytest.fixture
def attester_wallet(ok, wallet):
    """The keyfile wallet with the factory's attester role."""
    ok("grant-role", "--to", wallet.alias, "--role", "attester", "--account", "TEST::0")
    return wallet


def test_attest__keyfile_attester__passphrase_once_then_sign_the_message(
    ok, attester_wallet, monkeypatch, workdir, project, with_pool, accounts
):
    from nmr_pools.attestation import Attestation, recover_attester
    from nmr_pools.settlement import model_key

    monkeypatch.delenv(f"APE_ACCOUNTS_{attester_wallet.alias}_PASSPHRASE", raising=False)
    nonce = attester_wallet.nonce
    output = ok(
        "attest",
        "--model-id",
        "beta",
        "--owner",
        "TEST::3",
        "--account",
        attester_wallet.alias,
        input=f"{PASSPHRASE}\ny\n",
    )
    assert output.count(f"Passphrase of '{attester_wallet.alias}'") == 1 and output.count("Sign:") == 1
    assert "signs it as an EIP-712 message: header = the factory's domain separator 0x" in output
    document = Attestation.from_json((workdir / "attestation-beta.json").read_text())
    assert document.attester == attester_wallet.address == recover_attester(document)
    assert len(document.signature_bytes) == 65 and attester_wallet.nonce == nonce
    ok(
        "create-pool",
        "--model-id",
        "beta",
        "--fee",
        "5",
        "--attestation",
        "attestation-beta.json",
        "--account",
        "TEST::3",
    )
    factory = project.PoolFactory.at(with_pool["factory"])
    assert pool_at(project, factory.pool_of(model_key("beta"))).owner() == accounts[3].address


def test_attest__keyfile_attester_declines__nothing_written(fails, attester_wallet, monkeypatch, workdir):
    monkeypatch.setenv(f"APE_ACCOUNTS_{attester_wallet.alias}_PASSPHRASE", PASSPHRASE)
    output = fails(
        "attest",
        "--model-id",
        "beta",
        "--owner",
        "TEST::3",
        "--account",
        attester_wallet.alias,
        input="n\n",
        code=1,
    )
    assert "not signed: no attestation written" in output
    assert not (workdir / "attestation-beta.json").exists()


def test_create_pool__keyfile_attester_on_the_spot(ok, attester_wallet, monkeypatch):
    monkeypatch.setenv(f"APE_ACCOUNTS_{attester_wallet.alias}_PASSPHRASE", PASSPHRASE)
    output = ok(
        "create-pool",
        "--model-id",
        "beta",
        "--fee",
        "5",
        "--attester",
        attester_wallet.alias,
        "--account",
        "TEST::3",
        input="y\n",
    )
    assert output.count("Sign:") == 1 and f"attested by {attester_wallet.address}" in output
