/**
 * ONNX-level pre-passes: constant folding (small tensors, plain JS), If inlining and
 * BatchNormalization folding. Each returns a new Graph; the input graph is never touched.
 */
import type { AttrValue, DType, Graph, Node, Tensor } from '../../ir/types';
import { onnxDType } from '../../formats/onnx/dtypes';
import { broadcastIndex, broadcastShape, encode, floats, numbers, size, strides, transposeIndex } from './nd';

interface Value { dtype: DType; shape: number[]; values: number[] }

/** Folding is for shape arithmetic and small tables; big tensors stay as they are. */
const MAX_FOLD_ELEMENTS = 1 << 20;

function attr(n: Node, key: string): AttrValue | undefined {
  return n.attrs[key];
}
function attrInt(n: Node, key: string, def: number): number {
  const a = attr(n, key);
  return a && (a.kind === 'int' || a.kind === 'float') ? a.value : def;
}
function attrInts(n: Node, key: string): number[] | null {
  const a = attr(n, key);
  if (!a) return null;
  if (a.kind === 'ints') return a.value;
  if (a.kind === 'int') return [a.value];
  return null;
}

export function valueOf(t: Tensor | undefined): Value | null {
  if (!t || !t.data || !t.shape || !t.shape.every((d) => typeof d === 'number')) return null;
  const shape = t.shape as number[];
  if (size(shape) > MAX_FOLD_ELEMENTS) return null;
  const values = numbers(t);
  if (!values || values.length !== size(shape)) return null;
  return { dtype: t.dtype, shape, values };
}

const isInt = (d: DType): boolean => /^u?int/.test(d) || d === 'bool';

function roundTo(dtype: DType, x: number): number {
  if (dtype === 'float32') return Math.fround(x);
  if (isInt(dtype)) return Math.trunc(x);
  return x;
}

function binary(a: Value, b: Value, f: (x: number, y: number) => number, dtype = a.dtype): Value | null {
  const shape = broadcastShape(a.shape, b.shape);
  if (!shape) return null;
  const ia = broadcastIndex(a.shape, shape), ib = broadcastIndex(b.shape, shape);
  const values = Array.from(ia, (_, i) => roundTo(dtype, f(a.values[ia[i]!]!, b.values[ib[i]!]!)));
  return { dtype, shape, values };
}

function normAxes(axes: number[], rank: number): number[] {
  return axes.map((a) => (a < 0 ? a + rank : a));
}

type Folder = (n: Node, ins: Array<Value | null>, g: Graph) => Value | null;

