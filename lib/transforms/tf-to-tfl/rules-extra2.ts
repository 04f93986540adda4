/**
 * TF -> TFLite lowerings, continued: index and shape ops (OneHot, TopKV2, scatters, space/batch
 * moves, band masks, Einsum, bincounts, sorted searches, sparse segments), and the helpers the
 * rules-extra*.ts files share. Windows and images are in rules-extra3.ts; rules-extra.ts merges the tables.
 */
import type { AttrValue, DType, Dim, Graph } from '../../ir/types';
import { inferShapes } from '../../ir/shapes/index';
import { bool, flt, int } from '../onnx-to-tfl/builder';
import { EINSUM_RULES, parseEquation } from '../onnx-to-tfl/rules-einsum';
import { type LowerCtx, type Rule, Unsupported, flag } from './common';

const isStatic = (s: Dim[] | null | undefined): s is number[] => !!s && s.every((d) => typeof d === 'number');

/**
 * Output i gets the shape (and dtype) the rule worked out, in the source graph the rules read:
 * TF shape inference has no rule for many of these ops, and the reader guesses dtypes from T
 * (float32 for Equal's bool output). Shapes are then inferred again for what the output feeds.
 */
export function know(c: LowerCtx, i: number, shape: number[], dtype?: DType, overrule = false): void {
  const name = c.node.outputs[i]!;
  checkShape(shape);
  const t = c.src.tensors.get(name);
  const s = t?.shape;
  const differs = isStatic(s) && (s.length !== shape.length || s.some((d, k) => d !== shape[k]));
  if (differs && !overrule) throw new Unsupported(`output ${name}: shape [${s.join(', ')}] inferred, [${shape.join(', ')}] computed`);
  if (differs) forget(c.src, name);
  c.src.tensors.set(name, { name, dtype: dtype ?? (t && t.dtype !== 'unknown' ? t.dtype : c.dtype(c.node.inputs[0]!)), shape });
  if ((differs || !isStatic(s)) && c.src.nodes.some((n) => n.inputs.includes(name))) propagate(c.src);
}

/** Drops the inferred shapes of everything computed from `name`, to be inferred again. */
function forget(g: Graph, name: string): void {
  const dirty = new Set([name]);
  for (let grew = true; grew;) {
    grew = false;
    for (const n of g.nodes) {
      if (!n.inputs.some((x) => dirty.has(x))) continue;
      for (const o of n.outputs) if (!dirty.has(o)) { dirty.add(o); grew = true; }
    }
  }
  for (const o of dirty) { const t = g.tensors.get(o); if (t && !t.data) g.tensors.set(o, { ...t, shape: null }); }
}

/** Shape inference over the graph again, filling in the tensors still without a static shape. */
function propagate(g: Graph): void {
  const r = inferShapes({ format: 'tfjs-graph', dialect: 'tf', name: g.name, files: [], graphs: [g], metadata: {}, opsets: {} });
  for (const [name, t] of r.model.graphs[0]!.tensors) {
    const old = g.tensors.get(name);
    if (old && !isStatic(old.shape) && isStatic(t.shape)) g.tensors.set(name, { ...old, shape: t.shape, dtype: old.dtype === 'unknown' ? t.dtype : old.dtype });
  }
}

export function declare(c: LowerCtx, i: number, shape: number[], dtype?: DType, overrule = false): string {
  know(c, i, shape, dtype, overrule);
  return c.out(i);
}

/** TFLite kernels take rank <= 6, and LiteRT.js mishandles empty tensors. */
function checkShape(shape: number[]): void {
  if (shape.length > 6) throw new Unsupported(`a rank-${shape.length} tensor (TFLite kernels take rank <= 6)`);
  if (shape.some((d) => d <= 0)) throw new Unsupported(`an empty tensor [${shape.join(', ')}]`);
}

/** One tfl op into a fresh temporary; returns its name. */
export function op(c: LowerCtx, name: string, ins: string[], dtype: DType, shape: number[], attrs: Record<string, AttrValue> = {}): string {
  checkShape(shape);
  const y = c.b.tmp(`${c.node.name}/${name.toLowerCase()}`, dtype, shape);
  c.b.emit(name, ins, [y], attrs);
  return y;
}

