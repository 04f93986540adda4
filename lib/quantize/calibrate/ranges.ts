/**
 * Range selection from calibration statistics:
 * - minmax: the observed extremes (TFLite's converter does this);
 * - percentile p: clip both tails at the p-th percentile of the values, so a few outliers do not
 *   stretch the scale for everyone else;
 * - mse: the clip range that minimises the expected squared error of quantize-dequantize,
 *   counting clipping error of values outside it and rounding error (step^2 / 12) inside.
 * Ranges are derived from the stored histograms alone, so moving a percentile slider costs
 * milliseconds, not another calibration pass.
 */
import type { ActivationType } from '../params';
import type { Range } from '../types';
import { BINS, TensorStats } from './stats';

export type CalibrationMethod = 'minmax' | 'mse' | { percentile: number };

/** 'minmax', 'mse' or 'percentile:99.99' (the CLI's spelling). */
export function parseMethod(text: string): CalibrationMethod {
  if (text === 'minmax' || text === 'mse') return text;
  const m = /^percentile(?::([\d.]+))?$/.exec(text);
  if (m) {
    const p = m[1] === undefined ? 99.99 : Number(m[1]);
    if (!(p > 50 && p <= 100)) throw new Error(`calibration percentile ${m[1]} must be in (50, 100]`);
    return { percentile: p };
  }
  throw new Error(`unknown calibration method ${text} (minmax, percentile:<p>, mse)`);
}

export function methodName(m: CalibrationMethod): string {
  return typeof m === 'string' ? m : `percentile:${m.percentile}`;
}

/** Value below which `fraction` of the histogram's mass lies (linear within a bin). */
function quantile(s: TensorStats, fraction: number): number {
  const h = s.hist!;
  let total = 0;
  for (let i = 0; i < BINS; i++) total += h[i]!;
  if (total === 0) return 0;
  const want = fraction * total;
  let acc = 0;
  for (let i = 0; i < BINS; i++) {
    const c = h[i]!;
    if (acc + c >= want && c > 0) {
      const width = (2 * s.edge) / BINS;
      return s.binStart(i) + ((want - acc) / c) * width;
    }
    acc += c;
  }
  return s.max;
}

function expectedError(s: TensorStats, lo: number, hi: number, levels: number): number {
  const h = s.hist!, width = (2 * s.edge) / BINS;
  const step = (hi - lo) / levels;
  const rounding = (step * step) / 12;
  let err = 0;
  for (let i = 0; i < BINS; i++) {
    const c = h[i];
    if (!c) continue;
    const v = s.binStart(i) + width / 2;
    err += c * (v < lo ? (lo - v) ** 2 : v > hi ? (v - hi) ** 2 : rounding);
  }
  return err;
}

function mseRange(s: TensorStats, type: ActivationType): Range {
  const lo0 = Math.min(s.min, 0), hi0 = Math.max(s.max, 0);
  if (type === 'int16') {
    const m0 = Math.max(-lo0, hi0);
    let best = m0, bestErr = Infinity;
    for (let k = 100; k >= 1; k--) {
      const m = (m0 * k) / 100;
      const e = expectedError(s, -m, m, 65535);
      if (e < bestErr) { bestErr = e; best = m; }
    }
    return [Math.max(lo0, -best), Math.min(hi0, best)];
  }
  // Shrink both ends together, then each end on its own around the best joint choice.
  let lo = lo0, hi = hi0, bestErr = expectedError(s, lo, hi, 255);
  for (let k = 99; k >= 1; k--) {
    const e = expectedError(s, (lo0 * k) / 100, (hi0 * k) / 100, 255);
    if (e < bestErr) { bestErr = e; lo = (lo0 * k) / 100; hi = (hi0 * k) / 100; }
  }
  for (const side of ['lo', 'hi'] as const) {
    const start = side === 'lo' ? lo : hi;
    for (let k = 120; k >= 1; k--) {
      const v = Math.max(side === 'lo' ? lo0 : -Infinity, Math.min(side === 'hi' ? hi0 : Infinity, (start * k) / 100));
      const e = side === 'lo' ? expectedError(s, v, hi, 255) : expectedError(s, lo, v, 255);
      if (e < bestErr) { bestErr = e; if (side === 'lo') lo = v; else hi = v; }
    }
  }
  return [lo, hi];
}

/** The float range to quantize one tensor with. */
export function selectRange(s: TensorStats, method: CalibrationMethod, type: ActivationType = 'int8'): Range {
  if (!(s.count > 0) || !Number.isFinite(s.min) || !Number.isFinite(s.max)) return [0, 0];
  if (method === 'minmax' || !s.hist || s.edge === 0) return [s.min, s.max];
  if (method === 'mse') return mseRange(s, type);
  const p = method.percentile / 100;
  if (p >= 1) return [s.min, s.max];
  return [Math.max(s.min, Math.min(0, quantile(s, 1 - p))), Math.min(s.max, Math.max(0, quantile(s, p)))];
}

export function selectRanges(stats: Map<string, TensorStats>, method: CalibrationMethod, typeOf: (name: string) => ActivationType = () => 'int8'): Record<string, Range> {
  const out: Record<string, Range> = {};
  for (const [name, s] of stats) out[name] = selectRange(s, method, typeOf(name));
  return out;
}
