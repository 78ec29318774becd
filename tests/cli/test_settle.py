"""`settle`, `verify`, `score`, and the admin commands (`deploy` errors, `faucet`,
`fund-treasury`, `grant-role`)."""

from __future__ import annotations

import json

import pytest

from nmr_pools.amounts import format_wad_pct
from nmr_pools.pool_contract import pool_at, pool_container
from nmr_pools.scoring import synthetic_round
from nmr_pools.settlement import model_key
from tests.integration.helpers import NMR, write_round


@pytest.fixture
def three_pools(ok, with_pool):
    """Pools alpha, beta, gamma with deposits of 100, 200, 300 NMR (round 1)."""
    ok("create-pool", "--model-id", "beta", "--fee", "0", "--attester", "TEST::0", "--account", "TEST::3")
    ok("create-pool", "--model-id", "gamma", "--fee", "10", "--attester", "TEST::0", "--account", "TEST::3")
    for name, amount in (("alpha", "100"), ("beta", "200"), ("gamma", "300")):
        ok("deposit", "--pool", name, "--amount", amount, "--account", "TEST::4")
    return with_pool


def settled_count(project, deployed, name, round_id):
    """How many Settled events of `round_id` the pool emitted since the deployment block.

    eth-tester's log filter reads the receipt of every transaction in range, so the range
    starts at the deployment, not at block 0 (which made this take a minute late in a session)."""
    from ape import chain

    from nmr_pools.chain.pool_history import settled_layout

    factory = project.PoolFactory.at(deployed["factory"])
    pool = pool_at(project, factory.pool_of(model_key(name)))
    logs = chain.provider.web3.eth.get_logs(
        {
            "address": str(pool.address),
            "fromBlock": int(deployed["block"]),
            "toBlock": "latest",
            "topics": [
                settled_layout(pool_container(project)).topic,
                "0x" + round_id.to_bytes(32, "big").hex(),
            ],
        }
    )
    return len(logs)


# ---- settle ----


def test_settle__round__settles_in_batches_and_summarises(ok, three_pools, advance, workdir, project):
    advance()
    results = write_round(
        workdir / "r1.json", 1, {"alpha": 10**16, "beta": -2 * 10**16, "gamma": 0, "orphan": 0}
    )
    output = ok("settle", "--round", "1", "--results", "r1.json", "--batch-size", "2", "--account", "TEST::1")
    assert "models in the results without a pool (skipped): orphan" in output
    assert "Round 1: 3 pool(s) settled in 2 transaction(s)" in output
    assert "paid from the treasury: 1 NMR" in output
    assert "burned:                 4 NMR" in output
    assert "performance fees:       0.2 NMR" in output
    assert results.digest in output
    output = ok("settle", "--round", "1", "--results", "r1.json", "--account", "TEST::1")
    assert "Nothing to settle for round 1" in output
    assert "already settled round 1" in output
    for name in ("alpha", "beta", "gamma"):
        assert settled_count(project, three_pools, name, 1) == 1


def test_settle__dry_run__prints_batches_and_sends_nothing(ok, three_pools, advance, workdir, project):
    advance()
    results = write_round(workdir / "r1.json", 1, {"alpha": 10**16, "beta": 0, "gamma": -(10**16)})
    output = ok(
        "settle",
        "--round",
        "1",
        "--results",
        "r1.json",
        "--dry-run",
        "--batch-size",
        "2",
        "--account",
        "TEST::1",
    )
    assert "batch 1: PoolFactory(" in output and "batch 2: PoolFactory(" in output
    assert f", 1, 10000000000000000, {results.digest})," in output
    assert "Dry run: nothing sent." in output
    assert settled_count(project, three_pools, "alpha", 1) == 0


def test_settle__corrupted_results__refused_nothing_sent(fails, three_pools, advance, workdir, project):
    advance()
    path = workdir / "r1.json"
    write_round(path, 1, {"alpha": 10**16})
    path.write_bytes(path.read_bytes().replace(b"10000000000000000", b"50000000000000000"))
    output = fails("settle", "--round", "1", "--results", "r1.json", "--account", "TEST::1", code=2)
    assert "Results file refused, nothing sent" in output and "hashes to" in output
    assert settled_count(project, three_pools, "alpha", 1) == 0


def test_settle__wrong_round__bad_parameter(fails, three_pools, advance, workdir):
    advance()
    write_round(workdir / "r1.json", 1, {"alpha": 0})
    output = fails("settle", "--round", "2", "--results", "r1.json", "--account", "TEST::1", code=2)
    assert "holds the results of round 1, not round 2" in output


