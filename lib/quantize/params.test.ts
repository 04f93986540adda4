import { describe, expect, it } from 'vitest';
import { absMaxPerChannel, activationParams, quantizeActivation, quantizeBias, quantizeWeights, roundHalfAway, weightParams } from './params';

describe('quantization parameters (TFLite spec)', () => {
  it('rounds half away from zero like std::round', () => {
    expect([-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 2.4999].map(roundHalfAway)).toEqual([-3, -2, -1, 1, 2, 3, 2]);
  });

  it('int8 activations: asymmetric, range widened to hold 0, integer zero point', () => {
    const q = activationParams(0, 6, 'int8');
    expect(q.scale[0]).toBeCloseTo(6 / 255, 12);
    expect(q.zeroPoint[0]).toBe(-128); // real 0 is the lowest code: ReLU outputs use all 255 steps
    const r = activationParams(-1, 3, 'int8');
    expect(r.scale[0]).toBeCloseTo(4 / 255, 12);
    expect(r.zeroPoint[0]).toBe(roundHalfAway(-128 + 1 / (4 / 255)));
    const pos = activationParams(2, 4, 'int8'); // widened to [0, 4]
    expect(pos.min).toEqual([0]);
    expect(pos.scale[0]).toBeCloseTo(4 / 255, 12);
  });

  it('zero maps to an exact code, so zero padding is exact', () => {
    for (const [lo, hi] of [[-0.3, 5.1], [-7, 0.2], [-1e-3, 1e-3]] as const) {
      const q = activationParams(lo, hi, 'int8');
      const codes = quantizeActivation([0], q, 'int8');
      expect((codes[0]! - q.zeroPoint[0]!) * q.scale[0]!).toBe(0);
    }
  });

  it('int16 activations are symmetric with zero point 0', () => {
    const q = activationParams(-2, 8, 'int16');
    expect(q.zeroPoint).toEqual([0]);
    expect(q.scale[0]).toBeCloseTo(8 / 32767, 12);
  });

  it('a constant-zero tensor still gets a positive scale', () => {
    const q = activationParams(0, 0, 'int8');
    expect(q.scale[0]).toBeGreaterThan(0);
  });

  it('weights: symmetric per channel in [-127, 127], zero point 0', () => {
    // 2 output channels x 3: channel 0 max |w| = 2, channel 1 max |w| = 0.5.
    const w = Float32Array.from([1, -2, 0.5, 0.25, 0.5, -0.125]);
    const abs = absMaxPerChannel(w, [2, 3], 0);
    expect(abs).toEqual([2, 0.5]);
    const q = weightParams(abs, 0);
    expect(q).toEqual({ scale: [Math.fround(2 / 127), Math.fround(0.5 / 127)], zeroPoint: [0, 0], axis: 0 });
    expect(Array.from(quantizeWeights(w, [2, 3], q))).toEqual([64, -127, 32, 64, 127, -32]);
  });

  it('weights per channel along the last axis (depthwise [1, H, W, C])', () => {
    const w = Float32Array.from([1, 10, -3, 20]); // [1,1,2,2]: channel 0 = {1, -3}, channel 1 = {10, 20}
    expect(absMaxPerChannel(w, [1, 1, 2, 2], 3)).toEqual([3, 20]);
  });

  it('biases: int32 at input scale x weight scale; saturation is counted', () => {
    const r = quantizeBias(Float32Array.from([0.5, -1]), 0.01, [0.1, 0.2], false);
    expect(r.scale).toEqual([0.01 * 0.1, 0.01 * 0.2]);
    expect(Array.from(r.data as Int32Array)).toEqual([500, -500]);
    expect(r.saturated).toBe(0);
    const big = quantizeBias(Float32Array.from([1e6]), 1e-4, [1e-4], false);
    expect(big.saturated).toBe(1);
    expect((big.data as Int32Array)[0]).toBe(2147483647);
    const wide = quantizeBias(Float32Array.from([1e6]), 1e-4, [1e-4], true);
    expect((wide.data as BigInt64Array)[0]).toBe(100000000000000n);
  });
});
