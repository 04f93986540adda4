/**
 * Chart 1: quality vs file size, one point per variant, the Pareto frontier as a step line.
 * Size is on a log axis because variants differ by factors (float16 2x, int8 4x), not by bytes.
 */
import type { ComparisonData, VariantSummary } from '../compare/types';
import { paretoFrontier } from '../compare/pareto';
import { QUALITY, qualityOf, type QualityKind } from './derive';
import { esc } from './escape';
import { fmtBytes } from './format';
import { GRID, MUTED, PALETTE, linear, logDomain, logScale, niceTicks, r1, svgOpen, text, textWidth, truncate } from './svg';

const W = 760, H = 360, M = { l: 64, r: 24, t: 22, b: 50 };
const FONT = 11;

export interface SizeChart { svg: string; frontier: string[]; unplotted: VariantSummary[] }

interface Box { x0: number; y0: number; x1: number; y1: number }
const overlaps = (a: Box, b: Box): boolean => a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1;

/** Greedy placement: the first spot around the point that hits no earlier label or point and stays inside. */
function placeLabel(x: number, y: number, s: string, taken: Box[]): { x: number; y: number; anchor: string } {
  const w = textWidth(s, FONT), h = FONT + 2;
  const spots = [[9, 4, 'start'], [-9, 4, 'end'], [0, -10, 'middle'], [0, 18, 'middle'], [9, -9, 'start'], [9, 16, 'start'], [-9, -9, 'end'], [-9, 16, 'end']] as const;
  const boxOf = (dx: number, dy: number, a: string): Box => {
    const x0 = a === 'start' ? x + dx : a === 'end' ? x + dx - w : x - w / 2;
    return { x0, x1: x0 + w, y0: y + dy - h + 3, y1: y + dy + 3 };
  };
  for (const [dx, dy, a] of spots) {
    const b = boxOf(dx, dy, a);
    if (b.x0 < M.l - 4 || b.x1 > W - 2 || b.y0 < 2 || b.y1 > H - M.b) continue;
    if (taken.some((t) => overlaps(t, b))) continue;
    taken.push(b);
    return { x: x + dx, y: y + dy, anchor: a };
  }
  taken.push(boxOf(9, 4, 'start'));
  return { x: x + 9, y: y + 4, anchor: 'start' };
}

function tickLabel(t: number, kind: QualityKind): string {
  const s = String(Number(t.toPrecision(6)));
  return kind === 'sqnrDb' ? `${s} dB` : `${s}%`;
}

