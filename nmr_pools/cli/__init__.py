"""`ape pools …`: deploy, run and inspect NMR delegation pools from the command line.

Registered through the `ape_cli_subcommands` entry point. Commands are imported only when
run (or when `--help` needs their options), so `ape pools --help` stays fast.
"""

from __future__ import annotations

import importlib
import os
from typing import Any

import click

# command -> (module:attribute, one-line help shown by `ape pools --help`)
COMMANDS: dict[str, tuple[str, str]] = {
    "deploy": (
        "nmr_pools.cli.admin:deploy",
        "Deploy NMR (stand-in off mainnet), treasury, pool implementation, factory.",
    ),
    "fund-treasury": ("nmr_pools.cli.admin:fund_treasury", "Add NMR to the payout treasury."),
    "faucet": (
        "nmr_pools.cli.admin:faucet",
        "Hand out stand-in NMR (and test ether) from the deployer (not mainnet).",
    ),
    "grant-role": (
        "nmr_pools.cli.admin:grant_role",
        "Give an account a factory role: settler, guardian, attester (admin).",
    ),
    "attest": (
        "nmr_pools.cli.attest:attest",
        "Attest that an account owns a model, so it may create its pool (attester).",
    ),
    "create-pool": (
        "nmr_pools.cli.owner:create_pool",
        "Create the pool of a model you own, with an attestation.",
    ),
    "set-fee": ("nmr_pools.cli.owner:set_fee", "Change a pool's performance fee (owner)."),
    "claim-fees": ("nmr_pools.cli.owner:claim_fees", "Claim the performance fees a pool owes (owner)."),
    "deposit": ("nmr_pools.cli.delegator:deposit", "Request a deposit of NMR into a pool."),
    "redeem": ("nmr_pools.cli.delegator:redeem", "Request to redeem pool shares for NMR."),
    "cancel": ("nmr_pools.cli.delegator:cancel", "Cancel your requests made in the open round."),
    "claim": (
        "nmr_pools.cli.delegator:claim",
        "Claim every converted deposit (shares) and redemption (NMR).",
    ),
    "status": (
        "nmr_pools.cli.status:status",
        "Pools and an account's positions, pending and claimable amounts.",
    ),
    "score": ("nmr_pools.scoring.cli:score_command", "Score a round: results file and digest for `settle`."),
    "settle": ("nmr_pools.cli.settle:settle", "Settle a scored round on every pool (settler)."),
    "verify": (
        "nmr_pools.cli.settle:verify",
        "Recompute a round's results and check what the pools settled.",
    ),
    "web": (
        "nmr_pools.cli.web:web",
        "Serve the delegators' page: pools, deposits, claims from a browser wallet.",
    ),
    "history": ("nmr_pools.cli.history:history", "A pool's settled rounds as a table (and a PNG chart)."),
    "pause": ("nmr_pools.cli.safety:pause", "Stop new deposits to a pool (owner or guardian)."),
    "unpause": (
        "nmr_pools.cli.safety:unpause",
        "Accept deposits to a paused pool again (owner or guardian).",
    ),
    "wind-down": (
        "nmr_pools.cli.safety:wind_down",
        "Wind a pool down: no new deposits, its last round is the open one (owner or guardian).",
    ),
    "emergency-exit": (
        "nmr_pools.cli.safety:emergency_exit",
        "Close a pool whose settler is gone (anyone, once the pool is stalled).",
    ),
    "set-deposit-limit": (
        "nmr_pools.cli.deposit_limit:set_deposit_limit",
        "Cap the NMR a pool accepts (owner).",
    ),
    "transfer-ownership": (
        "nmr_pools.cli.ownership:transfer_ownership",
        "Offer a pool to a new owner (owner).",
    ),
    "accept-ownership": ("nmr_pools.cli.ownership:accept_ownership", "Take over a pool offered to you."),
    "revoke-role": ("nmr_pools.cli.roles:revoke_role", "Take a factory role from an account (admin)."),
    "deploy-multicall": (
        "nmr_pools.cli.aggregator:deploy_multicall",
        "Add the read aggregator to a deployment (fast settle for many pools).",
    ),
    "node": (
        "nmr_pools.cli.node:node",
        "Run the project's local chain (anvil), its state kept between runs.",
    ),
    "advance": (
        "nmr_pools.cli.advance:advance",
        "Move a local chain's clock forward by N rounds (local only).",
    ),
    "sample-round": (
        "nmr_pools.cli.sample:sample_round",
        "Write a synthetic round's predictions, targets and stakes CSVs.",
    ),
}


class LazyGroup(click.Group):
    """A group that imports a command's module only when that command is used, and gives
    every command one-line errors (`nmr_pools.cli.readable`) instead of tracebacks."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:
            return None
        target, _ = COMMANDS[cmd_name]
        module_name, attribute = target.split(":")
        command = getattr(importlib.import_module(module_name), attribute)
        if command.name != cmd_name:
            command.name = cmd_name
        from nmr_pools.cli.readable import make_readable

        return make_readable(command)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        with formatter.section("Commands"):
            formatter.write_dl([(name, short) for name, (_, short) in COMMANDS.items()])

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except Exception as error:  # e.g. a command module that fails to import
            from nmr_pools.cli.readable import TRACEBACK_VARIABLE

            if os.environ.get(TRACEBACK_VARIABLE):
                raise
            from nmr_pools.errors import describe_failure

            raise click.ClickException(describe_failure(error)) from None


@click.group(cls=LazyGroup, name="pools")
def cli() -> None:
    """NMR delegation pools: deploy, deposit, redeem, claim, settle and verify.

    Every command that reads or writes a chain takes Ape's --network (the local chain of
    `make chain` is ethereum:local:foundry); commands that send transactions take --account
    (an `ape accounts` alias, or TEST::0 on a local chain). Amounts are in NMR (e.g. 12.5).
    """
