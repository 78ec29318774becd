"""Reading the chain in bulk, below Ape's per-call layer.

- `views`: a contract view function as an ABI signature (encode a call, decode its answer);
- `batch_reads`: many view calls answered by the Multicall aggregator in a few `eth_call`s,
  or one call at a time when a deployment has no aggregator, all at one pinned block;
- `pool_state`: the one list of the pool and factory views the operator tools read;
- `logs`: a pool's events straight from `eth_getLogs`, decoded without Ape's event query.
"""
