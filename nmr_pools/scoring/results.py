"""The canonical results file of a round, its keccak256 digest, and reading it back.

Encoding (the bytes the digest covers): one JSON object, UTF-8, keys sorted, no whitespace
(`separators=(",", ":")`), no trailing newline; floats as Python's `repr` (shortest
round-trip), integers as integers, absent scores as `null`. Schema:

    {"config_name": str, "config_version": int, "engine_version": str,
     "models": [{"corr": float|null, "mmc": float|null, "model_id": str,
                 "payout_factor": float, "round_return_wad": int, "status": str}, ...],
     "round": int}

`models` is sorted by `model_id` (Python string order) with no duplicates. `status` is "ok"
or "<reason>: <detail>" (reason one of `INVALID_REASONS`); a model that is not ok has null
scores and `round_return_wad` 0. The digest (0x + 64 hex) is written to `<out>.digest`, never
inside the hashed bytes. Note: `round_return_wad` values reach 5e16 > 2**53, so readers in
languages whose JSON numbers are doubles must parse them as big integers.
"""

from __future__ import annotations

import json
import math
import os
import re
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from nmr_pools.scoring.errors import ScoringError
from nmr_pools.scoring.payout import CONFIGS

STATUS_OK = "ok"
# Why a single model's submission was not scored (its return is 0 that round).
INVALID_REASONS = ("out_of_range", "too_many_nans", "constant")

_MODEL_KEYS = {"corr", "mmc", "model_id", "payout_factor", "round_return_wad", "status"}
_TOP_KEYS = {"config_name", "config_version", "engine_version", "models", "round"}
_BYTES32_HEX = re.compile(r"0x[0-9a-fA-F]{64}")


def keccak(data: bytes) -> bytes:
    """keccak256 of `data` (Ethereum's, not SHA3-256).

    pycryptodome's, when installed (it is the backend eth-hash picks): `eth_hash.auto` loads
    `importlib.metadata` to pick one, 0.1 s of CPU against 0.03 s for pycryptodome alone.
    """
    try:
        from Crypto.Hash import keccak as crypto_keccak
    except ImportError:
        from eth_hash.auto import keccak as eth_keccak

        return eth_keccak(data)
    return crypto_keccak.new(data=data, digest_bits=256).digest()


@dataclass(frozen=True)
class ModelResult:
    """One model's line in a round's results."""

    model_id: str
    corr: float | None  # None when the submission was invalid
    mmc: float | None
    payout_factor: float
    round_return_wad: int  # signed, 1e18 = 100%; what `settle` receives
    status: str  # "ok" or "<reason>: <detail>"


@dataclass(frozen=True)
class RoundResults:
    """A round's results as written to (or read from) the canonical file, with its digest."""

    round: int
    config_name: str
    config_version: int
    engine_version: str
    models: list[ModelResult]
    digest: str  # 0x-prefixed keccak256 of `encode_results(...)`


# ---- encoding and digest ----


def _document(results: RoundResults) -> dict[str, Any]:
    """The JSON object (everything but the digest)."""
    return {
        "round": results.round,
        "config_name": results.config_name,
        "config_version": results.config_version,
        "engine_version": results.engine_version,
        "models": [
            {
                "model_id": m.model_id,
                "corr": m.corr,
                "mmc": m.mmc,
                "payout_factor": m.payout_factor,
                "round_return_wad": m.round_return_wad,
                "status": m.status,
            }
            for m in results.models
        ],
    }


def encode_document(document: dict[str, Any]) -> bytes:
    """Canonical bytes: sorted keys, no whitespace, repr floats, UTF-8, NaN/inf refused."""
    try:
        text = json.dumps(
            document, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
        )
    except ValueError as error:
        raise ScoringError(f"results contain a non-finite number: {error}") from None
    return text.encode("utf-8")


def encode_results(results: RoundResults) -> bytes:
    """The canonical bytes of a round's results (the digest does not cover itself)."""
    return encode_document(_document(results))


def with_digest(results: RoundResults) -> RoundResults:
    """The same results with `digest` set to the keccak256 of their canonical encoding."""
    return replace(results, digest=results_digest(encode_results(results)))


def results_digest(data: bytes) -> str:
    """keccak256 of the canonical bytes, `0x` + 64 lowercase hex: the `results_digest` of `settle`."""
    return "0x" + keccak(data).hex()


def model_id_to_bytes32(model_id: str) -> bytes:
    """The pool contract's bytes32 key of a model.

    A `0x`-prefixed 64-hex-digit string (already a bytes32) is taken as those 32 bytes;
    anything else (a model name, a Numerai UUID) is hashed: keccak256 of its UTF-8 bytes.
    """
    if _BYTES32_HEX.fullmatch(model_id):
        return bytes.fromhex(model_id[2:])
    return keccak(model_id.encode("utf-8"))


