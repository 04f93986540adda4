/**
 * Hand-built ONNX graphs exercising the layout-sensitive rules (depthwise, asymmetric pads,
 * ceil_mode, channel concat/softmax/reductions, Conv1d, BATCH_MATMUL). Each runs in onnxruntime
 * and, converted, in LiteRT.js; the outputs must agree.
 */
import * as ort from 'onnxruntime-web';
import { describe, expect, it } from 'vitest';
import { readModel } from '../../formats/registry';
import { tfliteFormat } from '../../formats/tflite/index';
import { writeTflite } from '../../formats/tflite/write';
import type { Model } from '../../ir/types';
import { litertAdapter } from '../../runtime/litert';
import type { ConversionReport } from '../types';
import { onnxToTfl, type OnnxToTflOptions } from './index';
import { aFloat, aInt, aInts, aString, buildOnnx, fromNhwc, seeded, toNhwc, type OnnxGraphSpec } from './testdata/onnx-build';


interface Checked { model: Model; report: ConversionReport; maxRelDiff: number }

/** Converts, runs both sides on seeded inputs, returns the worst diff relative to each output's range. */
async function check(spec: OnnxGraphSpec, options: OnnxToTflOptions = {}): Promise<Checked> {
  const bytes = buildOnnx(spec);
  const src = await readModel([{ name: 'test.onnx', bytes }]);
  const { model, report } = onnxToTfl(src, options);
  expect(report.unsupported).toEqual([]);
  const g = model.graphs[0]!;
  const session = await ort.InferenceSession.create(bytes, { executionProviders: ['wasm'] });
  const tflBytes = writeTflite(model);
  // Attribute names and values follow the reader's conventions, so they survive write -> read.
  const back = (await tfliteFormat.read([{ name: 't.tflite', bytes: tflBytes }])).graphs[0]!.nodes;
  expect(back.map((n) => n.op)).toEqual(g.nodes.map((n) => n.op));
  g.nodes.forEach((n, i) => {
    for (const [k, v] of Object.entries(n.attrs)) expect(back[i]!.attrs[k], `${n.op}.${k}`).toEqual(v);
  });
  const lrt = await litertAdapter.load({ bytes: tflBytes }, { backend: 'wasm' });
  const feeds: Record<string, ort.Tensor> = {};
  const hosts = spec.inputs.map((inp, k) => {
    const shape = inp.shape as number[];
    const x = Float32Array.from(seeded(shape.reduce((a, b) => a * b, 1), 11 + k));
    feeds[inp.name] = new ort.Tensor('float32', x, shape);
    const tshape = g.tensors.get(inp.name)!.shape as number[];
    const nhwc = shape.length === 4 && JSON.stringify(tshape) !== JSON.stringify(shape);
    return { name: inp.name, dtype: 'float32' as const, shape: tshape, data: nhwc ? toNhwc(x, shape) : x };
  });
  const ref = await session.run(feeds);
  const got = await lrt.run(hosts);
  let worst = 0;
  spec.outputs.forEach((o, i) => {
    const r = ref[o.name]!;
    const shape = r.dims as number[];
    let y = got[i]!.data as Float32Array;
    if (shape.length === 4 && JSON.stringify(got[i]!.shape) !== JSON.stringify(shape)) y = fromNhwc(y, shape);
    const a = r.data as Float32Array;
    expect(y.length).toBe(a.length);
    let diff = 0, lo = Infinity, hi = -Infinity;
    for (let j = 0; j < a.length; j++) {
      diff = Math.max(diff, Math.abs(a[j]! - y[j]!));
      lo = Math.min(lo, a[j]!);
      hi = Math.max(hi, a[j]!);
    }
    worst = Math.max(worst, diff / Math.max(hi - lo, 1e-6));
  });
  lrt.dispose();
  await session.release();
  return { model, report, maxRelDiff: worst };
}

const f = (dims: number[], seed: number, lo = -1, hi = 1) => ({ dims, values: seeded(dims.reduce((a, b) => a * b, 1), seed, lo, hi) });
const ops = (m: Model): string[] => m.graphs[0]!.nodes.map((n) => n.op);

