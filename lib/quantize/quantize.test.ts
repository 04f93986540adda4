/** The quantizer's output structure against the TFLite quantization spec, mode by mode. */
import { beforeAll, describe, expect, it } from 'vitest';
import type { Graph, Model, Tensor } from '../ir/types';
import { tensorValues } from '../ir/values';
import { writeTflite } from '../formats/tflite/write';
import { applyRecipe } from '../transforms/index';
import { collectStats } from './calibrate/collect';
import { selectRanges } from './calibrate/ranges';
import { quantize } from './index';
import { makeVariant } from './pipeline';
import { bundledImages, fashionOnnx, fashionSamples, fashionTfl, syntheticSamples, syntheticTfl } from './test-support';
import type { Range } from './types';

const byOp = (g: Graph, op: string) => g.nodes.filter((n) => n.op === `tfl.${op}`);
const tensor = (g: Graph, name: string): Tensor => { const t = g.tensors.get(name); if (!t) throw new Error(`no tensor ${name}`); return t; };

let fm: Model;
let fmRanges: Record<string, Range>;
let syn: Model;
let synRanges: Record<string, Range>;

beforeAll(async () => {
  fm = await fashionTfl();
  fmRanges = selectRanges(await collectStats(fm, fashionSamples(bundledImages('calibration'), 50), 50, { histogram: false }), 'minmax');
  syn = syntheticTfl();
  synRanges = selectRanges(await collectStats(syn, syntheticSamples(20), 20, { histogram: false }), 'minmax');
});