export const kv = (c: LowerCtx, dtype: DType, v: number, shape: number[] = []): string =>
  c.b.constValues(`${c.node.name}/k`, dtype, shape, shape.length ? new Array<number>(shape.reduce((a, b) => a * b, 1)).fill(v) : [v]);

export function constInts(c: LowerCtx, name: string | undefined, what: string): number[] {
  const v = c.constNumbers(name);
  if (!v) throw new Unsupported(`${what} computed at run time`);
  return v;
}

export const norm = (a: number, rank: number): number => (a < 0 ? a + rank : a);
/** Ops with several outputs of which the graph lists the used ones ('n', 'n:1'...). */
export function outputsOf(c: LowerCtx, count: number, shapes: number[][], dtypes: DType[], overrule = false): string[] {
  return Array.from({ length: count }, (_, k) => {
    const name = k === 0 ? c.node.name : `${c.node.name}:${k}`;
    const i = c.node.outputs.indexOf(name);
    return i >= 0 ? declare(c, i, shapes[k]!, dtypes[k], overrule) : c.b.tmp(`${c.node.name}/unused`, dtypes[k]!, shapes[k]!);
  });
}

const prod = (v: number[]): number => v.reduce((a, b) => a * b, 1);
const x0 = (c: LowerCtx) => c.node.inputs[0]!;
const scalar = (c: LowerCtx, v: number) => c.b.constValues(`${c.node.name}/k`, 'int32', [], [v]);

const oneHot: Rule = (c) => {
  const [idx, d, on, off] = c.node.inputs as [string, string, string, string];
  const depth = constInts(c, d, 'OneHot depth')[0]!;
  const s = c.shape(idx);
  const axis = c.int('axis', -1);
  const a = axis < 0 ? s.length : axis;
  const shape = [...s.slice(0, a), depth, ...s.slice(a)];
  c.b.emit('ONE_HOT', [c.v(idx), scalar(c, depth), c.v(on), c.v(off)], [declare(c, 0, shape, c.dtype(on))], { axis: int(axis) }, c.node.name);
};

/** TOPK_V2: largest first, ties to the lower index, sorted (tfjs sorts whatever `sorted` says). */
const topK: Rule = (c) => {
  const s = c.shape(x0(c));
  const k = constInts(c, c.node.inputs[1], 'TopKV2 k')[0]!;
  if (k < 1 || k > s[s.length - 1]!) throw new Unsupported(`k = ${k} outside 1..${s[s.length - 1]}`);
  const os = [...s.slice(0, -1), k];
  const outs = outputsOf(c, 2, [os, os], [c.dtype(x0(c)), 'int32']);
  c.b.emit('TOPK_V2', [c.v(x0(c)), scalar(c, k)], outs, {}, c.node.name);
};

/** ScatterNd (duplicates add up, as in TF and tfjs) into a constant shape. */
const scatterNd: Rule = (c) => {
  const [idx, upd, sh] = c.node.inputs as [string, string, string];
  const shape = constInts(c, sh, 'ScatterNd shape');
  c.b.emit('SCATTER_ND', [c.v(idx), c.v(upd), c.b.int32(`${c.node.name}/shape`, shape)], [declare(c, 0, shape, c.dtype(upd))], {}, c.node.name);
};

/** Constant index rows (the last axis indexes the first dims of `shape`) -> flat element offsets. */
function rowOffsets(c: LowerCtx, name: string, shape: number[]): { rows: number[][]; inner: number } {
  const v = constInts(c, name, 'indices');
  const is = c.shape(name);
  const d = is[is.length - 1]!;
  const inner = prod(shape.slice(d));
  const rows: number[][] = [];
  for (let r = 0; r < v.length / d; r++) {
    let off = 0;
    for (let j = 0; j < d; j++) {
      const q = v[r * d + j]!;
      if (q < 0 || q >= shape[j]!) throw new Unsupported(`index ${q} out of range`);
      off = off * shape[j]! + q;
    }
    rows.push(Array.from({ length: inner }, (_, e) => off * inner + e));
  }
  return { rows, inner };
}

