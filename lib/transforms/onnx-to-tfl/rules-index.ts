/** ONNX -> TFLite lowerings: index and scatter ops (TopK, OneHot, Scatter*, GatherND, EyeLike, ReverseSequence, Mod). */
import type { AttrValue, DType } from '../../ir/types';
import { type LowerCtx, type Rule, Unsupported } from './context';
import { int, str, tflTensorType } from './builder';
import { size, strides } from './nd';

type Attrs = Record<string, AttrValue>;

/** Emits one op into a fresh temporary (or into `out`); returns the output's name. */
export function op(c: LowerCtx, name: string, ins: string[], dtype: DType, shape: number[], attrs: Attrs = {}, out?: string): string {
  const y = out ?? c.b.tmp(`${c.node.name}/${name.toLowerCase()}`, dtype, shape);
  c.b.emit(name, ins, [y], attrs, out ? c.node.name : undefined);
  return y;
}

export const scalar = (c: LowerCtx, dtype: DType, v: number): string => c.b.constValues(`${c.node.name}/k`, dtype, [], [v]);

export function cast(c: LowerCtx, x: string, from: DType, to: DType, shape: number[], out?: string): string {
  if (from === to && !out) return x;
  if (!tflTensorType(from) || !tflTensorType(to)) throw new Unsupported(`${c.node.op} with ${from} -> ${to}`);
  return op(c, 'CAST', [x], to, shape, { in_data_type: str(tflTensorType(from)!), out_data_type: str(tflTensorType(to)!) }, out);
}

/** Calls fn with every multi-index of shape (one shared array), in row-major order. */
export function eachIndex(shape: number[], fn: (p: number[], i: number) => void): void {
  const p = shape.map(() => 0);
  for (let i = 0, n = size(shape); i < n; i++) {
    fn(p, i);
    for (let a = shape.length - 1; a >= 0 && ++p[a]! === shape[a]!; a--) p[a] = 0;
  }
}

/** Index values: wrapped at conversion when constant, else an int32 tensor wrapped at run time. */
export type Indices = { kind: 'const'; values: number[] } | { kind: 'tensor'; t: string };

/**
 * The ONNX index input `name` (of shape `shape`) as int32, negative values counted from the end of
 * `dims` (one dim for all, or one per position of the last axis).
 */
function indices(c: LowerCtx, name: string, dims: number[]): Indices {
  const shape = c.shape(name);
  const dimAt = (i: number): number => dims[dims.length === 1 ? 0 : i % dims.length]!;
  const v = c.constNumbers(name);
  if (v) {
    const values = v.map((x, i) => (x < 0 ? x + dimAt(i) : x));
    if (values.some((x, i) => x < 0 || x >= dimAt(i))) throw new Unsupported(`${c.node.op} with a constant index out of range`);
    return { kind: 'const', values };
  }
  const from = c.dtype(name);
  if (from !== 'int32' && from !== 'int64') throw new Unsupported(`${c.node.op} with ${from} indices computed at run time`);
  const x = cast(c, c.v(name), from, 'int32', shape);
  const neg = op(c, 'LESS', [x, scalar(c, 'int32', 0)], 'bool', shape);
  const d = dims.length === 1 ? scalar(c, 'int32', dims[0]!) : c.b.int32(`${c.node.name}/dims`, dims);
  return { kind: 'tensor', t: op(c, 'SELECT_V2', [neg, op(c, 'ADD', [x, d], 'int32', shape), x], 'int32', shape) };
}

/** Coordinates of every position of `shape` on the axes `axes`, as an int32 [...shape, axes.length] constant. */
function coords(c: LowerCtx, shape: number[], axes: number[]): string {
  const v: number[] = [];
  eachIndex(shape, (p) => { for (const a of axes) v.push(p[a]!); });
  return c.b.constValues(`${c.node.name}/coords`, 'int32', [...shape, axes.length], v);
}

// ---- TopK, OneHot, EyeLike, Mod -----------------------------------------------------------

/**
 * TopK: TOPK_V2 (last axis, largest first, ties to the lower index, as ONNX wants), the axis
 * swapped last and back, smallest-k as TOPK_V2 of the negation. The values always come sorted,
 * which is a valid result for sorted=0 too.
 */
