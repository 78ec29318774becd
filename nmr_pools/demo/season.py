"""Run a tournament season on chain: deploy, pools, delegators, daily rounds, lagged results.

Each round: delegators act and claim; time moves to the next round; every round whose results
are due (closed `lag` rounds ago) is scored by the engine on a synthetic round and settled
through `nmr_pools.settlement.settle_results` -- the code path of `ape pools settle`.
After the season, `lag` more rounds pass with claims only, so every played round is settled.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nmr_pools.demo.behaviour import Counts, act, claim_everything
from nmr_pools.demo.cast import EXTRA_MODELS, NMR, Delegator, ModelSpec, model_specs, personalities
from nmr_pools.deployment import DAY, System, create_attested_pool, deploy_system

TREASURY_FUNDING = 500_000 * NMR
# people look at their claims now and then, not every day
CLAIM_CHANCE = 0.3
N_STOCKS = 2_000  # stocks per synthetic round: scores stable enough to tell models apart, fast to score


@dataclass
class PoolPoint:
    """One settled round of one pool."""

    round: int
    round_return: int
    paid: int
    burned: int
    fee: int
    price: int
    high_water_mark: int
    unpaid: int = 0  # the part of the gain the treasury could not pay (owed to the pool)
    collected: int = 0  # owed NMR of earlier rounds the pool drew before this round applied


@dataclass
class SeasonConfig:
    pools: int = 5
    delegators: int = 12
    rounds: int = 60
    lag: int = 20
    seed: int = 7
    out: Path = Path("out/demo")
    treasury: int = TREASURY_FUNDING  # NMR wei the payout treasury starts with


@dataclass
class Season:
    """Everything the report needs after the run."""

    config: SeasonConfig
    system: System
    specs: list[ModelSpec]
    pools: list[Any]
    owners: list[Any]
    delegators: list[Delegator]
    history: list[list[PoolPoint]]
    counts: Counts
    digests: dict[int, str] = field(default_factory=dict)
    supply_start: int = 0
    treasury_start: int = 0
    first_round: int = 0
    settler: Any = None


def _accounts(n: int, funder: Any) -> list[Any]:
    """`n` wallets: the test accounts first, then generated ones funded with ether for gas."""
    from ape import accounts

    wallets = list(accounts.test_accounts)[:n]
    while len(wallets) < n:
        extra = accounts.test_accounts.generate_test_account()
        funder.transfer(extra, 10**19)
        wallets.append(extra)
    return wallets


def setup(config: SeasonConfig, project: Any) -> Season:
    """Deploy, fund the treasury, create the pools (their ownership attested by the deployer)
    and hand every delegator a wallet with NMR (transfers from the deployer, who holds the
    stand-in's premined supply)."""
    from nmr_pools.scoring import model_id_to_bytes32

    rng = random.Random(config.seed)
    specs = model_specs(config.pools, config.rounds)
    wallets = _accounts(2 + config.pools + config.delegators, funder=_first_account())
    deployer, settler = wallets[0], wallets[1]
    owners = wallets[2 : 2 + config.pools]
    people = wallets[2 + config.pools :]
    system = deploy_system(project, deployer, round_length=DAY, multicall=True)
    system.factory.grant_role(settler, 2, sender=deployer)  # Role.SETTLER
    nmr = system.nmr
    if config.treasury:
        nmr.approve(system.treasury, config.treasury, sender=deployer)
        system.treasury.fund(config.treasury, sender=deployer)
    pools = [
        create_attested_pool(
            project,
            system.factory,
            attester=deployer,
            owner=owner,
            model_id=bytes(model_id_to_bytes32(spec.name)),
            model_name=spec.name,
            fee_bps=spec.fee_bps,
        )
        for spec, owner in zip(specs, owners, strict=True)
    ]
    delegators = []
    for account, (name, personality, favourite, budget) in zip(
        people, personalities(config.delegators, config.pools, rng), strict=True
    ):
        nmr.transfer(account, budget, sender=deployer)
        delegators.append(Delegator(name, account, personality, favourite, budget))
    season = Season(config, system, specs, pools, owners, delegators, [[] for _ in pools], Counts())
    season.supply_start = int(nmr.totalSupply())
    season.treasury_start = int(system.treasury.available())
    season.first_round = int(system.factory.current_round())
    season.settler = settler
    return season


def _first_account() -> Any:
    from ape import accounts

    return accounts.test_accounts[0]


def score_round(season: Season, round_id: int) -> Path:
    """Score a synthetic round for every model and write its canonical results file."""
    from nmr_pools.scoring import score_round as engine_score
    from nmr_pools.scoring import synthetic_round, write_results

    index = round_id - season.first_round
    names = [spec.name for spec in season.specs] + [f"tournament{i:02d}" for i in range(EXTRA_MODELS)]
    extra_rng = random.Random(season.config.seed * 1_000 + round_id)
    skills = [spec.skill_in(index) for spec in season.specs] + [
        extra_rng.uniform(-0.01, 0.02) for _ in range(EXTRA_MODELS)
    ]
    data = synthetic_round(
        n_stocks=N_STOCKS,
        n_models=len(names),
        seed=season.config.seed * 100_003 + round_id,
        skills=skills,
        model_ids=names,
    )
    results = engine_score(round_id, data.predictions, data.targets, data.stakes)
    path = season.config.out / "results" / f"round-{round_id:04d}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    season.digests[round_id] = write_results(results, path)
    return path


def settle_due(season: Season) -> None:
    """Score and settle, in order, every round whose results have arrived."""
    from nmr_pools.scoring import load_results
    from nmr_pools.settlement import execute_plan, plan_settlement

    factory = season.system.factory
    due = int(factory.current_round()) - 1 - season.config.lag
    while True:
        next_round = min(int(pool.last_settled_round()) for pool in season.pools) + 1
        if next_round > due:
            return
        results = load_results(score_round(season, next_round))
        # the same plan -> checks -> batches -> receipts path as `ape pools settle`; the batch
        # size is fixed (every pool fits one batch) instead of measured by gas estimation
        plan = plan_settlement(
            factory, results, batch_size=len(season.pools), multicall=str(season.system.multicall.address)
        )
        report = execute_plan(plan, season.settler)
        by_pool = {item.pool: item for item in report.settled}
        for pool, history in zip(season.pools, season.history, strict=True):
            item = by_pool.get(str(pool.address))
            if item is not None:
                history.append(
                    PoolPoint(
                        next_round,
                        item.round_return,
                        item.paid,
                        item.burned,
                        item.fee,
                        item.price_per_share,
                        int(pool.high_water_mark()),
                        item.unpaid,
                        item.collected,
                    )
                )


def recent_returns(season: Season, window: int = 10) -> list[float]:
    """Each pool's price change over its last `window` settled rounds (what chasers look at)."""
    out = []
    for history in season.history:
        points = history[-window:]
        out.append(points[-1].price / points[0].price - 1 if len(points) >= 2 else 0.0)
    return out


def _next_round(factory: Any) -> None:
    from ape import chain

    chain.pending_timestamp = int(factory.round_start(int(factory.current_round()) + 1))
    chain.mine()


def run(config: SeasonConfig, project: Any, on_round: Callable[[int, int], None] | None = None) -> Season:
    """Play the season; `on_round(done, total)` reports progress."""
    from ape import networks

    from nmr_pools.fast_calls import name_default_caller

    name_default_caller(networks.provider, _first_account())
    season = setup(config, project)
    rng = random.Random(config.seed + 1)
    nmr, factory = season.system.nmr, season.system.factory
    total = config.rounds + config.lag + 1
    for step in range(total):
        playing = step < config.rounds
        returns = recent_returns(season)
        for who in season.delegators:
            if rng.random() < CLAIM_CHANCE or not playing:
                for index in sorted(who.pools_touched):
                    claim_everything(season.pools[index], who, season.counts)
            if playing:
                act(rng, who, nmr, season.pools, returns, season.counts)
        if step % 10 == 9:
            for pool, owner in zip(season.pools, season.owners, strict=True):
                if int(pool.fees_owed()):
                    pool.claim_fees(owner, sender=owner)
                    season.counts.fee_claims += 1
        _next_round(factory)
        settle_due(season)
        if on_round is not None:
            on_round(step + 1, total)
    for who in season.delegators:
        for index in sorted(who.pools_touched):
            claim_everything(season.pools[index], who, season.counts)
    return season
