/**
 * The engine: walks one graph in topological order, asks the dialect's op table what each node
 * produces, and merges the answers into copies of the tensors it changes. Pure: the graph given
 * is never touched; unchanged tensors (and all constant data) are shared by reference.
 */
import type { AttrValue, Dim, Graph, Node, Tensor } from '../types';
import { formatShape } from '../values';
import { constFromTensor } from './consts';
import { ShapeRuleError, type ConstValue, type OpInput, type OpOutput, type OpTable, type RuleContext, type SubgraphResult } from './types';
import { isNum } from './util';

export interface ShapeReport {
  /** Tensors still without a fully known shape ("graph/tensor" outside the main graph). */
  unknownAfter: string[];
  /** Graph inputs whose shape the caller set. */
  overridden: string[];
  /** Nodes whose rule failed or whose result contradicts the file. */
  errors: Array<{ node: string; message: string }>;
  /** Op types (dialect-qualified) without a rule: their outputs stay as the file had them. */
  unknownOps: string[];
}

export interface Env {
  table: OpTable;
  opsets: Record<string, number>;
  report: ShapeReport;
  unknownOps: Set<string>;
  /** Symbolic dims fixed by the caller (ONNX dim_param "batch" -> 1). */
  symbols: Map<string, number>;
  /** When a known input dim was changed on purpose, the file's stale static dims must yield. */
  preferInferred: boolean;
  /** Model-level subgraphs (TFLite): originals, results, and those in progress (recursion). */
  graphs: Graph[];
  done: Array<Graph | undefined>;
  active: Set<number>;
}

/** Nesting deeper than this (If in Loop in If...) is left as the file has it. */
const MAX_DEPTH = 16;

type Lookup = (name: string) => OpInput | undefined;

function substitute(shape: Dim[] | null, symbols: Map<string, number>): Dim[] | null {
  if (!shape || symbols.size === 0 || !shape.some((d) => typeof d === 'string' && symbols.has(d))) return shape;
  return shape.map((d) => (typeof d === 'string' ? symbols.get(d) ?? d : d));
}

/** Merges the file's shape with the inferred one; returns the conflict text when they disagree. */
function mergeShape(file: Dim[] | null, inferred: Dim[] | null | undefined, prefer: boolean): { shape: Dim[] | null; conflict?: string } {
  if (!inferred) return { shape: file };
  if (!file) return { shape: inferred };
  if (file.length !== inferred.length) {
    const conflict = `rank ${inferred.length} inferred (${formatShape(inferred)}) but the model declares ${formatShape(file)}`;
    return prefer ? { shape: inferred } : { shape: file, conflict };
  }
  let conflict: string | undefined;
  const shape = file.map((f, i) => {
    const d = inferred[i]!;
    if (isNum(f)) {
      if (isNum(d) && d !== f) {
        conflict = `inferred ${formatShape(inferred)} but the model declares ${formatShape(file)}`;
        return prefer ? d : f;
      }
      return f;
    }
    if (isNum(d)) return d;
    return f ?? d;
  });
  return { shape, conflict: prefer ? undefined : conflict };
}

function sameShape(a: Dim[] | null, b: Dim[] | null): boolean {
  if (a === b) return true;
  if (!a || !b || a.length !== b.length) return false;
  return a.every((d, i) => d === b[i]);
}

/** Names a nested graph (and its own nested graphs) reads from enclosing scopes. */
function captures(g: Graph, depth: number, out: Set<string>): void {
  if (depth > MAX_DEPTH) return;
  const local = new Set(g.inputs);
  for (const n of g.nodes) for (const o of n.outputs) local.add(o);
  for (const [name, t] of g.tensors) if (t.isConstant) local.add(name);
  const inner = new Set<string>();
  for (const n of g.nodes) {
    for (const x of n.inputs) if (x) inner.add(x);
    for (const a of Object.values(n.attrs)) {
      if (a.kind === 'graph') captures(a.value, depth + 1, inner);
      else if (a.kind === 'graphs') for (const sub of a.value) captures(sub, depth + 1, inner);
    }
  }
  for (const x of g.outputs) inner.add(x);
  for (const x of inner) if (!local.has(x)) out.add(x);
}

/**
 * Kahn's order, preferring file order among ready nodes (a min-heap on the index), so a file
 * already in order keeps it. Names read by nested bodies count as inputs of their node.
 * Nodes in a cycle (corrupt files) come last, in file order.
 */
