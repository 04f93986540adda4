import { describe, expect, it } from 'vitest';
import { collectStats } from '../quantize/calibrate/collect';
import { selectRanges } from '../quantize/calibrate/ranges';
import { quantize } from '../quantize/index';
import { bundledImages, fashionSamples, fashionTfl } from '../quantize/test-support';
import { histogram, nodeHistograms } from './histograms';

const sum = (a: number[]) => a.reduce((x, y) => x + y, 0);

describe('histogram', () => {
  it('bins both sides on shared edges; the maximum lands in the last bin', () => {
    const h = histogram([0, 1, 2, 3], [0, 0, 4], 4);
    expect(h.edges).toEqual([0, 1, 2, 3, 4]);
    expect(h.float).toEqual([1, 1, 1, 1]);
    expect(h.quantized).toEqual([2, 0, 0, 1]);
  });
  it('a constant gets a one-wide bin around it; no finite value gives no bins', () => {
    expect(histogram([2, 2], [2], 2)).toEqual({ edges: [1.5, 2, 2.5], float: [0, 2], quantized: [0, 1] });
    expect(histogram([NaN], [Infinity]).edges).toEqual([]);
  });
});

describe('nodeHistograms', () => {
  it('int8 and float16 weights of a conv against the float ones, and its activation on the samples', async () => {
    const float = await fashionTfl();
    const ranges = selectRanges(await collectStats(float, fashionSamples(bundledImages('calibration'), 30), 30, { histogram: false }), 'minmax');
    const sets = [...fashionSamples(bundledImages('test'), 4)];
    const conv = float.graphs[0]!.nodes.find((n) => n.op === 'tfl.CONV_2D' && n.name.includes('conv2'))!;
    const w = float.graphs[0]!.tensors.get(conv.inputs[1]!)!;
    const count = w.shape!.reduce<number>((a, d) => a * (d as number), 1);

    const int8 = await nodeHistograms(float, quantize(float, { mode: 'int8', ranges, floatIO: true }).model, conv.name, sets);
    expect(int8.weights!.dtype).toBe('int8');
    expect(sum(int8.weights!.float)).toBe(count);
    expect(sum(int8.weights!.quantized)).toBe(count);
    // Per-channel int8: at most 255 levels per channel, far fewer values than the float weights have.
    expect(int8.weights!.distinct).toBeLessThanOrEqual(255 * (w.shape![0] as number));
    const act = int8.activations!;
    const perSample = float.graphs[0]!.tensors.get(conv.outputs[0]!)!.shape!.reduce<number>((a, d) => a * (d as number), 1);
    expect(sum(act.float)).toBe(4 * perSample);
    expect(sum(act.quantized)).toBe(4 * perSample);
    expect(act.float).not.toEqual(act.quantized);

    const f16 = await nodeHistograms(float, quantize(float, { mode: 'float16' }).model, conv.name, sets);
    expect(f16.weights!.dtype).toBe('float16');
    expect(sum(f16.weights!.quantized)).toBe(count);
  }, 120_000);
});
