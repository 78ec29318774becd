// Everything the page knows about the factory and its pools, read in one place. When the
// contract's views change (wind-down, emergency exit, results committee), this module and
// `poolState` change and nothing else does.

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
  totalSupply: "totalSupply",
  pendingDepositAssets: "pending_deposit_assets",
  pendingRedeemShares: "pending_redeem_shares",
  depositLimit: "deposit_limit",
  feesOwed: "fees_owed",
  lastSettledRound: "last_settled_round",
  paused: "paused",
  isShutdown: "is_shutdown",
};

// field -> the factory's view function that returns it
const FACTORY_VIEWS = {
  currentRound: "current_round",
  returnCap: "return_cap",
  feeCapBps: "fee_cap_bps",
  feeDelayRounds: "fee_delay_rounds",
  poolCount: "pool_count",
};

/**
 * The pool's state in words: "active", "paused", "winding down" or "closed".
 * Today's contract has `paused` and `is_shutdown` (a shut-down pool converts redemptions at
 * once and settles nothing more, so it reads as "closed"); the coming wind-down adds
 * "winding down" until its last round is settled.
 */
export function poolState(fields) {
  if (fields.isShutdown) return "closed";
  if (fields.paused) return "paused";
  return "active";
}

/** The model's readable name: the share token is "NMR Pool <name>". */
function modelLabel(name, modelId) {
  if (name.startsWith("NMR Pool ")) return name.slice("NMR Pool ".length);
  return name || hexToString(modelId, { size: 32 }).replace(/\0+$/, "");
}

function decorate(address, fields) {
  const state = poolState(fields);
  const room = fields.depositLimit - fields.totalAssets - fields.pendingDepositAssets;
  return {
    address,
    ...fields,
    model: modelLabel(fields.name, fields.modelId),
    state,
    closed: state === "closed",
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
