"""The page's configuration (`/config.json`): where the protocol lives and the ABIs it needs.

Built once when the server starts, from the deployments file and the compiled project, so the
page never carries addresses or ABIs of its own that could drift from the contracts.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nmr_pools.deployments import Deployment
from nmr_pools.errors import DeploymentsError

# the contracts the page calls, by project contract name ("DelegationPool" carries the pool's whole
# ABI: the core's and the extension's it delegates to, see nmr_pools.pool_contract)
PAGE_CONTRACTS = ("DelegationPool", "PoolFactory", "NMR")
# rounds of price history each pool's chart shows
HISTORY_ROUNDS = 90
# seconds between the page's checks for a new block
POLL_SECONDS = 6
# seconds to wait for the RPC URL when checking it at start
RPC_TIMEOUT = 10


@dataclass(frozen=True)
class SiteConfig:
    """What /config.json holds; `to_json` gives the bytes the server sends."""

    network: str
    deployments_file: str
    deployment: Deployment
    abis: dict[str, list[dict[str, Any]]]
    rpc_url: str | None = None
    history_rounds: int = HISTORY_ROUNDS

    def to_dict(self) -> dict[str, Any]:
        return {
            "network": self.network,
            "deploymentsFile": self.deployments_file,
            "chainId": self.deployment.chain_id,
            "deploymentBlock": self.deployment.block,
            "factory": self.deployment.factory,
            "nmr": self.deployment.nmr,
            "treasury": self.deployment.treasury,
            "rpcUrl": self.rpc_url,
            "historyRounds": self.history_rounds,
            "pollSeconds": POLL_SECONDS,
            "abis": self.abis,
        }

    def to_json(self) -> bytes:
        return json.dumps(self.to_dict(), separators=(",", ":")).encode()


def contract_abis(project: Any) -> dict[str, list[dict[str, Any]]]:
    """The ABIs of the page's contracts, from the compiled project (compiling it if needed)."""
    from nmr_pools.pool_contract import POOL_NAME, pool_container

    abis = {}
    for name in PAGE_CONTRACTS:
        contract_type = (
            pool_container(project) if name == POOL_NAME else getattr(project, name)
        ).contract_type
        abis[name] = [
            item.model_dump(mode="json", by_alias=True, exclude_none=True) for item in contract_type.abi
        ]
    return abis


def _rpc(url: str, method: str, *params: Any) -> Any:
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": method, "params": list(params)}).encode()
    request = urllib.request.Request(url, body, {"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=RPC_TIMEOUT) as response:
        reply = json.loads(response.read())
    if "error" in reply:
        raise DeploymentsError(
            f"{url} answered {method} with an error: {reply['error'].get('message', reply['error'])}."
        )
    return reply["result"]


def check_rpc_url(url: str, deployment: Deployment, deployments_file: Path | str) -> None:
    """Refuse an RPC URL that is unreachable, on another chain, or has no factory where the
    deployments file says (DeploymentsError with the sentence to show)."""
    if not url.startswith(("http://", "https://")):
        raise DeploymentsError(f"--rpc-url {url!r} is not an http(s) URL; give e.g. http://127.0.0.1:8545.")
    try:
        chain_id = int(_rpc(url, "eth_chainId"), 16)
        code = _rpc(url, "eth_getCode", deployment.factory, "latest")
    except (OSError, ValueError, urllib.error.URLError) as error:
        raise DeploymentsError(f"Cannot reach {url} ({error}); check --rpc-url or start the node.") from None
    if chain_id != deployment.chain_id:
        raise DeploymentsError(
            f"{url} is chain id {chain_id}, but {deployments_file} is for chain id {deployment.chain_id}: "
            "give the RPC URL of that chain or pick the matching --network."
        )
    if code in (None, "0x", ""):
        raise DeploymentsError(
            f"No factory at {deployment.factory} on {url} (the chain was reset or {deployments_file} is stale): "
            "run `ape pools deploy` again."
        )
