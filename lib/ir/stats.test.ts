import { describe, expect, it } from 'vitest';
import type { Tensor } from './types';
import { tensorStats } from './stats';
import { halfToFloat, tensorFloats, tensorValues } from './values';

function f32(values: number[], shape = [values.length]): Tensor {
  return { name: 'w', dtype: 'float32', shape, data: new Uint8Array(new Float32Array(values).buffer), isConstant: true };
}

describe('tensorStats', () => {
  it('computes min, max, mean, population std and the share of zeros', () => {
    const s = tensorStats(f32([0, 0, 1, 2, 3, -2]))!;
    expect(s.min).toBe(-2);
    expect(s.max).toBe(3);
    expect(s.mean).toBeCloseTo(4 / 6, 12);
    const mean = 4 / 6;
    const variance = [0, 0, 1, 2, 3, -2].reduce((a, x) => a + (x - mean) ** 2, 0) / 6;
    expect(s.std).toBeCloseTo(Math.sqrt(variance), 6);
    expect(s.zeros).toBeCloseTo(2 / 6, 12);
    expect(s.histogram.reduce((a, b) => a + b.count, 0)).toBe(6);
    expect(s.histogram[0]!.x0).toBe(-2);
    expect(s.histogram.at(-1)!.x1).toBeCloseTo(3, 9);
  });

  it('puts the maximum in the last bin and keeps NaN out of the numbers', () => {
    const s = tensorStats(f32([1, NaN, 5, 5]), 4)!;
    expect(s.nonFinite).toBe(1);
    expect(s.max).toBe(5);
    expect(s.histogram[3]!.count).toBe(2);
    expect(s.histogram[0]!.count).toBe(1);
  });

  it('dequantizes per-axis int8 weights channel by channel', () => {
    const t: Tensor = {
      name: 'q', dtype: 'int8', shape: [2, 2], isConstant: true,
      data: new Uint8Array(new Int8Array([10, -10, 10, -10]).buffer),
      quant: { scale: [0.5, 2], zeroPoint: [0, 1], axis: 0 },
    };
    expect(Array.from(tensorFloats(t)!)).toEqual([5, -5, 18, -22]);
    expect(tensorStats(t)!.dequantized).toBe(true);
  });

  it('reads float16 bits as values', () => {
    expect(halfToFloat(0x3c00)).toBe(1);
    expect(halfToFloat(0xc000)).toBe(-2);
    expect(halfToFloat(0x0001)).toBeCloseTo(5.96e-8, 10);
    const t: Tensor = { name: 'h', dtype: 'float16', shape: [2], data: new Uint8Array(new Uint16Array([0x3c00, 0x3800]).buffer) };
    expect(Array.from(tensorFloats(t)!)).toEqual([1, 0.5]);
  });

  it('copies misaligned data instead of failing', () => {
    const buf = new Uint8Array(9);
    new DataView(buf.buffer).setFloat32(1, 1.5, true);
    new DataView(buf.buffer).setFloat32(5, -3, true);
    const t: Tensor = { name: 'm', dtype: 'float32', shape: [2], data: buf.subarray(1) };
    expect(Array.from(tensorValues(t) as Float32Array)).toEqual([1.5, -3]);
  });

  it('returns null without data', () => {
    expect(tensorStats({ name: 'x', dtype: 'float32', shape: [1] })).toBeNull();
  });
});
