"""Balances and allowances of an ERC-20 token, as snekmate's `erc20` module keeps them.

Used for the pool's shares and for NMR (the stand-in and mainnet NMR move tokens the same
way; only `approve` differs, and the model never needs NMR's approve rule).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field

from nmr_pools.model.errors import require
from nmr_pools.model.fixed_point import MAX_UINT256

ZERO_ADDRESS = "0x0000000000000000000000000000000000000000"


@dataclass
class TokenLedger:
    """Who holds how much, who may spend whose, and permit nonces."""

    balances: dict[str, int] = field(default_factory=dict)
    allowances: dict[tuple[str, str], int] = field(default_factory=dict)
    nonces: dict[str, int] = field(default_factory=dict)
    total_supply: int = 0

    # ---- views ----

    def balance_of(self, account: str) -> int:
        return self.balances.get(account, 0)

    def allowance(self, owner: str, spender: str) -> int:
        return self.allowances.get((owner, spender), 0)

    def nonce(self, owner: str) -> int:
        return self.nonces.get(owner, 0)

    # ---- internal moves (erc20._transfer, _mint, _burn, _approve, _spend_allowance) ----

    def move(self, owner: str, to: str, amount: int) -> None:
        require(owner != ZERO_ADDRESS, "erc20: transfer from the zero address")
        require(to != ZERO_ADDRESS, "erc20: transfer to the zero address")
        require(self.balance_of(owner) >= amount, "erc20: transfer amount exceeds balance")
        self.balances[owner] = self.balance_of(owner) - amount
        self.balances[to] = self.balance_of(to) + amount

    def mint(self, to: str, amount: int) -> None:
        require(to != ZERO_ADDRESS, "erc20: mint to the zero address")
        self.total_supply += amount
        self.balances[to] = self.balance_of(to) + amount

    def burn(self, owner: str, amount: int) -> None:
        require(owner != ZERO_ADDRESS, "erc20: burn from the zero address")
        require(self.balance_of(owner) >= amount, "erc20: burn amount exceeds balance")
        self.balances[owner] = self.balance_of(owner) - amount
        self.total_supply -= amount

    def set_allowance(self, owner: str, spender: str, amount: int) -> None:
        require(owner != ZERO_ADDRESS, "erc20: approve from the zero address")
        require(spender != ZERO_ADDRESS, "erc20: approve to the zero address")
        self.allowances[(owner, spender)] = amount

    def spend_allowance(self, owner: str, spender: str, amount: int) -> None:
        current = self.allowance(owner, spender)
        if current < MAX_UINT256:
            require(current >= amount, "erc20: insufficient allowance")
            self.set_allowance(owner, spender, current - amount)

    # ---- external calls (sender first) ----

    def transfer(self, sender: str, to: str, amount: int) -> bool:
        self.move(sender, to, amount)
        return True

    def transfer_from(self, sender: str, owner: str, to: str, amount: int) -> bool:
        self.spend_allowance(owner, sender, amount)
        self.move(owner, to, amount)
        return True

    def approve(self, sender: str, spender: str, amount: int) -> bool:
        self.set_allowance(sender, spender, amount)
        return True

    def permit(self, owner: str, spender: str, amount: int, deadline: int, now: int) -> None:
        """EIP-2612 with a valid signature of `owner` over its current nonce."""
        require(now <= deadline, "erc20: expired deadline")
        self.nonces[owner] = self.nonce(owner) + 1
        self.set_allowance(owner, spender, amount)

    # ---- rollback support ----

    def snapshot(self) -> TokenLedger:
        return copy.deepcopy(self)

    def restore(self, saved: TokenLedger) -> None:
        self.balances = saved.balances
        self.allowances = saved.allowances
        self.nonces = saved.nonces
        self.total_supply = saved.total_supply
