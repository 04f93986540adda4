/**
 * Tiny ONNX model builder for conversion tests (protobuf by hand through the reader tests' wire
 * helpers), so onnxruntime can run exactly the graphs the tests describe.
 */
import { f32, floatBytes, len, msg, node, rawTensor, str, valueInfo, vint, varint, tag, type Bytes } from '../../../formats/onnx/testdata/wire';

export type Attr = Bytes;
export const aInt = (name: string, v: number): Attr => len(5, msg(str(1, name), vint(20, 2), vint(3, v)));
export const aFloat = (name: string, v: number): Attr => len(5, msg(str(1, name), vint(20, 1), f32(2, v)));
export const aInts = (name: string, vs: number[]): Attr => len(5, msg(str(1, name), vint(20, 7), ...vs.map((v) => vint(8, v))));
export const aString = (name: string, v: string): Attr => len(5, msg(str(1, name), vint(20, 3), str(4, v)));

export interface OnnxGraphSpec {
  nodes: Array<{ op: string; inputs: string[]; outputs: string[]; name?: string; attrs?: Attr[]; domain?: string }>;
  inputs: Array<{ name: string; shape: Array<number | string>; elemType?: number }>;
  outputs: Array<{ name: string; shape?: Array<number | string> | null; /** ONNX elem type, float by default (7 = int64) */ elemType?: number }>;
  floats?: Record<string, { dims: number[]; values: number[] }>;
  int64s?: Record<string, { dims: number[]; values: number[] }>;
  uint8s?: Record<string, { dims: number[]; values: number[] }>;
  opset?: number;
}

export function buildOnnx(g: OnnxGraphSpec): Uint8Array {
  const fields: Bytes[] = [];
  g.nodes.forEach((n, i) => {
    fields.push(len(1, node(n.op, n.inputs, n.outputs, str(3, n.name ?? `${n.op}_${i}`), ...(n.attrs ?? []), ...(n.domain ? [str(7, n.domain)] : []))));
  });
  fields.push(str(2, 'test'));
  for (const [name, t] of Object.entries(g.floats ?? {})) fields.push(len(5, rawTensor(name, 1, t.dims, floatBytes(t.values))));
  for (const [name, t] of Object.entries(g.int64s ?? {})) {
    fields.push(len(5, rawTensor(name, 7, t.dims, [...new Uint8Array(BigInt64Array.from(t.values.map(BigInt)).buffer)])));
  }
  for (const [name, t] of Object.entries(g.uint8s ?? {})) fields.push(len(5, rawTensor(name, 2, t.dims, t.values)));
  for (const i of g.inputs) fields.push(len(11, valueInfo(i.name, i.elemType ?? 1, i.shape)));
  for (const o of g.outputs) fields.push(len(12, valueInfo(o.name, o.elemType ?? 1, o.shape ?? null)));
  const opsets = [len(8, msg(str(1, ''), vint(2, g.opset ?? 17)))];
  return new Uint8Array(msg(vint(1, 8), str(2, 'conversion-test'), len(7, msg(...fields)), ...opsets));
}

/** Deterministic values in [lo, hi). */
export function seeded(n: number, seed: number, lo = -1, hi = 1): number[] {
  let s = seed >>> 0;
  return Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return lo + ((s >>> 8) / (1 << 24)) * (hi - lo);
  });
}

export { tag, varint };

/** NCHW <-> NHWC copies of a [n, c, h, w] tensor's data (ONNX I/O vs the converted model's). */
export const toNhwc = (x: Float32Array, [n, c, h, w]: number[]): Float32Array => {
  const out = new Float32Array(x.length);
  for (let b = 0; b < n!; b++) for (let k = 0; k < c!; k++) for (let i = 0; i < h!; i++) for (let j = 0; j < w!; j++) {
    out[((b * h! + i) * w! + j) * c! + k] = x[((b * c! + k) * h! + i) * w! + j]!;
  }
  return out;
};
export const fromNhwc = (x: Float32Array, [n, c, h, w]: number[]): Float32Array => {
  const out = new Float32Array(x.length);
  for (let b = 0; b < n!; b++) for (let k = 0; k < c!; k++) for (let i = 0; i < h!; i++) for (let j = 0; j < w!; j++) {
    out[((b * c! + k) * h! + i) * w! + j] = x[((b * h! + i) * w! + j) * c! + k]!;
  }
  return out;
};
