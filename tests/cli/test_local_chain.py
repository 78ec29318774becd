"""The local chain: `node` keeps its state and its clock, commands refuse (and start nothing)
while it is down, `advance` moves time on local chains only, `sample-round` writes a round."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from nmr_pools.cli.local_chain import is_local_chain, probe, require_local, rpc
from tests.integration.anvil import free_port

APE = str(Path(sys.executable).parent / "ape")
DAY = 86_400


class Node:
    """`ape pools node` in the background, in its own process group (a second terminal)."""

    def __init__(self, cwd: Path, port: int) -> None:
        self.cwd, self.url = cwd, f"http://127.0.0.1:{port}"
        self.env = {**os.environ, "APE_FOUNDRY_HOST": self.url}
        self.log = cwd / "node.out"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        printed = len(self.output())
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                [APE, "pools", "node"],
                cwd=self.cwd,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + 60
        while probe(self.url) is None or "Local chain at" not in self.output()[printed:]:
            assert self.process.poll() is None, self.output()
            assert time.monotonic() < deadline, self.output()
            time.sleep(0.2)

    def ctrl_c(self) -> int:
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGINT)
        code = self.process.wait(timeout=30)
        self.process = None
        return code

    def stop(self) -> None:
        """Ctrl-C; SIGKILL if that did not do (anvil then gets SIGTERM from the kernel)."""
        if self.process is not None and self.process.poll() is None:
            try:
                self.ctrl_c()
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.process = None

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def children(self) -> list[Path]:
        """The executables of the node command's child processes (Linux /proc)."""
        assert self.process is not None
        tasks = Path(f"/proc/{self.process.pid}/task").iterdir()
        pids = [pid for task in tasks for pid in (task / "children").read_text().split()]
        return [Path(os.readlink(f"/proc/{pid}/exe")) for pid in pids]

    def head(self) -> tuple[int, int]:
        block = rpc(self.url, "eth_getBlockByNumber", "latest", False)
        return int(block["number"], 16), int(block["timestamp"], 16)


@pytest.fixture
def node(tmp_path):
    running = Node(tmp_path, free_port())
    try:
        yield running
    finally:
        running.stop()


def test_node__ctrl_c_then_start__same_chain_and_time_never_runs_back(node, tmp_path):
    node.start()
    assert re.search(
        r"Local chain at http://127\.0\.0\.1:\d+: chain id 31337, .*new; saved in \.chain/anvil-state\.json",
        node.output(),
    )
    # a transaction and three days ahead, as `advance` would do
    sender = rpc(node.url, "eth_accounts")[0]
    rpc(node.url, "eth_sendTransaction", {"from": sender, "to": "0x" + "11" * 20, "value": hex(12345)})
    _, now = node.head()
    rpc(node.url, "evm_setNextBlockTimestamp", now + 3 * DAY)
    rpc(node.url, "evm_mine")
    number, ahead = node.head()
    # the command waits on anvil itself (npm's wrapper would exit before anvil saved its state)
    assert [path.name for path in node.children()] == ["anvil"], node.children()

    assert node.ctrl_c() == 0
    assert "Stopped; the state is saved in .chain/anvil-state.json." in node.output()
    assert (tmp_path / ".chain" / "anvil-state.json").stat().st_size > 0
    assert probe(node.url) is None

    node.start()
    assert "resumed from .chain/anvil-state.json" in node.output()
    assert int(rpc(node.url, "eth_getBalance", "0x" + "11" * 20, "latest"), 16) == 12345
    resumed_number, resumed_time = node.head()
    assert resumed_number >= number and resumed_time >= ahead
    rpc(node.url, "evm_mine")
    assert node.head()[1] >= ahead


def test_node__killed__takes_anvil_with_it(node):
    node.start()
    os.killpg(node.process.pid, signal.SIGKILL)
    node.process.wait()
    deadline = time.monotonic() + 20
    while probe(node.url) is not None:
        assert time.monotonic() < deadline, "anvil outlived `ape pools node`"
        time.sleep(0.2)


