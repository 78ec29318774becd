"""`history`: a pool's settled rounds from its Settled events, as a table, a summary and a PNG."""

from __future__ import annotations

import pytest
from rich.console import Console

from nmr_pools.chain.pool_history import SettledRound, summarise
from nmr_pools.cli.history import history_table
from tests.integration.helpers import write_round

WAD = 10**18
RETURNS = {1: 10**16, 2: -5 * 10**16, 3: 2 * 10**16}  # +1%, -5%, +2%


@pytest.fixture
def settled_alpha(ok, with_pool, advance, workdir):
    """Pool alpha with 100 NMR settled through rounds 1..3 (+1%, -5%, +2%)."""
    ok("deposit", "--pool", "alpha", "--amount", "100", "--account", "TEST::4")
    for round_id, wad in RETURNS.items():
        advance()
        write_round(workdir / f"r{round_id}.json", round_id, {"alpha": wad})
        ok("settle", "--round", str(round_id), "--results", f"r{round_id}.json", "--account", "TEST::1")
    return with_pool


def test_history__settled_rounds__table_and_summary(ok, settled_alpha):
    output = ok("history", "--pool", "alpha")
    assert "3 round(s) settled (1..3): 2 gain(s), 1 loss(es), 0 flat" in output
    assert "worst round 2: -5%; best round 3: +2%" in output
    assert "price per share 1 -> " in output and "below it: no fee until it is regained" in output
    # +1% of 100 NMR, 20% of it to the owner; then -5% of 100.8 NMR
    assert "burned 5.04 NMR; fees 0.2 NMR" in output
    for cell in ("+1%", "-5%", "+2%", "0.9576", "5.04"):
        assert cell in output
    assert "every settled round" in output


def test_history__last__shows_newest_rounds_only(ok, settled_alpha):
    output = ok("history", "--pool", "alpha", "--last", "1")
    assert (
        "last 1 of 3 round(s)" in output and "+2%" in output and "-5%" not in output.split("alpha: last")[1]
    )


def test_history__chart__writes_png(ok, settled_alpha, workdir):
    output = ok("history", "--pool", "alpha", "--chart", "alpha.png")
    data = (workdir / "alpha.png").read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) > 10_000 and "Wrote alpha.png" in output


def test_history__nothing_settled__says_so(ok, with_pool, workdir):
    output = ok("history", "--pool", "alpha", "--chart", "none.png")
    assert "No round settled yet" in output and not (workdir / "none.png").exists()


def test_history__bad_chart_path_or_pool__usage_error(fails, with_pool):
    assert "does not end in .png" in fails("history", "--pool", "alpha", "--chart", "x.jpg", code=2)
    assert "does not exist; create it first" in fails(
        "history", "--pool", "alpha", "--chart", "no/dir/x.png", code=2
    )
    assert "has no pool" in fails("history", "--pool", "nobody", code=2)


def _round(round_id: int, wad: int, amount: int, price: int, hwm: int, unpaid: int = 0) -> SettledRound:
    paid, burned = (amount, 0) if wad > 0 else (0, amount)
    return SettledRound(
        round_id, wad, paid, burned, unpaid, amount // 5, amount * 20, price, hwm, "0x" + "00" * 32, 1
    )


def test_history_table__80_columns__no_number_is_cut():
    big = 123_456_789_012_345_678_901_234  # ~123,456.789 NMR paid or burned in one round: a 2.5M NMR pool
    rows = [
        _round(99_999, -5 * 10**16, big, 987_654_321 * WAD // 1000, 12_345 * WAD),
        _round(100_000, 123_456_789_012_345, big, WAD + 1, WAD + 2),
    ]
    console = Console(width=80, record=True, force_terminal=False)
    console.print(history_table(rows, "wide"))
    text = console.export_text()
    assert "…" not in text
    assert max(len(line) for line in text.splitlines()) <= 80
    for cell in (
        "99999",
        "100000",
        "-5%",
        "+0.0123%",
        "~123,456.789",
        "~24,691.3578",
        "987,654.321",
        "12,345",
    ):
        assert cell in text, cell  # whole, on one line: neither cut nor folded


def test_summarise__drawdown_and_distance_to_high_water_mark():
    history = [
        _round(1, 10**17 // 10, 1, 11 * WAD // 10, 11 * WAD // 10),
        _round(2, -5 * 10**16, 1, 99 * WAD // 100, 11 * WAD // 10),
        _round(3, 2 * 10**16, 1, 105 * WAD // 100, 11 * WAD // 10),
    ]
    summary = summarise(history)
    assert summary is not None and summary.rounds == 3 and (summary.gains, summary.losses) == (2, 1)
    assert summary.max_drawdown == pytest.approx(1 - 0.99 / 1.1)
    assert summary.below_high_water_mark == pytest.approx(1 - 1.05 / 1.1)
    assert summary.price_change == pytest.approx(0.05)
    assert summarise([]) is None


def test_history_table__unpaid_gains__extra_column_still_fits_80():
    rows = [
        _round(
            41,
            5 * 10**16,
            4_567_891_234_567_890_123,
            1_234_567 * WAD // 1_000_000,
            2 * WAD,
            unpaid=12_345_678_901_234_567_890,
        ),
        _round(42, -(10**16), 10**18, WAD, 2 * WAD),
    ]
    console = Console(width=80, record=True, force_terminal=False)
    console.print(history_table(rows, "owed"))
    text = console.export_text()
    assert "unpaid" in text and "…" not in text and max(len(line) for line in text.splitlines()) <= 80
    for cell in ("~4.5678", "~12.3456", "1.234567", "+5%", "-1%"):
        assert cell in text, cell
    assert "unpaid" not in _render(rows[1:])


def _render(rows):
    console = Console(width=80, record=True, force_terminal=False)
    console.print(history_table(rows, "t"))
    return console.export_text()
