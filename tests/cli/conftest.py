"""CLI fixtures: run `ape pools …` through click's runner on the in-process chain.

Every command runs in this process on ape's test provider, so the chain deployed by `deploy`
is the one later commands see. The deployments file goes to a temporary directory.
"""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from nmr_pools.cli import cli

NETWORK = "ethereum:local:test"


@pytest.fixture
def workdir(tmp_path, monkeypatch):
    """Run each CLI test in its own directory (deployments/ is written there)."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def run(workdir):
    """`run("deposit", "--pool", "alpha", ...)` -> click Result (network added, output captured)."""
    runner = CliRunner()

    def invoke(*args: str, network: str | None = NETWORK, input: str | None = None):
        argv = [str(a) for a in args]
        if network is not None and "--help" not in argv:
            argv += ["--network", network]
        return runner.invoke(cli, argv, input=input, catch_exceptions=True)

    return invoke


@pytest.fixture
def ok(run):
    """Run a command that must succeed; return its output."""

    def invoke(*args: str, **kwargs):
        result = run(*args, **kwargs)
        assert result.exit_code == 0, f"exit {result.exit_code}: {result.output}\n{result.exception!r}"
        return result.output

    return invoke


@pytest.fixture
def fails(run):
    """Run a command that must fail cleanly (no traceback); return its output."""

    def invoke(*args: str, code: int | None = None, **kwargs):
        result = run(*args, **kwargs)
        assert result.exit_code != 0, result.output
        assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
        assert "Traceback" not in result.output
        if code is not None:
            assert result.exit_code == code, result.output
        return result.output

    return invoke


@pytest.fixture
def deployed(ok, workdir, accounts):
    """`ape pools deploy` from TEST::0 with a funded treasury and TEST::1 as settler."""
    ok("deploy", "--account", "TEST::0", "--fund-treasury", "100000", "--settler", "TEST::1")
    return json.loads((workdir / "deployments" / "ethereum-local.json").read_text())


@pytest.fixture
def factory_of(project, deployed):
    return project.PoolFactory.at(deployed["factory"])


@pytest.fixture
def advance(chain, factory_of):
    """Open the next round (or `n` rounds on)."""

    def step(n: int = 1) -> int:
        chain.pending_timestamp = factory_of.round_start(factory_of.current_round() + n)
        chain.mine()
        return int(factory_of.current_round())

    return step


@pytest.fixture
def with_pool(ok, deployed):
    """Pool "alpha" owned by TEST::3 (fee 20%) and 1,000 NMR for TEST::4 and TEST::5."""
    ok("create-pool", "--model-id", "alpha", "--fee", "20", "--attester", "TEST::0", "--account", "TEST::3")
    ok("faucet", "--to", "TEST::4", "--amount", "1000", "--account", "TEST::0")
    ok("faucet", "--to", "TEST::5", "--amount", "1000", "--account", "TEST::0")
    return deployed