const topK: Rule = (c) => {
  const x = c.node.inputs[0]!;
  const shape = c.shape(x), rank = shape.length, dtype = c.dtype(x);
  let axis = c.int('axis', -1);
  if (axis < 0) axis += rank;
  const k = c.opset < 10 ? c.int('k', -1) : c.constNumbers(c.node.inputs[1])?.[0];
  if (k === undefined) throw new Unsupported('TopK with k computed at run time (the output shape would be a run-time value)');
  if (k < 1 || k > shape[axis]!) throw new Unsupported(`TopK with k = ${k} on a dimension of ${shape[axis]}`);
  if (!['float32', 'int32', 'int64'].includes(dtype)) throw new Unsupported(`TopK on ${dtype}`);
  const largest = c.int('largest', 1) === 1;
  const perm = shape.map((_, i) => (i === axis ? rank - 1 : i === rank - 1 ? axis : i));
  const swapped = axis !== rank - 1;
  const [vOut, iOut] = c.node.outputs;
  const iType = iOut ? c.dtype(iOut) : 'int64';
  const outShape = shape.map((d, i) => (i === axis ? k : d));
  const tShape = perm.map((p) => outShape[p]!);
  let v = c.v(x);
  if (!largest) v = op(c, 'NEG', [v], dtype, shape);
  if (swapped) v = c.b.transpose(v, perm);
  // Each result goes straight into its ONNX output when no step follows.
  const vals = !largest || swapped || !vOut ? c.b.tmp(`${c.node.name}/values`, dtype, tShape) : c.out(0);
  const ids = swapped || iType !== 'int32' || !iOut ? c.b.tmp(`${c.node.name}/indices`, 'int32', tShape) : c.out(1);
  c.b.emit('TOPK_V2', [v, scalar(c, 'int32', k)], [vals, ids], {}, c.node.name);
  if (vOut && vals !== vOut) {
    const v2 = largest ? vals : op(c, 'NEG', [vals], dtype, tShape, {}, swapped ? undefined : c.out(0));
    if (swapped) c.b.transpose(v2, perm, c.out(0));
  }
  if (iOut && ids !== iOut) {
    const t = swapped ? c.b.transpose(ids, perm, iType === 'int32' ? c.out(1) : undefined) : ids;
    if (iType !== 'int32') cast(c, t, 'int32', iType, outShape, c.out(1));
  }
};

/**
 * OneHot: ONE_HOT of int32 indices, negative ones wrapped by depth; indices outside
 * [-depth, depth) give all-off rows, as the spec and onnxruntime say.
 */
const oneHot: Rule = (c) => {
  const [idxName, depthName, valuesName] = c.node.inputs as [string, string, string];
  const depthV = c.constNumbers(depthName);
  if (!depthV) throw new Unsupported('OneHot with depth computed at run time (the output shape would be a run-time value)');
  const depth = Math.trunc(depthV[0]!);
  const ishape = c.shape(idxName), out = c.node.outputs[0]!, dtype = c.dtype(out);
  let axis = c.int('axis', -1);
  if (axis < 0) axis += ishape.length + 1;
  const from = c.dtype(idxName);
  let idx = cast(c, c.v(idxName), from, 'int32', ishape);
  if (from === 'float32') {
    // A fractional index is no position (onnxruntime and the reference compare, not truncate): -depth - 1 stays out of range.
    const whole = op(c, 'EQUAL', [cast(c, idx, 'int32', 'float32', ishape), c.v(idxName)], 'bool', ishape);
    idx = op(c, 'SELECT_V2', [whole, idx, scalar(c, 'int32', -depth - 1)], 'int32', ishape);
  }
  const neg = op(c, 'LESS', [idx, scalar(c, 'int32', 0)], 'bool', ishape);
  idx = op(c, 'SELECT_V2', [neg, op(c, 'ADD', [idx, scalar(c, 'int32', depth)], 'int32', ishape), idx], 'int32', ishape);
  const vals = c.constNumbers(valuesName);
  let on: string, off: string;
  if (vals) [off, on] = [c.b.constValues(`${c.node.name}/off`, dtype, [], [vals[0]!]), c.b.constValues(`${c.node.name}/on`, dtype, [], [vals[1]!])];
  else {
    const pick = (i: number) => op(c, 'GATHER', [c.v(valuesName), c.b.constValues(`${c.node.name}/pick`, 'int32', [], [i])], dtype, [], { axis: int(0) });
    [off, on] = [pick(0), pick(1)];
  }
  c.b.emit('ONE_HOT', [idx, scalar(c, 'int32', depth), on, off], [c.out()], { axis: int(axis) }, c.node.name);
};

