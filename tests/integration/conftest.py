"""Fixtures of the integration tests: pools keyed like the settle pipeline keys them."""

from __future__ import annotations

import pytest

from tests.integration.helpers import model_key


@pytest.fixture
def create_model_pool(project, factory, owner):
    """Create the pool of model `name` (bytes32 key = `model_id_to_bytes32(name)`)."""

    def create(name: str, fee_bps: int = 2_000, pool_owner=None):
        factory.create_pool(model_key(name), name, fee_bps, sender=pool_owner or owner)
        return project.DelegationPool.at(factory.pool_of(model_key(name)))

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
