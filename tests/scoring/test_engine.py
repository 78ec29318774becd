"""score_round: per-model statuses, round-level refusals, determinism, results files."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scoring_reference as ref

from nmr_pools.scoring import (
    ScoringError,
    encode_results,
    load_results,
    model_id_to_bytes32,
    results_digest,
    score_round,
    write_results,
)
from nmr_pools.scoring.payout import WAD, decimal_wad


def _score(r, **kwargs):
    return score_round(3, r.predictions, r.targets, r.stakes, **kwargs)


def test_score_round__matches_reference_and_payout_definition(create_round):
    r = create_round(n_models=5)
    results = _score(r)
    meta = ref.stake_weight(r.predictions, r.stakes)
    for m in results.models:
        assert m.status == "ok"
        assert m.corr == pytest.approx(ref.corr_one(r.predictions[m.model_id], r.targets), abs=1e-12)
        assert m.mmc == pytest.approx(ref.mmc_one(r.predictions[m.model_id], meta, r.targets), abs=1e-12)
        expected = float(np.clip(m.corr * 0.5 + m.mmc * 2.0, -0.05, 0.05))
        assert m.round_return_wad == decimal_wad(expected)
    assert [m.model_id for m in results.models] == sorted(r.predictions.columns)


def test_score_round__harmful_skill__loses(create_round):
    r = create_round(n_stocks=2000, n_models=3, skills=[-0.5, 0.3, 0.3])
    results = {m.model_id: m for m in _score(r).models}
    assert results["model_0000"].corr < 0 and results["model_0000"].round_return_wad < 0
    assert results["model_0001"].round_return_wad > 0


def test_score_round__invalid_models_get_zero_and_a_reason(create_round):
    r = create_round(n_models=5)
    predictions = r.predictions.copy()
    predictions["model_0001"] = 0.5
    predictions.iloc[3, 2] = 1.5
    predictions.iloc[:100, 3] = np.nan  # 100 of 300: a third
    predictions.iloc[:10, 4] = np.nan  # 10 of 300: fine
    results = {m.model_id: m for m in score_round(3, predictions, r.targets, r.stakes).models}
    assert results["model_0001"].status == "constant: all 300 scored predictions are equal"
    assert results["model_0002"].status.startswith("out_of_range: 1 value(s) outside [0, 1], e.g. id ")
    assert results["model_0003"].status.startswith("too_many_nans: 100 of 300 predictions are NaN")
    assert results["model_0004"].status == "ok"
    for model in ("model_0001", "model_0002", "model_0003"):
        assert (results[model].corr, results[model].mmc, results[model].round_return_wad) == (None, None, 0)
    nan_model = predictions["model_0004"]
    assert results["model_0004"].corr == pytest.approx(ref.corr_one(nan_model, r.targets), abs=1e-12)


def test_score_round__inputs_are_not_modified(create_round):
    r = create_round()
    predictions, targets, stakes = r.predictions.copy(), r.targets.copy(), r.stakes.copy()
    predictions.iloc[:5, 0] = np.nan
    before = predictions.copy()
    score_round(3, predictions, targets, stakes)
    pd.testing.assert_frame_equal(predictions, before)
    pd.testing.assert_series_equal(targets, r.targets)
    pd.testing.assert_series_equal(stakes, r.stakes)


def test_score_round__payout_factor_shrinks_above_threshold(create_round):
    r = create_round(n_models=2)
    stakes = pd.Series([450_000.0, 150_000.0], index=r.stakes.index)
    results = score_round(3, r.predictions, r.targets, stakes)
    assert {m.payout_factor for m in results.models} == {0.5}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda p, t, s: (p.iloc[:0], t, s), r"predictions are empty \(0 ids x 6 models\)"),
        (lambda p, t, s: (p, t.iloc[:0], s), "targets are empty"),
        (
            lambda p, t, s: (p, t.where(t.index != t.index[4], np.nan), s),
            r"targets must be finite; NaN/inf at ids 'n",
        ),
        (
            lambda p, t, s: (p, t.where(t.index != t.index[0], np.inf), s),
            r"targets must be finite; NaN/inf at ids",
        ),
        (lambda p, t, s: (pd.concat([p, p.iloc[:2]]), t, s), "predictions have duplicate ids: 'n"),
        (lambda p, t, s: (p, pd.concat([t, t.iloc[:1]]), s), "targets have duplicate ids: 'n"),
        (
            lambda p, t, s: (p.iloc[:200], t, s),
            r"predictions \(200 ids\) and targets \(300 ids\) share only 200 ids",
        ),
        (lambda p, t, s: (p, t * 0 + 0.5, s), "targets are constant"),
        (
            lambda p, t, s: (p, t, pd.concat([s, pd.Series({"ghost": 1.0})])),
            "stakes name unknown models .*'ghost'",
        ),
        (
            lambda p, t, s: (p, t, s.iloc[1:]),
            r"stakes are missing for models \(give 0 if unstaked\): 'model_0000'",
        ),
        (lambda p, t, s: (p, t, s * -1), "stakes must be finite and >= 0; bad for models 'model_0000'"),
    ],
)
def test_score_round__bad_input__raises_naming_the_problem(create_round, change, message):
    r = create_round()
    predictions, targets, stakes = change(r.predictions, r.targets, r.stakes)
    with pytest.raises(ScoringError, match=message):
        score_round(3, predictions, targets, stakes)


def test_score_round__every_model_invalid__still_scores_the_round_with_zeros(create_round):
    r = create_round()
    results = score_round(3, r.predictions * 0 + 0.5, r.targets, r.stakes)
    assert {(m.status.split(":")[0], m.round_return_wad) for m in results.models} == {("constant", 0)}


def test_score_round__meta_model_with_too_few_ids__raises(create_round):
    r = create_round()
    with pytest.raises(ScoringError, match="the meta model .* shares too few ids"):
        _score(r, meta_model=r.predictions["model_0000"].iloc[:100])


def test_score_round__bad_round__raises(create_round):
    r = create_round()
    with pytest.raises(ScoringError, match="round must be an integer >= 1, got 0"):
        score_round(0, r.predictions, r.targets, r.stakes)


# ---- results file ----


def test_results__same_inputs_same_bytes(create_round, tmp_path):
    a, b = _score(create_round(seed=5)), _score(create_round(seed=5))
    assert encode_results(a) == encode_results(b)
    assert a.digest == b.digest == results_digest(encode_results(a))
    shuffled = create_round(seed=5)
    c = score_round(
        3,
        shuffled.predictions.sample(frac=1, random_state=1).iloc[:, ::-1],
        shuffled.targets,
        shuffled.stakes,
    )
    assert c.digest == a.digest  # row and column order do not matter


def test_results__encoding_is_canonical_json(create_round):
    data = encode_results(_score(create_round(n_models=2)))
    assert data.startswith(b'{"config_name":"classic-2025","config_version":1,"engine_version":"')
    assert b" " not in data and not data.endswith(b"\n")
    assert b'"round":3}' in data


def test_results__write_then_load_round_trips(create_round, tmp_path):
    results = _score(create_round())
    out = tmp_path / "results.json"
    digest = write_results(results, out)
    assert (tmp_path / "results.json.digest").read_text() == digest + "\n"
    assert load_results(out) == results


def test_results__digest_is_keccak_of_the_file(create_round, tmp_path):
    from eth_hash.auto import keccak

    out = tmp_path / "r.json"
    digest = write_results(_score(create_round()), out)
    assert digest == "0x" + keccak(out.read_bytes()).hex()


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda s: s.replace('{"config_name"', '{ "config_name"'), "not in the canonical encoding"),
        (lambda s: s + "\n", "not in the canonical encoding"),
        (lambda s: s.replace('"round":3', '"round":"3"'), "round must be an integer"),
        (lambda s: s.replace('"config_version":1,', ""), "top-level keys must be"),
        (lambda s: s.replace('"status":"ok"', '"status":"great"', 1), "unknown status 'great'"),
        (lambda s: "[]", "the top level must be an object"),
        (lambda s: "{", "not UTF-8 JSON"),
    ],
)
def test_load_results__malformed__raises(create_round, tmp_path, edit, message):
    out = tmp_path / "r.json"
    out.write_text(edit(encode_results(_score(create_round(n_models=2))).decode()))
    with pytest.raises(ScoringError, match=message):
        load_results(out)


def test_load_results__digest_file_mismatch__raises(create_round, tmp_path):
    out = tmp_path / "r.json"
    write_results(_score(create_round()), out)
    (tmp_path / "r.json.digest").write_text("0x" + "00" * 32 + "\n")
    with pytest.raises(ScoringError, match="r.json.digest says 0x00"):
        load_results(out)


def test_load_results__wad_above_cap__raises(create_round, tmp_path):
    results = _score(create_round(n_models=2))
    text = encode_results(results).decode()
    wad = results.models[0].round_return_wad
    out = tmp_path / "r.json"
    out.write_text(text.replace(f'"round_return_wad":{wad}', f'"round_return_wad":{6 * WAD // 100}', 1))
    with pytest.raises(ScoringError, match="exceeds the config's cap"):
        load_results(out)


def test_model_id_to_bytes32():
    from eth_hash.auto import keccak

    assert model_id_to_bytes32("alice_model") == keccak(b"alice_model")
    raw = "0x" + "ab" * 32
    assert model_id_to_bytes32(raw) == bytes.fromhex("ab" * 32)
    assert model_id_to_bytes32("0xab") == keccak(b"0xab")  # too short: a name, hashed


def test_synthetic_round__same_seed_same_digest_in_any_process():
    """The same seed gives the same round and digest whatever the process's hash seed (a set's
    iteration order once leaked into the stock order)."""
    import subprocess
    import sys

    script = (
        "from nmr_pools.scoring import synthetic_round, score_round\n"
        "d = synthetic_round(n_stocks=300, n_models=4, seed=5)\n"
        "print(score_round(1, d.predictions, d.targets, d.stakes).digest)\n"
    )
    digests = {
        subprocess.run(
            [sys.executable, "-c", script],
            env={"PYTHONHASHSEED": str(seed), "PATH": ""},
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        for seed in (1, 2)
    }
    assert len(digests) == 1, digests


def test_model_statuses__constant_on_scored_ids_only__and_with_nans(create_round):
    """A model constant on the ids that are scored (but not on the extra ids the targets lack),
    and one constant apart from its NaNs, are both "constant"; a NaN row out of range is out_of_range."""
    r = create_round(n_models=4)
    predictions = r.predictions.copy()
    extra = pd.DataFrame(
        0.9, index=pd.Index(["x1", "x2"], name=predictions.index.name), columns=predictions.columns
    )
    predictions = pd.concat([predictions, extra])  # 2 ids without targets: not scored
    predictions["model_0000"] = 0.25
    predictions.loc[["x1", "x2"], "model_0000"] = 0.75  # varies only off the scored ids
    predictions["model_0001"] = 0.5
    predictions.iloc[:5, 1] = np.nan
    predictions.iloc[:5, 2] = np.nan
    predictions.iloc[7, 2] = -0.1
    results = {m.model_id: m.status for m in score_round(4, predictions, r.targets, r.stakes).models}
    assert results["model_0000"] == "constant: all 300 scored predictions are equal"
    assert results["model_0001"] == "constant: all 295 scored predictions are equal"
    assert results["model_0002"].startswith("out_of_range: 1 value(s) outside [0, 1]")
    assert results["model_0003"] == "ok"
