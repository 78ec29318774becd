// What each button does on chain, as a list of transactions sent one after the other through
// the wallet (each simulated first, see transactions.js).

import { formatFee, formatNmr } from "./amounts.js";
import { allowanceStep } from "./approvals.js";
import { readAllowance } from "./account.js";

const poolCall = (pool, label, functionName, args) => ({
  label, contract: "DelegationPool", address: pool.address, functionName, args,
});

/** Allow the pool to take `amount` (mainnet NMR's approve rule), then request the deposit. */
export async function deposit(sender, reader, pool, account, amount) {
  const current = await readAllowance(reader, account, pool.address);
  const step = allowanceStep(pool.address, current, amount);
  if (step) {
    const label = step.functionName === "approve"
      ? `Approve ${formatNmr(amount)} for ${pool.model}`
      : `Change the allowance for ${pool.model} from ${formatNmr(current)} to ${formatNmr(amount)} (changeApproval)`;
    await sender.send({ label, contract: "NMR", address: reader.config.nmr, ...step });
  }
  await sender.send(poolCall(pool, `Deposit ${formatNmr(amount)} into ${pool.model}`, "requestDeposit", [amount, account, account]));
}

/** Request to redeem `shares`. */
export async function redeem(sender, pool, account, shares) {
  const label = `Redeem ${formatNmr(shares, { unit: "shares" })} of ${pool.model}`;
  await sender.send(poolCall(pool, label, "requestRedeem", [shares, account, account]));
}

/** Claim every converted deposit (shares) and redemption (NMR), read just before sending. */
export async function claim(sender, reader, pool, account) {
  const contract = reader.contract("DelegationPool", pool.address);
  const [depositAssets, depositShares, redeemShares, redeemAssets] = await reader.readMany(
    ["maxDeposit", "maxMint", "maxRedeem", "maxWithdraw"].map((functionName) => ({ ...contract, functionName, args: [account] })),
  );
  if (depositAssets > 0n) {
    const label = `Claim ${formatNmr(depositShares, { unit: "shares" })} of ${pool.model}`;
    await sender.send(poolCall(pool, label, "deposit", [depositAssets, account, account]));
  }
  if (redeemShares > 0n) {
    const label = `Claim ${formatNmr(redeemAssets)} from ${pool.model}`;
    await sender.send(poolCall(pool, label, "redeem", [redeemShares, account, account]));
  }
}

/** Cancel the request made in `round` on `side` ("deposit" or "redeem"). */
export async function cancel(sender, pool, account, side, round) {
  const functionName = side === "deposit" ? "cancelDepositRequest" : "cancelRedeemRequest";
  const label = `Cancel the ${side === "deposit" ? "deposit" : "redemption"} request of round ${round} in ${pool.model}`;
  await sender.send(poolCall(pool, label, functionName, [round, account, account]));
}

export async function setFee(sender, pool, bps) {
  await sender.send(poolCall(pool, `Change the fee of ${pool.model} to ${formatFee(bps)}`, "set_fee", [bps]));
}

export async function claimFees(sender, pool, account) {
  await sender.send(poolCall(pool, `Claim ${formatNmr(pool.feesOwed)} of fees from ${pool.model}`, "claim_fees", [account]));
}
