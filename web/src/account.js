// One account's NMR balance and its position in every pool: shares, what is pending and
// claimable, and the best/worst case of the rounds in flight (as `ape pools status --account`).

import { position } from "./request_preview.js";

// field -> [view function, extra argument after the account]
const POSITION_VIEWS = {
  shares: ["balanceOf"],
  claimableShares: ["maxMint"],
  claimableDeposit: ["maxDeposit"],
  claimableNmr: ["maxWithdraw"],
  claimableRedeemShares: ["maxRedeem"],
  pendingDeposits: ["pending_requests", false],
  pendingRedemptions: ["pending_requests", true],
};

export async function readAccount(reader, chain, account) {
  const nmr = reader.contract("NMR", reader.config.nmr);
  const names = Object.keys(POSITION_VIEWS);
  const calls = [{ ...nmr, functionName: "balanceOf", args: [account] }];
  for (const pool of chain.pools) {
    const contract = reader.contract("DelegationPool", pool.address);
    for (const name of names) {
      const [functionName, ...extra] = POSITION_VIEWS[name];
      calls.push({ ...contract, functionName, args: [account, ...extra] });
    }
  }
  const [nmrBalance, ...flat] = await reader.readMany(calls);
  const positions = new Map();
  chain.pools.forEach((pool, p) => {
    const raw = Object.fromEntries(names.map((name, i) => [name, flat[p * names.length + i]]));
    raw.pendingDeposits = raw.pendingDeposits.map(([round, amount]) => [round, amount]);
    raw.pendingRedemptions = raw.pendingRedemptions.map(([round, amount]) => [round, amount]);
    positions.set(pool.address, position(pool, chain.currentRound, chain.returnCap, raw));
  });
  return { account, nmrBalance, positions };
}

/** The allowance `account` gave `spender` over its NMR (read just before a deposit). */
export async function readAllowance(reader, account, spender) {
  const nmr = reader.contract("NMR", reader.config.nmr);
  const [allowance] = await reader.readMany([{ ...nmr, functionName: "allowance", args: [account, spender] }]);
  return allowance;
}
