/**
 * Chart 2: latency per variant, one bar per runtime x backend (median), a whisker to the p90.
 * Horizontal bars so variant labels read without rotation, however many variants there are.
 */
import type { ComparisonData, VariantSummary } from '../compare/types';
import { latencyOf, latencyPairs, pairName, type Pair } from './derive';
import { esc } from './escape';
import { fmtMs, fmtMsNumber } from './format';
import { GRID, MUTED, PALETTE, linear, niceTicks, r1, svgOpen, text, textWidth, truncate } from './svg';

const W = 760, FONT = 11, BAR = 13, GAP = 3, GROUP_GAP = 14, LEGEND = 30, AXIS = 40, VALUE_ROOM = 128;

export interface LatencyChart { svg: string; unmeasured: VariantSummary[] }

export function latencyChart(data: ComparisonData): LatencyChart | undefined {
  const pairs = latencyPairs(data);
  const rows = data.variants
    .map((v) => ({ v, cells: pairs.map((p) => ({ p, l: latencyOf(data, v.id, p) })).filter((c) => c.l) }))
    .filter((r) => r.cells.length > 0);
  if (!rows.length) return undefined;
  const unmeasured = data.variants.filter((v) => !rows.some((r) => r.v === v));
  const color = (p: Pair): string => PALETTE[pairs.indexOf(p) % PALETTE.length]!;

  const labels = rows.map((r) => truncate(r.v.label, 30));
  const left = Math.min(220, Math.max(90, ...labels.map((s) => textWidth(s, FONT)))) + 14;
  const right = W - VALUE_ROOM;
  const max = Math.max(...rows.flatMap((r) => r.cells.map((c) => Math.max(c.l!.medianMs, c.l!.p90Ms))).filter(Number.isFinite), 0);
  const ticks = niceTicks(0, max > 0 ? max : 1, 5);
  const x = linear(0, ticks[ticks.length - 1]!, left, right);
  const heights = rows.map((r) => r.cells.length * (BAR + GAP) - GAP);
  const H = LEGEND + heights.reduce((a, h) => a + h + GROUP_GAP, 0) + AXIS;
  const bottom = H - AXIS + 4;

  const out: string[] = [svgOpen(W, H, 'Latency by runtime and backend', 'chart chart-latency')];
  // Legend across the top: one swatch per runtime x backend, wrapped by measured width.
  let lx = left, ly = 12;
  out.push(`<g class="legend" font-size="${FONT}">`);
  for (const p of pairs) {
    const name = pairName(p), w = 18 + textWidth(name, FONT) + 16;
    if (lx + w > W && lx > left) { lx = left; ly += 16; }
    out.push(`<rect x="${r1(lx)}" y="${ly - 9}" width="12" height="10" fill="${color(p)}"/>`, text(lx + 17, ly, name, 'fill="#111827"'));
    lx += w;
  }
  out.push('</g>', `<g class="grid" stroke="${GRID}">`);
  for (const t of ticks) out.push(`<line x1="${r1(x(t))}" x2="${r1(x(t))}" y1="${LEGEND - 6}" y2="${bottom}"/>`);
  out.push('</g>', `<g class="axis" font-size="${FONT}" fill="${MUTED}">`);
  for (const t of ticks) out.push(text(x(t), bottom + 14, fmtMsNumber(t), 'text-anchor="middle"'));
  out.push(text((left + right) / 2, H - 6, 'milliseconds per inference (bar: median, whisker: p90)', 'text-anchor="middle"'));
  out.push(`<line x1="${left}" x2="${left}" y1="${LEGEND - 6}" y2="${bottom}" stroke="#9ca3af"/>`, '</g>');

  let top = LEGEND;
  rows.forEach((r, i) => {
    const h = heights[i]!;
    out.push(`<g class="group" data-variant="${esc(r.v.id)}" font-size="${FONT}">`, `<title>${esc(`${r.v.label} (${r.v.id}) · ${r.v.mode}`)}</title>`);
    out.push(text(left - 8, top + h / 2 + 4, labels[i]!, 'text-anchor="end" fill="#111827"'));
    r.cells.forEach((c, j) => {
      const l = c.l!, yc = top + j * (BAR + GAP), mid = yc + BAR / 2;
      const xm = x(Math.max(0, l.medianMs)), xp = x(Math.max(0, l.p90Ms));
      out.push(`<g class="bar" data-pair="${esc(pairName(c.p))}" data-median="${l.medianMs}" data-p90="${l.p90Ms}">`,
        `<title>${esc(`${r.v.label} on ${pairName(c.p)}: median ${fmtMs(l.medianMs)}, p90 ${fmtMs(l.p90Ms)}, ${l.runs} runs after ${l.warmup} warm-up`)}</title>`,
        `<rect x="${left}" y="${r1(yc)}" width="${r1(Math.max(1, xm - left))}" height="${BAR}" fill="${color(c.p)}"/>`);
      if (xp > xm) out.push(`<path d="M${r1(xm)},${r1(mid)} H${r1(xp)} M${r1(xp)},${r1(mid - 4)} V${r1(mid + 4)}" stroke="#111827" stroke-width="1.2" fill="none"/>`);
      out.push(text(Math.max(xm, xp) + 5, mid + 4, `${fmtMs(l.medianMs)} (p90 ${fmtMsNumber(l.p90Ms)})`, 'fill="#374151"'), '</g>');
    });
    out.push('</g>');
    top += h + GROUP_GAP;
  });
  out.push('</svg>');
  return { svg: out.join(''), unmeasured };
}
