/**
 * Activation parameters for every (tensor, precision) a quantized graph holds. Ops whose inputs
 * and output must share one scale (pooling, reshape, concat... `same` in the op table) join
 * their tensors into one group (union-find); a group's range is the union of its members'
 * calibrated ranges, or the fixed output parameters a kernel demands (softmax, logistic, tanh).
 */
import type { Graph, Node, Quantization } from '../ir/types';
import { dataInputs, quantInfo } from './op-table';
import { activationParams, type ActivationType } from './params';
import type { QuantizedNode, Range } from './types';

export type Key = `${ActivationType}:${string}`;
export const keyOf = (p: ActivationType, tensor: string): Key => `${p}:${tensor}`;

class UnionFind {
  private readonly parent = new Map<Key, Key>();
  find(k: Key): Key {
    let r = k;
    while (this.parent.has(r) && this.parent.get(r) !== r) r = this.parent.get(r)!;
    this.parent.set(k, r);
    return r;
  }
  union(a: Key, b: Key): void {
    const ra = this.find(a), rb = this.find(b);
    if (ra !== rb) this.parent.set(rb, ra);
  }
}

export interface ScalePlan {
  /** Parameters of a quantized activation tensor (constants of `same` ops included). */
  params(p: ActivationType, tensor: string): Quantization | undefined;
  /** Nodes that had to fall back to float because two fixed output scales met in one group. */
  conflicts: Node[];
}

export function planScales(g: Graph, precisions: Map<Node, QuantizedNode>, ranges: Record<string, Range>): ScalePlan {
  const uf = new UnionFind();
  const fixed = new Map<Key, [number, number]>();
  const conflicts: Node[] = [];
  const members = new Set<Key>();
  const isConst = (name: string) => { const t = g.tensors.get(name); return !!t && (!!t.data || !!t.isConstant); };

  for (const node of g.nodes) {
    const entry = precisions.get(node)!;
    if (entry.precision === 'float') continue;
    const p = entry.precision as ActivationType;
    const info = quantInfo(node.op)!;
    const ins = dataInputs(info, node.inputs.length).map((i) => node.inputs[i]!).filter((n) => n !== '');
    const outs = node.outputs.filter((n) => n !== '');
    for (const n of [...ins, ...outs]) members.add(keyOf(p, n));
    const out = info.output?.[p];
    if (out) {
      for (const o of outs) {
        const k = keyOf(p, o);
        const root = uf.find(k);
        const had = fixed.get(root);
        if (had && (had[0] !== out[0] || had[1] !== out[1])) { conflicts.push(node); continue; }
        fixed.set(root, out);
      }
    }
    if (!info.same) continue;
    const keys = [...ins.filter((n) => !isConst(n)), ...outs].map((n) => keyOf(p, n));
    // Joining two groups that each carry a different fixed scale would break one of them.
    const roots = new Set(keys.map((k) => uf.find(k)));
    const fixes = [...roots].map((r) => fixed.get(r)).filter((f): f is [number, number] => !!f);
    if (fixes.some((f) => f[0] !== fixes[0]![0] || f[1] !== fixes[0]![1])) { conflicts.push(node); continue; }
    for (const k of keys.slice(1)) uf.union(keys[0]!, k);
    if (fixes[0]) fixed.set(uf.find(keys[0]!), fixes[0]);
    // Constant operands (concat parts, PADV2's pad value) take the group's parameters.
    for (const n of ins.filter(isConst)) if (keys[0]) uf.union(keys[0], keyOf(p, n));
  }

  const span = new Map<Key, Range>();
  for (const k of members) {
    const name = k.slice(k.indexOf(':') + 1);
    const r = ranges[name];
    if (!r) continue;
    const root = uf.find(k);
    const s = span.get(root);
    span.set(root, s ? [Math.min(s[0], r[0]), Math.max(s[1], r[1])] : [r[0], r[1]]);
  }
  const cache = new Map<Key, Quantization>();
  return {
    conflicts,
    params(p, tensor) {
      const root = uf.find(keyOf(p, tensor));
      const hit = cache.get(root);
      if (hit) return hit;
      const f = fixed.get(root);
      let q: Quantization | undefined;
      if (f) q = { scale: [f[0]], zeroPoint: [f[1]] };
      else {
        const r = span.get(root);
        if (r) q = activationParams(r[0], r[1], p);
      }
      if (q) cache.set(root, q);
      return q;
    },
  };
}
