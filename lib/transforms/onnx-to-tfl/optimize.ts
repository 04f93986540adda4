/**
 * Clean-up of a lowered tfl graph: transposes pushed down through layout-agnostic ops until they
 * meet their inverse, transposes of constants folded, reshape chains merged, flatten-after-NHWC
 * absorbed into FULLY_CONNECTED weights, activations fused. Rewrites only nodes and tensors the
 * lowering created (Tensor objects are replaced, never mutated).
 */
import type { Graph, Node, Tensor } from '../../ir/types';
import { tflOptions } from './builder';
import { outputsAtInvoke } from './invoke-outputs';
import { bytesOf, composePerm, floats, inversePerm, isIdentityPerm, numbers, permuteShape, size, transposeData, transposeIndex } from './nd';

const UNARY = new Set(['RELU', 'RELU6', 'RELU_N1_TO_1', 'LOGISTIC', 'TANH', 'EXP', 'LOG', 'SQRT', 'RSQRT', 'ABS', 'NEG',
  'FLOOR', 'CEIL', 'SIN', 'COS', 'LEAKY_RELU', 'HARD_SWISH', 'ELU', 'CAST', 'ROUND', 'SIGN', 'LOGICAL_NOT', 'SQUARE', 'GELU']);
const BINARY = new Set(['ADD', 'SUB', 'MUL', 'DIV', 'POW', 'MAXIMUM', 'MINIMUM', 'EQUAL', 'GREATER', 'GREATER_EQUAL',
  'LESS', 'LESS_EQUAL', 'LOGICAL_AND', 'LOGICAL_OR', 'PRELU', 'SQUARED_DIFFERENCE', 'SELECT_V2']);
const REDUCE = new Set(['MEAN', 'SUM', 'REDUCE_MAX', 'REDUCE_MIN', 'REDUCE_PROD']);
const FUSABLE_INTO = new Set(['CONV_2D', 'DEPTHWISE_CONV_2D', 'FULLY_CONNECTED', 'ADD', 'MAX_POOL_2D', 'AVERAGE_POOL_2D']);
const ACTIVATIONS: Record<string, string> = { 'tfl.RELU': 'RELU', 'tfl.RELU6': 'RELU6', 'tfl.RELU_N1_TO_1': 'RELU_N1_TO_1' };

const op = (n: Node): string => n.op.replace(/^tfl\./, '');

class Work {
  producer = new Map<string, Node>();
  consumers = new Map<string, Node[]>();
  outputs: Set<string>;
  taken: Set<string>;

  constructor(public g: Graph) {
    this.outputs = new Set(g.outputs);
    this.taken = new Set(g.tensors.keys());
    this.index();
  }

  index(): void {
    this.producer.clear();
    this.consumers.clear();
    for (const n of this.g.nodes) {
      for (const o of n.outputs) this.producer.set(o, n);
      for (const i of new Set(n.inputs)) if (i) this.consumers.set(i, [...(this.consumers.get(i) ?? []), n]);
    }
  }

  t(name: string): Tensor { return this.g.tensors.get(name)!; }
  shape(name: string): number[] | null {
    const s = this.g.tensors.get(name)?.shape;
    return s && s.every((d) => typeof d === 'number') ? (s as number[]) : null;
  }
  isConst(name: string): boolean { return !!this.g.tensors.get(name)?.data; }
  uses(name: string): Node[] { return this.consumers.get(name) ?? []; }

  unique(base: string): string {
    let name = base;
    for (let k = 1; this.taken.has(name); k++) name = `${base}_${k}`;
    this.taken.add(name);
    return name;
  }

  addConst(base: string, like: Tensor, shape: number[], data: Uint8Array): string {
    const name = this.unique(base);
    this.g.tensors.set(name, { name, dtype: like.dtype, shape, data, isConstant: true });
    return name;
  }

  perm(n: Node): number[] | null {
    const p = this.g.tensors.get(n.inputs[1] ?? '');
    return p?.data ? numbers(p) : null;
  }

  newTranspose(x: string, perm: number[], out: string, at: Node): void {
    const permName = this.addConst(`${out}/perm`, { name: '', dtype: 'int32', shape: null }, [perm.length], bytesOf(Int32Array.from(perm)));
    this.insertAfter(at, { name: this.unique(`${out}/transpose`), op: 'tfl.TRANSPOSE', inputs: [x, permName], outputs: [out], attrs: tflOptions('TRANSPOSE', {}) });
  }

