/**
 * Layout: the converter may turn NCHW boundaries into NHWC. Found by comparing shapes, not by
 * asking the converter, so a wrong guess in the converter shows up as a mismatch in the checks
 * that use it (CLI --verify, calibration data in the source model's layout).
 */
import type { Dim } from '../ir/types';
import { allocHostData } from '../runtime/host-tensor';
import type { HostTensor } from '../runtime/types';

/** perm with converted[i] = original[perm[i]], preferring identity, then channels-last, then channels-first. */
export function findPerm(original: Dim[], converted: number[]): number[] | null {
  const r = converted.length;
  if (original.length !== r) return null;
  const fits = (p: number[]) => p.every((k, i) => { const d = original[k]; return typeof d !== 'number' || d === converted[i]; });
  const identity = [...Array(r).keys()];
  const channelsLast = r >= 3 ? [0, ...identity.slice(2), 1] : null;
  const channelsFirst = r >= 3 ? [0, r - 1, ...identity.slice(1, r - 1)] : null;
  const exactly = (p: number[]) => p.every((k, i) => original[k] === converted[i]);
  // An exact match of all dims wins over one that only fits through symbolic dims.
  for (const p of [identity, channelsLast, channelsFirst]) if (p && exactly(p)) return p;
  for (const p of [identity, channelsLast, channelsFirst]) if (p && fits(p)) return p;
  return null;
}

/** out[i...] = x[perm-indexed]: out.shape[i] = x.shape[perm[i]]. */
export function transpose(x: HostTensor, perm: number[]): HostTensor {
  if (perm.every((k, i) => k === i)) return x;
  const shape = perm.map((k) => x.shape[k]!);
  const r = shape.length;
  const inStrides = new Array<number>(r).fill(1);
  for (let i = r - 2; i >= 0; i--) inStrides[i] = inStrides[i + 1]! * x.shape[i + 1]!;
  const strides = perm.map((k) => inStrides[k]!);
  const data = allocHostData(x.dtype, x.data.length);
  const idx = new Array<number>(r).fill(0);
  for (let o = 0; o < data.length; o++) {
    let src = 0;
    for (let i = 0; i < r; i++) src += idx[i]! * strides[i]!;
    (data as Float32Array)[o] = (x.data as Float32Array)[src]!;
    for (let i = r - 1; i >= 0; i--) { if (++idx[i]! < shape[i]!) break; idx[i] = 0; }
  }
  return { ...x, shape, data };
}