/** EyeLike: a constant of the input's static shape (ones on diagonal k), as the value of an op. */
const eyeLike: Rule = (c) => {
  const shape = c.shape(c.node.inputs[0]!);
  if (shape.length !== 2) throw new Unsupported(`EyeLike of a rank-${shape.length} tensor`);
  const k = c.int('k', 0), dtype = c.dtype(c.node.outputs[0]!);
  const v = Array.from({ length: size(shape) }, (_, i) => (i % shape[1]! - Math.floor(i / shape[1]!) === k ? 1 : 0));
  if (!tflTensorType(dtype)) throw new Unsupported(`EyeLike of type ${dtype}`);
  // Not a RESHAPE: TFLite computes a RESHAPE of a constant at Prepare, into memory LiteRT never
  // copies to a bound output (an int32 identity read back as garbage); BROADCAST_TO runs in Eval.
  const value = c.b.constValues(`${c.node.name}/value`, dtype, shape, v);
  op(c, 'BROADCAST_TO', [value, c.b.int32(`${c.node.name}/shape`, shape)], dtype, shape, {}, c.out());
};

/**
 * Mod: fmod=0 is FLOOR_MOD (the sign of the divisor, as Python). fmod=1 (the sign of the
 * dividend, as C): for floats sign(x) * FLOOR_MOD(|x|, |y|), exact since both operands are
 * non-negative there; for integers FLOOR_MOD - y where the two differ (a non-zero result and
 * operands of opposite signs).
 */
const mod: Rule = (c) => {
  const [a, b] = c.node.inputs as [string, string];
  const src = c.dtype(a), sa = c.shape(a), sb = c.shape(b), so = c.shape(c.node.outputs[0]!);
  // Narrow integers are exact in int32, and TFLite's FLOOR_MOD kernels may lack them.
  const narrow = ['int8', 'uint8', 'int16', 'uint16'].includes(src);
  if (!narrow && !['float32', 'int32', 'int64'].includes(src)) throw new Unsupported(`Mod on ${src}`);
  const dtype: DType = narrow ? 'int32' : src;
  const va = narrow ? cast(c, c.v(a), src, dtype, sa) : c.v(a);
  const vb = narrow ? cast(c, c.v(b), src, dtype, sb) : c.v(b);
  const out = narrow ? c.b.tmp(`${c.node.name}/int32`, dtype, so) : c.out();
  if (c.int('fmod', 0) === 0) op(c, 'FLOOR_MOD', [va, vb], dtype, so, {}, out);
  else if (dtype === 'float32') {
    const m = op(c, 'FLOOR_MOD', [op(c, 'ABS', [va], dtype, sa), op(c, 'ABS', [vb], dtype, sb)], dtype, so);
    op(c, 'MUL', [op(c, 'SIGN', [va], dtype, sa), m], dtype, so, {}, out);
  } else {
    const m = op(c, 'FLOOR_MOD', [va, vb], dtype, so);
    const zero = scalar(c, dtype, 0);
    const signs = op(c, 'NOT_EQUAL', [op(c, 'LESS', [va, zero], 'bool', sa), op(c, 'LESS', [vb, zero], 'bool', sb)], 'bool', so);
    const fix = op(c, 'LOGICAL_AND', [op(c, 'NOT_EQUAL', [m, zero], 'bool', so), signs], 'bool', so);
    op(c, 'SELECT_V2', [fix, op(c, 'SUB', [m, vb], dtype, so), m], dtype, so, {}, out);
  }
  if (narrow) cast(c, out, dtype, src, so, c.out());
};

// ---- GatherND, ReverseSequence -------------------------------------------------------------

