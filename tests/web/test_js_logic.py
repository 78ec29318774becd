"""The page's arithmetic and formatting (web/src, run by node) against the Python originals it
ports (nmr_pools.amounts, nmr_pools.preview, nmr_pools.approvals): the page and `ape pools`
must show the same strings and compute the same best/worst cases, to the last wei."""

from __future__ import annotations

import json
import random
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from nmr_pools.amounts import format_fee, format_nmr, parse_fee, parse_nmr
from nmr_pools.lifecycle import Lifecycle
from nmr_pools.preview import bounds, to_assets, to_shares

RUNNER = Path(__file__).resolve().parents[2] / "web" / "tests" / "run_cases.mjs"
NMR = 10**18
WAD = 10**18


def run_js(cases: list[tuple[str, list[Any]]]) -> list[Any]:
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is missing: install Node.js (npm needs it too)")
    payload = json.dumps(
        [
            [name, [str(a) if isinstance(a, int) and not isinstance(a, bool) else a for a in args]]
            for name, args in cases
        ]
    )
    done = subprocess.run(
        [node, str(RUNNER)], check=False, input=payload, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_format_nmr__same_strings_as_python():
    rng = random.Random(12)
    values = [
        0,
        1,
        5,
        NMR,
        12_500_000_000_000_000_000,
        999_999_999_999_999_999,
        10**24 + 1,
        -3 * NMR // 2,
        11_000_000 * NMR,
        123_456_789_012_345_678_901,
    ]
    values += [rng.randrange(0, 10**26) for _ in range(200)] + [rng.randrange(0, 10**18) for _ in range(100)]
    cases = [
        ("formatNmr", [v, places, unit])
        for v in values
        for places, unit in ((6, "NMR"), (8, ""), (2, "shares"))
    ]
    expected = [format_nmr(int(args[0]), places=args[1], unit=args[2]) for _, args in cases]
    assert run_js(cases) == expected


VALID_AMOUNTS = [
    "12.5",
    "0.000000000000000001",
    "1000",
    " 7 NMR",
    "3_000.25",
    ".5",
    "5.",
    "1.000000000000000000",
    "10999999.999999999999999999",
    "0012.50",
]
INVALID_AMOUNTS = [
    "",
    "0",
    "0.0",
    "-1",
    "1.0000000000000000001",
    "abc",
    "1,5",
    "1e3",
    "NaN",
    "Infinity",
    "1.2.3",
    "0x10",
    "+-1",
]


def test_parse_nmr__accepts_what_python_accepts_and_refuses_the_rest():
    results = run_js([("parseNmr", [text]) for text in VALID_AMOUNTS + INVALID_AMOUNTS])
    for text, result in zip(VALID_AMOUNTS, results[: len(VALID_AMOUNTS)], strict=True):
        assert result == {"ok": str(parse_nmr(text))}, text
    for text, result in zip(INVALID_AMOUNTS, results[len(VALID_AMOUNTS) :], strict=True):
        assert "error" in result and result["error"].endswith("."), (text, result)
    # the page is stricter than the CLI only where a person would be misread: commas, exponents
    for text in INVALID_AMOUNTS:
        if text not in ("1,5", "1e3"):
            with pytest.raises(ValueError):
                parse_nmr(text)


def test_fees__same_as_python():
    bps_values = [0, 1, 5, 10, 99, 100, 125, 1_250, 2_000, 3_333, 5_000, 10_000]
    assert run_js([("formatFee", [b]) for b in bps_values]) == [format_fee(b) for b in bps_values]
    texts = ["20", "20%", "12.5", "12.5%", "0.01", "100", " 7 % "]
    assert run_js([("parseFee", [t]) for t in texts]) == [{"ok": str(parse_fee(t))} for t in texts]
    for result in run_js([("parseFee", [t]) for t in ("12.345", "101", "abc", "", "-5")]):
        assert "error" in result


def test_conversions_and_bounds__same_as_python():
    rng = random.Random(7)
    cases, expected = [], []
    for _ in range(150):
        supply, total = rng.randrange(0, 10**25), rng.randrange(0, 10**25)
        amount = rng.randrange(0, 10**24)
        cases += [("toShares", [amount, supply, total]), ("toAssets", [amount, supply, total])]
        expected += [str(to_shares(amount, supply, total)), str(to_assets(amount, supply, total))]
        value, cap, rounds = rng.randrange(0, 10**24), rng.randrange(0, 5 * 10**16 + 1), rng.randrange(0, 40)
        cases.append(("bounds", [value, cap, rounds]))
        expected.append([str(x) for x in bounds(value, cap, rounds)])
    assert run_js(cases) == expected


def test_allowance_step__mainnet_nmr_approve_rule():
    results = run_js(
        [
            ("allowanceStep", [0, 5]),
            ("allowanceStep", [7, 50]),
            ("allowanceStep", [50, 50]),
            ("allowanceStep", [60, 50]),
        ]
    )
    assert results == [
        {"functionName": "approve", "args": ["0xPool", "5"]},
        {"functionName": "changeApproval", "args": ["0xPool", "7", "50"]},
        None,
        None,
    ]


def test_pool_state__same_words_and_rounds_as_python():
    """The page's states, last played round, redemption group and "converts" words follow
    `nmr_pools.lifecycle.Lifecycle` (what `ape pools status` prints) in every state."""
    rng = random.Random(3)
    cases, expected = [], []
    for closure in (0, 1, 2, 4, 5):
        for paused in (False, True):
            for _ in range(12):
                current = rng.randrange(2, 60)
                last = rng.randrange(0, current)
                wind_down = rng.choice([0, 0, rng.randrange(1, current + 1)])
                if closure == 1 and wind_down == 0:
                    wind_down = last  # a wound-down pool closed when its last round settled
                request = rng.randrange(1, current + 1)
                life = Lifecycle(closure, wind_down, paused, last, current, exit_opens_at=2**62, now=0)
                cases.append(("lifecycle", [closure, wind_down, paused, last, current, request]))
                expected.append(
                    {
                        "text": life.words(),
                        "lastPlayedRound": str(life.last_played_round),
                        "redeemGroup": str(life.redeem_group()),
                        # the status table's cell is terser: "after round 4 (2 to settle)"; the page adds "is settled"
                        "converts": life.converts(request).replace(
                            f"({request - 1 - last} to settle)",
                            f"is settled ({request - 1 - last} to settle)",
                        ),
                    }
                )
    assert run_js(cases) == expected
