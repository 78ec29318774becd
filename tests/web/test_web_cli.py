"""`ape pools web`: serves the page and its configuration, refuses bad set-ups with one
sentence, and stops cleanly on Ctrl-C."""

from __future__ import annotations

import json
import shutil
import signal
import socket
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from nmr_pools.deployments import Deployment, save_deployment
from nmr_pools.web.site_config import PAGE_CONTRACTS

APE = shutil.which("ape") or str(Path(sys.executable).with_name("ape"))
# seconds `ape pools web` may take to start (Ape's start-up and reading the compiled project)
STARTUP_TIMEOUT = 120


def fake_deployment(path: Path, chain_id: int = 31337) -> Deployment:
    """A deployments file (addresses need not hold code: without --rpc-url nothing checks them)."""
    deployment = Deployment(
        ecosystem="ethereum",
        network="local",
        chain_id=chain_id,
        block=7,
        nmr="0x" + "11" * 20,
        treasury="0x" + "22" * 20,
        pool_implementation="0x" + "33" * 20,
        factory="0x" + "44" * 20,
    )
    save_deployment(deployment, path)
    return deployment


def get(url: str) -> tuple[int, dict[str, str], bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def test_web__serves_page_and_config__stops_on_ctrl_c(tmp_path):
    deployment = fake_deployment(tmp_path / "deployments" / "ethereum-local.json")
    process = subprocess.Popen(
        [APE, "pools", "web", "--network", "ethereum:local", "--port", "0"],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        line = ""
        while "Serving" not in line:
            line = process.stdout.readline()
            assert line or process.poll() is None, f"ape pools web exited: {process.stdout.read()}"
        url = line.rsplit(" at ", 1)[1].strip()
        assert url.startswith("http://127.0.0.1:")
        assert "ethereum:local (chain id 31337" in line

        status, headers, body = get(url)
        assert status == 200 and b'<script type="module" src="app.js">' in body
        assert "script-src 'self'" in headers["Content-Security-Policy"]
        status, headers, body = get(url + "config.json")
        config = json.loads(body)
        assert status == 200 and headers["Content-Type"] == "application/json"
        assert config["chainId"] == 31337 and config["factory"] == deployment.factory
        assert config["nmr"] == deployment.nmr and config["deploymentBlock"] == 7 and config["rpcUrl"] is None
        assert set(config["abis"]) == set(PAGE_CONTRACTS)
        names = {item.get("name") for item in config["abis"]["DelegationPool"]}
        # the pool's whole ABI: the core's (requests, claims) and the extension's (settings, views)
        assert {"requestDeposit", "requestRedeem", "deposit", "redeem", "Settled"} <= names
        assert {"pending_requests", "share_supply", "pool_state", "wind_down", "set_deposit_limit"} <= names
        assert {"approve", "changeApproval", "allowance"} <= {
            item.get("name") for item in config["abis"]["NMR"]
        }
        status, _, _ = get(url + "app.js")
        assert status == 200
        status, _, _ = get(url + "../pyproject.toml")
        assert status == 404
    finally:
        process.send_signal(signal.SIGINT)
        try:
            rest, _ = process.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()
            raise
    assert process.returncode == 0, rest
    assert "Stopped." in rest and "Traceback" not in rest


@pytest.fixture
def web(tmp_path, monkeypatch):
    """`web(*args)`: `ape pools web --network ethereum:local ...` that must fail with a usage error."""
    from click.testing import CliRunner

    from nmr_pools.cli import cli

    monkeypatch.chdir(tmp_path)
    runner = CliRunner()

    def invoke(*args: str):
        result = runner.invoke(cli, ["web", "--network", "ethereum:local", *args])
        assert result.exit_code == 2, result.output
        assert "Traceback" not in result.output
        return result.output

    return invoke


def test_web__no_deployments_file__usage_error(web):
    output = web()
    assert "No deployments file at" in output and "ape pools deploy" in output


def test_web__port_in_use__usage_error(web, tmp_path):
    fake_deployment(tmp_path / "deployments" / "ethereum-local.json")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        output = web("--port", str(port))
    assert f"Port {port} on 127.0.0.1 is in use; pick another with --port." in " ".join(output.split())


def test_web__rpc_url_on_another_chain__usage_error(web, tmp_path, anvil_node):
    fake_deployment(tmp_path / "deployments" / "ethereum-local.json", chain_id=1)
    output = " ".join(web("--rpc-url", anvil_node.url).split())
    assert f"{anvil_node.url} is chain id 31337, but" in output and "is for chain id 1" in output


def test_web__rpc_url_without_factory__usage_error(web, tmp_path, anvil_node):
    fake_deployment(tmp_path / "deployments" / "ethereum-local.json")
    output = " ".join(web("--rpc-url", anvil_node.url).split())
    assert (
        "No factory at 0x4444444444444444444444444444444444444444" in output and "ape pools deploy" in output
    )


def test_web__rpc_url_not_http__usage_error(web, tmp_path):
    fake_deployment(tmp_path / "deployments" / "ethereum-local.json")
    output = " ".join(web("--rpc-url", "ws://127.0.0.1:8545").split())
    assert "is not an http(s) URL" in output
