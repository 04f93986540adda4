/**
 * Shared pieces of the tfjs IR executor: the op signature, attribute readers and the
 * conversions between IR tensors / host tensors and tfjs tensors.
 *
 * tfjs knows only float32, int32, bool (and string/complex64), so every integer type becomes
 * int32 (int64 values are clamped to the int32 range: a documented limitation) and every float
 * type becomes float32.
 */
import * as tf from '@tensorflow/tfjs';
import type { AttrValue, DType, Graph, Model, Node, Tensor } from '../../ir/types';
import { bfloat16ToFloat, floatToHalf, halfToFloat, tensorFloats, tensorValues } from '../../ir/values';
import type { HostTensor } from '../types';

export interface OpContext {
  model: Model;
  /** ONNX default-domain opset (0 elsewhere): ops whose semantics changed between opsets read it. */
  opset: number;
  /** The IR graph the node belongs to (for tensor metadata such as quantization or static shapes). */
  graph: Graph;
  /** Runs a nested graph (ONNX If branch, TFLite IF subgraph) with the given feeds. */
  runGraph(graph: Graph, feeds: tf.Tensor[]): tf.Tensor[];
  /**
   * `make(t)` computed once per session when `t` is a constant (a weight layout change, say),
   * every run otherwise. The memoised tensor lives until the session is disposed.
   */
  memo(t: tf.Tensor, key: string, make: (t: tf.Tensor) => tf.Tensor): tf.Tensor;
}

/** One op: tensors in (undefined for an omitted optional input), tensors out. */
export type OpFn = (
  inputs: Array<tf.Tensor | undefined>,
  attrs: Record<string, AttrValue>,
  node: Node,
  ctx: OpContext,
) => tf.Tensor[];

/** Op table keyed by the op name without its dialect prefix (`Conv`, `CONV_2D`, `Conv2D`). */
export type OpTable = Record<string, OpFn>;

export class UnsupportedOpError extends Error {
  constructor(readonly op: string, readonly nodeName: string, detail = '') {
    super(`tfjs executor: ${op} (node "${nodeName}") is not supported${detail ? `: ${detail}` : ''}`);
    this.name = 'UnsupportedOpError';
  }
}

export function fail(node: Node, detail: string): never {
  throw new UnsupportedOpError(node.op, node.name, detail);
}

/** The i-th input, which the op requires. */
export function req(inputs: Array<tf.Tensor | undefined>, i: number, node: Node): tf.Tensor {
  const t = inputs[i];
  if (!t) fail(node, `input ${i} is missing`);
  return t;
}

/** An op of one required input. */
export const unary = (f: (x: tf.Tensor) => tf.Tensor): OpFn => (ins, _a, n) => [f(req(ins, 0, n))];
/** An op of two required inputs. */
export const binary = (f: (a: tf.Tensor, b: tf.Tensor) => tf.Tensor): OpFn => (ins, _a, n) => [f(req(ins, 0, n), req(ins, 1, n))];
/** ONNX Where, TF Select(V2), TFLite SELECT(_V2): condition ? x : y. */
export const select: OpFn = (ins, _a, n) => [tf.where(req(ins, 0, n), req(ins, 1, n), req(ins, 2, n))];
/** PReLU with the slope as input 1: x < 0 ? x * slope : x. */
export const prelu: OpFn = (ins, _a, n) => {
  const x = req(ins, 0, n);
  return [tf.where(tf.less(x, 0), tf.mul(x, req(ins, 1, n)), x)];
};

export function attrInt(attrs: Record<string, AttrValue>, name: string, dflt: number): number {
  const a = attrs[name];
  return a && (a.kind === 'int' || a.kind === 'float') ? a.value : a && a.kind === 'bool' ? Number(a.value) : dflt;
}

export function attrFloat(attrs: Record<string, AttrValue>, name: string, dflt: number): number {
  return attrInt(attrs, name, dflt);
}

export function attrInts(attrs: Record<string, AttrValue>, name: string): number[] | undefined {
  const a = attrs[name];
  if (!a) return undefined;
  if (a.kind === 'ints' || a.kind === 'floats') return a.value;
  if (a.kind === 'int') return [a.value];
  return undefined;
}

export function attrFloats(attrs: Record<string, AttrValue>, name: string): number[] | undefined {
  return attrInts(attrs, name);
}

export function attrString(attrs: Record<string, AttrValue>, name: string, dflt: string): string {
  const a = attrs[name];
  return a && a.kind === 'string' ? a.value : dflt;
}

export function attrStrings(attrs: Record<string, AttrValue>, name: string): string[] {
  const a = attrs[name];
  return a && a.kind === 'strings' ? a.value : [];
}

