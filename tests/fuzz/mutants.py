"""The mutation check: plant known bugs in a copy of the contracts and make sure the fuzzer fails.

    python -m tests.fuzz.mutants            # every mutant (`make mutants`)
    python -m tests.fuzz.mutants M3 M5      # some of them
    python -m tests.fuzz.mutants --list

Each mutant is a textual patch of one contract. It is applied to a copy of `contracts/` in a
temporary folder (never to `contracts/` itself), and the fuzzing suite runs against the copy
(`NMR_POOLS_CONTRACTS`) with the `ci` profile exactly as `make test` runs it (its two halves,
seeds 1 and 2, the second only if the first passed), without shrinking (a caught mutant needs
only the failing invariant's message). Fixed seeds make a verdict reproducible and say what
matters: whether CI would catch the bug. A mutant whose original text no longer appears exactly
once in its contract is reported as stale, not silently skipped. The table is printed and
written between the markers of `bench/fuzz.md`.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

from tests.fuzz.chain import CONTRACTS_ENV, PROJECT_ROOT

BENCH_FILE = PROJECT_ROOT / "bench" / "fuzz.md"
MACHINE = "tests/fuzz/test_pool_machine.py"
BEGIN, END = "<!-- mutants:begin -->", "<!-- mutants:end -->"
# a half of the ci profile that has not finished after this long counts as a miss
TIMEOUT_SECONDS = 900
# the ci profile's two halves, as `make test` runs them (Makefile: test-fuzz-a, test-fuzz-b)
CI_HALVES = ((1, 80), (2, 80))  # (hypothesis seed, histories)


@dataclass(frozen=True)
class Mutant:
    key: str
    description: str
    contract: str
    patches: tuple[tuple[str, str], ...]  # (original text, replacement), each original exactly once


MUTANTS: tuple[Mutant, ...] = (
    Mutant(
        "M1",
        "deposit group conversion rounds up (shares minted for a group are rounded in the depositors' favour)",
        "DelegationPool.vy",
        (
            (
                "        deposit_shares = ledger._to_shares(deposit_assets, state, False)",
                "        deposit_shares = ledger._to_shares(deposit_assets, state, True)",
            ),
        ),
    ),
    Mutant(
        "M2",
        "performance fee charged below the high-water mark (fee base ignores the mark)",
        "pool_ledger.vy",
        (("    base: uint256 = max(assets_before, hwm_assets)", "    base: uint256 = assets_before"),),
    ),
    Mutant(
        "M3",
        "request groups convert one round early",
        "pool_ledger.vy",
        (
            (
                "    return request_round <= last_settled_round + 1\n",
                "    return request_round <= last_settled_round + 2\n",
            ),
        ),
    ),
    Mutant(
        "M4",
        "a loss is rounded down (the pool burns less than the round lost)",
        "DelegationPool.vy",
        (
            (
                "        burned = math._mul_div(assets_before, ledger._abs(round_return), ledger.WAD, True)",
                "        burned = math._mul_div(assets_before, ledger._abs(round_return), ledger.WAD, False)",
            ),
        ),
    ),
    Mutant(
        "M5",
        "a deposit group converts at the price before its round's settlement",
        "DelegationPool.vy",
        (
            (
                "        deposit_shares = ledger._to_shares(deposit_assets, state, False)",
                "        deposit_shares = math._mul_div(deposit_assets, state.share_supply + 1, assets_before + 1, False)",
            ),
        ),
    ),
    Mutant(
        "M6",
        "a redemption skips the result of the round it must still bear (converts with that round unsettled)",
        "DelegationPool.vy",
        (
            (
                "    if closed or request_round <= last_settled_round + 1:",
                "    if closed or request_round <= last_settled_round + 2:",
            ),
        ),
    ),
    # findings of the safety issue, as the contracts behaved before it (each must be caught)
    Mutant(
        "M7",
        "finding 1: a wind-down lets holders leave at once at the last settled price (escaping played rounds)",
        "DelegationPool.vy",
        (
            (
                "    if closed or request_round <= last_settled_round + 1:",
                "    if closed or winding_down or request_round <= last_settled_round + 1:",
            ),
        ),
    ),
    Mutant(
        "M8",
        "finding 2: the treasury refuses a gain it cannot pay in full (the pool stalls until the emergency exit)",
        "PayoutTreasury.vy",
        (
            (
                "    paid: uint256 = min(amount, staticcall INumeraire(nmr).balanceOf(self))\n",
                '    assert staticcall INumeraire(nmr).balanceOf(self) >= amount, "treasury: insufficient NMR"\n    paid: uint256 = amount\n',
            ),
        ),
    ),
    Mutant(
        "M9",
        "finding 2: the stall gap may be set to one round (the emergency exit opens while results are merely late)",
        "PoolFactory.vy",
        (
            (
                '    assert stall_gap >= MIN_STALL_GAP, "factory: stall gap below 30 days"',
                '    assert stall_gap >= round_length, "factory: stall gap below 30 days"',
            ),
        ),
    ),
    Mutant(
        "M10",
        "finding 3: no price floor (a near-empty pool's share count doubles each losing round until it overflows)",
        "DelegationPool.vy",
        (("    depleted: bool = price < ledger.MIN_PRICE\n", "    depleted: bool = False\n"),),
    ),
    Mutant(
        "M11",
        "finding 4: a redemption claim pays the zero address (mainnet NMR accepts it; the NMR is lost)",
        "pool_ledger.vy",
        (
            (
                '    self._check_caller_for(controller)\n    assert receiver != empty(address), "pool: zero receiver"\n    header: uint256 = 0',
                '    self._check_caller_for(controller)\n    assert receiver != empty(address) or side == REDEEM_SIDE, "pool: zero receiver"\n    header: uint256 = 0',
            ),
        ),
    ),
    Mutant(
        "M12",
        "finding 5: anyone may file requests in someone else's queue (controller not checked)",
        "DelegationPool.vy",
        (
            (
                "    ledger._check_caller_for(owner)\n    ledger._check_caller_for(controller)\n",
                "    ledger._check_caller_for(owner)\n",
            ),
        ),
    ),
    Mutant(
        "M13",
        "finding 5: a pending fee increase ignores a fee cap lowered since it was proposed",
        "DelegationPool.vy",
        (
            (
                "    fee_bps: uint256 = min(settings.fee_bps, fee_cap_bps)\n",
                "    fee_bps: uint256 = settings.fee_bps\n",
            ),
        ),
    ),
    # bugs met while moving the pool onto packed storage (issue 11): each was caught by the fuzzer
    Mutant(
        "M14",
        "owed gains collected at settlement are drawn from the treasury but never credited (structs reach internal functions as copies)",
        "DelegationPool.vy",
        (
            (
                "    if credited > 0:\n        state.total_assets += credited\n",
                "    if credited > 0:\n        pass\n",
            ),
        ),
    ),
    Mutant(
        "M15",
        "a due fee increase is charged but never stored (applied to a copy of the settings)",
        "DelegationPool.vy",
        (
            (
                "    settings = ledger._due_fee_increase(round, settings)\n",
                "    due: ledger.Settings = ledger._due_fee_increase(round, settings)\n",
            ),
            (
                "    fee_bps: uint256 = min(settings.fee_bps, fee_cap_bps)\n",
                "    fee_bps: uint256 = min(due.fee_bps, fee_cap_bps)\n",
            ),
        ),
    ),
    Mutant(
        "M16",
        "claimable deposit shares, minted only when claimed, are left out of the price's share count",
        "DelegationPool.vy",
        (("        state.share_supply += deposit_shares\n", ""),),
    ),
    Mutant(
        "M17",
        "a redemption larger than the balance is priced before the burn refuses it (reverts without a reason)",
        "DelegationPool.vy",
        (('    assert erc20.balanceOf[owner] >= shares, "erc20: burn amount exceeds balance"\n', ""),),
    ),
    Mutant(
        "M18",
        "a getter unpacks the wrong half of its word (treasury_owed reads the fees owed)",
        "PoolExtension.vy",
        (("    return ledger._load_owed() % 2**128", "    return ledger._load_owed() >> 128"),),
    ),
    Mutant(
        "M19",
        "with requests queued, the header's claimable flag is ignored (a claimable pair left beside queued requests reads as zero)",
        "pool_ledger.vy",
        (
            (
                "    if header & CLAIMABLE_FLAG == 0 and self._queued(header):",
                "    if self._queued(header):",
            ),
        ),
    ),
    Mutant(
        "M20",
        "a claimable pair left beside queued requests does not set the header's flag",
        "pool_ledger.vy",
        (("        return header | CLAIMABLE_FLAG", "        return header & ~CLAIMABLE_FLAG"),),
    ),
    Mutant(
        "M21",
        "a queue emptied by a cancel keeps the header's claimable flag (the flag then speaks for an empty queue)",
        "pool_ledger.vy",
        (
            (
                "    if tail == head:\n        return self._field(head, 16) << 240 | self._field(tail, 16) << 224 | low_bits & ~CLAIMABLE_FLAG\n",
                "",
            ),
        ),
    ),
    Mutant(
        "M22",
        "a redemption that waits for its round is not counted in the pending redeem shares (its shares vanish from the price)",
        "DelegationPool.vy",
        (("        ledger._add_pending_redeem_shares(shares)\n", "        pass\n"),),
    ),
    # found by the long profile (a settlement refused for ever, the fuzzer looping on it)
    Mutant(
        "M23",
        "the high-water mark is not kept within its field (a pool emptied of shares, then paid what the treasury owed it, can never settle again)",
        "pool_ledger.vy",
        (("    return min(max(mark, price), MAX_MARK)\n", "    return max(mark, price)\n"),),
    ),
    # the gas work's summaries: a flag or a running total kept in place of a read
    Mutant(
        "M24",
        "a claim takes every queued request as converted (the group's converted flag is not checked)",
        "pool_ledger.vy",
        (("        if group & CONVERTED == 0:\n            break\n", ""),),
    ),
    Mutant(
        "M25",
        "a redeem group's word is not marked converted when it converts (its redemptions are never claimable)",
        "DelegationPool.vy",
        (
            (
                "ledger._pair(ledger._field(redeem_shares, 127), redeem_assets) | ledger.CONVERTED",
                "ledger._pair(ledger._field(redeem_shares, 127), redeem_assets)",
            ),
        ),
    ),
    Mutant(
        "M26",
        "a wind-down does not raise the state's winding-down flag (deposits are still accepted)",
        "PoolExtension.vy",
        (("    state.winding_down = True\n", ""),),
    ),
    Mutant(
        "M27",
        "a deposit limit does not raise the state's limited flag (the limit is never enforced)",
        "PoolExtension.vy",
        (("    state.deposit_limited = deposit_limit < ledger.UNLIMITED\n", ""),),
    ),
    Mutant(
        "M28",
        "a redemption converted at once leaves its shares in the share supply (the price is diluted)",
        "DelegationPool.vy",
        (("        state.share_supply -= shares\n", ""),),
    ),
    Mutant(
        "M29",
        "a checkpoint that takes a deposit queue's first entry drops the second one the header holds",
        "pool_ledger.vy",
        (("        if new_head < inline:\n", "        if False:\n"),),
    ),
    Mutant(
        "M30",
        "cancelling a closed pool's older deposit at the header's second place leaves it in the queue (refunded twice)",
        "pool_ledger.vy",
        (("                if i < self._inline_count(side):\n", "                if i == 0:\n"),),
    ),
    Mutant(
        "M31",
        "claiming fees leaves them owed (they can be claimed again)",
        "PoolExtension.vy",
        (("    ledger._fees = fees - (amount << 32)\n", "    ledger._fees = fees\n"),),
    ),
    Mutant(
        "M32",
        "the fee word does not say that what waits for later is set (a settlement ignores the treasury's IOU, a fee increase, the wind-down)",
        "pool_ledger.vy",
        (("        pending_set = PENDING_SET\n", "        pending_set = 0\n"),),
    ),
)


@dataclass
class Outcome:
    mutant: Mutant
    verdict: str  # caught, MISSED, stale (the patch no longer applies), broken (the suite did not run)
    detail: str
    seconds: float


def apply(mutant: Mutant, folder: Path) -> str | None:
    """Patch the copy in `folder`; the reason it cannot be applied, or None."""
    path = folder / mutant.contract
    source = path.read_text(encoding="utf-8")
    for original, replacement in mutant.patches:
        count = source.count(original)
        if count != 1:
            return f"its original text occurs {count} times in {mutant.contract} (update the mutant)"
        source = source.replace(original, replacement)
    path.write_text(source, encoding="utf-8")
    return None


def failure_message(output: str) -> str:
    """The assertion that failed, e.g. 'inv 4: burned is not ceil(A * |r|)' (with its first
    detail line when the message continues, as the storage comparison's does)."""
    lines = [line[1:].strip() for line in output.splitlines() if line.startswith("E ")]
    for i, line in enumerate(lines):
        if line.startswith("AssertionError: ") or re.match(r"\w+Error: ", line):
            message = line.partition(": ")[2]
            if message.endswith(":") and i + 1 < len(lines):
                message += " " + lines[i + 1]
            return message[:200]
    return lines[0][:200] if lines else "the suite failed (see its output)"


def run(mutant: Mutant) -> Outcome:
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix=f"nmr-pools-{mutant.key}-") as tmp:
        folder = Path(tmp) / "contracts"
        shutil.copytree(PROJECT_ROOT / "contracts", folder)
        problem = apply(mutant, folder)
        if problem is not None:
            return Outcome(mutant, "stale", problem, 0.0)
        for seed, histories in CI_HALVES:
            env = {
                **os.environ,
                CONTRACTS_ENV: str(folder),
                "NMR_POOLS_PROFILE": "ci",
                "NMR_POOLS_EXAMPLES": str(histories),
                "NMR_POOLS_NO_SHRINK": "1",
            }
            command = [
                sys.executable,
                "-m",
                "pytest",
                MACHINE,
                "-x",
                "-q",
                "-p",
                "no:cacheprovider",
                "-p",
                "no:ape_test",
                f"--hypothesis-seed={seed}",
            ]
            try:
                done = subprocess.run(
                    command,
                    cwd=PROJECT_ROOT,
                    env=env,
                    capture_output=True,
                    text=True,
                    timeout=TIMEOUT_SECONDS,
                )
            except subprocess.TimeoutExpired:
                seconds = time.monotonic() - started
                return Outcome(mutant, "MISSED", f"seed {seed}: no failure in {TIMEOUT_SECONDS} s", seconds)
            if done.returncode == 0:
                continue  # this half passed: the other half may still catch it
            seconds = time.monotonic() - started
            if f"FAILED {MACHINE}" not in done.stdout:  # an error (collection, fixture), not a caught bug
                return Outcome(mutant, "broken", failure_message(done.stdout + done.stderr), seconds)
            return Outcome(mutant, "caught", f"seed {seed}: {failure_message(done.stdout)}", seconds)
    return Outcome(mutant, "MISSED", "the ci profile passed", time.monotonic() - started)


