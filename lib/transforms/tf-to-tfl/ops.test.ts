/**
 * TF ops the fixture models do not use, in one hand-built tf.* graph: explicit conv padding,
 * a conv with a fused BatchNorm + Elu, Transpose, MirrorPad, ResizeNearestNeighbor, StridedSlice
 * masks, Slice, Mean, Squeeze, MatMul, BatchMatMulV2, Maximum. The reference is the same math
 * in tfjs ops; the converted model runs in LiteRT.js. Plus structure: weights permuted, report.
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { writeTflite } from '../../formats/tflite/write';
import type { AttrValue, Graph, Model, Node, Tensor } from '../../ir/types';
import { tensorValues } from '../../ir/values';
import { seededRandom } from '../../runtime/host-tensor';
import { litertAdapter } from '../../runtime/litert';
import { compareOutputs } from '../../verify/index';
import { convertTfToTflite } from './index';

const F: AttrValue = { kind: 'dtype', value: 'float32' };
const ints = (value: number[]): AttrValue => ({ kind: 'ints', value });
const s = (value: string): AttrValue => ({ kind: 'string', value });
const i = (value: number): AttrValue => ({ kind: 'int', value });

class G {
  tensors = new Map<string, Tensor>();
  nodes: Node[] = [];
  rnd = seededRandom(3);
  vals = new Map<string, Float32Array>();
  constant(name: string, shape: number[], values?: number[], dtype: 'float32' | 'int32' = 'float32'): string {
    const n = shape.reduce((a, b) => a * b, 1);
    const v = values ?? Array.from({ length: n }, () => this.rnd() - 0.5);
    const data = dtype === 'int32' ? new Uint8Array(Int32Array.from(v).buffer) : new Uint8Array(Float32Array.from(v).buffer);
    if (dtype === 'float32') this.vals.set(name, Float32Array.from(v));
    this.tensors.set(name, { name, dtype, shape, data, isConstant: true });
    return name;
  }
  node(op: string, name: string, inputs: string[], attrs: Record<string, AttrValue> = {}): string {
    this.nodes.push({ name, op: `tf.${op}`, inputs, outputs: [name], attrs: { T: F, ...attrs } });
    this.tensors.set(name, { name, dtype: 'float32', shape: null });
    return name;
  }
}

function graph(): { model: Model; g: G } {
  const g = new G();
  g.tensors.set('x', { name: 'x', dtype: 'float32', shape: [null, 9, 9, 4] });
  g.constant('w1', [3, 3, 4, 6]);
  g.node('Conv2D', 'c1', ['x', 'w1'], { strides: ints([1, 2, 2, 1]), padding: s('EXPLICIT'), explicit_paddings: ints([0, 0, 1, 2, 2, 0, 0, 0]), data_format: s('NHWC'), dilations: ints([1, 1, 1, 1]) });
  g.constant('w2', [1, 1, 6, 5]);
  g.constant('scale', [5]); g.constant('offset', [5]); g.constant('mean', [5]);
  g.constant('var', [5], [0.5, 0.7, 1.1, 0.9, 1.3]);
  g.node('_FusedConv2D', 'c2', ['c1', 'w2', 'scale', 'offset', 'mean', 'var'], {
    strides: ints([1, 1, 1, 1]), padding: s('VALID'), data_format: s('NHWC'), fused_ops: { kind: 'strings', value: ['FusedBatchNorm', 'Elu'] },
    epsilon: { kind: 'float', value: 0.001 }, num_args: i(4),
  });
  g.node('Transpose', 't', ['c2', g.constant('perm', [4], [0, 2, 1, 3], 'int32')]);
  g.node('MirrorPad', 'mp', ['t', g.constant('mpp', [4, 2], [0, 0, 1, 1, 2, 2, 0, 0], 'int32')], { mode: s('REFLECT') });
  g.node('ResizeNearestNeighbor', 'rs', ['mp', g.constant('size', [2], [7, 11], 'int32')], { align_corners: { kind: 'bool', value: false }, half_pixel_centers: { kind: 'bool', value: true } });
  g.node('StridedSlice', 'ss', ['rs', g.constant('b', [4], [0, 1, 0, 0], 'int32'), g.constant('e', [4], [0, 6, 11, 3], 'int32'), g.constant('st', [4], [1, 2, 3, 1], 'int32')],
    { begin_mask: i(9), end_mask: i(1), ellipsis_mask: i(0), new_axis_mask: i(0), shrink_axis_mask: i(0) });
  g.node('Slice', 'sl', ['ss', g.constant('sb', [4], [0, 0, 1, 0], 'int32'), g.constant('sz', [4], [-1, 2, -1, 2], 'int32')]);
  g.node('Mean', 'mn', ['sl', g.constant('ax', [2], [1, 2], 'int32')], { keep_dims: { kind: 'bool', value: true } });
  g.node('Squeeze', 'sq', ['mn'], { squeeze_dims: ints([1, 2]) });
  g.node('MatMul', 'mm', ['sq', g.constant('wm', [2, 3])], { transpose_a: { kind: 'bool', value: false }, transpose_b: { kind: 'bool', value: false } });
  g.node('Maximum', 'out1', ['mm', g.constant('floor', [], [0.05])]);
  g.node('Reshape', 'r', ['sl', g.constant('rshape', [3], [-1, 6, 2], 'int32')]);
  g.node('BatchMatMulV2', 'out2', ['r', 'r'], { adj_x: { kind: 'bool', value: false }, adj_y: { kind: 'bool', value: true } });
  const main: Graph = { name: 'main', nodes: g.nodes, inputs: ['x'], outputs: ['out1', 'out2'], tensors: g.tensors };
  return { model: { format: 'tfjs-graph', dialect: 'tf', name: 'ops.json', files: [], graphs: [main], metadata: {}, opsets: {} }, g };
}

function reference(g: G, x: tf.Tensor4D): tf.Tensor[] {
  const c = (n: string, shape: number[]) => tf.tensor(g.vals.get(n)!, shape);
  return tf.tidy(() => {
    const c1 = tf.conv2d(x, c('w1', [3, 3, 4, 6]) as tf.Tensor4D, [2, 2], [[0, 0], [1, 2], [2, 0], [0, 0]]);
    const raw = tf.conv2d(c1, c('w2', [1, 1, 6, 5]) as tf.Tensor4D, 1, 'valid');
    const c2 = tf.elu(tf.batchNorm(raw, c('mean', [5]), c('var', [5]), c('offset', [5]), c('scale', [5]), 0.001));
    const t = tf.transpose(c2, [0, 2, 1, 3]);
    const mp = tf.mirrorPad(t, [[0, 0], [1, 1], [2, 2], [0, 0]], 'reflect');
    const rs = tf.image.resizeNearestNeighbor(mp as tf.Tensor4D, [7, 11], false, true);
    const ss = tf.stridedSlice(rs, [0, 1, 0, 0], [0, 6, 11, 3], [1, 2, 3, 1], 9, 1);
    const sl = tf.slice(ss, [0, 0, 1, 0], [-1, 2, -1, 2]);
    const sq = tf.squeeze(tf.mean(sl, [1, 2], true), [1, 2]);
    const out1 = tf.maximum(tf.matMul(sq as tf.Tensor2D, c('wm', [2, 3]) as tf.Tensor2D), 0.05);
    const r = tf.reshape(sl, [-1, 6, 2]);
    return [out1, tf.matMul(r as tf.Tensor3D, r as tf.Tensor3D, false, true)];
  });
}

describe('tf-to-tfl: assorted ops', () => {
  it('a hand-built graph of 14 TF ops matches the same math in tfjs, in LiteRT.js', async () => {
    await tf.setBackend('cpu');
    const { model: src, g } = graph();
    const { model, report } = convertTfToTflite(src, { batch: 2 });
    expect(report.unsupported).toEqual([]);
    const out = model.graphs[0]!;
    expect(out.nodes.every((n) => n.op.startsWith('tfl.'))).toBe(true);
    expect(out.nodes.some((n) => n.op === 'tfl.PAD')).toBe(true); // EXPLICIT padding
    expect(out.nodes.some((n) => n.op === 'tfl.BATCH_MATMUL')).toBe(true);
    const session = await litertAdapter.load({ bytes: writeTflite(model) }, { backend: 'wasm' });
    try {
      for (let run = 0; run < 2; run++) {
        const rnd = seededRandom(20 + run);
        const data = Float32Array.from({ length: 2 * 9 * 9 * 4 }, () => rnd() * 2 - 1);
        const refs = reference(g, tf.tensor4d(data, [2, 9, 9, 4]));
        const got = await session.run([{ name: 'x', dtype: 'float32', shape: [2, 9, 9, 4], data }]);
        const ref = refs.map((t, k) => ({ name: out.outputs[k]!, dtype: 'float32' as const, shape: t.shape, data: t.dataSync() as Float32Array }));
        const cmp = compareOutputs(got, ref);
        expect(cmp.ok, cmp.detail).toBe(true);
      }
    } finally {
      session.dispose();
    }
  }, 60_000);

  it('Conv2D weights go HWIO -> OHWI; depthwise HWCM -> [1, H, W, C*M] sharing the bytes', () => {
    const g = new G();
    g.tensors.set('x', { name: 'x', dtype: 'float32', shape: [1, 5, 5, 2] });
    g.constant('w', [2, 3, 2, 4]);
    g.node('Conv2D', 'c', ['x', 'w'], { strides: ints([1, 1, 1, 1]), padding: s('SAME') });
    g.constant('dw', [3, 3, 4, 2]);
    g.node('DepthwiseConv2dNative', 'd', ['c', 'dw'], { strides: ints([1, 2, 2, 1]), padding: s('VALID') });
    g.node('Relu6', 'y', ['d']);
    const main: Graph = { name: 'main', nodes: g.nodes, inputs: ['x'], outputs: ['y'], tensors: g.tensors };
    const { model, report } = convertTfToTflite({ format: 'tfjs-graph', dialect: 'tf', name: 'w.json', files: [], graphs: [main], metadata: {}, opsets: {} });
    expect(report.converted).toBe(true);
    const out = model.graphs[0]!;
    const conv = out.nodes.find((n) => n.op === 'tfl.CONV_2D')!;
    const filter = out.tensors.get(conv.inputs[1]!)!;
    expect(filter.shape).toEqual([4, 2, 3, 2]);
    const hwio = g.vals.get('w')!, ohwi = tensorValues(filter) as Float32Array;
    for (let o = 0; o < 4; o++) for (let h = 0; h < 2; h++) for (let w = 0; w < 3; w++) for (let c = 0; c < 2; c++) {
      expect(ohwi[((o * 2 + h) * 3 + w) * 2 + c]).toBe(hwio[((h * 3 + w) * 2 + c) * 4 + o]);
    }
    const dw = out.nodes.find((n) => n.op === 'tfl.DEPTHWISE_CONV_2D')!;
    expect(out.tensors.get(dw.inputs[1]!)!.shape).toEqual([1, 3, 3, 8]);
    expect(out.tensors.get(dw.inputs[1]!)!.data).toBe(g.tensors.get('dw')!.data);
    expect(dw.attrs.depth_multiplier).toEqual({ kind: 'int', value: 2 });
    expect(dw.attrs.stride_h).toEqual({ kind: 'int', value: 2 });
    // The standalone Relu6 is fused into the depthwise conv.
    expect(dw.attrs.fused_activation_function).toEqual({ kind: 'string', value: 'RELU6' });
    expect(out.nodes.map((n) => n.op)).toEqual(['tfl.CONV_2D', 'tfl.DEPTHWISE_CONV_2D']);
  });

  it('unsupported ops are reported by type, node and count; nothing downstream is blamed', () => {
    const g = new G();
    g.tensors.set('x', { name: 'x', dtype: 'float32', shape: [1, 4] });
    // Where's output size depends on the values: no static-shaped TFLite lowering.
    g.node('Where', 'e1', ['x']);
    g.node('Where', 'e2', ['x']);
    g.node('AddV2', 'y', ['e1', 'e2']);
    const main: Graph = { name: 'main', nodes: g.nodes, inputs: ['x'], outputs: ['y'], tensors: g.tensors };
    const { report } = convertTfToTflite({ format: 'tfjs-graph', dialect: 'tf', name: 'u.json', files: [], graphs: [main], metadata: {}, opsets: {} });
    expect(report.converted).toBe(false);
    expect(report.unsupported).toEqual([{ op: 'tf.Where', nodes: ['e1', 'e2'], count: 2, reason: 'no TFLite lowering for this op' }]);
  });

  it('an open non-batch dimension is reported, and inputShapes fixes it', () => {
    const g = new G();
    g.tensors.set('x', { name: 'x', dtype: 'float32', shape: [null, null, 3] });
    g.node('Relu', 'y', ['x']);
    const model: Model = { format: 'tfjs-graph', dialect: 'tf', name: 'o.json', files: [], graphs: [{ name: 'main', nodes: g.nodes, inputs: ['x'], outputs: ['y'], tensors: g.tensors }], metadata: {}, opsets: {} };
    const a = convertTfToTflite(model, {});
    expect(a.report.converted).toBe(false);
    expect(a.report.unsupported[0]!.op).toBe('input');
    const b = convertTfToTflite(model, { inputShapes: { x: [2, 7, 3] } });
    expect(b.report.converted).toBe(true);
    expect(b.model.graphs[0]!.tensors.get('x')!.shape).toEqual([2, 7, 3]);
  });
});
