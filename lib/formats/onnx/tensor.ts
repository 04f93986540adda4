/**
 * TensorProto -> IR Tensor. raw_data stays a view into the file; the typed fields
 * (float_data, int32_data, ...) are turned into the dense little-endian layout the IR expects.
 */
import type { Tensor } from '../../ir/types';
import { elementBytes, onnxDType, onnxTypeName } from './dtypes';
import { Reader, withPath } from './proto';

// Wire types as local constants: transpilers that emit CommonJS (tsx, vitest) turn each use of an
// imported binding into a getter call, which shows in the hot loops.
const WIRE_VARINT = 0;
const WIRE_I64 = 1;
const WIRE_LEN = 2;
const WIRE_I32 = 5;

/**
 * Where ONNX stores values of a type when raw_data is not used (onnx.proto's comments):
 * the typed field number (0: none).
 */
const F_FLOAT = 4;
const F_INT32 = 5;
const F_STRING = 6;
const F_INT64 = 7;
const F_DOUBLE = 10;
const F_UINT64 = 11;

function typedField(code: number): number {
  switch (code) {
    case 1: case 14: return F_FLOAT;
    case 11: case 15: return F_DOUBLE;
    case 7: return F_INT64;
    case 12: case 13: return F_UINT64;
    case 8: return F_STRING;
    case 0: case 23: case 24: case 25: case 26: return 0;
    default: return F_INT32;
  }
}

const TENSOR_FIELDS: Record<number, string> = {
  1: 'dims', 2: 'data_type', 3: 'segment', 4: 'float_data', 5: 'int32_data', 6: 'string_data', 7: 'int64_data',
  8: 'name', 9: 'raw_data', 10: 'double_data', 11: 'uint64_data', 12: 'doc_string', 13: 'external_data', 14: 'data_location',
};

export function fieldLabel(names: Record<number, string>, field: number, index = -1): string {
  const n = names[field] ?? `field ${field}`;
  return index >= 0 ? `${n}[${index}]` : n;
}