const FOLDERS: Record<string, Folder> = {
  Constant: (n) => {
    const a = n.attrs;
    if (a.value?.kind === 'tensor') return valueOf(a.value.value);
    if (a.value_float?.kind === 'float') return { dtype: 'float32', shape: [], values: [a.value_float.value] };
    if (a.value_floats?.kind === 'floats') return { dtype: 'float32', shape: [a.value_floats.value.length], values: a.value_floats.value };
    if (a.value_int?.kind === 'int') return { dtype: 'int64', shape: [], values: [a.value_int.value] };
    if (a.value_ints?.kind === 'ints') return { dtype: 'int64', shape: [a.value_ints.value.length], values: a.value_ints.value };
    return null;
  },
  Identity: (_n, [x]) => x ?? null,
  Shape: (n, _ins, g) => {
    const shape = g.tensors.get(n.inputs[0] ?? '')?.shape;
    if (!shape || !shape.every((d) => typeof d === 'number')) return null;
    const r = shape.length;
    const clamp = (v: number): number => Math.min(r, Math.max(0, v < 0 ? v + r : v));
    const dims = (shape as number[]).slice(clamp(attrInt(n, 'start', 0)), clamp(attrInt(n, 'end', r)));
    return { dtype: 'int64', shape: [dims.length], values: dims };
  },
  Size: (n, _ins, g) => {
    const shape = g.tensors.get(n.inputs[0] ?? '')?.shape;
    if (!shape || !shape.every((d) => typeof d === 'number')) return null;
    return { dtype: 'int64', shape: [], values: [size(shape as number[])] };
  },
  Cast: (n, [x]) => {
    const to = attr(n, 'to');
    const dtype = to?.kind === 'dtype' ? to.value : to?.kind === 'int' ? onnxDType(to.value) : null;
    if (!x || !dtype) return null;
    return { dtype, shape: x.shape, values: x.values.map((v) => (dtype === 'bool' ? (v ? 1 : 0) : roundTo(dtype, v))) };
  },
  Unsqueeze: (n, [x, axesIn]) => {
    const axes = axesIn?.values ?? attrInts(n, 'axes');
    if (!x || !axes) return null;
    const rank = x.shape.length + axes.length;
    const set = new Set(normAxes(axes, rank));
    const shape: number[] = [];
    for (let i = 0, j = 0; i < rank; i++) shape.push(set.has(i) ? 1 : x.shape[j++]!);
    return { ...x, shape };
  },
  Squeeze: (n, [x, axesIn]) => {
    if (!x) return null;
    const axes = axesIn?.values ?? attrInts(n, 'axes');
    const set = new Set(axes ? normAxes(axes, x.shape.length) : x.shape.flatMap((d, i) => (d === 1 ? [i] : [])));
    return { ...x, shape: x.shape.filter((_, i) => !set.has(i)) };
  },
  Reshape: (n, [x, s]) => {
    if (!x || !s) return null;
    const shape = s.values.map((d, i) => (d === 0 && attrInt(n, 'allowzero', 0) === 0 ? x.shape[i]! : d));
    const known = shape.filter((d) => d !== -1).reduce((a, b) => a * b, 1);
    const out = shape.map((d) => (d === -1 ? x.values.length / known : d));
    return size(out) === x.values.length ? { ...x, shape: out } : null;
  },
  Flatten: (n, [x]) => {
    if (!x) return null;
    const axis = normAxes([attrInt(n, 'axis', 1)], x.shape.length)[0]!;
    return { ...x, shape: [size(x.shape.slice(0, axis)), size(x.shape.slice(axis))] };
  },
  Concat: (n, ins) => {
    const xs = ins.filter((v): v is Value => !!v);
    if (xs.length !== ins.length || xs.length === 0) return null;
    const rank = xs[0]!.shape.length;
    const axis = normAxes([attrInt(n, 'axis', 0)], rank)[0]!;
    const outer = size(xs[0]!.shape.slice(0, axis));
    const values: number[] = [];
    for (let o = 0; o < outer; o++) {
      for (const x of xs) {
        const inner = size(x.shape.slice(axis));
        values.push(...x.values.slice(o * inner, (o + 1) * inner));
      }
    }
    const shape = [...xs[0]!.shape];
    shape[axis] = xs.reduce((a, x) => a + x.shape[axis]!, 0);
    return { dtype: xs[0]!.dtype, shape, values };
  },
  Gather: (n, [x, idx]) => {
    if (!x || !idx) return null;
    const axis = normAxes([attrInt(n, 'axis', 0)], x.shape.length)[0]!;
    const outer = size(x.shape.slice(0, axis)), dim = x.shape[axis]!, inner = size(x.shape.slice(axis + 1));
    const values: number[] = [];
    for (let o = 0; o < outer; o++) {
      for (let k of idx.values) {
        if (k < 0) k += dim;
        if (k < 0 || k >= dim) return null;
        const base = (o * dim + k) * inner;
        values.push(...x.values.slice(base, base + inner));
      }
    }
    return { dtype: x.dtype, shape: [...x.shape.slice(0, axis), ...idx.shape, ...x.shape.slice(axis + 1)], values };
  },
  Transpose: (n, [x]) => {
    if (!x) return null;
    const perm = attrInts(n, 'perm') ?? x.shape.map((_, i) => x.shape.length - 1 - i);
    const idx = transposeIndex(x.shape, perm);
    return { dtype: x.dtype, shape: perm.map((p) => x.shape[p]!), values: Array.from(idx, (i) => x.values[i]!) };
  },
  Slice: (n, [x, starts, ends, axesIn, stepsIn]) => {
    if (!x || !starts || !ends) return null;
    const rank = x.shape.length;
    const axes = axesIn ? normAxes(axesIn.values, rank) : starts.values.map((_, i) => i);
    const begin = x.shape.map(() => 0), end = [...x.shape], step = x.shape.map(() => 1);
    axes.forEach((a, i) => {
      const d = x.shape[a]!, s = stepsIn?.values[i] ?? 1;
      const clamp = (v: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, v < 0 ? v + d : v));
      step[a] = s;
      begin[a] = s > 0 ? clamp(starts.values[i]!, 0, d) : clamp(starts.values[i]!, -1, d - 1);
      end[a] = s > 0 ? clamp(ends.values[i]!, 0, d) : clamp(ends.values[i]!, -1, d - 1);
    });
    const shape = x.shape.map((_, a) => Math.max(0, Math.ceil((end[a]! - begin[a]!) / step[a]!)));
    const st = strides(x.shape), values: number[] = [];
    const total = size(shape), os = strides(shape);
    for (let i = 0; i < total; i++) {
      let src = 0, rem = i;
      for (let a = 0; a < rank; a++) {
        const q = Math.floor(rem / os[a]!);
        rem -= q * os[a]!;
        src += (begin[a]! + q * step[a]!) * st[a]!;
      }
      values.push(x.values[src]!);
    }
    return { dtype: x.dtype, shape, values };
  },
  Add: (_n, [a, b]) => (a && b ? binary(a, b, (x, y) => x + y) : null),
  Sub: (_n, [a, b]) => (a && b ? binary(a, b, (x, y) => x - y) : null),
  Mul: (_n, [a, b]) => (a && b ? binary(a, b, (x, y) => x * y) : null),
  Div: (_n, [a, b]) => (a && b ? binary(a, b, (x, y) => x / y) : null),
  // Comparisons fold If conditions on constant inputs (silero VAD's sample-rate switch).
  Equal: (_n, [a, b]) => (a && b ? binary(a, b, (x, y) => Number(x === y), 'bool') : null),
  Greater: (_n, [a, b]) => (a && b ? binary(a, b, (x, y) => Number(x > y), 'bool') : null),
  Less: (_n, [a, b]) => (a && b ? binary(a, b, (x, y) => Number(x < y), 'bool') : null),
  Not: (_n, [a]) => (a ? { ...a, dtype: 'bool', values: a.values.map((v) => Number(!v)) } : null),
  Sqrt: (_n, [a]) => (a ? { ...a, values: a.values.map((v) => roundTo(a.dtype, Math.sqrt(v))) } : null),
  Neg: (_n, [a]) => (a ? { ...a, values: a.values.map((v) => -v) } : null),
  ConstantOfShape: (n, [s]) => {
    if (!s) return null;
    const v = n.attrs.value?.kind === 'tensor' ? valueOf(n.attrs.value.value) : null;
    const total = size(s.values);
    if (total > MAX_FOLD_ELEMENTS) return null;
    return { dtype: v?.dtype ?? 'float32', shape: s.values, values: new Array<number>(total).fill(v?.values[0] ?? 0) };
  },
};

