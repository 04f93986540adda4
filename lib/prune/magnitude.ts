/**
 * Unstructured pruning: magnitude (zero the smallest |w|, per layer or with one global
 * threshold) and N:M patterns (keep the N largest of every M consecutive weights along the
 * reduction axis). Both only write zeros: shapes and the graph stay as they are.
 */
import type { Graph, Tensor } from '../ir/types';
import { throwIfAborted } from '../formats/errors';
import type { ProgressFn } from '../transforms/types';
import type { DialectOps } from './ops';
import type { Skip } from './util';
import { layerWeights, realValues, UNREADABLE, withZeros, type LayerWeight } from './weights';

/** One entry per weight constant (a weight shared by several layers is pruned once). */
function uniqueWeights(g: Graph, ops: DialectOps, excluded: (name: string) => boolean, skipped: Skip[]): LayerWeight[] {
  const byName = new Map<string, LayerWeight[]>();
  const all = layerWeights(g, ops);
  for (const w of all) byName.set(w.name, [...(byName.get(w.name) ?? []), w]);
  for (const n of g.nodes) if (ops.layers[n.op] && !all.some((w) => w.node === n)) skipped.push({ node: n.name, reason: UNREADABLE });
  const out: LayerWeight[] = [];
  for (const users of byName.values()) {
    const off = users.find((w) => excluded(w.node.name));
    if (off) skipped.push({ node: off.node.name, reason: 'excluded' });
    else out.push(users[0]!);
  }
  return out;
}

function absValues(t: Tensor): Float64Array {
  const v = realValues(t);
  for (let i = 0; i < v.length; i++) v[i] = Math.abs(v[i]!);
  return v;
}

/** The k-th smallest value and how many elements equal to it are among the k smallest. */
function cut(abs: Float64Array, k: number): { below: number; ties: number } {
  const sorted = Float64Array.from(abs).sort();
  const below = sorted[k - 1]!;
  let less = 0;
  for (let i = 0; i < k; i++) if (sorted[i]! < below) less++;
  return { below, ties: k - less };
}

/** Marks elements under the cut, then ties in index order while `ties.left` lasts. */
function markBelow(abs: Float64Array, below: number, ties: { left: number }): Uint8Array {
  const zero = new Uint8Array(abs.length);
  for (let i = 0; i < abs.length; i++) {
    const a = abs[i]!;
    if (a < below) zero[i] = 1;
    else if (a === below && ties.left > 0) { zero[i] = 1; ties.left--; }
  }
  return zero;
}

function apply(tensors: Map<string, Tensor>, name: string, abs: Float64Array, zero: Uint8Array): void {
  // Only weights that gain a zero get new bytes; the rest stay shared with the input model.
  for (let i = 0; i < zero.length; i++) {
    if (zero[i] && abs[i] !== 0) {
      tensors.set(name, withZeros(tensors.get(name)!, zero));
      return;
    }
  }
}

export interface MagnitudeOptions {
  sparsity?: number;
  scope?: 'global' | 'layer';
  perLayer?: Record<string, number>;
}

export function magnitudePrune(
  g: Graph, ops: DialectOps, opts: MagnitudeOptions, excluded: (name: string) => boolean,
  skipped: Skip[], onProgress?: ProgressFn, signal?: AbortSignal,
): Graph {
  const weights = uniqueWeights(g, ops, excluded, skipped);
  const tensors = new Map(g.tensors);
  const own = (w: LayerWeight) => opts.perLayer?.[w.node.name];
  const pooled = opts.scope !== 'layer' && opts.sparsity !== undefined ? weights.filter((w) => own(w) === undefined) : [];
  if (pooled.length > 0) {
    const parts = pooled.map((w) => absValues(g.tensors.get(w.name)!));
    const all = new Float64Array(parts.reduce((n, p) => n + p.length, 0));
    parts.reduce((at, p) => (all.set(p, at), at + p.length), 0);
    const k = Math.round(opts.sparsity! * all.length);
    if (k > 0) {
      const { below, ties } = cut(all, k);
      const left = { left: ties };
      pooled.forEach((w, i) => apply(tensors, w.name, parts[i]!, markBelow(parts[i]!, below, left)));
    }
  }
  weights.forEach((w, i) => {
    throwIfAborted(signal);
    onProgress?.(i / weights.length, `magnitude ${w.node.name}`);
    const target = own(w) ?? (pooled.length > 0 ? undefined : opts.sparsity);
    if (target === undefined) return;
    const abs = absValues(g.tensors.get(w.name)!);
    const k = Math.round(target * abs.length);
    if (k === 0) return;
    const { below, ties } = cut(abs, k);
    apply(tensors, w.name, abs, markBelow(abs, below, { left: ties }));
  });
  return { ...g, tensors };
}

/** N:M along each weight's reduction axis; layers without one (depthwise) are skipped. */
export function patternPrune(
  g: Graph, ops: DialectOps, pattern: { n: number; m: number }, excluded: (name: string) => boolean,
  skipped: Skip[], onProgress?: ProgressFn, signal?: AbortSignal,
): Graph {
  const { n, m } = pattern;
  const weights = uniqueWeights(g, ops, excluded, skipped);
  const tensors = new Map(g.tensors);
  weights.forEach((w, wi) => {
    throwIfAborted(signal);
    onProgress?.(wi / weights.length, `${n}:${m} ${w.node.name}`);
    if (w.inAxis === undefined) {
      skipped.push({ node: w.node.name, reason: `${n}:${m}: no reduction axis (each output reads one input channel)` });
      return;
    }
    const abs = absValues(g.tensors.get(w.name)!);
    const len = w.shape[w.inAxis]!;
    const inner = w.shape.slice(w.inAxis + 1).reduce((a, b) => a * b, 1);
    const outer = abs.length / (len * inner);
    const zero = new Uint8Array(abs.length);
    const group: number[] = [];
    for (let o = 0; o < outer; o++) {
      for (let i = 0; i < inner; i++) {
        for (let start = 0; start < len; start += m) {
          group.length = 0;
          for (let a = start; a < Math.min(start + m, len); a++) group.push((o * len + a) * inner + i);
          // Largest first; equal magnitudes keep the lower index.
          group.sort((p, q) => abs[q]! - abs[p]! || p - q);
          for (let r = n; r < group.length; r++) zero[group[r]!] = 1;
        }
      }
    }
    apply(tensors, w.name, abs, zero);
  });
  return { ...g, tensors };
}
