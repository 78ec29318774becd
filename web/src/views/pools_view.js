// The pools table: every pool of the factory with its price, high-water mark, NMR under
// management, room left under the deposit limit, fee (and a pending increase), state and chart.

import { formatFee, formatNmr, formatPrice, formatWadPct } from "../amounts.js";
import { priceChart } from "../chart.js";
import { el, fill } from "../dom.js";

export function feeText(pool) {
  const now = formatFee(pool.feeBps);
  if (pool.pendingFeeRound === 0n) return now;
  return `${now} → ${formatFee(pool.pendingFeeBps)} from round ${pool.pendingFeeRound}`;
}

export function roomText(pool) {
  return pool.unlimited ? "no limit" : formatNmr(pool.depositRoom);
}

/** The line above the table: the open round and the per-round cap. */
export function roundLine(chain) {
  return `Round ${chain.currentRound} is open · each round moves a pool by at most ±${formatWadPct(chain.returnCap).slice(1)} `
    + `· fee increases apply ${chain.feeDelayRounds} rounds after they are announced`;
}

export function renderPools(body, chain, history, selected, onSelect) {
  const rows = chain.pools.map((pool) => {
    const button = el("button", {
      type: "button", class: "link", "aria-pressed": pool.address === selected ? "true" : "false",
      title: pool.address, onclick: () => onSelect(pool.address),
    }, pool.model);
    return el("tr", { class: pool.address === selected ? "selected" : null, "data-pool": pool.address, "data-model": pool.model },
      el("th", { scope: "row" }, button),
      el("td", { class: `state state-${pool.state.replace(" ", "-")}`, "data-state": pool.state }, pool.stateText),
      el("td", { class: "num", "data-field": "price" }, formatPrice(pool.pricePerShare)),
      el("td", { class: "num", "data-field": "hwm" }, formatPrice(pool.highWaterMark)),
      el("td", { class: "num", "data-field": "assets" }, formatNmr(pool.totalAssets)),
      el("td", { class: "num", "data-field": "room" }, roomText(pool)),
      el("td", { class: "num wrap", "data-field": "fee" }, feeText(pool)),
      el("td", { class: "num", "data-field": "settled" }, String(pool.lastSettledRound)),
      el("td", { "data-field": "chart" }, priceChart(pool.model, history.get(pool.address) ?? [])),
    );
  });
  fill(body, rows);
}