def test_node__already_running__refuses_and_starts_nothing(node, tmp_path):
    node.start()
    second = subprocess.run(
        [APE, "pools", "node"],
        cwd=tmp_path,
        env=node.env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert second.returncode == 1
    assert second.stderr.strip().splitlines() == [
        (
            f"Error: a node already answers at {node.url} (chain id 31337); nothing started. Use it as it is, or stop "
            "it first."
        )
    ]


def test_command__local_chain_down__says_so_in_one_line_and_starts_nothing(run, workdir, monkeypatch):
    url = f"http://127.0.0.1:{free_port()}"
    monkeypatch.setenv("APE_FOUNDRY_HOST", url)
    result = run("status", network="ethereum:local:foundry")
    assert result.exit_code == 1
    assert [line for line in result.output.splitlines() if line] == [
        (
            f"Error: No local chain answers at {url}: start it with `make chain` (or `ape pools node`) in another "
            "terminal; nothing was started or sent."
        )
    ]
    assert probe(url) is None


def test_advance__local_chain__opens_the_round_n_rounds_ahead(ok, with_pool, factory_of):
    ok("deposit", "--pool", "alpha", "--amount", "10", "--account", "TEST::4")
    assert factory_of.current_round() == 1
    output = ok("advance", "--rounds", "3")
    assert factory_of.current_round() == 4
    assert "Round 4 is open" in output and "rounds 1..3 closed" in output
    assert "1 of 1 pool(s) wait on results from round 1 on" in output


def test_advance__bad_rounds__refused(fails, with_pool):
    assert "0 is not in the range" in fails("advance", "--rounds", "0", code=2)


@pytest.mark.parametrize(
    ("network", "chain_id", "test_provider", "local"),
    [
        ("local", 31337, True, True),
        ("local", 1337, True, True),
        ("mainnet", 1, False, False),
        ("sepolia", 11155111, False, False),
        ("mainnet-fork", 1, True, False),
        ("mainnet-fork", 31337, True, False),
        ("local", 1, True, False),
        ("local", 31337, False, False),
    ],
)
def test_is_local_chain__only_local_network_test_provider_and_dev_chain_id(
    network, chain_id, test_provider, local
):
    assert is_local_chain(network, chain_id, test_provider) is local


def test_require_local__in_process_chain__accepted(networks):
    require_local(networks.provider)  # ethereum:local:test, chain id 1337: no error


def test_sample_round__writes_three_csvs_the_score_command_reads(run, workdir):
    result = run(
        "sample-round",
        "--round",
        "3",
        "--models",
        "alpha,beta",
        "--others",
        "2",
        "--stocks",
        "200",
        network=None,
    )
    assert result.exit_code == 0, result.output
    folder = workdir / "out" / "rounds" / "3"
    assert sorted(p.name for p in folder.iterdir()) == ["predictions.csv", "stakes.csv", "targets.csv"]
    assert (folder / "predictions.csv").read_text().splitlines()[0] == "id,alpha,beta,other-01,other-02"
    assert len((folder / "targets.csv").read_text().splitlines()) == 201
    first = (folder / "predictions.csv").read_bytes()
    again = run(
        "sample-round",
        "--round",
        "3",
        "--models",
        "alpha,beta",
        "--others",
        "2",
        "--stocks",
        "200",
        "--out",
        str(workdir / "again"),
        network=None,
    )
    assert again.exit_code == 0 and (workdir / "again" / "predictions.csv").read_bytes() == first
    scored = run(
        "score",
        "--round",
        "3",
        "--predictions",
        folder / "predictions.csv",
        "--targets",
        folder / "targets.csv",
        "--stakes",
        folder / "stakes.csv",
        "--out",
        folder / "results.json",
        network=None,
    )
    assert scored.exit_code == 0, scored.output


@pytest.mark.parametrize("models", ["alpha,,beta", "alpha,alpha", "other-01"])
def test_sample_round__bad_model_ids__refused(run, workdir, models):
    result = run("sample-round", "--round", "1", "--models", models, network=None)
    assert result.exit_code == 2 and "Invalid value for '--models'" in result.output
    assert not (workdir / "out").exists()


def test_faucet__ether_only_or_nmr_only__each_works_and_neither_is_refused(ok, fails, deployed, accounts):
    receiver = accounts[9]
    before = receiver.balance
    output = ok("faucet", "--to", "TEST::9", "--eth", "1.5", "--account", "TEST::0")
    assert f"Sent 1.5 ether to {receiver.address}; it now holds 0 NMR." in output
    assert receiver.balance - before == 15 * 10**17
    assert f"Sent 2 NMR to {receiver.address}; it now holds 2 NMR." in ok(
        "faucet", "--to", "TEST::9", "--amount", "2", "--account", "TEST::0"
    )
    assert "give --amount (stand-in NMR to hand out), --eth (ether to send), or both." in fails(
        "faucet", "--to", "TEST::9", "--account", "TEST::0", code=2
    )
