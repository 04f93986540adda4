/**
 * Chart 3: per-layer SQNR of a quantized variant against its float model, bars in graph order
 * so an error that starts at one layer and propagates reads left to right; the worst is marked.
 */
import type { LayerError } from '../compare/types';
import { esc } from './escape';
import { fmtDb } from './format';
import { ACCENT, GRID, MUTED, linear, niceTicks, r1, svgOpen, text, textWidth, truncate } from './svg';

const W = 760, PLOT_H = 200, FONT = 10, M = { l: 56, r: 16, t: 26 };
const NAMED_MAX = 40;

/** Index of the lowest SQNR (the first one on ties); NaN never counts as worst. */
export function worstLayer(errors: LayerError[]): number {
  let w = -1;
  errors.forEach((e, i) => { if (!Number.isNaN(e.sqnrDb) && (w < 0 || e.sqnrDb < errors[w]!.sqnrDb)) w = i; });
  return w;
}

export function layerChart(variantLabel: string, errors: LayerError[]): string {
  const n = errors.length;
  const worst = worstLayer(errors);
  const named = n <= NAMED_MAX;
  const names = errors.map((e) => truncate(e.node, 22));
  // Rotated names need room below the plot: about their width times sin 45°.
  const bottom = named ? Math.min(130, Math.max(...names.map((s) => textWidth(s, FONT))) * 0.72 + 18) : 34;
  const H = M.t + PLOT_H + bottom + 16;
  const finite = errors.map((e) => e.sqnrDb).filter(Number.isFinite);
  const hasInf = errors.some((e) => e.sqnrDb === Infinity);
  const hi = finite.length ? Math.max(...finite) : 10, lo = Math.min(0, ...finite);
  const ticks = niceTicks(lo, hi * (hasInf ? 1.15 : 1.02) || 1, 5);
  const y0 = ticks[0]!, y1 = ticks[ticks.length - 1]!;
  const y = linear(y0, y1, M.t + PLOT_H, M.t);
  const slot = (W - M.l - M.r) / Math.max(1, n), bw = Math.max(1, Math.min(26, slot * 0.78));
  const cx = (i: number): number => M.l + slot * (i + 0.5);

  const out: string[] = [svgOpen(W, H, `Per-layer SQNR of ${variantLabel}`, 'chart chart-layers')];
  out.push(`<g class="grid" stroke="${GRID}">`);
  for (const t of ticks) out.push(`<line x1="${M.l}" x2="${W - M.r}" y1="${r1(y(t))}" y2="${r1(y(t))}"/>`);
  out.push('</g>', `<g class="axis" font-size="${FONT}" fill="${MUTED}">`);
  for (const t of ticks) out.push(text(M.l - 6, y(t) + 3.5, `${Number(t.toPrecision(6))}`, 'text-anchor="end"'));
  out.push(text(14, M.t + PLOT_H / 2, 'SQNR (dB), higher is better', `text-anchor="middle" transform="rotate(-90 14 ${M.t + PLOT_H / 2})"`));
  out.push(`<line x1="${M.l}" x2="${W - M.r}" y1="${r1(y(Math.max(0, y0)))}" y2="${r1(y(Math.max(0, y0)))}" stroke="#9ca3af"/>`);
  if (named) {
    names.forEach((s, i) => {
      const tx = r1(cx(i) + 3), ty = r1(M.t + PLOT_H + 10);
      out.push(`<text x="${tx}" y="${ty}" text-anchor="end" transform="rotate(-45 ${tx} ${ty})"${i === worst ? ` fill="${ACCENT}" font-weight="600"` : ''}>${esc(s)}</text>`);
    });
  } else {
    // Too many layers to name: number them, and name only the worst.
    for (const t of niceTicks(1, n, 8).filter((t) => t >= 1 && t <= n && Number.isInteger(t))) out.push(text(cx(t - 1), M.t + PLOT_H + 14, String(t), 'text-anchor="middle"'));
    out.push(text((M.l + W - M.r) / 2, M.t + PLOT_H + 30, 'layer (graph order)', 'text-anchor="middle"'));
  }
  out.push('</g><g class="bars">');
  const base = y(Math.max(0, y0));
  errors.forEach((e, i) => {
    const v = e.sqnrDb === Infinity ? y1 : Number.isFinite(e.sqnrDb) ? e.sqnrDb : 0;
    const yv = y(Math.max(y0, Math.min(y1, v)));
    const top = Math.min(base, yv), h = Math.max(Number.isFinite(e.sqnrDb) ? 1 : 0, Math.abs(base - yv));
    const fill = i === worst ? ACCENT : e.sqnrDb === Infinity ? '#a7c7e7' : '#56B4E9';
    out.push(`<rect class="layer" data-i="${i}" data-node="${esc(e.node)}" data-sqnr="${e.sqnrDb}"${i === worst ? ' data-worst="1"' : ''} x="${r1(cx(i) - bw / 2)}" y="${r1(top)}" width="${r1(bw)}" height="${r1(h)}" fill="${fill}">`,
      `<title>${esc(`${i + 1}. ${e.node} (${e.op}): ${fmtDb(e.sqnrDb)}`)}</title></rect>`);
    if (e.sqnrDb === Infinity && slot >= 10) out.push(text(cx(i), top - 3, '∞', `text-anchor="middle" font-size="${FONT}" fill="${MUTED}"`));
  });
  out.push('</g>');
  if (worst >= 0) {
    const e = errors[worst]!, label = `worst: ${truncate(e.node, 34)} ${fmtDb(e.sqnrDb)}`;
    const w = textWidth(label, FONT + 1), bx = cx(worst);
    const tx = Math.min(W - M.r - w / 2, Math.max(M.l + w / 2, bx));
    out.push(text(tx, M.t - 9, label, `class="worst-label" text-anchor="middle" font-size="${FONT + 1}" font-weight="600" fill="${ACCENT}"`));
    out.push(`<line x1="${r1(bx)}" x2="${r1(bx)}" y1="${M.t - 5}" y2="${r1(Math.min(base, y(Math.max(y0, Math.min(y1, Number.isFinite(e.sqnrDb) ? e.sqnrDb : 0)))) - 2)}" stroke="${ACCENT}" stroke-dasharray="2 2"/>`);
  }
  out.push('</svg>');
  return out.join('');
}
