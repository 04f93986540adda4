/**
 * Small pieces shared by the inline SVG charts: scales, tick choice and text measuring. No DOM,
 * so widths are estimated from character counts (system fonts differ; the estimate errs wide).
 */
import { esc } from './escape';

/** Okabe-Ito: tells colours apart for colour-blind readers and on a greyscale printout with the legend. */
export const PALETTE = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00', '#F0E442', '#000000'];
export const ACCENT = '#D55E00';
export const MUTED = '#6b7280';
export const GRID = '#e5e7eb';

/** Coordinates rounded to 0.1 px: exact enough to draw, short enough to read and to compare in tests. */
export const r1 = (v: number): number => Math.round(v * 10) / 10;

export function textWidth(s: string, fontSize: number): number {
  return s.length * fontSize * 0.6;
}

/** Long names keep their start and their end, where scopes and suffixes differ. */
export function truncate(s: string, max: number): string {
  if (s.length <= max) return s;
  const head = Math.ceil((max - 1) / 2);
  return `${s.slice(0, head)}…${s.slice(s.length - (max - 1 - head))}`;
}

export function linear(d0: number, d1: number, r0: number, r1_: number): (v: number) => number {
  const k = d1 === d0 ? 0 : (r1_ - r0) / (d1 - d0);
  return (v) => r0 + (v - d0) * k;
}

export function logScale(d0: number, d1: number, r0: number, r1_: number): (v: number) => number {
  const f = linear(Math.log10(d0), Math.log10(d1), r0, r1_);
  return (v) => f(Math.log10(v));
}

/** 1, 2 or 5 times a power of ten, about `count` steps over [lo, hi], covering both ends. */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) { const pad = Math.abs(lo) * 0.1 || 1; lo -= pad; hi += pad; }
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 5, 10].find((m) => m * mag >= raw) ?? 10) * mag;
  const start = Math.floor(lo / step + 1e-9) * step, end = Math.ceil(hi / step - 1e-9) * step;
  const out: number[] = [];
  for (let v = start; v <= end + step * 1e-6; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

/**
 * Log-axis domain and ticks: at least a 2.5x span (one variant, or sizes within a few percent,
 * still get a readable axis), ticks on 1-2-5 or denser mantissas, whichever gives 3 or more.
 */
export function logDomain(values: number[]): { lo: number; hi: number; ticks: number[] } {
  const pos = values.filter((v) => v > 0 && Number.isFinite(v));
  let lo = pos.length ? Math.min(...pos) : 1e3, hi = pos.length ? Math.max(...pos) : 1e6;
  lo /= 1.25; hi *= 1.25;
  if (hi / lo < 2.5) { const c = Math.sqrt(lo * hi); lo = c / Math.sqrt(2.5); hi = c * Math.sqrt(2.5); }
  const sets = [[1], [1, 2, 5], [1, 1.5, 2, 3, 4, 5, 6, 8]];
  let ticks: number[] = [];
  for (const set of sets) {
    ticks = [];
    for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++) {
      for (const m of set) { const t = m * 10 ** e; if (t >= lo && t <= hi) ticks.push(Number(t.toPrecision(6))); }
    }
    if (ticks.length >= 3) break;
  }
  return { lo, hi, ticks };
}

/** No xmlns: the HTML parser puts inline <svg> in the SVG namespace, and the file must name no URL at all. */
export function svgOpen(width: number, height: number, label: string, cls: string): string {
  return `<svg class="${cls}" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${esc(label)}">`;
}

export function text(x: number, y: number, s: string, attrs = ''): string {
  return `<text x="${r1(x)}" y="${r1(y)}"${attrs ? ' ' + attrs : ''}>${esc(s)}</text>`;
}
