"""An anvil node the test owns: started on a free port, stopped (dumping its state) and
restarted from that state, to simulate a node dropping in the middle of a settlement."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nmr_pools.environment import native_anvil

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def _anvil_binary() -> str:
    """The anvil binary itself, never npm's wrapper script (see nmr_pools.environment)."""
    return str(native_anvil() or shutil.which("anvil") or PROJECT_ROOT / "node_modules" / ".bin" / "anvil")


ANVIL = _anvil_binary()
# seconds to wait for anvil to accept connections or to exit
STARTUP_TIMEOUT = 20


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def anvil_available() -> bool:
    return Path(ANVIL).exists()


@dataclass
class AnvilNode:
    """`anvil --dump-state STATE [--load-state STATE]` on 127.0.0.1:PORT."""

    state: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, load: bool = False) -> None:
        # steps tracing: debug_traceTransaction answers with the opcodes (as when ape-foundry starts anvil)
        args = [
            ANVIL,
            "--port",
            str(self.port),
            "--silent",
            "--steps-tracing",
            "--dump-state",
            str(self.state),
        ]
        if load:
            args += ["--load-state", str(self.state)]
        # npm's `anvil` is a node wrapper that spawns the real binary: a session of its own lets
        # stop()/kill() signal both, so no anvil outlives the test
        self.process = subprocess.Popen(
            args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
        )
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while time.monotonic() < deadline:
            try:
                self.rpc("eth_chainId")
                return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"anvil did not start on port {self.port}")

    def stop(self) -> None:
        """SIGTERM: anvil writes its state to `state` and exits."""
        self._signal_group(signal.SIGTERM)

    def kill(self) -> None:
        self._signal_group(signal.SIGKILL)

    def _signal_group(self, number: int) -> None:
        """Signal the wrapper and the anvil it spawned, and wait until every one has exited."""
        if self.process is None:
            return
        group = self.process.pid  # the session leader's pid is its process group id
        try:
            os.killpg(group, number)
        except ProcessLookupError:
            pass
        self.process.wait(timeout=STARTUP_TIMEOUT)
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while time.monotonic() < deadline:
            try:
                os.killpg(group, 0)
            except ProcessLookupError:
                break
            time.sleep(0.05)
        else:
            os.killpg(group, signal.SIGKILL)
        self.process = None

    def rpc(self, method: str, *params: Any) -> Any:
        body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": method, "params": list(params)}).encode()
        request = urllib.request.Request(self.url, body, {"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - local node
            reply = json.loads(response.read())
        if "error" in reply:
            raise RuntimeError(f"{method}: {reply['error']}")
        return reply["result"]

    def latest_timestamp(self) -> int:
        return int(self.rpc("eth_getBlockByNumber", "latest", False)["timestamp"], 16)

    def set_time(self, timestamp: int) -> None:
        """Mine a block at `timestamp` (or one second after the latest, if that is later)."""
        self.rpc("evm_setNextBlockTimestamp", max(timestamp, self.latest_timestamp() + 1))
        self.rpc("evm_mine")


def env_for(node: AnvilNode) -> dict[str, str]:
    """Environment that points ape-foundry's `ethereum:local:foundry` at this node."""
    return {**os.environ, "APE_FOUNDRY_HOST": node.url}