  newReshape(x: string, shape: number[], out: string, at: Node): void {
    const s = this.addConst(`${out}/shape`, { name: '', dtype: 'int32', shape: null }, [shape.length], bytesOf(Int32Array.from(shape)));
    this.insertAfter(at, { name: this.unique(`${out}/reshape`), op: 'tfl.RESHAPE', inputs: [x, s], outputs: [out], attrs: tflOptions('RESHAPE', { new_shape: { kind: 'ints', value: shape } }) });
  }

  insertAfter(at: Node, n: Node): void {
    const i = this.g.nodes.indexOf(at);
    this.g.nodes.splice(i + 1, 0, n);
  }

  remove(n: Node): void {
    const i = this.g.nodes.indexOf(n);
    if (i >= 0) this.g.nodes.splice(i, 1);
  }

  /** Every use of `from` reads `to` instead. */
  replaceUses(from: string, to: string): void {
    for (const n of this.uses(from)) n.inputs = n.inputs.map((i) => (i === from ? to : i));
  }

  tmp(base: string, like: Tensor, shape: number[]): string {
    const name = this.unique(base);
    this.g.tensors.set(name, { name, dtype: like.dtype, shape });
    return name;
  }
}

/** A transpose that only moves size-1 dimensions is a reshape (same element order). */
function movesOnlyOnes(shape: number[], perm: number[]): boolean {
  const big = perm.filter((p) => shape[p] !== 1);
  return big.every((p, i) => i === 0 || p > big[i - 1]!);
}

type Rewrite = (w: Work, n: Node) => boolean;

/** TRANSPOSE / RESHAPE of a constant: a new constant. */
const foldConst: Rewrite = (w, n) => {
  const o = op(n);
  if ((o !== 'TRANSPOSE' && o !== 'RESHAPE') || !w.isConst(n.inputs[0]!) || w.outputs.has(n.outputs[0]!)) return false;
  const x = w.t(n.inputs[0]!), y = n.outputs[0]!;
  const xs = w.shape(x.name), ys = w.shape(y);
  if (!xs || !ys) return false;
  let data = x.data!;
  if (o === 'TRANSPOSE') {
    const p = w.perm(n);
    if (!p) return false;
    data = transposeData(x, xs, p);
  }
  w.g.tensors.set(y, { name: y, dtype: x.dtype, shape: ys, data, isConstant: true });
  w.remove(n);
  return true;
};

/** Identity TRANSPOSE / same-shape RESHAPE disappear. */
const dropIdentity: Rewrite = (w, n) => {
  const o = op(n);
  const x = n.inputs[0]!, y = n.outputs[0]!;
  const same = o === 'TRANSPOSE' ? isIdentityPerm(w.perm(n) ?? [1, 0])
    : o === 'RESHAPE' ? JSON.stringify(w.shape(x)) === JSON.stringify(w.shape(y)) && w.shape(x) !== null : false;
  if (!same) return false;
  if (w.outputs.has(y)) {
    // A graph output keeps its name: the producer of x writes it directly when x has no other use.
    const prev = w.producer.get(x);
    if (!prev || w.uses(x).length !== 1 || w.outputs.has(x) || w.g.inputs.includes(x)) return false;
    prev.outputs = prev.outputs.map((o2) => (o2 === x ? y : o2));
    w.remove(n);
    return true;
  }
  w.replaceUses(y, x);
  w.remove(n);
  return true;
};

/** T(T(x)) -> one T; R(R(x)) -> one R; T moving only 1-dims -> R. */
const merge: Rewrite = (w, n) => {
  const o = op(n);
  const x = n.inputs[0]!;
  const xs = w.shape(x);
  if (o === 'TRANSPOSE' && xs) {
    const p = w.perm(n);
    if (p && movesOnlyOnes(xs, p)) {
      const shape = w.shape(n.outputs[0]!)!;
      w.newReshape(x, shape, n.outputs[0]!, n);
      w.remove(n);
      return true;
    }
  }
  const prev = w.producer.get(x);
  if (!prev || op(prev) !== o || (o !== 'TRANSPOSE' && o !== 'RESHAPE')) return false;
  if (o === 'TRANSPOSE') {
    const p1 = w.perm(prev), p2 = w.perm(n);
    if (!p1 || !p2) return false;
    w.newTranspose(prev.inputs[0]!, composePerm(p1, p2), n.outputs[0]!, n);
  } else {
    w.newReshape(prev.inputs[0]!, w.shape(n.outputs[0]!)!, n.outputs[0]!, n);
  }
  w.remove(n);
  return true;
};

