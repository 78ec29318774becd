// The panel of the chosen pool: its facts and price chart, what the account can claim, its
// pending requests (with Cancel while their round is open), previews of a deposit or
// redemption as it is typed, and the owner's fee and fee-claim controls.

import { formatFee, formatNmr, formatPrice, parseNmr } from "../amounts.js";
import { priceChart } from "../chart.js";
import { el, fill } from "../dom.js";
import { previewDeposit, previewRedeem, whenConverts } from "../request_preview.js";
import { feeText, roomText } from "./pools_view.js";

/** The state, and what it means for the holders (DESIGN.md §5). */
export function stateText(pool) {
  if (pool.closed) return `${pool.stateText}: nothing more is settled; redemptions convert at once at the final price`;
  if (pool.windingDown) {
    return `${pool.stateText}: no new deposits; every round up to ${pool.windDownRound} is still settled, then the pool closes`;
  }
  return pool.stateText;
}

/** Gains the treasury could not pay when they were settled: the pool draws them later. */
export function owedText(pool) {
  if (pool.treasuryOwed === 0n) return "nothing";
  return `${formatNmr(pool.treasuryOwed)} of gains, drawn at the next settlement once the treasury is funded`;
}

function facts(pool, chain) {
  const waiting = chain.currentRound - 1n - pool.lastSettledRound;
  const rows = [
    ["Pool", el("span", { class: "address" }, pool.address)],
    ["Owner", el("span", { class: "address" }, pool.owner)],
    ["State", stateText(pool)],
    ["Price per share", formatPrice(pool.pricePerShare)],
    ["High-water mark", formatPrice(pool.highWaterMark)],
    ["NMR under management", formatNmr(pool.totalAssets)],
    ["Pending deposits", formatNmr(pool.pendingDepositAssets)],
    ["Pending redemptions", formatNmr(pool.pendingRedeemShares, { unit: "shares" })],
    ["Deposit limit left", roomText(pool)],
    ["Owed by the treasury", owedText(pool)],
    ["Performance fee", feeText(pool)],
    ["Last settled round", `${pool.lastSettledRound} (${waiting > 0n ? waiting : 0n} closed round(s) waiting)`],
  ];
  return rows.flatMap(([term, value]) => [el("dt", {}, term), el("dd", {}, value)]);
}

/** What a deposit of the typed amount would do, or "" while the amount is not valid. */
export function depositPreviewText(pool, chain, text) {
  let amount;
  try {
    amount = parseNmr(text);
  } catch {
    return "";
  }
  if (!pool.acceptsDeposits) return "";
  const p = previewDeposit(pool, chain.currentRound, chain.returnCap, amount);
  const risk = ` Your NMR is at risk from round ${p.requestRound} on.`;
  if (p.convertsNow) return `The pool is caught up: converts at once to ${formatNmr(p.atCurrentPrice, { unit: "shares" })}.${risk}`;
  return `Converts after round ${p.convertAfterRound} is settled (${p.roundsToWait} round(s) to go): `
    + `${formatNmr(p.atCurrentPrice, { unit: "shares" })} at today's price, between ${formatNmr(p.worst, { unit: "" })} `
    + `and ${formatNmr(p.best, { unit: "shares" })} after those rounds.${risk}`;
}

/** What redeeming the typed number of shares would do, or "" while it is not valid. */
export function redeemPreviewText(pool, chain, text) {
  let shares;
  try {
    shares = parseNmr(text);
  } catch {
    return "";
  }
  const p = previewRedeem(pool, chain.currentRound, chain.returnCap, shares);
  if (p.convertsNow) return `Converts at once to ${formatNmr(p.atCurrentPrice)}${pool.closed ? " (the final price)" : ""}.`;
  const last = pool.windingDown && p.requestRound === pool.windDownRound + 1n
    ? ` The pool is winding down: round ${pool.windDownRound} is the last it plays, so this converts when it is settled.`
    : "";
  return `Worth ${formatNmr(p.atCurrentPrice)} today; converts after round ${p.convertAfterRound} is settled `
    + `(${p.roundsToWait} round(s) to go), to between ${formatNmr(p.worst, { unit: "" })} and ${formatNmr(p.best)}.${last}`;
}

export function claimText(position) {
  const parts = [];
  if (position.claimableShares > 0n) parts.push(`${formatNmr(position.claimableShares, { unit: "shares" })} from deposits`);
  if (position.claimableNmr > 0n) parts.push(`${formatNmr(position.claimableNmr)} from redemptions`);
  return parts.length ? `Ready to claim: ${parts.join(" and ")}.` : "Nothing to claim yet.";
}

function cancellable(pool, chain, round) {
  return pool.closed || round === chain.currentRound;
}

function pendingItems(pool, chain, position, onCancel) {
  const items = [];
  const sides = [
    ["deposit", position.pendingDeposits, (a) => formatNmr(a)],
    ["redeem", position.pendingRedemptions, (s) => formatNmr(s, { unit: "shares" })],
  ];
  for (const [side, requests, format] of sides) {
    for (const [round, amount] of requests) {
      const what = `${side === "deposit" ? "Deposit" : "Redemption"} of ${format(amount)} made in round ${round}`;
      const when = whenConverts(pool, round);
      const button = cancellable(pool, chain, round)
        ? el("button", { type: "button", class: "secondary", "aria-label": `Cancel the ${what.toLowerCase()}`,
          onclick: () => onCancel(side, round) }, "Cancel")
        : null;
      const text = pool.closed ? `${what}: the pool is closed, so it never converts; cancel it to take it back. `
        : `${what}: converts ${when}. `;
      items.push(el("li", { "data-side": side, "data-round": String(round) }, text, button));
    }
  }
  return items.length ? items : [el("li", { class: "muted" }, "No pending requests.")];
}

export function renderPoolPanel(nodes, { pool, chain, history, accountData, account }, handlers) {
  nodes.title.textContent = `Pool ${pool.model}`;
  fill(nodes.chart, priceChart(pool.model, history.get(pool.address) ?? [], { width: 520, height: 200, detailed: true }));
  fill(nodes.facts, facts(pool, chain));
  nodes.connectHint.hidden = Boolean(account);
  nodes.actions.hidden = !account || !accountData;
  if (!account || !accountData) return;
  const position = accountData.positions.get(pool.address);
  nodes.depositPreview.textContent = depositPreviewText(pool, chain, nodes.depositInput.value);
  nodes.redeemPreview.textContent = redeemPreviewText(pool, chain, nodes.redeemInput.value);
  nodes.depositSubmit.textContent = pool.acceptsDeposits ? "Deposit" : `Deposit (pool ${pool.state})`;
  nodes.claimText.textContent = claimText(position);
  nodes.claimButton.disabled = position.claimableShares === 0n && position.claimableNmr === 0n;
  fill(nodes.pendingList, pendingItems(pool, chain, position, handlers.onCancel));
  const isOwner = pool.owner.toLowerCase() === account.toLowerCase();
  nodes.ownerBox.hidden = !isOwner;
  if (isOwner) {
    const increase = chain.currentRound + chain.feeDelayRounds;
    nodes.feeHelp.textContent = `Now ${feeText(pool)}; the factory allows up to ${formatFee(chain.feeCapBps)}. `
      + `A decrease applies at once; an increase applies from round ${increase}.`;
    nodes.feesOwed.textContent = `Fees owed: ${formatNmr(pool.feesOwed)}.`;
    nodes.claimFeesButton.disabled = pool.feesOwed === 0n;
  }
}
