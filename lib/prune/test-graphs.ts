/**
 * Test support: small ONNX graphs with the structures channel pruning must follow (residual
 * adds, depthwise convs, batch norm, per-channel constants, concat, channel padding, flatten,
 * Gemm and MatMul). Built as ONNX bytes, so the tfl variants are the converter's real output.
 */
import { readModel } from '../formats/registry';
import type { Model, Node } from '../ir/types';
import { convertToTflite } from '../transforms/to-tflite';
import { aFloat, aInt, aInts, buildOnnx, seeded, type OnnxGraphSpec } from '../transforms/onnx-to-tfl/testdata/onnx-build';

const w = (dims: number[], seed: number, lo = -1, hi = 1) => ({ dims, values: seeded(dims.reduce((a, b) => a * b, 1), seed, lo, hi) });
const pads1 = aInts('pads', [1, 1, 1, 1]);

/** Residual block with a depthwise branch, BN, a per-channel Mul, a concat, GAP and two Gemms. */
export const residual: OnnxGraphSpec = {
  inputs: [{ name: 'x', shape: [1, 3, 12, 12] }],
  outputs: [{ name: 'y' }],
  nodes: [
    { name: 'c1', op: 'Conv', inputs: ['x', 'w1', 'b1'], outputs: ['a1'], attrs: [pads1] },
    { name: 'bn1', op: 'BatchNormalization', inputs: ['a1', 's1', 'o1', 'm1', 'v1'], outputs: ['a2'], attrs: [aFloat('epsilon', 1e-5)] },
    { name: 'r1', op: 'Relu', inputs: ['a2'], outputs: ['a3'] },
    { name: 'dw', op: 'Conv', inputs: ['a3', 'wd', 'bd'], outputs: ['d1'], attrs: [pads1, aInt('group', 8)] },
    { name: 'hs', op: 'HardSwish', inputs: ['d1'], outputs: ['d2'] },
    { name: 'c2', op: 'Conv', inputs: ['d2', 'w2', 'b2'], outputs: ['e1'] },
    { name: 'add', op: 'Add', inputs: ['a3', 'e1'], outputs: ['s1x'] },
    { name: 'mul', op: 'Mul', inputs: ['s1x', 'k'], outputs: ['s2'] },
    { name: 'c3', op: 'Conv', inputs: ['s2', 'w3', 'b3'], outputs: ['f1'] },
    { name: 'r3', op: 'Relu', inputs: ['f1'], outputs: ['f2'] },
    { name: 'c4', op: 'Conv', inputs: ['s2', 'w4', 'b4'], outputs: ['g1'], attrs: [pads1] },
    { name: 'clip', op: 'Clip', inputs: ['g1', 'lo', 'hi'], outputs: ['g2'] },
    { name: 'cat', op: 'Concat', inputs: ['f2', 'g2'], outputs: ['h'], attrs: [aInt('axis', 1)] },
    { name: 'mp', op: 'MaxPool', inputs: ['h'], outputs: ['hp'], attrs: [aInts('kernel_shape', [2, 2]), aInts('strides', [2, 2])] },
    { name: 'c5', op: 'Conv', inputs: ['hp', 'w5', 'b5'], outputs: ['i1'] },
    { name: 'r5', op: 'Relu', inputs: ['i1'], outputs: ['i2'] },
    { name: 'gap', op: 'GlobalAveragePool', inputs: ['i2'], outputs: ['j'] },
    { name: 'fl', op: 'Flatten', inputs: ['j'], outputs: ['jf'] },
    { name: 'fc1', op: 'Gemm', inputs: ['jf', 'wf1', 'bf1'], outputs: ['k1'], attrs: [aInt('transB', 1)] },
    { name: 'rf', op: 'Relu', inputs: ['k1'], outputs: ['k2'] },
    { name: 'fc2', op: 'Gemm', inputs: ['k2', 'wf2', 'bf2'], outputs: ['y'] },
  ],
  floats: {
    w1: w([8, 3, 3, 3], 1), b1: w([8], 2), s1: w([8], 3, 0.5, 1.5), o1: w([8], 4), m1: w([8], 5), v1: w([8], 6, 0.5, 2),
    wd: w([8, 1, 3, 3], 7), bd: w([8], 8), w2: w([8, 8, 1, 1], 9), b2: w([8], 10), k: w([8, 1, 1], 11, 0.5, 2),
    w3: w([6, 8, 1, 1], 12), b3: w([6], 13), w4: w([4, 8, 3, 3], 14), b4: w([4], 15), lo: { dims: [], values: [0] }, hi: { dims: [], values: [6] },
    w5: w([10, 10, 3, 3], 16), b5: w([10], 17), wf1: w([7, 10], 18), bf1: w([7], 19), wf2: w([7, 3], 20), bf2: w([3], 21),
  },
  opset: 14,
};

