"""The scoring engine: tournament data in, per-round pool returns (and their digest) out.

Vectorised, numerai-tools-exact CORR and MMC over all models of a round, named and versioned
payout configurations, canonical results files with a keccak256 digest for `settle`, strict
input validation (`ScoringError`), a seeded synthetic round generator, and the `score` CLI.
"""

from nmr_pools.scoring.engine import ENGINE_VERSION, model_statuses, score_round
from nmr_pools.scoring.errors import ScoringError
from nmr_pools.scoring.io import read_meta_model, read_predictions, read_stakes, read_targets
from nmr_pools.scoring.metrics import (
    DEFAULT_MAX_FILTERED_RATIO,
    correlation_contribution,
    numerai_corr,
    score_models,
    stake_weighted_meta_model,
)
from nmr_pools.scoring.payout import (
    CONFIGS,
    DEFAULT_CONFIG,
    WAD,
    PayoutConfig,
    get_config,
    payout_factor,
    return_to_wad,
    round_returns,
)
from nmr_pools.scoring.results import (
    ModelResult,
    RoundResults,
    encode_results,
    load_results,
    model_id_to_bytes32,
    results_digest,
    write_results,
)
from nmr_pools.scoring.synthetic import SyntheticRound, synthetic_round
from nmr_pools.scoring.transforms import gaussian, rank_gaussian_power, signed_power, tie_kept_rank

__all__ = [
    "CONFIGS",
    "DEFAULT_CONFIG",
    "DEFAULT_MAX_FILTERED_RATIO",
    "ENGINE_VERSION",
    "WAD",
    "ModelResult",
    "PayoutConfig",
    "RoundResults",
    "ScoringError",
    "SyntheticRound",
    "correlation_contribution",
    "encode_results",
    "gaussian",
    "get_config",
    "load_results",
    "model_id_to_bytes32",
    "model_statuses",
    "numerai_corr",
    "payout_factor",
    "rank_gaussian_power",
    "read_meta_model",
    "read_predictions",
    "read_stakes",
    "read_targets",
    "results_digest",
    "return_to_wad",
    "round_returns",
    "score_models",
    "score_round",
    "signed_power",
    "stake_weighted_meta_model",
    "synthetic_round",
    "tie_kept_rank",
    "write_results",
]
