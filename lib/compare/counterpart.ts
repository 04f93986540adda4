/**
 * The node in another graph of the same model (float vs variant, ONNX vs its .tflite) that
 * stands for a node: the same name, else the node producing a tensor of the same name, else the
 * nearest neighbour that has one. Converters and quantizers keep names but fuse (BatchNorm and
 * Relu into the Conv before them) and add (DEQUANTIZE of weights, QUANTIZE at the edges), so a
 * node without a twin is shown by the nearest one: the producer first, which is what a fused op
 * folded into, then the consumer (a weight's DEQUANTIZE is drawn by the op that reads it).
 */
import type { Graph, Node } from '../ir/types';

interface Index { byName: Map<string, Node>; byOutput: Map<string, Node>; consumers: Map<string, Node[]> }

function index(g: Graph): Index {
  const byName = new Map<string, Node>(), byOutput = new Map<string, Node>(), consumers = new Map<string, Node[]>();
  for (const n of g.nodes) {
    byName.set(n.name, n);
    for (const o of n.outputs) byOutput.set(o, n);
    for (const i of n.inputs) if (i) { const c = consumers.get(i); if (c) c.push(n); else consumers.set(i, [n]); }
  }
  return { byName, byOutput, consumers };
}

const cache = new WeakMap<Graph, Index>();
const indexOf = (g: Graph): Index => { let i = cache.get(g); if (!i) { i = index(g); cache.set(g, i); } return i; };

/** Strip the suffixes the quantizer adds to tensors it splits (`x/int8`, `x/int8_1`). */
const base = (t: string) => t.replace(/\/(int8|int16|uint8)(_\d+)?$/, '');

function twin(n: Node, to: Index): Node | undefined {
  const same = to.byName.get(n.name);
  if (same) return same;
  for (const o of n.outputs) {
    const p = to.byOutput.get(o) ?? to.byOutput.get(base(o));
    if (p) return p;
  }
  return undefined;
}

export function counterpart(from: Graph, to: Graph, name: string, maxSteps = 8): string | null {
  const f = indexOf(from), t = indexOf(to);
  const start = f.byName.get(name);
  if (!start) return null;
  const seen = new Set<Node>([start]);
  let frontier = [start];
  for (let step = 0; step <= maxSteps && frontier.length; step++) {
    for (const n of frontier) { const m = twin(n, t); if (m) return m.name; }
    // Producers before consumers at each distance.
    const next: Node[] = [];
    for (const n of frontier) for (const i of n.inputs) { const p = i ? f.byOutput.get(i) : undefined; if (p && !seen.has(p)) { seen.add(p); next.push(p); } }
    for (const n of frontier) for (const o of n.outputs) for (const c of f.consumers.get(o) ?? []) if (!seen.has(c)) { seen.add(c); next.push(c); }
    frontier = next;
  }
  return null;
}