def test_settle__not_next_round__refused(fails, three_pools, advance, workdir):
    advance(3)
    write_round(workdir / "r2.json", 2, {"alpha": 0})
    output = fails("settle", "--round", "2", "--results", "r2.json", "--account", "TEST::1", code=1)
    assert "refused, nothing sent" in output and "settle rounds 1..1 first" in output


def test_settle__round_open__refused(fails, three_pools, workdir):
    write_round(workdir / "r1.json", 1, {"alpha": 0})
    output = fails("settle", "--round", "1", "--results", "r1.json", "--account", "TEST::1", code=1)
    assert "round 1 is not closed yet" in output


def test_settle__above_cap__refused(fails, three_pools, advance, workdir, project, accounts):
    project.PoolFactory.at(three_pools["factory"]).set_return_cap(10**16, sender=accounts[0])
    advance()
    write_round(workdir / "r1.json", 1, {"alpha": 2 * 10**16})
    output = fails("settle", "--round", "1", "--results", "r1.json", "--account", "TEST::1", code=1)
    assert "alpha: return +2% exceeds the factory's cap of ±1%" in output


def test_settle__not_settler__refused(fails, three_pools, advance, workdir):
    advance()
    write_round(workdir / "r1.json", 1, {"alpha": 0})
    output = fails("settle", "--round", "1", "--results", "r1.json", "--account", "TEST::4", code=1)
    assert "is not a settler of factory" in output


def test_settle__treasury_short__settles_and_says_what_stays_owed(ok, deployed, workdir, advance, project):
    """A treasury without enough NMR no longer blocks settlement: it pays what it holds and the
    pools record the rest as owed, drawn at their next settlement once it is funded."""
    ok("create-pool", "--model-id", "whale", "--fee", "0", "--attester", "TEST::0", "--account", "TEST::3")
    ok("faucet", "--to", "TEST::4", "--amount", "3000000", "--account", "TEST::0")
    ok("deposit", "--pool", "whale", "--amount", "3000000", "--account", "TEST::4")
    advance()
    write_round(
        workdir / "r1.json", 1, {"whale": 5 * 10**16}
    )  # a 150,000 NMR gain; the treasury holds 100,000
    output = ok("settle", "--round", "1", "--results", "r1.json", "--dry-run", "--account", "TEST::1")
    assert (
        "Expected: 100,000 NMR paid from the treasury (100,000 NMR available), 0 NMR burned, 50,000 NMR left "
        "owed to pools."
    ) in output
    assert (
        "holds 100,000 NMR, less than round 1's gains (150,000 NMR): it pays what it holds and 50,000 NMR stays "
        "owed to the pools"
    ) in output
    output = ok("settle", "--round", "1", "--results", "r1.json", "--account", "TEST::1")
    assert "paid from the treasury: 100,000 NMR" in output
    assert "gains the treasury could not pay (owed to the pools): 50,000 NMR" in output
    output = ok("status")
    assert "owes pools 50,000 NMR it could not pay yet" in output and "owed by treasury" in output

    ok("fund-treasury", "--amount", "60000", "--account", "TEST::0")
    advance()
    write_round(workdir / "r2.json", 2, {"whale": 0})
    output = ok("settle", "--round", "2", "--results", "r2.json", "--account", "TEST::1")
    assert "owed from earlier rounds, collected: 50,000 NMR" in output
    pool = pool_at(project, project.PoolFactory.at(deployed["factory"]).pool_of(model_key("whale")))
    assert pool.treasury_owed() == 0 and pool.totalAssets() == 3_150_000 * NMR
    assert "owes pools" not in ok("status")


def test_settle__closed_pool__skipped_with_the_reason(ok, three_pools, advance, workdir, project):
    ok("wind-down", "--pool", "beta", "--account", "TEST::3")  # round 1 is beta's last
    advance()
    write_round(workdir / "r1.json", 1, {"alpha": 0, "beta": 0, "gamma": 0})
    output = ok("settle", "--round", "1", "--results", "r1.json", "--account", "TEST::1")
    assert "beta's pool" in output and "round 1 is its last: settling it closes the pool" in output
    assert "Round 1: 3 pool(s) settled" in output
    advance()
    write_round(workdir / "r2.json", 2, {"alpha": 0, "beta": 0, "gamma": 0})
    output = ok("settle", "--round", "2", "--results", "r2.json", "--dry-run", "--account", "TEST::1")
    assert "skip beta: pool" in output and "is closed (wound down); nothing more is settled" in output
    output = ok("settle", "--round", "2", "--results", "r2.json", "--account", "TEST::1")
    assert "Round 2: 2 pool(s) settled" in output
    assert settled_count(project, three_pools, "beta", 2) == 0


