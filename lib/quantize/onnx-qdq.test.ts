/** QDQ ONNX export: the structure onnxruntime's quantizer writes, run by onnxruntime-web. */
import * as ort from 'onnxruntime-web';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Graph, Model } from '../ir/types';
import { tensorValues } from '../ir/values';
import { readOnnx } from '../formats/onnx/index';
import { writeOnnx } from '../formats/onnx/write';
import { collectStats } from './calibrate/collect';
import { selectRanges } from './calibrate/ranges';
import { onnxQdq } from './onnx-qdq';
import { argmax, bundledImages, fashionOnnx } from './test-support';
import type { Range } from './types';

const cal = bundledImages('calibration');
const test = bundledImages('test');
const nchw = (im: typeof cal, i: number) => ({ name: 'image', dtype: 'float32' as const, shape: [1, 1, 28, 28], data: Float32Array.from(im.pixels.subarray(i * 784, (i + 1) * 784), (v) => v / 255) });

let src: Model;
let ranges: Record<string, Range>;
beforeAll(async () => {
  src = await fashionOnnx();
  ranges = selectRanges(await collectStats(src, (function* () { for (let i = 0; i < 100; i++) yield [nchw(cal, i)]; })(), 100, { histogram: false }), 'minmax');
});

const ops = (g: Graph, op: string) => g.nodes.filter((n) => n.op === `onnx.${op}`);

async function accuracy(bytes: Uint8Array, n = test.count): Promise<number> {
  const s = await ort.InferenceSession.create(bytes, { executionProviders: ['wasm'] });
  let ok = 0;
  for (let i = 0; i < n; i++) {
    const x = nchw(test, i);
    const y = (await s.run({ image: new ort.Tensor('float32', x.data as Float32Array, x.shape) })).logits!.data as Float32Array;
    if (argmax(y) === test.labels![i]) ok++;
  }
  await s.release();
  return ok / n;
}

describe('QDQ ONNX', () => {
  it('folds BatchNorm and Relu, quantizes Conv weights per channel with int32 biases, keeps I/O names and types', () => {
    const { model, report } = onnxQdq(src, { ranges });
    const g = model.graphs[0]!;
    expect(ops(g, 'BatchNormalization')).toHaveLength(0);
    expect(ops(g, 'Relu')).toHaveLength(0);
    expect(report.removedActivations).toBeGreaterThanOrEqual(2);
    expect(report.counts.float).toBe(0);
    for (const conv of ops(g, 'Conv')) {
      const dqW = g.nodes.find((n) => n.outputs[0] === conv.inputs[1])!;
      expect(dqW.op).toBe('onnx.DequantizeLinear');
      expect(dqW.attrs.axis).toEqual({ kind: 'int', value: 0 });
      const w = g.tensors.get(dqW.inputs[0]!)!;
      expect(w.dtype).toBe('int8');
      const wScale = Array.from(tensorValues(g.tensors.get(dqW.inputs[1]!)!) as Float32Array);
      expect(wScale.length).toBe(w.shape![0]);
      const dqB = g.nodes.find((n) => n.outputs[0] === conv.inputs[2])!;
      expect(g.tensors.get(dqB.inputs[0]!)!.dtype).toBe('int32');
      const bScale = Array.from(tensorValues(g.tensors.get(dqB.inputs[1]!)!) as Float32Array);
      const dqX = g.nodes.find((n) => n.outputs[0] === conv.inputs[0])!;
      const xScale = (tensorValues(g.tensors.get(dqX.inputs[1]!)!) as Float32Array)[0]!;
      bScale.forEach((s, c) => expect(s).toBeCloseTo(Math.fround(xScale * wScale[c]!), 6));
    }
    expect(g.inputs).toEqual(src.graphs[0]!.inputs);
    expect(g.outputs).toEqual(src.graphs[0]!.outputs);
    expect(g.nodes.find((n) => n.outputs.includes('logits'))!.op).toBe('onnx.DequantizeLinear');
    // What the writer writes, the reader reads back the same.
    expect(readOnnx(writeOnnx(model), 'q.onnx').graphs[0]!.nodes.map((n) => n.op)).toEqual(g.nodes.map((n) => n.op));
  });

  it('runs in onnxruntime-web with the float model\'s accuracy within a point, uint8 (default) and int8 activations, 4x smaller', async () => {
    const floatBytes = writeOnnx(src);
    const floatAcc = await accuracy(floatBytes);
    const s8 = writeOnnx(onnxQdq(src, { ranges, activations: 'int8' }).model);
    const u8 = writeOnnx(onnxQdq(src, { ranges }).model);
    expect(readOnnx(u8, 'u8.onnx').graphs[0]!.tensors.get('image_QuantizeLinear_Output')!.dtype).toBe('uint8');
    const [a8, au8] = [await accuracy(s8), await accuracy(u8)];
    console.log(`ORT on 1000 bundled test images: float ${(100 * floatAcc).toFixed(1)}%, QDQ int8 ${(100 * a8).toFixed(1)}%, uint8 ${(100 * au8).toFixed(1)}%; ${floatBytes.length} -> ${s8.length} bytes`);
    expect(floatAcc - a8).toBeLessThanOrEqual(0.01);
    expect(floatAcc - au8).toBeLessThanOrEqual(0.01);
    expect(floatBytes.length / s8.length).toBeGreaterThan(3.5);
  }, 120_000);

  it('keeps nodes float on request and names why others stay float', () => {
    const { model, report } = onnxQdq(src, { ranges, keepFloat: ['/fc2/'] });
    expect(report.nodes.find((n) => n.node.includes('fc2'))).toMatchObject({ precision: 'float', reason: 'kept float (your choice)' });
    const gemm = ops(model.graphs[0]!, 'Gemm').find((n) => n.name.includes('fc2'))!;
    expect(model.graphs[0]!.tensors.get(gemm.inputs[1]!)!.dtype).toBe('float32');
  });

  it('refuses other dialects and old opsets', () => {
    expect(() => onnxQdq({ ...src, dialect: 'tfl' }, { ranges })).toThrow(/ONNX models/);
    expect(() => onnxQdq({ ...src, opsets: { '': 9 } }, { ranges })).toThrow(/opset >= 10/);
  });
});
