/**
 * One small TFLite graph per op (and attribute variant): built as IR, written with the project's
 * TFLite writer, run in LiteRT.js, and compared with the tfjs executor on the same IR and inputs.
 */
import { describe, expect, it } from 'vitest';
import { writeTflite } from '../../formats/tflite/write';
import type { AttrValue, DType, Model, Node, Quantization, Tensor } from '../../ir/types';
import { randomHostTensor, seededRandom } from '../host-tensor';
import { litertAdapter } from '../litert';
import { tfjsAdapter } from './index';
import { expectAgree } from './test-helpers';

interface T { shape: number[]; dtype?: DType; values?: number[]; quant?: Quantization }
interface Case {
  name: string;
  op: string;
  attrs?: Record<string, string | number | boolean | number[]>;
  /** Graph inputs (random) and constants (values given), in operator input order. */
  inputs: Array<T & { name: string }>;
  outputs: Array<T & { name: string }>;
  /** Allowed max |diff| in units of the output scale (int8 kernels round differently). */
  quantSteps?: number;
}

const rnd = seededRandom(42);
const consts = (n: number, lo = -1, hi = 1) => Array.from({ length: n }, () => lo + (hi - lo) * rnd());
const NONE = { fused_activation_function: 'NONE' };

function attr(v: string | number | boolean | number[]): AttrValue {
  if (Array.isArray(v)) return { kind: 'ints', value: v };
  if (typeof v === 'boolean') return { kind: 'bool', value: v };
  if (typeof v === 'string') return { kind: 'string', value: v };
  return Number.isInteger(v) ? { kind: 'int', value: v } : { kind: 'float', value: v };
}

function bytes(dtype: DType, values: number[]): Uint8Array {
  const arr = dtype === 'int32' ? Int32Array.from(values) : dtype === 'int8' ? Int8Array.from(values) : Float32Array.from(values);
  return new Uint8Array(arr.buffer);
}

function buildModel(c: Case): Model {
  const tensors = new Map<string, Tensor>();
  for (const t of [...c.inputs, ...c.outputs]) {
    const tensor: Tensor = { name: t.name, dtype: t.dtype ?? 'float32', shape: t.shape };
    if (t.values) { tensor.data = bytes(tensor.dtype, t.values); tensor.isConstant = true; }
    if (t.quant) tensor.quant = t.quant;
    tensors.set(t.name, tensor);
  }
  const attrs: Record<string, AttrValue> = {};
  for (const [k, v] of Object.entries(c.attrs ?? {})) attrs[k] = attr(v);
  const node: Node = { name: c.name, op: `tfl.${c.op}`, inputs: c.inputs.map((t) => t.name), outputs: c.outputs.map((t) => t.name), attrs };
  return {
    format: 'tflite', dialect: 'tfl', name: `${c.name}.tflite`, files: [], metadata: {}, opsets: { tflite: 3 },
    graphs: [{ name: 'main', nodes: [node], inputs: c.inputs.filter((t) => !t.values).map((t) => t.name), outputs: c.outputs.map((t) => t.name), tensors }],
  };
}

const x = (shape: number[], name = 'x') => ({ name, shape });
const k = (name: string, shape: number[], values: number[], dtype?: DType) => ({ name, shape, values, dtype });
const y = (shape: number[], name = 'y') => ({ name, shape });

