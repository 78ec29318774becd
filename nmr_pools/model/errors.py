"""The one exception the pool model raises: a revert, with the contract's exact message."""

from __future__ import annotations


class ModelRevert(Exception):
    """The call would revert on chain; `message` is the contract's revert string, verbatim.

    Messages carry the reverting module's prefix, like the contracts do: `"pool: paused"`,
    `"erc20: insufficient allowance"`, `"treasury: insufficient NMR"`. Arithmetic the EVM would
    reject without a reason (underflow) raises with an empty message.
    """

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def require(condition: bool, message: str) -> None:
    """`assert condition, message` as the contract writes it, but never stripped by `python -O`."""
    if not condition:
        raise ModelRevert(message)