/** Keep folded arithmetic exact: only fold Add/Sub/Mul/Div/Sqrt when every input is small. */
export interface FoldResult { graph: Graph; folded: number }

export function foldConstants(g: Graph): FoldResult {
  const tensors = new Map(g.tensors);
  const outputs = new Set(g.outputs);
  const nodes: Node[] = [];
  let folded = 0;
  for (const n of g.nodes) {
    const folder = FOLDERS[n.op.replace(/^onnx\./, '')];
    const onnx = n.op.startsWith('onnx.') && (!n.domain || n.domain === 'ai.onnx');
    if (folder && onnx && n.outputs.length === 1) {
      const ins = n.inputs.map((i) => (i ? valueOf(tensors.get(i)) : null));
      // Shape and Size need no constant input; everything else needs all its given inputs constant.
      const ready = n.op === 'onnx.Shape' || n.op === 'onnx.Size' || n.inputs.every((i, k) => !i || ins[k]);
      const v = ready ? safe(() => folder(n, ins, { ...g, tensors })) : null;
      const data = v ? encode(v.dtype, v.values) : null;
      const out = n.outputs[0]!;
      if (v && data && !g.inputs.includes(out)) {
        const prev = tensors.get(out);
        tensors.set(out, { ...(prev ?? { name: out }), name: out, dtype: v.dtype, shape: v.shape, data, isConstant: true });
        folded++;
        // A graph output that became constant still needs a node to produce it in TFLite.
        if (!outputs.has(out)) continue;
      }
    }
    nodes.push(n);
  }
  return { graph: { ...g, nodes: pruneDead(nodes, g.outputs), tensors }, folded };
}

function safe<T>(f: () => T): T | null {
  try { return f(); } catch { return null; }
}

