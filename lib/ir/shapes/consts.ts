/**
 * Evaluation on small known values, for the shape sub-computations models carry
 * (Shape -> Gather -> Unsqueeze -> Concat -> Reshape). Values live only in the engine's side
 * map; the graph is never rewritten.
 */
import type { DType, Tensor } from '../types';
import { bfloat16ToFloat, halfTable, tensorValues } from '../values';
import type { ConstValue } from './types';
import { fail } from './util';

/** Larger constants are not worth evaluating for shapes (and must not be copied). */
export const MAX_FOLD = 1 << 14;

const NUMERIC = /^(u?int(8|16|32|64)|float(16|32|64)|bfloat16|bool)$/;

export function isIntType(d: DType): boolean {
  return /^u?int/.test(d) || d === 'bool';
}

export function count(shape: number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

export function makeConst(dtype: DType, shape: number[], values: number[]): ConstValue {
  return { dtype, shape, values };
}

/** A constant tensor's values when it is small and numeric; null otherwise. */
export function constFromTensor(t: Tensor): ConstValue | null {
  if (!t.shape || !NUMERIC.test(t.dtype) || t.sparsity) return null;
  const shape: number[] = [];
  for (const d of t.shape) {
    if (typeof d !== 'number') return null;
    shape.push(d);
  }
  const n = count(shape);
  // An empty tensor (TFLite's shape [0] "reshape to scalar") has no buffer and needs none.
  if (n === 0) return { dtype: t.dtype, shape, values: [] };
  if (!t.data) return null;
  if (n > MAX_FOLD) return null;
  const raw = tensorValues(t);
  if (!raw || raw.length < n) return null;
  const values = new Array<number>(n);
  const half = t.dtype === 'float16' ? halfTable() : null;
  for (let i = 0; i < n; i++) {
    const v = raw[i]!;
    values[i] = half ? half[v as number]! : t.dtype === 'bfloat16' ? bfloat16ToFloat(v as number) : Number(v);
  }
  return { dtype: t.dtype, shape, values };
}

/** Wraps a value to what `dtype` can hold, as a cast would. */
export function castValue(v: number, dtype: DType): number {
  // NaN marks an element not known at inference time (a symbolic dim read by Shape).
  if (Number.isNaN(v)) return v;
  switch (dtype) {
    case 'bool': return v !== 0 && !Number.isNaN(v) ? 1 : 0;
    case 'int8': return (Math.trunc(v) << 24) >> 24;
    case 'uint8': return Math.trunc(v) & 0xff;
    case 'int16': return (Math.trunc(v) << 16) >> 16;
    case 'uint16': return Math.trunc(v) & 0xffff;
    case 'int32': return Math.trunc(v) | 0;
    case 'uint32': return Math.trunc(v) >>> 0;
    case 'int64': case 'uint64': return Number.isFinite(v) ? Math.trunc(v) : v;
    case 'float32': return Math.fround(v);
    default: return v;
  }
}

export function castConst(c: ConstValue, dtype: DType): ConstValue {
  return { dtype, shape: c.shape, values: c.values.map((v) => castValue(v, dtype)) };
}

function strides(shape: number[]): number[] {
  const s = new Array<number>(shape.length).fill(1);
  for (let i = shape.length - 2; i >= 0; i--) s[i] = s[i + 1]! * shape[i + 1]!;
  return s;
}

/** Broadcasting n-ary evaluation on static values. */
export function mapConst(args: ConstValue[], dtype: DType, fn: (xs: number[]) => number): ConstValue | null {
  const rank = Math.max(0, ...args.map((a) => a.shape.length));
  const shape: number[] = [];
  for (let i = 0; i < rank; i++) {
    let d = 1;
    for (const a of args) {
      const k = a.shape.length - rank + i;
      const s = k >= 0 ? a.shape[k]! : 1;
      if (s !== 1) {
        if (d !== 1 && d !== s) return null;
        d = s;
      }
    }
    shape.push(d);
  }
  const n = count(shape);
  if (n > MAX_FOLD) return null;
  const outStrides = strides(shape);
  const argStrides = args.map((a) => {
    const st = strides(a.shape);
    return shape.map((_, i) => {
      const k = a.shape.length - rank + i;
      return k >= 0 && a.shape[k] !== 1 ? st[k]! : 0;
    });
  });
  const values = new Array<number>(n);
  const xs = new Array<number>(args.length);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < args.length; j++) {
      let off = 0, rest = i;
      const as = argStrides[j]!;
      for (let d = 0; d < rank; d++) {
        const q = Math.floor(rest / outStrides[d]!);
        rest -= q * outStrides[d]!;
        off += q * as[d]!;
      }
      xs[j] = args[j]!.values[off]!;
    }
    values[i] = xs.some(Number.isNaN) ? NaN : castValue(fn(xs), dtype);
  }
  return { dtype, shape, values };
}

