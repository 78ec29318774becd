"""Gas of every user operation, measured on a real node: `ape run bench_gas --network ethereum:local:foundry`.

Writes bench/gas.md. A pool in production is never caught up (results arrive weeks late), so the
rows with targets are measured on the path users really take: the pool waits on an unsettled
round, requests wait in their round's group, a settlement converts the groups, and the
controllers claim afterwards. Other delegators are already in and rounds already settled (warm
pool); first-ever writes (a fresh pool, the first request of a round) are listed separately.
Gas includes the 21,000 base cost. The code sizes of the contracts end the table.
"""

from __future__ import annotations

import time
from pathlib import Path

import click
from ape import accounts, chain, networks, project
from ape.cli import ConnectedProviderCommand
from rich.progress import Progress

from nmr_pools.attestation import attest_with_key
from nmr_pools.chain.gas_trace import CATEGORIES, gas_breakdown, intrinsic_gas
from nmr_pools.deployment import DAY, deploy_system
from nmr_pools.pool_contract import pool_at

NMR = 10**18
EIP170_LIMIT = 24_576
# targets of the gas issue (anvil, 21k base included); the anchors measured on the same anvil:
# Yearn V3 deposit 95,451, redeem 73,102, process_report 102,019, clone 274,465
TARGETS = {
    "requestDeposit, new delegator": 100_000,
    "requestDeposit, top-up in a later round": 75_000,
    "deposit claim after a lagged conversion": 50_000,
    "requestRedeem": 70_000,
    "redeem claim after a lagged conversion": 55_000,
    "settle one pool, gain, both groups converting": 80_000,
    "settle_many per pool at 100 pools (half gains, half losses, groups converting)": 45_000,
    "create pool": 275_000,
}
SETTLE_MANY_ROW = "settle_many per pool at 100 pools (half gains, half losses, groups converting)"


class Bench:
    """A deployed system, a funded treasury, an owner who can create attested pools, delegators."""

    def __init__(self) -> None:
        self.deployer = accounts.test_accounts[0]
        self.owner = accounts.test_accounts[1]
        self.funder = accounts.test_accounts[2]
        self.people = [accounts.test_accounts[i] for i in range(3, 10)]
        system = deploy_system(project, self.deployer, round_length=DAY)
        self.system = system
        self.nmr, self.factory, self.treasury = system.nmr, system.factory, system.treasury
        # the stand-in's supply is premined to the deployer (mainnet NMR has no public mint)
        self.nmr.approve(self.treasury, 1_000_000 * NMR, sender=self.deployer)
        self.treasury.fund(1_000_000 * NMR, sender=self.deployer)
        for account in [self.funder, *self.people]:
            self.nmr.transfer(account, 100_000 * NMR, sender=self.deployer)
        self.count = 0

    def next_round(self) -> int:
        chain.pending_timestamp = self.factory.round_start(self.factory.current_round() + 1)
        chain.mine()
        return self.factory.current_round()

    def new_pool(self, fee_bps: int = 2_000, approve: tuple = ()):
        """A pool attested to the owner (the deployer is the attester); `approve` accounts may deposit."""
        self.count += 1
        name = f"bench{self.count}"
        model = name.encode().ljust(32, b"\0")
        signed = attest_with_key(
            self.deployer.private_key,
            chain_id=chain.chain_id,
            factory=str(self.factory.address),
            model_id=model,
            model_name=name,
            owner=str(self.owner.address),
            deadline=chain.pending_timestamp + DAY,
        )
        receipt = self.factory.create_pool(
            model, name, fee_bps, signed.attester, signed.deadline, signed.signature_bytes, sender=self.owner
        )
        pool = pool_at(project, self.factory.pool_of(model))
        for account in approve:
            self.nmr.approve(pool, 100_000 * NMR, sender=account)
        return pool, receipt

    def settle(self, pool, round_return: int):
        return self.factory.settle(
            pool, pool.last_settled_round() + 1, round_return, b"\1" * 32, sender=self.deployer
        )


