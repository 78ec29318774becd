"""Fixtures of the integration tests: pools keyed like the settle pipeline keys them."""

from __future__ import annotations

import pytest

from nmr_pools.deployment import create_attested_pool
from tests.integration.helpers import model_key


@pytest.fixture
def create_model_pool(project, factory, owner, deployer):
    """Create the pool of model `name` (bytes32 key = `model_id_to_bytes32(name)`), its
    ownership attested by the deployer."""

    def create(name: str, fee_bps: int = 2_000, pool_owner=None):
        return create_attested_pool(
            project,
            factory,
            attester=deployer,
            owner=pool_owner or owner,
            model_id=model_key(name),
            model_name=name,
            fee_bps=fee_bps,
        )

    return create


@pytest.fixture
def anvil_node(tmp_path, monkeypatch):
    """A fresh anvil of this test, and Ape's foundry provider pointed at it."""
    from tests.integration.anvil import AnvilNode, anvil_available

    if not anvil_available():
        pytest.skip("anvil is not installed (npm ci puts it in node_modules/.bin)")
    node = AnvilNode(state=tmp_path / "anvil-state.json")
    node.start()
    monkeypatch.setenv("APE_FOUNDRY_HOST", node.url)
    try:
        yield node
    finally:
        node.kill()


@pytest.fixture
def on_anvil(anvil_node, networks):
    """Connect Ape to `anvil_node` for the test (the CLI's --network ethereum:local:foundry too)."""
    with networks.parse_network_choice("ethereum:local:foundry") as provider:
        yield provider