def test_settle__missing_file__bad_parameter(fails, three_pools):
    output = fails("settle", "--round", "1", "--results", "nope.json", "--account", "TEST::1", code=2)
    assert "does not exist" in output


# ---- verify ----


@pytest.fixture
def scored_round(workdir, ok, with_pool):
    """A synthetic round over models alpha and beta written to disk, scored to r1.json."""
    synthetic = synthetic_round(n_stocks=300, n_models=2, seed=7, model_ids=["alpha", "beta"])
    paths = synthetic.write(workdir / "inputs", "csv")
    ok(
        "score",
        "--round",
        "1",
        "--predictions",
        paths["predictions"],
        "--targets",
        paths["targets"],
        "--stakes",
        paths["stakes"],
        "--out",
        workdir / "r1.json",
        network=None,
    )
    return paths


def test_verify__settled_round__ok(ok, scored_round, advance, workdir):
    ok("deposit", "--pool", "alpha", "--amount", "100", "--account", "TEST::4")
    advance()
    ok("settle", "--round", "1", "--results", "r1.json", "--account", "TEST::1")
    args = [
        "--predictions",
        scored_round["predictions"],
        "--targets",
        scored_round["targets"],
        "--stakes",
        scored_round["stakes"],
    ]
    output = ok("verify", "--round", "1", *args, "--results", "r1.json")
    assert "OK: 1 pool(s) settled round 1" in output


def test_verify__tampered_settlement__prints_mismatch(ok, fails, scored_round, advance, workdir):
    from nmr_pools.scoring import load_results

    ok("deposit", "--pool", "alpha", "--amount", "100", "--account", "TEST::4")
    advance()
    # settle a return the engine did not compute: the opposite sign of the true one (or +5%)
    true_return = next(
        m.round_return_wad for m in load_results(workdir / "r1.json").models if m.model_id == "alpha"
    )
    fake = -true_return if true_return else 5 * 10**16
    write_round(workdir / "fake.json", 1, {"alpha": fake})
    ok("settle", "--round", "1", "--results", "fake.json", "--account", "TEST::1")
    args = [
        "--predictions",
        scored_round["predictions"],
        "--targets",
        scored_round["targets"],
        "--stakes",
        scored_round["stakes"],
    ]
    output = fails("verify", "--round", "1", *args, code=1)
    assert "MISMATCH alpha: pool" in output and "settled with digest" in output
    assert f"settled {format_wad_pct(fake)}" in output


def test_verify__not_settled__mismatch(fails, scored_round):
    args = [
        "--predictions",
        scored_round["predictions"],
        "--targets",
        scored_round["targets"],
        "--stakes",
        scored_round["stakes"],
    ]
    assert "has not settled round 1 yet" in fails("verify", "--round", "1", *args, code=1)


def test_verify__bad_inputs__usage_error(fails, scored_round, workdir):
    (workdir / "bad.csv").write_text("id,target\nx,0.5\n")
    output = fails(
        "verify",
        "--round",
        "1",
        "--predictions",
        scored_round["predictions"],
        "--targets",
        workdir / "bad.csv",
        "--stakes",
        scored_round["stakes"],
        code=2,
    )
    assert "cannot recompute round 1" in output


# ---- admin ----


def test_deploy__live_deployment__needs_force(ok, fails, deployed):
    assert "pass --force" in fails("deploy", "--account", "TEST::0", code=2)
    ok("deploy", "--account", "TEST::0", "--force")


def test_deploy__custom_path__other_commands_read_it(ok, workdir):
    ok("deploy", "--account", "TEST::0", "--deployments", "elsewhere.json")
    assert json.loads((workdir / "elsewhere.json").read_text())["factory"]
    assert "No pools yet" in ok("status", "--deployments", "elsewhere.json")


def test_deploy__bad_nmr__bad_parameter(fails, workdir):
    assert "no contract at" in fails("deploy", "--account", "TEST::0", "--nmr", "0x" + "11" * 20, code=2)


def test_deployments__wrong_chain__says_so(ok, fails, deployed, workdir):
    path = workdir / "deployments" / "ethereum-local.json"
    data = json.loads(path.read_text())
    path.write_text(json.dumps({**data, "chain_id": 999}))
    assert "is for chain id 999" in fails("status", code=2)
    path.write_text("{not json")
    assert "is not valid" in fails("status", code=2)


def test_faucet__not_the_deployer__usage_error_names_the_holder(fails, deployed, accounts):
    output = fails("faucet", "--to", "TEST::4", "--amount", "1", "--account", "TEST::4", code=2)
    assert (
        f"the stand-in's NMR is held by its deployer {accounts[0].address}, not {accounts[4].address}"
        in output
    )