/** The constant operand of a binary op, re-laid-out so that op(T(x), c) == T(op(x, c')). */
function permuteOperand(w: Work, name: string, perm: number[], rank: number): string | null {
  const t = w.t(name);
  const s = w.shape(name);
  if (!s || s.length > rank) return null;
  if (size(s) === 1) return name;
  if (!t.data) return null;
  const padded = [...new Array<number>(rank - s.length).fill(1), ...s];
  const inv = inversePerm(perm);
  const shape = permuteShape(padded, inv);
  return w.addConst(`${name}/permuted`, t, shape, transposeData({ ...t, shape: padded }, padded, inv));
}

/**
 * T(x, p) feeding layout-agnostic ops: each consumer runs on x instead and is followed by T.
 * Only when every consumer can take it (otherwise the transpose would just be duplicated).
 */
const pushDown: Rewrite = (w, n) => {
  if (op(n) !== 'TRANSPOSE') return false;
  const x = n.inputs[0]!, t = n.outputs[0]!;
  const p = w.perm(n);
  const xs = w.shape(x);
  if (!p || !xs || w.outputs.has(t)) return false;
  const users = w.uses(t);
  if (users.length === 0) return false;
  const plans: Array<() => void> = [];
  for (const u of users) {
    const plan = planPush(w, u, t, p);
    if (!plan) return false;
    plans.push(plan);
  }
  for (const plan of plans) plan();
  return true;
};

function planPush(w: Work, u: Node, t: string, p: number[]): (() => void) | null {
  const o = op(u);
  const y = u.outputs[0]!;
  const ys = w.shape(y);
  if (!ys || u.outputs.length !== 1) return null;
  const rank = p.length;
  const inv = inversePerm(p);
  const sourceOf = (name: string): string | null => {
    if (name === t) return w.producer.get(t)!.inputs[0]!;
    const prod = w.producer.get(name);
    if (prod && op(prod) === 'TRANSPOSE' && JSON.stringify(w.perm(prod)) === JSON.stringify(p)) return prod.inputs[0]!;
    return null;
  };
  let inputs: string[];
  let attrs = u.attrs;
  let outShape = permuteShape(ys, inv);
  if (UNARY.has(o)) {
    if (ys.length !== rank) return null;
    inputs = [sourceOf(u.inputs[0]!)!];
  } else if (BINARY.has(o)) {
    if (ys.length !== rank) return null;
    const mapped = u.inputs.map((i) => sourceOf(i) ?? permuteOperandLazy(w, i, p, rank));
    if (mapped.some((m) => m === null)) return null;
    inputs = mapped as string[];
  } else if (REDUCE.has(o) || o === 'CONCATENATION' || o === 'SOFTMAX') {
    return planAxisOp(w, u, t, p, sourceOf);
  } else {
    return null;
  }
  return () => {
    const ins = inputs.map((i) => (i.startsWith('\u0000') ? permuteOperand(w, i.slice(1), p, rank)! : i));
    const pre = w.tmp(`${y}/pre_transpose`, w.t(y), outShape);
    u.inputs = ins;
    u.outputs = [pre];
    u.attrs = attrs;
    w.newTranspose(pre, p, y, u);
  };
}

/** Marks an operand to permute when the plan runs (planning must not add tensors). */
function permuteOperandLazy(w: Work, name: string, p: number[], rank: number): string | null {
  const s = w.shape(name);
  if (!s || s.length > rank) return null;
  if (size(s) === 1) return name;
  return w.isConst(name) ? `\u0000${name}` : null;
}

