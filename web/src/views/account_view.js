// The account view: NMR balance, then one row per pool the account is in: shares and their
// value, claimable amounts, pending requests with their round, and the best/worst case.

import { formatNmr } from "../amounts.js";
import { el, fill } from "../dom.js";
import { whenConverts } from "../request_preview.js";

export function claimableLines(position) {
  const lines = [];
  if (position.claimableShares > 0n) lines.push(`${formatNmr(position.claimableShares, { unit: "shares" })} (deposit)`);
  if (position.claimableNmr > 0n) lines.push(`${formatNmr(position.claimableNmr)} (redemption)`);
  return lines;
}

/** [request text, converts text] per pending request, deposits first (as `ape pools status`). */
export function pendingLines(pool, position) {
  return [
    ...position.pendingDeposits.map(([round, assets]) => [`deposit ${formatNmr(assets)} (round ${round})`, whenConverts(pool, round)]),
    ...position.pendingRedemptions.map(([round, shares]) => [
      `redeem ${formatNmr(shares, { unit: "shares" })} (round ${round})`, whenConverts(pool, round),
    ]),
  ];
}

const stack = (lines) => (lines.length ? lines.flatMap((line, i) => (i ? [el("br"), line] : [line])) : ["–"]);

export function renderAccount(nodes, chain, accountData, onSelect) {
  nodes.balance.textContent = `NMR balance: ${formatNmr(accountData.nmrBalance)}`;
  const rows = [];
  for (const pool of chain.pools) {
    const position = accountData.positions.get(pool.address);
    if (!position || position.empty) continue;
    const pending = pendingLines(pool, position);
    rows.push(el("tr", { "data-pool": pool.address, "data-model": pool.model },
      el("th", { scope: "row" }, el("button", { type: "button", class: "link", onclick: () => onSelect(pool.address) }, pool.model)),
      el("td", { class: "num", "data-field": "shares" }, formatNmr(position.shares, { unit: "" })),
      el("td", { class: "num", "data-field": "value" }, formatNmr(position.value)),
      el("td", { "data-field": "claimable" }, stack(claimableLines(position))),
      el("td", { "data-field": "pending" }, stack(pending.map(([text]) => text))),
      el("td", { "data-field": "converts" }, stack(pending.map(([, when]) => when))),
      el("td", { class: "num", "data-field": "worst" }, formatNmr(position.worst)),
      el("td", { class: "num", "data-field": "best" }, formatNmr(position.best)),
    ));
  }
  fill(nodes.body, rows);
  nodes.table.hidden = rows.length === 0;
  nodes.note.textContent = rows.length
    ? "Worst and best case: every unsettled round the position bears at ∓ the cap (before fees)."
    : "You have nothing in these pools yet: choose a pool above to deposit.";
}
