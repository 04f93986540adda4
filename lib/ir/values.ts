import type { DType, Dim, Tensor } from './types';

/** Number of elements, or null when any dimension is unknown. Scalars (shape []) have 1. */
export function elementCount(shape: Dim[] | null): number | null {
  if (shape === null) return null;
  let n = 1;
  for (const d of shape) {
    if (typeof d !== 'number') return null;
    n *= d;
  }
  return n;
}

export function formatShape(shape: Dim[] | null): string {
  if (shape === null) return '?';
  return '[' + shape.map((d) => (d === null ? '?' : String(d))).join(', ') + ']';
}

export type NumericArray =
  | Float32Array | Float64Array | Int8Array | Uint8Array | Int16Array | Uint16Array
  | Int32Array | Uint32Array | BigInt64Array | BigUint64Array;

/** float16 bits -> float32 value. */
export function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * f * 2 ** -24;
  if (e === 31) return f ? NaN : s * Infinity;
  return s * (1 + f / 1024) * 2 ** (e - 15);
}

let HALF_TABLE: Float32Array | null = null;

/**
 * halfToFloat of every float16 bit pattern (all exact in float32): one lookup per value instead
 * of a power per value, for bulk decoding (a 4.6 MB float16 TF.js shard in a few ms, not 100+).
 */
export function halfTable(): Float32Array {
  if (!HALF_TABLE) {
    HALF_TABLE = new Float32Array(65536);
    for (let h = 0; h < 65536; h++) HALF_TABLE[h] = halfToFloat(h);
  }
  return HALF_TABLE;
}

/** Little-endian float16 bytes -> float32 values, through halfTable. */
export function halfBytesToFloats(raw: Uint8Array, out = new Float32Array(raw.length >> 1)): Float32Array {
  const t = halfTable();
  const n = out.length;
  for (let i = 0, j = 0; i < n; i++, j += 2) out[i] = t[raw[j]! | (raw[j + 1]! << 8)]!;
  return out;
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** float32 -> float16 bits, round to nearest even (the inverse of halfToFloat). */
export function floatToHalf(v: number): number {
  f32[0] = v;
  const x = u32[0]!;
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    const half = 1 << (shift - 1);
    let m = mant >>> shift;
    const rest = mant & ((1 << shift) - 1);
    if (rest > half || (rest === half && (m & 1))) m++;
    return sign | m;
  }
  const m = mant >>> 13;
  const rest = mant & 0x1fff;
  let out = sign | (e << 10) | m;
  if (rest > 0x1000 || (rest === 0x1000 && (m & 1))) out++;
  return out;
}

/** bfloat16 bits -> float32 value. */
export function bfloat16ToFloat(h: number): number {
  const buf = new DataView(new ArrayBuffer(4));
  buf.setUint32(0, h << 16);
  return buf.getFloat32(0);
}

function aligned(bytes: Uint8Array, size: number): boolean {
  return bytes.byteOffset % size === 0 && bytes.byteLength % size === 0;
}

/**
 * A typed array over a constant tensor's data: a view when alignment allows, a copy otherwise.
 * float16/bfloat16 come back as their raw Uint16 bits; use `tensorFloats` for values.
 * Returns null for tensors without data or with non-numeric dtypes.
 */
export function tensorValues(t: Tensor): NumericArray | null {
  const b = t.data;
  if (!b) return null;
  const make = <T>(size: number, ctor: new (buf: ArrayBufferLike, off: number, len: number) => T): T => {
    const src = aligned(b, size) ? b : Uint8Array.prototype.slice.call(b);
    return new ctor(src.buffer, src.byteOffset, Math.floor(src.byteLength / size));
  };
  switch (t.dtype) {
    case 'float32': return make(4, Float32Array);
    case 'float64': return make(8, Float64Array);
    case 'int32': return make(4, Int32Array);
    case 'uint32': return make(4, Uint32Array);
    case 'int16': return make(2, Int16Array);
    case 'uint16': case 'float16': case 'bfloat16': return make(2, Uint16Array);
    case 'int8': return make(1, Int8Array);
    case 'uint8': case 'bool': return b;
    case 'int64': return make(8, BigInt64Array);
    case 'uint64': return make(8, BigUint64Array);
    default: return null;
  }
}

/**
 * A constant's values as float64 numbers for statistics and display, dequantized when the
 * tensor carries per-tensor or per-axis quantization. Null when there is no numeric data.
 */
export function tensorFloats(t: Tensor): Float64Array | null {
  const v = tensorValues(t);
  if (!v) return null;
  const out = new Float64Array(v.length);
  if (t.dtype === 'float16') { const h = halfTable(); for (let i = 0; i < v.length; i++) out[i] = h[v[i] as number]!; }
  else if (t.dtype === 'bfloat16') for (let i = 0; i < v.length; i++) out[i] = bfloat16ToFloat(v[i] as number);
  else for (let i = 0; i < v.length; i++) out[i] = Number(v[i]);
  const q = t.quant;
  const isInt = /^u?int(4|8|16|32|64)$/.test(t.dtype);
  if (q && isInt && q.scale.length > 0) {
    if (q.scale.length === 1) {
      const s = q.scale[0]!, z = q.zeroPoint[0] ?? 0;
      for (let i = 0; i < out.length; i++) out[i] = s * (out[i]! - z);
    } else if (t.shape && q.axis !== undefined) {
      const dims = t.shape.map((d) => (typeof d === 'number' ? d : 1));
      const inner = dims.slice(q.axis + 1).reduce((a, b) => a * b, 1);
      const channels = dims[q.axis] ?? 1;
      for (let i = 0; i < out.length; i++) {
        const c = Math.floor(i / inner) % channels;
        out[i] = (q.scale[c] ?? 1) * (out[i]! - (q.zeroPoint[c] ?? 0));
      }
    }
  }
  return out;
}
