/**
 * TensorFlow's AttrValue / TensorProto / TensorShapeProto in their proto3 JSON form (what a
 * TF.js graph model's modelTopology holds) mapped to IR values.
 */
import type { AttrValue, DType, Dim, Tensor } from '../../ir/types';
import { base64ToBytes, isObject, toFloat, toInt, type JsonObject } from './json';

/** TF DataType enum names and numbers (types.proto) -> IR dtype. */
const TF_DTYPES: Array<[string, number, DType]> = [
  ['DT_FLOAT', 1, 'float32'], ['DT_DOUBLE', 2, 'float64'], ['DT_INT32', 3, 'int32'], ['DT_UINT8', 4, 'uint8'],
  ['DT_INT16', 5, 'int16'], ['DT_INT8', 6, 'int8'], ['DT_STRING', 7, 'string'], ['DT_COMPLEX64', 8, 'complex64'],
  ['DT_INT64', 9, 'int64'], ['DT_BOOL', 10, 'bool'], ['DT_QINT8', 11, 'int8'], ['DT_QUINT8', 12, 'uint8'],
  ['DT_QINT32', 13, 'int32'], ['DT_BFLOAT16', 14, 'bfloat16'], ['DT_QINT16', 15, 'int16'], ['DT_QUINT16', 16, 'uint16'],
  ['DT_UINT16', 17, 'uint16'], ['DT_COMPLEX128', 18, 'complex128'], ['DT_HALF', 19, 'float16'],
  ['DT_RESOURCE', 20, 'resource'], ['DT_VARIANT', 21, 'variant'], ['DT_UINT32', 22, 'uint32'], ['DT_UINT64', 23, 'uint64'],
  ['DT_FLOAT8_E5M2', 24, 'float8e5m2'], ['DT_FLOAT8_E4M3FN', 25, 'float8e4m3fn'], ['DT_INT4', 29, 'int4'], ['DT_UINT4', 30, 'uint4'],
];
const BY_NAME = new Map(TF_DTYPES.map(([n, , d]) => [n, d]));
const BY_NUM = new Map(TF_DTYPES.map(([, k, d]) => [k, d]));

export function tfDType(v: unknown): DType {
  if (typeof v === 'string') {
    // Reference types (DT_FLOAT_REF) behave as their base type for display.
    return BY_NAME.get(v.replace(/_REF$/, '')) ?? 'unknown';
  }
  if (typeof v === 'number') return BY_NUM.get(v > 100 ? v - 100 : v) ?? 'unknown';
  return 'unknown';
}

/** TensorShapeProto JSON -> dims; null for unknownRank. Size -1 is an unknown dim. */
export function tfShape(v: unknown): Dim[] | null {
  if (!isObject(v) || v.unknownRank === true) return null;
  if (!Array.isArray(v.dim)) return [];
  return v.dim.map((d) => {
    const n = isObject(d) ? toInt(d.size ?? 0) : undefined;
    return n === undefined || n < 0 ? null : n;
  });
}

const MAX_INLINE_ELEMENTS = 1 << 24;

function utf8(bytes: Uint8Array): string | null {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return null;
  }
}

/** TF.js layout for string tensors: per element a little-endian uint32 length, then the bytes. */
function packStrings(items: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(items.reduce((a, b) => a + 4 + b.length, 0));
  const view = new DataView(out.buffer);
  let off = 0;
  for (const b of items) { view.setUint32(off, b.length, true); out.set(b, off + 4); off += 4 + b.length; }
  return out;
}

/**
 * A TensorProto held inline in an attribute (TF.js moves Const values into the weight files,
 * but small attribute tensors and hand-written graphs still carry values here).
 */
export function tfTensor(v: unknown, name: string): Tensor {
  const o: JsonObject = isObject(v) ? v : {};
  const dtype = tfDType(o.dtype);
  const shape = tfShape(o.tensorShape);
  const t: Tensor = { name, dtype, shape, isConstant: true };
  const count = shape ? shape.reduce<number>((a, d) => a * (typeof d === 'number' ? d : 0), 1) : 0;
  if (typeof o.tensorContent === 'string') {
    const b = base64ToBytes(o.tensorContent);
    if (b) t.data = b;
    return t;
  }
  if (count > MAX_INLINE_ELEMENTS) return t;
  // TF repeats the last listed value to fill the shape (a splat); honour that.
  const fill = <T>(vals: T[]): T[] => {
    if (vals.length === 0 || vals.length >= count) return vals;
    return [...vals, ...new Array<T>(count - vals.length).fill(vals[vals.length - 1]!)];
  };
  const nums = (key: string, conv: (x: unknown) => number | undefined) =>
    Array.isArray(o[key]) ? fill((o[key] as unknown[]).map((x) => conv(x) ?? 0)) : null;
  let data: ArrayBufferView | null = null;
  switch (dtype) {
    case 'float32': { const a = nums('floatVal', toFloat); if (a) data = Float32Array.from(a); break; }
    case 'float64': { const a = nums('doubleVal', toFloat); if (a) data = Float64Array.from(a); break; }
    case 'int32': { const a = nums('intVal', toInt); if (a) data = Int32Array.from(a); break; }
    case 'int16': { const a = nums('intVal', toInt); if (a) data = Int16Array.from(a); break; }
    case 'int8': { const a = nums('intVal', toInt); if (a) data = Int8Array.from(a); break; }
    case 'uint8': { const a = nums('intVal', toInt); if (a) data = Uint8Array.from(a); break; }
    case 'bool': {
      const a = Array.isArray(o.boolVal) ? fill(o.boolVal.map((x) => (x === true ? 1 : 0))) : null;
      if (a) data = Uint8Array.from(a);
      break;
    }
    case 'int64': {
      const a = Array.isArray(o.int64Val) ? fill(o.int64Val.map((x) => (typeof x === 'string' || typeof x === 'number' ? x : 0))) : null;
      if (a) { try { data = BigInt64Array.from(a.map((x) => BigInt(x))); } catch { data = null; } }
      break;
    }
    case 'string': {
      const a = Array.isArray(o.stringVal) ? o.stringVal.map((x) => (typeof x === 'string' ? base64ToBytes(x) : null) ?? new Uint8Array(0)) : null;
      if (a) data = packStrings(a);
      break;
    }
    default: break;
  }
  if (data) t.data = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return t;
}

