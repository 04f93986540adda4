/**
 * The writer's protobuf encoder (encode.ts) against the BigInt reference encoding of the reader
 * tests' wire helpers and TextEncoder: the size pass and the write pass agree on every field.
 */
import { describe, expect, it } from 'vitest';
import { Sizer, Writer, type Sink } from './encode';
import { f32, len, msg, str, varint, vint } from './testdata/wire';

function encode(fill: (s: Sink) => void): Uint8Array {
  const sizer = new Sizer();
  fill(sizer);
  const w = new Writer(sizer.total, sizer.sizes);
  fill(w);
  return w.finish();
}

const INT64_MAX = 2n ** 63n - 1n;
const INT64_MIN = -(2n ** 63n);

describe('protobuf encoder', () => {
  it('writes int64 varints as protobuf does, saturating beyond int64', () => {
    const values: number[] = [0, 1, 127, 128, 16383, 16384, 2 ** 28 - 1, 2 ** 28, 2 ** 31 - 1, 2 ** 31, 2 ** 32, 2 ** 35 + 5, 2 ** 53 - 1, 2 ** 56, 2 ** 62, -1, -2, -128, -(2 ** 31), -(2 ** 32) - 1, -(2 ** 53), -(2 ** 63)];
    let x = 12345;
    for (let i = 0; i < 2000; i++) {
      x = (Math.imul(x, 1103515245) + 12345) >>> 0;
      const magnitude = 2 ** (x % 54);
      values.push(Math.floor(((x >>> 8) / 2 ** 24) * magnitude) * (x & 1 ? -1 : 1));
    }
    const got = encode((s) => values.forEach((v, i) => s.int(1 + (i % 20), v)));
    expect(Array.from(got)).toEqual(values.flatMap((v, i) => vint(1 + (i % 20), BigInt(v))));
    // The double nearest INT64_MAX is 2^63: it is written as INT64_MAX, not wrapped to INT64_MIN.
    expect(Array.from(encode((s) => s.int(3, 2 ** 63)))).toEqual(vint(3, INT64_MAX));
    expect(Array.from(encode((s) => s.int(3, 2 ** 70)))).toEqual(vint(3, INT64_MAX));
    expect(Array.from(encode((s) => s.int(3, -(2 ** 70))))).toEqual(vint(3, INT64_MIN));
  });

  it('writes strings as UTF-8 (lone surrogates as U+FFFD), floats, bytes and packed fields', () => {
    const texts = ['', 'abc', 'héllo', '日本', '🙂x', 'a\ud800b', '\udc00', 'x'.repeat(300)];
    const got = encode((s) => {
      for (const t of texts) s.string(2, t);
      s.float(5, -1.5);
      s.bytes(9, Uint8Array.of(1, 2, 3));
      s.ints(8, [1, -1, 300]);
      s.floats(7, [0.25, NaN]);
      s.ints(8, []);
      s.floats(7, []);
    });
    const want = msg(
      ...texts.map((t) => str(2, t)),
      f32(5, -1.5),
      len(9, [1, 2, 3]),
      len(8, [...varint(1), ...varint(-1), ...varint(300)]),
      len(7, [...new Uint8Array(Float32Array.of(0.25, NaN).buffer)]),
    );
    expect(Array.from(got)).toEqual(want);
  });

  it('measures nested messages, including ones over 127 bytes and empty ones', () => {
    const got = encode((s) => {
      s.begin(7);
      s.string(1, 'n'.repeat(200));
      s.begin(2);
      s.end();
      s.begin(3);
      s.begin(4);
      s.int(1, -1);
      s.end();
      s.end();
      s.end();
      s.int(1, 8);
    });
    const want = msg(len(7, msg(str(1, 'n'.repeat(200)), len(2, []), len(3, len(4, vint(1, -1))))), vint(1, 8));
    expect(Array.from(got)).toEqual(want);
  });

  it('refuses a write pass that differs from its size pass', () => {
    const sizer = new Sizer();
    sizer.begin(1);
    sizer.int(1, 5);
    sizer.end();
    const w = new Writer(sizer.total, sizer.sizes);
    w.begin(1);
    w.int(1, 500);
    expect(() => w.end()).toThrow(/a message ended at byte 5, its size said 4/);
  });
});