def table(outcomes: list[Outcome]) -> str:
    rows = ["| mutant | planted bug | verdict | failing check | time |", "| --- | --- | --- | --- | ---: |"]
    for o in outcomes:
        detail = o.detail.replace("|", "\\|")
        rows.append(
            f"| {o.mutant.key} | {o.mutant.description} | {o.verdict} | `{detail}` | {o.seconds:.0f} s |"
        )
    return "\n".join(rows)


def write_bench(text: str) -> None:
    current = BENCH_FILE.read_text(encoding="utf-8") if BENCH_FILE.exists() else f"{BEGIN}\n{END}\n"
    if BEGIN not in current:
        current += f"\n{BEGIN}\n{END}\n"
    head, _, rest = current.partition(BEGIN)
    _, _, tail = rest.partition(END)
    BENCH_FILE.write_text(f"{head}{BEGIN}\n{text}\n{END}{tail}", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("keys", nargs="*", help="mutants to run (default: all)")
    parser.add_argument("--list", action="store_true", help="list the mutants and exit")
    parser.add_argument("--no-write", action="store_true", help="do not update bench/fuzz.md")
    parser.add_argument(
        "--jobs",
        type=int,
        default=os.cpu_count() or 1,
        help="mutants run side by side (default: one per core)",
    )
    args = parser.parse_args(argv)
    if args.list:
        for m in MUTANTS:
            print(f"{m.key}: {m.description} ({m.contract})")
        return 0
    if args.jobs < 1:
        parser.error("--jobs must be at least 1")
    unknown = set(args.keys) - {m.key for m in MUTANTS}
    if unknown:
        parser.error(f"unknown mutants: {', '.join(sorted(unknown))} (see --list)")
    chosen = [m for m in MUTANTS if not args.keys or m.key in args.keys]
    print(f"{len(chosen)} mutants, {args.jobs} at a time, each against the ci profile …", flush=True)
    done: dict[str, Outcome] = {}
    # each mutant is a process of its own: threads only wait for them
    with ThreadPoolExecutor(max_workers=args.jobs) as pool:
        for future in as_completed([pool.submit(run, m) for m in chosen]):
            outcome = future.result()
            done[outcome.mutant.key] = outcome
            print(
                f"[{len(done)}/{len(chosen)}] {outcome.mutant.key} {outcome.verdict} in "
                f"{outcome.seconds:.0f} s: {outcome.detail}",
                flush=True,
            )
    outcomes = [done[m.key] for m in chosen]
    text = table(outcomes)
    print(text)
    if not args.no_write and not args.keys:
        write_bench(text)
        print(f"wrote {BENCH_FILE.relative_to(PROJECT_ROOT)}")
    return 0 if all(o.verdict == "caught" for o in outcomes) else 1


if __name__ == "__main__":
    raise SystemExit(main())
