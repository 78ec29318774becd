"""`ape run deploy …`: deploy the protocol and write the deployments file.

A thin wrapper: the very command behind `ape pools deploy` (same options, same code path).
Example: ape run deploy --network ethereum:local:foundry --account TEST::0 --fund-treasury 100000
"""

from nmr_pools.cli.admin import deploy as cli

__all__ = ["cli"]
