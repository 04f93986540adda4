/**
 * 16x8 kernels (int16 activations, int8 weights, int64 biases) and int16 element-wise ops.
 * LiteRT.js cannot pass int16 tensors, so each case is float in -> QUANTIZE to int16 -> op ->
 * DEQUANTIZE -> float out; differences are counted in steps of the op's int16 output scale.
 *
 * XNNPACK has no int16 kernels, so here LiteRT.js and tfjs-tflite run TFLite's own builtins, and
 * those round twice like the reference: softmax, leaky ReLU and SUB are equal to the reference
 * but not to its single-rounding variant.
 */
import { describe, expect, it } from 'vitest';
import type { AttrValue } from '../../ir/types';
import { ModelBuilder, agreement, bool, describeAgreement, distinctValues, expectAgreement, flt, int, str, type RuntimeExpectations } from './test-support';

const f = Math.fround;

/** Real range of the float inputs; they quantize to int16 with scale RANGE / 32767, zero point 0. */
const RANGE = 2;
const IN_SCALE = f(RANGE / 32767);

/** An int16 output scale for a dot product of `depth` uniform inputs and weights of scale `w`. */
function dotScale16(w: number, depth: number): number {
  const sigma = Math.sqrt(depth * (RANGE ** 2 / 3) * (w ** 2 * 255 ** 2 / 12));
  return f((4 * sigma) / 32768);
}

interface Int16Case extends RuntimeExpectations {
  name: string;
  shape: number[];
  /** Scale of the int16 input (default IN_SCALE). */
  inScale?: number;
  /** Range of the float input (default [-RANGE, RANGE]). */
  floatRange?: [number, number];
  /** Adds the op from int16 `x` to an int16 output it creates; returns the output name and scale. */
  op: (b: ModelBuilder, x: string, shape: number[]) => { y: string; scale: number };
}

/** A second int16 operand quantized in the graph from a float input (Arm NN takes no int16 constants). */
function secondInput(b: ModelBuilder, shape: number[], scale: number): string {
  const c = b.input(b.float('c', shape));
  const cq = b.q('cq', 'int16', shape, scale, 0);
  b.op('QUANTIZE', [c], [cq]);
  return cq;
}

function simple(opName: string, outShape: (s: number[]) => number[], outScale: number, attrs: Record<string, AttrValue> = {}) {
  return (b: ModelBuilder, x: string, shape: number[]) => {
    const y = b.q('yq', 'int16', outShape(shape), outScale, 0);
    b.op(opName, [x], [y], attrs);
    return { y, scale: outScale };
  };
}

const same = (s: number[]) => s;

/** An element-moving op from int16 `x` to an output at the input's scale; extra outputs stay unused. */
function moving(opName: string, outShape: number[], params: (b: ModelBuilder) => string[], attrs: Record<string, AttrValue> = {}, unused: number[][] = []) {
  return (b: ModelBuilder, x: string) => {
    const y = b.q('yq', 'int16', outShape, IN_SCALE, 0);
    const rest = unused.map((shape, k) => b.q(`unused${k}`, 'int16', shape, IN_SCALE, 0));
    const [first, ...others] = params(b);
    // SPLIT takes its axis first.
    const inputs = opName === 'SPLIT' ? [first!, x, ...others] : [x, first!, ...others];
    b.op(opName, params.length === 0 ? [x] : inputs, [y, ...rest], attrs);
    return { y, scale: IN_SCALE };
  };
}