/** Channel padding joined by an add (as MediaPipe's BlazeFace blocks do), NCHW flatten and MatMuls. */
export const padded: OnnxGraphSpec = {
  inputs: [{ name: 'x', shape: [1, 4, 8, 8] }],
  outputs: [{ name: 'y' }],
  nodes: [
    { name: 'c1', op: 'Conv', inputs: ['x', 'w1', 'b1'], outputs: ['a'], attrs: [pads1] },
    { name: 'r1', op: 'Relu', inputs: ['a'], outputs: ['a1'] },
    { name: 'pad', op: 'Pad', inputs: ['a1', 'pads'], outputs: ['p'] },
    { name: 'c2', op: 'Conv', inputs: ['a1', 'w2', 'b2'], outputs: ['b'] },
    { name: 'add', op: 'Add', inputs: ['p', 'b'], outputs: ['s'] },
    { name: 'lr', op: 'LeakyRelu', inputs: ['s'], outputs: ['s1'], attrs: [aFloat('alpha', 0.1)] },
    { name: 'ap', op: 'AveragePool', inputs: ['s1'], outputs: ['s2'], attrs: [aInts('kernel_shape', [2, 2]), aInts('strides', [2, 2])] },
    { name: 'rs', op: 'Reshape', inputs: ['s2', 'shape'], outputs: ['f'] },
    { name: 'mm1', op: 'MatMul', inputs: ['f', 'wm1'], outputs: ['m'] },
    { name: 'bias', op: 'Add', inputs: ['m', 'bm1'], outputs: ['m1'] },
    { name: 'rm', op: 'Relu', inputs: ['m1'], outputs: ['m2'] },
    { name: 'mm2', op: 'MatMul', inputs: ['m2', 'wm2'], outputs: ['y'] },
  ],
  floats: {
    w1: w([6, 4, 3, 3], 31), b1: w([6], 32), w2: w([9, 6, 1, 1], 33), b2: w([9], 34),
    wm1: w([144, 5], 35), bm1: w([5], 36), wm2: w([5, 2], 37),
  },
  int64s: { pads: { dims: [8], values: [0, 0, 0, 0, 0, 3, 0, 0] }, shape: { dims: [2], values: [1, -1] } },
  opset: 13,
};

export async function onnxModel(spec: OnnxGraphSpec): Promise<Model> {
  return readModel([{ name: 'test.onnx', bytes: buildOnnx(spec) }]);
}

export async function tflModel(spec: OnnxGraphSpec): Promise<Model> {
  const r = convertToTflite(await onnxModel(spec));
  if (!r.converted) throw new Error(`conversion failed: ${JSON.stringify(r.reports.map((x) => x.notes))}`);
  return r.model;
}

/**
 * The model with every CONV_2D / FULLY_CONNECTED weight stored as int8, symmetric per output
 * channel (axis 0), behind a DEQUANTIZE: the layout of weight-only quantized TFLite models.
 */
export function int8Weights(model: Model): Model {
  const g = model.graphs[0]!;
  const tensors = new Map(g.tensors);
  const nodes: Node[] = [];
  for (const node of g.nodes) {
    const name = node.inputs[1] ?? '';
    const t = g.tensors.get(name);
    if (!(node.op === 'tfl.CONV_2D' || node.op === 'tfl.FULLY_CONNECTED') || !t?.data) { nodes.push(node); continue; }
    const shape = t.shape as number[];
    const v = new Float32Array(t.data.slice().buffer);
    const per = v.length / shape[0]!;
    const scale = Array.from({ length: shape[0]! }, (_, o) => Math.max(...v.subarray(o * per, (o + 1) * per).map(Math.abs)) / 127 || 1);
    const q = Int8Array.from(v, (x, i) => Math.round(x / scale[Math.floor(i / per)]!));
    tensors.set(`${name}/int8`, { name: `${name}/int8`, dtype: 'int8', shape, data: new Uint8Array(q.buffer), isConstant: true, quant: { scale, zeroPoint: scale.map(() => 0), axis: 0 } });
    tensors.set(name, { name, dtype: 'float32', shape });
    nodes.push({ name: `${name}/dequantize`, op: 'tfl.DEQUANTIZE', inputs: [`${name}/int8`], outputs: [name], attrs: {} }, node);
  }
  return { ...model, graphs: [{ ...g, nodes, tensors }, ...model.graphs.slice(1)] };
}
