import { describe, expect, it } from 'vitest';
import type { HostTensor } from '../runtime/types';
import { compareOutputs, compareTensor, hostValues, isClassifierShaped } from './compare';

const f32 = (name: string, shape: number[], v: number[]): HostTensor => ({ name, dtype: 'float32', shape, data: Float32Array.from(v) });

describe('compareTensor', () => {
  it('accepts differences up to 1e-4 of the range and rejects larger ones', () => {
    const ref = f32('y', [4], [0, 10, 5, 2]); // range 10 -> tolerance 1e-3
    expect(compareTensor(f32('y', [4], [0.0009, 10, 5, 2]), ref).ok).toBe(true);
    const bad = compareTensor(f32('y', [4], [0, 10, 5, 2.002]), ref);
    expect(bad.ok).toBe(false);
    expect(bad.maxAbs).toBeCloseTo(0.002, 6);
    expect(bad.detail).toMatch(/worst at flat index 3/);
  });

  it('requires integers to be equal unless a step is allowed', () => {
    const ref: HostTensor = { name: 'q', dtype: 'int8', shape: [3], data: Int8Array.from([-128, 0, 127]) };
    const off: HostTensor = { name: 'q', dtype: 'int8', shape: [3], data: Int8Array.from([-128, 1, 127]) };
    expect(compareTensor(off, ref).ok).toBe(false);
    expect(compareTensor(off, ref, { intTolerance: 1 }).ok).toBe(true);
    expect(compareTensor(ref, ref).maxAbs).toBe(0);
  });

  it('fails a top-1 flip on a classifier output even within tolerance, unless it is a tie', () => {
    // range 1000 -> tolerance 0.1; classes 1 and 2 differ by 0.05 in the reference: a tie.
    const ref = f32('p', [1, 4], [0, 1000, 999.95, 3]);
    const flipped = f32('p', [1, 4], [0, 999.94, 999.99, 3]);
    const tie = compareTensor(flipped, ref);
    expect(tie.top1).toEqual({ actual: 2, expected: 1 });
    expect(tie.ok).toBe(true);
    expect(tie.detail).toMatch(/tie/);
    const ref2 = f32('p', [1, 4], [0, 1000, 999.5, 3]);
    const flip2 = f32('p', [1, 4], [0, 999.95, 999.55, 3]);
    expect(compareTensor(f32('p', [1, 4], [0, 999.5, 1000, 3]), ref2).ok).toBe(false);
    expect(compareTensor(flip2, ref2).ok).toBe(true); // same top-1, within 0.1
  });

  it('treats NaN against a number as a mismatch and NaN against NaN as agreement', () => {
    expect(compareTensor(f32('n', [2], [NaN, 1]), f32('n', [2], [NaN, 1])).ok).toBe(true);
    const r = compareTensor(f32('n', [2], [NaN, 1]), f32('n', [2], [0, 1]));
    expect(r.ok).toBe(false);
    expect(r.maxAbs).toBe(Infinity);
  });

  it('uses the magnitude as scale for a constant output', () => {
    const ref = f32('c', [3], [1, 1, 1]);
    expect(compareTensor(f32('c', [3], [1, 1.00005, 1]), ref).ok).toBe(true);
    expect(compareTensor(f32('c', [3], [1, 1.001, 1]), ref).ok).toBe(false);
  });

  it('ignores size-1 dims but not different element layouts', () => {
    expect(compareTensor(f32('s', [1, 1, 3], [1, 2, 3]), f32('s', [1, 3], [1, 2, 3])).ok).toBe(true);
    expect(compareTensor(f32('s', [3, 2], [1, 2, 3, 4, 5, 6]), f32('s', [2, 3], [1, 2, 3, 4, 5, 6])).ok).toBe(false);
  });

  it('decodes float16 bits and int64', () => {
    // 0x3c00 = 1, 0xc000 = -2, 0x7e00 = NaN, 0x0001 = smallest subnormal.
    const h: HostTensor = { name: 'h', dtype: 'float16', shape: [4], data: Uint16Array.from([0x3c00, 0xc000, 0x7e00, 0x0001]) };
    const v = hostValues(h);
    expect([v[0], v[1], Number.isNaN(v[2]!), v[3]]).toEqual([1, -2, true, 2 ** -24]);
    const l: HostTensor = { name: 'l', dtype: 'int64', shape: [2], data: BigInt64Array.from([-5n, 7n]) };
    expect(Array.from(hostValues(l))).toEqual([-5, 7]);
  });

  it('knows classifier shapes', () => {
    expect(isClassifierShaped([1, 10])).toBe(true);
    expect(isClassifierShaped([10])).toBe(true);
    expect(isClassifierShaped([1, 896, 16])).toBe(false);
    expect(isClassifierShaped([1, 1])).toBe(false);
  });
});

describe('compareOutputs', () => {
  it('pairs by name when both sides share distinct names, else by position', () => {
    const a = [f32('x', [2], [1, 2]), f32('y', [2], [3, 4])];
    expect(compareOutputs([a[1]!, a[0]!], a).ok).toBe(true);
    const renamed = [f32('0', [2], [1, 2]), f32('1', [2], [3, 4])];
    expect(compareOutputs(renamed, a).ok).toBe(true);
    expect(compareOutputs([renamed[1]!, renamed[0]!], a).ok).toBe(false);
    expect(compareOutputs([a[0]!], a).ok).toBe(false);
  });
});
