# pragma version ~=0.4.3
"""
@title NMR stand-in (local and test networks)
@notice Mirrors the interface and quirks of mainnet Numeraire (NMR) so the pools work
        unchanged against the real token:
        - 18 decimals and a hard supply cap of 11,000,000 NMR;
        - `approve` reverts unless the new value or the current allowance is zero;
          `changeApproval(spender, old, new)` changes a non-zero allowance;
        - burns use repurposed names: `mint(value)` burns the caller's tokens and
          `numeraiTransfer(from, value)` burns `from`'s tokens with the caller's allowance,
          both returning a bool that callers must check;
        - `transfer`/`transferFrom` return bool.
        `issue(to, amount)` is the owner-only faucet used by tests and demos; it respects the cap.
@custom:security Not for mainnet: on mainnet the pools use the real NMR at
                 0x1776e1F26f98b1A5dF9cD347953a26dd3Cb46671.
"""

from ethereum.ercs import IERC20

from snekmate.auth import ownable
from snekmate.tokens import erc20

initializes: ownable
initializes: erc20[ownable := ownable]

exports: (
    erc20.transfer,
    erc20.transferFrom,
    erc20.balanceOf,
    erc20.allowance,
    erc20.totalSupply,
    erc20.name,
    erc20.symbol,
    erc20.decimals,
    ownable.owner,
)

# ---- constants ----

# 11,000,000 NMR with 18 decimals: mainnet's hard cap
MAX_SUPPLY: public(constant(uint256)) = 11_000_000 * 10**18

# ---- events ----

event Issued:
    to: indexed(address)
    amount: uint256


event Burned:
    owner: indexed(address)
    spender: indexed(address)
    amount: uint256


# ---- constructor ----


@deploy
def __init__():
    ownable.__init__()
    erc20.__init__("Numeraire", "NMR", 18, "Numeraire", "1")


# ---- approvals (mainnet rules) ----


@external
def approve(spender: address, _value: uint256) -> bool:
    """
    @notice Set `spender`'s allowance. Like mainnet NMR, only from zero or to zero.
    @dev Use `changeApproval` to move a non-zero allowance to another non-zero value.
    @param spender The account allowed to spend.
    @param _value The new allowance.
    @return Always True (reverts otherwise).
    """
    assert _value == 0 or erc20.allowance[msg.sender][spender] == 0, "nmr: approve from non-zero"
    erc20._approve(msg.sender, spender, _value)
    return True


@external
def changeApproval(spender: address, old_value: uint256, new_value: uint256) -> bool:
    """
    @notice Change `spender`'s allowance from exactly `old_value` to `new_value`.
    @param spender The account allowed to spend.
    @param old_value The allowance the caller expects to replace.
    @param new_value The new allowance.
    @return Always True (reverts otherwise).
    """
    assert erc20.allowance[msg.sender][spender] == old_value, "nmr: allowance is not old_value"
    erc20._approve(msg.sender, spender, new_value)
    return True


# ---- burns (mainnet's repurposed names) ----


@external
def mint(_value: uint256) -> bool:
    """
    @notice Burn `value` of the caller's NMR (mainnet NMR's name for a burn).
    @param _value The amount to burn.
    @return True when burned.
    """
    erc20._burn(msg.sender, _value)
    log Burned(owner=msg.sender, spender=msg.sender, amount=_value)
    return True


@external
def numeraiTransfer(owner: address, _value: uint256) -> bool:
    """
    @notice Burn `value` of `owner`'s NMR using the caller's allowance.
    @param owner The account whose tokens are burned.
    @param _value The amount to burn.
    @return True when burned.
    """
    erc20._spend_allowance(owner, msg.sender, _value)
    erc20._burn(owner, _value)
    log Burned(owner=owner, spender=msg.sender, amount=_value)
    return True


# ---- faucet for tests and demos ----


@external
def issue(to: address, amount: uint256):
    """
    @notice Create `amount` NMR for `to` (owner only; never beyond the 11M cap).
    @param to The receiver.
    @param amount The amount to create.
    """
    ownable._check_owner()
    assert erc20.totalSupply + amount <= MAX_SUPPLY, "nmr: supply cap exceeded"
    erc20._mint(to, amount)
    log Issued(to=to, amount=amount)