export function topoOrder(nodes: Node[]): Node[] {
  const producer = new Map<string, number>();
  nodes.forEach((n, i) => n.outputs.forEach((o) => o && producer.set(o, i)));
  const indeg = new Array<number>(nodes.length).fill(0);
  const users: number[][] = nodes.map(() => []);
  nodes.forEach((n, i) => {
    const names = new Set(n.inputs);
    for (const a of Object.values(n.attrs)) {
      if (a.kind === 'graph') captures(a.value, 1, names);
      else if (a.kind === 'graphs') for (const sub of a.value) captures(sub, 1, names);
    }
    const deps = new Set<number>();
    for (const x of names) {
      const p = x ? producer.get(x) : undefined;
      if (p !== undefined && p !== i) deps.add(p);
    }
    indeg[i] = deps.size;
    for (const p of deps) users[p]!.push(i);
  });
  const heap: number[] = [];
  const push = (v: number) => {
    heap.push(v);
    for (let k = heap.length - 1; k > 0;) {
      const up = (k - 1) >> 1;
      if (heap[up]! <= heap[k]!) break;
      [heap[up], heap[k]] = [heap[k]!, heap[up]!];
      k = up;
    }
  };
  const pop = (): number => {
    const top = heap[0]!;
    const last = heap.pop()!;
    if (heap.length > 0) {
      heap[0] = last;
      for (let k = 0; ;) {
        const l = 2 * k + 1, r = l + 1;
        let m = k;
        if (l < heap.length && heap[l]! < heap[m]!) m = l;
        if (r < heap.length && heap[r]! < heap[m]!) m = r;
        if (m === k) break;
        [heap[m], heap[k]] = [heap[k]!, heap[m]!];
        k = m;
      }
    }
    return top;
  };
  const order: Node[] = [];
  const seen = new Array<boolean>(nodes.length).fill(false);
  indeg.forEach((d, i) => d === 0 && push(i));
  while (heap.length > 0) {
    const i = pop();
    seen[i] = true;
    order.push(nodes[i]!);
    for (const u of users[i]!) if (--indeg[u]! === 0) push(u);
  }
  nodes.forEach((n, i) => !seen[i] && order.push(n));
  return order;
}

function opName(op: string): string {
  const dot = op.indexOf('.');
  return dot >= 0 ? op.slice(dot + 1) : op;
}

function nestedGraphs(attrs: Record<string, AttrValue>): boolean {
  for (const k in attrs) {
    const a = attrs[k]!;
    if (a.kind === 'graph' || a.kind === 'graphs') return true;
  }
  return false;
}

/**
 * Infers one graph. `facts` set the formal inputs (subgraph calls); `outer` resolves names of
 * an enclosing graph (ONNX bodies read outer-scope tensors).
 */
