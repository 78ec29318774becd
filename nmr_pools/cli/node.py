"""`node`: the project's local chain, an anvil whose state survives between runs.

It listens where `ethereum:local:foundry` connects (`foundry.host` in ape-config.yaml, or
APE_FOUNDRY_HOST), with the accounts Ape's TEST::n aliases name, and keeps its state in
`.chain/anvil-state.json`: saved every few seconds and when it stops, loaded when it starts.
"""

from __future__ import annotations

import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import click

from nmr_pools.cli.readable import ReadableCommand

STATE_DIR = Path(".chain")
STATE_FILE = STATE_DIR / "anvil-state.json"
LOG_FILE = STATE_DIR / "anvil.log"
# seconds between state dumps while running (a crash loses at most this much)
STATE_INTERVAL = 5
# seconds to wait for anvil to answer after starting, and to exit after Ctrl-C
STARTUP_TIMEOUT = 30
STOP_TIMEOUT = 30
# signals that stop the node: Ctrl-C, `kill`, a closed terminal
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
# prctl option: the signal a process gets when its parent dies (linux/prctl.h)
PR_SET_PDEATHSIG = 1


def anvil_command(port: int, state: Path) -> list[str]:
    """ape-foundry's own anvil command line (same mnemonic, accounts, balances and fees as the
    node it would start), on `port`, saving and loading `state`."""
    from ape import networks

    from nmr_pools.errors import NmrPoolsError

    provider = networks.ethereum.local.get_provider("foundry")
    try:
        command = list(provider.build_command())
    except Exception as error:  # noqa: BLE001 - FoundryNotInstalledError and kin
        raise NmrPoolsError(
            f"cannot run anvil ({error}); `make env` installs it in node_modules/.bin."
        ) from None
    command[command.index("--port") + 1] = str(port)
    return [*command, "--host", "127.0.0.1", "--state", str(state), "--state-interval", str(STATE_INTERVAL)]


def _wait_until_up(process: subprocess.Popen[bytes], url: str, log: Path) -> int:
    """The chain id once the node answers; an error with anvil's last words if it exits."""
    from nmr_pools.cli.local_chain import probe

    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            tail = log.read_text(errors="replace").strip().splitlines()[-3:] if log.exists() else []
            raise click.ClickException(
                f"anvil exited at start (code {process.returncode}): " + " / ".join(tail)
            )
        if (chain_id := probe(url)) is not None:
            return chain_id
        time.sleep(0.2)
    process.terminate()
    raise click.ClickException(f"anvil did not answer at {url} within {STARTUP_TIMEOUT} s; see {log}.")


def _resume_clock(url: str) -> tuple[int, int]:
    """(block number, timestamp) of the latest block, after making sure time never runs back.

    anvil restarts its clock from the wall clock, but `ape pools advance` may have moved the
    chain ahead of it: without this the next block would be older than the last one (and
    round numbers would go backwards)."""
    from nmr_pools.cli.local_chain import rpc

    block = rpc(url, "eth_getBlockByNumber", "latest", False)
    number, timestamp = int(block["number"], 16), int(block["timestamp"], 16)
    if timestamp > int(time.time()):
        rpc(url, "evm_setNextBlockTimestamp", timestamp + 1)
        rpc(url, "evm_mine")
        return number + 1, timestamp + 1
    return number, timestamp


def _tie_to_this_process() -> Callable[[], None] | None:
    """Linux: a function for anvil's process, run before it starts, that has the kernel send it
    SIGTERM when this command dies, however it dies (anvil saves its state on SIGTERM too), so
    no orphaned node keeps the port. libc is loaded here, in the parent: the child only makes
    the one system call. None elsewhere."""
    try:
        import ctypes

        prctl = ctypes.CDLL("libc.so.6", use_errno=True).prctl
    except (OSError, AttributeError):
        return None
    return lambda: prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def _ask_to_stop(process: subprocess.Popen[bytes]) -> None:
    """Send anvil one SIGINT (it saves its state and exits), however often we are asked."""
    if process.poll() is None and not getattr(process, "asked_to_stop", False):
        process.asked_to_stop = True  # type: ignore[attr-defined]
        process.send_signal(signal.SIGINT)


def _stop(process: subprocess.Popen[bytes]) -> None:
    """Ask anvil to stop, then wait for it to save its state; kill it if it hangs."""
    _ask_to_stop(process)
    try:
        process.wait(timeout=STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@click.command(cls=ReadableCommand)
@click.option(
    "--state",
    "state_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=STATE_FILE,
    show_default=True,
    help="Where the chain's state is saved and loaded from (delete it to start over).",
)
def node(state_path: Path) -> None:
    """Run the project's local chain in the foreground until Ctrl-C.

    Listens where `--network ethereum:local:foundry` connects (ape-config.yaml's foundry.host,
    or APE_FOUNDRY_HOST), with the TEST::0..19 accounts funded, and saves its state every few
    seconds and on exit, so deployments, pools and balances are still there next time.
    """
    from nmr_pools.cli.local_chain import foundry_host, is_local_url, port_of, probe

    host = foundry_host()
    url = host if host is None or "://" in host else f"http://{host}"
    port = port_of(url) if url is not None and is_local_url(url) else None
    if url is None or port is None:
        raise click.UsageError(
            f"the foundry host is {host!r}; set `foundry: host: http://127.0.0.1:8545` in ape-config.yaml "
            "(or APE_FOUNDRY_HOST) to give the local chain a fixed local port."
        )
    if (chain_id := probe(url)) is not None:
        raise click.ClickException(
            f"a node already answers at {url} (chain id {chain_id}); nothing started. Use it as it is, "
            "or stop it first."
        )
    command = anvil_command(port, state_path)
    resumed = state_path.exists()
    state_path.parent.mkdir(parents=True, exist_ok=True)
    log = state_path.parent / LOG_FILE.name
    # anvil gets its own process group: Ctrl-C reaches this process only, which passes exactly
    # one SIGINT on (anvil saves its state on the first; a second one could cut that short)
    with log.open("ab") as output:
        process = subprocess.Popen(
            command,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=_tie_to_this_process(),
        )  # noqa: PLW1509 - one system call
    previous = {number: signal.signal(number, lambda *_: _ask_to_stop(process)) for number in STOP_SIGNALS}
    try:
        chain_id = _wait_until_up(process, url, log)
        number, timestamp = _resume_clock(url)
        origin = f"resumed from {state_path}" if resumed else f"new; saved in {state_path}"
        click.echo(
            f"Local chain at {url}: chain id {chain_id}, latest block {number} "
            f"({time.strftime('%Y-%m-%d %H:%M:%S UTC', time.gmtime(timestamp))}), {origin}."
        )
        click.echo(
            "Every terminal reaches it with --network ethereum:local:foundry. "
            "Ctrl-C stops it; its state is kept."
        )
        code = process.wait()
    finally:
        _stop(process)
        for number, handler in previous.items():
            signal.signal(number, handler)
    if code not in (0, 130, -signal.SIGINT, -signal.SIGTERM):
        raise click.ClickException(f"anvil stopped with code {code}; see {log}.")
    click.echo(f"Stopped; the state is saved in {state_path}.")
