/** Small HostTensor helpers shared by runtimes, tests and the CLI: allocation, seeded random inputs, comparison. */
import type { DType } from '../ir/types';
import type { HostTensor } from './types';

export type HostData = HostTensor['data'];

/** A zeroed typed array of `n` elements in the array type HostTensor uses for `dtype`. */
export function allocHostData(dtype: DType, n: number): HostData {
  switch (dtype) {
    case 'float32': return new Float32Array(n);
    case 'float64': return new Float64Array(n);
    case 'int32': case 'uint32': return new Int32Array(n);
    case 'int16': return new Int16Array(n);
    case 'uint16': case 'float16': case 'bfloat16': return new Uint16Array(n);
    case 'int8': return new Int8Array(n);
    case 'uint8': case 'bool': return new Uint8Array(n);
    case 'int64': case 'uint64': return new BigInt64Array(n);
    default: throw new Error(`no host array type for dtype ${dtype}`);
  }
}

/** mulberry32: a tiny, fast PRNG; the same seed gives the same stream on every platform. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface RandomOptions {
  seed?: number;
  /** Float range, default [-1, 1). Integers cover their type's range (int32/int64: [0, 100)). */
  min?: number;
  max?: number;
}

/** A seeded random tensor for an input description (unknown dims become 1). */
export function randomHostTensor(spec: { name: string; dtype: DType; shape: Array<number | null> }, options: RandomOptions = {}): HostTensor {
  const shape = spec.shape.map((d) => (d === null || d < 0 ? 1 : d));
  const n = shape.reduce((a, b) => a * b, 1);
  const rnd = seededRandom(options.seed ?? 1);
  const data = allocHostData(spec.dtype, n);
  const lo = options.min ?? -1;
  const hi = options.max ?? 1;
  for (let i = 0; i < n; i++) {
    const r = rnd();
    if (data instanceof Float32Array || data instanceof Float64Array) data[i] = lo + (hi - lo) * r;
    else if (data instanceof BigInt64Array) data[i] = BigInt(Math.floor(r * 100));
    else if (spec.dtype === 'bool') data[i] = r < 0.5 ? 0 : 1;
    else if (data instanceof Int8Array) data[i] = Math.floor(r * 256) - 128;
    else if (data instanceof Uint8Array) data[i] = Math.floor(r * 256);
    else if (data instanceof Int16Array) data[i] = Math.floor(r * 65536) - 32768;
    else if (data instanceof Uint16Array) data[i] = Math.floor(r * 65536);
    else data[i] = Math.floor(r * 100);
  }
  return { name: spec.name, dtype: spec.dtype, shape, data };
}

/** True when both tensors have the same dtype, shape and bytes (NaNs with the same bits are equal). */
export function sameBits(a: HostTensor, b: HostTensor): boolean {
  if (a.dtype !== b.dtype || a.shape.length !== b.shape.length || a.shape.some((d, i) => d !== b.shape[i])) return false;
  const x = new Uint8Array(a.data.buffer, a.data.byteOffset, a.data.byteLength);
  const y = new Uint8Array(b.data.buffer, b.data.byteOffset, b.data.byteLength);
  if (x.length !== y.length) return false;
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}

/** Largest |a - b| over the elements (Infinity when shapes differ or a NaN appears in one only). */
export function maxAbsDiff(a: HostTensor, b: HostTensor): number {
  if (a.data.length !== b.data.length) return Infinity;
  let m = 0;
  for (let i = 0; i < a.data.length; i++) {
    const x = Number(a.data[i]);
    const y = Number(b.data[i]);
    if (Number.isNaN(x) || Number.isNaN(y)) {
      if (Number.isNaN(x) !== Number.isNaN(y)) return Infinity;
      continue;
    }
    m = Math.max(m, Math.abs(x - y));
  }
  return m;
}
