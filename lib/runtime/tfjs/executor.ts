/**
 * Runs an IR graph with tfjs ops: nodes in topological order, intermediates in a map, each
 * intermediate disposed as soon as its last consumer has run, every op inside tf.tidy so its
 * temporaries never outlive it.
 *
 * Quantized tensors (TFLite int8/uint8 with scale/zero point) are held as their real values in
 * float32: constants are dequantized once at load and each op output that the graph declares
 * quantized is snapped to its quantization grid (round, clamp, rescale). That gives reference
 * semantics for int8 models (dequantize -> float op -> quantize), not bit-exact TFLite kernels.
 */
import * as tf from '@tensorflow/tfjs';
import type { Graph, Model, Node, Quantization, Tensor } from '../../ir/types';
import { alongAxis, constantToTf, fail, type OpContext, type OpFn, type OpTable } from './util';

const MAX_DEPTH = 32;

interface Step {
  node: Node;
  fn: OpFn | undefined;
  /** Per output: keep it in the environment (someone reads it, or it is a graph output). */
  store: boolean[];
  /** Per output: its declared tensor when quantized (TFLite), to snap the result to its grid. */
  quant: Array<(Tensor & { quant: Quantization }) | undefined>;
  /** Tensors whose last reader is this node: freed right after it (graph outputs excepted). */
  frees: string[];
}

/** Everything about a graph's run that does not depend on the feeds, computed once. */
interface Plan {
  order: Node[];
  steps: Step[];
  /** Outer-scope names that a node's nested graphs read (ONNX If/Loop bodies). */
  implicit: Map<Node, string[]>;
}

type Lookup = (name: string) => tf.Tensor | undefined;

/**
 * Sees every tensor the main graph computes (and its fed inputs), right after it is made and
 * before it may be freed; the tensor belongs to the executor, so read it, never keep or dispose
 * it. Calibration uses this to gather activation statistics in one pass.
 */
export type Observer = (name: string, value: tf.Tensor) => void;

/** Names a graph (and graphs nested in it) reads without defining: its captured outer values. */
function freeNames(g: Graph, depth: number): Set<string> {
  if (depth > MAX_DEPTH) throw new Error(`tfjs executor: graphs nested deeper than ${MAX_DEPTH}`);
  const defined = new Set<string>(g.inputs);
  for (const [name, t] of g.tensors) if (t.data || t.isConstant || isEmpty(t)) defined.add(name);
  for (const n of g.nodes) for (const o of n.outputs) defined.add(o);
  const free = new Set<string>();
  const read = (name: string) => { if (name !== '' && !defined.has(name)) free.add(name); };
  for (const n of g.nodes) {
    n.inputs.forEach(read);
    for (const sub of nestedGraphs(n)) freeNames(sub, depth + 1).forEach(read);
  }
  g.outputs.forEach(read);
  return free;
}

/** A zero-element tensor: TFLite stores such constants without a buffer (and without a flag). */
function isEmpty(t: Tensor): boolean {
  return !!t.shape && t.shape.includes(0);
}

function nestedGraphs(n: Node): Graph[] {
  const out: Graph[] = [];
  for (const a of Object.values(n.attrs)) {
    if (a.kind === 'graph') out.push(a.value);
    else if (a.kind === 'graphs') out.push(...a.value);
  }
  return out;
}

function isQuantizedInt(t: Tensor | undefined): t is Tensor & { quant: Quantization } {
  return !!t && !!t.quant && t.quant.scale.length > 0 && /^u?int(4|8|16|32)$/.test(t.dtype);
}

function qRange(dtype: string): [number, number] {
  switch (dtype) {
    case 'int8': return [-128, 127];
    case 'uint8': return [0, 255];
    case 'int16': return [-32768, 32767];
    case 'uint16': return [0, 65535];
    case 'int4': return [-8, 7];
    case 'uint4': return [0, 15];
    default: return [-2147483648, 2147483647];
  }
}

function qParams(t: Tensor & { quant: Quantization }, rank: number): { s: tf.Tensor; z: tf.Tensor } {
  const q = t.quant;
  if (q.scale.length === 1 || q.axis === undefined) {
    return { s: tf.scalar(q.scale[0]!), z: tf.scalar(q.zeroPoint[0] ?? 0) };
  }
  const axis = q.axis < 0 ? q.axis + rank : q.axis;
  return { s: alongAxis(q.scale, axis, rank), z: alongAxis(q.scale.map((_, i) => q.zeroPoint[i] ?? 0), axis, rank) };
}

/** Real value -> integer code of `t`'s quantization (as int32). */
export function quantizeTo(x: tf.Tensor, t: Tensor & { quant: Quantization }): tf.Tensor {
  return tf.tidy(() => {
    const { s, z } = qParams(t, x.rank);
    const [lo, hi] = qRange(t.dtype);
    // TFLite rounds half away from zero (tf.round would round half to even).
    const v = tf.div(x, s);
    const r = tf.mul(tf.sign(v), tf.floor(tf.add(tf.abs(v), 0.5)));
    return tf.clipByValue(tf.add(r, z), lo, hi).toInt();
  });
}

