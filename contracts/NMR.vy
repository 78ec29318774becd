# pragma version ~=0.4.3
"""
@title NMR stand-in (local and test networks)
@notice Behaves like mainnet Numeraire (NumeraireBackend forwarding to NumeraireDelegateV3, at
        0x1776e1F26f98b1A5dF9cD347953a26dd3Cb46671), laxness included, so the pools are tested
        against what they will meet on mainnet and must rely on their own checks:
        - the whole supply (11,000,000 NMR, 18 decimals) exists from deployment, held by the
          deployer; nothing ever mints NMR, burns only lower `totalSupply`;
        - `decimals()` returns a uint256, like mainnet's public `uint256 decimals`;
        - `transfer`/`transferFrom` return True and accept the zero address as receiver (the
          tokens are then lost); `transferFrom` always decrements the allowance, even a
          max-uint one;
        - `approve` reverts unless the new value or the current allowance is zero;
          `changeApproval(spender, old, new)` changes a non-zero allowance and reverts unless
          it is exactly `old`;
        - burns use repurposed names: `mint(value)` burns the caller's tokens and
          `numeraiTransfer(from, value)` burns `from`'s tokens with the caller's allowance;
          mainnet forwards them with a delegatecall whose failure is returned as False, so a
          failed burn returns False here too (callers must check it);
        - every revert carries no reason string (mainnet's Solidity 0.4 `require`s);
        - any unknown call succeeds with empty return data (mainnet's payable fallback), so
          probing the token with `owner()` or `issue()` tells a caller nothing.
@custom:security Not for mainnet: the pools use the real NMR there.
"""

# ---- constants ----

# 11,000,000 NMR with 18 decimals, all of it created at deployment
INITIAL_SUPPLY: constant(uint256) = 11_000_000 * 10**18

# ---- storage ----

# NMR in existence (falls with every burn)
totalSupply: public(uint256)
# NMR held by each account
balanceOf: public(HashMap[address, uint256])
# NMR `spender` may move from `owner`: allowance[owner][spender]
allowance: public(HashMap[address, HashMap[address, uint256]])
# metadata, as mainnet's public variables
name: public(String[16])
symbol: public(String[8])
decimals: public(uint256)

# ---- events ----

event Transfer:
    sender: indexed(address)
    receiver: indexed(address)
    value: uint256


event Approval:
    owner: indexed(address)
    spender: indexed(address)
    value: uint256


# ---- constructor ----


@deploy
def __init__():
    """
    @notice Create the whole supply for the deployer, who hands it out (the faucet is a transfer).
    """
    self.name = "Numeraire"
    self.symbol = "NMR"
    self.decimals = 18
    self.totalSupply = INITIAL_SUPPLY
    self.balanceOf[msg.sender] = INITIAL_SUPPLY
    log Transfer(sender=empty(address), receiver=msg.sender, value=INITIAL_SUPPLY)


# ---- transfers ----


@external
def transfer(_to: address, _value: uint256) -> bool:
    """
    @notice Move `_value` of the caller's NMR to `_to` (the zero address included).
    @param _to The receiver.
    @param _value The amount.
    @return True (reverts without a reason otherwise).
    """
    assert self.balanceOf[msg.sender] >= _value
    self.balanceOf[msg.sender] -= _value
    self.balanceOf[_to] += _value
    log Transfer(sender=msg.sender, receiver=_to, value=_value)
    return True


@external
def transferFrom(_from: address, _to: address, _value: uint256) -> bool:
    """
    @notice Move `_value` of `_from`'s NMR to `_to` with the caller's allowance, which is
            always decremented (a max-uint allowance is not infinite).
    @param _from The owner of the NMR.
    @param _to The receiver (the zero address included).
    @param _value The amount.
    @return True (reverts without a reason otherwise).
    """
    assert self.balanceOf[_from] >= _value
    assert self.allowance[_from][msg.sender] >= _value
    self.balanceOf[_from] -= _value
    self.balanceOf[_to] += _value
    self.allowance[_from][msg.sender] -= _value
    log Transfer(sender=_from, receiver=_to, value=_value)
    return True


# ---- approvals (mainnet rules) ----


@external
def approve(_spender: address, _value: uint256) -> bool:
    """
    @notice Set `_spender`'s allowance, only from zero or to zero (use `changeApproval` otherwise).
    @param _spender The account allowed to spend.
    @param _value The new allowance.
    @return True (reverts without a reason otherwise).
    """
    assert _value == 0 or self.allowance[msg.sender][_spender] == 0
    self.allowance[msg.sender][_spender] = _value
    log Approval(owner=msg.sender, spender=_spender, value=_value)
    return True


@external
def changeApproval(_spender: address, _oldValue: uint256, _newValue: uint256) -> bool:
    """
    @notice Change `_spender`'s allowance from exactly `_oldValue` to `_newValue`.
    @param _spender The account allowed to spend.
    @param _oldValue The allowance the caller expects to replace.
    @param _newValue The new allowance.
    @return True (reverts without a reason otherwise).
    """
    assert self.allowance[msg.sender][_spender] == _oldValue
    self.allowance[msg.sender][_spender] = _newValue
    log Approval(owner=msg.sender, spender=_spender, value=_newValue)
    return True


# ---- burns (mainnet's repurposed names) ----


@external
def mint(_value: uint256) -> bool:
    """
    @notice Burn `_value` of the caller's NMR (mainnet NMR's name for a burn).
    @param _value The amount to burn.
    @return True when burned, False (nothing changed) when the caller holds less.
    """
    if self.balanceOf[msg.sender] < _value:
        return False
    self.balanceOf[msg.sender] -= _value
    self.totalSupply -= _value
    log Transfer(sender=msg.sender, receiver=empty(address), value=_value)
    return True


@external
def numeraiTransfer(_to: address, _value: uint256) -> bool:
    """
    @notice Burn `_value` of `_to`'s NMR with the caller's allowance (mainnet's name).
    @param _to The account whose NMR is burned.
    @param _value The amount to burn.
    @return True when burned, False (nothing changed) when the balance or allowance is short.
    """
    if self.balanceOf[_to] < _value or self.allowance[_to][msg.sender] < _value:
        return False
    self.allowance[_to][msg.sender] -= _value
    self.balanceOf[_to] -= _value
    self.totalSupply -= _value
    log Transfer(sender=_to, receiver=empty(address), value=_value)
    log Approval(owner=_to, spender=msg.sender, value=self.allowance[_to][msg.sender])
    return True


# ---- mainnet's fallback ----


@external
@payable
def __default__():
    """
    @notice Any other call succeeds and returns nothing, like mainnet NMR's payable fallback.
    """
    pass
