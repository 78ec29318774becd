// NMR amounts as bigint wei: parse what a person types, show wei as NMR.
// The same rules as nmr_pools/amounts.py, so the page and `ape pools` print the same strings.

// NMR (and pool shares) have 18 decimals: 1 NMR = 10**18 wei.
export const DECIMALS = 18;
export const UNIT = 10n ** 18n;
// 1e18 = 100%: the unit of round returns and prices per share
export const WAD = 10n ** 18n;
// 10,000 basis points = 100%
export const BPS = 10_000n;
// the deposit limit of a pool nobody capped: max uint256
export const NO_LIMIT = 2n ** 256n - 1n;

const PLAIN_NUMBER = /^(\d+)(?:\.(\d*))?$|^\.(\d+)$/;

/** An error whose message is the sentence shown to the person who typed the amount. */
export class AmountError extends Error {}

/**
 * "12.5" -> 12_500_000_000_000_000_000n. Throws AmountError with a sentence for anything that
 * is not a positive amount with at most 18 decimals (or zero when `allowZero`).
 */
export function parseNmr(text, { what = "amount", allowZero = false } = {}) {
  let cleaned = String(text ?? "").trim().replaceAll("_", "");
  if (cleaned.toUpperCase().endsWith("NMR")) cleaned = cleaned.slice(0, -3).trim();
  if (cleaned === "") throw new AmountError(`Enter the ${what}, e.g. 12.5.`);
  if (cleaned.startsWith("-")) throw new AmountError(`The ${what} “${text}” is negative; enter a positive amount.`);
  if (cleaned.includes(",")) {
    throw new AmountError(`Write the ${what} without commas, with a dot for decimals, e.g. 1250.5.`);
  }
  const match = PLAIN_NUMBER.exec(cleaned);
  if (!match) throw new AmountError(`The ${what} “${text}” is not a number; write it like 12.5.`);
  const whole = match[1] ?? "0";
  const fraction = (match[2] ?? match[3] ?? "").replace(/0+$/, "");
  if (fraction.length > DECIMALS) {
    throw new AmountError(`The ${what} “${text}” has more than ${DECIMALS} decimals, the most NMR has.`);
  }
  const wei = BigInt(whole) * UNIT + BigInt(fraction.padEnd(DECIMALS, "0") || "0");
  if (wei === 0n && !allowZero) throw new AmountError(`The ${what} must be more than 0.`);
  return wei;
}

function groupThousands(digits) {
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/**
 * 12_500_000_000_000_000_000n -> "12.5 NMR": at most `places` decimals, trailing zeros dropped,
 * "~" in front when decimals were cut (as nmr_pools.amounts.format_nmr).
 */
export function formatNmr(wei, { places = 6, unit = "NMR" } = {}) {
  const value = BigInt(wei);
  const sign = value < 0n ? "-" : "";
  const magnitude = value < 0n ? -value : value;
  const whole = magnitude / UNIT;
  const frac = (magnitude % UNIT).toString().padStart(DECIMALS, "0");
  const digits = frac.slice(0, places).replace(/0+$/, "");
  const exact = frac.replace(/0+$/, "");
  const approx = exact.length > places && magnitude % UNIT !== 0n ? "~" : "";
  const text = groupThousands(whole.toString()) + (digits ? `.${digits}` : "");
  return `${approx}${sign}${text}` + (unit ? ` ${unit}` : "");
}

/** Every decimal of `wei`, no grouping: what "Max" puts in an input so nothing is lost. */
export function formatExact(wei) {
  const value = BigInt(wei);
  const whole = value / UNIT;
  const frac = (value % UNIT).toString().padStart(DECIMALS, "0").replace(/0+$/, "");
  return whole.toString() + (frac ? `.${frac}` : "");
}

/** A price per share (WAD) as NMR per share, 8 decimals: "1.0123 NMR". */
export function formatPrice(wad) {
  return formatNmr(wad, { places: 8 });
}

/** 2000n -> "20%"; 1250n -> "12.5%". */
export function formatFee(bps) {
  const value = BigInt(bps);
  const whole = value / 100n;
  const cents = (value % 100n).toString().padStart(2, "0").replace(/0+$/, "");
  return `${whole}${cents ? `.${cents}` : ""}%`;
}

/** A signed WAD fraction as a percentage: 25n * 10n**15n -> "+2.5%". */
export function formatWadPct(wad, places = 4) {
  const value = BigInt(wad);
  const negative = value < 0n;
  const magnitude = negative ? -value : value;
  // percent with `places` decimals: |wad| * 100 / 1e18, rounded half up
  const scaled = (magnitude * 100n * 10n ** BigInt(places) * 2n + WAD) / (2n * WAD);
  const whole = scaled / 10n ** BigInt(places);
  const frac = (scaled % 10n ** BigInt(places)).toString().padStart(places, "0").replace(/0+$/, "");
  const sign = negative ? "-" : value > 0n ? "+" : "";
  return `${sign}${whole}${frac ? `.${frac}` : ""}%`;
}

/**
 * A fee typed as a percentage ("20", "12.5%") -> basis points. Throws AmountError when it is
 * not a number, finer than 0.01%, or outside 0..100%.
 */
export function parseFee(text) {
  const cleaned = String(text ?? "").trim().replace(/\s+/g, "").replace(/%$/, "");
  if (cleaned === "") throw new AmountError("Enter the new fee as a percentage, e.g. 20 or 12.5.");
  const match = PLAIN_NUMBER.exec(cleaned);
  if (!match) throw new AmountError(`The fee “${text}” is not a percentage; write it like 20 or 12.5.`);
  const whole = match[1] ?? "0";
  const fraction = (match[2] ?? match[3] ?? "").replace(/0+$/, "");
  if (fraction.length > 2) throw new AmountError(`The fee “${text}” is finer than one basis point (0.01%).`);
  const bps = BigInt(whole) * 100n + BigInt(fraction.padEnd(2, "0") || "0");
  if (bps > BPS) throw new AmountError(`The fee “${text}” is above 100%.`);
  return bps;
}