/** Depthwise + RELU6 + 1x1 + BN + asymmetric pad + avg pool + channel concat + ceil-mode pool + Gemm. */
const mobileBlock: OnnxGraphSpec = {
  inputs: [{ name: 'x', shape: [1, 4, 9, 9] }],
  outputs: [{ name: 'feat', shape: [1, 12, 4, 4] }, { name: 'prob' }],
  floats: {
    wdw: f([8, 1, 3, 3], 1), bdw: f([8], 2), lo: { dims: [], values: [0] }, hi: { dims: [], values: [6] },
    w1: f([6, 8, 1, 1], 3), b1: f([6], 4), g: f([6], 5, 0.5, 1.5), be: f([6], 6), mu: f([6], 7), va: f([6], 8, 0.5, 2),
    w3: f([6, 6, 3, 3], 9), scale: f([12, 1, 1], 10), shift: f([1, 12, 1, 1], 11), wfc: f([5, 12], 12), bfc: f([5], 13),
  },
  nodes: [
    { op: 'Conv', inputs: ['x', 'wdw', 'bdw'], outputs: ['dw'], attrs: [aInt('group', 4), aInts('pads', [1, 1, 1, 1]), aInts('strides', [2, 2]), aInts('kernel_shape', [3, 3])] },
    { op: 'Clip', inputs: ['dw', 'lo', 'hi'], outputs: ['dw6'] },
    { op: 'Conv', inputs: ['dw6', 'w1', 'b1'], outputs: ['pw'] },
    { op: 'BatchNormalization', inputs: ['pw', 'g', 'be', 'mu', 'va'], outputs: ['bn'], attrs: [aFloat('epsilon', 1e-3)] },
    { op: 'Conv', inputs: ['bn', 'w3'], outputs: ['c3'], attrs: [aInts('pads', [0, 0, 1, 1]), aInts('kernel_shape', [3, 3])] },
    { op: 'AveragePool', inputs: ['c3'], outputs: ['ap'], attrs: [aInts('kernel_shape', [3, 3]), aInts('pads', [1, 1, 1, 1])] },
    { op: 'Concat', inputs: ['ap', 'c3'], outputs: ['cat'], attrs: [aInt('axis', 1)] },
    { op: 'Mul', inputs: ['cat', 'scale'], outputs: ['scaled'] },
    { op: 'Add', inputs: ['scaled', 'shift'], outputs: ['feat'] },
    { op: 'MaxPool', inputs: ['feat'], outputs: ['mp'], attrs: [aInts('kernel_shape', [3, 3]), aInts('strides', [2, 2]), aInt('ceil_mode', 1)] },
    { op: 'GlobalAveragePool', inputs: ['mp'], outputs: ['gap'] },
    { op: 'Flatten', inputs: ['gap'], outputs: ['flat'] },
    { op: 'Gemm', inputs: ['flat', 'wfc', 'bfc'], outputs: ['logits'], attrs: [aInt('transB', 1), aFloat('alpha', 0.5), aFloat('beta', 2)] },
    { op: 'Softmax', inputs: ['logits'], outputs: ['prob'] },
  ],
};