const CASES: Case[] = [
  { name: 'conv_same_s2_relu6', op: 'CONV_2D', attrs: { padding: 'SAME', stride_h: 2, stride_w: 2, dilation_h_factor: 1, dilation_w_factor: 1, fused_activation_function: 'RELU6' },
    inputs: [x([1, 5, 5, 3]), k('w', [4, 3, 3, 3], consts(108)), k('b', [4], consts(4))], outputs: [y([1, 3, 3, 4])] },
  { name: 'conv_valid_dilated', op: 'CONV_2D', attrs: { padding: 'VALID', stride_h: 1, stride_w: 1, dilation_h_factor: 2, dilation_w_factor: 2, ...NONE },
    inputs: [x([1, 7, 7, 2]), k('w', [3, 3, 3, 2], consts(54)), k('b', [3], consts(3))], outputs: [y([1, 3, 3, 3])] },
  { name: 'depthwise_mult2_relu', op: 'DEPTHWISE_CONV_2D', attrs: { padding: 'SAME', stride_h: 1, stride_w: 1, depth_multiplier: 2, dilation_h_factor: 1, dilation_w_factor: 1, fused_activation_function: 'RELU' },
    inputs: [x([1, 5, 5, 3]), k('w', [1, 3, 3, 6], consts(54)), k('b', [6], consts(6))], outputs: [y([1, 5, 5, 6])] },
  { name: 'fc_keep_dims', op: 'FULLY_CONNECTED', attrs: { keep_num_dims: true, ...NONE },
    inputs: [x([2, 3, 4]), k('w', [5, 4], consts(20)), k('b', [5], consts(5))], outputs: [y([2, 3, 5])] },
  { name: 'fc_flatten', op: 'FULLY_CONNECTED', attrs: { keep_num_dims: false, fused_activation_function: 'RELU' },
    inputs: [x([2, 3, 4]), k('w', [5, 4], consts(20)), k('b', [5], consts(5))], outputs: [y([6, 5])] },
  { name: 'add_broadcast_relu_n1', op: 'ADD', attrs: { fused_activation_function: 'RELU_N1_TO_1', pot_scale_int16: true }, inputs: [x([1, 2, 3]), k('c', [3], [0.5, -0.25, 2])], outputs: [y([1, 2, 3])] },
  // TFLite kernels ignore a fused TANH (only RELU, RELU6, RELU_N1_TO_1 clamp the output).
  { name: 'mul_tanh', op: 'MUL', attrs: { fused_activation_function: 'TANH' }, inputs: [x([2, 3]), x([2, 3], 'x2')], outputs: [y([2, 3])] },
  { name: 'sub_relu6', op: 'SUB', attrs: { fused_activation_function: 'RELU6', pot_scale_int16: true }, inputs: [x([2, 3]), x([1, 3], 'x2')], outputs: [y([2, 3])] },
  { name: 'div', op: 'DIV', attrs: NONE, inputs: [x([2, 3]), k('c', [3], [2, -4, 0.5])], outputs: [y([2, 3])] },
  { name: 'avgpool_same', op: 'AVERAGE_POOL_2D', attrs: { padding: 'SAME', stride_h: 2, stride_w: 2, filter_height: 3, filter_width: 3, ...NONE },
    inputs: [x([1, 5, 5, 2])], outputs: [y([1, 3, 3, 2])] },
  { name: 'maxpool_valid', op: 'MAX_POOL_2D', attrs: { padding: 'VALID', stride_h: 2, stride_w: 2, filter_height: 2, filter_width: 2, ...NONE },
    inputs: [x([1, 5, 5, 2])], outputs: [y([1, 2, 2, 2])] },
  { name: 'softmax_beta', op: 'SOFTMAX', attrs: { beta: 0.5 }, inputs: [x([2, 5])], outputs: [y([2, 5])] },
  { name: 'reshape', op: 'RESHAPE', inputs: [x([2, 3, 4]), k('s', [2], [4, -1], 'int32')], outputs: [y([4, 6])] },
  // A fused activation on CONCATENATION is dropped by LiteRT.js (XNNPACK) and refused by TFLite's
  // reference kernel; converters never emit one, so only NONE is compared.
  { name: 'concat_last', op: 'CONCATENATION', attrs: { axis: -1, ...NONE }, inputs: [x([1, 2, 3]), x([1, 2, 2], 'x2')], outputs: [y([1, 2, 5])] },
  { name: 'logistic', op: 'LOGISTIC', inputs: [x([2, 4])], outputs: [y([2, 4])] },
  { name: 'tanh', op: 'TANH', inputs: [x([2, 4])], outputs: [y([2, 4])] },
  { name: 'relu6', op: 'RELU6', inputs: [x([2, 4])], outputs: [y([2, 4])] },
  { name: 'hard_swish', op: 'HARD_SWISH', inputs: [x([2, 4])], outputs: [y([2, 4])] },
  { name: 'leaky_relu', op: 'LEAKY_RELU', attrs: { alpha: 0.1 }, inputs: [x([2, 4])], outputs: [y([2, 4])] },
  { name: 'prelu', op: 'PRELU', inputs: [x([1, 2, 2, 3]), k('alpha', [3], [0.1, 0.2, 0.3])], outputs: [y([1, 2, 2, 3])] },
  { name: 'pad', op: 'PAD', inputs: [x([1, 2, 3, 1]), k('p', [4, 2], [0, 0, 1, 2, 0, 1, 0, 0], 'int32')], outputs: [y([1, 5, 4, 1])] },
  { name: 'mean_keep', op: 'MEAN', attrs: { keep_dims: true }, inputs: [x([1, 3, 4, 2]), k('axes', [2], [1, 2], 'int32')], outputs: [y([1, 1, 1, 2])] },
  { name: 'transpose', op: 'TRANSPOSE', inputs: [x([1, 2, 3, 4]), k('perm', [4], [0, 3, 1, 2], 'int32')], outputs: [y([1, 4, 2, 3])] },
  { name: 'resize_bilinear_half', op: 'RESIZE_BILINEAR', attrs: { align_corners: false, half_pixel_centers: true },
    inputs: [x([1, 3, 3, 2]), k('size', [2], [5, 7], 'int32')], outputs: [y([1, 5, 7, 2])] },
  { name: 'resize_bilinear_align', op: 'RESIZE_BILINEAR', attrs: { align_corners: true, half_pixel_centers: false },
    inputs: [x([1, 3, 3, 2]), k('size', [2], [5, 7], 'int32')], outputs: [y([1, 5, 7, 2])] },
  { name: 'resize_nearest', op: 'RESIZE_NEAREST_NEIGHBOR', attrs: { align_corners: false, half_pixel_centers: false },
    inputs: [x([1, 3, 3, 2]), k('size', [2], [6, 6], 'int32')], outputs: [y([1, 6, 6, 2])] },
  { name: 'strided_slice_shrink', op: 'STRIDED_SLICE', attrs: { begin_mask: 0, end_mask: 4, ellipsis_mask: 0, new_axis_mask: 0, shrink_axis_mask: 1, offset: false },
    inputs: [x([2, 6, 4]), k('b', [3], [1, 1, 0], 'int32'), k('e', [3], [2, -1, 0], 'int32'), k('s', [3], [1, 2, 1], 'int32')], outputs: [y([2, 4])] },
  { name: 'gather', op: 'GATHER', attrs: { axis: 1, batch_dims: 0 }, inputs: [x([2, 5]), k('i', [3], [4, 0, 2], 'int32')], outputs: [y([2, 3])] },
  { name: 'depth_to_space', op: 'DEPTH_TO_SPACE', attrs: { block_size: 2 }, inputs: [x([1, 2, 3, 8])], outputs: [y([1, 4, 6, 2])] },
  { name: 'space_to_depth', op: 'SPACE_TO_DEPTH', attrs: { block_size: 2 }, inputs: [x([1, 4, 6, 3])], outputs: [y([1, 2, 3, 12])] },
  { name: 'squeeze', op: 'SQUEEZE', attrs: { squeeze_dims: [0, 2] }, inputs: [x([1, 3, 1, 2])], outputs: [y([3, 2])] },
  { name: 'split', op: 'SPLIT', attrs: { num_splits: 2 }, inputs: [k('axis', [], [1], 'int32'), x([2, 4])], outputs: [y([2, 2], 'y0'), y([2, 2], 'y1')] },
  { name: 'pack', op: 'PACK', attrs: { values_count: 2, axis: 1 }, inputs: [x([2, 3]), x([2, 3], 'x2')], outputs: [y([2, 2, 3])] },
  { name: 'batch_matmul_adj_y', op: 'BATCH_MATMUL', attrs: { adj_x: false, adj_y: true }, inputs: [x([2, 3, 4]), x([2, 5, 4], 'x2')], outputs: [y([2, 3, 5])] },
  { name: 'dequantize_int8', op: 'DEQUANTIZE',
    inputs: [{ name: 'q', shape: [3, 2], dtype: 'int8', quant: { scale: [0.25], zeroPoint: [-3] } }], outputs: [y([3, 2])] },
  { name: 'quantize_int8', op: 'QUANTIZE', inputs: [x([2, 6])],
    outputs: [{ ...y([2, 6]), dtype: 'int8', quant: { scale: [0.02], zeroPoint: [3] } }], quantSteps: 0 },
];

