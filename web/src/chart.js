// An inline SVG line chart of price per share over settled rounds (no chart library).

import { formatPrice } from "./amounts.js";

const SVG = "http://www.w3.org/2000/svg";

function svg(tag, attrs = {}, text = null) {
  const node = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, String(value));
  if (text !== null) node.textContent = text;
  return node;
}

// prices are WAD bigints; a chart only needs them as floats (1e-18 NMR steps do not show)
const asFloat = (wad) => Number(wad) / 1e18;

/** One sentence that says what the chart shows (its accessible name). */
export function describeHistory(model, points) {
  if (points.length === 0) return `No settled rounds of ${model} yet.`;
  const prices = points.map((p) => p.price);
  const low = prices.reduce((m, p) => (p < m ? p : m));
  const high = prices.reduce((m, p) => (p > m ? p : m));
  const first = points[0];
  const last = points[points.length - 1];
  return `Price per share of ${model} over ${points.length} settled round(s), ${first.round} to ${last.round}: `
    + `${formatPrice(first.price)} to ${formatPrice(last.price)} (low ${formatPrice(low)}, high ${formatPrice(high)}).`;
}

/**
 * The chart of `points` ({round, price, highWaterMark}): a sparkline, or with `detailed` a
 * larger chart with the high-water mark dashed and the price and round ranges labelled.
 */
export function priceChart(model, points, { width = 140, height = 36, detailed = false } = {}) {
  const root = svg("svg", {
    width, height, viewBox: `0 0 ${width} ${height}`, role: "img", class: detailed ? "chart chart-large" : "chart",
    "data-points": points.length,
  });
  const label = describeHistory(model, points);
  root.setAttribute("aria-label", label);
  root.append(svg("title", {}, label));
  if (points.length === 0) {
    // nothing to draw: a one-line box, whatever size the chart would have had
    const narrow = Math.min(width, 160);
    root.setAttribute("width", String(narrow));
    root.setAttribute("height", "20");
    root.setAttribute("viewBox", `0 0 ${narrow} 20`);
    root.append(svg("text", { x: 2, y: 14, class: "chart-empty" }, "no settled rounds yet"));
    return root;
  }
  const pad = detailed ? { left: 84, right: 12, top: 12, bottom: 28 } : { left: 2, right: 2, top: 3, bottom: 3 };
  const values = points.flatMap((p) => (detailed ? [asFloat(p.price), asFloat(p.highWaterMark)] : [asFloat(p.price)]));
  let low = Math.min(...values);
  let high = Math.max(...values);
  if (high - low < 1e-9) {
    low -= 0.01;
    high += 0.01;
  }
  const rounds = points.map((p) => Number(p.round));
  const firstRound = rounds[0];
  const lastRound = rounds[rounds.length - 1];
  const x = (round) => pad.left + (lastRound === firstRound ? 0.5 : (round - firstRound) / (lastRound - firstRound))
    * (width - pad.left - pad.right);
  const y = (value) => pad.top + (1 - (value - low) / (high - low)) * (height - pad.top - pad.bottom);
  const line = (key) => points.map((p) => `${x(Number(p.round)).toFixed(1)},${y(asFloat(p[key])).toFixed(1)}`).join(" ");
  if (detailed) {
    root.append(svg("rect", { x: pad.left, y: pad.top, width: width - pad.left - pad.right,
      height: height - pad.top - pad.bottom, class: "chart-frame" }));
    root.append(svg("polyline", { points: line("highWaterMark"), class: "chart-hwm" }));
    root.append(svg("text", { x: pad.left - 6, y: pad.top + 4, "text-anchor": "end", class: "chart-label" }, high.toFixed(4)));
    root.append(svg("text", { x: pad.left - 6, y: height - pad.bottom, "text-anchor": "end", class: "chart-label" }, low.toFixed(4)));
    root.append(svg("text", { x: pad.left, y: height - 8, class: "chart-label" }, `round ${firstRound}`));
    root.append(svg("text", { x: width - pad.right, y: height - 8, "text-anchor": "end", class: "chart-label" },
      `round ${lastRound}`));
  }
  root.append(svg("polyline", { points: line("price"), class: "chart-price" }));
  if (points.length === 1) {
    root.append(svg("circle", { cx: x(firstRound), cy: y(asFloat(points[0].price)), r: 2.5, class: "chart-dot" }));
  }
  return root;
}