export function inferGraph(g: Graph, env: Env, depth: number, facts?: Array<OpInput | undefined>, outer?: Lookup, label = ''): Graph {
  const tensors = new Map(g.tensors);
  const folded = new Map<string, ConstValue>();
  const constCache = new Map<string, ConstValue | null>();
  const report = (node: string, message: string) => env.report.errors.push({ node: label + node, message });

  for (const [name, t] of tensors) {
    if (t.isConstant) continue;
    const s = substitute(t.shape, env.symbols);
    if (s !== t.shape) tensors.set(name, { ...t, shape: s });
  }
  if (facts) {
    g.inputs.forEach((name, i) => {
      const f = facts[i];
      const t = tensors.get(name);
      if (!f || !t) return;
      const shape = mergeShape(t.shape, f.shape, true).shape;
      tensors.set(name, { ...t, dtype: f.dtype !== 'unknown' ? f.dtype : t.dtype, shape });
      if (f.value) folded.set(name, f.value);
    });
  }

  // Names a nested graph reads from its enclosing scope take the enclosing graph's facts.
  if (outer) {
    const local = new Set(g.inputs);
    for (const n of g.nodes) for (const o of n.outputs) local.add(o);
    for (const [name, t] of tensors) {
      if (local.has(name) || t.isConstant) continue;
      const o = outer(name);
      if (o && (o.dtype !== 'unknown' || o.shape)) {
        tensors.set(name, { ...t, dtype: o.dtype, shape: o.shape });
        if (o.value) folded.set(name, o.value);
      }
    }
  }

  const produced = new Set<string>();
  for (const n of g.nodes) for (const o of n.outputs) produced.add(o);
  const lookup: Lookup = (name) => {
    if (!name) return undefined;
    const t = tensors.get(name);
    if (!t) return outer?.(name);
    // Tensors nothing produces and nobody feeds are constants even when a reader did not say so
    // (TFLite's empty shape tensors have no buffer).
    const constant = t.isConstant || (!produced.has(name) && !g.inputs.includes(name));
    // Decoded only when a rule reads it: most constants are weights no shape depends on, and
    // decoding every small one (float16 above all) was most of inference on mobile models.
    return {
      name, dtype: t.dtype, shape: t.shape,
      get value(): ConstValue | null {
        const f = folded.get(name);
        if (f || !constant) return f ?? null;
        if (!constCache.has(name)) constCache.set(name, constFromTensor(t));
        return constCache.get(name) ?? null;
      },
    };
  };

  const replaced = new Map<Node, Node>();
  for (const node of topoOrder(g.nodes)) {
    const newGraphs = new Map<Graph, Graph>();
    const subgraph = (sub: Graph | number, inputs: Array<OpInput | undefined>): SubgraphResult | null => {
      if (depth >= MAX_DEPTH) return null;
      // Collect the body's problems apart: the rule decides whether they are the model's.
      const saved = env.report.errors;
      env.report.errors = [];
      try {
        if (typeof sub === 'number') {
          const outputs = callSubgraph(sub, inputs, env, depth);
          return outputs ? { outputs, errors: env.report.errors } : null;
        }
        const out = inferGraph(sub, env, depth + 1, inputs, lookup, `${label}${node.name}/`);
        newGraphs.set(sub, out);
        const outputs = out.outputs.map((o) => {
          const t = out.tensors.get(o);
          return { name: o, dtype: t?.dtype ?? 'unknown', shape: t?.shape ?? null, value: null };
        });
        return { outputs, errors: env.report.errors };
      } finally {
        env.report.errors = saved;
      }
    };
    const rule = env.table[opName(node.op)];
    let results: OpOutput[] = [];
    if (!rule) env.unknownOps.add(node.op);
    else {
      const ctx: RuleContext = {
        node,
        inputs: node.inputs.map(lookup),
        attrs: node.attrs,
        opset: env.opsets[node.domain === 'ai.onnx' ? '' : node.domain ?? ''] ?? 0,
        outputCount: node.outputs.length,
        subgraph,
        report: (errors) => env.report.errors.push(...errors),
      };
      try {
        results = rule(ctx);
      } catch (e) {
        if (!(e instanceof ShapeRuleError)) throw e;
        report(node.name, `${node.op}: ${e.message}`);
      }
    }
    node.outputs.forEach((o, i) => {
      const r = results[i];
      if (!o || !r) return;
      const t: Tensor = tensors.get(o) ?? { name: o, dtype: 'unknown', shape: null };
      if (t.isConstant) return;
      const m = mergeShape(t.shape, r.shape, env.preferInferred);
      if (m.conflict) report(node.name, `${node.op} output "${o}": ${m.conflict}`);
      const dtype = t.dtype === 'unknown' && r.dtype ? r.dtype : t.dtype;
      if (dtype !== t.dtype || !sameShape(m.shape, t.shape) || !tensors.has(o)) tensors.set(o, { ...t, dtype, shape: m.shape });
      if (r.value) folded.set(o, r.value);
    });
    // Bodies the rule did not visit still get their own facts, best effort.
    if (nestedGraphs(node.attrs)) {
      const attrs: Record<string, AttrValue> = {};
      for (const [k, a] of Object.entries(node.attrs)) {
        const visit = (sub: Graph) => newGraphs.get(sub) ?? (depth < MAX_DEPTH ? inferGraph(sub, env, depth + 1, undefined, lookup, `${label}${node.name}/`) : sub);
        attrs[k] = a.kind === 'graph' ? { kind: 'graph', value: visit(a.value) } : a.kind === 'graphs' ? { kind: 'graphs', value: a.value.map(visit) } : a;
      }
      replaced.set(node, { ...node, attrs });
    }
  }
  const nodes = replaced.size > 0 ? g.nodes.map((n) => replaced.get(n) ?? n) : g.nodes;
  return { ...g, nodes, tensors };
}

/** TFLite IF/WHILE/CALL_ONCE: infer `model.graphs[index]` with the caller's facts. */
function callSubgraph(index: number, inputs: Array<OpInput | undefined>, env: Env, depth: number): OpInput[] | null {
  const g = env.graphs[index];
  if (!g || env.active.has(index) || index === 0) return null;
  env.active.add(index);
  try {
    const out = inferGraph(g, env, depth + 1, inputs, undefined, `${g.name || `subgraph${index}`}/`);
    env.done[index] = out;
    return out.outputs.map((o) => {
      const t = out.tensors.get(o);
      return { name: o, dtype: t?.dtype ?? 'unknown', shape: t?.shape ?? null, value: null };
    });
  } finally {
    env.active.delete(index);
  }
}

/** Names of the tensors a graph uses whose shape is still not fully known. */
export function unknownTensors(g: Graph, prefix: string): string[] {
  const used = new Set<string>([...g.inputs, ...g.outputs]);
  for (const n of g.nodes) for (const x of [...n.inputs, ...n.outputs]) if (x) used.add(x);
  const out: string[] = [];
  for (const name of used) {
    const t = g.tensors.get(name);
    if (!t || t.isConstant) continue;
    if (!t.shape || !t.shape.every(isNum)) out.push(prefix + name);
  }
  return out;
}
