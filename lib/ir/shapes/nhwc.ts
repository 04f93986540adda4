/** Helpers shared by the TFLite, TF and Keras tables (NHWC layout, TF padding, slicing, reduce and concat rules). */
import type { Dim } from '../types';
import type { OpOutput, RuleContext } from './types';
import { attrBool, ceilDiv, dtypeOf, fail, intsOf, isNum, normAxis, shapeOf, unifyDim, windowOut } from './util';

/** TF 'SAME' / 'VALID' (and TFLite's enum names) for one spatial dim. */
export function tfWindow(size: Dim, kernel: Dim, stride: number, dilation: number, padding: string): Dim {
  const p = padding.toUpperCase();
  if (p === 'SAME') return ceilDiv(size, stride);
  if (!isNum(kernel)) return null;
  if (p === 'VALID') return windowOut(size, kernel, stride, dilation, 0);
  return null;
}

/** NHWC 2-D window: [N, H, W, C] -> [N, oh, ow, channels]. */
export function nhwcWindow(x: Dim[] | null, kh: Dim, kw: Dim, sh: number, sw: number, dh: number, dw: number, padding: string, channels: Dim): Dim[] | null {
  if (!x) return null;
  if (x.length !== 4) fail(`expected an NHWC input of rank 4, got rank ${x.length}`);
  return [x[0]!, tfWindow(x[1]!, kh, sh, dh, padding), tfWindow(x[2]!, kw, sw, dw, padding), channels];
}

/** Pads given as an [rank, 2] constant (TF/TFLite Pad). */
export function padShape(x: Dim[] | null, pads: number[] | null): Dim[] | null {
  if (!x) return null;
  if (!pads) return x.map(() => null);
  return x.map((d, i) => (isNum(d) ? d + pads[2 * i]! + pads[2 * i + 1]! : null));
}

/**
 * TF StridedSlice with its masks. Returns the output shape (null dims where the input dim is
 * unknown), following tensorflow/core/util/strided_slice_op.cc.
 */
export function stridedSliceShape(
  x: Dim[] | null, begin: number[] | null, end: number[] | null, strides: number[] | null,
  masks: { begin: number; end: number; ellipsis: number; newAxis: number; shrink: number },
): Dim[] | null {
  if (!x || !begin || !end) return null;
  const n = begin.length;
  const st = strides ?? new Array<number>(n).fill(1);
  const out: Dim[] = [];
  let dim = 0;
  for (let i = 0; i < n; i++) {
    const bit = 1 << i;
    if (masks.ellipsis & bit) {
      // The ellipsis covers every input dim the remaining spec entries do not name.
      let rest = 0;
      for (let j = i + 1; j < n; j++) if (!(masks.newAxis & (1 << j))) rest++;
      const take = x.length - dim - rest;
      for (let k = 0; k < take; k++) out.push(x[dim++]!);
      continue;
    }
    if (masks.newAxis & bit) { out.push(1); continue; }
    if (dim >= x.length) fail(`slice spec names more dimensions than the input's ${x.length}`);
    const d = x[dim++]!;
    const s = st[i] ?? 1;
    if (s === 0) fail('stride 0');
    if (masks.shrink & bit) continue;
    if (!isNum(d)) { out.push(null); continue; }
    const clampLo = s > 0 ? 0 : -1, clampHi = s > 0 ? d : d - 1;
    const norm = (v: number) => Math.min(Math.max(v < 0 ? v + d : v, clampLo), clampHi);
    const b = masks.begin & bit ? (s > 0 ? 0 : d - 1) : norm(begin[i]!);
    const e = masks.end & bit ? (s > 0 ? d : -1) : norm(end[i]!);
    out.push(Math.max(0, Math.ceil((e - b) / s)));
  }
  while (dim < x.length) out.push(x[dim++]!);
  return out;
}

/** Pack (stack) along a new axis. */
export function packShape(c: RuleContext, axisAttr: string): OpOutput[] {
  const present = c.inputs.filter((x) => x);
  const s = present.find((x) => x!.shape)?.shape ?? null;
  const dtype = present[0]?.dtype ?? 'unknown';
  if (!s) return [{ dtype, shape: null }];
  const a = c.attrs[axisAttr];
  const axis = normAxis(a && a.kind === 'int' ? a.value : 0, s.length + 1);
  return [{ dtype, shape: [...s.slice(0, axis), present.length, ...s.slice(axis)] }];
}

/** Unpack (unstack) along an axis into `outputCount` tensors. */
export function unpackShape(c: RuleContext, axisAttr: string): OpOutput[] {
  const s = c.inputs[0]?.shape ?? null;
  const dtype = c.inputs[0]?.dtype ?? 'unknown';
  const a = c.attrs[axisAttr];
  const shape = s ? s.filter((_, i) => i !== normAxis(a && a.kind === 'int' ? a.value : 0, s.length)) : null;
  return Array.from({ length: Math.max(1, c.outputCount) }, () => ({ dtype, shape }));
}

/** TF / TFLite reductions: axes as input 1, `keep_dims` keeps them as 1s. */
export function reduceShape(c: RuleContext): OpOutput[] {
  const s = shapeOf(c, 0), axes = intsOf(c, 1);
  const keep = attrBool(c.attrs, 'keep_dims', false);
  const dtype = dtypeOf(c, 0);
  if (!s) return [{ dtype, shape: null }];
  if (!axes) return [{ dtype, shape: keep ? s.map(() => null) : null }];
  const set = new Set(axes.map((a) => normAxis(a, s.length)));
  const shape: Dim[] = [];
  s.forEach((d, i) => (set.has(i) ? keep && shape.push(1) : shape.push(d)));
  return [{ dtype, shape }];
}

/** Concatenation along `axis` (normalized): the other dims unified, the axis dims summed (null if one is unknown). */
export function concatDims(first: Dim[], shapes: (Dim[] | null | undefined)[], axis: number): Dim[] {
  const shape = first.slice();
  let sum: Dim = 0;
  for (const s of shapes) {
    if (!s) { sum = null; continue; }
    s.forEach((d, i) => i !== axis && (shape[i] = unifyDim(shape[i]!, d)));
    sum = isNum(sum) && isNum(s[axis]) ? sum + s[axis] : null;
  }
  shape[axis] = sum;
  return shape;
}