/** Drops nodes whose outputs nobody uses (after folding, the Shape/Gather chains). */
export function pruneDead(nodes: Node[], graphOutputs: string[]): Node[] {
  const used = new Set(graphOutputs);
  const keep: Node[] = [];
  for (let i = nodes.length - 1; i >= 0; i--) {
    const n = nodes[i]!;
    if (n.outputs.some((o) => o && used.has(o))) {
      keep.push(n);
      for (const x of n.inputs) if (x) used.add(x);
      // Nested graphs (If/Loop bodies) read outer names directly, not through node inputs.
      for (const a of Object.values(n.attrs)) {
        if (a.kind === 'graph') nestedReads(a.value, used, 0);
        if (a.kind === 'graphs') for (const sub of a.value) nestedReads(sub, used, 0);
      }
    }
  }
  return keep.reverse();
}

function nestedReads(g: Graph, into: Set<string>, depth: number): void {
  if (depth > 32) return;
  for (const n of g.nodes) {
    for (const x of n.inputs) if (x) into.add(x);
    for (const o of g.outputs) into.add(o);
    for (const a of Object.values(n.attrs)) {
      if (a.kind === 'graph') nestedReads(a.value, into, depth + 1);
      if (a.kind === 'graphs') for (const sub of a.value) nestedReads(sub, into, depth + 1);
    }
  }
}

/**
 * If -> both branches inlined + Where(cond, then, else). Exact when both branches are free of side
 * effects (ONNX ops are), at the cost of running both; TFLite's own IF would need subgraphs.
 * Returns `g` itself when there is no If with graph branches to inline.
 */
export function inlineIfs(g: Graph, notes: string[]): Graph {
  if (!g.nodes.some((n) => n.op === 'onnx.If')) return g;
  const tensors = new Map(g.tensors);
  const taken = new Set(tensors.keys());
  for (const n of g.nodes) for (const o of n.outputs) taken.add(o);
  const fresh = (base: string): string => {
    let name = base;
    for (let k = 1; taken.has(name); k++) name = `${base}_${k}`;
    taken.add(name);
    return name;
  };
  const nodes: Node[] = [];
  let inlined = 0;
  const inline = (n: Node): void => {
    const thenG = n.attrs.then_branch, elseG = n.attrs.else_branch;
    if (n.op !== 'onnx.If' || thenG?.kind !== 'graph' || elseG?.kind !== 'graph') {
      nodes.push(n);
      return;
    }
    inlined++;
    const outs: string[][] = [];
    // A condition folding made constant takes one branch; otherwise both run and Where picks.
    const condTensor = tensors.get(n.inputs[0] ?? '');
    const cond = condTensor?.data ? numbers(condTensor) : null;
    const branches = cond && cond.length === 1
      ? [[cond[0] ? 'then' : 'else', cond[0] ? thenG.value : elseG.value] as const]
      : ([['then', thenG.value], ['else', elseG.value]] as const);
    for (const [label, br] of branches) {
      const rename = new Map<string, string>();
      const local = (x: string): string => {
        if (!x) return x;
        let r = rename.get(x);
        if (!r) { r = fresh(`${n.name}/${label}/${x}`); rename.set(x, r); }
        return r;
      };
      const defined = new Set<string>();
      for (const bn of br.nodes) for (const o of bn.outputs) defined.add(o);
      for (const [name, t] of br.tensors) if (t.data || t.isConstant) defined.add(name);
      const map = (x: string): string => (defined.has(x) ? local(x) : x);
      for (const [name, t] of br.tensors) if (defined.has(name)) tensors.set(map(name), { ...t, name: map(name) });
      // Nested Ifs are copied (free names renamed) and inlined in a later round, once shapes and
      // folding have had a chance to make their conditions constant.
      for (const bn of br.nodes) {
        nodes.push({ ...bn, name: `${n.name}/${label}/${bn.name}`, inputs: bn.inputs.map(map), outputs: bn.outputs.map(map), attrs: renameGraphAttrs(bn.attrs, map) });
      }
      outs.push(br.outputs.map(map));
    }
    if (branches.length === 1) {
      n.outputs.forEach((o, i) => nodes.push({ name: `${n.name}/out_${i}`, op: 'onnx.Identity', inputs: [outs[0]![i]!], outputs: [o], attrs: {} }));
      return;
    }
    n.outputs.forEach((o, i) => {
      nodes.push({ name: `${n.name}/select_${i}`, op: 'onnx.Where', inputs: [n.inputs[0]!, outs[0]![i]!, outs[1]![i]!], outputs: [o], attrs: {} });
    });
    notes.push(`If ${n.name}: both branches are computed and the result selected with SELECT_V2.`);
  };
  for (const n of g.nodes) inline(n);
  return inlined ? { ...g, nodes, tensors } : g;
}