# ---- writing ----


def _write_atomically(path: Path, data: bytes) -> None:
    """Write `data` to `path` via a temporary file and a rename (never a half-written file)."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def digest_path(path: str | os.PathLike[str]) -> Path:
    """The sibling file holding the digest: `<out>.digest`."""
    return Path(f"{os.fspath(path)}.digest")


def write_results(results: RoundResults, path: str | os.PathLike[str]) -> str:
    """Write the canonical bytes to `path` and the digest line to `<path>.digest`; return the digest."""
    data = encode_results(results)
    digest = results_digest(data)
    if digest != results.digest:
        raise ScoringError(f"results digest {results.digest} does not match their encoding ({digest})")
    out = Path(path)
    _write_atomically(out, data)
    _write_atomically(digest_path(out), (digest + "\n").encode("ascii"))
    return digest


# ---- reading back ----


def _require(condition: bool, path: object, problem: str) -> None:
    if not condition:
        raise ScoringError(f"{path}: not a valid results file: {problem}")


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_score(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isfinite(value))


def _model_from(entry: object, path: object, cap_wad: int | None) -> ModelResult:
    if not isinstance(entry, dict):
        raise ScoringError(f"{path}: not a valid results file: every entry of 'models' must be an object")
    _require(
        set(entry) == _MODEL_KEYS,
        path,
        f"model entry keys must be {sorted(_MODEL_KEYS)}, got {sorted(entry)}",
    )
    model_id, status, wad = entry["model_id"], entry["status"], entry["round_return_wad"]
    _require(isinstance(model_id, str) and model_id != "", path, "model_id must be a non-empty string")
    _require(
        _is_score(entry["corr"]) and _is_score(entry["mmc"]),
        path,
        f"{model_id}: corr/mmc must be floats or null",
    )
    factor = entry["payout_factor"]
    _require(
        isinstance(factor, float) and 0 < factor <= 1, path, f"{model_id}: payout_factor must be in (0, 1]"
    )
    _require(_is_int(wad), path, f"{model_id}: round_return_wad must be an integer")
    _require(isinstance(status, str), path, f"{model_id}: status must be a string")
    if status == STATUS_OK:
        _require(
            entry["corr"] is not None and entry["mmc"] is not None, path, f"{model_id}: ok but scores missing"
        )
    else:
        reason = status.split(":", 1)[0]
        _require(reason in INVALID_REASONS, path, f"{model_id}: unknown status {status!r}")
        _require(
            entry["corr"] is None and entry["mmc"] is None and wad == 0,
            path,
            f"{model_id}: invalid but scored",
        )
    if cap_wad is not None:
        _require(
            abs(wad) <= cap_wad, path, f"{model_id}: |round_return_wad| exceeds the config's cap {cap_wad}"
        )
    return ModelResult(model_id, entry["corr"], entry["mmc"], factor, wad, status)


def load_results(path: str | os.PathLike[str]) -> RoundResults:
    """Read a results file, check it is canonical and well-formed, recompute its digest.

    If `<path>.digest` exists it must hold the same digest. Raises ScoringError otherwise.
    """
    try:
        data = Path(path).read_bytes()
    except OSError as error:
        raise ScoringError(f"cannot read results file {path}: {error.strerror or error}") from None
    try:
        document = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ScoringError(f"{path}: not a valid results file: not UTF-8 JSON ({error})") from None
    _require(isinstance(document, dict), path, "the top level must be an object")
    _require(
        set(document) == _TOP_KEYS,
        path,
        f"top-level keys must be {sorted(_TOP_KEYS)}, got {sorted(document)}",
    )
    _require(_is_int(document["round"]) and document["round"] >= 1, path, "round must be an integer >= 1")
    _require(isinstance(document["config_name"], str), path, "config_name must be a string")
    _require(_is_int(document["config_version"]), path, "config_version must be an integer")
    _require(isinstance(document["engine_version"], str), path, "engine_version must be a string")
    _require(isinstance(document["models"], list), path, "models must be a list")
    known = CONFIGS.get(document["config_name"])
    cap_wad = known.cap_wad if known is not None and known.version == document["config_version"] else None
    models = [_model_from(entry, path, cap_wad) for entry in document["models"]]
    ids = [m.model_id for m in models]
    _require(ids == sorted(set(ids)), path, "models must be sorted by model_id without duplicates")
    digest = results_digest(data)
    results = RoundResults(
        document["round"],
        document["config_name"],
        document["config_version"],
        document["engine_version"],
        models,
        digest,
    )
    _require(encode_results(results) == data, path, "bytes are not in the canonical encoding")
    sibling = digest_path(path)
    if sibling.exists():
        recorded = sibling.read_text(encoding="ascii", errors="replace").strip()
        _require(recorded == digest, path, f"{sibling.name} says {recorded} but the file hashes to {digest}")
    return results
