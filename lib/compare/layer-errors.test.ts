import { describe, expect, it } from 'vitest';
import { collectStats } from '../quantize/calibrate/collect';
import { selectRanges } from '../quantize/calibrate/ranges';
import { quantize } from '../quantize/index';
import { bundledImages, fashionSamples, fashionTfl } from '../quantize/test-support';
import { layerErrors } from './layer-errors';

describe('per-layer error of a quantized variant', () => {
  it('gives every quantized node an SQNR; 16-bit activations beat 8; a node kept float beats its int8 self', async () => {
    const float = await fashionTfl();
    const cal = bundledImages('calibration');
    const ranges = selectRanges(await collectStats(float, fashionSamples(cal, 50), 50, { histogram: false }), 'minmax');
    const sets = [...fashionSamples(bundledImages('test'), 8)];
    const int8 = quantize(float, { mode: 'int8', ranges, floatIO: true }).model;
    const e8 = await layerErrors(float, int8, sets);
    const names = int8.graphs[0]!.nodes.filter((n) => !/QUANTIZE/.test(n.op)).map((n) => n.name);
    expect(e8.map((e) => e.node)).toEqual(expect.arrayContaining(names));
    for (const e of e8.filter((x) => names.includes(x.node))) { expect(e.sqnrDb).toBeGreaterThan(15); expect(e.sqnrDb).toBeLessThan(60); }
    const e16 = await layerErrors(float, quantize(float, { mode: 'int16x8', ranges, floatIO: true }).model, sets);
    const conv = names.find((n) => n.includes('conv2'))!;
    // 16-bit activations remove the activation half of the error (the weights stay int8).
    expect(e16.find((e) => e.node === conv)!.sqnrDb).toBeGreaterThan(e8.find((e) => e.node === conv)!.sqnrDb + 1);
    const keep = quantize(float, { mode: 'int8', ranges, floatIO: true, layers: [{ match: '/fc2/', precision: 'float' }] }).model;
    const ek = await layerErrors(float, keep, sets);
    // fc2 runs float on slightly different (dequantized) inputs: much better than int8, not exact.
    const fc2 = ek.find((e) => e.node.includes('fc2'))!;
    expect(fc2.sqnrDb).toBeGreaterThan(e8.find((e) => e.node.includes('fc2'))!.sqnrDb);
  }, 120_000);
});