/** A nested graph's references to names outside it (free names), renamed by `map`. */
function renameFree(g: Graph, map: (x: string) => string): Graph {
  const defined = new Set(g.inputs);
  for (const n of g.nodes) for (const o of n.outputs) defined.add(o);
  for (const [k, t] of g.tensors) if (t.data || t.isConstant) defined.add(k);
  const m = (x: string): string => (!x || defined.has(x) ? x : map(x));
  return {
    ...g,
    nodes: g.nodes.map((n) => ({ ...n, inputs: n.inputs.map(m), attrs: renameGraphAttrs(n.attrs, m) })),
    outputs: g.outputs.map(m),
  };
}

function renameGraphAttrs(attrs: Record<string, AttrValue>, map: (x: string) => string): Record<string, AttrValue> {
  if (!Object.values(attrs).some((a) => a.kind === 'graph' || a.kind === 'graphs')) return attrs;
  const out: Record<string, AttrValue> = {};
  for (const [k, a] of Object.entries(attrs)) {
    out[k] = a.kind === 'graph' ? { kind: 'graph', value: renameFree(a.value, map) }
      : a.kind === 'graphs' ? { kind: 'graphs', value: a.value.map((x) => renameFree(x, map)) } : a;
  }
  return out;
}

/** BatchNormalization right after a Conv (its only consumer) becomes the conv's weights and bias. */
export function foldBatchNorms(g: Graph): { graph: Graph; folded: number } {
  const consumers = new Map<string, number>();
  for (const n of g.nodes) for (const i of n.inputs) consumers.set(i, (consumers.get(i) ?? 0) + 1);
  const producer = new Map<string, Node>();
  for (const n of g.nodes) for (const o of n.outputs) producer.set(o, n);
  const tensors = new Map(g.tensors);
  const replaced = new Map<Node, Node | null>();
  let folded = 0;
  for (const bn of g.nodes) {
    if (bn.op !== 'onnx.BatchNormalization' || bn.outputs.filter(Boolean).length !== 1) continue;
    const conv = producer.get(bn.inputs[0] ?? '');
    if (!conv || conv.op !== 'onnx.Conv' || replaced.has(conv)) continue;
    const y = conv.outputs[0]!;
    if (consumers.get(y) !== 1 || g.outputs.includes(y)) continue;
    const w = tensors.get(conv.inputs[1] ?? '');
    const wv = w ? floats(w) : null;
    const params = bn.inputs.slice(1, 5).map((i) => { const t = tensors.get(i); return t ? floats(t) : null; });
    if (!w || !wv || !w.shape || params.some((p) => !p)) continue;
    const [gamma, beta, mean, variance] = params as Float32Array[];
    const out = Number(w.shape[0]);
    const bt = conv.inputs[2] ? tensors.get(conv.inputs[2]) : undefined;
    const bias = bt ? floats(bt) : new Float32Array(out);
    if (!bias || gamma!.length !== out || bias.length !== out) continue;
    const eps = attrInt(bn, 'epsilon', 1e-5);
    const per = wv.length / out;
    const nw = new Float32Array(wv.length), nb = new Float32Array(out);
    for (let o = 0; o < out; o++) {
      const s = gamma![o]! / Math.sqrt(variance![o]! + eps);
      for (let k = 0; k < per; k++) nw[o * per + k] = wv[o * per + k]! * s;
      nb[o] = (bias[o]! - mean![o]!) * s + beta![o]!;
    }
    const wName = `${conv.inputs[1]}/bn_folded`, bName = `${bn.name}/bias_folded`;
    tensors.set(wName, { name: wName, dtype: 'float32', shape: w.shape, data: encode('float32', nw)!, isConstant: true });
    tensors.set(bName, { name: bName, dtype: 'float32', shape: [out], data: encode('float32', nb)!, isConstant: true });
    replaced.set(conv, { ...conv, inputs: [conv.inputs[0]!, wName, bName], outputs: [bn.outputs[0]!] });
    replaced.set(bn, null);
    folded++;
  }
  const nodes = g.nodes.flatMap((n) => {
    const r = replaced.get(n);
    return r === undefined ? [n] : r === null ? [] : [r];
  });
  return { graph: { ...g, nodes, tensors }, folded };
}
