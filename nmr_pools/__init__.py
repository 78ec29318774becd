"""NMR Delegation Pools: pool accounting model, scoring engine and the `ape pools` plugin."""

__version__ = "0.1.0"