def user_operations(bench: Bench, traced: dict) -> list[tuple[str, int, int | None]]:
    """Every user operation's gas; the receipts of the rows with a target go into `traced`."""
    rows: list[tuple[str, int, int | None]] = []

    def record(name: str, receipt) -> None:
        rows.append((name, receipt.gas_used, TARGETS.get(name)))
        if name in TARGETS:
            traced[name] = (receipt, 1)

    a, b, c, d, e, f, g = bench.people
    first_pool, _ = bench.new_pool(approve=(a,))
    record(
        "first requestDeposit ever in a fresh pool (caught up)",
        first_pool.requestDeposit(10 * NMR, a, a, sender=a),
    )
    bench.new_pool()  # warm the factory's registry slots
    pool, receipt = bench.new_pool(approve=bench.people)
    record("create pool", receipt)
    # warm up: three delegators in, two rounds settled (a gain and a loss), fees owed
    for person in (a, b, g):
        pool.requestDeposit(100 * NMR, person, person, sender=person)
        pool.deposit(100 * NMR, person, sender=person)
    for round_return in (2 * 10**16, -(10**16)):
        bench.next_round()
        bench.settle(pool, round_return)
    # caught up (only before results lag: a fresh pool, or a test chain)
    record(
        "requestDeposit while caught up (converts at once)", pool.requestDeposit(100 * NMR, c, c, sender=c)
    )
    record("deposit claim while caught up", pool.deposit(100 * NMR, c, sender=c))
    record("requestRedeem while caught up (converts at once)", pool.requestRedeem(10 * NMR, a, a, sender=a))
    record("redeem claim while caught up", pool.redeem(pool.maxRedeem(a), a, a, sender=a))
    # production: a round closed unsettled, requests wait for it
    bench.next_round()
    record(
        "requestDeposit, new delegator, first request of its round",
        pool.requestDeposit(50 * NMR, d, d, sender=d),
    )
    record("requestDeposit, new delegator", pool.requestDeposit(50 * NMR, e, e, sender=e))
    record("requestRedeem, first of its round", pool.requestRedeem(10 * NMR, b, b, sender=b))
    record("requestRedeem", pool.requestRedeem(10 * NMR, g, g, sender=g))
    lagged = bench.next_round()
    pool.requestDeposit(5 * NMR, f, f, sender=f)  # somebody opened this round's group
    record("requestDeposit, top-up in a later round", pool.requestDeposit(20 * NMR, d, d, sender=d))
    record("settle one pool, gain, both groups converting", bench.settle(pool, 2 * 10**16))
    record("deposit claim after a lagged conversion", pool.deposit(50 * NMR, e, sender=e))
    record("redeem claim after a lagged conversion", pool.redeem(pool.maxRedeem(g), g, g, sender=g))
    record("cancelDepositRequest (round still open)", pool.cancelDepositRequest(lagged, d, d, sender=d))
    bench.next_round()
    record("settle one pool, loss, nothing converting", bench.settle(pool, -(10**16)))
    record("claim_fees", pool.claim_fees(bench.owner, sender=bench.owner))
    return rows


def settle_by_delegators(bench: Bench, sizes: list[int], progress: Progress) -> list[tuple[int, int]]:
    """Settlement gas of a pool whose converting group holds `n` delegators' requests."""
    rows = []
    for n in sizes:
        pool, _ = bench.new_pool(approve=(bench.funder,))
        pool.requestDeposit(100 * NMR, bench.funder, bench.funder, sender=bench.funder)
        bench.next_round()
        task = progress.add_task(f"{n} delegators request", total=n)
        for i in range(n):
            # a controller of its own (the node lets us act as it): it makes the funder its
            # operator, and the funder files its request from the funder's NMR
            controller = accounts[f"0x{(0xD1E0000 + n * 10_000 + i):040x}"]
            networks.provider.set_balance(controller.address, 10**17)
            pool.setOperator(bench.funder, True, sender=controller)
            pool.requestDeposit(NMR, controller, bench.funder, sender=bench.funder)
            progress.advance(task)
        bench.next_round()
        rows.append((n, bench.settle(pool, 10**16).gas_used))
    return rows


