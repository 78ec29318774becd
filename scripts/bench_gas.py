"""Gas of every user operation, measured on a real node: `ape run bench_gas --network ethereum:local:foundry`.

Writes bench/gas.md. Operations are measured in a warm pool (other delegators already in, rounds
already settled), which is what users meet; the first operation ever in a fresh pool pays for
zero-to-non-zero storage writes and is listed separately. Gas includes the 21,000 base cost.
"""

from __future__ import annotations

import time
from pathlib import Path

import click
from ape import accounts, chain, networks, project
from ape.cli import ConnectedProviderCommand
from eth_utils import to_checksum_address
from rich.progress import Progress

from nmr_pools.attestation import attest_with_account
from nmr_pools.deployment import ATTESTATION_LIFETIME, DAY, deploy_system

NMR = 10**18
# targets from the contracts issue, measured against the best Vyper vaults on anvil 1.7.1
TARGETS = {
    "create pool": 275_000,
    "requestDeposit, new delegator (pool caught up: converts at once)": 80_000,
    "requestDeposit, new delegator (pool waiting on a round)": 80_000,
    "deposit claim": 50_000,
    "requestRedeem (pool waiting on a round)": 55_000,
    "requestRedeem (pool caught up: converts at once)": 55_000,
    "redeem claim": 50_000,
    "settle, one pool (gain, deposit and redeem groups converted)": 70_000,
    "settle, one pool (loss, nothing to convert)": 70_000,
}


class Bench:
    def __init__(self) -> None:
        self.deployer = accounts.test_accounts[0]
        self.owner = accounts.test_accounts[1]
        self.funder = accounts.test_accounts[2]
        self.people = [accounts.test_accounts[i] for i in range(3, 9)]
        system = deploy_system(project, self.deployer, round_length=DAY)
        self.nmr, self.factory, self.treasury = system.nmr, system.factory, system.treasury
        # the deployer holds the stand-in's whole premined supply
        self.nmr.approve(self.treasury, 1_000_000 * NMR, sender=self.deployer)
        self.treasury.fund(1_000_000 * NMR, sender=self.deployer)
        for account in [self.funder, *self.people]:
            self.nmr.transfer(account, 100_000 * NMR, sender=self.deployer)
        self.count = 0

    def next_round(self) -> int:
        chain.pending_timestamp = self.factory.round_start(self.factory.current_round() + 1)
        chain.mine()
        return self.factory.current_round()

    def new_pool(self, fee_bps: int = 2_000):
        self.count += 1
        name = f"bench{self.count}"
        model = name.encode().ljust(32, b"\0")
        # the deployer is an attester: it signs that the owner owns the model
        attestation = attest_with_account(
            self.deployer, chain_id=int(chain.chain_id), factory=str(self.factory.address), model_id=model,
            model_name=name, owner=str(self.owner.address), deadline=int(chain.pending_timestamp) + ATTESTATION_LIFETIME,
        )
        receipt = self.factory.create_pool(model, name, fee_bps, attestation.attester, attestation.deadline,
                                           attestation.signature_bytes, sender=self.owner)
        pool = project.DelegationPool.at(self.factory.pool_of(model))
        for account in [self.funder, *self.people]:
            self.nmr.approve(pool, 100_000 * NMR, sender=account)
        return pool, receipt

    def settle(self, pool, round_return: int):
        return pool.settle(pool.last_settled_round() + 1, round_return, b"\1" * 32, sender=self.deployer)


def user_operations(bench: Bench) -> list[tuple[str, int, int | None]]:
    rows: list[tuple[str, int, int | None]] = []

    def record(name: str, receipt) -> None:
        rows.append((name, receipt.gas_used, TARGETS.get(name)))

    first_pool, receipt = bench.new_pool()
    a, b, c, d, e, f = bench.people
    record("first requestDeposit in a fresh pool", first_pool.requestDeposit(10 * NMR, a, a, sender=a))
    bench.new_pool()  # warm the factory's registry slots
    pool, receipt = bench.new_pool()
    record("create pool", receipt)
    # warm up: two delegators in, a few rounds settled with gains and losses, fees owed
    for person in (a, b):
        pool.requestDeposit(100 * NMR, person, person, sender=person)
        pool.deposit(100 * NMR, person, sender=person)
    for round_return in (2 * 10**16, -10**16):
        bench.next_round()
        bench.settle(pool, round_return)
    record("requestDeposit, new delegator (pool caught up: converts at once)",
           pool.requestDeposit(100 * NMR, c, c, sender=c))
    record("deposit claim", pool.deposit(100 * NMR, c, sender=c))
    record("requestRedeem (pool caught up: converts at once)", pool.requestRedeem(10 * NMR, a, a, sender=a))
    record("redeem claim", pool.redeem(pool.maxRedeem(a), a, a, sender=a))
    bench.next_round()  # a round closes unsettled: requests now wait for it
    record("requestDeposit, new delegator (pool waiting on a round)", pool.requestDeposit(50 * NMR, d, d, sender=d))
    record("requestRedeem (pool waiting on a round)", pool.requestRedeem(10 * NMR, b, b, sender=b))
    record("settle, one pool (gain, deposit and redeem groups converted)", bench.settle(pool, 2 * 10**16))
    record("deposit claim after a lagged conversion", pool.deposit(50 * NMR, d, sender=d))
    record("redeem claim after a lagged conversion", pool.redeem(pool.maxRedeem(b), b, b, sender=b))
    bench.next_round()
    record("settle, one pool (loss, nothing to convert)", bench.settle(pool, -10**16))
    record("claim_fees", pool.claim_fees(bench.owner, sender=bench.owner))
    return rows


