import type { HostTensor } from '../runtime/types';

export interface TopK {
  index: number;
  score: number;
  /** Softmax probability when the scores are logits; the score itself when they already sum to 1. */
  prob: number;
}

/** Looks like a classifier output: one vector of 2..10000 scores (batch 1). */
export function isClassVector(t: HostTensor): boolean {
  const dims = t.shape.filter((d) => d !== 1);
  return dims.length === 1 && dims[0]! >= 2 && dims[0]! <= 10000;
}

export function topK(t: HostTensor, k = 5): TopK[] {
  const v = Array.from(t.data as ArrayLike<number>, Number);
  const sum = v.reduce((a, b) => a + b, 0);
  const isProb = v.every((x) => x >= 0 && x <= 1) && Math.abs(sum - 1) < 1e-3;
  const max = Math.max(...v);
  const exps = v.map((x) => Math.exp(x - max));
  const z = exps.reduce((a, b) => a + b, 0);
  return v
    .map((score, index) => ({ index, score, prob: isProb ? score : exps[index]! / z }))
    .sort((a, b) => b.score - a.score)
    .slice(0, k);
}

export interface TensorSummary {
  name: string;
  dtype: string;
  shape: number[];
  min: number;
  max: number;
  mean: number;
  /** The first values, for a glance. */
  head: number[];
}

export function summariseTensor(t: HostTensor): TensorSummary {
  const v = t.data as ArrayLike<number | bigint>;
  let min = Infinity, max = -Infinity, sum = 0;
  for (let i = 0; i < v.length; i++) {
    const x = Number(v[i]);
    if (x < min) min = x;
    if (x > max) max = x;
    sum += x;
  }
  const head: number[] = [];
  for (let i = 0; i < Math.min(8, v.length); i++) head.push(Number(v[i]));
  return { name: t.name, dtype: t.dtype, shape: t.shape, min, max, mean: v.length ? sum / v.length : NaN, head };
}

export interface LatencyStats {
  runs: number;
  medianMs: number;
  p90Ms: number;
  minMs: number;
  meanMs: number;
}

/** Percentile by linear interpolation between closest ranks (numpy's default). */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const pos = (sorted.length - 1) * p;
  const lo = Math.floor(pos), hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

export function latencyStats(ms: number[]): LatencyStats {
  const s = [...ms].sort((a, b) => a - b);
  return { runs: s.length, medianMs: percentile(s, 0.5), p90Ms: percentile(s, 0.9), minMs: s[0] ?? NaN, meanMs: s.reduce((a, b) => a + b, 0) / Math.max(1, s.length) };
}
