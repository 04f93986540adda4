import { describe, expect, it } from 'vitest';
import { greyToRgba, imageLayout, imageToTensor } from './inputs';
import { latencyStats, topK } from './results';

describe('image inputs', () => {
  it('recognises NCHW and NHWC image shapes', () => {
    expect(imageLayout([1, 3, 224, 224])).toEqual({ layout: 'NCHW', channels: 3, height: 224, width: 224 });
    expect(imageLayout([1, 128, 128, 3])).toEqual({ layout: 'NHWC', channels: 3, height: 128, width: 128 });
    expect(imageLayout([1, 28, 28, 1])).toEqual({ layout: 'NHWC', channels: 1, height: 28, width: 28 });
    expect(imageLayout([1, 1, 28, 28])).toEqual({ layout: 'NCHW', channels: 1, height: 28, width: 28 });
    expect(imageLayout([null, 3, null, null], 64)).toEqual({ layout: 'NCHW', channels: 3, height: 64, width: 64 });
    expect(imageLayout([1, 16, 96])).toBeNull();
  });

  it('keeps pixels exactly when no resize is needed, in either layout', () => {
    const grey = Uint8Array.from({ length: 6 * 5 }, (_, i) => i * 8);
    const rgba = greyToRgba(grey, 6, 5);
    const nchw = imageToTensor(rgba, 6, 5, { name: 'x', dtype: 'float32', shape: [1, 1, 5, 6] }, 'unit');
    expect(nchw.shape).toEqual([1, 1, 5, 6]);
    Array.from(nchw.data as Float32Array).forEach((v, i) => expect(v).toBeCloseTo((i * 8) / 255, 5));
    const nhwc = imageToTensor(rgba, 6, 5, { name: 'x', dtype: 'float32', shape: [1, 5, 6, 1] }, 'raw');
    expect(Array.from(nhwc.data as Float32Array).map(Math.round)).toEqual(Array.from(grey));
  });

  it('puts RGB channels in planes for NCHW and interleaves them for NHWC', () => {
    const rgba = new Uint8ClampedArray([10, 20, 30, 255, 40, 50, 60, 255]);
    const nchw = imageToTensor(rgba, 2, 1, { name: 'x', dtype: 'float32', shape: [1, 3, 1, 2] }, 'raw');
    expect(Array.from(nchw.data as Float32Array)).toEqual([10, 40, 20, 50, 30, 60]);
    const nhwc = imageToTensor(rgba, 2, 1, { name: 'x', dtype: 'float32', shape: [1, 1, 2, 3] }, 'raw');
    expect(nhwc.shape).toEqual([1, 1, 2, 3]);
    expect(Array.from(nhwc.data as Float32Array)).toEqual([10, 20, 30, 40, 50, 60]);
  });

  it('averages when downscaling 2x and normalises to [-1, 1]', () => {
    const grey = new Uint8Array([0, 255, 255, 0]);
    const t = imageToTensor(greyToRgba(grey, 2, 2), 2, 2, { name: 'x', dtype: 'float32', shape: [1, 1, 1, 1] }, 'signed');
    expect((t.data as Float32Array)[0]).toBeCloseTo(0, 5);
  });

  it('refuses a non-image input with its name', () => {
    expect(() => imageToTensor(new Uint8ClampedArray(4), 1, 1, { name: 'audio', dtype: 'float32', shape: [1, 16000] }, 'unit')).toThrow(/audio/);
  });
});

describe('results', () => {
  it('ranks logits and turns them into probabilities', () => {
    const t = topK({ name: 'y', dtype: 'float32', shape: [1, 3], data: new Float32Array([1, 3, 2]) }, 2);
    expect(t.map((x) => x.index)).toEqual([1, 2]);
    const z = Math.exp(1) + Math.exp(3) + Math.exp(2);
    expect(t[0]!.prob).toBeCloseTo(Math.exp(3) / z, 6);
  });

  it('leaves probabilities as they are', () => {
    const t = topK({ name: 'y', dtype: 'float32', shape: [4], data: new Float32Array([0.1, 0.6, 0.2, 0.1]) }, 1);
    expect(t[0]).toMatchObject({ index: 1 });
    expect(t[0]!.prob).toBeCloseTo(0.6, 6);
  });

  it('computes median and p90 as numpy does', () => {
    const s = latencyStats([5, 1, 4, 2, 3, 10, 6, 7, 8, 9]);
    expect(s.medianMs).toBe(5.5);
    expect(s.p90Ms).toBeCloseTo(9.1, 10);
    expect(s.minMs).toBe(1);
    expect(s.meanMs).toBe(5.5);
  });
});
