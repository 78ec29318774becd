// Runs the page's pure functions on cases given as JSON (stdin) and prints their results as
// JSON (stdout), so tests/web/test_js_logic.py can compare them with the Python originals.
// bigints travel as decimal strings.

import { readFileSync } from "node:fs";

import { formatFee, formatNmr, parseFee, parseNmr } from "../src/amounts.js";
import { allowanceStep } from "../src/approvals.js";
import { poolState } from "../src/pool_fields.js";
import { bounds, lastPlayedRound, redeemGroup, toAssets, toShares, whenConverts } from "../src/request_preview.js";

const big = (value) => BigInt(value);
const str = (value) => (typeof value === "bigint" ? value.toString() : value);

function attempt(fn) {
  try {
    return { ok: str(fn()) };
  } catch (error) {
    return { error: error.message };
  }
}

const RUNNERS = {
  formatNmr: ([wei, places, unit]) => formatNmr(big(wei), { places, unit }),
  parseNmr: ([text]) => attempt(() => parseNmr(text)),
  formatFee: ([bps]) => formatFee(big(bps)),
  parseFee: ([text]) => attempt(() => parseFee(text)),
  bounds: ([value, cap, rounds]) => bounds(big(value), big(cap), big(rounds)).map(str),
  toShares: ([assets, supply, total]) => str(toShares(big(assets), big(supply), big(total))),
  toAssets: ([shares, supply, total]) => str(toAssets(big(shares), big(supply), big(total))),
  // a pool as the page decorates it, from its closure flag, wind-down round, paused flag, last settled round
  lifecycle: ([closure, windDownRound, paused, lastSettledRound, currentRound, requestRound]) => {
    const { state, text } = poolState({ closure: big(closure), windDownRound: big(windDownRound), paused });
    const pool = {
      closed: state === "closed", windingDown: state === "winding down", windDownRound: big(windDownRound),
      lastSettledRound: big(lastSettledRound),
    };
    return {
      text,
      lastPlayedRound: str(lastPlayedRound(pool, big(currentRound))),
      redeemGroup: str(redeemGroup(pool, big(currentRound))),
      converts: whenConverts(pool, big(requestRound)),
    };
  },
  allowanceStep: ([current, amount]) => {
    const step = allowanceStep("0xPool", big(current), big(amount));
    return step && { functionName: step.functionName, args: step.args.map(str) };
  },
};

const cases = JSON.parse(readFileSync(0, "utf8"));
const results = cases.map(([name, args]) => RUNNERS[name](args));
process.stdout.write(JSON.stringify(results));
