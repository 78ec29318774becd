"""A browser wallet for the tests: an EIP-1193 provider injected into the page (as a wallet
extension would inject one) that forwards every request to anvil, where the test accounts are
unlocked, so `eth_sendTransaction` is "signed" by anvil.

The page side is a few lines of JavaScript (`PROVIDER_JS`); the requests reach `AnvilWallet`
in the test process through `page.expose_function`, which records every request and every
transaction sent, and can pretend to be on another chain or to hold another account.
"""

from __future__ import annotations

import json
import urllib.request
from dataclasses import dataclass, field
from typing import Any

# window.ethereum: request() goes to the test process; on()/removeListener() keep the page's
# handlers so the test can send chainChanged/accountsChanged like a real wallet
PROVIDER_JS = """
(() => {
  const listeners = {};
  const emit = (event, value) => { for (const handler of listeners[event] ?? []) handler(value); };
  window.ethereum = {
    isTestWallet: true,
    async request({ method, params }) {
      const reply = await window.__walletRequest(method, params ?? []);
      if (reply.error) {
        const error = new Error(reply.error.message);
        error.code = reply.error.code;
        error.data = reply.error.data;
        throw error;
      }
      if (reply.emit) emit(reply.emit[0], reply.emit[1]);
      return reply.result;
    },
    on(event, handler) { (listeners[event] ??= []).push(handler); },
    removeListener(event, handler) { listeners[event] = (listeners[event] ?? []).filter((h) => h !== handler); },
    __emit: emit,
  };
})();
"""


@dataclass
class AnvilWallet:
    """The wallet's state in the test: which account it holds, which chain it claims to be on."""

    rpc_url: str
    account: str
    chain_id: int | None = None  # None: anvil's own chain id; else what eth_chainId answers
    connected: bool = False
    methods: list[str] = field(default_factory=list)
    sent: list[dict[str, Any]] = field(default_factory=list)

    def forward(self, method: str, params: list[Any]) -> dict[str, Any]:
        body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": method, "params": params}).encode()
        request = urllib.request.Request(self.rpc_url, body, {"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=30) as response:
            reply = json.loads(response.read())
        return {"result": reply.get("result"), "error": reply.get("error")}

    def handle(self, method: str, params: list[Any]) -> dict[str, Any]:
        """One EIP-1193 request from the page."""
        self.methods.append(method)
        if method == "eth_requestAccounts":
            self.connected = True
            return {"result": [self.account]}
        if method == "eth_accounts":
            return {"result": [self.account] if self.connected else []}
        if method == "eth_chainId" and self.chain_id is not None:
            return {"result": hex(self.chain_id)}
        if method == "wallet_switchEthereumChain":
            wanted = int(params[0]["chainId"], 16)
            real = int(self.forward("eth_chainId", [])["result"], 16)
            if wanted != real:
                return {"error": {"code": 4902, "message": f"Unrecognized chain ID {wanted}."}}
            self.chain_id = None
            return {"result": None, "emit": ["chainChanged", hex(wanted)]}
        if method in ("eth_sendTransaction", "eth_signTransaction", "eth_sign", "personal_sign"):
            if not self.connected:
                return {"error": {"code": 4100, "message": "The page asked to sign before connecting."}}
            if method == "eth_sendTransaction":
                if str(params[0].get("from", "")).lower() != self.account.lower():
                    return {"error": {"code": 4100, "message": "The wallet signs only for its own account."}}
                self.sent.append(params[0])
        return self.forward(method, params)
