// Failed requests as one plain sentence: the contract's revert reason ("pool: paused") decoded
// and explained, a rejection in the wallet, a wrong network. Never a stack trace.

import { BaseError, ContractFunctionRevertedError, UserRejectedRequestError } from "viem";

// Revert-reason prefixes of our contracts and the part each belongs to.
const CONTRACTS = {
  pool: "the pool",
  factory: "the factory",
  treasury: "the treasury",
  nmr: "the NMR token",
  erc20: "the pool's share token",
  ownable: "the pool",
};

// What to do about the reverts a delegator or owner can fix; the key is the full reason.
const HINTS = {
  "pool: paused": "the pool takes no new deposits while paused; redeeming and claiming still work",
  "pool: shut down": "the pool is closed; redeem and claim what you hold",
  "pool: round closed, cannot cancel": "a request can be cancelled only while the round it was made in is open",
  "pool: request already converted": "it has converted already: claim it instead",
  "pool: deposit limit exceeded": "deposit less, or ask the pool's owner to raise the limit",
  "pool: fee above cap": "the factory caps fees; choose a lower fee",
  "pool: no fees owed": "fees accrue only on gains above the high-water mark",
  "pool: too many open requests": "claim what has converted first",
  "nmr: approve from non-zero": "NMR needs changeApproval for a non-zero allowance; reload the page and try again",
  "nmr: allowance is not old_value": "the allowance changed meanwhile; try again",
  "erc20: insufficient balance": "you hold less than that",
  // requestRedeem burns the shares it locks: more than the owner holds is refused by the burn
  "erc20: burn amount exceeds balance": "you hold fewer shares than that; claim converted deposits first",
  "ownable: caller is not the owner": "only the pool's owner may do this",
};

/** The sentence for a revert reason such as "pool: paused". */
export function explainReason(reason) {
  const cut = reason.indexOf(": ");
  const who = cut > 0 ? CONTRACTS[reason.slice(0, cut)] : undefined;
  let sentence = who ? `Refused by ${who}: ${reason.slice(cut + 2)}` : `Refused: ${reason}`;
  if (HINTS[reason]) sentence += ` (${HINTS[reason]})`;
  return `${sentence}.`;
}

/** One sentence for any error a request ended with. */
export function explain(error) {
  if (error instanceof BaseError) {
    if (error.walk((e) => e instanceof UserRejectedRequestError) || error.walk((e) => e?.code === 4001)) {
      return "You rejected the request in your wallet; nothing was sent.";
    }
    const reverted = error.walk((e) => e instanceof ContractFunctionRevertedError);
    if (reverted) {
      if (reverted.reason) return explainReason(reverted.reason);
      // mainnet NMR reverts without a reason string (DESIGN.md §6)
      return "Refused without a reason (mainnet NMR gives none): check your balance and allowance.";
    }
    return ensureStop(error.shortMessage || error.message);
  }
  if (error && error.code === 4001) return "You rejected the request in your wallet; nothing was sent.";
  return ensureStop(error?.message || String(error));
}

function ensureStop(text) {
  const line = String(text).split("\n")[0].trim();
  return /[.!?]$/.test(line) ? line : `${line}.`;
}
