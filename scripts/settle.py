"""`ape run settle …`: settle a scored round on every pool (settler).

A thin wrapper: the very command behind `ape pools settle` (same options, same code path,
`nmr_pools.settlement`). Example:
    ape run settle --network ethereum:local:foundry --account settler --round 42 --results results/round-42.json
"""

from nmr_pools.cli.settle import settle as cli

__all__ = ["cli"]
