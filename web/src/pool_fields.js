// Everything the page knows about the factory and its pools, read in one place. When the
// contract's views change (as wind-down and emergency exit replaced shutdown; the results
// committee next), this module and `poolState` change and nothing else does.

import { hexToString } from "viem";

import { NO_LIMIT } from "./amounts.js";

// field -> the pool's view function that returns it
const POOL_VIEWS = {
  name: "name",
  modelId: "model_id",
  owner: "owner",
  feeBps: "fee_bps",
  pendingFeeBps: "pending_fee_bps",
  pendingFeeRound: "pending_fee_round",
  pricePerShare: "price_per_share",
  highWaterMark: "high_water_mark",
  totalAssets: "totalAssets",
  // the shares the price counts: circulating, converted but unclaimed (minted when claimed), and
  // locked in pending redemptions; `totalSupply` is only the circulating ones
  shareSupply: "share_supply",
  pendingDepositAssets: "pending_deposit_assets",
  pendingRedeemShares: "pending_redeem_shares",
  depositLimit: "deposit_limit",
  feesOwed: "fees_owed",
  lastSettledRound: "last_settled_round",
  paused: "paused",
  // Closure flag: 0 open, 1 wound down, 2 emergency exit, 4 depleted
  closure: "closure",
  // the last round a winding-down pool plays (0: not winding down)
  windDownRound: "wind_down_round",
  // gains the treasury could not pay when settled, owed to the pool
  treasuryOwed: "treasury_owed",
};

// pool_ledger.vy `flag Closure`: why a pool closed
const CLOSURES = [[1n, "wound down"], [2n, "emergency exit"], [4n, "depleted"]];

// field -> the factory's view function that returns it
const FACTORY_VIEWS = {
  currentRound: "current_round",
  returnCap: "return_cap",
  feeCapBps: "fee_cap_bps",
  feeDelayRounds: "fee_delay_rounds",
  poolCount: "pool_count",
};

/**
 * The pool's state (DESIGN.md §5, nmr_pools/lifecycle.py): its kind, "active", "paused",
 * "winding down" (no new deposits; every round up to its last is still settled) or "closed"
 * (nothing more is settled; redemptions convert at once at the final price), and the words
 * `ape pools status` shows: "winding down to round 12", "closed: emergency exit", …
 */
export function poolState(fields) {
  const closure = BigInt(fields.closure ?? 0n);
  const windDownRound = BigInt(fields.windDownRound ?? 0n);
  if (closure !== 0n) {
    const why = CLOSURES.filter(([bit]) => (closure & bit) !== 0n).map(([, words]) => words).join(", ");
    return { state: "closed", text: `closed: ${why}`, closedBecause: why };
  }
  if (windDownRound !== 0n) {
    const text = `winding down to round ${windDownRound}`;
    return { state: "winding down", text: fields.paused ? `${text}, paused` : text, closedBecause: "" };
  }
  if (fields.paused) return { state: "paused", text: "paused", closedBecause: "" };
  return { state: "active", text: "active", closedBecause: "" };
}

/** The model's readable name: the share token is "NMR Pool <name>". */
function modelLabel(name, modelId) {
  if (name.startsWith("NMR Pool ")) return name.slice("NMR Pool ".length);
  return name || hexToString(modelId, { size: 32 }).replace(/\0+$/, "");
}

function decorate(address, fields) {
  const { state, text, closedBecause } = poolState(fields);
  const room = fields.depositLimit - fields.totalAssets - fields.pendingDepositAssets;
  return {
    address,
    ...fields,
    model: modelLabel(fields.name, fields.modelId),
    state,
    stateText: text,
    closedBecause,
    closed: state === "closed",
    windingDown: state === "winding down",
    acceptsDeposits: state === "active",
    unlimited: fields.depositLimit === NO_LIMIT,
    depositRoom: room > 0n ? room : 0n,
  };
}

/** The factory's schedule and caps, and every pool (in creation order) with its fields. */
export async function readPools(reader) {
  const config = reader.config;
  const factory = reader.contract("PoolFactory", config.factory);
  const factoryNames = Object.keys(FACTORY_VIEWS);
  const values = await reader.readMany(factoryNames.map((name) => ({ ...factory, functionName: FACTORY_VIEWS[name] })));
  const summary = Object.fromEntries(factoryNames.map((name, i) => [name, values[i]]));
  const indexes = Array.from({ length: Number(summary.poolCount) }, (_, i) => BigInt(i));
  const addresses = await reader.readMany(indexes.map((i) => ({ ...factory, functionName: "pool_at", args: [i] })));
  const poolNames = Object.keys(POOL_VIEWS);
  const calls = addresses.flatMap((address) => {
    const pool = reader.contract("DelegationPool", address);
    return poolNames.map((name) => ({ ...pool, functionName: POOL_VIEWS[name] }));
  });
  const flat = await reader.readMany(calls);
  const pools = addresses.map((address, p) => {
    const fields = Object.fromEntries(poolNames.map((name, i) => [name, flat[p * poolNames.length + i]]));
    return decorate(address, fields);
  });
  return { ...summary, pools };
}
