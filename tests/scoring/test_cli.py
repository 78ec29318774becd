"""The `score` command through click's runner: exit codes, messages, files written or not."""

from __future__ import annotations

import pandas as pd
import pytest
from click.testing import CliRunner

from nmr_pools.scoring import load_results
from nmr_pools.scoring.cli import score_command


@pytest.fixture
def round_files(create_round, tmp_path):
    return create_round(n_models=4, skills=[-0.4, 0.1, 0.2, 0.3]).write(tmp_path / "in", "csv")


def _run(paths, out, *extra):
    args = ["--round", "12", "--predictions", str(paths["predictions"]), "--targets", str(paths["targets"])]
    args += ["--stakes", str(paths["stakes"]), "--out", str(out), *extra]
    return CliRunner().invoke(score_command, args)


def test_score__writes_results_and_digest_and_prints_a_summary(round_files, tmp_path):
    out = tmp_path / "results.json"
    result = _run(round_files, out)
    assert result.exit_code == 0, result.output
    loaded = load_results(out)
    assert loaded.round == 12 and len(loaded.models) == 4
    assert f"digest {loaded.digest}" in result.output
    assert (tmp_path / "results.json.digest").read_text() == loaded.digest + "\n"
    assert "model_0003" in result.output and "invalid: none" in result.output


def test_score__twice__same_bytes(round_files, tmp_path):
    _run(round_files, tmp_path / "a.json")
    _run(round_files, tmp_path / "b.json")
    assert (tmp_path / "a.json").read_bytes() == (tmp_path / "b.json").read_bytes()


def test_score__with_meta_model(round_files, tmp_path):
    meta = pd.read_csv(round_files["predictions"])[["id", "model_0002"]]
    meta_path = tmp_path / "meta.csv"
    meta.to_csv(meta_path, index=False)
    result = _run(round_files, tmp_path / "r.json", "--meta-model", str(meta_path))
    assert result.exit_code == 0, result.output
    assert {m.model_id: m.mmc for m in load_results(tmp_path / "r.json").models}[
        "model_0002"
    ] == pytest.approx(0, abs=1e-12)


def test_score__bad_predictions_file__usage_error_and_nothing_written(round_files, tmp_path):
    round_files["predictions"].write_text("id,a,a\nn1,0.1,0.2\n")
    out = tmp_path / "r.json"
    result = _run(round_files, out)
    assert result.exit_code == 2
    assert "Invalid value for --predictions" in result.output and "duplicate columns: 'a'" in result.output
    assert "Traceback" not in result.output
    assert not out.exists() and not (tmp_path / "r.json.digest").exists()


def test_score__unknown_model_in_stakes__usage_error(round_files, tmp_path):
    stakes = pd.read_csv(round_files["stakes"])
    pd.concat([stakes, pd.DataFrame({"model": ["ghost"], "stake": [1.0]})]).to_csv(
        round_files["stakes"], index=False
    )
    out = tmp_path / "r.json"
    result = _run(round_files, out)
    assert result.exit_code == 2
    assert "stakes name unknown models (no predictions): 'ghost'" in result.output
    assert not out.exists()


def test_score__missing_option_unknown_config_missing_dir(round_files, tmp_path):
    result = CliRunner().invoke(score_command, ["--round", "1"])
    assert result.exit_code == 2 and "Missing option '--predictions'" in result.output
    result = _run(round_files, tmp_path / "r.json", "--config", "classic-1999")
    assert result.exit_code == 2 and "Invalid value for '--config': 'classic-1999'" in result.output
    result = _run(round_files, tmp_path / "no" / "r.json")
    assert result.exit_code == 2 and "does not exist; create it first" in result.output
    result = CliRunner().invoke(score_command, ["--round", "0"])
    assert result.exit_code == 2 and "--round" in result.output


def test_score__help_describes_every_option():
    result = CliRunner().invoke(score_command, ["--help"])
    assert result.exit_code == 0
    for option in ("--round", "--predictions", "--targets", "--stakes", "--meta-model", "--config", "--out"):
        assert option in result.output


def test_score__same_digest_as_score_round_on_the_pandas_readers(round_files, tmp_path):
    from nmr_pools.scoring import read_predictions, read_stakes, read_targets, score_round

    predictions = pd.read_csv(round_files["predictions"], dtype={"id": str})
    predictions.loc[:20, "model_0001"] = float("nan")  # scored without those ids
    predictions.loc[3, "model_0002"] = 1.5  # out of range: scores 0
    predictions.to_csv(round_files["predictions"], index=False)
    out = tmp_path / "r.json"
    assert _run(round_files, out).exit_code == 0
    expected = score_round(
        12,
        read_predictions(round_files["predictions"]),
        read_targets(round_files["targets"]),
        read_stakes(round_files["stakes"]),
    )
    assert load_results(out).digest == expected.digest
    assert {m.status.split(":")[0] for m in expected.models} == {"ok", "out_of_range"}
