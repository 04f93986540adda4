/** ValueInfoProto / TypeProto -> dtype, shape and a readable type for non-tensor values. */
import type { DType, Dim, Tensor } from '../../ir/types';
import { onnxDType } from './dtypes';
import { Reader, withPath } from './proto';
import { fieldLabel } from './tensor';

// Wire types as local constants: transpilers that emit CommonJS (tsx, vitest) turn each use of an
// imported binding into a getter call, which shows in the hot loops.
const WIRE_VARINT = 0;
const WIRE_LEN = 2;

export const MAX_DEPTH = 64;

/** Where decodeType puts what it finds: a Tensor being built, or a scratch object. */
export interface TypeTarget {
  /** 'unknown' for sequence / map / optional values. */
  dtype: DType;
  shape: Dim[] | null;
}

const VALUE_INFO_FIELDS: Record<number, string> = { 1: 'name', 2: 'type', 3: 'doc_string' };
const TYPE_FIELDS: Record<number, string> = {
  1: 'tensor_type', 4: 'sequence_type', 5: 'map_type', 6: 'denotation', 8: 'sparse_tensor_type', 9: 'optional_type',
};

/**
 * ValueInfoProto straight into an IR Tensor (no intermediate objects: a big model has one per
 * activation). Values that are not plain tensors get dtype 'unknown' and their type in `doc`.
 */
export function decodeValueInfo(r: Reader, end: number): Tensor {
  const t: Tensor = { name: '', dtype: 'unknown', shape: null };
  let doc = '';
  let note = '';
  let field = 0;
  try {
    while (r.pos < end) {
      const tag = r.tag();
      field = tag >>> 3;
      const wire = tag & 7;
      if (field === 1) {
        r.expect(wire, WIRE_LEN);
        t.name = r.string(end);
      } else if (field === 2) {
        const e = r.message(wire, end);
        note = decodeType(r, e, 0, t);
      } else if (field === 3) {
        r.expect(wire, WIRE_LEN);
        doc = r.string(end);
      } else r.skip(wire, end);
    }
    r.checkEnd(end);
  } catch (e) {
    throw withPath(e, fieldLabel(VALUE_INFO_FIELDS, field));
  }
  if (note && note !== 'tensor') note = `type: ${note}`;
  else note = '';
  if (doc || note) t.doc = doc && note ? `${doc}\n${note}` : doc || note;
  return t;
}

function elemType(r: Reader, code: number): DType {
  const d = onnxDType(code);
  if (d === null) r.fail(`unknown elem_type ${code} in field {field}`);
  return d;
}

/**
 * TypeProto spanning [r.pos, end): sets `out.dtype` / `out.shape` for tensor types and returns
 * a readable type: 'tensor' for plain tensors, else e.g. `sequence<tensor(int64)>`.
 * `depth` bounds sequence<sequence<...>> nesting.
 */
export function decodeType(r: Reader, end: number, depth: number, out: TypeTarget): string {
  if (depth > MAX_DEPTH) r.fail(`type nesting deeper than ${MAX_DEPTH} levels in field {field}`);
  let text = 'no type';
  let field = 0;
  try {
    while (r.pos < end) {
      const tag = r.tag();
      field = tag >>> 3;
      const wire = tag & 7;
      switch (field) {
        case 1: case 8: {
          const e = r.message(wire, end);
          decodeTensorType(r, e, out);
          text = field === 1 ? 'tensor' : `sparse_tensor(${out.dtype})`;
          break;
        }
        case 4: case 9: {
          const e = r.message(wire, end);
          const inner = decodeWrapped(r, e, depth);
          text = `${field === 4 ? 'sequence' : 'optional'}<${inner}>`;
          out.dtype = 'unknown';
          out.shape = null;
          break;
        }
        case 5: {
          const e = r.message(wire, end);
          text = decodeMap(r, e, depth);
          out.dtype = 'unknown';
          out.shape = null;
          break;
        }
        default:
          r.skip(wire, end);
      }
    }
    r.checkEnd(end);
  } catch (e) {
    throw withPath(e, fieldLabel(TYPE_FIELDS, field));
  }
  return text;
}

/** Readable form of a nested type: tensor types spell their dtype. */
function nestedText(r: Reader, end: number, depth: number): string {
  const tmp: TypeTarget = { dtype: 'unknown', shape: null };
  const text = decodeType(r, end, depth + 1, tmp);
  return text === 'tensor' ? `tensor(${tmp.dtype})` : text;
}

/** TypeProto.Sequence / TypeProto.Optional: one field, elem_type = 1. */
function decodeWrapped(r: Reader, end: number, depth: number): string {
  let inner = 'no type';
  while (r.pos < end) {
    const tag = r.tag();
    const wire = tag & 7;
    if (tag >>> 3 === 1) {
      const e = r.message(wire, end);
      inner = nestedText(r, e, depth);
    } else r.skip(wire, end);
  }
  r.checkEnd(end);
  return inner;
}

function decodeMap(r: Reader, end: number, depth: number): string {
  let key: DType = 'unknown';
  let value = 'no type';
  while (r.pos < end) {
    const tag = r.tag();
    const wire = tag & 7;
    const f = tag >>> 3;
    if (f === 1) {
      r.expect(wire, WIRE_VARINT);
      key = elemType(r, r.int32());
    } else if (f === 2) {
      const e = r.message(wire, end);
      value = nestedText(r, e, depth);
    } else r.skip(wire, end);
  }
  r.checkEnd(end);
  return `map<${key}, ${value}>`;
}

/** TypeProto.Tensor / SparseTensor: elem_type = 1, shape = 2. */
function decodeTensorType(r: Reader, end: number, out: TypeTarget): void {
  out.dtype = 'unknown';
  out.shape = null;
  while (r.pos < end) {
    const tag = r.tag();
    const wire = tag & 7;
    const f = tag >>> 3;
    if (f === 1) {
      r.expect(wire, WIRE_VARINT);
      out.dtype = elemType(r, r.int32());
    } else if (f === 2) {
      const e = r.message(wire, end);
      // Dims go to a scratch array first so the kept shape is exact-size (see decodeNode).
      const dims = r.shape;
      dims.length = 0;
      decodeShape(r, e, dims);
      out.shape = dims.slice();
    } else r.skip(wire, end);
  }
  r.checkEnd(end);
}

/** TensorShapeProto: repeated Dimension dim = 1, each dim_value = 1 | dim_param = 2. */
function decodeShape(r: Reader, end: number, shape: Dim[]): void {
  while (r.pos < end) {
    const tag = r.tag();
    const wire = tag & 7;
    if (tag >>> 3 !== 1) {
      r.skip(wire, end);
      continue;
    }
    const e = r.message(wire, end);
    let dim: Dim = null;
    while (r.pos < e) {
      const t = r.tag();
      const w = t & 7;
      const f = t >>> 3;
      if (f === 1) {
        r.expect(w, WIRE_VARINT);
        const v = r.int64();
        // Some exporters write -1 for "unknown": the IR spells that null.
        dim = v >= 0 ? v : null;
      } else if (f === 2) {
        r.expect(w, WIRE_LEN);
        const param = r.string(e);
        dim = param === '' ? null : param;
      } else r.skip(w, e);
    }
    r.checkEnd(e);
    shape.push(dim);
  }
  r.checkEnd(end);
}
