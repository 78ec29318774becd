// What a person typed, checked before anything is signed. Each check returns the amount in
// wei (or basis points) or throws AmountError with the sentence the form shows.

import { AmountError, formatFee, formatNmr, parseFee, parseNmr } from "./amounts.js";

function checkAcceptsDeposits(pool) {
  if (pool.state === "closed") {
    throw new AmountError(`The ${pool.model} pool is closed (${pool.closedBecause}) and takes no deposits.`);
  }
  if (pool.state === "winding down") {
    throw new AmountError(`The ${pool.model} pool is winding down (round ${pool.windDownRound} is its last) and takes `
      + "no deposits; redeeming and claiming still work.");
  }
  if (pool.state === "paused") {
    throw new AmountError(`The ${pool.model} pool is paused and takes no new deposits (redeeming and claiming still work).`);
  }
}

/** A deposit of `text` NMR from an account holding `nmrBalance` into `pool`. */
export function checkDeposit(text, pool, nmrBalance) {
  const amount = parseNmr(text, { what: "amount to deposit" });
  checkAcceptsDeposits(pool);
  if (amount > nmrBalance) {
    throw new AmountError(`You hold ${formatNmr(nmrBalance)}, less than ${formatNmr(amount)}.`);
  }
  if (!pool.unlimited && amount > pool.depositRoom) {
    throw new AmountError(`The pool's deposit limit leaves room for ${formatNmr(pool.depositRoom)} only.`);
  }
  return amount;
}

/** A redemption of `text` shares by an account whose position in the pool is `position`. */
export function checkRedeem(text, position) {
  const shares = parseNmr(text, { what: "number of shares" });
  if (shares > position.shares) {
    const hint = position.claimableShares > 0n ? " (claim your converted deposits first)" : "";
    throw new AmountError(
      `You hold ${formatNmr(position.shares, { unit: "shares" })}, less than ${formatNmr(shares, { unit: "shares" })}${hint}.`,
    );
  }
  return shares;
}

/** A new fee of `text` percent for `pool`, under the factory's cap. */
export function checkFee(text, pool, feeCapBps) {
  const bps = parseFee(text);
  if (bps > feeCapBps) {
    throw new AmountError(`A fee of ${formatFee(bps)} is above the factory's cap of ${formatFee(feeCapBps)}.`);
  }
  if (bps === pool.feeBps && pool.pendingFeeRound === 0n) throw new AmountError(`The fee is ${formatFee(bps)} already.`);
  return bps;
}
