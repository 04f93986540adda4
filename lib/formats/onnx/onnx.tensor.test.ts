/**
 * TensorProto encodings the Debian files and onnx 1.12 do not produce: 4-bit and float8 types,
 * unpacked repeated fields, split packed runs, and the ways a tensor can be inconsistent.
 */
import { describe, expect, it } from 'vitest';
import { tensorValues } from '../../ir/values';
import { ModelFormatError } from '../errors';
import { readTensorProto } from './index';
import { f32, floatBytes, len, msg, str, tag, varint, vint } from './testdata/wire';

const read = (...parts: number[][]) => readTensorProto(new Uint8Array(msg(...parts)), 't.pb');
const reason = (...parts: number[][]): string => {
  try {
    read(...parts);
  } catch (e) {
    expect(e).toBeInstanceOf(ModelFormatError);
    return (e as ModelFormatError).reason;
  }
  throw new Error('expected a failure');
};

describe('TensorProto decoding', () => {
  it('keeps raw_data as a view into the file', () => {
    const bytes = new Uint8Array(msg(vint(1, 2), vint(2, 1), str(8, 'w'), len(9, floatBytes([1, 2]))));
    const t = readTensorProto(bytes, 't.pb');
    expect(t.data!.buffer).toBe(bytes.buffer);
    expect(t.data!.byteOffset).toBe(bytes.byteOffset + bytes.length - 8);
    expect(Array.from(tensorValues(t) as Float32Array)).toEqual([1, 2]);
  });

  it('reads dims packed or unpacked alike', () => {
    const a = read(vint(1, 2), vint(1, 3), vint(2, 2), len(9, [1, 2, 3, 4, 5, 6]));
    const b = read(len(1, [2, 3]), vint(2, 2), len(9, [1, 2, 3, 4, 5, 6]));
    expect(a.shape).toEqual([2, 3]);
    expect(b.shape).toEqual([2, 3]);
    expect(a.dtype).toBe('uint8');
  });

  it('keeps a single packed float_data run as a view, joins unpacked values', () => {
    const bytes = new Uint8Array(msg(vint(1, 3), vint(2, 1), len(4, floatBytes([1, -2, 3.5]))));
    const packed = readTensorProto(bytes, 't.pb');
    expect(packed.data!.buffer).toBe(bytes.buffer);
    const unpacked = read(vint(1, 3), vint(2, 1), f32(4, 1), f32(4, -2), len(4, floatBytes([3.5])));
    expect(Array.from(tensorValues(unpacked) as Float32Array)).toEqual([1, -2, 3.5]);
  });

  it('decodes int64_data varints exactly, packed or not', () => {
    const vals = [-1n, 2n ** 62n + 1n, -(2n ** 63n), 0n];
    const unpacked = read(vint(1, 4), vint(2, 7), ...vals.map((v) => vint(7, v)));
    const packed = read(vint(1, 4), vint(2, 7), len(7, vals.flatMap((v) => varint(v))));
    expect(Array.from(tensorValues(unpacked) as BigInt64Array)).toEqual(vals);
    expect(Array.from(tensorValues(packed) as BigInt64Array)).toEqual(vals);
  });

  it('narrows int32_data to the dtype: int8 keeps its sign, uint16 its range', () => {
    const i8 = read(vint(1, 3), vint(2, 3), len(5, [...varint(-128), ...varint(-1), ...varint(127)]));
    expect(Array.from(tensorValues(i8) as Int8Array)).toEqual([-128, -1, 127]);
    const u16 = read(vint(1, 2), vint(2, 4), len(5, [...varint(65535), ...varint(1)]));
    expect(Array.from(tensorValues(u16) as Uint16Array)).toEqual([65535, 1]);
  });

  it('reads uint32 from uint64_data', () => {
    const t = read(vint(1, 2), vint(2, 12), len(11, [...varint(4294967295), ...varint(7)]));
    expect(Array.from(tensorValues(t) as Uint32Array)).toEqual([4294967295, 7]);
  });

  it('reads int4 / uint4 packed two per byte, from raw_data or int32_data', () => {
    const raw = read(vint(1, 3), vint(2, 22), len(9, [0x21, 0x0f]));
    expect(raw.dtype).toBe('int4');
    expect(Array.from(raw.data!)).toEqual([0x21, 0x0f]);
    const typed = read(vint(1, 3), vint(2, 21), len(5, [...varint(0x21), ...varint(0x0f)]));
    expect(typed.dtype).toBe('uint4');
    expect(Array.from(typed.data!)).toEqual([0x21, 0x0f]);
    expect(reason(vint(1, 3), vint(2, 22), len(9, [0x21]))).toContain('has 1 bytes of raw_data but INT4 dims [3] need 2');
  });

  it('reads float8 types, one byte per value', () => {
    const names = ['float8e4m3fn', 'float8e4m3fnuz', 'float8e5m2', 'float8e5m2fnuz'];
    names.forEach((name, k) => {
      const t = read(vint(1, 2), vint(2, 17 + k), len(5, [...varint(0x38), ...varint(0xc0)]));
      expect(t.dtype).toBe(name);
      expect(Array.from(t.data!)).toEqual([0x38, 0xc0]);
    });
  });

  it('keeps raw bytes of ONNX types the IR has no dtype for, with a note', () => {
    const t = read(vint(1, 2), vint(2, 23), len(9, [0x12]));
    expect(t.dtype).toBe('unknown');
    expect(Array.from(t.data!)).toEqual([0x12]);
    expect(t.doc).toContain('FLOAT4E2M1');
  });

  it('packs string_data with count and offsets', () => {
    const t = read(vint(1, 2), vint(2, 8), str(6, 'ab'), str(6, 'xyz'));
    expect(t.dtype).toBe('string');
    const dv = new DataView(t.data!.buffer, t.data!.byteOffset);
    expect([0, 4, 8, 12].map((o) => dv.getInt32(o, true))).toEqual([2, 16, 18, 21]);
    expect(new TextDecoder().decode(t.data!.subarray(16))).toBe('abxyz');
  });

  it('treats an empty tensor as empty data and a dataless one as a note', () => {
    expect(read(vint(1, 0), vint(2, 1)).data!.length).toBe(0);
    const none = read(vint(1, 2), vint(2, 1), str(8, 'w'));
    expect(none.data).toBeUndefined();
    expect(none.doc).toBe('no values stored in the file');
  });

  it('rejects inconsistent tensors', () => {
    expect(reason(vint(1, 2), vint(2, 1), len(5, [1, 2]))).toContain("tensor '' of type FLOAT stores values in int32_data; ONNX keeps them in float_data");
    expect(reason(vint(1, 3), vint(2, 1), len(4, floatBytes([1, 2])))).toContain('has 2 values but FLOAT dims [3] need 3');
    expect(reason(vint(1, 1), vint(2, 1), len(4, [1, 2, 3, 4, 5]))).toContain('not a whole number of values');
    expect(reason(vint(1, 1), vint(2, 6), len(5, [0x80]))).toContain('a packed varint runs past the end of its field');
    expect(reason(vint(1, 1), vint(2, 1), len(9, floatBytes([1])), len(4, floatBytes([1])))).toContain('more than one of raw_data');
    expect(reason(vint(1, 1), vint(2, 8), len(9, [1]))).toContain('STRING uses raw_data');
    expect(reason(vint(1, -3), vint(2, 1))).toContain('negative dimension -3');
    expect(reason(vint(1, 2 ** 40), vint(1, 2 ** 40), vint(2, 1), len(9, [1]))).toContain('too many elements');
    expect(reason(vint(2, 1), len(3, [8, 1]))).toContain('segmented tensors');
    expect(reason(vint(2, 1), tag(4, 1), [0, 0, 0, 0, 0, 0, 0, 0])).toMatch(/field float_data has wire type 1 \(64-bit\), expected 5 \(32-bit\)/);
  });
});
