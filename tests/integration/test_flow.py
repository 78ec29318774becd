"""The whole flow on anvil through the CLI, with `ape accounts` keyfile wallets:
deploy -> create pools -> deposits from several wallets -> score a synthetic round ->
settle -> claims -> redeem -> verify -> status."""

from __future__ import annotations

import json
import uuid

import pytest
from click.testing import CliRunner

from nmr_pools.cli import cli
from nmr_pools.pool_contract import pool_at
from nmr_pools.scoring import load_results, synthetic_round
from tests.integration.helpers import model_key

NETWORK = "ethereum:local:foundry"
PASSPHRASE = "a-strong-test-passphrase"
# anvil funds its first 10 accounts (same mnemonic as Ape's test accounts); these three are
# imported as keyfile wallets, the way a delegator uses `ape accounts import`. Ape's keyfile
# container keeps writing to the real data folder even inside `isolate_data_folder`, so the
# aliases are unique per run and the keyfiles are deleted afterwards.
RUN = uuid.uuid4().hex[:8]
WALLETS = {f"alice-{RUN}": 7, f"bob-{RUN}": 8, f"carol-{RUN}": 9}
ALICE, BOB, CAROL = WALLETS


@pytest.fixture
def keyfile_wallets(accounts):
    """The three wallets as `ape accounts` keyfiles, unlocked once (as `ape` would after the
    first passphrase prompt; every transaction still asks "Sign: [y/N]"); deleted afterwards."""
    from ape import accounts as account_manager
    from ape_accounts import import_account_from_private_key

    wallets = []
    try:
        for alias, index in WALLETS.items():
            import_account_from_private_key(alias, PASSPHRASE, accounts[index].private_key)
            wallet = account_manager.load(alias)
            wallet.unlock(PASSPHRASE)
            wallets.append(wallet)
        yield wallets
    finally:
        for wallet in wallets:
            wallet.keyfile_path.unlink(missing_ok=True)


def test_flow__keyfile_wallets__deposit_settle_claim_verify(
    on_anvil, anvil_node, tmp_path, monkeypatch, project, accounts, keyfile_wallets
):
    from ape import accounts as account_manager
    from ape import config

    monkeypatch.chdir(tmp_path)
    runner = CliRunner()

    def run(*args, signatures: int = 0, network: bool = True):
        argv = [*map(str, args)] + (["--network", NETWORK] if network else [])
        result = runner.invoke(cli, argv, input="y\n" * signatures)
        assert result.exit_code == 0, f"{' '.join(argv)}\n{result.output}\n{result.exception!r}"
        return result.output

    with config.isolate_data_folder():
        run("deploy", "--account", "TEST::0", "--fund-treasury", "100000", "--settler", "TEST::1")
        deployed = json.loads((tmp_path / "deployments" / "ethereum-local.json").read_text())
        factory = project.PoolFactory.at(deployed["factory"])
        for name in ("alpha", "beta", "gamma"):
            run(
                "create-pool",
                "--model-id",
                name,
                "--fee",
                "20",
                "--attester",
                "TEST::0",
                "--account",
                "TEST::3",
            )
        for alias in WALLETS:
            run("faucet", "--to", alias, "--amount", "1000", "--account", "TEST::0")

        # deposits from keyfile wallets (approve + requestDeposit: two signatures each)
        out = run("deposit", "--pool", "alpha", "--amount", "100", "--account", ALICE, signatures=2)
        assert "converts at once to 100 shares" in out
        run("deposit", "--pool", "beta", "--amount", "200", "--account", BOB, signatures=2)
        run("deposit", "--pool", "alpha", "--amount", "50.5", "--account", CAROL, signatures=2)

        # round 1 closes; score a synthetic round of the three models
        anvil_node.set_time(factory.round_start(2))
        synthetic = synthetic_round(n_stocks=400, n_models=3, seed=11, model_ids=["alpha", "beta", "gamma"])
        inputs = synthetic.write(tmp_path / "inputs", "csv")
        files = [
            "--predictions",
            inputs["predictions"],
            "--targets",
            inputs["targets"],
            "--stakes",
            inputs["stakes"],
        ]
        run("score", "--round", "1", *files, "--out", tmp_path / "round-1.json", network=False)
        results = load_results(tmp_path / "round-1.json")

        out = run("settle", "--round", "1", "--results", "round-1.json", "--account", "TEST::1")
        assert "Round 1: 3 pool(s) settled in 1 transaction(s)" in out
        assert results.digest in out

        alpha = pool_at(project, factory.pool_of(model_key("alpha")))
        alpha_return = next(m.round_return_wad for m in results.models if m.model_id == "alpha")
        out = run("claim", "--account", ALICE, signatures=1)
        assert "claimed 100 shares for 100 NMR deposited" in out
        run("claim", "--account", CAROL, signatures=1)
        alice = account_manager.load(ALICE)
        assert alpha.balanceOf(alice) == 100 * 10**18

        # the pool is caught up (round 2 open, round 1 settled): a redemption converts at once
        out = run("redeem", "--pool", "alpha", "--all", "--account", ALICE, signatures=1)
        assert "converts at once" in out
        out = run("claim", "--pool", "alpha", "--account", ALICE, signatures=1)
        assert "NMR for 100 shares redeemed" in out
        if alpha_return > 0:
            assert project.NMR.at(deployed["nmr"]).balanceOf(alice) > 1000 * 10**18
        elif alpha_return < 0:
            assert project.NMR.at(deployed["nmr"]).balanceOf(alice) < 1000 * 10**18

        out = run("verify", "--round", "1", *files, "--results", "round-1.json")
        assert "OK: 3 pool(s) settled round 1" in out
        out = run("status", "--account", CAROL)
        assert "alpha" in out and "Account" in out
