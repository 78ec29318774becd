"""The package's one exception, and how contract reverts become sentences."""

from __future__ import annotations

from ape.exceptions import ApeException

# Revert-reason prefixes of our contracts and the part each belongs to.
_CONTRACT_NAMES = {
    "pool": "the pool",
    "factory": "the factory",
    "treasury": "the treasury",
    "erc20": "the token",
    "ownable": "the pool",
}

# Hints for reverts a user can fix; the key is the full reason the contract gives.
_HINTS = {
    "factory: not settler": "ask the factory admin to grant your account the settler role",
    "factory: not admin": "use the account that deployed the factory",
    "factory: not an attester": "the attestation must be signed by an account with the attester role",
    "factory: attestation expired": "ask the attester for a new one (`ape pools attest`)",
    "factory: invalid attestation": "the attestation was signed for other terms or by another key; ask for a new one",
    "pool: paused": "the pool takes no new deposits while paused; redeeming and claiming still work",
    "pool: winding down": "the pool takes no new deposits; redeeming and claiming still work",
    "pool: closed": "nothing more is settled; take your NMR back with `ape pools redeem`, `cancel` and `claim`",
    "pool: not stalled": "the emergency exit opens only once the pool's next round has waited longer than the stall gap",
    "pool: round closed, cannot cancel": "a request can be cancelled only while its round is open",
    "pool: deposit limit exceeded": "deposit less, or ask the pool owner to raise the limit",
    "ownable: caller is not the owner": "only the pool's owner may do this",
}


class NmrPoolsError(ApeException):
    """A problem the user can act on; the message says what went wrong and what to do."""


class DeploymentsError(NmrPoolsError):
    """The deployments file is missing, unreadable, or does not match the connected chain."""


class SettlementError(NmrPoolsError):
    """A results file or a settlement was refused; nothing was sent unless the message says so."""


def revert_reason(error: BaseException) -> str | None:
    """The revert reason of a contract call that failed, if it was a contract revert."""
    from ape.exceptions import ContractLogicError

    if isinstance(error, ContractLogicError):
        message = error.revert_message
        return str(message) if message else None
    return None


def explain(error: BaseException) -> str:
    """One sentence for a failed transaction or call, never a traceback."""
    reason = revert_reason(error)
    if reason is None:
        text = str(error).strip() or type(error).__name__
        return text if text.endswith(".") else f"{text}."
    prefix, _, rest = reason.partition(": ")
    who = _CONTRACT_NAMES.get(prefix)
    sentence = f"Refused by {who}: {rest}" if who and rest else f"The transaction was refused: {reason}"
    if hint := _HINTS.get(reason):
        sentence += f" ({hint})"
    return sentence + "."


def _is_connection_error(error: BaseException) -> bool:
    """A node that stopped answering (requests', urllib3's or the OS's connection errors)."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, ConnectionError) or type(current).__name__ in (
            "ConnectionError",
            "MaxRetryError",
        ):
            return True
        current = current.__cause__ or current.__context__
    return False


def describe_failure(error: BaseException) -> str:
    """One line for anything a command did not expect: what failed, and what to do."""
    if isinstance(error, ApeException):
        return explain(error)
    if _is_connection_error(error):
        return (
            "Lost the connection to the node; check that it is still running (`make chain` for the "
            "local chain) and run the command again."
        )
    text = str(error).strip()
    detail = f"{type(error).__name__}: {text}" if text else type(error).__name__
    return f"Unexpected error ({detail}); set NMR_POOLS_TRACEBACK=1 to see where it happened."