describe('onnx-to-tfl on synthetic graphs (onnxruntime vs LiteRT.js)', () => {
  it('mobile block: depthwise, folded BN, explicit pads, channel concat, ceil-mode pool', async () => {
    const { model, report, maxRelDiff } = await check(mobileBlock);
    expect(maxRelDiff).toBeLessThanOrEqual(1e-4);
    const o = ops(model);
    expect(o).toContain('tfl.DEPTHWISE_CONV_2D');
    expect(o).toContain('tfl.PAD'); // asymmetric conv pads
    expect(o).toContain('tfl.PADV2'); // ceil_mode max pool pads with the lowest float
    expect(o).not.toContain('tfl.TRANSPOSE');
    expect(report.stats.foldedBatchNorms).toBe(1);
    const dw = model.graphs[0]!.nodes.find((n) => n.op === 'tfl.DEPTHWISE_CONV_2D')!;
    expect(dw.attrs.fused_activation_function).toEqual({ kind: 'string', value: 'RELU6' });
    expect(dw.attrs.depth_multiplier).toEqual({ kind: 'int', value: 2 });
    const cat = model.graphs[0]!.nodes.find((n) => n.op === 'tfl.CONCATENATION')!;
    expect(cat.attrs.axis).toEqual({ kind: 'int', value: 3 });
    expect(model.graphs[0]!.tensors.get('feat')!.shape).toEqual([1, 4, 4, 12]);
  });

  it('keepLayout keeps NCHW at the boundary and still agrees', async () => {
    const { model, maxRelDiff } = await check(mobileBlock, { keepLayout: true });
    expect(maxRelDiff).toBeLessThanOrEqual(1e-4);
    expect(model.graphs[0]!.tensors.get('x')!.shape).toEqual([1, 4, 9, 9]);
    expect(model.graphs[0]!.tensors.get('feat')!.shape).toEqual([1, 12, 4, 4]);
  });

  it('softmax and reductions over the channel axis', async () => {
    const { maxRelDiff } = await check({
      inputs: [{ name: 'x', shape: [1, 3, 4, 5] }],
      outputs: [{ name: 'pooled' }, { name: 'summed' }],
      floats: { w: f([6, 3, 1, 1], 21) },
      int64s: { ax: { dims: [1], values: [1] } },
      nodes: [
        { op: 'Conv', inputs: ['x', 'w'], outputs: ['c'] },
        { op: 'Softmax', inputs: ['c'], outputs: ['s'], attrs: [aInt('axis', 1)] },
        { op: 'ReduceMean', inputs: ['s'], outputs: ['m'], attrs: [aInts('axes', [2, 3])] },
        { op: 'Sigmoid', inputs: ['m'], outputs: ['pooled'] },
        { op: 'ReduceSum', inputs: ['c', 'ax'], outputs: ['summed'], attrs: [aInt('keepdims', 0)] },
      ],
    });
    expect(maxRelDiff).toBeLessThanOrEqual(1e-4);
  });

  it('Conv1d, 1-D pooling, MatMul with a constant (FULLY_CONNECTED) and without (BATCH_MATMUL)', async () => {
    const { model, maxRelDiff } = await check({
      inputs: [{ name: 'x', shape: [1, 8, 10] }],
      outputs: [{ name: 'y' }, { name: 'gram' }],
      floats: { w: f([4, 8, 3], 31), b: f([4], 32), wm: f([4, 6], 33), bm: f([6], 34) },
      nodes: [
        { op: 'Conv', inputs: ['x', 'w', 'b'], outputs: ['c'], attrs: [aInts('pads', [1, 1])] },
        { op: 'LeakyRelu', inputs: ['c'], outputs: ['l'], attrs: [aFloat('alpha', 0.1)] },
        { op: 'MaxPool', inputs: ['l'], outputs: ['p'], attrs: [aInts('kernel_shape', [2]), aInts('strides', [2])] },
        { op: 'Transpose', inputs: ['p'], outputs: ['t'], attrs: [aInts('perm', [0, 2, 1])] },
        { op: 'MatMul', inputs: ['t', 'wm'], outputs: ['mm'] },
        { op: 'Add', inputs: ['mm', 'bm'], outputs: ['a'] },
        { op: 'Tanh', inputs: ['a'], outputs: ['y'] },
        { op: 'Transpose', inputs: ['y'], outputs: ['yt'], attrs: [aInts('perm', [0, 2, 1])] },
        { op: 'MatMul', inputs: ['y', 'yt'], outputs: ['gram'] },
      ],
    });
    expect(maxRelDiff).toBeLessThanOrEqual(1e-4);
    expect(ops(model)).toContain('tfl.BATCH_MATMUL');
    expect(ops(model)).toContain('tfl.FULLY_CONNECTED');
  });

  it('reflect Pad, strided and reversed Slice, Size folded', async () => {
    const { model, maxRelDiff } = await check({
      inputs: [{ name: 'x', shape: [1, 2, 6, 7] }],
      outputs: [{ name: 'y' }, { name: 'r' }],
      int64s: {
        pads: { dims: [8], values: [0, 0, 2, 1, 0, 0, 1, 2] },
        st: { dims: [2], values: [1, 0] }, en: { dims: [2], values: [100, -1] }, ax: { dims: [2], values: [2, 3] }, sp: { dims: [2], values: [2, 1] },
        rst: { dims: [1], values: [-1] }, ren: { dims: [1], values: [-1000] }, rax: { dims: [1], values: [3] }, rsp: { dims: [1], values: [-1] },
      },
      nodes: [
        { op: 'Pad', inputs: ['x', 'pads'], outputs: ['p'], attrs: [aString('mode', 'reflect')] },
        { op: 'Slice', inputs: ['p', 'st', 'en', 'ax', 'sp'], outputs: ['s'] },
        { op: 'Relu', inputs: ['s'], outputs: ['y'] },
        { op: 'Slice', inputs: ['x', 'rst', 'ren', 'rax', 'rsp'], outputs: ['r'] },
      ],
    });
    expect(maxRelDiff).toBeLessThanOrEqual(1e-4);
    expect(ops(model)).toContain('tfl.MIRROR_PAD');
    expect(ops(model)).toContain('tfl.STRIDED_SLICE');
  });

  it('Resize (nearest x2, bilinear half-pixel, align-corners) and DepthToSpace / SpaceToDepth', async () => {
    const { model, maxRelDiff } = await check({
      inputs: [{ name: 'x', shape: [1, 8, 5, 6] }],
      outputs: [{ name: 'up' }, { name: 'bil' }, { name: 'ac' }, { name: 'd2s' }, { name: 's2d' }],
      floats: { sc2: { dims: [4], values: [1, 1, 2, 2] }, w: f([8, 8, 1, 1], 41) },
      int64s: { sz: { dims: [4], values: [1, 8, 7, 13] } },
      nodes: [
        { op: 'Conv', inputs: ['x', 'w'], outputs: ['c'] },
        { op: 'Resize', inputs: ['c', '', 'sc2'], outputs: ['up'], attrs: [aString('mode', 'nearest')] },
        { op: 'Resize', inputs: ['c', '', '', 'sz'], outputs: ['bil'], attrs: [aString('mode', 'linear')] },
        { op: 'Resize', inputs: ['c', '', '', 'sz'], outputs: ['ac'], attrs: [aString('mode', 'linear'), aString('coordinate_transformation_mode', 'align_corners')] },
        { op: 'DepthToSpace', inputs: ['c'], outputs: ['d2s'], attrs: [aInt('blocksize', 2)] },
        { op: 'SpaceToDepth', inputs: ['up'], outputs: ['s2d'], attrs: [aInt('blocksize', 2)] },
      ],
    });
    expect(maxRelDiff).toBeLessThanOrEqual(1e-4);
    expect(ops(model)).toEqual(expect.arrayContaining(['tfl.RESIZE_NEAREST_NEIGHBOR', 'tfl.RESIZE_BILINEAR', 'tfl.DEPTH_TO_SPACE', 'tfl.SPACE_TO_DEPTH']));
    expect(ops(model)).not.toContain('tfl.TRANSPOSE');
  });

  it('ConvTranspose: SAME (k4 s2 p1), VALID, and cropped asymmetric pads', async () => {
    const { model, maxRelDiff } = await check({
      inputs: [{ name: 'x', shape: [1, 3, 5, 4] }],
      outputs: [{ name: 'same' }, { name: 'valid' }, { name: 'crop' }],
      floats: { w: f([3, 6, 4, 4], 51), b: f([6], 52), w3: f([3, 2, 3, 3], 53) },
      nodes: [
        { op: 'ConvTranspose', inputs: ['x', 'w', 'b'], outputs: ['same'], attrs: [aInts('strides', [2, 2]), aInts('pads', [1, 1, 1, 1])] },
        { op: 'ConvTranspose', inputs: ['x', 'w3'], outputs: ['valid'], attrs: [aInts('strides', [2, 2])] },
        { op: 'ConvTranspose', inputs: ['x', 'w3'], outputs: ['crop'], attrs: [aInts('strides', [2, 2]), aInts('pads', [0, 1, 2, 0])] },
      ],
    });
    expect(maxRelDiff).toBeLessThanOrEqual(1e-4);
    expect(ops(model).filter((o) => o === 'tfl.TRANSPOSE_CONV')).toHaveLength(3);
    expect(ops(model)).not.toContain('tfl.TRANSPOSE');
  });
});
