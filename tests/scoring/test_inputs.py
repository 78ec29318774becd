"""The `score` command's readers (`inputs`): the same numbers and errors as `io`, without pandas."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import nmr_pools
from nmr_pools.scoring import ScoringError, io
from nmr_pools.scoring import inputs as arrays_io
from nmr_pools.scoring.labelled import LabelledColumn, PredictionMatrix


def _same_matrix(ours: PredictionMatrix, frame: pd.DataFrame) -> None:
    theirs = PredictionMatrix.from_frame(frame)
    assert ours.ids.tolist() == theirs.ids.tolist() and ours.models.tolist() == theirs.models.tolist()
    assert np.ascontiguousarray(ours.values_t).tobytes() == np.ascontiguousarray(theirs.values_t).tobytes()


def _same_column(ours: LabelledColumn, series: pd.Series) -> None:
    assert ours.ids.tolist() == series.index.tolist()
    assert ours.values.tobytes() == series.to_numpy(dtype=np.float64).tobytes()


def test_inputs__csv_round__same_as_io(create_round, tmp_path):
    paths = create_round(n_models=5).write(tmp_path, "csv")
    predictions = paths["predictions"]
    pd.read_csv(predictions).iloc[:, :2].to_csv(tmp_path / "meta.csv", index=False)
    _same_matrix(arrays_io.read_predictions(predictions), io.read_predictions(predictions))
    _same_column(arrays_io.read_targets(paths["targets"]), io.read_targets(paths["targets"]))
    _same_column(arrays_io.read_stakes(paths["stakes"]), io.read_stakes(paths["stakes"]))
    _same_column(arrays_io.read_meta_model(tmp_path / "meta.csv"), io.read_meta_model(tmp_path / "meta.csv"))


def test_inputs__nan_words_quotes_and_numeric_ids__same_as_io(tmp_path):
    path = tmp_path / "p.csv"
    path.write_text('id,a,b\n007,0.30000000000000004,NaN\nn2,1e-310,\n"n,3",1.0,nan\n')
    _same_matrix(arrays_io.read_predictions(path), io.read_predictions(path))


def test_inputs__long_and_parquet_files__read_through_io(create_round, tmp_path):
    r = create_round(n_models=3)
    wide = arrays_io.read_predictions(r.write(tmp_path / "csv", "csv")["predictions"])
    long = r.predictions.reset_index().melt(id_vars="id", var_name="model", value_name="prediction")
    long.to_csv(tmp_path / "long.csv", index=False)
    _same_matrix(wide, io.read_predictions(tmp_path / "long.csv")[list(wide.models)].loc[list(wide.ids)])
    _same_matrix(
        arrays_io.read_predictions(tmp_path / "long.csv"), io.read_predictions(tmp_path / "long.csv")
    )
    try:
        parquet = r.write(tmp_path / "pq", "parquet")["predictions"]
    except ImportError as error:
        pytest.skip(str(error))
    _same_matrix(arrays_io.read_predictions(parquet), io.read_predictions(parquet))


@pytest.mark.parametrize(
    ("reader", "content"),
    [
        ("read_predictions", "id,a,a\nn1,0.1,0.2\n"),
        ("read_predictions", "id,a\nn1,0.1\nn1,0.2\n"),
        ("read_predictions", "id,a\n"),
        ("read_predictions", "x,a\nn1,0.1\n"),
        ("read_predictions", "id\nn1\n"),
        ("read_predictions", "id,a\nn1,high\n"),
        ("read_predictions", "id,a,model\nn1,0.1,x\n"),
        ("read_predictions", "id,a\n,0.1\n"),
        ("read_predictions", "id,a\n  ,0.1\n"),
        ("read_targets", "id,target,extra\nn1,0.5,1\n"),
        ("read_targets", "id,target\nn1,0.5\nn1,0.25\n"),
        ("read_targets", "id,model\nn1,x\n"),
        ("read_stakes", "model,stake\na,-1\n"),
        ("read_stakes", "model,stake\na,1\na,2\n"),
        ("read_stakes", "model,nmr\na,1\n"),
        ("read_stakes", "model,stake\n,1\n"),
    ],
)
def test_inputs__bad_file__same_error_as_io(tmp_path, reader, content):
    path = tmp_path / "bad.csv"
    path.write_text(content)
    with pytest.raises(ScoringError) as expected:
        getattr(io, reader)(path)
    with pytest.raises(ScoringError) as raised:
        getattr(arrays_io, reader)(path)
    assert str(raised.value) == str(expected.value)


def test_score_command__imports_neither_pandas_nor_scipy(create_round, tmp_path):
    paths = create_round(n_models=4).write(tmp_path, "csv")
    script = (
        "import sys\n"
        "from nmr_pools.scoring.cli import score_command\n"
        f"args = ['--round', '1', '--predictions', {str(paths['predictions'])!r}, '--targets', "
        f"{str(paths['targets'])!r}, '--stakes', {str(paths['stakes'])!r}, '--out', {str(tmp_path / 'r.json')!r}]\n"
        "score_command(args, standalone_mode=False)\n"
        "print(sorted(name for name in ('pandas', 'scipy') if name in sys.modules))\n"
    )
    package_root = str(Path(nmr_pools.__file__).resolve().parent.parent)  # this checkout's code
    env = {**os.environ, "PYTHONPATH": package_root}
    done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True)
    assert done.stdout.strip().splitlines()[-1] == "[]"
    assert (tmp_path / "r.json").exists()
