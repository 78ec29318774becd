"""Helpers shared by the CLI and integration tests: results files and model pools."""

from __future__ import annotations

from pathlib import Path

from nmr_pools.scoring import ModelResult, RoundResults, encode_results, model_id_to_bytes32, results_digest
from nmr_pools.scoring import write_results as _write_results

NMR = 10**18
WAD = 10**18
# test results are tagged with a config name the scoring package does not know, so only the
# factory's cap (what `settle` checks) applies, not the config's
TEST_CONFIG = "test-config"


def round_results(round_id: int, returns: dict[str, int]) -> RoundResults:
    """A round's results with the given WAD return per model id, digest computed."""
    models = [
        ModelResult(model_id=name, corr=0.01, mmc=0.0, payout_factor=1.0, round_return_wad=wad, status="ok")
        for name, wad in sorted(returns.items())
    ]
    draft = RoundResults(round_id, TEST_CONFIG, 1, "test", models, digest="")
    digest = results_digest(encode_results(draft))
    return RoundResults(round_id, TEST_CONFIG, 1, "test", models, digest=digest)


def write_round(path: Path, round_id: int, returns: dict[str, int]) -> RoundResults:
    """Write a canonical results file (and `<path>.digest`) and return its results."""
    results = round_results(round_id, returns)
    _write_results(results, path)
    return results


def model_key(name: str) -> bytes:
    return bytes(model_id_to_bytes32(name))