/** Decodes a TensorProto spanning [r.pos, end). */
export function decodeTensor(r: Reader, end: number): Tensor {
  const dims = r.dims;
  dims.length = 0;
  let code = -1;
  let name = '';
  let doc = '';
  let raw: Uint8Array | undefined;
  let typed = 0;
  let mixed = 0;
  // Byte ranges [start, end, start, end...] of typed values: back-to-back varints or fixed-width values.
  let ranges: number[] | undefined;
  let strings: Uint8Array[] | undefined;
  let location = '';
  let external = false;
  let field = 0;
  let entries = 0;
  try {
    while (r.pos < end) {
      const tag = r.tag();
      field = tag >>> 3;
      const wire = tag & 7;
      switch (field) {
        case 1:
          r.int64s(wire, end, dims);
          break;
        case 2:
          r.expect(wire, WIRE_VARINT);
          code = r.int32();
          break;
        case 3:
          r.fail('segmented tensors (TensorProto.segment) are not supported');
          break;
        case F_FLOAT: case F_INT32: case F_INT64: case F_DOUBLE: case F_UINT64: {
          if (typed && typed !== field) mixed = field;
          typed = field;
          ranges ??= [];
          const start = r.pos;
          if (wire === WIRE_LEN) {
            const e = r.lenEnd(end);
            ranges.push(r.pos, e);
            r.pos = e;
          } else if (field === F_FLOAT) {
            r.expect(wire, WIRE_I32);
            r.float32(end);
            ranges.push(start, r.pos);
          } else if (field === F_DOUBLE) {
            r.expect(wire, WIRE_I64);
            if (end - start < 8) r.fail(`truncated: field {field} runs past the end of its message at byte ${start}`);
            r.pos += 8;
            ranges.push(start, r.pos);
          } else {
            r.expect(wire, WIRE_VARINT);
            r.varint64();
            ranges.push(start, r.pos);
          }
          break;
        }
        case F_STRING:
          r.expect(wire, WIRE_LEN);
          (strings ??= []).push(r.bytes(end));
          break;
        case 8:
          r.expect(wire, WIRE_LEN);
          name = r.string(end);
          break;
        case 9:
          r.expect(wire, WIRE_LEN);
          raw = r.bytes(end);
          break;
        case 12:
          r.expect(wire, WIRE_LEN);
          doc = r.string(end);
          break;
        case 13: {
          const e = r.message(wire, end);
          const [k, v] = decodeEntry(r, e);
          if (k === 'location') location = v;
          external = true;
          entries++;
          break;
        }
        case 14:
          r.expect(wire, WIRE_VARINT);
          if (r.int32() === 1) external = true;
          break;
        default:
          r.skip(wire, end);
      }
    }
    r.checkEnd(end);
  } catch (e) {
    throw withPath(e, fieldLabel(TENSOR_FIELDS, field, field === 13 ? entries : -1));
  }

  const label = `tensor '${name}'`;
  if (external) {
    r.fail(
      `${label} stores its data in external file '${location || '(no location given)'}'; external data is not supported, ` +
        'save the model with all tensors inside (onnx.save(model, path, save_as_external_data=False))',
    );
  }
  if (code < 0) code = 0;
  const dtype = onnxDType(code);
  if (dtype === null) r.fail(`unknown data_type ${code} for ${label}`);
  let count = 1;
  for (const d of dims) {
    if (d < 0) r.fail(`${label} has a negative dimension ${d} in dims [${dims.join(', ')}]`);
    count *= d;
  }
  if (!Number.isSafeInteger(count)) r.fail(`${label} has too many elements: dims [${dims.join(', ')}]`);
  const tensor: Tensor = { name, dtype, shape: dims.slice() };
  if (doc) tensor.doc = doc;

  if (mixed) r.fail(`${label} mixes ${TENSOR_FIELDS[typed]} and ${TENSOR_FIELDS[mixed]}`);
  const present = (raw ? 1 : 0) + (typed ? 1 : 0) + (strings ? 1 : 0);
  if (present > 1) r.fail(`${label} stores its values in more than one of raw_data, ${TENSOR_FIELDS[typed || F_STRING]}`);
  const type = onnxTypeName(code);
  const size = elementBytes(code);
  if (raw) {
    if (code === 8) r.fail(`${label} of type STRING uses raw_data; strings belong in string_data`);
    if (size > 0) {
      const want = Math.ceil(count * size);
      if (raw.length !== want) {
        r.fail(`${label} has ${raw.length} bytes of raw_data but ${type} dims [${dims.join(', ')}] need ${want}`);
      }
    } else if (code !== 0) {
      tensor.doc = joinDoc(tensor.doc, `ONNX type ${type} has no IR dtype; data kept as stored`);
    }
    tensor.data = raw;
  } else if (strings || typed) {
    const want = typedField(code);
    const got = strings ? F_STRING : typed;
    if (want !== got) {
      r.fail(`${label} of type ${type} stores values in ${TENSOR_FIELDS[got]}; ONNX keeps them in ${want ? TENSOR_FIELDS[want] : 'raw_data'}`);
    }
    if (strings) {
      if (strings.length !== count) r.fail(`${label} has ${strings.length} strings but dims [${dims.join(', ')}] need ${count}`);
      tensor.data = packStrings(strings);
      tensor.storage = { dtype: 'string', detail: 'string_data packed as int32 count, int32 offsets[count + 1], then the UTF-8 bytes' };
    } else {
      tensor.data = typedData(r, ranges!, code, count, label, type, dims);
    }
  } else if (count === 0) {
    tensor.data = new Uint8Array(0);
  } else {
    tensor.doc = joinDoc(tensor.doc, 'no values stored in the file');
  }
  return tensor;
}

function joinDoc(doc: string | undefined, note: string): string {
  return doc ? `${doc}\n${note}` : note;
}

