# pragma version ~=0.4.3
"""
@title Contract wallet (tests only)
@notice A smart-contract account, like a Safe: its signer sends calls through `forward`, so
        the pool sees the wallet as `msg.sender` while `tx.origin` is the signer. The fuzzer
        uses it as a delegator, owner and operator to prove no rule confuses the two.
"""

# the EOA allowed to act through this wallet
signer: public(address)


@deploy
def __init__():
    self.signer = msg.sender


@external
def forward(target: address, data: Bytes[1024]) -> Bytes[4160]:
    """
    @notice Call `target` with `data` as this wallet; a revert bubbles up with its reason.
    @param target The contract to call.
    @param data The calldata.
    @return What the call returned.
    """
    assert msg.sender == self.signer, "wallet: not signer"
    return raw_call(target, data, max_outsize=4160)
