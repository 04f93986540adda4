/** ONNX rules for ops that move data around: reshape, slice, gather, concat, pad... */
import type { Dim } from '../types';
import {
  concatConst, constFromTensor, count, gatherConst, makeConst, MAX_FOLD, reshapeConst, sliceConst, transposeConst,
} from './consts';
import { axesOf, onnxTypeAttr } from './onnx-basic';
import type { OpOutput, OpTable, RuleContext } from './types';
import {
  attrInt, attrInts, broadcast, dimMul, dimsOf, dtypeOf, fail, intsOf, isNum, isStatic, normAxis, product, shapeOf,
  unifyDim,
} from './util';

/** Reshape target -> shape, with 0 (copy) and -1 (infer) resolved where the sizes allow. */
export function reshapeTarget(s: Dim[] | null, target: number[], allowZero: boolean): Dim[] {
  const out: Dim[] = [];
  const copiedFrom: Array<number | null> = [];
  let infer = -1;
  target.forEach((t, i) => {
    copiedFrom.push(null);
    if (Number.isNaN(t)) out.push(null);
    else if (t === 0 && !allowZero) {
      out.push(s ? s[i] ?? null : null);
      copiedFrom[i] = i;
    } else if (t === -1) {
      if (infer >= 0) fail('more than one -1 in the target shape');
      infer = i;
      out.push(null);
    } else if (t < -1) fail(`invalid target dimension ${t}`);
    else out.push(t);
  });
  if (infer < 0 || !s) return out;
  // Unknown input dims cancel against the same dims copied to the output (batch -> batch).
  const outUnknown = out.map((d, i) => (i !== infer && !isNum(d) ? i : -1)).filter((i) => i >= 0);
  const inUnknown = s.map((d, i) => (!isNum(d) ? i : -1)).filter((i) => i >= 0);
  const cancels = outUnknown.length === inUnknown.length &&
    outUnknown.every((o) => {
      const from = copiedFrom[o];
      return (from !== null && from !== undefined && inUnknown.includes(from)) ||
        (typeof out[o] === 'string' && inUnknown.some((k) => s[k] === out[o]));
    });
  if (!cancels) return out;
  const inKnown = s.filter(isNum).reduce((a, b) => a * b, 1);
  const outKnown = out.filter((d, i) => i !== infer && isNum(d)).reduce<number>((a, b) => a * (b as number), 1);
  if (outKnown === 0) return out;
  if (inKnown % outKnown !== 0) fail(`cannot reshape ${inKnown} elements into a multiple of ${outKnown}`);
  out[infer] = inKnown / outKnown;
  return out;
}

function reshape(c: RuleContext): OpOutput[] {
  const x = c.inputs[0];
  const dtype = x?.dtype ?? 'unknown';
  const raw = c.inputs[1]?.value?.values ?? attrInts(c.attrs, 'shape');
  if (!raw) {
    const r = dimsOf(c, 1);
    return [{ dtype, shape: r }];
  }
  const shape = reshapeTarget(x?.shape ?? null, raw, attrInt(c.attrs, 'allowzero', 0) === 1);
  return [{ dtype, shape, value: reshapeConst(x?.value, shape) }];
}

function squeeze(c: RuleContext): OpOutput[] {
  const x = c.inputs[0];
  const s = x?.shape ?? null;
  const dtype = x?.dtype ?? 'unknown';
  if (!s) return [{ dtype, shape: null }];
  const axes = axesOf(c, 1);
  if (axes === 'unknown') return [{ dtype, shape: null }];
  let shape: Dim[];
  if (!axes || axes.length === 0) {
    if (!s.every(isNum)) return [{ dtype, shape: null }];
    shape = s.filter((d) => d !== 1);
  } else {
    const set = new Set(axes.map((a) => normAxis(a, s.length)));
    for (const a of set) if (isNum(s[a]) && s[a] !== 1) fail(`cannot squeeze axis ${a} of size ${s[a]}`);
    shape = s.filter((_, i) => !set.has(i));
  }
  return [{ dtype, shape, value: reshapeConst(x?.value, shape) }];
}

