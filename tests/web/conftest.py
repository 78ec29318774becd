"""Fixtures of the web page tests: a fresh anvil, the protocol deployed on it with the CLI,
the page served by `nmr_pools.web`, and a headless Chromium whose wallet forwards to anvil.

Every process a test starts (anvil, the server thread, the Playwright driver and Chromium)
is stopped when the test ends, pass or fail.
"""

from __future__ import annotations

import json
import os
from contextlib import ExitStack
from pathlib import Path

import pytest
from click.testing import CliRunner

from nmr_pools.cli import cli
from nmr_pools.pool_contract import pool_at
from tests.integration.helpers import model_key
from tests.web.browser import CHROMIUM, CHROMIUM_ARGS, SCREENSHOTS_ENV, TIMEOUT_MS, VIEWPORT
from tests.web.wallet import PROVIDER_JS, AnvilWallet

NETWORK = "ethereum:local:foundry"
ROOT = Path(__file__).resolve().parents[2]
NMR = 10**18
# the accounts of the scenario (anvil's unlocked accounts, same mnemonic as Ape's test accounts)
DEPLOYER, SETTLER, GUARDIAN, OWNER, ALICE, BOB = range(6)


@pytest.fixture
def anvil_node(tmp_path, monkeypatch):
    """A fresh anvil of this test, and Ape's foundry provider pointed at it."""
    from tests.integration.anvil import AnvilNode, anvil_available

    if not anvil_available():
        pytest.fail("anvil is missing: run `make env` (npm puts it in node_modules/.bin)")
    node = AnvilNode(state=tmp_path / "anvil-state.json")
    node.start()
    monkeypatch.setenv("APE_FOUNDRY_HOST", node.url)
    try:
        yield node
    finally:
        node.kill()


@pytest.fixture
def on_anvil(anvil_node, networks):
    with networks.parse_network_choice(NETWORK) as provider:
        yield provider


@pytest.fixture
def run(on_anvil, tmp_path, monkeypatch):
    """`run("deposit", ...)`: an `ape pools` command on anvil that must succeed; its output."""
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()

    def invoke(*args: object, network: bool = True) -> str:
        argv = [str(a) for a in args] + (["--network", NETWORK] if network else [])
        result = runner.invoke(cli, argv)
        assert result.exit_code == 0, f"{' '.join(argv)}\n{result.output}\n{result.exception!r}"
        return result.output

    return invoke


@pytest.fixture
def deployed(run, tmp_path):
    """The protocol on anvil (TEST::1 settles), pools alpha (fee 20%) and beta (fee 0) owned
    by TEST::3, 1,000 NMR for TEST::4 (the wallet's account) and TEST::5."""
    run("deploy", "--account", "TEST::0", "--fund-treasury", "100000", "--settler", "TEST::1")
    run("create-pool", "--model-id", "alpha", "--fee", "20", "--attester", "TEST::0", "--account", "TEST::3")
    run("create-pool", "--model-id", "beta", "--fee", "0", "--attester", "TEST::0", "--account", "TEST::3")
    run("faucet", "--to", "TEST::4", "--amount", "1000", "--account", "TEST::0")
    run("faucet", "--to", "TEST::5", "--amount", "1000", "--account", "TEST::0")
    path = tmp_path / "deployments" / "ethereum-local.json"
    return {**json.loads(path.read_text()), "path": path}


@pytest.fixture
def contracts(project, deployed):
    """The deployed contracts as Ape instances: factory, nmr, pool(name)."""

    class Contracts:
        factory = project.PoolFactory.at(deployed["factory"])
        nmr = project.NMR.at(deployed["nmr"])

        def pool(self, name: str):
            return pool_at(project, self.factory.pool_of(model_key(name)))

    return Contracts()


@pytest.fixture
def serve_page(project, deployed):
    """`serve_page(rpc_url=None, history_rounds=90)` -> the page's URL; every server started
    stops after the test."""
    from nmr_pools.deployments import read_deployment
    from nmr_pools.web.server import serving
    from nmr_pools.web.site_config import HISTORY_ROUNDS, SiteConfig, contract_abis

    abis = contract_abis(project)
    with ExitStack() as servers:

        def start(rpc_url: str | None = None, history_rounds: int = HISTORY_ROUNDS) -> str:
            config = SiteConfig(
                network="ethereum:local",
                deployments_file=str(deployed["path"]),
                deployment=read_deployment(deployed["path"]),
                abis=abis,
                rpc_url=rpc_url,
                history_rounds=history_rounds,
            )
            return servers.enter_context(serving(config))

        yield start


@pytest.fixture
def browser(tmp_path):
    """Chromium with a fresh profile; `browser.new_page(wallet=None)` opens a page (with the
    test wallet injected when given). Closed, with its driver, when the test ends."""
    from playwright.sync_api import sync_playwright

    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make env` (it installs Debian's chromium)")
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path / "chromium-profile"),
            executable_path=str(CHROMIUM),
            args=CHROMIUM_ARGS,
            headless=True,
            viewport=VIEWPORT,
        )
        context.set_default_timeout(TIMEOUT_MS)
        errors: list[str] = []

        class Browser:
            console_errors = errors

            def new_page(self, wallet: AnvilWallet | None = None):
                page = context.new_page()
                page.on("pageerror", lambda error: errors.append(str(error)))
                if wallet is not None:
                    page.expose_function("__walletRequest", wallet.handle)
                    page.add_init_script(PROVIDER_JS)
                return page

        try:
            yield Browser()
        finally:
            context.close()


@pytest.fixture
def wallet_for(anvil_node, accounts):
    """`wallet_for(index)`: a test wallet holding anvil's account `index`."""

    def make(index: int) -> AnvilWallet:
        return AnvilWallet(rpc_url=anvil_node.url, account=str(accounts[index].address))

    return make


@pytest.fixture
def screenshot():
    """`screenshot(page, name)` writes docs/<name>.png when NMR_POOLS_WEB_SCREENSHOTS names a folder."""
    folder = os.environ.get(SCREENSHOTS_ENV)

    def take(page, name: str) -> Path | None:
        if not folder:
            return None
        path = ROOT / folder / f"{name}.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        page.evaluate("document.activeElement?.blur()")  # no focus ring in the picture
        page.screenshot(path=str(path), full_page=True)
        return path

    return take