/** StringStringEntryProto spanning [r.pos, end): returns [key, value]. */
export function decodeEntry(r: Reader, end: number): [string, string] {
  let key = '';
  let value = '';
  while (r.pos < end) {
    const tag = r.tag();
    const wire = tag & 7;
    const field = tag >>> 3;
    if (field === 1 || field === 2) {
      r.expect(wire, WIRE_LEN);
      if (field === 1) key = r.string(end);
      else value = r.string(end);
    } else r.skip(wire, end);
  }
  r.checkEnd(end);
  return [key, value];
}

/** Strings in TFLite's string-tensor layout, so every string tensor in the IR looks the same. */
function packStrings(strings: Uint8Array[]): Uint8Array {
  const head = 4 * (strings.length + 2);
  let total = head;
  for (const s of strings) total += s.length;
  const out = new Uint8Array(total);
  const dv = new DataView(out.buffer);
  dv.setInt32(0, strings.length, true);
  let off = head;
  strings.forEach((s, i) => {
    dv.setInt32(4 * (i + 1), off, true);
    out.set(s, off);
    off += s.length;
  });
  dv.setInt32(4 * (strings.length + 1), off, true);
  return out;
}

function rangeBytes(ranges: number[]): number {
  let n = 0;
  for (let i = 0; i < ranges.length; i += 2) n += ranges[i + 1]! - ranges[i]!;
  return n;
}

/** Typed-field values -> dense little-endian bytes of `code`'s layout. */
function typedData(r: Reader, ranges: number[], code: number, count: number, label: string, type: string, dims: number[]): Uint8Array {
  const buf = r.buf;
  const fixed = code === 1 || code === 14 ? 4 : code === 11 || code === 15 ? 8 : 0;
  const complex = code === 14 || code === 15 ? 2 : 1;
  const mismatch = (n: number): never =>
    r.fail(`${label} has ${n} values but ${type} dims [${dims.join(', ')}] need ${count * complex}`);
  if (fixed) {
    const bytes = rangeBytes(ranges);
    if (bytes % fixed !== 0) r.fail(`${label}: packed ${fixed === 4 ? 'float_data' : 'double_data'} of ${bytes} bytes is not a whole number of values`);
    if (bytes / fixed !== count * complex) mismatch(bytes / fixed);
    // A single packed run already is the dense layout: keep it a view, like raw_data.
    if (ranges.length === 2) return buf.subarray(ranges[0]!, ranges[1]!);
    const out = new Uint8Array(bytes);
    let off = 0;
    for (let i = 0; i < ranges.length; i += 2) {
      out.set(buf.subarray(ranges[i]!, ranges[i + 1]!), off);
      off += ranges[i + 1]! - ranges[i]!;
    }
    return out;
  }
  // Varint fields: one value ends at every byte below 0x80.
  let n = 0;
  for (let i = 0; i < ranges.length; i += 2) {
    const e = ranges[i + 1]!;
    for (let p = ranges[i]!; p < e; p++) if (buf[p]! < 0x80) n++;
    if (e > ranges[i]! && buf[e - 1]! >= 0x80) r.fail(`${label}: a packed varint runs past the end of its field at byte ${e}`);
  }
  const size = elementBytes(code);
  const expected = size === 0.5 ? Math.ceil(count / 2) : count;
  if (n !== expected) mismatch(n);
  const width = size === 0.5 ? 1 : size;
  const out = new Uint8Array(n * width);
  const dv = new DataView(out.buffer);
  const saved = r.pos;
  let i = 0;
  for (let k = 0; k < ranges.length; k += 2) {
    r.pos = ranges[k]!;
    const e = ranges[k + 1]!;
    while (r.pos < e) {
      r.varint64();
      const lo = r.lo;
      if (width === 1) out[i] = lo & 0xff;
      else if (width === 2) dv.setUint16(2 * i, lo & 0xffff, true);
      else if (width === 4) dv.setInt32(4 * i, lo, true);
      else {
        dv.setInt32(8 * i, lo, true);
        dv.setInt32(8 * i + 4, r.hi, true);
      }
      i++;
    }
  }
  r.pos = saved;
  return out;
}