describe('int8 (full integer)', () => {
  it('Fashion-MNIST: every node int8, integer I/O, per-channel conv weights, int32 biases at s_in x s_w', () => {
    const { model, report } = quantize(fm, { mode: 'int8', ranges: fmRanges });
    const g = model.graphs[0]!;
    expect(report.counts).toEqual({ float: 0, int8: g.nodes.length, int16: 0 });
    expect(report.conversions).toBe(0);
    expect(tensor(g, g.inputs[0]!).dtype).toBe('int8');
    expect(tensor(g, g.outputs[0]!).dtype).toBe('int8');
    for (const n of byOp(g, 'CONV_2D')) {
      const [x, w, b] = n.inputs.map((i) => tensor(g, i));
      expect(w!.dtype).toBe('int8');
      expect(w!.quant!.axis).toBe(0);
      expect(w!.quant!.scale.length).toBe(w!.shape![0]);
      expect(w!.quant!.zeroPoint.every((z) => z === 0)).toBe(true);
      const codes = tensorValues(w!) as Int8Array;
      expect(Math.min(...codes)).toBeGreaterThanOrEqual(-127);
      expect(Math.max(...codes.map(Math.abs))).toBe(127); // the largest weight uses the full range
      expect(b!.dtype).toBe('int32');
      b!.quant!.scale.forEach((s, c) => expect(s).toBeCloseTo(x!.quant!.scale[0]! * w!.quant!.scale[c]!, 15));
      expect(n.version).toBeUndefined(); // the writer computes it from the int8 types
    }
    // Dense layers: one weight scale by default (see op-table.ts), per channel on request.
    for (const n of byOp(g, 'FULLY_CONNECTED')) expect(tensor(g, n.inputs[1]!).quant!.scale.length).toBe(1);
    const pc = quantize(fm, { mode: 'int8', ranges: fmRanges, perChannelDense: true }).model.graphs[0]!;
    for (const n of byOp(pc, 'FULLY_CONNECTED')) expect(tensor(pc, n.inputs[1]!).quant!.scale.length).toBeGreaterThan(1);
    // Pooling and reshape keep their input's parameters.
    for (const n of [...byOp(g, 'MAX_POOL_2D'), ...byOp(g, 'RESHAPE')]) {
      expect(tensor(g, n.outputs[0]!).quant).toEqual(tensor(g, n.inputs[0]!).quant);
    }
  });

  it('activation parameters follow the calibrated ranges', () => {
    const { model } = quantize(fm, { mode: 'int8', ranges: fmRanges });
    const g = model.graphs[0]!;
    const conv = byOp(g, 'CONV_2D')[0]!;
    const [lo, hi] = fmRanges[conv.outputs[0]!]!;
    const q = tensor(g, conv.outputs[0]!).quant!;
    expect(q.scale[0]).toBeCloseTo((Math.max(hi, 0) - Math.min(lo, 0)) / 255, 12);
  });

  it('synthetic graph: fixed softmax output, shared concat scale, LOG kept float between DEQUANTIZE and QUANTIZE', () => {
    const { model, report } = quantize(syn, { mode: 'int8', ranges: synRanges });
    const g = model.graphs[0]!;
    expect(tensor(g, 'y').quant).toMatchObject({ scale: [1 / 256], zeroPoint: [-128] });
    const concat = byOp(g, 'CONCATENATION')[0]!;
    const q = tensor(g, concat.outputs[0]!).quant!;
    for (const i of concat.inputs) expect(tensor(g, i).quant!.scale).toEqual(q.scale);
    // Max pool and average pool before the concat share its scale too (one group).
    expect(tensor(g, 'a').quant!.scale).toEqual(q.scale);
    const log = byOp(g, 'LOG')[0]!;
    expect(tensor(g, log.inputs[0]!).dtype).toBe('float32');
    expect(tensor(g, log.outputs[0]!).dtype).toBe('float32');
    expect(byOp(g, 'DEQUANTIZE').length).toBe(1);
    expect(byOp(g, 'QUANTIZE').length).toBe(1);
    expect(report.nodes.find((n) => n.node === 'log')).toMatchObject({ precision: 'float', reason: expect.stringMatching(/no integer kernel/) });
    expect(report.notes.join('\n')).toMatch(/1 node\(s\) stay float: LOG has no integer kernel/);
    // The model is still in execution order: every input is produced before it is read.
    const ready = new Set([...g.inputs, ...[...g.tensors.values()].filter((t) => t.data).map((t) => t.name)]);
    for (const n of g.nodes) {
      for (const i of n.inputs) if (i) expect(ready.has(i), `${n.name} reads ${i}`).toBe(true);
      n.outputs.forEach((o) => ready.add(o));
    }
    expect(() => writeTflite(model)).not.toThrow();
  });

  it('float I/O: inputs stay float32 with QUANTIZE after, outputs are DEQUANTIZEd under their own names', () => {
    const { model } = quantize(fm, { mode: 'int8', ranges: fmRanges, floatIO: true });
    const g = model.graphs[0]!;
    expect(g.inputs).toEqual(fm.graphs[0]!.inputs);
    expect(g.outputs).toEqual(fm.graphs[0]!.outputs);
    expect(tensor(g, g.inputs[0]!).dtype).toBe('float32');
    expect(tensor(g, g.outputs[0]!).dtype).toBe('float32');
    expect(g.nodes[0]!.op).toBe('tfl.QUANTIZE');
    expect(g.nodes.at(-1)!.op).toBe('tfl.DEQUANTIZE');
    expect(g.nodes.at(-1)!.outputs).toEqual(g.outputs);
  });

  it('mixed precision: a regex keeps nodes float, another runs 16x8 with int64 biases', () => {
    const { model, report } = quantize(syn, {
      mode: 'int8', ranges: synRanges,
      layers: [{ match: '/^fc$/', precision: 'float' }, { match: 'conv', precision: 'int16' }],
    });
    const g = model.graphs[0]!;
    expect(report.nodes.find((n) => n.node === 'fc')!.precision).toBe('float');
    expect(tensor(g, byOp(g, 'FULLY_CONNECTED')[0]!.inputs[1]!).dtype).toBe('float32');
    const conv = byOp(g, 'CONV_2D')[0]!;
    expect(tensor(g, conv.inputs[0]!).dtype).toBe('int16');
    expect(tensor(g, conv.inputs[0]!).quant!.zeroPoint).toEqual([0]);
    expect(tensor(g, conv.inputs[1]!).dtype).toBe('int8');
    expect(tensor(g, conv.inputs[2]!).dtype).toBe('int64');
    expect(tensor(g, conv.outputs[0]!).dtype).toBe('int16');
  });

  it('int16x8 mode: activations int16 symmetric, softmax output 1/32768', () => {
    const { model } = quantize(syn, { mode: 'int16x8', ranges: synRanges });
    const g = model.graphs[0]!;
    expect(tensor(g, 'x').dtype).toBe('int16');
    expect(tensor(g, 'y').quant).toMatchObject({ scale: [1 / 32768], zeroPoint: [0] });
    for (const t of g.tensors.values()) if (t.dtype === 'int16') expect(t.quant!.zeroPoint.every((z) => z === 0)).toBe(true);
  });

  it('refuses without ranges, on quantized input, and on other dialects', async () => {
    expect(() => quantize(fm, { mode: 'int8' })).toThrow(/needs calibrated activation ranges/);
    const q = quantize(fm, { mode: 'int8', ranges: fmRanges }).model;
    expect(() => quantize(q, { mode: 'int8', ranges: fmRanges })).toThrow(/already quantized/);
    const onnx = await fashionOnnx();
    expect(() => quantize(onnx, { mode: 'float16' })).toThrow(/onnx dialect; convert it to TFLite first/);
  });

  it('is pure: the float model is unchanged', () => {
    const before = [...fm.graphs[0]!.tensors.values()].map((t) => [t.name, t.dtype, t.data ? Buffer.from(t.data).toString('base64') : null]);
    quantize(fm, { mode: 'int8', ranges: fmRanges });
    quantize(fm, { mode: 'float16' });
    quantize(fm, { mode: 'dynamic' });
    expect([...fm.graphs[0]!.tensors.values()].map((t) => [t.name, t.dtype, t.data ? Buffer.from(t.data).toString('base64') : null])).toEqual(before);
  });
});

