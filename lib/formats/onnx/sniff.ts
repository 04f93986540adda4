/**
 * Cheap recognition of a serialized ModelProto: protobuf has no magic number, so walk the first
 * top-level fields and check that each is a ModelProto field with the wire type the schema gives
 * it and that lengths fit. Needs a sane ir_version or a graph whose first field is valid.
 */
import { Reader } from './proto';

/** ModelProto field number -> wire type (0 varint, 2 length-delimited). */
const MODEL_WIRE: Record<number, number> = { 1: 0, 2: 2, 3: 2, 4: 2, 5: 0, 6: 2, 7: 2, 8: 2, 14: 2, 20: 2, 25: 2, 26: 2 };
const GRAPH_FIELDS = new Set([1, 2, 5, 10, 11, 12, 13, 14, 15, 16]);
const MAX_FIELDS = 16;

export function sniffOnnx(bytes: Uint8Array): boolean {
  if (bytes.length < 2) return false;
  // TFLite flatbuffers carry "TFL3" at bytes 4..8.
  if (bytes[4] === 0x54 && bytes[5] === 0x46 && bytes[6] === 0x4c && bytes[7] === 0x33) return false;
  try {
    return walk(new Reader(bytes));
  } catch {
    return false; // a truncated varint and the like: not a model head we recognise
  }
}

function walk(r: Reader): boolean {
  const n = r.buf.length;
  let strong = false;
  for (let i = 0; i < MAX_FIELDS && r.pos < n; i++) {
    const tag = r.tag();
    const field = tag >>> 3;
    const wire = tag & 7;
    if (MODEL_WIRE[field] !== wire) return false;
    if (wire === 0) {
      const v = r.uint();
      if (field === 1) {
        if (v < 1 || v > 100) return false;
        strong = true;
      }
      continue;
    }
    const len = r.uint();
    // An impossible length after a valid ir_version is a corrupt ONNX file: claim it, so the
    // reader names the cause instead of the file being called unrecognised.
    if (len > 2 ** 32) return strong;
    if (field === 7) {
      if (len === 0) return false;
      strong ||= graphStartsWell(r);
    }
    // A long field running past the head is expected when sniffing the first bytes of a big file.
    if (len > n - r.pos) return strong;
    r.pos += len;
  }
  return strong;
}

function graphStartsWell(r: Reader): boolean {
  const saved = r.pos;
  try {
    if (saved >= r.buf.length) return false;
    const tag = r.tag();
    return GRAPH_FIELDS.has(tag >>> 3) && (tag & 7) === 2;
  } finally {
    r.pos = saved;
  }
}
