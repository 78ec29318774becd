"""Integer arithmetic of the pool, with the contract's units and rounding directions.

Everything is a Python `int` in the contract's units: NMR wei, share wei, WAD fractions
(1e18 = 100%) and basis points (10,000 = 100%). No floats anywhere.
"""

from __future__ import annotations

from nmr_pools.model.errors import ModelRevert

# 1e18 = 100%: the unit of round returns and of the price per share
WAD = 10**18
# 10,000 basis points = 100%
BPS = 10_000
# one virtual share and one virtual asset in every conversion (inflation/rounding guard)
VIRTUAL_OFFSET = 1
# largest value of a uint256 (snekmate's "infinite allowance")
MAX_UINT256 = 2**256 - 1


def mul_div(x: int, y: int, denominator: int, roundup: bool) -> int:
    """snekmate `math._mul_div`: `x * y / denominator`, rounded down, or up when `roundup`.

    Exact (512-bit on chain, unbounded here); reverts on a zero denominator or a result
    that does not fit in 256 bits, like the contract.
    """
    if denominator == 0:
        raise ModelRevert("math: mul_div division by zero")
    quotient, remainder = divmod(x * y, denominator)
    if roundup and remainder:
        quotient += 1
    if quotient > MAX_UINT256:
        raise ModelRevert("math: mul_div overflow")
    return quotient


def to_shares(assets: int, total_assets: int, total_supply: int, roundup: bool) -> int:
    """Shares `assets` NMR buy: `assets * (supply + 1) / (total_assets + 1)`."""
    return mul_div(assets, total_supply + VIRTUAL_OFFSET, total_assets + VIRTUAL_OFFSET, roundup)


def to_assets(shares: int, total_assets: int, total_supply: int, roundup: bool) -> int:
    """NMR `shares` are worth: `shares * (total_assets + 1) / (supply + 1)`."""
    return mul_div(shares, total_assets + VIRTUAL_OFFSET, total_supply + VIRTUAL_OFFSET, roundup)


# the high-water mark's field (128 bits) holds at most this price (pool_ledger.vy: MAX_MARK)
MAX_MARK = 2**128 - 1


def raised_mark(mark: int, price: int) -> int:
    """The high-water mark after a settled price: never lower, never beyond its field."""
    return min(max(mark, price), MAX_MARK)


def price_per_share(total_assets: int, total_supply: int) -> int:
    """NMR per 1e18 shares (WAD), rounded down: `1e18 * (total_assets + 1) / (supply + 1)`."""
    return to_assets(WAD, total_assets, total_supply, False)


def performance_fee(
    assets_before: int, assets_after: int, fee_bps: int, high_water_mark: int, total_supply: int
) -> int:
    """The performance fee on a gain from `assets_before` to `assets_after` (contract `_performance_fee`).

        hwm_assets = ceil(hwm * (supply + 1) / 1e18) - 1
        base       = max(assets_before, hwm_assets)
        fee        = floor((assets_after - base) * fee_bps / 10_000)   if assets_after > base else 0

    `hwm_assets` is the least `A` whose price `floor((A + 1) * 1e18 / (supply + 1))` reaches the
    high-water mark, so only the part of the gain that lifts the price above the mark is charged.
    """
    if fee_bps == 0:
        return 0
    hwm_assets = mul_div(high_water_mark, total_supply + VIRTUAL_OFFSET, WAD, True) - 1
    base = max(assets_before, hwm_assets)
    if assets_after <= base:
        return 0
    # round down: the fee never takes more than its share
    return mul_div(assets_after - base, fee_bps, BPS, False)