/** A float-in, float-out int8 FULLY_CONNECTED (LiteRT.js cannot feed int8 directly). */
function int8Fc(): Model {
  const m = buildModel({ name: 'fc_int8', op: 'FULLY_CONNECTED', attrs: { keep_num_dims: false, ...NONE },
    inputs: [
      { name: 'xq', shape: [2, 8], dtype: 'int8', quant: { scale: [0.01], zeroPoint: [-2] } },
      { ...k('w', [4, 8], consts(32, -127, 127).map(Math.round), 'int8'), quant: { scale: [0.004], zeroPoint: [0] } },
      { ...k('b', [4], [100, -50, 0, 7], 'int32'), quant: { scale: [0.00004], zeroPoint: [0] } },
    ],
    outputs: [{ name: 'yq', shape: [2, 4], dtype: 'int8', quant: { scale: [0.02], zeroPoint: [5] } }] });
  const g = m.graphs[0]!;
  g.tensors.set('x', { name: 'x', dtype: 'float32', shape: [2, 8] });
  g.tensors.set('y', { name: 'y', dtype: 'float32', shape: [2, 4] });
  g.nodes.unshift({ name: 'q', op: 'tfl.QUANTIZE', inputs: ['x'], outputs: ['xq'], attrs: {} });
  g.nodes.push({ name: 'dq', op: 'tfl.DEQUANTIZE', inputs: ['yq'], outputs: ['y'], attrs: {} });
  g.inputs = ['x'];
  g.outputs = ['y'];
  return m;
}