export function sizeChart(data: ComparisonData, kind: QualityKind): SizeChart {
  const q = QUALITY[kind];
  const pts = data.variants.flatMap((v) => {
    const value = qualityOf(data, v.id, kind);
    return value === undefined || Number.isNaN(value) ? [] : [{ id: v.id, v, size: v.bytes, accuracy: value }];
  });
  const unplotted = data.variants.filter((v) => !pts.some((p) => p.id === v.id));
  const frontier = paretoFrontier(pts);
  const onFrontier = new Set(frontier.map((p) => p.id));

  const xd = logDomain(pts.map((p) => p.size));
  const x = logScale(xd.lo, xd.hi, M.l, W - M.r);
  const finite = pts.map((p) => q.toAxis(p.accuracy)).filter(Number.isFinite);
  const lo = finite.length ? Math.min(...finite) : 0, hi = finite.length ? Math.max(...finite) : 1;
  const pad = Math.max((hi - lo) * 0.15, kind === 'sqnrDb' ? 1 : 0.25);
  // Infinite SQNR (bit-identical outputs) sits on the top edge, with room left for it above the finite points.
  const anyInf = pts.some((p) => !Number.isFinite(q.toAxis(p.accuracy)));
  const yt = niceTicks(lo - pad, hi + pad * (anyInf ? 3 : 1), 5);
  const y0 = yt[0]!, y1 = yt[yt.length - 1]!;
  const y = linear(y0, y1, H - M.b, M.t);
  const yOf = (a: number): number => { const v = q.toAxis(a); return v === Infinity ? M.t : v === -Infinity ? H - M.b : y(v); };

  const out: string[] = [svgOpen(W, H, `${q.title} vs file size`, 'chart chart-size')];
  out.push(`<g class="grid" stroke="${GRID}" stroke-width="1">`);
  for (const t of xd.ticks) out.push(`<line x1="${r1(x(t))}" x2="${r1(x(t))}" y1="${M.t}" y2="${H - M.b}"/>`);
  for (const t of yt) out.push(`<line x1="${M.l}" x2="${W - M.r}" y1="${r1(y(t))}" y2="${r1(y(t))}"/>`);
  out.push('</g>', `<g class="axis" font-size="${FONT}" fill="${MUTED}">`);
  for (const t of xd.ticks) out.push(text(x(t), H - M.b + 16, fmtBytes(t), 'text-anchor="middle"'));
  for (const t of yt) out.push(text(M.l - 6, y(t) + 4, tickLabel(t, kind), 'text-anchor="end"'));
  out.push(text((M.l + W - M.r) / 2, H - 10, 'file size (raw bytes, log scale)', 'text-anchor="middle"'));
  out.push(text(14, (M.t + H - M.b) / 2, q.axis, `text-anchor="middle" transform="rotate(-90 14 ${r1((M.t + H - M.b) / 2)})"`));
  out.push(`<rect x="${M.l}" y="${M.t}" width="${W - M.l - M.r}" height="${H - M.t - M.b}" fill="none" stroke="#9ca3af"/>`, '</g>');

  if (frontier.length) {
    // Staircase: from each frontier point the best quality reachable stays flat until the next, larger one.
    const c = frontier.map((p) => [r1(x(p.size)), r1(yOf(p.accuracy))] as const);
    let d = `M${c[0]![0]},${c[0]![1]}`;
    for (let i = 1; i < c.length; i++) d += ` L${c[i]![0]},${c[i - 1]![1]} L${c[i]![0]},${c[i]![1]}`;
    const last = c[c.length - 1]!;
    out.push(`<path class="frontier" d="${d}" fill="none" stroke="${PALETTE[0]}" stroke-width="2" stroke-linejoin="round"/>`);
    out.push(`<path class="frontier-tail" d="M${last[0]},${last[1]} L${W - M.r},${last[1]}" fill="none" stroke="${PALETTE[0]}" stroke-width="1.5" stroke-dasharray="4 3"/>`);
  }

  const taken: Box[] = pts.map((p) => ({ x0: x(p.size) - 6, x1: x(p.size) + 6, y0: yOf(p.accuracy) - 6, y1: yOf(p.accuracy) + 6 }));
  out.push(`<g class="points" font-size="${FONT}">`);
  for (const p of pts) {
    const cx = r1(x(p.size)), cy = r1(yOf(p.accuracy)), f = onFrontier.has(p.id);
    const label = truncate(p.v.label, 30);
    const at = placeLabel(cx, cy, label, taken);
    out.push(`<g class="pt" data-id="${esc(p.id)}"${f ? ' data-frontier="1"' : ''}>`,
      `<title>${esc(`${p.v.label} (${p.id}): ${fmtBytes(p.size)}, ${q.format(p.accuracy)}${f ? ', on the Pareto frontier' : ''}`)}</title>`,
      `<circle cx="${cx}" cy="${cy}" r="5" fill="${f ? PALETTE[0] : '#fff'}" stroke="${f ? '#fff' : MUTED}" stroke-width="${f ? 1.5 : 2}"/>`,
      text(at.x, at.y, label, `text-anchor="${at.anchor}" fill="#111827"`), '</g>');
  }
  out.push('</g></svg>');
  return { svg: out.join(''), frontier: frontier.map((p) => p.id), unplotted };
}
