/**
 * How a variant compares, measured the same way for every variant: with labels, top-1 accuracy;
 * against a reference model's outputs (the float original), top-1 match, top-5 overlap, cosine
 * similarity and SQNR. Pure; outputs are float (dequantized) host tensors.
 */
import type { HostTensor } from '../runtime/types';

export interface Metrics {
  count: number;
  /** Top-1 accuracy, when labels are given. */
  accuracy?: number;
  /** Share of samples whose top-1 class equals the reference's (classifier-like outputs). */
  top1Agreement?: number;
  /** Mean share of the reference's top-5 classes that are in the variant's top 5. */
  top5Overlap?: number;
  /** Mean cosine similarity of output 0 to the reference's. */
  cosine?: number;
  /** Signal-to-quantization-noise ratio of all outputs against the reference, in dB. */
  sqnrDb?: number;
}

export function argmax(v: ArrayLike<number>): number {
  let b = 0;
  for (let i = 1; i < v.length; i++) if (v[i]! > v[b]!) b = i;
  return b;
}

/** Indices of the k largest values, largest first (ties: lower index first). */
export function topIndices(v: ArrayLike<number>, k: number): number[] {
  return Array.from(v, (x, i) => [Number(x), i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]).slice(0, k).map((p) => p[1]);
}

/** Output 0 reads as class scores: one row of at least two values. */
export function looksLikeScores(t: HostTensor): boolean {
  const dims = t.shape.filter((d) => d > 1);
  return dims.length === 1 && dims[0]! >= 2;
}

/** 10 log10(signal / noise); Infinity when the two are identical. */
export function sqnrDb(signal: number, noise: number): number {
  return noise === 0 ? Infinity : 10 * Math.log10(signal / noise);
}

export function metrics(outputs: HostTensor[][], reference?: HostTensor[][], labels?: ArrayLike<number>): Metrics {
  const m: Metrics = { count: outputs.length };
  if (labels) {
    let ok = 0;
    outputs.forEach((o, i) => { if (argmax(o[0]!.data as Float32Array) === labels[i]) ok++; });
    m.accuracy = outputs.length ? ok / outputs.length : 0;
  }
  if (reference && reference.length === outputs.length && outputs.length > 0) {
    let agree = 0, overlap = 0, cos = 0, signal = 0, noise = 0;
    const scores = looksLikeScores(outputs[0]![0]!);
    outputs.forEach((o, i) => {
      const r = reference[i]!;
      const a0 = o[0]!.data as Float32Array, r0 = r[0]!.data as Float32Array;
      if (scores) {
        if (argmax(a0) === argmax(r0)) agree++;
        const k = Math.min(5, r0.length);
        const ref5 = new Set(topIndices(r0, k));
        overlap += topIndices(a0, k).filter((x) => ref5.has(x)).length / k;
      }
      let dot = 0, na = 0, nb = 0;
      o.forEach((t, k) => {
        const a = t.data as Float32Array, b = r[k]!.data as Float32Array;
        for (let j = 0; j < a.length; j++) {
          signal += b[j]! * b[j]!;
          noise += (a[j]! - b[j]!) ** 2;
          if (k === 0) { dot += a[j]! * b[j]!; na += a[j]! * a[j]!; nb += b[j]! * b[j]!; }
        }
      });
      cos += na > 0 && nb > 0 ? dot / Math.sqrt(na * nb) : na === nb ? 1 : 0;
    });
    if (scores) {
      m.top1Agreement = agree / outputs.length;
      m.top5Overlap = overlap / outputs.length;
    }
    m.cosine = cos / outputs.length;
    m.sqnrDb = sqnrDb(signal, noise);
  }
  return m;
}
