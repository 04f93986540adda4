/** Small dense-array helpers on plain number arrays and typed arrays, for constants only. */
import type { DType, Tensor } from '../../ir/types';
import { tensorValues } from '../../ir/values';

/** Element count of a static shape. */
export const size = (shape: number[]): number => shape.reduce((a, b) => a * b, 1);

export function strides(shape: number[]): number[] {
  const s = new Array<number>(shape.length).fill(1);
  for (let i = shape.length - 2; i >= 0; i--) s[i] = s[i + 1]! * shape[i + 1]!;
  return s;
}

export function inversePerm(perm: number[]): number[] {
  const inv = new Array<number>(perm.length);
  perm.forEach((p, i) => { inv[p] = i; });
  return inv;
}

/** perm applied after `first`: transpose(transpose(x, first), second) == transpose(x, compose). */
export function composePerm(first: number[], second: number[]): number[] {
  return second.map((p) => first[p]!);
}

export const isIdentityPerm = (perm: number[]): boolean => perm.every((p, i) => p === i);

/** out.shape[k] = shape[perm[k]]. */
export const permuteShape = <T>(shape: T[], perm: number[]): T[] => perm.map((p) => shape[p]!);

/**
 * Source index (into x's row-major data) of each element of transpose(x, perm). Works for any
 * array-like source by the caller indexing with it.
 */
export function transposeIndex(shape: number[], perm: number[]): Int32Array {
  const outShape = permuteShape(shape, perm);
  const inStr = strides(shape);
  const n = size(shape);
  const idx = new Int32Array(n);
  const rank = shape.length;
  const pos = new Array<number>(rank).fill(0);
  const step = perm.map((p) => inStr[p]!);
  let src = 0;
  for (let i = 0; i < n; i++) {
    idx[i] = src;
    for (let d = rank - 1; d >= 0; d--) {
      pos[d]!++;
      src += step[d]!;
      if (pos[d]! < outShape[d]!) break;
      src -= step[d]! * outShape[d]!;
      pos[d] = 0;
    }
  }
  return idx;
}

type Typed = Float32Array | Float64Array | Int32Array | Uint8Array | Int8Array | Int16Array | Uint16Array | Uint32Array | BigInt64Array | BigUint64Array;

/** Bytes of a typed array as a Uint8Array view (the IR's constant storage). */
export function bytesOf(a: Typed): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

/** Transposes a constant tensor's bytes; returns a fresh, aligned buffer. */
export function transposeData(t: Tensor, shape: number[], perm: number[]): Uint8Array {
  const v = tensorValues(t) as Typed | null;
  if (!v) throw new Error(`constant ${t.name} has no readable data`);
  const idx = transposeIndex(shape, perm);
  const ctor = v.constructor as new (n: number) => Typed;
  const out = new ctor(idx.length);
  for (let i = 0; i < idx.length; i++) (out as unknown as unknown[])[i] = (v as unknown as unknown[])[idx[i]!];
  return bytesOf(out);
}

/** Values of a numeric constant as plain numbers (int64 narrowed; fine for shapes and indices). */
export function numbers(t: Tensor): number[] | null {
  const v = tensorValues(t);
  if (!v) return null;
  return Array.from(v as ArrayLike<number | bigint>, (x) => Number(x));
}

/** Float32 view or copy of a float constant (float64 / float16 converted). */
export function floats(t: Tensor): Float32Array | null {
  const v = tensorValues(t);
  if (!v) return null;
  if (t.dtype === 'float32') return v as Float32Array;
  if (t.dtype === 'float64') return Float32Array.from(v as Float64Array);
  return null;
}

/** Encodes numbers as `dtype` bytes; null for dtypes constants here never take. */
export function encode(dtype: DType, values: ArrayLike<number>): Uint8Array | null {
  const n = values.length;
  switch (dtype) {
    case 'float32': return bytesOf(Float32Array.from(values));
    case 'float64': return bytesOf(Float64Array.from(values));
    case 'int32': return bytesOf(Int32Array.from(values, (x) => Math.trunc(x)));
    case 'uint32': return bytesOf(Uint32Array.from(values, (x) => Math.trunc(x)));
    case 'int16': return bytesOf(Int16Array.from(values, (x) => Math.trunc(x)));
    case 'uint16': return bytesOf(Uint16Array.from(values, (x) => Math.trunc(x)));
    case 'int8': return bytesOf(Int8Array.from(values, (x) => Math.trunc(x)));
    case 'uint8': return bytesOf(Uint8Array.from(values, (x) => Math.trunc(x)));
    case 'bool': return bytesOf(Uint8Array.from(values, (x) => (x ? 1 : 0)));
    case 'int64': {
      const a = new BigInt64Array(n);
      for (let i = 0; i < n; i++) a[i] = BigInt(Math.trunc(values[i]!));
      return bytesOf(a);
    }
    default: return null;
  }
}

/** Shape of the broadcast of two shapes (numpy rules), or null when incompatible. */
export function broadcastShape(a: number[], b: number[]): number[] | null {
  const rank = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    const x = a[a.length - rank + i] ?? 1;
    const y = b[b.length - rank + i] ?? 1;
    if (x !== y && x !== 1 && y !== 1) return null;
    out.push(x === 1 ? y : x);
  }
  return out;
}

/** Index into a broadcast input for each element of the output shape. */
export function broadcastIndex(inShape: number[], outShape: number[]): Int32Array {
  const rank = outShape.length;
  const padded = [...new Array<number>(rank - inShape.length).fill(1), ...inShape];
  const inStr = strides(padded).map((s, i) => (padded[i] === 1 ? 0 : s));
  const n = size(outShape);
  const idx = new Int32Array(n);
  const outStr = strides(outShape);
  for (let i = 0; i < n; i++) {
    let rem = i, src = 0;
    for (let d = 0; d < rank; d++) {
      const q = Math.floor(rem / outStr[d]!);
      rem -= q * outStr[d]!;
      src += q * inStr[d]!;
    }
    idx[i] = src;
  }
  return idx;
}

/** The most negative float32: the pad value under which a max never picks a padded cell. */
export const FLOAT32_LOWEST = -3.4028234663852886e38;