/** SCATTER_ND of the values where the constant indices point, the old tensor elsewhere. */
const tensorScatterUpdate: Rule = (c) => {
  const [t, idx, upd] = c.node.inputs as [string, string, string];
  const shape = c.shape(t);
  const { rows } = rowOffsets(c, idx, shape);
  const mask = new Array<number>(prod(shape)).fill(0);
  for (const r of rows) for (const e of r) {
    if (mask[e]) throw new Unsupported('duplicate indices (which update wins is unspecified)');
    mask[e] = 1;
  }
  const sc = op(c, 'SCATTER_ND', [c.v(idx), c.v(upd), c.b.int32(`${c.node.name}/shape`, shape)], c.dtype(t), shape);
  const m = c.b.constValues(`${c.node.name}/mask`, 'bool', shape, mask);
  c.b.emit('SELECT_V2', [m, sc, c.v(t)], [declare(c, 0, shape, c.dtype(t))], {}, c.node.name);
};

const sparseToDense: Rule = (c) => {
  const [idx, sh, vals, def] = c.node.inputs as [string, string, string, string];
  const shape = constInts(c, sh, 'SparseToDense shape');
  c.b.emit('SPARSE_TO_DENSE', [c.v(idx), c.b.int32(`${c.node.name}/shape`, shape), c.v(vals), c.v(def)], [declare(c, 0, shape, c.dtype(vals))],
    { validate_indices: bool(false) }, c.node.name);
};

/** SpaceToBatchND / BatchToSpaceND of NHWC tensors (TFLite's kernels take rank 3 or 4). */
const spaceBatch = (toBatch: boolean): Rule => (c) => {
  const [x, b, p] = c.node.inputs as [string, string, string];
  const s = c.shape(x), block = constInts(c, b, 'block shape'), pads = constInts(c, p, toBatch ? 'paddings' : 'crops');
  if (s.length < 3 || s.length > 4 || block.length !== s.length - 2) throw new Unsupported(`rank ${s.length} with ${block.length} block dims`);
  const n = prod(block);
  const shape = s.map((d, i) => {
    if (i === 0) return toBatch ? d * n : d / n;
    if (i > block.length) return d;
    const k = i - 1, e = pads[2 * k]! + pads[2 * k + 1]!;
    return toBatch ? (d + e) / block[k]! : d * block[k]! - e;
  });
  if (shape.some((d) => !Number.isInteger(d) || d <= 0)) throw new Unsupported('block shape does not divide the (padded) dims');
  const pt = c.b.constValues(`${c.node.name}/pads`, 'int32', [block.length, 2], pads);
  c.b.emit(toBatch ? 'SPACE_TO_BATCH_ND' : 'BATCH_TO_SPACE_ND', [c.v(x), c.b.int32(`${c.node.name}/block`, block), pt], [declare(c, 0, shape)], {}, c.node.name);
};

const depthToSpace: Rule = (c) => {
  if (c.string('data_format', 'NHWC') !== 'NHWC') throw new Unsupported('data_format other than NHWC');
  const [n, h, w, ch] = c.shape(x0(c)) as [number, number, number, number];
  const b = c.int('block_size', 2);
  if (ch % (b * b) !== 0) throw new Unsupported(`channels ${ch} not divisible by ${b * b}`);
  c.b.emit('DEPTH_TO_SPACE', [c.v(x0(c))], [declare(c, 0, [n, h * b, w * b, ch / (b * b)])], { block_size: int(b) }, c.node.name);
};

const broadcastArgs: Rule = (c) => {
  const [a, b] = c.node.inputs as [string, string];
  const n = Math.max(c.shape(a)[0]!, c.shape(b)[0]!);
  c.b.emit('BROADCAST_ARGS', [c.v(a), c.v(b)], [declare(c, 0, [n], c.dtype(a))], {}, c.node.name);
};