/** Maps a function name (AttrValue.func) to a Model.graphs index, when the library has it. */
export type FuncIndex = Map<string, number>;

function funcAttr(v: unknown, funcs: FuncIndex): AttrValue {
  const name = isObject(v) && typeof v.name === 'string' ? v.name : undefined;
  const idx = name === undefined ? undefined : funcs.get(name);
  const hasAttrs = isObject(v) && isObject(v.attr) && Object.keys(v.attr).length > 0;
  if (idx !== undefined && !hasAttrs) return { kind: 'subgraph', value: idx };
  return { kind: 'json', value: { func: v, graphIndex: idx } };
}

/** One AttrValue (proto3 JSON: exactly one of i, f, b, s, type, shape, tensor, list, func, placeholder). */
export function tfAttr(v: unknown, name: string, funcs: FuncIndex): AttrValue {
  if (!isObject(v)) return { kind: 'json', value: v };
  if ('i' in v) { const n = toInt(v.i); if (n !== undefined) return { kind: 'int', value: n }; }
  if ('f' in v) { const f = toFloat(v.f); if (f !== undefined) return { kind: 'float', value: f }; }
  if ('b' in v && typeof v.b === 'boolean') return { kind: 'bool', value: v.b };
  if ('s' in v && typeof v.s === 'string') {
    const bytes = base64ToBytes(v.s);
    if (!bytes) return { kind: 'string', value: v.s };
    const text = utf8(bytes);
    return text === null ? { kind: 'bytes', value: bytes } : { kind: 'string', value: text };
  }
  if ('type' in v) return { kind: 'dtype', value: tfDType(v.type) };
  if ('shape' in v) {
    const s = tfShape(v.shape);
    return s === null ? { kind: 'json', value: { unknownRank: true } } : { kind: 'shape', value: s };
  }
  if ('tensor' in v) return { kind: 'tensor', value: tfTensor(v.tensor, name) };
  if ('func' in v) return funcAttr(v.func, funcs);
  if ('list' in v) return tfList(v.list, name, funcs);
  return { kind: 'json', value: v };
}

function tfList(v: unknown, name: string, funcs: FuncIndex): AttrValue {
  if (!isObject(v)) return { kind: 'ints', value: [] };
  const pick = (k: string): unknown[] | null => (Array.isArray(v[k]) && (v[k] as unknown[]).length > 0 ? (v[k] as unknown[]) : null);
  let l: unknown[] | null;
  if ((l = pick('i'))) return { kind: 'ints', value: l.map((x) => toInt(x) ?? 0) };
  if ((l = pick('f'))) return { kind: 'floats', value: l.map((x) => toFloat(x) ?? NaN) };
  if ((l = pick('s'))) {
    const strs = l.map((x) => (typeof x === 'string' ? utf8(base64ToBytes(x) ?? new Uint8Array(0)) : null));
    if (strs.every((s): s is string => s !== null)) return { kind: 'strings', value: strs };
    return { kind: 'json', value: l };
  }
  // No IR kind for lists of dtypes / shapes / bools: JSON of the decoded values keeps them readable.
  if ((l = pick('type'))) return { kind: 'json', value: l.map(tfDType) };
  if ((l = pick('shape'))) return { kind: 'json', value: l.map(tfShape) };
  if ((l = pick('b'))) return { kind: 'json', value: l.map((x) => x === true) };
  if ((l = pick('tensor'))) return { kind: 'tensors', value: l.map((t, i) => tfTensor(t, `${name}[${i}]`)) };
  if ((l = pick('func'))) return { kind: 'json', value: l.map((f) => funcAttr(f, funcs)) };
  return { kind: 'ints', value: [] };
}

/** Best guess of a node's output dtype from its attributes (most TF ops name it T or dtype). */
/** TF ops whose output is bool whatever their T (T is the inputs' type). */
const BOOL_OUT = new Set(['Equal', 'NotEqual', 'Greater', 'GreaterEqual', 'Less', 'LessEqual', 'LogicalAnd', 'LogicalOr',
  'LogicalNot', 'IsNan', 'IsInf', 'IsFinite', 'All', 'Any']);

export function outputDType(attrs: Record<string, AttrValue>, op?: string): DType {
  if (op && BOOL_OUT.has(op)) return 'bool';
  for (const k of ['dtype', 'T', 'out_type', 'DstT', 'output_type', 'Tout']) {
    const a = attrs[k];
    if (a?.kind === 'dtype') return a.value;
  }
  return 'unknown';
}