/** GatherND: GATHER_ND, with batch_dims as leading coordinates of the batch positions. */
const gatherNd: Rule = (c) => {
  const [x, idxName] = c.node.inputs as [string, string];
  const shape = c.shape(x), ishape = c.shape(idxName), bd = c.int('batch_dims', 0);
  const q = ishape[ishape.length - 1]!, lead = ishape.slice(0, -1);
  const idx = indices(c, idxName, shape.slice(bd, bd + q));
  let t: string;
  if (idx.kind === 'const') {
    const v: number[] = [];
    eachIndex(lead, (p, i) => { v.push(...p.slice(0, bd), ...idx.values.slice(i * q, (i + 1) * q)); });
    t = c.b.constValues(`${c.node.name}/indices`, 'int32', [...lead, bd + q], v);
  } else {
    t = bd === 0 ? idx.t : op(c, 'CONCATENATION', [coords(c, lead, Array.from({ length: bd }, (_, i) => i)), idx.t], 'int32', [...lead, bd + q], { axis: int(lead.length) });
  }
  c.b.emit('GATHER_ND', [c.v(x), t], [c.out()], {}, c.node.name);
};

/**
 * ReverseSequence: with constant lengths one GATHER over the flattened (batch, time) pair; with
 * run-time lengths the REVERSE_SEQUENCE builtin.
 */
const reverseSequence: Rule = (c) => {
  const [x, lensName] = c.node.inputs as [string, string];
  const shape = c.shape(x);
  const batchAxis = c.int('batch_axis', 1), timeAxis = c.int('time_axis', 0);
  const lens = c.constNumbers(lensName);
  if (!lens) {
    const ld = c.dtype(lensName);
    if (ld !== 'int32' && ld !== 'int64') throw new Unsupported(`ReverseSequence with ${ld} lengths`);
    return void c.b.emit('REVERSE_SEQUENCE', [c.v(x), c.v(lensName)], [c.out()], { seq_dim: int(timeAxis), batch_dim: int(batchAxis) }, c.node.name);
  }
  const pair = shape.slice(0, 2), rest = shape.slice(2), st = strides(pair);
  const src: number[] = [];
  eachIndex(pair, (p) => {
    const bi = p[batchAxis]!, t = p[timeAxis]!, len = lens[bi]!;
    const q = [...p];
    q[timeAxis] = t < len ? len - 1 - t : t;
    src.push(q[0]! * st[0]! + q[1]!);
  });
  const flat = c.b.reshape(c.v(x), [size(pair), ...rest]);
  const g = op(c, 'GATHER', [flat, c.b.int32(`${c.node.name}/source`, src)], c.dtype(x), [size(pair), ...rest], { axis: int(0) });
  c.b.reshape(g, shape, c.out());
};

// ---- ScatterND, ScatterElements -------------------------------------------------------------

/**
 * data with `updates` ([...lead, ...data.shape[q:]]) written at `idx` ([...lead, q] tuples).
 * SCATTER_ND writes into zeros and sums duplicates, so:
 *   add            data + SCATTER_ND(updates)
 *   none, run time SELECT(SCATTER_ND(ones) > 0, SCATTER_ND(updates), data)  (indices unique, as ONNX requires)
 *   constant       per round of distinct tuples (the r-th occurrence of each), a constant mask:
 *                  SELECT(mask, f(acc, SCATTER_ND(updates of the round)), acc), in index order
 */