def settle_by_delegators(bench: Bench, sizes: list[int], progress: Progress) -> list[tuple[int, int]]:
    """Settlement gas of a pool whose converting group holds `n` delegators' requests."""
    rows = []
    for n in sizes:
        pool, _ = bench.new_pool()
        pool.requestDeposit(100 * NMR, bench.funder, bench.funder, sender=bench.funder)
        bench.next_round()
        task = progress.add_task(f"{n} delegators request", total=n)
        for i in range(n):
            # only a controller or its operator may file its requests: each of these keyless
            # addresses (impersonated on anvil, given gas) makes the funder its operator first
            controller = to_checksum_address(f"0x{(0xD1E0000 + n * 10_000 + i):040x}")
            networks.provider.set_balance(controller, 10**17)
            pool.setOperator(bench.funder, True, sender=accounts[controller])
            pool.requestDeposit(NMR, controller, bench.funder, sender=bench.funder)
            progress.advance(task)
        bench.next_round()
        rows.append((n, bench.settle(pool, 10**16).gas_used))
    return rows


def settle_many_by_pools(bench: Bench, sizes: list[int], progress: Progress) -> list[tuple[int, int, int]]:
    rows = []
    for n in sizes:
        task = progress.add_task(f"{n} pools", total=n)
        pools = []
        for _ in range(n):
            pool, _ = bench.new_pool(fee_bps=1_000)
            pool.requestDeposit(10 * NMR, bench.funder, bench.funder, sender=bench.funder)
            pools.append(pool)
            progress.advance(task)
        bench.next_round()
        reports = [(p.address, p.last_settled_round() + 1, 10**16, b"\3" * 32) for p in pools]
        receipt = bench.factory.settle_many(reports, sender=bench.deployer)
        rows.append((n, receipt.gas_used, receipt.gas_used // n))
    return rows


def render(network: str, ops, by_delegators, by_pools) -> str:
    lines = [
        "# Gas",
        "",
        f"Measured by `make bench` on `{network}` (anvil 1.7.1), {time.strftime('%Y-%m-%d')}. Gas includes",
        "the 21,000 base cost. Targets are those of the contracts issue; misses are reported, not hidden.",
        "",
        "## User operations (warm pool)",
        "",
        "| operation | gas | target | within target |",
        "| --- | ---: | ---: | :---: |",
    ]
    for name, gas, target in ops:
        ok = "—" if not target else ("yes" if gas <= target else "no")
        lines.append(f"| {name} | {gas:,} | {f'{target:,}' if target else '—'} | {ok} |")
    lines += ["", "## Settlement gas by delegators in the converting group (must not grow)", "",
              "| delegators | settle gas |", "| ---: | ---: |"]
    lines += [f"| {n:,} | {gas:,} |" for n, gas in by_delegators]
    lines += ["", "## settle_many by batch size (target ≤ 35,000 per pool at 10 pools)", "",
              "| pools | total gas | gas per pool |", "| ---: | ---: | ---: |"]
    lines += [f"| {n:,} | {gas:,} | {per:,} |" for n, gas, per in by_pools]
    return "\n".join(lines) + "\n"


@click.command(cls=ConnectedProviderCommand)
@click.option("--quick", is_flag=True, help="Small sizes only (a smoke run).")
@click.option("--out", default="bench/gas.md", show_default=True, help="Where to write the table.")
def cli(quick: bool, out: str):
    """Measure the gas of every pool operation and write a markdown table (bench/gas.md)."""
    bench = Bench()
    ops = user_operations(bench)
    with Progress() as progress:
        by_delegators = settle_by_delegators(bench, [1, 10] if quick else [1, 100, 1_000], progress)
        by_pools = settle_many_by_pools(bench, [1, 10] if quick else [1, 10, 100], progress)
    text = render(networks.provider.network_choice, ops, by_delegators, by_pools)
    Path(out).parent.mkdir(parents=True, exist_ok=True)
    Path(out).write_text(text)
    click.echo(text)
    click.echo(f"Wrote {out}")
