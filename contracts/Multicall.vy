# pragma version ~=0.4.3
# pragma nonreentrancy off
"""
@title Read-only call aggregator
@notice Answers many view calls in one `eth_call`: the operator tools read the settlement
        state of hundreds of pools (last settled round, totals, shutdown flag, ...) with a
        few requests instead of several per pool. Built on snekmate's `multicall` module
        (a Vyper take on Multicall3); only its static-call path is exposed, so this
        contract can never send a transaction on anyone's behalf.
@custom:security - Every sub-call is a STATICCALL: no state can change through this
                   contract, it holds nothing and needs no approval. It is safe for
                   anyone to deploy and to call.
                 - `raw_call` does not check that the target has code; a call to an
                   address without code succeeds with empty return data, which the
                   caller must treat as "no answer" (the Python reader does).
                 - Return data is truncated to 255 bytes per sub-call (snekmate's bound):
                   enough for any fixed-size value, not for long strings or arrays.
"""

from snekmate.utils import multicall

# ---- constants ----

# the most sub-calls one `aggregate_static` takes (snekmate's bound, max_value(uint8) = 255)
MAX_CALLS: constant(uint8) = multicall._DYNARRAY_BOUND


# ---- constructor ----


@deploy
@payable
def __init__():
    """
    @notice Deploy the aggregator (payable: the constructor skips the msg.value check).
    """
    pass


# ---- reads ----


@external
@view
def aggregate_static(data: DynArray[multicall.Batch, MAX_CALLS]) -> DynArray[multicall.Result, MAX_CALLS]:
    """
    @notice Run every (target, allow_failure, calldata) as a STATICCALL, in order, and
            return (success, return_data) for each. A failing sub-call with
            `allow_failure` false reverts the whole call.
    @param data At most 255 sub-calls; calldata at most 1,024 bytes each.
    @return One result per sub-call; return data truncated to 255 bytes.
    """
    return multicall._multistaticcall(data)


@external
@view
def block_number() -> uint256:
    """
    @notice The number of the block the call runs in (to check what a batch read saw).
    """
    return block.number


@external
@view
def block_timestamp() -> uint256:
    """
    @notice The timestamp of the block the call runs in.
    """
    return block.timestamp