/** Integer code -> real value. */
export function dequantizeFrom(q: tf.Tensor, t: Tensor & { quant: Quantization }): tf.Tensor {
  return tf.tidy(() => {
    const { s, z } = qParams(t, q.rank);
    return tf.mul(tf.sub(q.toFloat(), z), s);
  });
}

export { isQuantizedInt };

export class IrExecutor {
  private readonly consts = new Map<Graph, Map<string, tf.Tensor>>();
  private readonly plans = new Map<Graph, Plan>();
  private readonly opset: number;
  private readonly memoized = new Map<tf.Tensor, Map<string, tf.Tensor>>();
  private readonly constSet = new Set<tf.Tensor>();
  private readonly memoSet = new Set<tf.Tensor>();
  private disposed = false;

  constructor(readonly model: Model, private readonly table: OpTable, private readonly quantAware: boolean) {
    this.opset = model.opsets[''] ?? (model.dialect === 'onnx' ? 1 : 0);
    const main = model.graphs[0];
    if (!main) throw new Error(`tfjs executor: model ${model.name} has no graph`);
    // Fail at load, not at run, when an op of the main graph is unknown.
    const missing = new Map<string, string[]>();
    const check = (g: Graph, depth: number) => {
      if (depth > MAX_DEPTH) throw new Error(`tfjs executor: graphs nested deeper than ${MAX_DEPTH}`);
      for (const n of this.plan(g).order) {
        if (!this.table[opName(n)]) missing.set(n.op, [...(missing.get(n.op) ?? []), n.name]);
        for (const sub of nestedGraphs(n)) check(sub, depth + 1);
      }
    };
    try {
      check(main, 0);
      this.constants(main);
      for (const g of model.graphs.slice(1)) check(g, 0);
      if (missing.size > 0) {
        const list = [...missing].map(([op, names]) => `${op} x${names.length} (${names.slice(0, 3).join(', ')})`);
        throw new Error(`tfjs executor: unsupported ops: ${list.join('; ')}`);
      }
    } catch (e) {
      this.dispose();
      throw e;
    }
  }

  /** Runs the main graph. Feeds follow graph.inputs order; the caller owns feeds and results. */
  run(feeds: tf.Tensor[], observe?: Observer): tf.Tensor[] {
    if (this.disposed) throw new Error('tfjs executor: session was disposed');
    return this.runGraph(this.model.graphs[0]!, feeds, () => undefined, 0, observe);
  }

  dispose(): void {
    this.disposed = true;
    for (const m of this.consts.values()) for (const t of m.values()) t.dispose();
    for (const m of this.memoized.values()) for (const t of m.values()) t.dispose();
    this.consts.clear();
    this.memoized.clear();
    this.constSet.clear();
    this.memoSet.clear();
  }

  /** Session-owned tensors (constants, memoised weights) that a run must never dispose. */
  private held(t: tf.Tensor): boolean {
    return this.constSet.has(t) || this.memoSet.has(t);
  }

  private memo(t: tf.Tensor, key: string, make: (t: tf.Tensor) => tf.Tensor): tf.Tensor {
    if (!this.constSet.has(t)) return make(t);
    let m = this.memoized.get(t);
    if (!m) { m = new Map(); this.memoized.set(t, m); }
    let v = m.get(key);
    if (!v) { v = tf.keep(make(t)); m.set(key, v); this.memoSet.add(v); }
    return v;
  }

  private constants(g: Graph): Map<string, tf.Tensor> {
    let m = this.consts.get(g);
    if (!m) {
      m = new Map();
      for (const [name, t] of g.tensors) {
        if (!t.data && !t.isConstant && !(isEmpty(t) && !g.inputs.includes(name))) continue;
        const v = constantToTf(t, this.quantAware);
        // keep(): nested graphs' constants are first made inside an If node's tidy scope.
        if (v) { m.set(name, tf.keep(v)); this.constSet.add(v); }
      }
      this.consts.set(g, m);
    }
    return m;
  }