/** A constant band mask over the last two axes; outside it, zeros (SELECT keeps -0 and NaN out). */
const matrixBandPart: Rule = (c) => {
  const [x, l, u] = c.node.inputs as [string, string, string];
  const s = c.shape(x);
  const lo = constInts(c, l, 'num_lower')[0]!, up = constInts(c, u, 'num_upper')[0]!;
  const [m, n] = s.slice(-2) as [number, number];
  const mask = Array.from({ length: m * n }, (_, k) => {
    const i = Math.floor(k / n), j = k % n;
    return (lo < 0 || i - j <= lo) && (up < 0 || j - i <= up) ? 1 : 0;
  });
  const mt = c.b.constValues(`${c.node.name}/band`, 'bool', [m, n], mask);
  c.b.emit('SELECT_V2', [mt, c.v(x), kv(c, c.dtype(x), 0)], [declare(c, 0, s)], {}, c.node.name);
};

const lrn: Rule = (c) => {
  c.b.emit('LOCAL_RESPONSE_NORMALIZATION', [c.v(x0(c))], [c.out()], {
    radius: int(c.int('depth_radius', 5)), bias: flt(c.float('bias', 1)), alpha: flt(c.float('alpha', 1)), beta: flt(c.float('beta', 0.5)),
  }, c.node.name);
};

const einsum: Rule = (c) => {
  const shapes = c.node.inputs.map((n) => c.shape(n));
  const { inputs, output } = parseEquation(c.string('equation', ''), shapes.map((s) => s.length));
  const dim = (l: string) => { const k = inputs.findIndex((t) => t.includes(l)); return k < 0 ? 0 : shapes[k]![inputs[k]!.indexOf(l)]!; };
  declare(c, 0, output.map(dim));
  EINSUM_RULES.Einsum!(c);
};

/**
 * Bincount / DenseBincount: ONE_HOT of the values (out-of-range ones hit no bin), weighted and
 * summed over the values axis; binary_output takes the max instead.
 */
const bincount = (dense: boolean): Rule => (c) => {
  const [x, sz, w] = c.node.inputs as [string, string, string];
  const size = constInts(c, sz, 'size')[0]!;
  let s = c.shape(x);
  if (c.shape(w).join() !== s.join()) throw new Unsupported('weights not of the values\' shape (or empty)');
  if (dense && s.length > 2) throw new Unsupported('DenseBincount of rank > 2');
  let xv = c.v(x), wv = c.v(w);
  if (!dense && s.length !== 1) { s = [prod(s)]; xv = c.b.reshape(xv, s); wv = c.b.reshape(wv, s); }
  const dt = c.dtype(w);
  const hs = [...s, size];
  const hot = op(c, 'ONE_HOT', [xv, scalar(c, size), kv(c, dt, 1), kv(c, dt, 0)], dt, hs, { axis: int(-1) });
  const axis = c.b.int32(`${c.node.name}/axis`, [s.length - 1]);
  const out = declare(c, 0, [...s.slice(0, -1), size], dt);
  if (dense && flag(c, 'binary_output')) return void c.b.emit('REDUCE_MAX', [hot, axis], [out], { keep_dims: bool(false) }, c.node.name);
  const wt = op(c, 'MUL', [hot, c.b.reshape(wv, [...s, 1])], dt, hs);
  c.b.emit('SUM', [wt, axis], [out], { keep_dims: bool(false) }, c.node.name);
};

/** LowerBound / UpperBound: how many sorted values are < (<=) each value, by one broadcast compare. */
const bound = (upper: boolean): Rule => (c) => {
  const [sorted, vals] = c.node.inputs as [string, string];
  const ss = c.shape(sorted), vs = c.shape(vals);
  if (ss.length !== vs.length || ss.slice(0, -1).join() !== vs.slice(0, -1).join()) throw new Unsupported('leading dims differ');
  const lead = ss.slice(0, -1), n = ss[ss.length - 1]!, m = vs[vs.length - 1]!;
  const a = c.b.reshape(c.v(sorted), [...lead, 1, n]), b = c.b.reshape(c.v(vals), [...lead, m, 1]);
  const cmp = op(c, upper ? 'LESS_EQUAL' : 'LESS', [a, b], 'bool', [...lead, m, n]);
  const cnt = op(c, 'CAST', [cmp], 'int32', [...lead, m, n], { in_data_type: { kind: 'string', value: 'BOOL' }, out_data_type: { kind: 'string', value: 'INT32' } });
  const a2 = c.attr('out_type');
  const dt: DType = a2?.kind === 'dtype' && a2.value === 'int64' ? 'int64' : 'int32';
  if (dt !== 'int32') throw new Unsupported('out_type int64');
  c.b.emit('SUM', [cnt, c.b.int32(`${c.node.name}/axis`, [lead.length + 1])], [declare(c, 0, vs, dt)], { keep_dims: bool(false) }, c.node.name);
};

