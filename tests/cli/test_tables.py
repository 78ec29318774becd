"""Every table of the project at 80 columns (and piped): no cell cut to "…", every address and
number whole. `Sheet` falls back from a table to one block per row when a table cannot fit."""

from __future__ import annotations

import io
import re

from hypothesis import given, settings
from hypothesis import strategies as st
from rich.console import Console

from nmr_pools.cli.tables import Sheet

WIDTH = 80
ADDRESS = re.compile(r"0x[0-9a-fA-F]{40}")


def render(renderable_or_sheet, width: int = WIDTH) -> str:
    console = Console(width=width, file=io.StringIO(), color_system=None, legacy_windows=False)
    if isinstance(renderable_or_sheet, Sheet):
        renderable_or_sheet.print(console)
    else:
        console.print(renderable_or_sheet)
    return console.file.getvalue()


def assert_whole(output: str, cells: list[str]) -> None:
    assert "…" not in output, output
    for cell in cells:
        for word in cell.split():
            assert word in output, f"{word!r} was cut:\n{output}"


words = st.one_of(
    st.from_regex(r"0x[0-9a-f]{40}", fullmatch=True),
    st.integers(min_value=-(10**12), max_value=10**12).map(lambda n: f"{n:,}"),
    st.decimals(min_value=-(10**9), max_value=10**9, places=6, allow_nan=False).map(lambda d: f"{d:,}"),
    st.sampled_from(
        ["open", "NMR", "shares", "paused, shut down", "after round 12 (3 to settle)", "-", "20%"]
    ),
)
cells = st.lists(words, min_size=1, max_size=3).map(" ".join)


@settings(max_examples=60, deadline=None)
@given(
    headers=st.lists(
        st.from_regex(r"[a-z]{1,9}( [a-z]{1,6})?", fullmatch=True), min_size=2, max_size=12, unique=True
    ),
    data=st.data(),
    width=st.integers(min_value=64, max_value=220),
)
def test_sheet__any_cells_any_width__nothing_cut(headers, data, width):
    rows = data.draw(
        st.lists(st.lists(cells, min_size=len(headers), max_size=len(headers)), min_size=1, max_size=4)
    )
    sheet = Sheet(headers, title="t", right=frozenset(headers[1:]))
    for row in rows:
        sheet.add_row(*row)
    output = render(sheet, width)
    assert_whole(output, [cell for row in rows for cell in row])
    assert max(len(line) for line in output.splitlines()) <= width


def test_sheet__fits__table_with_header_row():
    sheet = Sheet(("pool", "price"), right=frozenset({"price"}))
    sheet.add_row("alpha", "1.0234 NMR")
    output = render(sheet)
    assert re.search(r"pool\s+price\n─+", output) and "alpha   1.0234 NMR" in output


def test_sheet__too_wide__one_block_per_row():
    headers = ("model", "pool", *(f"column {i}" for i in range(8)))
    sheet = Sheet(headers, key_columns=2)
    sheet.add_row("alpha", "0x" + "ab" * 20, *(f"{10**9 + i:,}" for i in range(8)))
    output = render(sheet)
    assert output.splitlines()[0] == "alpha  0x" + "ab" * 20
    assert "column 7" in output and "1,000,000,007" in output


def test_status__80_columns_and_piped__addresses_and_numbers_whole(ok, with_pool, advance, monkeypatch):
    monkeypatch.setenv("COLUMNS", str(WIDTH))
    ok("deposit", "--pool", "alpha", "--amount", "100", "--account", "TEST::4")
    ok(
        "create-pool",
        "--model-id",
        "a-model-with-a-long-name",
        "--fee",
        "12.5",
        "--attester",
        "TEST::0",
        "--account",
        "TEST::3",
    )
    advance(2)
    ok("deposit", "--pool", "alpha", "--amount", "50.123456", "--account", "TEST::4")
    output = ok("status", "--account", "TEST::4")
    addresses = set(ADDRESS.findall(output))
    assert len(addresses) == 4, output  # factory, two pools, the account
    assert_whole(
        output, ["a-model-with-a-long-name", "12.5%", "50.123456 NMR (r3)", "after round 2 (2 to settle)"]
    )
    # best and worst case: 100 shares bear 3 in-flight rounds at ±5%, the 50.123456 NMR deposit one
    assert re.search(r"~168\.392128 NMR", output) and re.search(r"~133\.354783 NMR", output), output
    assert max(len(line) for line in output.splitlines()) <= WIDTH


def test_demo_summary__80_columns__numbers_whole():
    from nmr_pools.demo.report import PoolSummary, summary_sheet, summary_table_rows

    wad = 10**18
    rows = [
        PoolSummary(
            "cinder",
            2_500,
            1_681_234 * wad // 10**6,
            1_700_000 * wad // 10**6,
            123_456_789 * wad // 100,
            9_876_543 * wad // 100,
            12_345 * wad,
            12,
            1_000 * wad,
            0,
            14,
            40,
        ),
        PoolSummary(
            "alpha", 500, 981 * wad // 1000, 1_020 * wad // 1000, 217 * wad, 1_234 * wad, 0, 3, 0, 0, 5, 40
        ),
    ]
    output = render(summary_sheet(rows))
    assert_whole(output, [cell for row in summary_table_rows(rows) for cell in row])
    assert "1,234,567.89" in output and "98,765.43" in output


def test_score_summary__80_columns__numbers_whole(tmp_path):
    from nmr_pools.scoring import score_round, synthetic_round
    from nmr_pools.scoring.cli import _summary

    ids = [f"a-numerai-model-{i:02d}" for i in range(8)]
    sample = synthetic_round(n_stocks=300, n_models=8, seed=3, model_ids=ids)
    results = score_round(5, sample.predictions, sample.targets, sample.stakes, None)
    output = render(_summary(results, tmp_path / "r.json"))
    assert "…" not in output
    for model in results.models:
        assert model.model_id in output and f"{model.corr:+.4f}" in output