async function compare(model: Model, tolSteps?: number, outScale?: number) {
  const bytesOut = writeTflite(model);
  const lite = await litertAdapter.load({ bytes: bytesOut }, { backend: 'wasm' });
  const ours = await tfjsAdapter.load({ model }, { backend: 'cpu' });
  try {
    const feeds = ours.inputs.map((sp, i) => randomHostTensor(sp, { seed: 100 + i }));
    const [want, got] = [await lite.run(feeds), await ours.run(feeds)];
    expect(got.length).toBe(want.length);
    got.forEach((g, i) => {
      const w = want[i]!;
      if (tolSteps !== undefined && outScale !== undefined) {
        expect(g.shape).toEqual(w.shape);
        let d = 0;
        for (let j = 0; j < w.data.length; j++) d = Math.max(d, Math.abs(Number(w.data[j]) - Number(g.data[j])));
        expect(d, `${model.name}: max diff ${d}`).toBeLessThanOrEqual(tolSteps * outScale + 1e-6);
      } else expectAgree(`${model.name} ${g.name}`, g, w);
    });
  } finally {
    lite.dispose();
    ours.dispose();
  }
}

describe('tfl ops: tfjs executor vs LiteRT.js, one op per model', () => {
  for (const c of CASES) {
    it(c.name, async () => {
      const out = c.outputs[0]!;
      await compare(buildModel(c), c.quantSteps, out.quant?.scale[0]);
    }, 60_000);
  }

  it('int8 FULLY_CONNECTED agrees within one output quantization step', async () => {
    await compare(int8Fc(), 1, 0.02);
  }, 60_000);
});