function planAxisOp(w: Work, u: Node, t: string, p: number[], sourceOf: (n: string) => string | null): (() => void) | null {
  const o = op(u);
  const y = u.outputs[0]!;
  const ys = w.shape(y)!;
  if (o === 'CONCATENATION') {
    const srcs = u.inputs.map(sourceOf);
    if (srcs.some((s) => s === null) || ys.length !== p.length) return null;
    const axis = u.attrs.axis?.kind === 'int' ? u.attrs.axis.value : 0;
    return () => {
      const pre = w.tmp(`${y}/pre_transpose`, w.t(y), permuteShape(ys, inversePerm(p)));
      u.inputs = srcs as string[];
      u.outputs = [pre];
      u.attrs = { ...u.attrs, axis: { kind: 'int', value: p[axis]! } };
      w.newTranspose(pre, p, y, u);
    };
  }
  if (o === 'SOFTMAX') {
    if (p[p.length - 1] !== p.length - 1) return null;
    return () => {
      const pre = w.tmp(`${y}/pre_transpose`, w.t(y), permuteShape(ys, inversePerm(p)));
      u.inputs = [sourceOf(u.inputs[0]!)!];
      u.outputs = [pre];
      w.newTranspose(pre, p, y, u);
    };
  }
  // Reductions: axes map through p; without keep_dims the surviving dims keep p's relative order.
  const axes = numbers(w.t(u.inputs[1]!));
  if (!axes || u.inputs[0] !== t) return null;
  const keep = u.attrs.keep_dims?.kind === 'bool' && u.attrs.keep_dims.value;
  const newAxes = axes.map((a) => p[a]!).sort((a, b) => a - b);
  const kept = p.filter((_, k) => !axes.includes(k));
  const ranks = [...kept].sort((a, b) => a - b);
  const outPerm = keep ? p : kept.map((d) => ranks.indexOf(d));
  const x = sourceOf(t)!;
  const xs = w.shape(x)!;
  const preShape = keep ? xs.map((d, i) => (newAxes.includes(i) ? 1 : d)) : xs.filter((_, i) => !newAxes.includes(i));
  return () => {
    const pre = w.tmp(`${y}/pre_transpose`, w.t(y), preShape);
    const axesName = w.addConst(`${u.name}/axes`, { name: '', dtype: 'int32', shape: null }, [newAxes.length], bytesOf(Int32Array.from(newAxes)));
    u.inputs = [x, axesName];
    u.outputs = [pre];
    if (isIdentityPerm(outPerm)) w.newReshape(pre, ys, y, u);
    else w.newTranspose(pre, outPerm, y, u);
  };
}

/**
 * RESHAPE(T(x, p)) where the reshape only adds or drops 1-dims: reshape x first (a pure view) and
 * transpose after, so the transpose can travel on and meet its inverse.
 */
const pushThroughReshape: Rewrite = (w, n) => {
  if (op(n) !== 'RESHAPE') return false;
  const t = n.inputs[0]!;
  const tr = w.producer.get(t);
  if (!tr || op(tr) !== 'TRANSPOSE' || w.uses(t).length !== 1 || w.outputs.has(t)) return false;
  const x = tr.inputs[0]!;
  const p = w.perm(tr), xs = w.shape(x), ts = w.shape(t), zs = w.shape(n.outputs[0]!);
  if (!p || !xs || !ts || !zs) return false;
  const squeeze = (s: number[]): number[] => s.filter((d) => d !== 1);
  if (JSON.stringify(squeeze(ts)) !== JSON.stringify(squeeze(zs))) return false;
  const bigX = xs.flatMap((d, i) => (d !== 1 ? [i] : []));
  const yBig = p.filter((src) => xs[src] !== 1);
  const ones = zs.length - bigX.length;
  const xShape = [...bigX.map((i) => xs[i]!), ...new Array<number>(ones).fill(1)];
  let k = 0, one = bigX.length;
  const perm = zs.map((d) => (d !== 1 ? bigX.indexOf(yBig[k++]!) : one++));
  const mid = w.tmp(`${x}/reshaped`, w.t(x), xShape);
  w.newReshape(x, xShape, mid, n);
  const after = w.g.nodes[w.g.nodes.indexOf(n) + 1]!;
  w.newTranspose(mid, perm, n.outputs[0]!, after);
  w.remove(n);
  return true;
};

