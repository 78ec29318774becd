// Price per share over the last settled rounds, from the pools' `Settled` events.

import { getAbiItem } from "viem";

// with a round span up to this long the query names the rounds (an OR of topics); beyond it,
// it takes every Settled event of the pools and keeps the last rounds of each
const MAX_ROUND_TOPICS = 180n;

/**
 * Map pool address -> [{round, price, highWaterMark, roundReturn}] for at most
 * `config.historyRounds` rounds up to each pool's last settled round, oldest first.
 */
export async function readHistory(reader, pools) {
  const config = reader.config;
  const series = new Map(pools.map((pool) => [pool.address, []]));
  const settledPools = pools.filter((pool) => pool.lastSettledRound > 0n);
  if (settledPools.length === 0) return series;
  const first = (pool) => {
    const start = pool.lastSettledRound - config.historyRounds + 1n;
    return start > 1n ? start : 1n;
  };
  const low = settledPools.reduce((m, p) => (first(p) < m ? first(p) : m), first(settledPools[0]));
  const high = settledPools.reduce((m, p) => (p.lastSettledRound > m ? p.lastSettledRound : m), 0n);
  const rounds = [];
  if (high - low < MAX_ROUND_TOPICS) for (let r = low; r <= high; r += 1n) rounds.push(r);
  const event = getAbiItem({ abi: config.abis.DelegationPool, name: "Settled" });
  const logs = await reader.client.getLogs({
    address: settledPools.map((pool) => pool.address),
    event,
    args: rounds.length ? { round: rounds } : undefined,
    fromBlock: config.deploymentBlock,
    toBlock: "latest",
  });
  const byAddress = new Map(settledPools.map((pool) => [pool.address.toLowerCase(), pool]));
  for (const log of logs) {
    const pool = byAddress.get(log.address.toLowerCase());
    if (!pool || log.args.round < first(pool)) continue;
    series.get(pool.address).push({
      round: log.args.round,
      price: log.args.price_per_share,
      highWaterMark: log.args.high_water_mark,
      roundReturn: log.args.round_return,
    });
  }
  for (const points of series.values()) points.sort((a, b) => (a.round < b.round ? -1 : a.round > b.round ? 1 : 0));
  return series;
}
