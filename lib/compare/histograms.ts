/**
 * Float vs quantized distributions of one node: its weights (the constant the quantizer turned
 * into int8 / float16, dequantized) and its output activation on evaluation samples. Both sides
 * share one set of bin edges so the bars compare directly; a quantized weight shows as a comb of
 * spikes on its grid, a clipped activation range as mass piled at the ends.
 */
import type { Graph, Model, Node, Tensor } from '../ir/types';
import { tensorFloats } from '../ir/values';
import { quantInfo } from '../quantize/op-table';
import type { HostTensor } from '../runtime/types';
import { capture } from './layer-errors';

export interface Histogram {
  /** bins + 1 edges shared by both sides. */
  edges: number[];
  float: number[];
  quantized: number[];
}

export interface NodeHistograms {
  node: string;
  op: string;
  weights?: Histogram & { tensor: string; dtype: string; distinct: number };
  activations?: Histogram & { tensor: string; samples: number };
}

export function histogram(a: ArrayLike<number>, b: ArrayLike<number>, bins = 48): Histogram {
  let lo = Infinity, hi = -Infinity;
  for (const x of [a, b]) for (let i = 0; i < x.length; i++) { const v = x[i]!; if (Number.isFinite(v)) { if (v < lo) lo = v; if (v > hi) hi = v; } }
  if (!(lo <= hi)) return { edges: [], float: [], quantized: [] };
  if (lo === hi) { lo -= 0.5; hi += 0.5; }
  const w = (hi - lo) / bins;
  const edges = Array.from({ length: bins + 1 }, (_, i) => lo + i * w);
  const count = (x: ArrayLike<number>) => {
    const c = new Array<number>(bins).fill(0);
    for (let i = 0; i < x.length; i++) {
      const v = x[i]!;
      if (Number.isFinite(v)) c[Math.min(bins - 1, Math.floor((v - lo) / w))]!++;
    }
    return c;
  };
  return { edges, float: count(a), quantized: count(b) };
}

function concat(chunks: Float32Array[]): Float32Array {
  const out = new Float32Array(chunks.reduce((a, c) => a + c.length, 0));
  let at = 0;
  for (const c of chunks) { out.set(c, at); at += c.length; }
  return out;
}

/** The constant behind input `i`: the tensor itself, or what a DEQUANTIZE of a constant reads. */
function constantInput(g: Graph, n: Node, i: number): Tensor | undefined {
  const name = n.inputs[i];
  if (!name) return undefined;
  const t = g.tensors.get(name);
  if (t?.data) return t;
  const producer = g.nodes.find((p) => p.outputs.includes(name));
  if (producer?.op === 'tfl.DEQUANTIZE') {
    const src = g.tensors.get(producer.inputs[0] ?? '');
    if (src?.data) return src;
  }
  return undefined;
}

function weightIndex(g: Graph, n: Node): number | undefined {
  const w = quantInfo(n.op)?.weight?.input;
  if (w !== undefined) return w;
  // Ops outside the table with one constant input (e.g. a float16 MUL by a constant).
  const consts = n.inputs.map((_, i) => i).filter((i) => constantInput(g, n, i));
  return consts.length === 1 ? consts[0] : undefined;
}

/** Node `node` of `variant` against the node of the same name in `float`, on `sets` (float inputs). */
export async function nodeHistograms(float: Model, variant: Model, node: string, sets: HostTensor[][], signal?: AbortSignal): Promise<NodeHistograms> {
  const g = variant.graphs[0]!, fg = float.graphs[0]!;
  const n = g.nodes.find((x) => x.name === node);
  if (!n) throw new Error(`no node '${node}' in ${variant.name}`);
  const out: NodeHistograms = { node, op: n.op };
  const fn = fg.nodes.find((x) => x.name === node);
  const wi = weightIndex(g, n);
  if (fn && wi !== undefined) {
    const q = constantInput(g, n, wi), f = constantInput(fg, fn, wi);
    const qv = q && tensorFloats(q), fv = f && tensorFloats(f);
    if (q && qv && fv && qv.length === fv.length) out.weights = { ...histogram(fv, qv), tensor: q.name, dtype: q.dtype, distinct: new Set(qv).size };
  }
  const o = n.outputs[0];
  const fo = o && (fg.tensors.has(o) ? o : o.replace(/\/(int8|int16)(_\d+)?$/, ''));
  if (o && fo && fg.tensors.has(fo)) {
    const fc: Float32Array[] = [], qc: Float32Array[] = [];
    await capture(float, sets, (name, v) => { if (name === fo) fc.push(v.slice()); }, signal);
    await capture(variant, sets, (name, v) => { if (name === o) qc.push(v.slice()); }, signal);
    const fa = concat(fc), qa = concat(qc);
    if (fa.length && qa.length) out.activations = { ...histogram(fa, qa), tensor: fo, samples: sets.length };
  }
  return out;
}
