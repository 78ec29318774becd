"""Reading predictions, targets, meta model and stakes: formats and bad files."""

from __future__ import annotations

import pandas as pd
import pytest

from nmr_pools.scoring import ScoringError, read_meta_model, read_predictions, read_stakes, read_targets
from nmr_pools.scoring.io import parquet_module


def _wide():
    return pd.DataFrame({"id": ["n1", "n2", "n3"], "alice": [0.1, 0.5, 0.9], "bob": [0.3, 0.2, 0.1]})


def test_read_predictions__wide_and_long_agree(write_csv):
    wide = read_predictions(write_csv("wide.csv", _wide()))
    long = _wide().melt(id_vars="id", var_name="model", value_name="prediction")
    from_long = read_predictions(write_csv("long.csv", long))
    pd.testing.assert_frame_equal(wide, from_long[wide.columns], check_names=False)
    assert list(wide.columns) == ["alice", "bob"] and wide.index.tolist() == ["n1", "n2", "n3"]


def test_read_predictions__csv_floats_round_trip_exactly(write_csv):
    value = 0.1 + 0.2  # 0.30000000000000004
    frame = pd.DataFrame({"id": ["n1"], "m": [value]})
    assert read_predictions(write_csv("p.csv", frame)).iloc[0, 0] == value


def test_read_predictions__numeric_looking_ids_stay_strings(write_csv):
    frame = pd.DataFrame({"id": ["001", "002"], "m": [0.1, 0.2]})
    assert read_predictions(write_csv("p.csv", frame)).index.tolist() == ["001", "002"]


def test_read_predictions__long_missing_pairs_become_nan(write_csv):
    long = pd.DataFrame({"id": ["n1", "n2", "n1"], "model": ["a", "a", "b"], "prediction": [0.1, 0.2, 0.3]})
    frame = read_predictions(write_csv("p.csv", long))
    assert frame.loc["n2", "b"] != frame.loc["n2", "b"]  # NaN


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("id,a,a\nn1,0.1,0.2\n", "duplicate columns: 'a'"),
        ("id,a\nn1,0.1\nn1,0.2\n", "duplicate ids: 'n1'"),
        ("id,a\n", "the file has no rows"),
        ("", "cannot read the file"),
        ("x,a\nn1,0.1\n", "no 'id' column"),
        ("id\nn1\n", "no model columns besides 'id'"),
        ("id,a\nn1,high\n", r"non-numeric column\(s\): 'a'"),
        ("id,,b\nn1,0.1,0.2\n", r"column\(s\) without a name"),
        ("id,a\n,0.1\n", r"column 'id' is empty in data row\(s\) '1'"),
        ("id,model,prediction\nn1,a,0.1\nn1,a,0.2\n", r"duplicate \(id, model\) rows"),
    ],
)
def test_read_predictions__bad_file__raises_naming_the_problem(tmp_path, content, message):
    path = tmp_path / "p.csv"
    path.write_text(content)
    with pytest.raises(ScoringError, match=message):
        read_predictions(path)


def test_read__missing_file_or_unknown_suffix__raises(tmp_path):
    with pytest.raises(ScoringError, match="cannot read the file"):
        read_predictions(tmp_path / "nope.csv")
    (tmp_path / "p.xlsx").write_text("id,a\n")
    with pytest.raises(ScoringError, match=r"unsupported file type '.xlsx'; use .parquet or .csv"):
        read_predictions(tmp_path / "p.xlsx")


def test_read_targets_and_meta_model__need_id_and_one_column(write_csv):
    good = pd.DataFrame({"id": ["n1", "n2"], "target": [0.0, 1.0]})
    assert read_targets(write_csv("t.csv", good)).tolist() == [0.0, 1.0]
    assert read_meta_model(write_csv("m.csv", good)).name == "meta_model"
    with pytest.raises(ScoringError, match="targets needs columns 'id' and exactly one value column"):
        read_targets(write_csv("t2.csv", good.assign(extra=1.0)))


def test_read_stakes__format_and_values(write_csv):
    stakes = read_stakes(write_csv("s.csv", pd.DataFrame({"model": ["a", "b"], "stake": [1.5, 0.0]})))
    assert stakes.to_dict() == {"a": 1.5, "b": 0.0}
    with pytest.raises(ScoringError, match=r"stakes need exactly columns \['model', 'stake'\]"):
        read_stakes(write_csv("s2.csv", pd.DataFrame({"model": ["a"], "nmr": [1.0]})))
    with pytest.raises(ScoringError, match="stakes must be finite and >= 0; bad for models 'a'"):
        read_stakes(write_csv("s3.csv", pd.DataFrame({"model": ["a"], "stake": [-1.0]})))
    with pytest.raises(ScoringError, match="duplicate models: 'a'"):
        read_stakes(write_csv("s4.csv", pd.DataFrame({"model": ["a", "a"], "stake": [1.0, 2.0]})))


