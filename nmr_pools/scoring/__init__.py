"""The scoring engine: tournament data in, per-round pool returns (and their digest) out.

Vectorised, numerai-tools-exact CORR and MMC over all models of a round, named and versioned
payout configurations, canonical results files with a keccak256 digest for `settle`, strict
input validation (`ScoringError`), a seeded synthetic round generator, and the `score` CLI.

Names are imported lazily: `from nmr_pools.scoring import load_results` loads the results
module only (no pandas, no scipy), which keeps `ape pools settle` and `--help` fast.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
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

# public name -> the submodule that defines it (imported on first use)
_SOURCES: dict[str, str] = {
    "CONFIGS": "payout",
    "DEFAULT_CONFIG": "payout",
    "DEFAULT_MAX_FILTERED_RATIO": "metrics",
    "ENGINE_VERSION": "engine",
    "ModelResult": "results",
    "PayoutConfig": "payout",
    "RoundResults": "results",
    "ScoringError": "errors",
    "SyntheticRound": "synthetic",
    "WAD": "payout",
    "correlation_contribution": "metrics",
    "encode_results": "results",
    "gaussian": "transforms",
    "get_config": "payout",
    "load_results": "results",
    "model_id_to_bytes32": "results",
    "model_statuses": "engine",
    "numerai_corr": "metrics",
    "payout_factor": "payout",
    "rank_gaussian_power": "transforms",
    "read_meta_model": "io",
    "read_predictions": "io",
    "read_stakes": "io",
    "read_targets": "io",
    "results_digest": "results",
    "return_to_wad": "payout",
    "round_returns": "payout",
    "score_models": "metrics",
    "score_round": "engine",
    "signed_power": "transforms",
    "stake_weighted_meta_model": "metrics",
    "synthetic_round": "synthetic",
    "tie_kept_rank": "transforms",
    "write_results": "results",
}


def __getattr__(name: str) -> Any:
    """Import the submodule that defines `name` on first use (PEP 562): `import nmr_pools.scoring`
    costs nothing, and a command that needs only the results file never loads pandas or scipy."""
    module = _SOURCES.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_SOURCES))


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