export function attrBool(attrs: Record<string, AttrValue>, name: string, dflt: boolean): boolean {
  const a = attrs[name];
  if (!a) return dflt;
  if (a.kind === 'bool') return a.value;
  if (a.kind === 'int') return a.value !== 0;
  return dflt;
}

/** Values of a small tensor that carries shapes, axes or indices (synchronous read-back). */
export function ints(t: tf.Tensor): number[] {
  return Array.from(t.dataSync() as ArrayLike<number>, (v) => Number(v));
}

export function floats(t: tf.Tensor): number[] {
  return Array.from(t.dataSync() as ArrayLike<number>, (v) => Number(v));
}

/** Largest tensor a shape read from data may ask for (2^27 elements = 512 MB of float32). */
export const MAX_ELEMENTS = 2 ** 27;

/** Refuses shapes computed from tensor values that are negative, fractional or absurdly large. */
export function checkShape(shape: number[], node: Node, what = 'output'): number[] {
  let n = 1;
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) fail(node, `${what} shape [${shape.join(', ')}] has an invalid dimension`);
    n *= d;
  }
  if (n > MAX_ELEMENTS) fail(node, `${what} shape [${shape.join(', ')}] has ${n} elements, over the ${MAX_ELEMENTS} limit`);
  return shape;
}

export function normAxis(axis: number, rank: number): number {
  return axis < 0 ? axis + rank : axis;
}

/** The tfjs dtype an IR dtype is computed in. */
export function tfDtype(d: DType): 'float32' | 'int32' | 'bool' {
  if (d === 'bool') return 'bool';
  if (/^u?int(4|8|16|32|64)$/.test(d)) return 'int32';
  return 'float32';
}

const I32_MIN = -2147483648;
const I32_MAX = 2147483647;

function clampI32(v: number | bigint): number {
  const n = Number(v);
  return n > I32_MAX ? I32_MAX : n < I32_MIN ? I32_MIN : n;
}

/**
 * A constant IR tensor as a tfjs tensor. Quantized integer constants come back dequantized
 * (float32) when `dequantize` is set: the TFLite path computes on real values.
 */
export function constantToTf(t: Tensor, dequantize: boolean): tf.Tensor | null {
  if (!t.shape || t.shape.some((d) => typeof d !== 'number')) return null;
  const shape = t.shape as number[];
  const dt = tfDtype(t.dtype);
  // Zero-element constants (a TFLite RESHAPE to a scalar has an empty shape tensor) have no bytes.
  if (shape.includes(0)) return tf.zeros(shape, dt);
  if (!t.data) return null;
  if (dequantize && t.quant && dt === 'int32') {
    const f = tensorFloats(t);
    return f ? tf.tensor(Float32Array.from(f), shape, 'float32') : null;
  }
  const v = tensorValues(t);
  if (!v) return null;
  if (dt === 'float32') {
    if (t.dtype === 'float32') return tf.tensor(v as Float32Array, shape, 'float32');
    const f = tensorFloats(t);
    return f ? tf.tensor(Float32Array.from(f), shape, 'float32') : null;
  }
  if (dt === 'bool') return tf.tensor(Uint8Array.from(v as Uint8Array, (x) => (x ? 1 : 0)), shape, 'bool');
  const out = new Int32Array(v.length);
  for (let i = 0; i < v.length; i++) out[i] = clampI32(v[i] as number | bigint);
  return tf.tensor(out, shape, 'int32');
}

/** Rounds float32 values to what float16 can hold (ONNX Cast to FLOAT16). */
export function roundToHalf(t: tf.Tensor): tf.Tensor {
  const v = t.dataSync() as Float32Array;
  return tf.tensor(Float32Array.from(v, (x) => halfToFloat(floatToHalf(x))), t.shape, 'float32');
}

/** A host tensor as a tfjs tensor (int64 clamped to int32, float16 bits decoded). */
export function hostToTf(h: HostTensor): tf.Tensor {
  const dt = tfDtype(h.dtype);
  const d = h.data;
  if ((h.dtype === 'float16' || h.dtype === 'bfloat16') && d instanceof Uint16Array) {
    const dec = h.dtype === 'float16' ? halfToFloat : bfloat16ToFloat;
    return tf.tensor(Float32Array.from(d, dec), h.shape, 'float32');
  }
  if (dt === 'float32') return tf.tensor(d instanceof Float32Array ? d : Float32Array.from(d as ArrayLike<number>), h.shape, 'float32');
  if (dt === 'bool') return tf.tensor(Uint8Array.from(d as ArrayLike<number>, (x) => (x ? 1 : 0)), h.shape, 'bool');
  const out = new Int32Array(d.length);
  for (let i = 0; i < d.length; i++) out[i] = clampI32(d[i] as number | bigint);
  return tf.tensor(out, h.shape, 'int32');
}