const CASES: Int16Case[] = [
  {
    name: 'conv 16x8 [1,10,10,4]->8 3x3 SAME, int64 bias', shape: [1, 10, 10, 4],
    rejects: { armnn: /INT64|Unsupported data type/ },
    op: (b, x) => {
      const w = b.weights('w', [8, 3, 3, 4], 0);
      const scale = dotScale16(w.scales[0]!, 36);
      const y = b.q('yq', 'int16', [1, 10, 10, 8], scale, 0);
      b.op('CONV_2D', [x, w.name, b.bias('b', IN_SCALE, w.scales, 8, 'int64', 200000)], [y], {
        padding: str('SAME'), stride_h: int(1), stride_w: int(1), fused_activation_function: str('NONE'),
      });
      return { y, scale };
    },
  },
  {
    name: 'depthwise 16x8 [1,9,9,6] 3x3 s2 VALID RELU, int64 bias', shape: [1, 9, 9, 6],
    rejects: { armnn: /INT64|Unsupported data type/ },
    op: (b, x) => {
      const w = b.weights('w', [1, 3, 3, 6], 3);
      const scale = dotScale16(w.scales[0]!, 9);
      const y = b.q('yq', 'int16', [1, 4, 4, 6], scale, 0);
      b.op('DEPTHWISE_CONV_2D', [x, w.name, b.bias('b', IN_SCALE, w.scales, 6, 'int64', 200000)], [y], {
        padding: str('VALID'), stride_h: int(2), stride_w: int(2), depth_multiplier: int(1), fused_activation_function: str('RELU'),
      });
      return { y, scale };
    },
  },
  {
    // LiteRT's newer 16x8 FULLY_CONNECTED scales with round(acc * double) instead of the 15-bit
    // int64 multiplier: 95% equal, all within one step; tfjs-tflite (older TFLite) equals it.
    name: 'fully_connected 16x8 [2,48]->12, int64 bias', shape: [2, 48],
    rejects: { armnn: /INT64|Unsupported data type/ },
    op: (b, x) => {
      const w = b.weights('w', [12, 48], 0);
      const scale = dotScale16(w.scales[0]!, 48);
      const y = b.q('yq', 'int16', [2, 12], scale, 0);
      b.op('FULLY_CONNECTED', [x, w.name, b.bias('b', IN_SCALE, w.scales, 12, 'int64', 200000)], [y], { fused_activation_function: str('NONE') });
      return { y, scale };
    },
  },
  {
    name: 'add int16 general scales (pot_scale_int16 false), broadcast [8]', shape: [1, 6, 6, 8],
    op: (b, x) => {
      const c = secondInput(b, [8], f(1.7 * RANGE / 32767));
      const scale = f(3.5 * RANGE / 32767);
      const y = b.q('yq', 'int16', [1, 6, 6, 8], scale, 0);
      b.op('ADD', [x, c], [y], { fused_activation_function: str('NONE'), pot_scale_int16: bool(false) });
      return { y, scale };
    },
  },
  {
    // Power-of-two scales with pot_scale_int16 (the schema default): TFLite only shifts the finer
    // input and adds with int16 saturation, no multipliers.
    name: 'add int16 power-of-two scales (shift-only path)', shape: [4, 64], inScale: f(2 ** -13),
    op: (b, x) => {
      const c = secondInput(b, [4, 64], f(2 ** -15));
      const y = b.q('yq', 'int16', [4, 64], f(2 ** -13), 0);
      b.op('ADD', [x, c], [y], { fused_activation_function: str('NONE') });
      return { y, scale: f(2 ** -13) };
    },
  },
  {
    name: 'conv 16x8 with an int32 bias (quantized_bias_type INT32)', shape: [1, 8, 8, 3],
    rejects: { 'tfjs-tflite': /CONV_2D' version '8'/, armnn: /input and weights types mismatched/ },
    op: (b, x) => {
      const w = b.weights('w', [6, 3, 3, 3], 0);
      const scale = dotScale16(w.scales[0]!, 27);
      const y = b.q('yq', 'int16', [1, 8, 8, 6], scale, 0);
      b.op('CONV_2D', [x, w.name, b.bias('b', IN_SCALE, w.scales, 6, 'int32', 200000)], [y], {
        padding: str('SAME'), stride_h: int(1), stride_w: int(1), fused_activation_function: str('NONE'), quantized_bias_type: str('INT32'),
      });
      return { y, scale };
    },
  },
  {
    name: 'sub int16 general scales', shape: [4, 64],
    op: (b, x) => {
      const c = secondInput(b, [4, 64], f(0.9 * RANGE / 32767));
      const scale = f(3 * RANGE / 32767);
      const y = b.q('yq', 'int16', [4, 64], scale, 0);
      b.op('SUB', [x, c], [y], { fused_activation_function: str('RELU'), pot_scale_int16: bool(false) });
      return { y, scale };
    },
  },
  {
    name: 'mul int16', shape: [4, 64],
    op: (b, x) => {
      const c = secondInput(b, [64], f(1.5 * RANGE / 32767));
      const scale = f(2.2 * RANGE * RANGE / 32767);
      const y = b.q('yq', 'int16', [4, 64], scale, 0);
      b.op('MUL', [x, c], [y], { fused_activation_function: str('NONE') });
      return { y, scale };
    },
  },
  { name: 'softmax int16 [4,64]', shape: [4, 64], op: simple('SOFTMAX', same, f(1 / 32768), { beta: flt(1) }) },
  { name: 'logistic int16', shape: [4, 256], op: simple('LOGISTIC', same, f(1 / 32768)) },
  {
    name: 'tanh int16', shape: [4, 256], op: simple('TANH', same, f(1 / 32768)),
    // Measured: TFLite's interpolated table is off from round(tanh(x)) by up to 2 steps (about
    // 1% of inputs by 2); Arm NN evaluates tanh in float and is off by at most 1.
    tolerance: { armnn: { codes: 3, why: 'Arm NN computes int16 tanh in float; TFLite uses its sigmoid table' } },
  },
  {
    // A power-of-two input scale: the reference registration keeps the table, the optimized one
    // (what runtimes register) switches to gemmlowp's fixed-point tanh.
    name: 'tanh int16, power-of-two input scale', shape: [4, 256], inScale: f(2 ** -12), op: simple('TANH', same, f(1 / 32768)),
    // Measured: up to 12 steps apart (81% of elements differ by more than 1); Arm NN, which
    // evaluates tanh in float, stays within 1 of the table.
    tolerance: {
      litert: { codes: 16, why: 'the optimized kernel uses gemmlowp 16-bit tanh for power-of-two scales' },
      'tfjs-tflite': { codes: 16, why: 'the optimized kernel uses gemmlowp 16-bit tanh for power-of-two scales' },
    },
  },
  {
    name: 'average_pool int16 3x3 s2 SAME', shape: [1, 9, 9, 4],
    op: simple('AVERAGE_POOL_2D', () => [1, 5, 5, 4], IN_SCALE, { padding: str('SAME'), stride_h: int(2), stride_w: int(2), filter_height: int(3), filter_width: int(3), fused_activation_function: str('NONE') }),
  },
  {
    name: 'max_pool int16 2x2 s2 VALID', shape: [1, 8, 8, 4],
    op: simple('MAX_POOL_2D', () => [1, 4, 4, 4], IN_SCALE, { padding: str('VALID'), stride_h: int(2), stride_w: int(2), filter_height: int(2), filter_width: int(2), fused_activation_function: str('NONE') }),
  },
  { name: 'leaky_relu int16 alpha 0.2', shape: [4, 256], op: simple('LEAKY_RELU', same, f(1.5 / 32767), { alpha: flt(0.2) }) },
  { name: 'relu int16', shape: [4, 256], op: simple('RELU', same, f(1.1 / 32767)) },
  {
    name: 'mean int16 [1,6,6,8] axes [1,2]', shape: [1, 6, 6, 8],
    op: (b, x) => {
      const scale = f(0.5 / 32767);
      const y = b.q('yq', 'int16', [1, 1, 1, 8], scale, 0);
      b.op('MEAN', [x, b.int32('axes', [1, 2])], [y], { keep_dims: bool(true) });
      return { y, scale };
    },
  },
];

CASES.push(
  {
    name: 'transpose_conv 16x8 [1,4,4,6]->5 3x3 s2 SAME, int64 bias', shape: [1, 4, 4, 6],
    rejects: { armnn: /inputs.size\(\) = 4 is not valid/ },
    op: (b, x) => {
      const w = b.weights('w', [5, 3, 3, 6], 0);
      const scale = dotScale16(w.scales[0]!, 2 * 2 * 6);
      const y = b.q('yq', 'int16', [1, 8, 8, 5], scale, 0);
      b.op('TRANSPOSE_CONV', [b.int32('output_shape', [1, 8, 8, 5]), w.name, x, b.bias('b', IN_SCALE, w.scales, 5, 'int64', 200000)], [y], {
        padding: str('SAME'), stride_h: int(2), stride_w: int(2), fused_activation_function: str('NONE'),
      });
      return { y, scale };
    },
  },
  // The output scale is coarser than the input's, so a one-step difference of the runtimes'
  // QUANTIZE (see quantize.test.ts) stays one step.
  { name: 'abs int16, output scale differs', shape: [4, 256], op: simple('ABS', same, f(2.3 / 32767)), rejects: { armnn: /ABS/ } },
  {
    // Inputs at or above zero: TFLite's int16 RSQRT fails on negative codes.
    name: 'rsqrt int16 (float-built table)', shape: [4, 256], floatRange: [0, RANGE], op: simple('RSQRT', same, f(32 / 32767)),
    rejects: { 'tfjs-tflite': /RSQRT' version '3'/, armnn: /RSQRT/ },
  },
  {
    // LiteRT.js rescales in float (round(sum * scale + bias)): 86% equal, all within one step.
    name: 'sum int16 [4,8,6] axis 1', shape: [4, 8, 6], rejects: { 'tfjs-tflite': /infer returned false/, armnn: /SUM/ },
    op: (b, x) => {
      const scale = f(4 * RANGE / 32767);
      const y = b.q('yq', 'int16', [4, 6], scale, 0);
      b.op('SUM', [x, b.int32('axes', [1])], [y], { keep_dims: bool(false) });
      return { y, scale };
    },
  },
  { name: 'reduce_max int16 [3,5,7] axis -1', shape: [3, 5, 7], op: moving('REDUCE_MAX', [3, 5], (b) => [b.int32('axes', [-1])], { keep_dims: bool(false) }), rejects: { armnn: /REDUCE_MAX/ } },
  { name: 'reduce_min int16 [4,6] axis 0 keep_dims', shape: [4, 6], op: moving('REDUCE_MIN', [1, 6], (b) => [b.int32('axes', [0])], { keep_dims: bool(true) }), rejects: { armnn: /REDUCE_MIN/ } },
  {
    name: 'mirror_pad int16 [2,5,4] REFLECT', shape: [2, 5, 4], rejects: { 'tfjs-tflite': /MIRROR_PAD' version '3'/, armnn: /MIRROR_PAD/ },
    op: moving('MIRROR_PAD', [2, 9, 5], (b) => [b.int32('pads', [0, 0, 2, 2, 1, 0], [3, 2])], { mode: str('REFLECT') }),
  },
  { name: 'split int16 [4,6] axis 1 (first of two)', shape: [4, 6], op: moving('SPLIT', [4, 3], (b) => [b.int32('axis', [1], [])], { num_splits: int(2) }, [[4, 3]]) },
  { name: 'pack int16 [3,4] with itself, axis 0', shape: [3, 4], rejects: { armnn: /SIGSEGV|SIGABRT/ }, op: (b, x) => {
    const y = b.q('yq', 'int16', [2, 3, 4], IN_SCALE, 0);
    b.op('PACK', [x, x], [y], { values_count: int(2), axis: int(0) });
    return { y, scale: IN_SCALE };
  } },
  {
    name: 'broadcast_to int16 [2,1,8] -> [2,3,8]', shape: [2, 1, 8], rejects: { armnn: /Operator code .* is out of range/ },
    op: moving('BROADCAST_TO', [2, 3, 8], (b) => [b.int32('shape', [2, 3, 8])]),
  },
  {
    name: 'space_to_batch_nd int16 [1,4,4,2] block [2,2]', shape: [1, 4, 4, 2], rejects: { 'tfjs-tflite': /SPACE_TO_BATCH_ND' version '4'/ },
    op: moving('SPACE_TO_BATCH_ND', [4, 3, 2, 2], (b) => [b.int32('block', [2, 2]), b.int32('pads', [1, 1, 0, 0], [2, 2])]),
  },
  {
    name: 'batch_to_space_nd int16 [4,2,3,2] block [2,2]', shape: [4, 2, 3, 2], rejects: { 'tfjs-tflite': /BATCH_TO_SPACE_ND' version '4'/ },
    op: moving('BATCH_TO_SPACE_ND', [1, 4, 5, 2], (b) => [b.int32('block', [2, 2]), b.int32('crops', [0, 0, 0, 1], [2, 2])]),
  },
);

describe.each(CASES.map((c, i) => [c.name, c, i] as const))('%s', (_name, c, i) => {
  it('agrees with every runtime within 1 LSB on >= 99.9% of elements', async () => {
    const b = new ModelBuilder(1000 + i);
    const xf = b.input(b.float('x', c.shape));
    const xq = b.q('xq', 'int16', c.shape, c.inScale ?? IN_SCALE, 0);
    b.op('QUANTIZE', [xf], [xq]);
    const { y, scale } = c.op(b, xq, c.shape);
    const outShape = (b.build().graphs[0]!.tensors.get(y)!.shape as number[]);
    b.op('DEQUANTIZE', [y], [b.output(b.float('y', outShape))]);
    const model = b.build();
    const sets = [0, 1, 2, 3].map(() => b.feeds(model, c.floatRange ?? [-RANGE, RANGE]));
    const { reference, results } = await agreement(model, sets, { lsb: [scale] });
    console.log(describeAgreement(c.name, results));
    expect(distinctValues(reference)).toBeGreaterThan(20);
    expectAgreement(results, c);
  });
});