  private plan(g: Graph): Plan {
    const cached = this.plans.get(g);
    if (cached) return cached;
    const implicit = new Map<Node, string[]>();
    for (const n of g.nodes) {
      const subs = nestedGraphs(n);
      if (subs.length === 0) continue;
      const names = new Set<string>();
      for (const s of subs) freeNames(s, 1).forEach((x) => names.add(x));
      implicit.set(n, [...names]);
    }
    const reads = (n: Node) => [...n.inputs.filter((x) => x !== ''), ...(implicit.get(n) ?? [])];
    const producer = new Map<string, Node>();
    for (const n of g.nodes) for (const o of n.outputs) if (o !== '') producer.set(o, n);
    // Only nodes the outputs depend on run: TF graphs carry dead branches.
    const needed = new Set<Node>();
    const stack = g.outputs.map((o) => producer.get(o)).filter((n): n is Node => !!n);
    while (stack.length > 0) {
      const n = stack.pop()!;
      if (needed.has(n)) continue;
      needed.add(n);
      for (const i of reads(n)) { const p = producer.get(i); if (p && !needed.has(p)) stack.push(p); }
    }
    // Kahn's algorithm: TF.js graph files need not list nodes in dependency order.
    const pending = new Map<Node, number>();
    const consumers = new Map<Node, Node[]>();
    for (const n of g.nodes) {
      if (!needed.has(n)) continue;
      const deps = new Set(reads(n).map((i) => producer.get(i)).filter((p): p is Node => !!p && p !== n));
      pending.set(n, deps.size);
      for (const d of deps) consumers.set(d, [...(consumers.get(d) ?? []), n]);
    }
    const ready = g.nodes.filter((n) => pending.get(n) === 0);
    const order: Node[] = [];
    while (ready.length > 0) {
      const n = ready.shift()!;
      order.push(n);
      for (const c of consumers.get(n) ?? []) {
        const left = pending.get(c)! - 1;
        pending.set(c, left);
        if (left === 0) ready.push(c);
      }
    }
    if (order.length !== needed.size) throw new Error(`tfjs executor: graph ${g.name} has a cycle`);
    const keep = new Set(g.outputs);
    const last = new Map<string, number>();
    order.forEach((n, i) => { for (const x of reads(n)) last.set(x, i); });
    const frees: string[][] = order.map(() => []);
    for (const [name, i] of last) if (!keep.has(name)) frees[i]!.push(name);
    const steps: Step[] = order.map((node, i) => ({
      node,
      fn: this.table[opName(node)],
      store: node.outputs.map((o) => o !== '' && (last.has(o) || keep.has(o))),
      quant: node.outputs.map((o) => { const d = g.tensors.get(o); return this.quantAware && isQuantizedInt(d) ? d : undefined; }),
      frees: frees[i]!,
    }));
    const plan = { order, steps, implicit };
    this.plans.set(g, plan);
    return plan;
  }

  private runGraph(g: Graph, feeds: tf.Tensor[], outer: Lookup, depth: number, observe?: Observer): tf.Tensor[] {
    if (depth > MAX_DEPTH) throw new Error(`tfjs executor: graphs nested deeper than ${MAX_DEPTH}`);
    const plan = this.plan(g);
    const consts = this.constants(g);
    const fed = new Map<string, tf.Tensor>();
    g.inputs.forEach((name, i) => { const t = feeds[i]; if (t) { fed.set(name, t); observe?.(name, t); } });
    const env = new Map<string, tf.Tensor>();
    const lookup: Lookup = (name) => env.get(name) ?? fed.get(name) ?? consts.get(name) ?? outer(name);
    const ctx: OpContext = {
      model: this.model,
      opset: this.opset,
      graph: g,
      runGraph: (sub, subFeeds) => this.runGraph(sub, subFeeds, lookup, depth + 1),
      memo: (t, key, make) => this.memo(t, key, make),
    };
    try {
      for (const step of plan.steps) {
        const { node, fn } = step;
        const inputs = node.inputs.map((name) => {
          if (name === '') return undefined;
          const t = lookup(name);
          if (!t) fail(node, `input "${name}" has no value (not fed, not constant, not produced)`);
          return t;
        });
        if (!fn) fail(node, 'no tfjs mapping');
        const outs = tf.tidy(() => {
          const res = fn(inputs, node.attrs, node, ctx);
          return res.map((t, i) => {
            // An op may hand back an input unchanged; the result must own its own reference.
            let r = inputs.includes(t) || this.held(t) ? t.clone() : t;
            const decl = step.quant[i];
            if (decl && r.dtype === 'float32') r = dequantizeFrom(quantizeTo(r, decl), decl);
            return r;
          });
        });
        for (let i = 0; i < outs.length; i++) {
          const t = outs[i]!;
          const name = node.outputs[i];
          if (name) observe?.(name, t);
          if (name !== undefined && step.store[i] && !env.has(name)) env.set(name, t);
          else t.dispose();
        }
        for (const name of step.frees) {
          const t = env.get(name);
          if (t) { t.dispose(); env.delete(name); }
        }
      }
      const seen = new Set<tf.Tensor>();
      const results = g.outputs.map((name) => {
        const t = lookup(name);
        if (!t) throw new Error(`tfjs executor: graph output "${name}" was not computed`);
        const owned = env.get(name) === t && !seen.has(t);
        seen.add(t);
        return owned ? t : t.clone();
      });
      for (const t of env.values()) if (!seen.has(t)) t.dispose();
      return results;
    } catch (e) {
      for (const t of env.values()) t.dispose();
      throw e;
    }
  }
}

export function opName(n: Node): string {
  const dot = n.op.indexOf('.');
  return dot >= 0 ? n.op.slice(dot + 1) : n.op;
}