def settle_many_by_pools(
    bench: Bench, sizes: list[int], progress: Progress, traced: dict
) -> list[tuple[int, int, int]]:
    """`settle_many` over `n` lagging pools: half gain, half lose, each converting a deposit group
    and a redeem group (the production batch)."""
    rows = []
    for n in sizes:
        task = progress.add_task(f"{n} pools", total=n)
        pools = []
        for _ in range(n):
            pool, _ = bench.new_pool(fee_bps=1_000, approve=(bench.funder,))
            pool.requestDeposit(10 * NMR, bench.funder, bench.funder, sender=bench.funder)
            pool.deposit(10 * NMR, bench.funder, sender=bench.funder)
            pools.append(pool)
            progress.advance(task)
        bench.next_round()  # the pools now lag a round: these requests wait in its groups
        for pool in pools:
            pool.requestDeposit(NMR, bench.funder, bench.funder, sender=bench.funder)
            pool.requestRedeem(NMR, bench.funder, bench.funder, sender=bench.funder)
        bench.next_round()
        reports = [
            (p.address, p.last_settled_round() + 1, 10**16 if i % 2 == 0 else -(10**16), b"\3" * 32)
            for i, p in enumerate(pools)
        ]
        receipt = bench.factory.settle_many(reports, sender=bench.deployer)
        rows.append((n, receipt.gas_used, receipt.gas_used // n))
        traced[SETTLE_MANY_ROW] = (receipt, n)
    return rows


def code_sizes() -> list[tuple[str, int]]:
    names = ("DelegationPool", "PoolExtension", "PoolFactory", "PayoutTreasury")
    return [(name, len(getattr(project, name).contract_type.get_runtime_bytecode() or b"")) for name in names]


def breakdowns(traced: dict) -> list[tuple[str, dict[str, int]]]:
    """Where the gas of each row with a target went (per pool for `settle_many`), from the node's trace."""
    out = []
    for name, (receipt, per) in traced.items():
        totals = gas_breakdown(
            networks.provider,
            receipt.txn_hash,
            receipt.gas_used,
            intrinsic_gas(bytes(receipt.transaction.data)),
        )
        out.append((name, {category: totals.get(category, 0) // per for category in CATEGORIES}))
    return out


def render_breakdowns(rows: list[tuple[str, dict[str, int]]]) -> list[str]:
    lines = [
        "",
        "## Where the gas goes (from anvil's opcode trace)",
        "",
        "Each row with a target, split by kind of work (`nmr_pools/chain/gas_trace.py`): storage",
        "writes to a fresh slot (22,100 cold), updates (5,000 cold / 2,900 warm), no-op writes; cold",
        "(2,100) and warm (100) reads; calls without their callee's work, cold accounts (2,600)",
        "included; logs; everything else. The refund (slots cleared) is taken off.",
        "",
        "| operation | " + " | ".join(CATEGORIES) + " |",
        "| --- |" + " ---: |" * len(CATEGORIES),
    ]
    for name, totals in rows:
        lines.append(f"| {name} | " + " | ".join(f"{totals[c]:,}" for c in CATEGORIES) + " |")
    return lines


def render(network: str, ops, by_delegators, by_pools, sizes, traced_rows) -> str:
    per_pool_at_100 = next((per for n, _, per in by_pools if n == 100), None)
    if per_pool_at_100 is not None:
        ops = [*ops, (SETTLE_MANY_ROW, per_pool_at_100, TARGETS[SETTLE_MANY_ROW])]
    lines = [
        "# Gas",
        "",
        f"Measured by `make bench` on `{network}` (anvil 1.7.1), {time.strftime('%Y-%m-%d')}. Gas includes",
        "the 21,000 base cost. Rows with a target are the production path (the pool waits on",
        "results, requests wait in their round's group); misses are reported, not hidden.",
        "",
        "## User operations (warm pool)",
        "",
        "| operation | gas | target | within target |",
        "| --- | ---: | ---: | :---: |",
    ]
    for name, gas, target in ops:
        ok = "—" if not target else ("yes" if gas <= target else "**no**")
        lines.append(f"| {name} | {gas:,} | {f'{target:,}' if target else '—'} | {ok} |")
    lines += [
        "",
        "## Settlement gas by delegators in the converting group (must not grow)",
        "",
        "| delegators | settle gas |",
        "| ---: | ---: |",
    ]
    lines += [f"| {n:,} | {gas:,} |" for n, gas in by_delegators]
    lines += [
        "",
        "## settle_many by batch size (half gains, half losses, both groups converting)",
        "",
        "| pools | total gas | gas per pool |",
        "| ---: | ---: | ---: |",
    ]
    lines += [f"| {n:,} | {gas:,} | {per:,} |" for n, gas, per in by_pools]
    lines += [
        "",
        f"## Code size (EIP-170 limit {EIP170_LIMIT:,} bytes)",
        "",
        "| contract | bytes |",
        "| --- | ---: |",
    ]
    lines += [f"| {name} | {size:,} |" for name, size in sizes]
    lines += render_breakdowns(traced_rows)
    return "\n".join(lines) + "\n"


def merge_notes(text: str, out: Path) -> str:
    """Keep the hand-written analysis below the measured tables (after a `## Where the rest goes`)."""
    marker = "## Where the rest goes"
    if out.exists() and marker in (old := out.read_text()):
        return text + "\n" + old[old.index(marker) :]
    return text


@click.command(cls=ConnectedProviderCommand)
@click.option("--quick", is_flag=True, help="Small sizes only (a smoke run).")
@click.option("--out", default="bench/gas.md", show_default=True, help="Where to write the table.")
def cli(quick: bool, out: str):
    """Measure the gas of every pool operation and write a markdown table (bench/gas.md)."""
    bench = Bench()
    traced: dict = {}
    ops = user_operations(bench, traced)
    with Progress() as progress:
        by_delegators = settle_by_delegators(bench, [1, 10] if quick else [1, 100, 1_000], progress)
        by_pools = settle_many_by_pools(bench, [1, 10] if quick else [1, 10, 100], progress, traced)
    text = render(
        networks.provider.network_choice, ops, by_delegators, by_pools, code_sizes(), breakdowns(traced)
    )
    path = Path(out)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(merge_notes(text, path))
    click.echo(text)
    click.echo(f"Wrote {out}")