function unsqueeze(c: RuleContext): OpOutput[] {
  const x = c.inputs[0];
  const s = x?.shape ?? null;
  const dtype = x?.dtype ?? 'unknown';
  const axes = axesOf(c, 1);
  if (!s || axes === 'unknown' || !axes) return [{ dtype, shape: null }];
  const rank = s.length + axes.length;
  const set = new Set(axes.map((a) => normAxis(a, rank)));
  const shape: Dim[] = [];
  let k = 0;
  for (let i = 0; i < rank; i++) shape.push(set.has(i) ? 1 : s[k++] ?? null);
  return [{ dtype, shape, value: reshapeConst(x?.value, shape) }];
}

function concat(c: RuleContext): OpOutput[] {
  const present = c.inputs.filter((x) => x);
  const dtype = present.find((x) => x!.dtype !== 'unknown')?.dtype ?? 'unknown';
  const shapes = present.map((x) => x!.shape);
  const known = shapes.find((s) => s);
  if (!known) return [{ dtype, shape: null }];
  const axis = normAxis(attrInt(c.attrs, 'axis', 0), known.length);
  const shape = known.slice();
  let sum: Dim = 0;
  for (const s of shapes) {
    if (!s) { sum = null; continue; }
    if (s.length !== known.length) fail(`inputs of rank ${known.length} and ${s.length}`);
    s.forEach((d, i) => {
      if (i !== axis) shape[i] = unifyDim(shape[i]!, d);
    });
    const d = s[axis]!;
    sum = isNum(sum) && isNum(d) ? sum + d : null;
  }
  shape[axis] = sum;
  const vals = present.map((x) => x!.value);
  const value = vals.every((v) => v) ? concatConst(vals.map((v) => v!), axis) : null;
  return [{ dtype, shape, value }];
}

/** ONNX Slice bounds for one axis of known size. */
export function sliceBounds(dim: number, start: number, end: number, step: number): { start: number; size: number } {
  if (step === 0) fail('slice step 0');
  let b = start < 0 ? start + dim : start;
  let e = end < 0 ? end + dim : end;
  if (step > 0) {
    b = Math.min(Math.max(b, 0), dim);
    e = Math.min(Math.max(e, 0), dim);
  } else {
    b = Math.min(Math.max(b, 0), dim - 1);
    e = Math.min(Math.max(e, -1), dim - 1);
  }
  return { start: b, size: Math.max(0, Math.ceil((e - b) / step)) };
}

function slice(c: RuleContext): OpOutput[] {
  const x = c.inputs[0];
  const s = x?.shape ?? null;
  const dtype = x?.dtype ?? 'unknown';
  if (!s) return [{ dtype, shape: null }];
  const old = c.opset > 0 && c.opset < 10;
  const starts = old ? attrInts(c.attrs, 'starts') : intsOf(c, 1);
  const ends = old ? attrInts(c.attrs, 'ends') : intsOf(c, 2);
  const axes = old ? attrInts(c.attrs, 'axes') : c.inputs[3] ? intsOf(c, 3) : null;
  const steps = old ? null : c.inputs[4] ? intsOf(c, 4) : null;
  const axesKnown = old || !c.inputs[3] || axes;
  if (!starts || !ends || !axesKnown || (c.inputs[4] && !steps)) {
    // Which axes change is unknown: keep only what cannot move.
    const fixed = axes ? new Set(axes.map((a) => normAxis(a, s.length))) : null;
    return [{ dtype, shape: s.map((d, i) => (fixed && !fixed.has(i) ? d : null)) }];
  }
  const ax = axes ?? starts.map((_, i) => i);
  const begin = s.map(() => 0);
  const step = s.map(() => 1);
  const shape = s.slice();
  ax.forEach((a0, k) => {
    const a = normAxis(a0, s.length);
    const d = s[a]!;
    const st = steps?.[k] ?? 1;
    if (!isNum(d)) { shape[a] = null; return; }
    const b = sliceBounds(d, starts[k]!, ends[k]!, st);
    begin[a] = b.start; step[a] = st; shape[a] = b.size;
  });
  const v = x?.value;
  const value = v && isStatic(shape) ? sliceConst(v, begin, step, shape) : null;
  return [{ dtype, shape, value }];
}

