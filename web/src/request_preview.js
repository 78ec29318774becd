// Previews of requests and best/worst cases of positions: a port of nmr_pools/preview.py
// (what `ape pools status`, `deposit` and `redeem` print), in exact bigint arithmetic.
//
// The pool's conversions (virtual offset 1, rounding down; supply is `share_supply`: shares in
// circulation, converted but unclaimed, and locked in pending redemptions):
//     shares = assets * (supply + 1) / (total_assets + 1)
//     assets = shares * (total_assets + 1) / (supply + 1)
// Best/worst cases bound every in-flight round by the factory's return cap: each round moves
// a position by at most ±cap (fees ignored, so the best case is before fees). A winding-down
// pool plays no round after its last, and a closed one settles nothing more
// (nmr_pools/lifecycle.py).

import { WAD } from "./amounts.js";

// virtual shares and assets the pool adds to every conversion
const VIRTUAL_OFFSET = 1n;

const max0 = (n) => (n > 0n ? n : 0n);

export function toShares(assets, supply, totalAssets) {
  // round down: like the pool, dust stays in the pool (all values are >= 0, so / floors)
  return (assets * (supply + VIRTUAL_OFFSET)) / (totalAssets + VIRTUAL_OFFSET);
}

export function toAssets(shares, supply, totalAssets) {
  // round down: like the pool, dust stays in the pool
  return (shares * (totalAssets + VIRTUAL_OFFSET)) / (supply + VIRTUAL_OFFSET);
}

/** value * (1 + r)^rounds with WAD r, rounded down at every round. */
export function compound(value, roundReturn, rounds) {
  let result = value;
  for (let i = 0n; i < rounds; i += 1n) result = (result * (WAD + roundReturn)) / WAD;
  return result;
}

/** [worst, best] of `value` after `rounds` rounds of at most ±cap each. */
export function bounds(value, cap, rounds) {
  return [compound(value, -cap, rounds), compound(value, cap, rounds)];
}

/** The last round the pool's active shares bear: the open one, a wind-down's last, or for a
 * closed pool the last settled one (Lifecycle.last_played_round). */
export function lastPlayedRound(pool, currentRound) {
  if (pool.closed) return pool.lastSettledRound;
  if (pool.windingDown) return currentRound < pool.windDownRound ? currentRound : pool.windDownRound;
  return currentRound;
}

/** The group (request id) a redemption made now joins: after a wind-down's last round, the
 * one after it (Lifecycle.redeem_group). */
export function redeemGroup(pool, currentRound) {
  if (pool.windDownRound && pool.windDownRound !== 0n && currentRound > pool.windDownRound + 1n) {
    return pool.windDownRound + 1n;
  }
  return currentRound;
}

/** Unsettled rounds before `requestRound` (what must settle before its group converts; none in
 * a closed pool). */
export function roundsBefore(pool, requestRound) {
  if (pool.closed) return 0n;
  return max0(requestRound - 1n - pool.lastSettledRound);
}

/** Rounds active shares already bear but that are not settled (the open one included). */
export function inFlight(pool, currentRound) {
  return max0(lastPlayedRound(pool, currentRound) - pool.lastSettledRound);
}

/** When a request made in `requestRound` converts, in words (as `ape pools status`). */
export function whenConverts(pool, requestRound) {
  if (pool.closed) return "never: the pool is closed, cancel it to take it back";
  const wait = requestRound - 1n - pool.lastSettledRound;
  if (wait <= 0n) return "now";
  return `after round ${requestRound - 1n} is settled (${wait} to settle)`;
}

/**
 * A deposit of `assets` requested now: converts at once when the pool is caught up, else after
 * the rounds before the current one settle; the range covers what those rounds do to the price.
 */
export function previewDeposit(pool, currentRound, returnCap, assets) {
  const requestRound = currentRound;
  const convertsNow = requestRound <= pool.lastSettledRound + 1n;
  const wait = roundsBefore(pool, requestRound);
  const atCurrentPrice = toShares(assets, pool.shareSupply, pool.totalAssets);
  // a higher price (best case for the pool's rounds) buys fewer shares, and the other way round
  const [lowAssets, highAssets] = bounds(pool.totalAssets, returnCap, wait);
  return {
    requestRound,
    convertsNow,
    convertAfterRound: requestRound - 1n,
    roundsToWait: wait,
    atCurrentPrice,
    worst: toShares(assets, pool.shareSupply, highAssets),
    best: toShares(assets, pool.shareSupply, lowAssets),
  };
}

/** A redemption of `shares` requested now: it bears the unsettled rounds before now. */
export function previewRedeem(pool, currentRound, returnCap, shares) {
  const requestRound = redeemGroup(pool, currentRound);
  const convertsNow = pool.closed || requestRound <= pool.lastSettledRound + 1n;
  const wait = convertsNow ? 0n : roundsBefore(pool, requestRound);
  const value = toAssets(shares, pool.shareSupply, pool.totalAssets);
  const [worst, best] = bounds(value, returnCap, wait);
  return { requestRound, convertsNow, convertAfterRound: requestRound - 1n, roundsToWait: wait, atCurrentPrice: value, worst, best };
}

/**
 * An account's position in one pool with its worst/best NMR after every in-flight round
 * settles at ∓cap (nmr_pools.preview.read_position). `raw` holds the chain reads: shares,
 * claimableShares (maxMint), claimableDeposit (maxDeposit), claimableNmr (maxWithdraw),
 * claimableRedeemShares (maxRedeem), pendingDeposits and pendingRedemptions ([round, amount]).
 */
export function position(pool, currentRound, returnCap, raw) {
  const { shareSupply: supply, totalAssets } = pool;
  const active = raw.shares + raw.claimableShares;
  const value = toAssets(raw.shares, supply, totalAssets);
  // active shares bear every in-flight round
  let [worst, best] = bounds(toAssets(active, supply, totalAssets), returnCap, inFlight(pool, currentRound));
  for (const [requestRound, assets] of raw.pendingDeposits) {
    // a deposit bears the rounds from the one it was made in up to the open one (or the
    // wind-down's last); in a closed pool it comes back in full
    const [low, high] = bounds(assets, returnCap, max0(lastPlayedRound(pool, currentRound) - requestRound + 1n));
    worst += low;
    best += high;
  }
  for (const [requestRound, shares] of raw.pendingRedemptions) {
    // locked shares bear the unsettled rounds before the one they were requested in
    const [low, high] = bounds(toAssets(shares, supply, totalAssets), returnCap, roundsBefore(pool, requestRound));
    worst += low;
    best += high;
  }
  const empty = !(raw.shares || raw.claimableShares || raw.claimableNmr
    || raw.pendingDeposits.length || raw.pendingRedemptions.length);
  return { ...raw, value, worst: worst + raw.claimableNmr, best: best + raw.claimableNmr, empty };
}