def _parquet_or_skip():
    try:
        return parquet_module()
    except ScoringError as error:
        pytest.skip(str(error))


def test_read_predictions__parquet_matches_csv(tmp_path, write_csv):
    _parquet_or_skip()
    _wide().to_parquet(tmp_path / "p.parquet", index=False)
    pd.testing.assert_frame_equal(
        read_predictions(tmp_path / "p.parquet"), read_predictions(write_csv("p.csv", _wide()))
    )


def test_read_predictions__parquet_unavailable__says_so(tmp_path, monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_pyarrow(name, *args, **kwargs):
        if name.startswith("pyarrow"):
            raise ImportError("pyarrow is not installed")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_pyarrow)
    (tmp_path / "p.parquet").write_bytes(b"PAR1")
    with pytest.raises(ScoringError, match="Parquet support is unavailable here"):
        read_predictions(tmp_path / "p.parquet")


# ---- the CSV readers: pyarrow's (fast path) and pandas' (fallback) read the same ----


def _read_with_pandas_only(path, monkeypatch):
    from nmr_pools.scoring import io

    with monkeypatch.context() as patched:
        patched.setattr(io, "_read_csv_arrow", lambda source, header: None)
        return read_predictions(path)


def test_read_predictions__csv_arrow_and_pandas_agree(tmp_path, monkeypatch):
    from nmr_pools.scoring import csv_arrow, io

    path = tmp_path / "p.csv"
    path.write_text(
        'id,a,b,c,empty\n007,0.30000000000000004,1,NaN,\nn2,1e-310,0,,\nn3,0.5,2,nan,\n"n,4",1.0,3,0.25,\n'
    )
    monkeypatch.setattr(csv_arrow, "CSV_BLOCK_BYTES", 64)  # several blocks even for this small file
    assert io._read_csv_arrow(path, ["id", "a", "b", "c", "empty"]) is not None  # the fast path took it
    fast = read_predictions(path)
    slow = _read_with_pandas_only(path, monkeypatch)
    pd.testing.assert_frame_equal(fast, slow)
    assert fast.index.tolist() == ["007", "n2", "n3", "n,4"]
    assert fast["empty"].isna().all() and fast["a"].iloc[0] == 0.1 + 0.2


def test_read_predictions__csv_word_after_first_block__named_like_before(tmp_path, monkeypatch):
    from nmr_pools.scoring import csv_arrow

    rows = [f"n{i},0.{i % 10},0.5" for i in range(200)]
    rows[150] = "n150,high,0.5"
    path = tmp_path / "p.csv"
    path.write_text("id,a,b\n" + "\n".join(rows) + "\n")
    monkeypatch.setattr(csv_arrow, "CSV_BLOCK_BYTES", 256)
    with pytest.raises(ScoringError, match=r"non-numeric column\(s\): 'a'"):
        read_predictions(path)


def test_read_predictions__csv_without_pyarrow__pandas_reads_it(tmp_path, monkeypatch, write_csv):
    import builtins

    path = write_csv("p.csv", _wide())
    expected = read_predictions(path)
    real_import = builtins.__import__

    def no_pyarrow(name, *args, **kwargs):
        if name.startswith("pyarrow"):
            raise ImportError("pyarrow is not installed")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_pyarrow)
    pd.testing.assert_frame_equal(read_predictions(path), expected)


def test_read_predictions__prefetched_csv__same_frame_and_taken_once(tmp_path, write_csv):
    from nmr_pools.scoring import csv_arrow

    path = write_csv("p.csv", _wide())
    expected = read_predictions(path)
    csv_arrow.prefetch(path)
    key = csv_arrow._key(path)
    assert key in csv_arrow._PREFETCHED
    pd.testing.assert_frame_equal(read_predictions(path), expected)
    assert key not in csv_arrow._PREFETCHED


def test_read_predictions__prefetched_bad_csv__still_named_like_before(tmp_path):
    from nmr_pools.scoring import csv_arrow

    path = tmp_path / "p.csv"
    path.write_text("id,a\nn1,high\n")
    csv_arrow.prefetch(path)
    with pytest.raises(ScoringError, match=r"non-numeric column\(s\): 'a'"):
        read_predictions(path)


def test_read_predictions__prefetched_then_refused_by_header__not_kept(tmp_path):
    from nmr_pools.scoring import csv_arrow

    path = tmp_path / "p.csv"
    path.write_text("id,a,a\nn1,0.1,0.2\n")
    csv_arrow.prefetch(path)
    with pytest.raises(ScoringError, match="duplicate columns: 'a'"):
        read_predictions(path)
    assert csv_arrow._key(path) not in csv_arrow._PREFETCHED