/** T(x, p) -> RESHAPE [N, K] -> FULLY_CONNECTED(s): permute the weight columns, drop T. */
const absorbIntoFc: Rewrite = (w, n) => {
  if (op(n) !== 'RESHAPE') return false;
  const t = n.inputs[0]!, r = n.outputs[0]!;
  const tr = w.producer.get(t);
  if (!tr || op(tr) !== 'TRANSPOSE' || w.uses(t).length !== 1 || w.outputs.has(r) || w.outputs.has(t)) return false;
  const p = w.perm(tr), xs = w.shape(tr.inputs[0]!), rs = w.shape(r);
  if (!p || !xs || !rs || rs.length !== 2 || p[0] !== 0 || rs[0] !== xs[0]) return false;
  const fcs = w.uses(r);
  if (fcs.length === 0 || !fcs.every((f) => op(f) === 'FULLY_CONNECTED' && f.inputs[0] === r && w.isConst(f.inputs[1]!) && w.t(f.inputs[1]!).dtype === 'float32')) return false;
  const K = rs[1]!;
  // src[j]: index in x's per-sample (NHWC) flattening of column j of the NCHW flattening.
  const src = transposeIndex(xs.slice(1), p.slice(1).map((d) => d - 1));
  for (const f of fcs) {
    const wt = w.t(f.inputs[1]!);
    const wv = floats(wt)!;
    const N = wv.length / K;
    const out = new Float32Array(wv.length);
    for (let o = 0; o < N; o++) for (let j = 0; j < K; j++) out[o * K + src[j]!] = wv[o * K + j]!;
    f.inputs = [f.inputs[0]!, w.addConst(`${wt.name}/nhwc_columns`, wt, [N, K], bytesOf(out)), ...f.inputs.slice(2)];
  }
  n.inputs = [tr.inputs[0]!, ...n.inputs.slice(1)];
  return true;
};

/** RELU / RELU6 / RELU_N1_TO_1 after an op that has the fused form, when it is the only user. */
const fuseActivation: Rewrite = (w, n) => {
  const act = ACTIVATIONS[n.op];
  if (!act) return false;
  const x = n.inputs[0]!;
  const prev = w.producer.get(x);
  if (!prev || !FUSABLE_INTO.has(op(prev)) || w.uses(x).length !== 1 || w.outputs.has(x)) return false;
  const cur = prev.attrs.fused_activation_function;
  if (!cur || cur.kind !== 'string' || cur.value !== 'NONE' || w.t(x).dtype !== 'float32') return false;
  prev.attrs = { ...prev.attrs, fused_activation_function: { kind: 'string', value: act } };
  prev.outputs = [n.outputs[0]!];
  w.remove(n);
  return true;
};

function removeDead(w: Work): void {
  const used = new Set(w.g.outputs);
  const keep: Node[] = [];
  for (let i = w.g.nodes.length - 1; i >= 0; i--) {
    const n = w.g.nodes[i]!;
    if (n.outputs.some((o) => used.has(o))) {
      keep.push(n);
      // A kept node writes all its outputs, used or not: their tensors must stay described.
      for (const o of n.outputs) if (o) used.add(o);
      for (const x of n.inputs) if (x) used.add(x);
    }
  }
  w.g.nodes = keep.reverse();
  for (const i of w.g.inputs) used.add(i);
  for (const name of [...w.g.tensors.keys()]) if (!used.has(name)) w.g.tensors.delete(name);
}

const PASSES: Rewrite[] = [foldConst, dropIdentity, merge, pushThroughReshape, pushDown, absorbIntoFc];

/** Runs the rewrites to a fixpoint (bounded), then activation fusion and dead-code removal. */
export function optimize(g: Graph): Graph {
  const w = new Work({ ...g, nodes: [...g.nodes], tensors: new Map(g.tensors) });
  const limit = 20 * (w.g.nodes.length + 10);
  for (let steps = 0; steps < limit; steps++) {
    let changed = false;
    for (const pass of PASSES) {
      for (const n of [...w.g.nodes]) {
        if (!w.g.nodes.includes(n)) continue;
        if (pass(w, n)) { changed = true; w.index(); removeDead(w); w.index(); }
      }
    }
    if (!changed) break;
  }
  for (const n of [...w.g.nodes]) if (fuseActivation(w, n)) w.index();
  removeDead(w);
  restoreNames(w.g);
  outputsAtInvoke(w.g);
  return w.g;
}

/**
 * Tensors the passes renamed ('x/nhwc', 'x/pre_transpose') take back the ONNX name once it is
 * free again, so the converted graph reads like the original.
 */
function restoreNames(g: Graph): void {
  const renames = new Map<string, string>();
  for (const name of [...g.tensors.keys()]) {
    const base = name.replace(/(\/(nhwc|pre_transpose))+$/, '');
    if (base === name || g.tensors.has(base) || g.tensors.get(name)!.data) continue;
    const t = g.tensors.get(name)!;
    g.tensors.delete(name);
    g.tensors.set(base, { ...t, name: base });
    renames.set(name, base);
  }
  if (renames.size === 0) return;
  for (const n of g.nodes) {
    n.inputs = n.inputs.map((i) => renames.get(i) ?? i);
    n.outputs = n.outputs.map((o) => renames.get(o) ?? o);
  }
}
