"""NMR amounts: parse "12.5" into wei, show wei as NMR, WAD fractions as percentages."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

# NMR (and pool shares) have 18 decimals: 1 NMR = 10**18 wei.
DECIMALS = 18
UNIT = 10**DECIMALS
# 1e18 = 100%: the unit of round returns and prices per share
WAD = 10**18
# 10,000 basis points = 100%
BPS = 10_000


def parse_nmr(text: str, *, what: str = "amount", allow_zero: bool = False) -> int:
    """`"12.5"` -> 12_500_000_000_000_000_000. ValueError with a sentence when it is not an amount."""
    cleaned = str(text).strip().replace("_", "")
    if cleaned.upper().endswith("NMR"):
        cleaned = cleaned[:-3].strip()
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError(f"{what} {text!r} is not a number; write it in NMR, e.g. 12.5") from None
    if not value.is_finite():
        raise ValueError(f"{what} {text!r} is not a finite number")
    if value < 0:
        raise ValueError(f"{what} {text!r} is negative; give a positive amount of NMR")
    wei = value * UNIT
    if wei != wei.to_integral_value():
        raise ValueError(f"{what} {text!r} has more than {DECIMALS} decimals")
    if wei == 0 and not allow_zero:
        raise ValueError(f"{what} must be more than 0 NMR")
    return int(wei)


def format_nmr(wei: int, *, places: int = 6, unit: str = "NMR") -> str:
    """12_500_000_000_000_000_000 -> "12.5 NMR" (at most `places` decimals, trailing zeros dropped)."""
    sign = "-" if wei < 0 else ""
    whole, frac = divmod(abs(int(wei)), UNIT)
    digits = f"{frac:0{DECIMALS}d}"[:places].rstrip("0")
    exact = f"{frac:0{DECIMALS}d}".rstrip("0")
    approx = "~" if len(exact) > places and frac else ""
    text = f"{whole:,}" + (f".{digits}" if digits else "")
    return f"{approx}{sign}{text}" + (f" {unit}" if unit else "")


def format_wad_pct(wad: int, *, places: int = 4) -> str:
    """A signed WAD fraction as a percentage: 2.5e16 -> "+2.5%"."""
    pct = Decimal(int(wad)) / Decimal(WAD) * 100
    text = f"{pct:.{places}f}".rstrip("0").rstrip(".")
    return ("+" if wad > 0 else "") + text + "%"


def format_price(wad: int) -> str:
    """A price per share (WAD) as NMR per share: 1.0123 NMR."""
    return format_nmr(wad, places=8)


def parse_fee(text: str) -> int:
    """A fee as a percentage ("20", "20%", "12.5%") or basis points ("2000bps") -> basis points."""
    cleaned = str(text).strip().lower().replace(" ", "")
    try:
        if cleaned.endswith("bps"):
            value = Decimal(cleaned[:-3])
            bps = value
        else:
            value = Decimal(cleaned.rstrip("%"))
            bps = value * 100
    except InvalidOperation:
        raise ValueError(f"fee {text!r} is not a percentage; write e.g. 20 or 12.5% (or 2000bps)") from None
    if not bps.is_finite() or bps != bps.to_integral_value():
        raise ValueError(f"fee {text!r} is finer than one basis point (0.01%)")
    if bps < 0 or bps > BPS:
        raise ValueError(f"fee {text!r} must be between 0% and 100%")
    return int(bps)


def format_fee(bps: int) -> str:
    """2000 -> "20%"."""
    pct = f"{Decimal(int(bps)) / 100:f}"
    return (pct.rstrip("0").rstrip(".") if "." in pct else pct) + "%"
