/** IR Tensor -> TensorProto / SparseTensorProto for the ONNX writer, and the writer's error type. */
import type { DType, Dim, Tensor } from '../../ir/types';
import { formatShape } from '../../ir/values';
import { elementBytes, onnxDType } from './dtypes';
import type { Sink } from './encode';

/** An IR the writer cannot express; the message names where, outermost first. */
export class OnnxWriteError extends Error {
  private readonly path: string[] = [];

  constructor(private readonly reason: string) {
    super(reason);
    this.name = 'OnnxWriteError';
  }

  /** Prefixes the element the error passed through on its way out (called innermost first). */
  static within(e: unknown, where: string): unknown {
    if (e instanceof OnnxWriteError) {
      e.path.unshift(where);
      e.message = `${e.path.join(' > ')}: ${e.reason}`;
    }
    return e;
  }
}

export function fail(reason: string): never {
  throw new OnnxWriteError(reason);
}

/** IR dtype -> TensorProto.DataType: the inverse of dtypes.ts for every dtype ONNX has. */
const CODES = new Map<DType, number>();
for (let code = 1; onnxDType(code) !== null; code++) {
  const d = onnxDType(code)!;
  if (d !== 'unknown') CODES.set(d, code);
}

const STRING = 8;
const INT2 = 26;
const UINT2 = 25;

export function dtypeCode(dtype: DType): number {
  return CODES.get(dtype) ?? fail(`dtype ${dtype} has no ONNX data type`);
}

/** True for dtypes a type text may spell: every ONNX dtype, and 'unknown' (elem_type left out). */
export function isOnnxDType(d: string): d is DType {
  return d === 'unknown' || CODES.has(d as DType);
}

/** A shape dimension checked for writing: a non-negative integer, a name, or null. */
export function checkDim(d: Dim, shape: Dim[]): Dim {
  if (typeof d === 'number' && !(Number.isSafeInteger(d) && d >= 0)) {
    fail(`shape ${formatShape(shape)} has dimension ${d}; dims are integers >= 0, unknown ones null`);
  }
  return d;
}

/** An integer to write as int64 (values beyond int64 saturate, as their double already rounded). */
export function checkInt(v: number, what: string): number {
  if (!Number.isInteger(v)) fail(`${what} ${v} is not an integer`);
  return v;
}

function constantDims(t: Tensor): number[] {
  const s = t.shape;
  if (s === null || s.some((d) => typeof d !== 'number')) fail(`a constant needs a known shape, this one has ${formatShape(s)}`);
  for (const d of s) checkDim(d, s);
  return s as number[];
}

/** Bytes of `count` elements in the IR's dense layout (raw_data's layout too). */
function denseBytes(code: number, count: number): number {
  const size = code === INT2 || code === UINT2 ? 0.25 : elementBytes(code);
  return Math.ceil(count * size);
}

/** TensorProto fields of a constant: dims, data_type, name, values (raw_data or string_data), doc. */
export function encodeTensor(s: Sink, t: Tensor): void {
  try {
    const dims = constantDims(t);
    const code = CODES.get(t.dtype) ?? fail(`dtype ${t.dtype} cannot be stored in an ONNX tensor`);
    if (t.quant) fail('has TFLite-style quantization parameters, which ONNX tensors cannot carry (use QuantizeLinear / DequantizeLinear)');
    if (t.sparsity) fail('has TFLite sparsity parameters, which ONNX tensors cannot carry');
    const data = t.data ?? fail(`has no data${t.doc ? ` (${t.doc.replace(/\n/g, '; ')})` : ''}; ONNX initializers carry their values`);
    let count = 1;
    for (const d of dims) count *= d;
    if (code !== STRING && data.length !== denseBytes(code, count)) {
      fail(`has ${data.length} bytes of data but ${t.dtype} ${formatShape(dims)} needs ${denseBytes(code, count)}`);
    }
    s.ints(1, dims);
    s.int(2, code);
    if (code === STRING) encodeStrings(s, data, count);
    if (t.name) s.string(8, t.name);
    if (code !== STRING) s.bytes(9, data);
    if (t.doc) s.string(12, t.doc);
  } catch (e) {
    throw OnnxWriteError.within(e, `tensor '${t.name}'`);
  }
}

/** The IR's string layout (int32 count, count + 1 int32 offsets, bytes) as repeated string_data. */
function encodeStrings(s: Sink, data: Uint8Array, count: number): void {
  // Readers give a string tensor without elements no header at all.
  if (data.length === 0 && count === 0) return;
  const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const n = data.length >= 4 ? dv.getInt32(0, true) : -1;
  if (n !== count) fail(`string data holds ${n < 0 ? 'no count' : `${n} strings`} but the shape needs ${count}`);
  const head = 4 * (n + 2);
  if (data.length < head) fail(`string data of ${data.length} bytes is too short for ${n} offsets`);
  let start = dv.getInt32(4, true);
  for (let i = 0; i < n; i++) {
    const end = dv.getInt32(4 * (i + 2), true);
    if (start < head || end < start || end > data.length) fail(`string ${i} spans bytes [${start}, ${end}) of ${data.length}`);
    s.bytes(6, data.subarray(start, end));
    start = end;
  }
}

/** SparseTensorProto from the reader's `{ dims, values, indices }` (attribute kind 'json'). */
export function encodeSparse(s: Sink, v: unknown): void {
  const o = v as { dims?: unknown; values?: unknown; indices?: unknown } | null;
  if (typeof o !== 'object' || o === null || !Array.isArray(o.dims)) fail('a sparse tensor needs { dims, values, indices }');
  for (const [field, t] of [[1, o.values], [2, o.indices]] as const) {
    if (t === null || t === undefined) continue;
    s.begin(field);
    encodeTensor(s, t as Tensor);
    s.end();
  }
  s.ints(3, (o.dims as number[]).map((d) => checkInt(d, 'sparse dimension')));
}
