"""Errors a person reads: the error first, in one line, and never a traceback.

Click prints a command's usage block (and "Try … -h for help") before every usage error.
That helps when the command line itself is malformed (an unknown option, a missing one, an
extra argument); for a value the command refused (`--amount ten`, a pool that does not exist,
a balance too small) it pushes the one line that matters to the bottom. So:

- parse errors keep click's usage block, except `BadParameter` (a value refused by a type or
  a callback), which is shown alone;
- any usage error raised while the command runs is shown alone;
- any other failure becomes one line (`nmr_pools.errors.describe_failure`); set
  NMR_POOLS_TRACEBACK=1 to see the traceback instead.
"""

from __future__ import annotations

import os
from typing import Any

import click

# set to 1 to let unexpected errors through with their traceback (for debugging)
TRACEBACK_VARIABLE = "NMR_POOLS_TRACEBACK"


def _alone(error: click.UsageError) -> click.UsageError:
    """The same error, shown without the usage block (same message, same exit code 2)."""
    error.ctx = None
    error.cmd = None
    return error


class ReadableCommand(click.Command):
    """A click command whose errors are one readable line (see the module docstring)."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        try:
            return super().parse_args(ctx, args)
        except click.MissingParameter:
            raise
        except click.BadParameter as error:
            raise _alone(error) from None

    def before_invoke(self, ctx: click.Context) -> None:
        """Checks to run once the command line is parsed, before the command body (a hook)."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            self.before_invoke(ctx)
            return super().invoke(ctx)
        except click.UsageError as error:
            raise _alone(error) from None
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except Exception as error:
            if os.environ.get(TRACEBACK_VARIABLE):
                raise
            from nmr_pools.errors import describe_failure

            raise click.ClickException(describe_failure(error)) from None


def make_readable(command: click.Command) -> click.Command:
    """Give a plain click command (e.g. the scoring engine's `score`, which must not depend on
    this package's CLI) the same readable errors when it runs as `ape pools <command>`."""
    if not isinstance(command, ReadableCommand):
        command.__class__ = type(f"Readable{type(command).__name__}", (ReadableCommand, type(command)), {})
    return command
