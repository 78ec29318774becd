"""The project's local chain: where it listens, whether it answers, and what counts as local.

`ape-config.yaml` gives `ethereum:local:foundry` a fixed host (`foundry.host`); `make chain`
(`ape pools node`) runs anvil there with its state saved in `.chain/`. APE_FOUNDRY_HOST
overrides the host (ape-foundry reads it too); `auto` means "a throwaway node on a free port",
which ape-foundry starts itself.
"""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request
from typing import Any
from urllib.parse import urlparse

import click

# chain ids of local development chains: anvil/hardhat (31337) and Ape's in-process chain (1337)
LOCAL_CHAIN_IDS = (31337, 1337)
# seconds a probe waits for the node to answer
PROBE_TIMEOUT = 2.0
# where the foundry provider's host comes from, first match wins
HOST_VARIABLE = "APE_FOUNDRY_HOST"


def foundry_host() -> str | None:
    """The host `ethereum:local:foundry` connects to: APE_FOUNDRY_HOST, else ape-config's
    `foundry.host` (None when neither is set, "auto" for a throwaway node)."""
    if host := os.environ.get(HOST_VARIABLE):
        return host
    from ape import config

    host = getattr(config.get_config("foundry"), "host", None)
    return str(host) if host else None


def is_local_url(url: str) -> bool:
    return urlparse(url if "://" in url else f"http://{url}").hostname in ("127.0.0.1", "localhost")


def port_of(url: str) -> int | None:
    return urlparse(url if "://" in url else f"http://{url}").port


def rpc(url: str, method: str, *params: Any, timeout: float = PROBE_TIMEOUT) -> Any:
    """One JSON-RPC call; OSError when nothing answers, RuntimeError for an RPC error."""
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": method, "params": list(params)}).encode()
    request = urllib.request.Request(url, body, {"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        reply = json.loads(response.read())
    if "error" in reply:
        raise RuntimeError(f"{method}: {reply['error']}")
    return reply["result"]


def probe(url: str) -> int | None:
    """The chain id of the node answering at `url`, or None when nothing answers there."""
    try:
        return int(rpc(url, "eth_chainId"), 16)
    except (OSError, ValueError, RuntimeError, urllib.error.URLError):
        return None


def not_running_message(url: str) -> str:
    return (
        f"No local chain answers at {url}: start it with `make chain` (or `ape pools node`) in "
        "another terminal; nothing was started or sent."
    )


def require_running(provider: Any) -> None:
    """Refuse, in one line, to run on the local foundry network while its node is down.

    Without this, ape-foundry would start a throwaway anvil on the same port whose chain
    vanishes after the command (and whose empty state looks like a reset chain to `deploy`).
    A throwaway node asked for with host `auto` is still started, as the tests and benchmarks do.
    """
    if getattr(provider, "name", None) != "foundry" or provider.network.name != "local":
        return
    if getattr(provider, "is_connected", False):
        return
    host = foundry_host()
    if host is None or host == "auto" or not is_local_url(host):
        return
    url = host if "://" in host else f"http://{host}"
    if probe(url) is None:
        raise click.ClickException(not_running_message(url))


def is_local_chain(network_name: str, chain_id: int, test_provider: bool) -> bool:
    """A local development chain: Ape's `local` network, on a provider that can move time (anvil,
    the in-process chain), with a development chain id. A mainnet fork is not one."""
    return network_name == "local" and test_provider and chain_id in LOCAL_CHAIN_IDS


def require_local(provider: Any) -> None:
    """Refuse anything but a local development chain (see `is_local_chain`)."""
    from ape.api.providers import TestProviderAPI

    chain_id = int(provider.chain_id)
    network = provider.network
    if not is_local_chain(network.name, chain_id, isinstance(provider, TestProviderAPI)):
        raise click.UsageError(
            f"{network.ecosystem.name}:{network.name}:{provider.name} (chain id {chain_id}) is not a local "
            "chain; time can only be moved on the local chain (--network ethereum:local:foundry)."
        )
