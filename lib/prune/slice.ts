/** Slicing constants along one axis, with their per-axis quantization kept in step. */
import type { DType, Dim, Quantization, Tensor } from '../ir/types';
import { staticShape } from './util';

const BYTES: Partial<Record<DType, number>> = {
  float16: 2, bfloat16: 2, float32: 4, float64: 8, int8: 1, uint8: 1, int16: 2, uint16: 2, int32: 4, uint32: 4, int64: 8, uint64: 8,
};

/** The shape with `axis` set to `count`; unknown shapes stay unknown. */
export function resized(shape: Dim[] | null, axis: number, count: number): Dim[] | null {
  if (!shape || axis >= shape.length) return shape;
  const out = shape.slice();
  out[axis] = count;
  return out;
}

function sliceQuant(q: Quantization | undefined, axis: number, len: number, keep: number[]): Quantization | undefined {
  if (!q || q.axis !== axis || q.scale.length !== len) return q;
  const pick = (v: number[] | undefined) => v && v.length === len ? keep.map((k) => v[k]!) : v;
  return { ...q, scale: pick(q.scale)!, zeroPoint: pick(q.zeroPoint) ?? [], ...(q.min ? { min: pick(q.min)! } : {}), ...(q.max ? { max: pick(q.max)! } : {}) };
}

/** A new constant holding only the `keep` indices (ascending) of `axis`. */
export function sliceAxis(t: Tensor, axis: number, keep: number[]): Tensor {
  const shape = staticShape(t);
  const size = BYTES[t.dtype];
  if (!shape || !size || !t.data) throw new Error(`${t.name}: cannot slice a ${t.dtype} constant of shape ${JSON.stringify(t.shape)}`);
  const len = shape[axis]!;
  const outer = shape.slice(0, axis).reduce((a, b) => a * b, 1);
  const inner = shape.slice(axis + 1).reduce((a, b) => a * b, 1) * size;
  const data = new Uint8Array(outer * keep.length * inner);
  for (let o = 0; o < outer; o++) {
    keep.forEach((k, j) => data.set(t.data!.subarray((o * len + k) * inner, (o * len + k + 1) * inner), (o * keep.length + j) * inner));
  }
  const quant = sliceQuant(t.quant, axis, len, keep);
  return { ...t, shape: resized(shape, axis, keep.length), data, ...(quant ? { quant } : {}) };
}
