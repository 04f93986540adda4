/**
 * Protobuf wire encoding for the ONNX writer, in two passes over the same encoding code: `Sizer`
 * measures every nested message and packed field, then `Writer` fills one buffer of exactly the
 * measured size. Weight bytes are copied once, straight into that buffer; nothing is concatenated.
 */

/** What the encoding functions write to; both passes implement it, so they cannot drift apart. */
export interface Sink {
  /** A varint field: enums, uint64 and int64 (negatives take 10 bytes; beyond int64 saturates). */
  int(field: number, v: number): void;
  /** A fixed32 float field. */
  float(field: number, v: number): void;
  bytes(field: number, b: Uint8Array): void;
  /** UTF-8; lone surrogates become U+FFFD as TextEncoder writes them. */
  string(field: number, s: string): void;
  /** A packed repeated int64 field; nothing is written for an empty list. */
  ints(field: number, v: readonly number[]): void;
  /** A packed repeated float field; nothing is written for an empty list. */
  floats(field: number, v: readonly number[]): void;
  /** Opens an embedded message; every `begin` has its `end`. */
  begin(field: number): void;
  end(): void;
}

const TWO_32 = 4294967296;
const TWO_63 = 2 ** 63;
const WIRE_VARINT = 0;
const WIRE_I32 = 5;
const WIRE_LEN = 2;

function varintSize(v: number): number {
  if (v < 0) return 10;
  if (v >= TWO_63) return 9; // saturated to int64's maximum
  if (v < 0x80) return 1;
  if (v < 0x4000) return 2;
  if (v < 0x200000) return 3;
  if (v < 0x10000000) return 4;
  let n = 4;
  for (let x = Math.floor(v / 0x10000000); x > 0; x = Math.floor(x / 128)) n++;
  return n;
}

const tagSize = (field: number): number => varintSize(field * 8);

/** UTF-8 byte length, as TextEncoder would encode the string. */
function utf8Length(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) n += 1;
    else if (c >= 0xd800 && c < 0xdc00 && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n += 2; // a surrogate pair: 2 UTF-16 units, 4 bytes
      i++;
    } else n += 2;
  }
  return n;
}

export class Sizer implements Sink {
  total = 0;
  /** Lengths of nested messages and packed fields, in the order `Writer` will need them. */
  readonly sizes: number[] = [];
  private readonly open: number[] = [];

  int(field: number, v: number): void {
    this.total += tagSize(field) + varintSize(v);
  }

  float(field: number): void {
    this.total += tagSize(field) + 4;
  }

  bytes(field: number, b: Uint8Array): void {
    this.total += tagSize(field) + varintSize(b.length) + b.length;
  }

  string(field: number, s: string): void {
    const n = utf8Length(s);
    this.total += tagSize(field) + varintSize(n) + n;
  }

  ints(field: number, v: readonly number[]): void {
    if (v.length === 0) return;
    let n = 0;
    for (const x of v) n += varintSize(x);
    this.packed(field, n);
  }

  floats(field: number, v: readonly number[]): void {
    if (v.length > 0) this.packed(field, 4 * v.length);
  }

  private packed(field: number, n: number): void {
    this.sizes.push(n);
    this.total += tagSize(field) + varintSize(n) + n;
  }

  begin(field: number): void {
    this.open.push(this.sizes.length, this.total, field);
    this.sizes.push(0);
  }

  end(): void {
    const field = this.open.pop()!;
    const start = this.open.pop()!;
    const slot = this.open.pop()!;
    const n = this.total - start;
    this.sizes[slot] = n;
    this.total += tagSize(field) + varintSize(n);
  }
}

export class Writer implements Sink {
  readonly buf: Uint8Array;
  private readonly view: DataView;
  private pos = 0;
  private next = 0;
  /** End offsets of the open messages, to catch a write pass that strays from the size pass. */
  private readonly ends: number[] = [];
  private readonly utf8 = new TextEncoder();

  constructor(total: number, private readonly sizes: readonly number[]) {
    this.buf = new Uint8Array(total);
    this.view = new DataView(this.buf.buffer);
  }

  private varint(v: number): void {
    const b = this.buf;
    let p = this.pos;
    if (v >= 0 && v < 0x80000000) {
      while (v >= 0x80) {
        b[p++] = (v & 0x7f) | 0x80;
        v >>>= 7;
      }
      b[p++] = v;
      this.pos = p;
      return;
    }
    let lo: number;
    let hi: number;
    if (v >= TWO_63) {
      lo = 0xffffffff;
      hi = 0x7fffffff;
    } else {
      const h = Math.floor(Math.max(v, -TWO_63) / TWO_32);
      lo = (Math.max(v, -TWO_63) - h * TWO_32) >>> 0;
      hi = h >>> 0;
    }
    // 64 bits as two halves: 4 groups of 7 from lo, one group straddling, then hi alone.
    for (let i = 0; i < 4; i++) {
      b[p++] = (lo & 0x7f) | 0x80;
      lo >>>= 7;
    }
    let x = (lo | (hi << 4)) & 0x7f;
    hi >>>= 3;
    while (hi > 0) {
      b[p++] = x | 0x80;
      x = hi & 0x7f;
      hi >>>= 7;
    }
    b[p++] = x;
    this.pos = p;
  }

  private tag(field: number, wire: number): void {
    this.varint(field * 8 + wire);
  }

  int(field: number, v: number): void {
    this.tag(field, WIRE_VARINT);
    this.varint(v);
  }

  float(field: number, v: number): void {
    this.tag(field, WIRE_I32);
    this.view.setFloat32(this.pos, v, true);
    this.pos += 4;
  }

  bytes(field: number, b: Uint8Array): void {
    this.tag(field, WIRE_LEN);
    this.varint(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }

  string(field: number, s: string): void {
    this.tag(field, WIRE_LEN);
    const n = utf8Length(s);
    this.varint(n);
    const b = this.buf;
    const p = this.pos;
    if (n === s.length) for (let i = 0; i < n; i++) b[p + i] = s.charCodeAt(i);
    else this.utf8.encodeInto(s, b.subarray(p, p + n));
    this.pos = p + n;
  }

  ints(field: number, v: readonly number[]): void {
    if (v.length === 0) return;
    this.tag(field, WIRE_LEN);
    this.varint(this.sizes[this.next++]!);
    for (const x of v) this.varint(x);
  }

  floats(field: number, v: readonly number[]): void {
    if (v.length === 0) return;
    this.tag(field, WIRE_LEN);
    this.varint(this.sizes[this.next++]!);
    for (const x of v) {
      this.view.setFloat32(this.pos, x, true);
      this.pos += 4;
    }
  }

  begin(field: number): void {
    const n = this.sizes[this.next++]!;
    this.tag(field, WIRE_LEN);
    this.varint(n);
    this.ends.push(this.pos + n);
  }

  end(): void {
    const want = this.ends.pop()!;
    if (this.pos !== want) throw new Error(`ONNX writer: a message ended at byte ${this.pos}, its size said ${want}`);
  }

  /** The bytes, after checking that the whole measured size was filled. */
  finish(): Uint8Array {
    if (this.pos !== this.buf.length || this.ends.length) throw new Error(`ONNX writer: wrote ${this.pos} of ${this.buf.length} measured bytes`);
    return this.buf;
  }
}
