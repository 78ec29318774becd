"""Hypothesis profiles for the stateful suite and the deployed system every machine starts from.

Profiles (choose with `NMR_POOLS_PROFILE=ci|long`, default `ci`):
- `ci`: 20 histories of up to 40 steps (~800 steps), about 4 minutes on this toolchain, where
  py-evm runs ~8 transactions/s through Ape and a full view comparison costs ~1 s (`make test`);
- `long`: 100 histories of up to 80 steps, 10x the steps of `ci` (`make test-long`).
They are applied by the machine's test only, so other suites keep hypothesis' defaults.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, settings

from nmr_pools.deployment import DAY
from tests.stateful.snapshot import deploy_lens

NMR = 10**18
MAX_UINT256 = 2**256 - 1

_COMMON = dict(
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large],
    print_blob=True,
)
settings.register_profile("nmr-pools-ci", max_examples=20, stateful_step_count=40, **_COMMON)
settings.register_profile("nmr-pools-long", max_examples=100, stateful_step_count=80, **_COMMON)
# a quick look while editing the machine (not for CI)
settings.register_profile(
    "nmr-pools-smoke", max_examples=10, stateful_step_count=40, phases=[Phase.explicit, Phase.generate], **_COMMON
)
PROFILE_ENV = "NMR_POOLS_PROFILE"
EXAMPLES_ENV = "NMR_POOLS_EXAMPLES"


def stateful_settings() -> settings:
    """The profile named by `NMR_POOLS_PROFILE` (`ci` unless set)."""
    name = os.environ.get(PROFILE_ENV, "ci")
    if name not in ("ci", "long", "smoke"):
        raise pytest.UsageError(f"{PROFILE_ENV} must be 'ci', 'long' or 'smoke', not {name!r}")
    profile = settings.get_profile(f"nmr-pools-{name}")
    # `make test-long` splits the long profile's histories over one process per core
    share = os.environ.get(EXAMPLES_ENV)
    if share is not None:
        if not share.isdigit() or int(share) < 1:
            raise pytest.UsageError(f"{EXAMPLES_ENV} must be a whole number >= 1, not {share!r}")
        profile = settings(profile, max_examples=int(share))
    return profile


# rounds the machine uses: stalls and fee increases must happen inside one short history
STALL_GAP_ROUNDS = 3
FEE_DELAY_ROUNDS = 2
FEE_BPS = 2_000
DELEGATOR_FUNDS = 10_000 * NMR
SIDE_FUNDS = 1_000 * NMR


@dataclass
class PoolEnv:
    """The deployed system, the pool, the lens, named accounts, and the chain state at the start."""

    chain: Any
    nmr: Any
    treasury: Any
    factory: Any
    pool: Any
    lens: Any
    accounts: dict[str, Any]
    genesis: int
    round_length: int
    created_at: int
    start_ts: int
    nmr_balances: dict[str, int]


@pytest.fixture
def pool_env(chain, accounts, factory, treasury, nmr, create_pool, deployer, owner) -> PoolEnv:
    named = {
        "deployer": accounts[0],
        "settler": accounts[1],
        "guardian": accounts[2],
        "owner": accounts[3],
        "alice": accounts[4],
        "bob": accounts[5],
        "carol": accounts[6],
        "outsider": accounts[7],
        "dave": accounts[8],
        "erin": accounts[9],
    }
    factory.set_stall_gap(STALL_GAP_ROUNDS * DAY, sender=deployer)
    factory.set_fee_delay_rounds(FEE_DELAY_ROUNDS, sender=deployer)
    pool = create_pool("stateful", fee_bps=FEE_BPS)
    for name in ("alice", "bob", "carol", "dave"):
        nmr.issue(named[name], DELEGATOR_FUNDS, sender=deployer)
        nmr.approve(pool, MAX_UINT256, sender=named[name])
    for name in ("erin", "outsider", "owner"):
        nmr.issue(named[name], SIDE_FUNDS, sender=deployer)
        nmr.approve(pool, MAX_UINT256, sender=named[name])
    lens = deploy_lens(deployer)
    # start a little into the next round, well ahead of the wall clock (blocks then tick 1 s)
    chain.pending_timestamp = factory.round_start(factory.current_round() + 1) + 3_600
    chain.mine()
    balances = {name: nmr.balanceOf(account) for name, account in named.items()}
    balances["pool"] = nmr.balanceOf(pool)
    balances["treasury"] = nmr.balanceOf(treasury)
    return PoolEnv(
        chain=chain,
        nmr=nmr,
        treasury=treasury,
        factory=factory,
        pool=pool,
        lens=lens,
        accounts=named,
        genesis=factory.genesis(),
        round_length=factory.round_length(),
        created_at=pool.last_settled_at(),
        start_ts=chain.blocks.head.timestamp,
        nmr_balances=balances,
    )
