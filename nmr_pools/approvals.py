"""Mainnet NMR's approve rule, handled so a delegator never sees a bare revert.

Mainnet NMR reverts `approve(spender, value)` unless `value == 0` or the current allowance is
0; a non-zero allowance is changed with `changeApproval(spender, old_value, new_value)`.
"""

from __future__ import annotations

from typing import Any


def ensure_allowance(nmr: Any, owner: Any, spender: Any, amount: int) -> Any | None:
    """Make `spender`'s allowance over `owner`'s NMR at least `amount`; return the receipt, or None.

    - allowance already >= amount: nothing is sent;
    - allowance 0: `approve(spender, amount)`;
    - otherwise: `changeApproval(spender, current, amount)` (the rule forbids `approve`).
    """
    current = int(nmr.allowance(owner, spender))
    if current >= amount:
        return None
    if current == 0:
        return nmr.approve(spender, amount, sender=owner)
    return nmr.changeApproval(spender, current, amount, sender=owner)
