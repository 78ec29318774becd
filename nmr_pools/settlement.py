"""Settlement: a round's scoring results -> one `settle` per pool, sent in `settle_many` batches.

One code path for `ape pools settle`, `ape run settle` and the demo:

    results = read_results("results/round-42.json")       # digest checked
    plan = plan_settlement(factory, results, multicall=deployment.multicall)  # reads, sends nothing
    plan.check()                                         # SettlementError listing every problem
    report = execute_plan(plan, settler, progress=...)   # sends the batches, waits for receipts

Planning maps each model id of the file to its pool through the factory registry
(`model_id_to_bytes32`), skips pools that already settled the round (idempotent) and closed
pools (wound down, emergency exit, depleted: nothing more is settled; a winding-down pool
settles up to its last round, which closes it), and refuses the whole file -- before anything
is sent -- when its round is not the next one for a pool, the round is still open, or a return
exceeds the factory's cap. A treasury that cannot pay every gain is no reason to refuse: it
pays what it holds and each pool records the rest as owed, drawn first at its next settlement
(or by anyone with `collect_owed`) once the treasury is funded; the plan says how much will
be owed. Execution re-reads each pool's `last_settled_round` right before each batch, so
re-running after a dropped node or a failed transaction finishes the job and settles no pool
twice.

Reads go through `nmr_pools.chain.pool_state` in batches (a dozen `eth_call`s of 255 sub-calls
each for 1,000 pools, through the Multicall aggregator the deployments file names), at one
pinned block per plan and per batch.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from nmr_pools.amounts import WAD, format_nmr, format_wad_pct
from nmr_pools.errors import SettlementError, explain

# the most reports one `settle_many` takes (PoolFactory.MAX_BATCH)
MAX_BATCH = 256
# share of the block gas limit one batch may use: estimates vary per pool (a gain calls the
# treasury, a conversion mints shares), and other transactions share the block
BATCH_GAS_FRACTION = 0.5
# safety factor on the measured gas per report, for pools costlier than the one measured
GAS_MARGIN = 1.5
# gas per report when it cannot be measured: a gain with fee and both conversions is ~150k
FALLBACK_GAS_PER_REPORT = 250_000
FALLBACK_BLOCK_GAS_LIMIT = 30_000_000

ZERO_ADDRESS = "0x" + "00" * 20


# ---- results ----


def _scoring() -> Any:
    """The scoring package's results API (imported lazily: it pulls numpy and pandas)."""
    try:
        import nmr_pools.scoring as scoring

        scoring.load_results  # noqa: B018 - the package may not re-export it yet
        return scoring
    except (ImportError, AttributeError):
        import nmr_pools.scoring.results as results

        return results


def model_key(model_id: str) -> bytes:
    """The factory's bytes32 key of a model id (see `nmr_pools.scoring.model_id_to_bytes32`)."""
    return bytes(_scoring().model_id_to_bytes32(model_id))


def read_results(path: str | os.PathLike[str]) -> Any:
    """Load a results file and check its digest (and `<file>.digest`); SettlementError if refused."""
    scoring = _scoring()
    try:
        return scoring.load_results(path)
    except ValueError as error:  # ScoringError is a ValueError
        raise SettlementError(f"Results file refused, nothing sent: {error}") from None


# ---- the plan ----


