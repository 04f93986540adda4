/**
 * A minimal protobuf wire-format reader for the ONNX decoder.
 *
 * Hand-written instead of protobufjs so that parsing a model is a single pass over the bytes with
 * no intermediate message objects and no copy of weight bytes (length-delimited fields become
 * `subarray` views). Every length and offset is checked against the enclosing message's end.
 */

export const WIRE_VARINT = 0;
export const WIRE_I64 = 1;
export const WIRE_LEN = 2;
export const WIRE_I32 = 5;

const WIRE_NAMES = ['varint', '64-bit', 'length-delimited', 'group start', 'group end', '32-bit', 'invalid (6)', 'invalid (7)'];

/**
 * A decoding failure. `template` holds `{field}` where the field path goes; each message decoder
 * on the way up prepends its field to `path` (cheaper than tracking the path while decoding).
 */
export class ProtoError extends Error {
  readonly path: string[] = [];
  constructor(readonly template: string, readonly offset: number) {
    super(template);
    this.name = 'ProtoError';
  }

  describe(): string {
    const field = this.path.length ? this.path.join('.') : 'ModelProto';
    const text = this.template.replace('{field}', field);
    return this.template.includes('{field}') ? text : `${text} (in ${field})`;
  }
}

/** Adds one path segment to a ProtoError passing through a message decoder. */
export function withPath(e: unknown, segment: string): unknown {
  if (e instanceof ProtoError && segment) e.path.unshift(segment);
  return e;
}

const utf8 = new TextDecoder('utf-8');
const NAME_SLOTS = 8192;

export class Reader {
  readonly buf: Uint8Array;
  pos = 0;
  /** Halves of the last 64-bit varint read by `varint64`. */
  lo = 0;
  hi = 0;

  constructor(buf: Uint8Array) {
    this.buf = buf;
  }

  fail(template: string, offset = this.pos): never {
    throw new ProtoError(template, offset);
  }

  /** Reads a tag; returns `field << 3 | wire` as a non-negative number below 2^32. */
  tag(): number {
    const b = this.buf;
    const p = this.pos;
    const x = b[p]!;
    if (x < 0x80) {
      this.pos = p + 1;
      if (x < 8) this.fail(`invalid field number 0 at byte ${p}`, p);
      return x;
    }
    const t = this.uint();
    if (t >= 2 ** 32 || t < 8) this.fail(`invalid tag ${t} at byte ${p}`, p);
    return t;
  }

  /** An unsigned varint as a number (exact below 2^53). */
  uint(): number {
    const b = this.buf;
    const p = this.pos;
    const x = b[p]!;
    if (x < 0x80) {
      this.pos = p + 1;
      return x;
    }
    this.varint64();
    return (this.hi >>> 0) * 4294967296 + (this.lo >>> 0);
  }

  /** A signed int64 varint as a number: exact when |v| < 2^53, nearest double otherwise. */
  int64(): number {
    const b = this.buf;
    const p = this.pos;
    const x = b[p]!;
    if (x < 0x80) {
      this.pos = p + 1;
      return x;
    }
    this.varint64();
    return (this.hi | 0) * 4294967296 + (this.lo >>> 0);
  }

  /** An int32 varint (negative values are sign-extended to 10 bytes on the wire). */
  int32(): number {
    const b = this.buf;
    const p = this.pos;
    const x = b[p]!;
    if (x < 0x80) {
      this.pos = p + 1;
      return x;
    }
    this.varint64();
    return this.lo | 0;
  }

  /** Reads any varint into `lo`/`hi` (two's complement halves). */
  varint64(): void {
    const b = this.buf;
    const n = b.length;
    let p = this.pos;
    const start = p;
    let lo = 0;
    let hi = 0;
    for (let i = 0; i < 10; i++) {
      if (p >= n) this.fail(`truncated: varint in field {field} runs past the end of the file at byte ${start}`, start);
      const byte = b[p++]!;
      const bits = byte & 0x7f;
      if (i < 4) lo |= bits << (7 * i);
      else if (i === 4) {
        lo |= bits << 28;
        hi |= bits >>> 4;
      } else hi |= bits << (7 * i - 32);
      if (byte < 0x80) {
        this.pos = p;
        this.lo = lo;
        this.hi = hi;
        return;
      }
    }
    this.fail(`malformed varint (more than 10 bytes) in field {field} at byte ${start}`, start);
  }

  /** A field the schema says is length-delimited (an embedded message): checks `wire`, returns the field's end. */
  message(wire: number, end: number): number {
    this.expect(wire, WIRE_LEN);
    return this.lenEnd(end);
  }

  /** Appends a repeated int64 field, packed (one length-delimited run) or not (one varint), to `out`. */
  int64s(wire: number, end: number, out: number[]): void {
    if (wire === WIRE_LEN) {
      const e = this.lenEnd(end);
      while (this.pos < e) out.push(this.int64());
      this.checkEnd(e);
    } else {
      this.expect(wire, WIRE_VARINT);
      out.push(this.int64());
    }
  }

  /** Reads a length prefix and returns the end of the field, checked against `end`. */
  lenEnd(end: number): number {
    const at = this.pos;
    const len = this.uint();
    if (len > end - this.pos) {
      const where = end === this.buf.length ? 'the file' : 'its enclosing message';
      this.fail(`truncated: field {field} (${len} bytes from byte ${this.pos}) runs past the end of ${where} at byte ${end}`, at);
    }
    return this.pos + len;
  }

