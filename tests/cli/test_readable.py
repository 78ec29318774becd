"""Errors a person reads: the error first in one line, usage only for a malformed command line,
no traceback ever; unknown pools listed; the zero address refused; `--account` explained."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from nmr_pools.cli import COMMANDS, cli

ZERO = "0x" + "0" * 40


def lines(output: str) -> list[str]:
    return [line for line in output.splitlines() if line.strip()]


def test_bad_value__error_alone_in_one_line(fails, with_pool):
    output = fails("deposit", "--pool", "alpha", "--amount", "ten", "--account", "TEST::4", code=2)
    assert lines(output) == [
        "Error: Invalid value for '--amount': amount 'ten' is not a number; write it in NMR, e.g. 12.5"
    ]


def test_value_refused_by_the_command__error_alone(fails, with_pool):
    output = fails("deposit", "--pool", "alpha", "--amount", "5000", "--account", "TEST::4", code=2)
    assert "Usage:" not in output and "Try " not in output
    assert lines(output)[0].startswith("Error: Invalid value for --amount:")


def test_unknown_option_or_missing_one__usage_kept(fails, with_pool):
    output = fails(
        "deposit", "--pool", "alpha", "--amount", "1", "--colour", "red", "--account", "TEST::4", code=2
    )
    assert output.startswith("Usage: ") and "No such option: --colour" in output
    output = fails("deposit", "--amount", "1", "--account", "TEST::4", code=2)
    assert output.startswith("Usage: ") and "Missing option '--pool'" in output


def test_unknown_pool__lists_the_pools_that_exist(ok, fails, with_pool):
    ok("create-pool", "--model-id", "beta", "--fee", "10", "--attester", "TEST::0", "--account", "TEST::3")
    output = fails("deposit", "--pool", "alhpa", "--amount", "1", "--account", "TEST::4", code=2)
    assert "model 'alhpa' has no pool; the pools are: alpha (0x" in output and ", beta (0x" in output
    output = fails("claim", "--pool", "0x" + "12" * 20, "--account", "TEST::4", code=2)
    assert "is not a pool of factory" in output and "the pools are: alpha (0x" in output


def test_unknown_pool__no_pools_yet__says_so(fails, deployed):
    output = fails("deposit", "--pool", "alpha", "--amount", "1", "--account", "TEST::4", code=2)
    assert "there are no pools yet" in output


@pytest.mark.parametrize(
    "args",
    [
        ("faucet", "--to", ZERO, "--amount", "1", "--account", "TEST::0"),
        ("grant-role", "--to", ZERO, "--role", "settler", "--account", "TEST::0"),
        ("claim-fees", "--pool", "alpha", "--to", ZERO, "--account", "TEST::3"),
        ("status", "--account", ZERO),
        ("attest", "--model-id", "beta", "--owner", ZERO, "--account", "TEST::0"),
        ("revoke-role", "--from", ZERO, "--role", "settler", "--account", "TEST::0"),
    ],
    ids=[
        "faucet --to",
        "grant-role --to",
        "claim-fees --to",
        "status --account",
        "attest --owner",
        "revoke-role --from",
    ],
)
def test_zero_address__refused_before_anything_is_sent(fails, with_pool, accounts, args):
    nonces = [accounts[i].nonce for i in range(5)]
    output = fails(*args, code=2)
    assert "that is the zero address, which nobody controls" in output
    assert [accounts[i].nonce for i in range(5)] == nonces


@pytest.mark.parametrize("option", ["--settler", "--nmr"])
def test_deploy__zero_address__refused_before_deploying(fails, workdir, accounts, option):
    nonce = accounts[0].nonce
    output = fails("deploy", "--account", "TEST::0", option, ZERO, code=2)
    assert f"Invalid value for {option}: that is the zero address" in output
    assert accounts[0].nonce == nonce
    assert not (workdir / "deployments").exists()


def test_deploy__file_of_another_chain__refused_unless_forced(ok, fails, workdir, chain):
    import json

    ok("deploy", "--account", "TEST::0")
    path = workdir / "deployments" / "ethereum-local.json"
    data = json.loads(path.read_text())
    path.write_text(json.dumps({**data, "chain_id": 31337}))
    output = fails("deploy", "--account", "TEST::0", code=2)
    assert (
        f"holds a deployment on chain id 31337 (factory {data['factory']}), not this chain ({chain.chain_id})"
        in output
    )
    assert json.loads(path.read_text())["chain_id"] == 31337  # untouched
    ok("deploy", "--account", "TEST::0", "--force")
    assert json.loads(path.read_text())["chain_id"] == chain.chain_id


def test_deploy__factory_gone_from_this_chain__replaced_with_a_note(ok, workdir):
    import json

    ok("deploy", "--account", "TEST::0")
    path = workdir / "deployments" / "ethereum-local.json"
    path.write_text(json.dumps({**json.loads(path.read_text()), "factory": "0x" + "34" * 20}))
    output = ok("deploy", "--account", "TEST::0")
    assert "Replacing" in output and "the chain was reset" in output


def test_unexpected_error__one_line_without_traceback(fails, deployed, monkeypatch):
    from nmr_pools.cli import status

    def broken(*args, **kwargs):
        raise KeyError("something nobody planned for")

    monkeypatch.setattr(status, "connect", broken)
    output = fails("status", code=1)
    assert lines(output) == [
        (
            "Error: Unexpected error (KeyError: 'something nobody planned for'); set NMR_POOLS_TRACEBACK=1 to see "
            "where it happened."
        )
    ]


def test_score__bad_file__error_alone(tmp_path):
    bad = tmp_path / "predictions.csv"
    bad.write_text("id,alpha\nn1,0.5\nn1,0.6\n")
    targets = tmp_path / "targets.csv"
    targets.write_text("id,target\nn1,0.5\n")
    stakes = tmp_path / "stakes.csv"
    stakes.write_text("model,stake\nalpha,1\n")
    result = CliRunner().invoke(
        cli,
        [
            "score",
            "--round",
            "1",
            "--predictions",
            str(bad),
            "--targets",
            str(targets),
            "--stakes",
            str(stakes),
            "--out",
            str(tmp_path / "out.json"),
        ],
    )
    assert result.exit_code == 2, result.output
    assert "Usage:" not in result.output and lines(result.output)[0].startswith("Error: ")


def test_account_option__has_help_on_every_command():
    ctx = cli.make_context("pools", ["--help"], resilient_parsing=True)
    missing = []
    for name in COMMANDS:
        command = cli.get_command(ctx, name)
        for param in command.params:
            if param.name == "account" and not getattr(param, "help", None):
                missing.append(name)
    assert not missing, f"--account without help: {missing}"
    deposit = cli.get_command(ctx, "deposit")
    assert "TEST::0" in next(p.help for p in deposit.params if p.name == "account")