/** Binary arithmetic as the ops define it (integer division truncates toward zero, ONNX style). */
export function arith(op: string, a: number, b: number, intType: boolean): number {
  switch (op) {
    case 'add': return a + b;
    case 'sub': return a - b;
    case 'mul': return a * b;
    case 'div': return intType ? (b === 0 ? 0 : Math.trunc(a / b)) : a / b;
    case 'floordiv': return b === 0 ? 0 : Math.floor(a / b);
    case 'mod': return b === 0 ? 0 : a - Math.floor(a / b) * b;
    case 'fmod': return b === 0 ? 0 : a % b;
    case 'pow': return a ** b;
    case 'max': return Math.max(a, b);
    case 'min': return Math.min(a, b);
    case 'eq': return a === b ? 1 : 0;
    case 'lt': return a < b ? 1 : 0;
    case 'le': return a <= b ? 1 : 0;
    case 'gt': return a > b ? 1 : 0;
    case 'ge': return a >= b ? 1 : 0;
    case 'and': return a && b ? 1 : 0;
    case 'or': return a || b ? 1 : 0;
    default: return fail(`no evaluator for ${op}`);
  }
}

/** Gather along `axis` with (possibly negative) indices. */
export function gatherConst(data: ConstValue, indices: ConstValue, axis: number): ConstValue | null {
  const shape = [...data.shape.slice(0, axis), ...indices.shape, ...data.shape.slice(axis + 1)];
  if (count(shape) > MAX_FOLD) return null;
  const outer = count(data.shape.slice(0, axis));
  const dim = data.shape[axis]!;
  const inner = count(data.shape.slice(axis + 1));
  const values: number[] = [];
  for (let o = 0; o < outer; o++) {
    for (const raw of indices.values) {
      const k = raw < 0 ? raw + dim : raw;
      if (k < 0 || k >= dim) fail(`gather index ${raw} is out of range for dimension ${dim}`);
      for (let i = 0; i < inner; i++) values.push(data.values[(o * dim + k) * inner + i]!);
    }
  }
  return { dtype: data.dtype, shape, values };
}

/** Strided slice with already normalised per-axis start/step/size. */
export function sliceConst(data: ConstValue, start: number[], step: number[], size: number[]): ConstValue | null {
  if (count(size) > MAX_FOLD) return null;
  const st = strides(data.shape);
  const values: number[] = [];
  const idx = new Array<number>(size.length).fill(0);
  const total = count(size);
  for (let n = 0; n < total; n++) {
    let off = 0;
    for (let d = 0; d < size.length; d++) off += (start[d]! + idx[d]! * step[d]!) * st[d]!;
    values.push(data.values[off]!);
    for (let d = size.length - 1; d >= 0; d--) {
      if (++idx[d]! < size[d]!) break;
      idx[d] = 0;
    }
  }
  return { dtype: data.dtype, shape: size, values };
}

/** Concatenation along `axis` of values with equal other dims. */
export function concatConst(parts: ConstValue[], axis: number): ConstValue | null {
  const first = parts[0];
  if (!first) return null;
  const shape = first.shape.slice();
  shape[axis] = parts.reduce((a, p) => a + (p.shape[axis] ?? 0), 0);
  if (count(shape) > MAX_FOLD) return null;
  const outer = count(first.shape.slice(0, axis));
  const values: number[] = [];
  for (let o = 0; o < outer; o++) {
    for (const p of parts) {
      const chunk = count(p.shape.slice(axis));
      for (let i = 0; i < chunk; i++) values.push(p.values[o * chunk + i]!);
    }
  }
  return { dtype: first.dtype, shape, values };
}

export function transposeConst(data: ConstValue, perm: number[]): ConstValue | null {
  const shape = perm.map((p) => data.shape[p]!);
  const st = strides(data.shape);
  const n = count(shape);
  const values = new Array<number>(n);
  const idx = new Array<number>(shape.length).fill(0);
  for (let i = 0; i < n; i++) {
    let off = 0;
    for (let d = 0; d < shape.length; d++) off += idx[d]! * st[perm[d]!]!;
    values[i] = data.values[off]!;
    for (let d = shape.length - 1; d >= 0; d--) {
      if (++idx[d]! < shape[d]!) break;
      idx[d] = 0;
    }
  }
  return { dtype: data.dtype, shape, values };
}

/** Same values, new static shape (Reshape, Squeeze, Unsqueeze, Flatten, Identity). */
export function reshapeConst(data: ConstValue | null | undefined, shape: Array<number | string | null> | null): ConstValue | null {
  if (!data || !shape || !shape.every((d): d is number => typeof d === 'number')) return null;
  return count(shape) === data.values.length ? { dtype: data.dtype, shape, values: data.values } : null;
}
