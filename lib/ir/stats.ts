import type { Tensor } from './types';
import { tensorFloats } from './values';

export interface HistogramBin {
  x0: number;
  x1: number;
  count: number;
}

export interface TensorStats {
  count: number;
  min: number;
  max: number;
  mean: number;
  std: number;
  /** Share of exact zeros in [0, 1]: what pruning raises. */
  zeros: number;
  /** NaN and infinities are counted here and left out of the other numbers. */
  nonFinite: number;
  histogram: HistogramBin[];
  /** True when the values were dequantized with the tensor's quantization parameters. */
  dequantized: boolean;
}

/** Statistics of a constant tensor's values, or null when it has no numeric data. */
export function tensorStats(t: Tensor, bins = 40): TensorStats | null {
  const v = tensorFloats(t);
  if (!v || v.length === 0) return null;
  let min = Infinity, max = -Infinity, sum = 0, zeros = 0, nonFinite = 0;
  for (let i = 0; i < v.length; i++) {
    const x = v[i]!;
    if (!Number.isFinite(x)) { nonFinite++; continue; }
    if (x < min) min = x;
    if (x > max) max = x;
    sum += x;
    if (x === 0) zeros++;
  }
  const n = v.length - nonFinite;
  if (n === 0) return { count: v.length, min: NaN, max: NaN, mean: NaN, std: NaN, zeros: 0, nonFinite, histogram: [], dequantized: false };
  const mean = sum / n;
  let sq = 0;
  for (let i = 0; i < v.length; i++) {
    const x = v[i]!;
    if (Number.isFinite(x)) sq += (x - mean) * (x - mean);
  }
  const width = max > min ? (max - min) / bins : 1;
  const histogram: HistogramBin[] = [];
  const nb = max > min ? bins : 1;
  for (let b = 0; b < nb; b++) histogram.push({ x0: min + b * width, x1: min + (b + 1) * width, count: 0 });
  for (let i = 0; i < v.length; i++) {
    const x = v[i]!;
    if (!Number.isFinite(x)) continue;
    const b = Math.min(nb - 1, Math.floor((x - min) / width));
    histogram[b]!.count++;
  }
  const dequantized = !!t.quant && t.quant.scale.length > 0 && /^u?int/.test(t.dtype);
  return { count: v.length, min, max, mean, std: Math.sqrt(sq / n), zeros: zeros / n, nonFinite, histogram, dequantized };
}
