/** Structure of the converted graphs: what the passes must leave (and must not leave) behind. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AbortedError } from '../../formats/errors';
import { readModel } from '../../formats/registry';
import { tfliteFormat } from '../../formats/tflite/index';
import { writeTflite } from '../../formats/tflite/write';
import type { Model } from '../../ir/types';
import { tensorFloats } from '../../ir/values';
import { applyRecipe } from '../index';
import { onnxToTfl } from './index';
import { buildOnnx } from './testdata/onnx-build';

async function fashion(): Promise<Model> {
  const bytes = new Uint8Array(readFileSync('public/models/fashion-mnist-cnn.onnx'));
  return readModel([{ name: 'fashion-mnist-cnn.onnx', bytes }]);
}

const floatsOf = (m: Model, name: string): Float64Array => tensorFloats(m.graphs[0]!.tensors.get(name)!)!;

describe('onnx-to-tfl structure on Fashion-MNIST', () => {
  it('leaves no TRANSPOSE, folds both BatchNorms and fuses the ReLUs', async () => {
    const { model, report } = onnxToTfl(await fashion(), {});
    expect(report.converted).toBe(true);
    const g = model.graphs[0]!;
    expect(g.nodes.map((n) => n.op)).toEqual(['tfl.CONV_2D', 'tfl.MAX_POOL_2D', 'tfl.CONV_2D', 'tfl.MAX_POOL_2D', 'tfl.RESHAPE', 'tfl.FULLY_CONNECTED', 'tfl.FULLY_CONNECTED']);
    expect(report.stats.foldedBatchNorms).toBe(2);
    expect(report.stats.transposesInserted).toBeGreaterThan(0);
    expect(report.stats.transposesRemoved).toBe(report.stats.transposesInserted);
    const acts = g.nodes.map((n) => (n.attrs.fused_activation_function as { value?: string } | undefined)?.value);
    expect(acts).toEqual(['RELU', 'NONE', 'RELU', 'NONE', undefined, 'RELU', 'NONE']);
    expect(g.tensors.get('image')!.shape).toEqual([1, 28, 28, 1]);
    expect(model.dialect).toBe('tfl');
    for (const t of g.tensors.values()) expect(t.shape!.every((d) => typeof d === 'number')).toBe(true);
  });

  it('folds BN into conv1 weights (OHWI) and bias, computed independently from the ONNX tensors', async () => {
    const src = await fashion();
    const { model } = onnxToTfl(src, {});
    const conv = model.graphs[0]!.nodes[0]!;
    const w = floatsOf(model, conv.inputs[1]!), b = floatsOf(model, conv.inputs[2]!);
    const W = floatsOf(src, 'conv1.weight'), B = floatsOf(src, 'conv1.bias');
    const [gamma, beta, mean, variance] = ['bn1.weight', 'bn1.bias', 'bn1.running_mean', 'bn1.running_var'].map((n) => floatsOf(src, n));
    const eps = 1e-5;
    for (let o = 0; o < 16; o++) {
      const s = gamma![o]! / Math.sqrt(variance![o]! + eps);
      expect(b[o]).toBeCloseTo((B[o]! - mean![o]!) * s + beta![o]!, 5);
      for (let kh = 0; kh < 3; kh++) for (let kw = 0; kw < 3; kw++) {
        // ONNX OIHW [16,1,3,3] -> TFLite OHWI [16,3,3,1]
        expect(w[(o * 3 + kh) * 3 + kw]).toBeCloseTo(W[(o * 3 + kh) * 3 + kw]! * s, 5);
      }
    }
    const conv2 = model.graphs[0]!.nodes[2]!;
    expect(model.graphs[0]!.tensors.get(conv2.inputs[1]!)!.shape).toEqual([32, 3, 3, 16]);
  });

  it('permutes the first FULLY_CONNECTED weight columns from NCHW to NHWC flattening', async () => {
    const src = await fashion();
    const { model } = onnxToTfl(src, {});
    const fc = model.graphs[0]!.nodes.find((n) => n.op === 'tfl.FULLY_CONNECTED')!;
    const w = floatsOf(model, fc.inputs[1]!);
    const W = floatsOf(src, 'fc1.weight');
    for (const o of [0, 17, 95]) {
      for (let c = 0; c < 32; c += 5) for (let h = 0; h < 7; h += 2) for (let x = 0; x < 7; x += 3) {
        expect(w[o * 1568 + (h * 7 + x) * 32 + c]).toBe(W[o * 1568 + c * 49 + h * 7 + x]);
      }
    }
  });

  it('is pure: the input model is untouched and unchanged weights are shared, not copied', async () => {
    const src = await fashion();
    const before = JSON.stringify(src.graphs[0]!.nodes);
    const tensorsBefore = new Map(src.graphs[0]!.tensors);
    const { model } = onnxToTfl(src, {});
    expect(JSON.stringify(src.graphs[0]!.nodes)).toBe(before);
    for (const [k, t] of tensorsBefore) expect(src.graphs[0]!.tensors.get(k)).toBe(t);
    const fc2 = model.graphs[0]!.nodes[6]!;
    const orig = src.graphs[0]!.tensors.get('fc2.weight')!.data!;
    expect(model.graphs[0]!.tensors.get(fc2.inputs[1]!)!.data === orig).toBe(true);
  });

  it('writes attributes the TFLite reader reads back identically', async () => {
    const { model } = onnxToTfl(await fashion(), {});
    const back = await tfliteFormat.read([{ name: 'x.tflite', bytes: writeTflite(model) }]);
    const a = model.graphs[0]!.nodes, b = back.graphs[0]!.nodes;
    expect(b.map((n) => n.op)).toEqual(a.map((n) => n.op));
    a.forEach((n, i) => {
      for (const [k, v] of Object.entries(n.attrs)) expect(b[i]!.attrs[k], `${n.op}.${k}`).toEqual(v);
    });
  });

  it('reports progress from 0 to 1 in order', async () => {
    const seen: number[] = [];
    onnxToTfl(await fashion(), {}, (f) => seen.push(f));
    expect(seen[0]).toBe(0.05);
    expect(seen[seen.length - 1]).toBe(1);
    expect([...seen].sort((a, b) => a - b)).toEqual(seen);
  });

  it('replays from a recipe by transform name', async () => {
    const src = await fashion();
    const r = applyRecipe(src, [{ transform: 'onnx-to-tfl', options: { keepLayout: true } }]);
    expect(r.converted).toBe(true);
    expect(r.model.graphs[0]!.tensors.get('image')!.shape).toEqual([1, 1, 28, 28]);
    expect(() => applyRecipe(src, [{ transform: 'no-such-pass', options: {} }])).toThrow(/unknown transform/);
  });

  it('honours an aborted signal', async () => {
    const src = await fashion();
    const ac = new AbortController();
    ac.abort();
    expect(() => onnxToTfl(src, {}, undefined, ac.signal)).toThrow(AbortedError);
  });
});

describe('onnx-to-tfl reports what it cannot convert', () => {
  it('names unsupported ops with their nodes and count, and marks the model unconverted', async () => {
    const bytes = buildOnnx({
      inputs: [{ name: 'x', shape: [3, 3] }],
      outputs: [{ name: 'z' }],
      nodes: [
        { op: 'Relu', inputs: ['x'], outputs: ['a'] },
        // Det has no TFLite expression (lib/verify/onnx-expressible.ts), so it stays refused.
        { op: 'Det', inputs: ['a'], outputs: ['b'], name: 'det1' },
        { op: 'Det', inputs: ['a'], outputs: ['c'], name: 'det2' },
        { op: 'Frobnicate', inputs: ['b', 'c'], outputs: ['z'], name: 'custom1', domain: 'com.example' },
      ],
    });
    const src = await readModel([{ name: 't.onnx', bytes }]);
    const { model, report } = onnxToTfl(src, {});
    expect(report.converted).toBe(false);
    const det = report.unsupported.find((u) => u.op === 'onnx.Det')!;
    expect(det.nodes).toEqual(['det1', 'det2']);
    expect(det.count).toBe(2);
    expect(report.unsupported.find((u) => u.nodes.includes('custom1'))?.reason).toMatch(/custom op/);
    // The partial graph keeps the failing nodes where they were.
    expect(model.graphs[0]!.nodes.map((n) => n.op)).toEqual(['tfl.RELU', 'onnx.Det', 'onnx.Det', 'onnx.Frobnicate']);
  });

  it('stops on open input dims unless inputShapes fixes them', async () => {
    const bytes = new Uint8Array(readFileSync('fixtures/third_party/openwakeword/embedding_model.onnx'));
    const src = await readModel([{ name: 'embedding_model.onnx', bytes }]);
    const open = onnxToTfl(src, {});
    expect(open.report.converted).toBe(false);
    expect(open.report.unsupported[0]!.reason).toMatch(/not static/);
    const fixed = onnxToTfl(src, { inputShapes: { input_1: [1, 76, 32, 1] } });
    expect(fixed.report.converted).toBe(true);
    // tf2onnx's NHWC input is first reshaped, so it is not treated as an NCHW image.
    expect(fixed.model.graphs[0]!.tensors.get('input_1')!.shape).toEqual([1, 76, 32, 1]);
    expect(fixed.model.graphs[0]!.nodes.some((n) => n.op === 'tfl.TRANSPOSE')).toBe(false);
  });

  it('refuses a model that is not ONNX', async () => {
    const src = await readModel([{ name: 'add.tflite', bytes: new Uint8Array(readFileSync('fixtures/own/add.tflite')) }]);
    const { report } = onnxToTfl(src, {});
    expect(report.converted).toBe(false);
  });

  it('silero VAD (If + LSTM): Ifs are inlined, LSTMs unrolled; v5 with a run-time sr stops naming its dynamic-shape ops', async () => {
    const cases: Array<[string, Record<string, number[]>, boolean]> = [
      ['silero_vad_v5.onnx', { input: [1, 512], state: [2, 1, 128] }, false],
      ['silero_vad_legacy.onnx', { input: [1, 512] }, true],
    ];
    for (const [file, shapes, converts] of cases) {
      const bytes = new Uint8Array(readFileSync(`fixtures/third_party/silero-vad/${file}`));
      const src = await readModel([{ name: file, bytes }]);
      const { report } = onnxToTfl(src, { inputShapes: shapes });
      expect(report.converted, file).toBe(converts);
      const stopped = report.unsupported.map((u) => u.op);
      expect(stopped, file).not.toContain('onnx.LSTM');
      expect(stopped, file).not.toContain('onnx.If');
      if (!converts) {
        expect(stopped.length, file).toBeGreaterThan(0);
        for (const op of stopped) expect(op, file).toMatch(/^onnx\.(Squeeze|Unsqueeze|Shape)$/);
      }
    }
  });
});