/**
 * A tfjs tensor read back into a host tensor of the IR dtype the graph declares. `raw` is its
 * values if the caller already read them; `owned` says that array is a private copy (wasm,
 * webgl and webgpu reads are) and may be handed out as is. The cpu backend's read is the
 * tensor's backing store, shared with inputs and weights, so it is always copied.
 */
export function tfToHost(name: string, t: tf.Tensor, dtype: DType, raw?: ArrayLike<number>, owned = false): HostTensor {
  const values = (raw ?? t.dataSync()) as Float32Array | Int32Array | Uint8Array;
  const shape = t.shape.slice();
  const same = (ctor: Function) => owned && values.constructor === ctor;
  switch (dtype) {
    case 'int64': {
      const out = new BigInt64Array(values.length);
      for (let i = 0; i < values.length; i++) out[i] = BigInt(Math.trunc(values[i]!));
      return { name, dtype, shape, data: out };
    }
    case 'int32': return { name, dtype, shape, data: same(Int32Array) ? values as Int32Array : Int32Array.from(values) };
    case 'int8': return { name, dtype, shape, data: Int8Array.from(values) };
    case 'uint8': case 'bool': return { name, dtype, shape, data: same(Uint8Array) ? values as Uint8Array : Uint8Array.from(values) };
    case 'int16': return { name, dtype, shape, data: Int16Array.from(values) };
    case 'uint16': return { name, dtype, shape, data: Uint16Array.from(values) };
    case 'float64': return { name, dtype, shape, data: Float64Array.from(values) };
    case 'float16': return { name, dtype, shape, data: Uint16Array.from(values, floatToHalf) };
    default:
      if (same(Float32Array)) return { name, dtype: 'float32', shape, data: values as Float32Array };
      return { name, dtype: 'float32', shape, data: values instanceof Float32Array ? values.slice() : Float32Array.from(values) };
  }
}

/** Per-axis values (scale, zero point) shaped to broadcast along `axis` of a rank-`rank` tensor. */
export function alongAxis(values: number[], axis: number, rank: number): tf.Tensor {
  const shape = new Array<number>(rank).fill(1);
  shape[axis] = values.length;
  return tf.tensor(values, shape, 'float32');
}

/**
 * TF / TFLite StridedSlice. Indices are normalised here (negative values, masks, clamping as
 * TF does) because tf.stridedSlice mis-sizes some negative-end + shrink-axis combinations;
 * ellipsis and new-axis masks are left to tfjs.
 */
export function stridedSlice(x: tf.Tensor, begin: number[], end: number[], strides: number[] | undefined,
  beginMask: number, endMask: number, ellipsisMask: number, newAxisMask: number, shrinkMask: number): tf.Tensor {
  if (ellipsisMask !== 0 || newAxisMask !== 0) {
    return tf.stridedSlice(x, begin, end, strides, beginMask, endMask, ellipsisMask, newAxisMask, shrinkMask);
  }
  const b: number[] = [], e: number[] = [], st: number[] = [];
  let outMask = 0;
  const shrink: number[] = [];
  for (let i = 0; i < x.rank; i++) {
    const dim = x.shape[i]!;
    const s = i < begin.length ? (strides?.[i] ?? 1) : 1;
    if (s === 0) throw new Error('StridedSlice: stride 0');
    const has = i < begin.length;
    const norm = (v: number) => (v < 0 ? v + dim : v);
    if (has && shrinkMask & (1 << i)) {
      const at = norm(begin[i]!);
      b.push(at); e.push(at + 1); st.push(1); shrink.push(i);
      continue;
    }
    let lo = !has || beginMask & (1 << i) ? (s > 0 ? 0 : dim - 1) : norm(begin[i]!);
    let hi = !has || endMask & (1 << i) ? (s > 0 ? dim : -1) : norm(end[i]!);
    if (s > 0) { lo = Math.min(Math.max(lo, 0), dim); hi = Math.min(Math.max(hi, 0), dim); }
    else { lo = Math.min(Math.max(lo, -1), dim - 1); hi = Math.min(Math.max(hi, -1), dim - 1); }
    if (s < 0 && hi === -1) outMask |= 1 << i; // "through index 0": only expressible as a mask
    b.push(lo); e.push(hi); st.push(s);
  }
  const y = tf.stridedSlice(x, b, e, st, 0, outMask);
  return shrink.length ? y.squeeze(shrink) : y;
}
