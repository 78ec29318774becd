"""`advance`: move a local chain's clock to the start of a later round.

Rounds open and close with `block.timestamp` (daily by default), so on a local chain nothing
closes during a session unless time moves. This mines one block at the start of the round N
rounds ahead. Only local development chains accept it: network `local`, a test provider
(anvil or Ape's in-process chain) and chain id 31337 or 1337.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import click
from ape.cli import network_option

from nmr_pools.cli.common import PoolsCommand, active_provider, connect, deployments_option, waiting_rounds
from nmr_pools.cli.local_chain import require_local

# the most rounds one call moves (about 27 years of daily rounds)
MAX_ROUNDS = 10_000


@click.command(cls=PoolsCommand)
@network_option()
@click.option(
    "--rounds",
    type=click.IntRange(min=1, max=MAX_ROUNDS),
    default=1,
    show_default=True,
    help="How many rounds to move forward: the round that many rounds after the open one opens.",
)
@deployments_option
def advance(provider: Any, rounds: int, deployments_path: Path | None) -> None:
    """Move a local chain's time to the start of the round N rounds ahead (local chains only).

    The rounds in between close; their results can then be scored and settled. Pools are not
    touched: every pool now waits on the closed rounds until they are settled.
    """
    from ape import chain

    require_local(active_provider(provider))
    ctx = connect(provider, deployments_path)
    factory = ctx.factory
    before = int(factory.current_round())
    target = before + rounds
    start = int(factory.round_start(target))
    chain.pending_timestamp = max(start, int(chain.pending_timestamp))
    chain.mine()
    opened = int(factory.current_round())
    when = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(int(chain.blocks.head.timestamp)))
    closed = f"round {before} closed" if rounds == 1 else f"rounds {before}..{target - 1} closed"
    click.echo(f"Round {opened} is open ({when}); {closed}.")
    pools = ctx.pools()
    behind = [pool for pool in pools if waiting_rounds(pool)]
    if behind:
        oldest = min(int(pool.last_settled_round()) for pool in behind) + 1
        click.echo(
            f"{len(behind)} of {len(pools)} pool(s) wait on results from round {oldest} on: score and "
            "settle them in order with `ape pools settle`."
        )