function scatter(c: LowerCtx, data: string, updates: string, idx: Indices, lead: number[], q: number, reduction: string): void {
  const shape = c.shape(data), dtype = c.dtype(data), slice = shape.slice(q), S = size(slice);
  if (!['none', 'add', 'mul', 'max', 'min'].includes(reduction)) throw new Unsupported(`${c.node.op} reduction ${reduction}`);
  const dimsT = c.b.int32(`${c.node.name}/shape`, shape);
  const scatterNd = (ix: string, u: string, dt = dtype): string => op(c, 'SCATTER_ND', [ix, u, dimsT], dt, shape);
  const idxT = idx.kind === 'tensor' ? idx.t : c.b.constValues(`${c.node.name}/indices`, 'int32', [...lead, q], idx.values);
  if (reduction === 'add') return void op(c, 'ADD', [c.v(data), scatterNd(idxT, updates)], dtype, shape, {}, c.out());
  if (idx.kind === 'tensor') {
    if (reduction !== 'none') throw new Unsupported(`${c.node.op} reduction ${reduction} with indices computed at run time`);
    const count = scatterNd(idxT, c.b.constValues(`${c.node.name}/ones`, 'int32', c.shape(updates), new Array<number>(size(c.shape(updates))).fill(1)), 'int32');
    const mask = op(c, 'GREATER', [count, scalar(c, 'int32', 0)], 'bool', shape);
    return void op(c, 'SELECT_V2', [mask, scatterNd(idxT, updates), c.v(data)], dtype, shape, {}, c.out());
  }
  const n = size(lead), st = strides(shape.slice(0, q));
  const seen = new Map<number, number>(), rounds: number[][] = [];
  const offset = (i: number): number => idx.values.slice(i * q, (i + 1) * q).reduce((acc, v, a) => acc + v * st[a]!, 0);
  for (let i = 0; i < n; i++) {
    const at = offset(i), r = seen.get(at) ?? 0;
    seen.set(at, r + 1);
    (rounds[r] ??= []).push(i);
  }
  const flat = rounds.length > 1 ? c.b.reshape(updates, [n, ...slice]) : updates;
  let acc = c.v(data);
  rounds.forEach((rows, r) => {
    const u = rounds.length > 1 ? op(c, 'GATHER', [flat, c.b.int32(`${c.node.name}/rows`, rows)], dtype, [rows.length, ...slice], { axis: int(0) }) : updates;
    const ix = rounds.length > 1 ? c.b.constValues(`${c.node.name}/indices`, 'int32', [rows.length, q], rows.flatMap((i) => idx.values.slice(i * q, (i + 1) * q))) : idxT;
    const m = new Array<number>(size(shape)).fill(0);
    for (const i of rows) m.fill(1, offset(i) * S, offset(i) * S + S);
    const mask = c.b.constValues(`${c.node.name}/mask`, 'bool', shape, m);
    const s = scatterNd(ix, u);
    const value = reduction === 'none' ? s : op(c, { mul: 'MUL', max: 'MAXIMUM', min: 'MINIMUM' }[reduction]!, [acc, s], dtype, shape);
    acc = op(c, 'SELECT_V2', [mask, value, acc], dtype, shape, {}, r === rounds.length - 1 ? c.out() : undefined);
  });
}

const scatterNdRule: Rule = (c) => {
  const [data, idxName, updates] = c.node.inputs as [string, string, string];
  const shape = c.shape(data), ishape = c.shape(idxName), q = ishape[ishape.length - 1]!;
  scatter(c, data, c.v(updates), indices(c, idxName, shape.slice(0, q)), ishape.slice(0, -1), q, c.string('reduction', 'none'));
};

/** ScatterElements (Scatter before opset 11): ScatterND on the full coordinate of every update. */
const scatterElements: Rule = (c) => {
  const [data, idxName, updates] = c.node.inputs as [string, string, string];
  const shape = c.shape(data), ishape = c.shape(idxName), rank = shape.length;
  let axis = c.int('axis', 0);
  if (axis < 0) axis += rank;
  const idx = indices(c, idxName, [shape[axis]!]);
  let full: Indices;
  if (idx.kind === 'const') {
    const v: number[] = [];
    eachIndex(ishape, (p, i) => { for (let a = 0; a < rank; a++) v.push(a === axis ? idx.values[i]! : p[a]!); });
    full = { kind: 'const', values: v };
  } else {
    const parts = shape.map((_, a) => (a === axis ? c.b.reshape(idx.t, [...ishape, 1]) : coords(c, ishape, [a])));
    full = { kind: 'tensor', t: op(c, 'CONCATENATION', parts, 'int32', [...ishape, rank], { axis: int(rank) }) };
  }
  scatter(c, data, c.v(updates), full, ishape, rank, c.string('reduction', 'none'));
};

export const INDEX_RULES: Record<string, Rule> = {
  TopK: topK, OneHot: oneHot, EyeLike: eyeLike, Mod: mod,
  GatherND: gatherNd, ReverseSequence: reverseSequence,
  ScatterND: scatterNdRule, ScatterElements: scatterElements, Scatter: scatterElements,
};
