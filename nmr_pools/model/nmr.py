"""NMR as mainnet keeps it (and `contracts/NMR.vy`, its stand-in): laxer than an ERC-20 library.

- Reverts carry no reason string (`ModelRevert("")`): mainnet's Solidity 0.4 `require`s.
- Transfers to the zero address succeed (the tokens are lost).
- `transferFrom` always decrements the allowance, a max-uint one too.
- `approve` only from or to zero; `changeApproval(old, new)` otherwise.
- Burns (`mint`, `numeraiTransfer` on mainnet) return False instead of reverting when short.
"""

from __future__ import annotations

from dataclasses import dataclass

from nmr_pools.model.errors import require
from nmr_pools.model.ledger import TokenLedger

# the whole supply, created at deployment (nothing mints NMR afterwards)
INITIAL_SUPPLY = 11_000_000 * 10**18
# mainnet NMR reverts without a reason string
NO_REASON = ""


@dataclass
class NmrLedger(TokenLedger):
    """NMR balances and allowances with mainnet's rules."""

    def move(self, owner: str, to: str, amount: int) -> None:
        require(self.balance_of(owner) >= amount, NO_REASON)
        self.balances[owner] = self.balance_of(owner) - amount
        self.balances[to] = self.balance_of(to) + amount

    def spend_allowance(self, owner: str, spender: str, amount: int) -> None:
        current = self.allowance(owner, spender)
        require(current >= amount, NO_REASON)
        self.allowances[(owner, spender)] = current - amount

    def transfer_from(self, sender: str, owner: str, to: str, amount: int) -> bool:
        require(self.balance_of(owner) >= amount, NO_REASON)
        self.spend_allowance(owner, sender, amount)
        self.move(owner, to, amount)
        return True

    def approve(self, sender: str, spender: str, amount: int) -> bool:
        require(amount == 0 or self.allowance(sender, spender) == 0, NO_REASON)
        self.allowances[(sender, spender)] = amount
        return True

    def change_approval(self, sender: str, spender: str, old: int, new: int) -> bool:
        require(self.allowance(sender, spender) == old, NO_REASON)
        self.allowances[(sender, spender)] = new
        return True

    def burn_own(self, owner: str, amount: int) -> bool:
        """`mint(value)`: burn the caller's NMR; False (nothing changed) when it holds less."""
        if self.balance_of(owner) < amount:
            return False
        self.balances[owner] = self.balance_of(owner) - amount
        self.total_supply -= amount
        return True

    @classmethod
    def premined(cls, holder: str) -> NmrLedger:
        """The ledger right after deployment: the whole supply with `holder`."""
        return cls(balances={holder: INITIAL_SUPPLY}, total_supply=INITIAL_SUPPLY)
