"""CLI fixtures: run `ape pools …` through click's runner on the in-process chain.

Every command runs in this process on ape's test provider, so the chain deployed by `deploy`
is the one later commands see. The deployments file goes to a temporary directory.

A deployment takes ~10 transactions through the CLI, so each test module makes one (and pool
"alpha" on top of it once) and keeps a snapshot of the chain after each: `deployed` and
`with_pool` bring the chain back to that snapshot and copy what the commands wrote (the
deployments file) into the test's own directory. Every other test starts from the chain as its
module found it. A restore brings the clock back too: the next block is stamped with the wall
clock (or one second after the snapshot's block), so a test that advanced rounds leaves none
behind, and round 1 (one day long) is still open for the next test.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from nmr_pools.cli import cli

NETWORK = "ethereum:local:test"
DEPLOYMENTS = Path("deployments") / "ethereum-local.json"


def invoke(*args: str, network: str | None = NETWORK, input: str | None = None) -> Result:
    """`ape pools <args> --network <network>` in this process, output captured."""
    argv = [str(a) for a in args]
    if network is not None and "--help" not in argv:
        argv += ["--network", network]
    return CliRunner().invoke(cli, argv, input=input, catch_exceptions=True)


def succeed(*args: str, **kwargs) -> str:
    """Run a command that must succeed; return its output."""
    result = invoke(*args, **kwargs)
    assert result.exit_code == 0, f"exit {result.exit_code}: {result.output}\n{result.exception!r}"
    return result.output


def restore(chain, snapshot_id) -> None:
    """Bring the chain back to `snapshot_id` (a block hash of Ape's test provider).

    Through the provider, not `chain.restore`: that one forgets every snapshot taken after the
    one it restores, among them the one Ape's isolation restores once the test is over."""
    chain.provider.restore(snapshot_id)
    chain.history.revert_to_block(chain.blocks.height)


@dataclass(frozen=True)
class Stage:
    """A chain state shared by a module's tests: its snapshot and the folder the commands that
    made it ran in (what they wrote there)."""

    snapshot: object
    folder: Path


@pytest.fixture(scope="module", autouse=True)
def _module_start(chain):
    """The chain as this module found it (Ape's isolation brings it back after the module)."""
    return chain.provider.snapshot()


@pytest.fixture(autouse=True)
def _start_state(request, chain, _module_start):
    """Bring the chain to the state the test starts from, before any of its fixtures sends a
    transaction (they all reach the chain through `workdir`, which depends on this): the
    module's pool stage for a test of `with_pool`, its deployment for a test of `deployed`,
    else the chain as the module found it. Here and not in `deployed` or `with_pool`, because
    a fixture beside them (`guardian`, `three_pools`) may run before them and send its own
    transactions, which a later restore would undo."""
    if "with_pool" in request.fixturenames:
        restore(chain, request.getfixturevalue("_pool_stage").snapshot)
    elif "deployed" in request.fixturenames:
        restore(chain, request.getfixturevalue("_deployment_stage").snapshot)
    else:
        restore(chain, _module_start)


@pytest.fixture(scope="module")
def _deployment_stage(tmp_path_factory, chain, _module_start) -> Stage:
    """`ape pools deploy` from TEST::0 with a funded treasury and TEST::1 as settler, once per module."""
    restore(chain, _module_start)
    folder = tmp_path_factory.mktemp("deployed")
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(folder)
        succeed("deploy", "--account", "TEST::0", "--fund-treasury", "100000", "--settler", "TEST::1")
    return Stage(chain.provider.snapshot(), folder)


@pytest.fixture(scope="module")
def _pool_stage(tmp_path_factory, chain, _deployment_stage) -> Stage:
    """Pool "alpha" and the two faucets of `with_pool` on the module's deployment, once per module."""
    restore(chain, _deployment_stage.snapshot)
    folder = tmp_path_factory.mktemp("with_pool")
    shutil.copytree(_deployment_stage.folder, folder, dirs_exist_ok=True)
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(folder)
        succeed(
            "create-pool",
            "--model-id",
            "alpha",
            "--fee",
            "20",
            "--attester",
            "TEST::0",
            "--account",
            "TEST::3",
        )
        succeed("faucet", "--to", "TEST::4", "--amount", "1000", "--account", "TEST::0")
        succeed("faucet", "--to", "TEST::5", "--amount", "1000", "--account", "TEST::0")
    return Stage(chain.provider.snapshot(), folder)


@pytest.fixture
def workdir(tmp_path, monkeypatch, _start_state):
    """Run each CLI test in its own directory (deployments/ is written there)."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def run(workdir):
    """`run("deposit", "--pool", "alpha", ...)` -> click Result (network added, output captured)."""
    return invoke


@pytest.fixture
def ok(run):
    """Run a command that must succeed; return its output."""
    return succeed


@pytest.fixture
def fails(run):
    """Run a command that must fail cleanly (no traceback); return its output."""

    def refuse(*args: str, code: int | None = None, **kwargs):
        result = run(*args, **kwargs)
        assert result.exit_code != 0, result.output
        assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
        assert "Traceback" not in result.output
        if code is not None:
            assert result.exit_code == code, result.output
        return result.output

    return refuse


def enter(stage: Stage, workdir: Path) -> dict:
    """Copy what the commands of `stage` wrote into `workdir`; return the deployment.
    (`_start_state` has brought the chain to the stage already.)"""
    shutil.copytree(stage.folder, workdir, dirs_exist_ok=True)
    return json.loads((workdir / DEPLOYMENTS).read_text())


@pytest.fixture
def deployed(workdir, accounts, _deployment_stage):
    """`ape pools deploy` from TEST::0 with a funded treasury and TEST::1 as settler."""
    return enter(_deployment_stage, workdir)


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
def with_pool(deployed, workdir, _pool_stage):
    """Pool "alpha" owned by TEST::3 (fee 20%) and 1,000 NMR for TEST::4 and TEST::5."""
    return enter(_pool_stage, workdir)
