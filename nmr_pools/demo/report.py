"""The demo's numbers: per-pool summary, NMR conservation, and report.md."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from nmr_pools.amounts import format_nmr
from nmr_pools.cli.tables import Sheet
from nmr_pools.demo.season import Season

WAD = 10**18


@dataclass(frozen=True)
class PoolSummary:
    name: str
    fee_bps: int
    price: int
    high_water_mark: int
    paid: int
    burned: int
    fees: int
    delegators: int
    pending_deposits: int
    pending_redeem_shares: int
    burns: int
    rounds_settled: int

    @property
    def season_return(self) -> float:
        return self.price / WAD - 1


def summarize(season: Season) -> list[PoolSummary]:
    rows = []
    for spec, pool, history in zip(season.specs, season.pools, season.history, strict=True):
        holders = sum(
            1
            for who in season.delegators
            if int(pool.balanceOf(who.account))
            or int(pool.maxDeposit(who.account))
            or int(pool.maxRedeem(who.account))
            or pool.pending_requests(who.account, False)
            or pool.pending_requests(who.account, True)
        )
        rows.append(
            PoolSummary(
                name=spec.name,
                fee_bps=spec.fee_bps,
                price=int(pool.price_per_share()),
                high_water_mark=int(pool.high_water_mark()),
                paid=sum(p.paid for p in history),
                burned=sum(p.burned for p in history),
                fees=sum(p.fee for p in history),
                delegators=holders,
                pending_deposits=int(pool.pending_deposit_assets()),
                pending_redeem_shares=int(pool.pending_redeem_shares()),
                burns=sum(1 for p in history if p.burned),
                rounds_settled=len(history),
            )
        )
    return rows


@dataclass(frozen=True)
class Conservation:
    """Every NMR accounted for: per pool, and for the whole system."""

    lines: list[str]
    ok: bool


def conservation(season: Season) -> Conservation:
    """Each pool holds exactly what it accounts for; the treasury paid exactly what the pools
    drew (this round's gains plus owed gains collected); what it could not pay is exactly what
    the pools are still owed; the supply fell by exactly what the pools burned."""
    nmr, treasury = season.system.nmr, season.system.treasury
    lines, ok = [], True
    for spec, pool in zip(season.specs, season.pools, strict=True):
        held = int(nmr.balanceOf(pool))
        owed = (
            int(pool.totalAssets())
            + int(pool.pending_deposit_assets())
            + int(pool.reserved_redeem_assets())
            + int(pool.fees_owed())
        )
        ok &= held == owed
        lines.append(
            f"{spec.name}: holds {format_nmr(held)} = active {format_nmr(int(pool.totalAssets()))} + pending "
            f"{format_nmr(int(pool.pending_deposit_assets()))} + set aside "
            f"{format_nmr(int(pool.reserved_redeem_assets()))} + fees {format_nmr(int(pool.fees_owed()))}"
            + ("" if held == owed else "  <-- MISMATCH")
        )
    points = [p for h in season.history for p in h]
    paid = sum(p.paid for p in points)
    collected = sum(p.collected for p in points)
    unpaid = sum(p.unpaid for p in points)
    burned = sum(p.burned for p in points)
    drawn = season.treasury_start - int(treasury.available())
    destroyed = season.supply_start - int(nmr.totalSupply())
    still_owed = sum(int(pool.treasury_owed()) for pool in season.pools)
    ok &= drawn == paid + collected and destroyed == burned and still_owed == unpaid - collected
    collected_words = f" + {format_nmr(collected)} owed and collected later" if collected else ""
    lines.append(
        f"treasury paid out {format_nmr(drawn)}; pools report {format_nmr(paid)} paid{collected_words}"
        + ("" if drawn == paid + collected else "  <-- MISMATCH")
    )
    lines.append(
        f"treasury owes pools {format_nmr(still_owed)}; pools report {format_nmr(unpaid)} it could not pay"
        + (f", {format_nmr(collected)} of it collected since" if collected else "")
        + ("" if still_owed == unpaid - collected else "  <-- MISMATCH")
    )
    lines.append(
        f"NMR supply fell by {format_nmr(destroyed)}; pools report {format_nmr(burned)} burned"
        + ("" if destroyed == burned else "  <-- MISMATCH")
    )
    return Conservation(lines, ok)


def _pct(x: float) -> str:
    return f"{x * 100:+.2f}%"


def _nmr(wei: int) -> str:
    return f"{wei / WAD:,.2f}"


def summary_table_rows(rows: list[PoolSummary]) -> list[list[str]]:
    return [
        [
            r.name,
            f"{r.fee_bps / 100:.0f}%",
            f"{r.price / WAD:.4f}",
            _pct(r.season_return),
            f"{r.high_water_mark / WAD:.4f}",
            _nmr(r.paid),
            _nmr(r.burned),
            _nmr(r.fees),
            str(r.delegators),
            _nmr(r.pending_deposits),
        ]
        for r in rows
    ]


# amounts in NMR
HEADERS = ["pool", "fee", "price", "return", "HWM", "paid", "burned", "fees", "people", "pending"]
SUMMARY_TITLE = "Pools at the end of the season (amounts in NMR; HWM = high-water mark)"


def summary_sheet(rows: list[PoolSummary]) -> Sheet:
    """The end-of-season table for the console: a table when it fits, one pool per block otherwise."""
    sheet = Sheet(HEADERS, title=SUMMARY_TITLE, right=frozenset(HEADERS[1:]))
    for row in summary_table_rows(rows):
        sheet.add_row(*row)
    return sheet


def write_report(season: Season, rows: list[PoolSummary], check: Conservation, chart: Path) -> Path:
    cfg = season.config
    comeback = [s for s in season.specs if s.comeback_until]
    lines = [
        "# NMR Delegation Pools — demo season",
        "",
        f"{cfg.pools} pools, {cfg.delegators} delegators, {cfg.rounds} daily rounds, results "
        f"{cfg.lag} rounds after each round closes, seed {cfg.seed}. Every round was scored by the "
        "engine on a synthetic tournament round and settled through `ape pools settle`'s code path.",
        "",
        f"![price per share]({chart.name})",
        "",
        "## Pools",
        "",
        "| " + " | ".join(HEADERS) + " |",
        "| " + " | ".join("---" for _ in HEADERS) + " |",
    ]
    lines += ["| " + " | ".join(r) + " |" for r in summary_table_rows(rows)]
    c = season.counts
    lines += [
        "",
        "## What the delegators did",
        "",
        f"{c.deposits} first deposits, {c.top_ups} top-ups, {c.redemptions} redemptions "
        f"({c.switches} of them chasing a better pool), {c.cancellations} cancelled requests, "
        f"{c.claims} claims; owners claimed fees {c.fee_claims} times.",
    ]
    if comeback:
        lines += [
            "",
            "## The high-water mark at work",
            "",
            f"`{comeback[0].name}` burned for its first {comeback[0].comeback_until} rounds, then recovered. "
            "The chart's dashed line is its high-water mark: no fee is charged on gains until the price "
            "climbs back above it.",
        ]
    lines += ["", "## Conservation (every NMR accounted for)", ""]
    lines += [f"- {line}" for line in check.lines]
    lines += [
        "",
        f"Result: {'all balances reconcile' if check.ok else 'MISMATCH'}.",
        "",
        "## Results files",
        "",
        "| round | digest |",
        "| ---: | --- |",
    ]
    lines += [f"| {r} | `{d}` |" for r, d in sorted(season.digests.items())]
    path = cfg.out / "report.md"
    path.write_text("\n".join(lines) + "\n")
    return path
