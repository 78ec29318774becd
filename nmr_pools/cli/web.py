"""`web`: serve the delegators' page for the deployment of a network."""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click
from ape.cli import network_option

from nmr_pools.cli.common import deployments_option


@click.command()
@network_option()
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8000,
    show_default=True,
    help="Port to listen on (0: any free port).",
)
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on; the default serves this machine only.",
)
@click.option(
    "--rpc-url",
    default=None,
    help="Read-only JSON-RPC URL of the chain, used when the browser has no wallet or it is on another "
    "network (checked at start: chain id and factory).",
)
@deployments_option
def web(network: Any, port: int, host: str, rpc_url: str | None, deployments_path: Path | None) -> None:
    """Serve the delegators' page: browse the pools, deposit, redeem, claim and cancel from a
    browser wallet. The page reads the chain through the wallet (or --rpc-url) and every
    transaction is signed in the wallet; the server holds no keys and keeps no state."""
    from nmr_pools.deployments import default_path, load_project, read_deployment
    from nmr_pools.errors import NmrPoolsError
    from nmr_pools.web.server import make_server, url_of
    from nmr_pools.web.site_config import SiteConfig, check_rpc_url, contract_abis

    ecosystem, network_name = network.ecosystem.name, network.name
    path = deployments_path or default_path(ecosystem, network_name)
    try:
        deployment = read_deployment(path)
        if rpc_url:
            check_rpc_url(rpc_url, deployment, path)
        abis = contract_abis(load_project())
        config = SiteConfig(
            network=f"{ecosystem}:{network_name}",
            deployments_file=str(path),
            deployment=deployment,
            abis=abis,
            rpc_url=rpc_url,
        )
        server = make_server(config, host, port)
    except NmrPoolsError as error:
        raise click.UsageError(str(error)) from None
    url = url_of(server)
    click.echo(
        f"Serving the delegators' page for {config.network} (chain id {deployment.chain_id}, "
        f"factory {deployment.factory}) at {url}"
    )
    if rpc_url:
        click.echo(f"Without a wallet the page reads through {rpc_url}.")
    if host not in ("127.0.0.1", "localhost", "::1"):
        click.echo(f"Listening on {host}: anyone who can reach it can load the page (it holds no keys).")
    click.echo("Press Ctrl-C to stop.")
    with _interrupted_by_signals():
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            server.server_close()
    click.echo("Stopped.")


@contextmanager
def _interrupted_by_signals() -> Iterator[None]:
    """Ctrl-C (and SIGTERM) raise KeyboardInterrupt while serving, so the server closes and says
    so; Ape's own SIGINT handler would exit at once with code 130."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    previous = {number: signal.signal(number, interrupt) for number in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