function split(c: RuleContext): OpOutput[] {
  const x = c.inputs[0];
  const s = x?.shape ?? null;
  const dtype = x?.dtype ?? 'unknown';
  const n = c.outputCount;
  if (!s) return Array.from({ length: n }, () => ({ dtype, shape: null }));
  const axis = normAxis(attrInt(c.attrs, 'axis', 0), s.length);
  const d = s[axis]!;
  let sizes: Array<number | null> | null = attrInts(c.attrs, 'split') ?? (c.inputs[1] ? intsOf(c, 1) : null);
  if (!sizes && c.inputs[1]) sizes = new Array<null>(n).fill(null);
  if (!sizes) {
    if (!isNum(d)) sizes = new Array<null>(n).fill(null);
    else {
      const chunk = Math.ceil(d / n);
      sizes = Array.from({ length: n }, (_, i) => Math.max(0, Math.min(chunk, d - chunk * i)));
    }
  }
  return sizes.map((k) => ({ dtype, shape: s.map((dim, i) => (i === axis ? k : dim)) }));
}

function gather(c: RuleContext): OpOutput[] {
  const data = c.inputs[0];
  const idx = c.inputs[1];
  const dtype = data?.dtype ?? 'unknown';
  const s = data?.shape ?? null;
  if (!s || !idx?.shape) return [{ dtype, shape: null }];
  const axis = normAxis(attrInt(c.attrs, 'axis', 0), s.length);
  const shape = [...s.slice(0, axis), ...idx.shape, ...s.slice(axis + 1)];
  const value = data?.value && idx.value && !idx.value.values.some(Number.isNaN) ? gatherConst(data.value, idx.value, axis) : null;
  return [{ dtype, shape, value }];
}

function pad(c: RuleContext): OpOutput[] {
  const x = c.inputs[0];
  const s = x?.shape ?? null;
  const dtype = x?.dtype ?? 'unknown';
  if (!s) return [{ dtype, shape: null }];
  const pads = attrInts(c.attrs, 'pads') ?? attrInts(c.attrs, 'paddings') ?? intsOf(c, 1);
  if (!pads) return [{ dtype, shape: s.map(() => null) }];
  const axesRaw = c.inputs[3] ? intsOf(c, 3) : null;
  if (c.inputs[3] && !axesRaw) return [{ dtype, shape: s.map(() => null) }];
  const axes = (axesRaw ?? s.map((_, i) => i)).map((a) => normAxis(a, s.length));
  const shape = s.slice();
  axes.forEach((a, k) => {
    const d = s[a]!;
    shape[a] = isNum(d) ? d + pads[k]! + pads[k + axes.length]! : null;
  });
  return [{ dtype, shape }];
}