/**
 * SparseSegmentSum / Mean with constant indices and (sorted) segment ids: one constant
 * [segments, rows] matrix (1, or 1 / count for Mean) times the data as [rows, rest].
 */
const sparseSegment = (mean: boolean): Rule => (c) => {
  const [data, i, sg] = c.node.inputs as [string, string, string];
  const idx = constInts(c, i, 'indices'), seg = constInts(c, sg, 'segment ids');
  const ds = c.shape(data);
  const rows = ds[0]!, rest = prod(ds.slice(1));
  if (idx.length !== seg.length || seg.some((v, k) => v < 0 || (k > 0 && v < seg[k - 1]!)) || idx.some((v) => v < 0 || v >= rows)) {
    throw new Unsupported('indices out of range, or segment ids unsorted');
  }
  const S = seg[seg.length - 1]! + 1;
  if (S * rows > 1 << 24) throw new Unsupported(`a ${S} x ${rows} segment matrix`);
  const m = new Array<number>(S * rows).fill(0), count = new Array<number>(S).fill(0);
  seg.forEach((s) => count[s]!++);
  seg.forEach((s, k) => { m[s * rows + idx[k]!]! += mean ? 1 / count[s]! : 1; });
  const mt = c.b.constValues(`${c.node.name}/segments`, 'float32', [S, rows], m);
  const d2 = c.b.reshape(c.v(data), [rows, rest]);
  const y = op(c, 'BATCH_MATMUL', [mt, d2], 'float32', [S, rest], { adj_x: bool(false), adj_y: bool(false) });
  c.b.reshape(y, [S, ...ds.slice(1)], declare(c, 0, [S, ...ds.slice(1)], 'float32'));
};

/** NonMaxSuppressionV4 padded to max_output_size (a constant): NON_MAX_SUPPRESSION_V4, zeros after the valid ones. */
const nmsV4: Rule = (c) => {
  if (!flag(c, 'pad_to_max_output_size')) throw new Unsupported('without pad_to_max_output_size the output size depends on the values');
  const [boxes, scores, mx, iou, st] = c.node.inputs as [string, string, string, string, string];
  const m = constInts(c, mx, 'max_output_size')[0]!;
  if (m < 1) throw new Unsupported('max_output_size < 1');
  const outs = outputsOf(c, 2, [[m], []], ['int32', 'int32']);
  c.b.emit('NON_MAX_SUPPRESSION_V4', [c.v(boxes), c.v(scores), scalar(c, m), c.v(iou), c.v(st)], outs, {}, c.node.name);
};

export const EXTRA2_RULES: Record<string, Rule> = {
  OneHot: oneHot, TopKV2: topK, ScatterNd: scatterNd, TensorScatterUpdate: tensorScatterUpdate, SparseToDense: sparseToDense,
  SpaceToBatchND: spaceBatch(true), BatchToSpaceND: spaceBatch(false), DepthToSpace: depthToSpace,
  BroadcastTo: (c) => {
    const shape = c.shape(c.node.outputs[0]!);
    c.b.emit('BROADCAST_TO', [c.v(x0(c)), c.b.int32(`${c.node.name}/shape`, shape)], [c.out()], {}, c.node.name);
  },
  BroadcastArgs: broadcastArgs, MatrixBandPart: matrixBandPart, LRN: lrn, Einsum: einsum,
  Bincount: bincount(false), DenseBincount: bincount(true), LowerBound: bound(false), UpperBound: bound(true),
  SparseSegmentSum: sparseSegment(false), SparseSegmentMean: sparseSegment(true), NonMaxSuppressionV4: nmsV4,
};