describe('preparing the float graph', () => {
  it('fuses a standalone RELU into the op before it (same numbers, one op less, output name kept)', () => {
    const g0 = syn.graphs[0]!;
    // ADD -> RELU -> (rest): the ADD of the synthetic graph gets a RELU after it.
    const add = g0.nodes.find((n) => n.op === 'tfl.ADD')!;
    const relu = { name: 'relu', op: 'tfl.RELU', inputs: ['e2'], outputs: ['e2r'], attrs: {} };
    const nodes = g0.nodes.flatMap((n) => (n === add ? [n, relu] : [{ ...n, inputs: n.inputs.map((x) => (x === 'e2' ? 'e2r' : x)) }]));
    const tensors = new Map(g0.tensors).set('e2r', { name: 'e2r', dtype: 'float32', shape: [1, 4, 4, 7] });
    const m: Model = { ...syn, graphs: [{ ...g0, nodes, tensors }] };
    const g = quantize(m, { mode: 'float16' }).model.graphs[0]!;
    expect(byOp(g, 'RELU')).toHaveLength(0);
    const fused = byOp(g, 'ADD')[0]!;
    expect(fused.attrs.fused_activation_function).toEqual({ kind: 'string', value: 'RELU' });
    expect(fused.outputs).toEqual(['e2r']);
    expect(g.tensors.has('e2')).toBe(false);
  });
});

describe('weight-only modes', () => {
  it('float16: every float constant stored as float16 behind one DEQUANTIZE, half the weight bytes', () => {
    const { model, report } = quantize(fm, { mode: 'float16' });
    const g = model.graphs[0]!;
    const floatConsts = [...fm.graphs[0]!.tensors.values()].filter((t) => t.data && t.dtype === 'float32');
    expect(byOp(g, 'DEQUANTIZE').length).toBe(floatConsts.length);
    for (const d of byOp(g, 'DEQUANTIZE')) expect(tensor(g, d.inputs[0]!).dtype).toBe('float16');
    expect(report.weightBytes.after / report.weightBytes.before).toBeGreaterThan(0.49);
    expect(report.weightBytes.after / report.weightBytes.before).toBeLessThan(0.51);
    expect(tensor(g, g.inputs[0]!).dtype).toBe('float32');
  });

  it('dynamic range: int8 weights of conv and dense layers, float activations, small weights kept', () => {
    const { model, report } = quantize(fm, { mode: 'dynamic' });
    const g = model.graphs[0]!;
    for (const n of [...byOp(g, 'CONV_2D'), ...byOp(g, 'FULLY_CONNECTED')]) {
      const w = tensor(g, n.inputs[1]!);
      const elements = w.shape!.reduce<number>((a, b) => a * (b as number), 1);
      expect(w.dtype).toBe(elements >= 1024 ? 'int8' : 'float32');
      expect(tensor(g, n.inputs[0]!).dtype).toBe('float32');
      expect(tensor(g, n.outputs[0]!).dtype).toBe('float32');
      if (n.inputs[2]) expect(tensor(g, n.inputs[2]).dtype).toBe('float32');
    }
    expect(report.nodes.filter((n) => n.precision === 'int8').length).toBeGreaterThan(0);
    expect(report.weightBytes.after).toBeLessThan(report.weightBytes.before * 0.3);
  });
});

describe('recipes', () => {
  it('replaying a variant\'s recipe on the source model gives the same bytes, without the calibration data', async () => {
    const src = await fashionOnnx();
    const images = bundledImages('calibration');
    const v = await makeVariant(src, {
      mode: 'int8', method: { percentile: 99.9 },
      calibration: { samples: fashionSamples(images, 40), count: 40, description: '40 bundled images' },
    });
    expect(v.recipe.map((s) => s.transform)).toEqual(['onnx-to-tfl', 'quantize']);
    const replay = applyRecipe(src, JSON.parse(JSON.stringify(v.recipe)));
    expect(replay.converted).toBe(true);
    expect(Buffer.from(writeTflite(replay.model)).equals(Buffer.from(v.bytes))).toBe(true);
    expect(v.model.metadata.quantization).toMatch(/int8.*percentile:99.9 over 40 bundled images/);
  });
});
