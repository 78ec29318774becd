"""Who plays in the demo: the models behind the pools and the delegators' personalities."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

NMR = 10**18


@dataclass(frozen=True)
class ModelSpec:
    """A tournament model with a pool: its name, fee and skill per round."""

    name: str
    fee_bps: int
    skill: float  # correlation of its view with the market signal (see scoring.synthetic)
    # a "comeback" model is harmful for the first part of the season, then good: its pool burns,
    # and the high-water mark holds back fees until its delegators are whole again
    comeback_until: int = 0

    def skill_in(self, round_index: int) -> float:
        if round_index < self.comeback_until:
            return -abs(self.skill)
        return self.skill


# fee in basis points and skill of the first pools; more pools cycle through these
MODEL_TEMPLATES = [
    ("atlas", 1_000, 0.008),
    ("boreal", 2_000, 0.004),
    ("cinder", 2_500, 0.014),  # the comeback pool
    ("dune", 500, 0.0),
    ("ember", 1_500, -0.006),  # harmful
]
# tournament models without a pool: they make up most of the stake-weighted meta model
EXTRA_MODELS = 15


def model_specs(n_pools: int, rounds: int) -> list[ModelSpec]:
    specs = []
    for i in range(n_pools):
        name, fee, skill = MODEL_TEMPLATES[i % len(MODEL_TEMPLATES)]
        if i >= len(MODEL_TEMPLATES):
            name = f"{name}{i // len(MODEL_TEMPLATES) + 1}"
        comeback = max(rounds * 2 // 5, 1) if i % len(MODEL_TEMPLATES) == 2 else 0
        specs.append(ModelSpec(name, fee, skill, comeback))
    return specs


PERSONALITIES = ("loyal", "chaser", "cautious")


@dataclass
class Delegator:
    """A demo delegator: a wallet, a personality and a favourite pool."""

    name: str
    account: object
    personality: str
    favourite: int
    budget: int  # NMR wei they start with
    pools_touched: set[int] = field(default_factory=set)


def personalities(n: int, n_pools: int, rng: random.Random) -> list[tuple[str, str, int, int]]:
    """(name, personality, favourite pool, starting NMR) for each delegator, reproducibly."""
    cast = []
    for i in range(n):
        personality = PERSONALITIES[i % len(PERSONALITIES)]
        budget = int(rng.lognormvariate(6.5, 0.7)) * NMR  # median ~ 665 NMR
        # favourites go round the pools so every pool starts with delegators
        cast.append((f"delegator{i + 1:02d}", personality, i % n_pools, budget))
    return cast