  /**
   * Scratch lists for the dims of one TensorProto / TensorShapeProto while it is decoded (neither
   * nests), copied out exact-size at the end. Two lists keep number dims in a numbers-only array.
   */
  readonly dims: number[] = [];
  readonly shape: Array<number | string | null> = [];

  /** Recently decoded names by a hash of their bytes (see `text`), allocated on first use. */
  private names: string[] | null = null;
  /** Where each cached name's bytes are in `buf`, to compare candidates 4 bytes at a time. */
  private nameAt: Int32Array | null = null;
  private nameLen: Int32Array | null = null;
  private view: DataView | null = null;

  /**
   * The UTF-8 text of buf[start, end). A tensor name occurs two or three times in a model (node
   * output, node inputs, value_info) and attribute names and op types thousands of times: short
   * ASCII strings are looked up by a hash of their bytes first, so that repeats are the same
   * string object. That saves the allocation and lets V8 reuse the hash it cached on the string
   * for Map keys and property names.
   */
  text(start: number, end: number): string {
    const n = end - start;
    if (n === 0) return '';
    const b = this.buf;
    if (n > 64) return utf8.decode(b.subarray(start, end));
    const dv = (this.view ??= new DataView(b.buffer, b.byteOffset, b.byteLength));
    let h = n;
    let high = 0;
    let i = start;
    for (; i + 4 <= end; i += 4) {
      const w = dv.getInt32(i, true);
      high |= w;
      h = Math.imul(h ^ w, 0x01000193);
    }
    for (; i < end; i++) {
      const c = b[i]!;
      high |= c;
      h = Math.imul(h ^ c, 0x01000193);
    }
    if (high & 0x80808080) return utf8.decode(b.subarray(start, end));
    if (this.names === null) {
      this.names = new Array<string>(NAME_SLOTS).fill('');
      this.nameAt = new Int32Array(NAME_SLOTS);
      this.nameLen = new Int32Array(NAME_SLOTS);
    }
    const slot = (h ^ (h >>> 15)) & (NAME_SLOTS - 1);
    const at = this.nameAt!;
    const lens = this.nameLen!;
    if (lens[slot] === n) {
      const other = at[slot]!;
      let k = 0;
      for (; k + 4 <= n; k += 4) if (dv.getInt32(start + k, true) !== dv.getInt32(other + k, true)) break;
      if (k + 4 > n) {
        for (; k < n; k++) if (b[start + k] !== b[other + k]) break;
        if (k === n) return this.names[slot]!;
      }
    }
    const s = decodeUtf8(b, start, end);
    this.names[slot] = s;
    at[slot] = start;
    lens[slot] = n;
    return s;
  }

  string(end: number): string {
    const e = this.lenEnd(end);
    const s = this.text(this.pos, e);
    this.pos = e;
    return s;
  }

  bytes(end: number): Uint8Array {
    const e = this.lenEnd(end);
    const v = this.buf.subarray(this.pos, e);
    this.pos = e;
    return v;
  }

  float32(end: number): number {
    const p = this.pos;
    if (end - p < 4) this.fail(`truncated: float field {field} runs past the end of its message at byte ${p}`, p);
    this.pos = p + 4;
    return f32(this.buf, p);
  }

  /** Skips a field of an unknown number. Groups (wire types 3/4) are never used by ONNX. */
  skip(wire: number, end: number): void {
    const p = this.pos;
    switch (wire) {
      case WIRE_VARINT:
        this.varint64();
        break;
      case WIRE_I64:
        this.pos += 8;
        break;
      case WIRE_LEN:
        this.pos = this.lenEnd(end);
        break;
      case WIRE_I32:
        this.pos += 4;
        break;
      default:
        this.fail(`unsupported wire type ${wire} (${WIRE_NAMES[wire]}) in field {field} at byte ${p}`, p);
    }
    if (this.pos > end) this.fail(`truncated: field {field} runs past the end of its message at byte ${p}`, p);
  }

  /** Throws unless `wire` is what the schema says for the field. */
  expect(wire: number, want: number): void {
    if (wire !== want) {
      this.fail(`field {field} has wire type ${wire} (${WIRE_NAMES[wire]}), expected ${want} (${WIRE_NAMES[want]}) at byte ${this.pos}`);
    }
  }

  /** After a message's fields: a varint or fixed field that crossed `end` is corruption. */
  checkEnd(end: number): void {
    if (this.pos !== end) this.fail(`truncated: a field of {field} runs past the end of its message at byte ${end}`, end);
  }
}

const f32buf = new Float32Array(1);
const f32bytes = new Uint8Array(f32buf.buffer);

function f32(b: Uint8Array, p: number): number {
  f32bytes[0] = b[p]!;
  f32bytes[1] = b[p + 1]!;
  f32bytes[2] = b[p + 2]!;
  f32bytes[3] = b[p + 3]!;
  return f32buf[0]!;
}

/**
 * UTF-8 bytes to a string. Below 13 characters V8 builds a flat string from `+=` (longer results
 * become ropes that cost an allocation per character and a flatten when hashed as a Map key),
 * and that beats a TextDecoder call; longer strings go to TextDecoder.
 */
export function decodeUtf8(b: Uint8Array, start: number, end: number): string {
  if (end - start > 12) return utf8.decode(b.subarray(start, end));
  let s = '';
  for (let i = start; i < end; i++) {
    const c = b[i]!;
    if (c >= 0x80) return utf8.decode(b.subarray(start, end));
    s += String.fromCharCode(c);
  }
  return s;
}

/** Assigns without letting a hostile key such as `__proto__` reach the prototype. */
export function setKey<T>(obj: Record<string, T>, key: string, value: T): void {
  if (key === '__proto__') Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  else obj[key] = value;
}