const table: OpTable = {
  Reshape: reshape, Squeeze: squeeze, Unsqueeze: unsqueeze, Concat: concat, Slice: slice, Split: split,
  Gather: gather, Pad: pad,
  Constant: (c) => {
    const a = c.attrs;
    const t = a.value ?? a.sparse_value;
    if (t?.kind === 'tensor') return [{ dtype: t.value.dtype, shape: t.value.shape, value: constFromTensor(t.value) }];
    const f = (k: string) => a[k];
    const vi = f('value_int'), vf = f('value_float'), vis = f('value_ints'), vfs = f('value_floats');
    if (vi?.kind === 'int') return [{ dtype: 'int64', shape: [], value: makeConst('int64', [], [vi.value]) }];
    if (vf?.kind === 'float' || vf?.kind === 'int') return [{ dtype: 'float32', shape: [], value: makeConst('float32', [], [vf.value]) }];
    if (vis?.kind === 'ints') return [{ dtype: 'int64', shape: [vis.value.length], value: makeConst('int64', [vis.value.length], vis.value) }];
    if (vfs?.kind === 'floats' || vfs?.kind === 'ints') return [{ dtype: 'float32', shape: [vfs.value.length], value: makeConst('float32', [vfs.value.length], vfs.value) }];
    if (f('value_string')) return [{ dtype: 'string', shape: [] }];
    if (f('value_strings')?.kind === 'strings') return [{ dtype: 'string', shape: [(f('value_strings')!.value as string[]).length] }];
    return [{}];
  },
  Shape: (c) => {
    const s = shapeOf(c, 0);
    if (!s) return [{ dtype: 'int64', shape: [null] }];
    const r = s.length;
    const clamp = (v: number) => Math.min(Math.max(v < 0 ? v + r : v, 0), r);
    const start = clamp(attrInt(c.attrs, 'start', 0));
    const end = clamp(attrInt(c.attrs, 'end', r));
    const dims = s.slice(start, Math.max(start, end));
    return [{ dtype: 'int64', shape: [dims.length], value: makeConst('int64', [dims.length], dims.map((d) => (isNum(d) ? d : NaN))) }];
  },
  Flatten: (c) => {
    const x = c.inputs[0];
    const s = x?.shape ?? null;
    const dtype = x?.dtype ?? 'unknown';
    if (!s) return [{ dtype, shape: [null, null] }];
    let axis = attrInt(c.attrs, 'axis', 1);
    if (axis < 0) axis += s.length;
    if (axis < 0 || axis > s.length) fail(`axis ${axis} out of range for rank ${s.length}`);
    const shape = [product(s.slice(0, axis)), product(s.slice(axis))];
    return [{ dtype, shape, value: reshapeConst(x?.value, shape) }];
  },
  Transpose: (c) => {
    const x = c.inputs[0];
    const s = x?.shape ?? null;
    const dtype = x?.dtype ?? 'unknown';
    if (!s) return [{ dtype, shape: null }];
    const perm = attrInts(c.attrs, 'perm') ?? s.map((_, i) => s.length - 1 - i);
    if (perm.length !== s.length) fail(`perm of length ${perm.length} for rank ${s.length}`);
    const shape = perm.map((p) => s[normAxis(p, s.length)]!);
    return [{ dtype, shape, value: x?.value ? transposeConst(x.value, perm) : null }];
  },
  Expand: (c) => {
    const x = c.inputs[0];
    const dims = dimsOf(c, 1);
    const dtype = x?.dtype ?? 'unknown';
    const shape = dims ? broadcast([x?.shape ?? null, dims]) : null;
    return [{ dtype, shape }];
  },
  Tile: (c) => {
    const s = shapeOf(c, 0);
    const reps = intsOf(c, 1);
    const dtype = dtypeOf(c, 0);
    if (!s) return [{ dtype, shape: null }];
    return [{ dtype, shape: s.map((d, i) => (reps ? dimMul(d, reps[i] ?? 1) : null)) }];
  },
  ConstantOfShape: (c) => {
    const dims = dimsOf(c, 0);
    const a = c.attrs.value;
    const t = a?.kind === 'tensor' ? a.value : null;
    const dtype = t?.dtype ?? 'float32';
    let value = null;
    if (dims && isStatic(dims) && count(dims) <= MAX_FOLD) {
      const fill = t?.data && t.data.length > 0 ? readScalar(t.dtype, t.data) : 0;
      if (fill !== null) value = makeConst(dtype, dims, new Array<number>(count(dims)).fill(fill));
    }
    return [{ dtype, shape: dims, value }];
  },
  Range: (c) => {
    const dtype = dtypeOf(c, 0);
    const [a, b, d] = [intsOf(c, 0), intsOf(c, 1), intsOf(c, 2)];
    if (!a || !b || !d || d[0] === 0) return [{ dtype, shape: [null] }];
    const n = Math.max(Math.ceil((b[0]! - a[0]!) / d[0]!), 0);
    const value = n <= MAX_FOLD ? makeConst(dtype, [n], Array.from({ length: n }, (_, i) => a[0]! + i * d[0]!)) : null;
    return [{ dtype, shape: [n], value }];
  },
  GatherElements: (c) => [{ dtype: dtypeOf(c, 0), shape: shapeOf(c, 1) }],
  GatherND: (c) => {
    const s = shapeOf(c, 0), idx = shapeOf(c, 1);
    const dtype = dtypeOf(c, 0);
    const b = attrInt(c.attrs, 'batch_dims', 0);
    const last = idx?.[idx.length - 1];
    if (!s || !idx || !isNum(last)) return [{ dtype, shape: null }];
    return [{ dtype, shape: [...idx.slice(0, -1), ...s.slice(b + last)] }];
  },
  ScatterND: (c) => [{ dtype: dtypeOf(c, 0), shape: shapeOf(c, 0) }],
  ScatterElements: (c) => [{ dtype: dtypeOf(c, 0), shape: shapeOf(c, 0) }],
  Scatter: (c) => [{ dtype: dtypeOf(c, 0), shape: shapeOf(c, 0) }],
  NonZero: (c) => [{ dtype: 'int64', shape: [shapeOf(c, 0)?.length ?? null, null] }],
  Compress: (c) => {
    const s = shapeOf(c, 0);
    const a = c.attrs.axis;
    if (!s || !a) return [{ dtype: dtypeOf(c, 0), shape: [null] }];
    const axis = normAxis(attrInt(c.attrs, 'axis', 0), s.length);
    return [{ dtype: dtypeOf(c, 0), shape: s.map((d, i) => (i === axis ? null : d)) }];
  },
  TopK: (c) => {
    const s = shapeOf(c, 0);
    const k = c.inputs[1] ? intsOf(c, 1)?.[0] ?? null : attrInt(c.attrs, 'k', -1);
    if (!s) return [{ dtype: dtypeOf(c, 0), shape: null }, { dtype: 'int64', shape: null }];
    const axis = normAxis(attrInt(c.attrs, 'axis', -1), s.length);
    const shape = s.map((d, i) => (i === axis ? (k !== null && k >= 0 ? k : null) : d));
    return [{ dtype: dtypeOf(c, 0), shape }, { dtype: 'int64', shape }];
  },
  OneHot: (c) => {
    const s = shapeOf(c, 0);
    const depth = intsOf(c, 1)?.[0] ?? null;
    const dtype = dtypeOf(c, 2);
    if (!s) return [{ dtype, shape: null }];
    const rank = s.length + 1;
    const axis = normAxis(attrInt(c.attrs, 'axis', -1), rank);
    const shape = [...s.slice(0, axis), depth === null ? null : Math.trunc(depth), ...s.slice(axis)];
    return [{ dtype, shape }];
  },
  DepthToSpace: (c) => {
    const s = shapeOf(c, 0);
    const b = attrInt(c.attrs, 'blocksize', 1);
    if (!s || s.length !== 4) return [{ dtype: dtypeOf(c, 0), shape: null }];
    const ch = s[1]!;
    return [{ dtype: dtypeOf(c, 0), shape: [s[0]!, isNum(ch) ? ch / (b * b) : null, dimMul(s[2]!, b), dimMul(s[3]!, b)] }];
  },
  SpaceToDepth: (c) => {
    const s = shapeOf(c, 0);
    const b = attrInt(c.attrs, 'blocksize', 1);
    if (!s || s.length !== 4) return [{ dtype: dtypeOf(c, 0), shape: null }];
    const div = (d: Dim) => (isNum(d) ? Math.floor(d / b) : null);
    return [{ dtype: dtypeOf(c, 0), shape: [s[0]!, dimMul(s[1]!, b * b), div(s[2]!), div(s[3]!)] }];
  },
  Unique: (c) => {
    const s = shapeOf(c, 0);
    const dtype = dtypeOf(c, 0);
    if (!s) return [{ dtype, shape: null }, { dtype: 'int64', shape: [null] }, { dtype: 'int64', shape: [null] }, { dtype: 'int64', shape: [null] }];
    const axis = c.attrs.axis ? normAxis(attrInt(c.attrs, 'axis', 0), s.length) : -1;
    const y = axis < 0 ? [null] : s.map((d, i) => (i === axis ? null : d));
    const inverse = axis < 0 ? product(s) : s[axis]!;
    return [{ dtype, shape: y }, { dtype: 'int64', shape: [null] }, { dtype: 'int64', shape: [inverse] }, { dtype: 'int64', shape: [null] }];
  },
  EyeLike: (c) => [{ dtype: onnxTypeAttr(c, 'dtype') ?? dtypeOf(c, 0), shape: shapeOf(c, 0) }],
};

function readScalar(dtype: string, b: Uint8Array): number | null {
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  switch (dtype) {
    case 'float32': return b.length >= 4 ? v.getFloat32(0, true) : null;
    case 'float64': return b.length >= 8 ? v.getFloat64(0, true) : null;
    case 'int32': return b.length >= 4 ? v.getInt32(0, true) : null;
    case 'int64': return b.length >= 8 ? Number(v.getBigInt64(0, true)) : null;
    case 'int8': return v.getInt8(0);
    case 'uint8': case 'bool': return v.getUint8(0);
    default: return null;
  }
}

export const onnxShapeOps = table;