@dataclass(frozen=True)
class PoolSettlement:
    """One pool's settlement of the round: the report `settle_many` receives, and context."""

    model_id: str
    pool: str
    round: int
    round_return: int  # signed WAD
    active_assets: int  # totalAssets() when planned
    treasury_owed: int = 0  # owed from earlier rounds: drawn from the treasury first
    last_round: bool = False  # the pool winds down and this is its last round: settling it closes the pool

    @property
    def expected_gain(self) -> int:
        # round down, like the pool: gain = assets * r / 1e18
        return self.active_assets * self.round_return // WAD if self.round_return > 0 else 0

    @property
    def expected_draw(self) -> int:
        """What the pool asks the treasury for: what it is owed, then this round's gain."""
        return self.treasury_owed + self.expected_gain

    @property
    def expected_burned(self) -> int:
        # round up, like the pool: burned = ceil(assets * |r| / 1e18)
        return -((self.active_assets * self.round_return) // WAD) if self.round_return < 0 else 0


@dataclass
class SettlementPlan:
    """What settling one results file on one factory takes; built by `plan_settlement`."""

    round: int
    digest: str  # 0x + 64 hex: the results_digest every report carries
    factory: Any
    to_settle: list[PoolSettlement]
    already_settled: list[tuple[str, str]] = field(default_factory=list)  # (model id, pool)
    closed: list[tuple[str, str, str]] = field(default_factory=list)  # (model id, pool, why): not settled
    models_without_pool: list[str] = field(default_factory=list)
    pools_without_result: list[tuple[str, int]] = field(default_factory=list)  # (pool, last settled)
    problems: list[str] = field(default_factory=list)
    treasury: str = ZERO_ADDRESS
    treasury_available: int = 0
    batch_size: int = MAX_BATCH
    multicall: str | None = None  # the read aggregator; None: plain calls, one per read
    block: int = 0  # the block every planning read saw
    reads: int = 0  # eth_calls the planning took
    pools_read: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def expected_draw(self) -> int:
        """NMR the pools ask the treasury for: this round's gains and what earlier rounds left owed."""
        return sum(item.expected_draw for item in self.to_settle)

    @property
    def expected_paid(self) -> int:
        """What the treasury will pay: all it is asked for, or all it holds when that is less."""
        return min(self.expected_draw, self.treasury_available)

    @property
    def expected_owed(self) -> int:
        """What the treasury will still owe the pools after this round (0 when it can pay)."""
        return self.expected_draw - self.expected_paid

    @property
    def expected_burned(self) -> int:
        return sum(item.expected_burned for item in self.to_settle)

    @property
    def batches(self) -> list[list[PoolSettlement]]:
        size = max(1, self.batch_size)
        return [self.to_settle[i : i + size] for i in range(0, len(self.to_settle), size)]

    def reports(self, batch: Sequence[PoolSettlement]) -> list[tuple[str, int, int, bytes]]:
        """The `settle_many` argument of a batch: (pool, round, round_return, results_digest)."""
        digest = bytes.fromhex(self.digest[2:])
        return [(item.pool, item.round, item.round_return, digest) for item in batch]

    def check(self) -> None:
        """Raise SettlementError listing every problem; nothing has been sent."""
        if self.problems:
            lines = "\n".join(f"  - {problem}" for problem in self.problems)
            raise SettlementError(f"Round {self.round} refused, nothing sent:\n{lines}")

    def describe(self) -> list[str]:
        """Plain-words lines: what would be sent, batch by batch (the dry run prints these)."""
        lines = [
            f"Round {self.round}, results digest {self.digest}, factory {self.factory.address}",
            f"{len(self.to_settle)} pool(s) to settle in {len(self.batches)} batch(es) of at most "
            f"{self.batch_size}; {len(self.already_settled)} already settled.",
        ]
        for number, batch in enumerate(self.batches, start=1):
            lines.append(f"batch {number}: PoolFactory({self.factory.address}).settle_many([")
            for item in batch:
                lines.append(
                    f"    ({item.pool}, {item.round}, {item.round_return}, {self.digest}),"
                    f"  # {item.model_id}: {format_wad_pct(item.round_return)} of "
                    f"{format_nmr(item.active_assets)}"
                )
            lines.append("])")
        lines.append(
            f"Expected: {format_nmr(self.expected_paid)} paid from the treasury "
            f"({format_nmr(self.treasury_available)} available), {format_nmr(self.expected_burned)} burned"
            + (f", {format_nmr(self.expected_owed)} left owed to pools." if self.expected_owed else ".")
        )
        lines.extend(self.notes())
        return lines

    def notes(self) -> list[str]:
        """What the plan leaves out, in plain words."""
        lines = []
        if not self.multicall and self.pools_read:
            lines.append(
                f"note: no Multicall aggregator in the deployments file, so reading {self.pools_read} pool(s) took "
                f"{self.reads} separate calls (slow for many pools); `ape pools deploy-multicall` adds one"
            )
        for model_id, pool in self.already_settled:
            lines.append(f"skip {model_id}: pool {pool} already settled round {self.round}")
        for model_id, pool, why in self.closed:
            lines.append(f"skip {model_id}: pool {pool} is closed ({why}); nothing more is settled")
        for item in self.to_settle:
            if item.last_round:
                lines.append(
                    f"note: {item.model_id}'s pool {item.pool} winds down and round {self.round} is its last: "
                    "settling it closes the pool"
                )
        if self.expected_owed:
            earlier = sum(item.treasury_owed for item in self.to_settle)
            asked = f"round {self.round}'s gains" + (
                f" and {format_nmr(earlier)} owed from earlier rounds" if earlier else ""
            )
            lines.append(
                f"note: treasury {self.treasury} holds {format_nmr(self.treasury_available)}, less than {asked} "
                f"({format_nmr(self.expected_draw)}): it pays what it holds and {format_nmr(self.expected_owed)} stays "
                "owed to the pools, drawn at their next settlement once it is funded (`ape pools fund-treasury`)"
            )
        if self.models_without_pool:
            lines.append(
                "models in the results without a pool (skipped): " + ", ".join(self.models_without_pool)
            )
        for pool, last in self.pools_without_result:
            lines.append(f"pool {pool} (last settled round {last}) has no result in this file: not settled")
        return lines


def plan_settlement(
    factory: Any,
    results: Any,
    *,
    pool_type: Any | None = None,
    sender: Any | None = None,
    batch_size: int | None = None,
    multicall: str | None = None,
) -> SettlementPlan:
    """Read the chain and decide what settling `results` takes. Sends nothing.

    `results` is a `nmr_pools.scoring.RoundResults` (round, models with `model_id` and
    `round_return_wad`, digest). Every pool's state is read at one block through
    `nmr_pools.chain.pool_state`: batched through the Multicall aggregator at `multicall` (the
    deployments file's), else one call at a time (slow for many pools; the plan notes it).
    With `sender`, the batch size is measured from a gas estimate; `batch_size` caps it (it is
    never above the factory's 256). `pool_type` is accepted for callers that pass it; the
    plan reads pools without Ape's contract layer.
    """
    from ape import chain

    from nmr_pools.chain.batch_reads import open_reader
    from nmr_pools.chain.pool_state import read_registry, read_settlement_states

    round_id = int(results.round)
    plan = SettlementPlan(
        round=round_id, digest=str(results.digest).lower(), factory=factory, to_settle=[], multicall=multicall
    )
    reader = open_reader(chain.provider, multicall)
    keyed = [(model, model_key(model.model_id)) for model in results.models]
    registry = read_registry(reader, str(factory.address), [key for _, key in keyed])
    # every factory pool, plus any pool a key maps to (the same set on a sound factory)
    pools = list(dict.fromkeys(registry.pools + [p for p in registry.pool_of.values() if p is not None]))
    states = read_settlement_states(reader, pools)
    plan.block = reader.block
    plan.reads = reader.requests
    plan.pools_read = len(pools)

    current, cap = registry.current_round, registry.return_cap
    if round_id >= current:
        plan.problems.append(
            f"round {round_id} is not closed yet (round {current} is open); settle it once round "
            f"{round_id + 1} has opened"
        )
    with_result: set[str] = set()
    for model, key in keyed:
        wad = int(model.round_return_wad)
        if abs(wad) > cap:
            plan.problems.append(
                f"{model.model_id}: return {format_wad_pct(wad)} exceeds the factory's cap of ±{format_wad_pct(cap).lstrip('+')}"
            )
        address = registry.pool_of[key]
        if address is None:
            plan.models_without_pool.append(model.model_id)
            continue
        with_result.add(address)
        state = states[address]
        last = state.last_settled_round
        if last >= round_id:
            plan.already_settled.append((model.model_id, address))
            continue
        if not state.settles_rounds:
            plan.closed.append((model.model_id, address, state.closed_because))
            continue
        if last + 1 != round_id:
            plan.problems.append(
                f"{model.model_id}: pool {address} last settled round {last}, so its next round is "
                f"{last + 1}, not {round_id}; settle rounds {last + 1}..{round_id - 1} first"
            )
            continue
        plan.to_settle.append(
            PoolSettlement(
                model.model_id,
                address,
                round_id,
                wad,
                state.total_assets,
                state.treasury_owed,
                last_round=state.wind_down_round == round_id,
            )
        )

    for address in registry.pools:
        state = states[address]
        if address not in with_result and state.last_settled_round < round_id and state.settles_rounds:
            plan.pools_without_result.append((address, state.last_settled_round))

    plan.treasury = registry.treasury
    plan.treasury_available = registry.treasury_available
    plan.batch_size = choose_batch_size(plan, sender=sender, limit=batch_size)
    return plan


def choose_batch_size(plan: SettlementPlan, *, sender: Any | None = None, limit: int | None = None) -> int:
    """Reports per `settle_many`: as many as fit in BATCH_GAS_FRACTION of the block gas limit.

    Gas per report is measured by estimating a one- and a two-report batch (the difference is
    the marginal cost), times GAS_MARGIN; without a sender or a closed round it falls back to
    FALLBACK_GAS_PER_REPORT.
    """
    from ape import chain

    cap = MAX_BATCH if limit is None else max(1, min(MAX_BATCH, int(limit)))
    try:
        block_gas = int(chain.blocks.head.gas_limit)
    except Exception:  # noqa: BLE001 - a provider without block data: assume mainnet's limit
        block_gas = FALLBACK_BLOCK_GAS_LIMIT
    base, per_report = 0, FALLBACK_GAS_PER_REPORT
    if sender is not None and plan.ok and plan.to_settle:
        try:
            one = int(
                plan.factory.settle_many.estimate_gas_cost(plan.reports(plan.to_settle[:1]), sender=sender)
            )
            if len(plan.to_settle) >= 2:
                two = int(
                    plan.factory.settle_many.estimate_gas_cost(
                        plan.reports(plan.to_settle[:2]), sender=sender
                    )
                )
                per_report = max(two - one, one // 2)
                base = max(one - per_report, 0)
            else:
                per_report = one
        except Exception:  # noqa: BLE001 - estimation is advisory; the fallback is conservative
            base, per_report = 0, FALLBACK_GAS_PER_REPORT
    budget = int(block_gas * BATCH_GAS_FRACTION) - base
    fits = int(budget // (per_report * GAS_MARGIN)) if per_report > 0 else cap
    return max(1, min(cap, fits))


# ---- execution ----


@dataclass
class SettledPool:
    """One pool's Settled event."""

    model_id: str
    pool: str
    round_return: int
    paid: int
    burned: int
    fee: int
    price_per_share: int
    unpaid: int = 0  # the part of this round's gain the treasury could not pay: owed to the pool
    collected: int = 0  # owed NMR of earlier rounds drawn before this round applied (OwedCollected)


@dataclass
class SettlementReport:
    """What `execute_plan` did."""

    round: int
    digest: str
    settled: list[SettledPool] = field(default_factory=list)
    skipped_already_settled: list[tuple[str, str]] = field(default_factory=list)
    transactions: list[str] = field(default_factory=list)

    @property
    def total_paid(self) -> int:
        return sum(item.paid for item in self.settled)

    @property
    def total_burned(self) -> int:
        return sum(item.burned for item in self.settled)

    @property
    def total_unpaid(self) -> int:
        return sum(item.unpaid for item in self.settled)

    @property
    def total_collected(self) -> int:
        return sum(item.collected for item in self.settled)

    @property
    def total_fees(self) -> int:
        return sum(item.fee for item in self.settled)

    def summary(self) -> list[str]:
        """Plain-words lines for the end of a run."""
        lines = [
            f"Round {self.round}: {len(self.settled)} pool(s) settled in {len(self.transactions)} transaction(s)"
            + (
                f", {len(self.skipped_already_settled)} already settled"
                if self.skipped_already_settled
                else ""
            ),
            f"  paid from the treasury: {format_nmr(self.total_paid)}",
        ]
        if self.total_collected:
            lines.append(f"  owed from earlier rounds, collected: {format_nmr(self.total_collected)}")
        if self.total_unpaid:
            lines.append(
                f"  gains the treasury could not pay (owed to the pools): {format_nmr(self.total_unpaid)}"
            )
        lines += [
            f"  burned:                 {format_nmr(self.total_burned)}",
            f"  performance fees:       {format_nmr(self.total_fees)}",
            f"  results digest:         {self.digest}",
        ]
        return lines


ProgressCallback = Callable[[int, int], None]


def execute_plan(
    plan: SettlementPlan,
    sender: Any,
    *,
    progress: ProgressCallback | None = None,
    pool_type: Any | None = None,
) -> SettlementReport:
    """Send the plan's batches from `sender` (a settler), waiting for each receipt.

    Right before each batch every pool's `last_settled_round` is read again: pools that settled
    the round meanwhile (an earlier run whose receipt was lost) are skipped, so no pool is
    settled twice. `progress(done, total)` is called after each batch. On a failure the
    SettlementError says how far it got; re-running the same plan finishes the job.
    """
    plan.check()
    if pool_type is None:
        from nmr_pools.deployments import load_project
        from nmr_pools.pool_contract import pool_container

        pool_type = pool_container(load_project())
    factory = plan.factory
    report = SettlementReport(round=plan.round, digest=plan.digest)
    if not plan.to_settle:
        return report
    if not factory.is_settler(sender):
        raise SettlementError(
            f"Account {sender.address} is not a settler of factory {factory.address}, nothing sent: "
            "ask the factory admin to grant it the settler role."
        )
    from ape import chain

    from nmr_pools.chain.batch_reads import open_reader
    from nmr_pools.chain.pool_state import read_last_settled_rounds

    by_pool = {item.pool: item for item in plan.to_settle}
    total = len(plan.to_settle)
    done = 0
    for number, batch in enumerate(plan.batches, start=1):
        try:
            # one batched read at the latest block: what an earlier run may have settled meanwhile
            reader = open_reader(chain.provider, plan.multicall)
            last_settled = read_last_settled_rounds(reader, [item.pool for item in batch])
            fresh = []
            for item in batch:
                last = last_settled[item.pool]
                if last >= plan.round:
                    report.skipped_already_settled.append((item.model_id, item.pool))
                elif last + 1 != plan.round:
                    raise SettlementError(
                        f"pool {item.pool} ({item.model_id}) now has last settled round {last}; "
                        f"round {plan.round} is not its next round"
                    )
                else:
                    fresh.append(item)
            if fresh:
                receipt = factory.settle_many(plan.reports(fresh), sender=sender)
                report.transactions.append(str(receipt.txn_hash))
                collected: dict[str, int] = {}
                for log in receipt.decode_logs(pool_type.OwedCollected):
                    address = str(log.contract_address)
                    collected[address] = collected.get(address, 0) + int(log.amount)
                for log in receipt.decode_logs(pool_type.Settled):
                    address = str(log.contract_address)
                    item = by_pool.get(address)
                    report.settled.append(
                        SettledPool(
                            model_id=item.model_id if item else "?",
                            pool=address,
                            round_return=int(log.round_return),
                            paid=int(log.paid),
                            burned=int(log.burned),
                            fee=int(log.fee),
                            price_per_share=int(log.price_per_share),
                            unpaid=int(log.unpaid),
                            collected=collected.get(address, 0),
                        )
                    )
        except Exception as error:  # noqa: BLE001 - every failure becomes one resumable message
            reason = str(error) if isinstance(error, SettlementError) else explain(error)
            raise SettlementError(
                f"Batch {number} of {len(plan.batches)} failed: {reason} "
                f"{len(report.settled)} pool(s) were settled before it; none is settled twice. "
                "Re-run the same command to finish."
            ) from error
        done += len(batch)
        if progress is not None:
            progress(done, total)
    return report


def settle_results(
    factory: Any,
    results: Any,
    sender: Any,
    *,
    batch_size: int | None = None,
    progress: ProgressCallback | None = None,
    pool_type: Any | None = None,
    multicall: str | None = None,
) -> SettlementReport:
    """Plan, check and execute in one call (what the scripts and the demo use)."""
    plan = plan_settlement(
        factory, results, pool_type=pool_type, sender=sender, batch_size=batch_size, multicall=multicall
    )
    return execute_plan(plan, sender, progress=progress, pool_type=pool_type)
