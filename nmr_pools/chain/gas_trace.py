"""Where a transaction's gas went, by kind of work, from a node's opcode trace.

`gas_breakdown(provider, tx_hash, gas_used, intrinsic)` asks the node for
`debug_traceTransaction` (anvil and geth answer it) and adds up what each opcode cost, calls
counted without the gas their callee spent (so nothing is counted twice):

- storage writes: a fresh slot (zero to non-zero, 20,000 + 2,100 when cold), an update
  (2,900 + 2,100 when cold), a no-op or re-write (100);
- storage reads: cold (2,100) and warm (100);
- calls: their own cost and the account reads before them (Vyper checks a call's target with
  EXTCODESIZE, which pays the cold account access, 2,600);
- logs, and the rest (arithmetic, memory, hashing, jumps);
- the transaction's base cost and calldata, and the refund (cleared slots) taken off.

Used by `scripts/bench_gas.py` for the "where the gas goes" table of `bench/gas.md`.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

CALLS = {"CALL", "STATICCALL", "DELEGATECALL", "CALLCODE", "CREATE", "CREATE2"}
# account reads: Vyper checks a call's target with EXTCODESIZE first, which pays the cold access
ACCOUNT_READS = {"EXTCODESIZE", "EXTCODEHASH", "EXTCODECOPY", "BALANCE"}
# the categories, in the order a table shows them
CATEGORIES = (
    "base + calldata",
    "storage: fresh slots",
    "storage: updates",
    "storage: no-op writes",
    "storage: cold reads",
    "storage: warm reads",
    "calls (cold accounts included)",
    "logs",
    "computation",
    "refund",
)


def intrinsic_gas(calldata: bytes) -> int:
    """The base cost and calldata of a call (EIP-2028: 4 per zero byte, 16 per other)."""
    return 21_000 + sum(4 if byte == 0 else 16 for byte in calldata)


def _sstore_kind(cost: int) -> str:
    if cost >= 20_000:
        return "storage: fresh slots"
    if cost >= 2_900:
        return "storage: updates"
    return "storage: no-op writes"


def categorize(steps: list[dict[str, Any]]) -> Counter[str]:
    """Gas per category of an opcode trace (`structLogs`: op, gas, gasCost, depth)."""
    totals: Counter[str] = Counter()
    for i, step in enumerate(steps):
        op, cost = step["op"], int(step["gasCost"])
        if op in CALLS:
            cost = _call_overhead(steps, i)
        if op == "SSTORE":
            totals[_sstore_kind(cost)] += cost
        elif op == "SLOAD":
            totals["storage: cold reads" if cost >= 2_100 else "storage: warm reads"] += cost
        elif op in CALLS or op in ACCOUNT_READS:
            totals["calls (cold accounts included)"] += cost
        elif op.startswith("LOG"):
            totals["logs"] += cost
        else:
            totals["computation"] += cost
    return totals


def _call_overhead(steps: list[dict[str, Any]], i: int) -> int:
    """What a call cost the caller, without what its callee spent (counted at the callee's steps)."""
    depth = steps[i]["depth"]
    j = i + 1
    while j < len(steps) and steps[j]["depth"] > depth:
        j += 1
    if j == i + 1:  # no code ran (a precompile, an account without code, or out of gas)
        return int(steps[i]["gas"]) - (int(steps[j]["gas"]) if j < len(steps) else 0)
    first, last = steps[i + 1], steps[j - 1]
    callee_spent = int(first["gas"]) - (int(last["gas"]) - int(last["gasCost"]))
    after = int(steps[j]["gas"]) if j < len(steps) else int(last["gas"]) - int(last["gasCost"])
    return int(steps[i]["gas"]) - after - callee_spent


def gas_breakdown(provider: Any, tx_hash: str, gas_used: int, intrinsic: int) -> Counter[str]:
    """The gas of transaction `tx_hash` by category; the categories add up to `gas_used`."""
    trace = provider.make_request(
        "debug_traceTransaction",
        [tx_hash, {"disableStorage": True, "disableMemory": True, "disableStack": True}],
    )
    totals = categorize(trace["structLogs"])
    totals["base + calldata"] = intrinsic
    totals["refund"] = gas_used - intrinsic - sum(v for k, v in totals.items() if k != "base + calldata")
    return totals