def test_faucet__more_than_the_deployer_holds__bad_parameter(fails, deployed):
    # 11,000,000 premined, 100,000 of it in the treasury
    output = fails("faucet", "--to", "TEST::4", "--amount", "10900001", "--account", "TEST::0", code=2)
    assert "the deployer holds 10,900,000 NMR of the premined supply, less than 10,900,001 NMR" in output


def test_faucet__real_nmr__refused_in_one_line_by_the_deployments_file(ok, fails, workdir, project, accounts):
    """A token the deployment was pointed at (`deploy --nmr`, as on mainnet) has no faucet, whatever it
    answers: mainnet NMR's fallback would answer `owner()` and `issue()` with success and no data."""
    token = accounts[5].deploy(project.NMR)  # stands for a real NMR: not deployed by `deploy`
    ok("deploy", "--account", "TEST::0", "--nmr", token.address)
    deployed = json.loads((workdir / "deployments" / "ethereum-local.json").read_text())
    assert deployed["nmr_stand_in"] is False and deployed["deployer"] == accounts[0].address
    nonce = accounts[5].nonce
    output = fails("faucet", "--to", "TEST::4", "--amount", "1", "--account", "TEST::5", code=2)
    assert output.strip() == (
        f"Error: the NMR at {token.address} is a real token, not the stand-in: it has no "
        "faucet; send NMR from an account that holds some."
    )
    assert accounts[5].nonce == nonce and token.balanceOf(accounts[4]) == 0
    # ether alone is no NMR: it still works
    assert "Sent 0.5 ether" in ok("faucet", "--to", "TEST::4", "--eth", "0.5", "--account", "TEST::5")


def test_faucet__deployments_file_from_before_the_record__refused(ok, fails, deployed, workdir):
    path = workdir / "deployments" / "ethereum-local.json"
    old = {key: value for key, value in deployed.items() if key not in ("nmr_stand_in", "deployer")}
    path.write_text(json.dumps(old))
    output = fails("faucet", "--to", "TEST::4", "--amount", "1", "--account", "TEST::0", code=2)
    assert "written by an older `deploy`): deploy again to use the faucet" in output


def test_faucet__bad_receiver__bad_parameter(fails, deployed):
    assert "neither an address" in fails(
        "faucet", "--to", "no-such-wallet-alias", "--amount", "1", "--account", "TEST::0", code=2
    )


def test_fund_treasury__adds_nmr(ok, fails, deployed, project):
    ok("faucet", "--to", "TEST::5", "--amount", "50", "--account", "TEST::0")
    assert "it now holds 100,020 NMR" in ok("fund-treasury", "--amount", "20", "--account", "TEST::5")
    assert "holds 30 NMR, less than 40 NMR" in fails(
        "fund-treasury", "--amount", "40", "--account", "TEST::5", code=2
    )


def test_grant_role__admin_grants_settler(ok, fails, deployed, project, accounts):
    ok("grant-role", "--to", "TEST::6", "--role", "settler", "--account", "TEST::0")
    assert project.PoolFactory.at(deployed["factory"]).is_settler(accounts[6])
    assert "is not an admin" in fails(
        "grant-role", "--to", "TEST::6", "--role", "guardian", "--account", "TEST::6"
    )


def test_grant_role__attester__may_attest_and_revoke_takes_it_back(ok, fails, deployed, factory_of, accounts):
    output = ok("grant-role", "--to", "TEST::6", "--role", "attester", "--account", "TEST::0")
    assert "it may now attest model ownership for new pools" in output and factory_of.is_attester(accounts[6])
    ok("revoke-role", "--from", "TEST::6", "--role", "attester", "--account", "TEST::0")
    assert not factory_of.is_attester(accounts[6])


def test_help__every_command(run):
    from nmr_pools.cli import COMMANDS

    for name in COMMANDS:
        result = run(name, "--help", network=None)
        assert result.exit_code == 0, (name, result.output)
        assert "Usage:" in result.output


def test_revert__translated_to_sentence(run, with_pool, project, accounts):
    """A revert the CLI did not pre-check becomes one sentence, no traceback."""
    from ape.exceptions import ContractLogicError

    from nmr_pools.errors import explain

    pool = pool_at(project, project.PoolFactory.at(with_pool["factory"]).pool_of(model_key("alpha")))
    pool.wind_down(sender=accounts[3])
    # `deposit` refuses a winding-down pool before sending; a direct call reverts
    with pytest.raises(ContractLogicError) as error:
        pool.requestDeposit(1, accounts[4], accounts[4], sender=accounts[4])
    assert explain(error.value) == (
        "Refused by the pool: winding down (the pool takes no new deposits; redeeming and claiming still work)."
    )
