// The latency distribution as an SVG: one panel per scenario, the cumulative
// share of samples (y) against latency on a log scale (x), one line per target
// and kind of latency. Plain SVG text, no dependencies.

import { percentile } from "./stats";

export interface Series {
  label: string;
  /** Ascending latencies in ms. */
  sorted: number[];
}

const W = 760;
const H = 300;
const M = { left: 60, right: 220, top: 36, bottom: 44 };
const COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"];

export function latencyPlot(title: string, series: Series[]): string {
  const all = series.flatMap((s) => (s.sorted.length ? [s.sorted[0] ?? 0, s.sorted.at(-1) ?? 0] : []));
  const lo = Math.max(0.01, Math.min(...all, 1));
  const hi = Math.max(...all, 1);
  const x0 = Math.floor(Math.log10(lo));
  const x1 = Math.ceil(Math.log10(hi));
  const pw = W - M.left - M.right;
  const ph = H - M.top - M.bottom;
  const x = (ms: number) => M.left + ((Math.log10(Math.max(ms, 10 ** x0)) - x0) / Math.max(1, x1 - x0)) * pw;
  const y = (share: number) => M.top + (1 - share) * ph;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" font-size="11">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${M.left}" y="20" font-size="13" font-weight="bold">${escapeXml(title)}</text>`,
  ];
  for (let d = x0; d <= x1; d++) {
    const px = x(10 ** d);
    parts.push(`<line x1="${px}" y1="${M.top}" x2="${px}" y2="${M.top + ph}" stroke="#ddd"/>`);
    parts.push(`<text x="${px}" y="${M.top + ph + 14}" text-anchor="middle">${10 ** d} ms</text>`);
  }
  for (const share of [0, 0.5, 0.9, 0.99, 1]) {
    const py = y(share);
    parts.push(`<line x1="${M.left}" y1="${py}" x2="${M.left + pw}" y2="${py}" stroke="#eee"/>`);
    parts.push(`<text x="${M.left - 6}" y="${py + 4}" text-anchor="end">${share * 100}%</text>`);
  }
  parts.push(`<text x="${M.left + pw / 2}" y="${H - 8}" text-anchor="middle">latency (log scale)</text>`);
  series.forEach((s, i) => {
    const color = COLORS[i % COLORS.length];
    const n = s.sorted.length;
    if (n === 0) return;
    const step = Math.max(1, Math.floor(n / 400));
    const points: string[] = [];
    for (let k = 0; k < n; k += step) points.push(`${x(s.sorted[k] ?? 0).toFixed(1)},${y((k + 1) / n).toFixed(1)}`);
    points.push(`${x(s.sorted[n - 1] ?? 0).toFixed(1)},${y(1).toFixed(1)}`);
    parts.push(`<polyline fill="none" stroke="${color}" stroke-width="1.6" points="${points.join(" ")}"/>`);
    const ly = M.top + 14 + i * 30;
    const p50 = percentile(s.sorted, 50).toFixed(2);
    const p99 = percentile(s.sorted, 99).toFixed(2);
    parts.push(
      `<line x1="${W - M.right + 12}" y1="${ly - 4}" x2="${W - M.right + 32}" y2="${ly - 4}" stroke="${color}" stroke-width="3"/>`,
    );
    parts.push(`<text x="${W - M.right + 38}" y="${ly}">${escapeXml(s.label)}</text>`);
    parts.push(`<text x="${W - M.right + 38}" y="${ly + 13}" fill="#555">p50 ${p50} · p99 ${p99} ms · n=${n}</text>`);
  });
  parts.push("</svg>");
  return parts.join("\n");
}

function escapeXml(text: string): string {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");
}
