"""NMR Delegation Pools: pool accounting model, scoring engine and the `ape pools` plugin."""

from nmr_pools.environment import prepare as _prepare_environment

__version__ = "0.1.0"

# vyper and anvil on PATH for `.venv/bin/ape` without an activated venv; no third-party warning
_prepare_environment()
