/**
 * The float32 kernels (what a mixed model's float islands run) against the three runtimes.
 * Float runtimes sum in their own orders, so elements are compared in steps of 2^-16 of the
 * output's largest magnitude rather than bit for bit.
 */
import { describe, expect, it } from 'vitest';
import type { AttrValue } from '../../ir/types';
import { runReference } from './index';
import { ModelBuilder, agreement, bool, describeAgreement, expectAgreement, flt, int, str, type RuntimeExpectations } from './test-support';

interface FloatCase extends RuntimeExpectations {
  name: string;
  op: string;
  input: number[];
  output: number[];
  attrs?: Record<string, AttrValue>;
  /** Constant operands: shape, int32 parameter values, or the range of random float values (default [-1, 1]). */
  consts?: Array<{ shape: number[]; ints?: number[]; range?: [number, number] }>;
  /** Where the input goes among the constants (default first). */
  inputAt?: number;
  /** Range of the input values (default [-SPREAD, SPREAD]). */
  range?: [number, number];
}

const act = (a: string): Record<string, AttrValue> => ({ fused_activation_function: str(a) });
const conv = (a: string, stride = 1): Record<string, AttrValue> => ({ padding: str('SAME'), stride_h: int(stride), stride_w: int(stride), ...act(a) });
const pool = (k: number, s: number, padding: string): Record<string, AttrValue> =>
  ({ padding: str(padding), stride_h: int(s), stride_w: int(s), filter_height: int(k), filter_width: int(k), ...act('NONE') });

const CASES: FloatCase[] = [
  { name: 'conv 3x3 SAME RELU6', op: 'CONV_2D', input: [1, 9, 9, 3], output: [1, 9, 9, 6], attrs: conv('RELU6'), consts: [{ shape: [6, 3, 3, 3] }, { shape: [6] }] },
  { name: 'depthwise x2 3x3 s2', op: 'DEPTHWISE_CONV_2D', input: [1, 8, 8, 4], output: [1, 4, 4, 8], attrs: { ...conv('NONE', 2), depth_multiplier: int(2) }, consts: [{ shape: [1, 3, 3, 8] }, { shape: [8] }] },
  { name: 'fully_connected RELU', op: 'FULLY_CONNECTED', input: [3, 20], output: [3, 7], attrs: act('RELU'), consts: [{ shape: [7, 20] }, { shape: [7] }] },
  { name: 'batch_matmul', op: 'BATCH_MATMUL', input: [2, 3, 5], output: [2, 3, 4], consts: [{ shape: [5, 4] }], rejects: { armnn: /Operator code .* is out of range/ } },
  { name: 'add broadcast', op: 'ADD', input: [2, 4, 6], output: [2, 4, 6], attrs: act('NONE'), consts: [{ shape: [6] }] },
  { name: 'sub RELU', op: 'SUB', input: [2, 4, 6], output: [2, 4, 6], attrs: act('RELU'), consts: [{ shape: [4, 1] }] },
  { name: 'mul broadcast', op: 'MUL', input: [2, 4, 6], output: [2, 4, 6], attrs: act('NONE'), consts: [{ shape: [2, 1, 6] }] },
  { name: 'maximum', op: 'MAXIMUM', input: [3, 8], output: [3, 8], consts: [{ shape: [3, 8] }] },
  { name: 'average_pool 3x3 s2 SAME', op: 'AVERAGE_POOL_2D', input: [1, 7, 7, 4], output: [1, 4, 4, 4], attrs: pool(3, 2, 'SAME') },
  { name: 'max_pool 2x2 s2 VALID', op: 'MAX_POOL_2D', input: [1, 8, 8, 4], output: [1, 4, 4, 4], attrs: pool(2, 2, 'VALID') },
  { name: 'mean axes [1,2]', op: 'MEAN', input: [1, 5, 5, 6], output: [1, 1, 1, 6], attrs: { keep_dims: bool(true) }, consts: [{ shape: [2], ints: [1, 2] }] },
  { name: 'softmax beta 0.7', op: 'SOFTMAX', input: [4, 10], output: [4, 10], attrs: { beta: flt(0.7) } },
  { name: 'logistic', op: 'LOGISTIC', input: [4, 64], output: [4, 64] },
  { name: 'tanh', op: 'TANH', input: [4, 64], output: [4, 64] },
  { name: 'leaky_relu 0.2', op: 'LEAKY_RELU', input: [4, 64], output: [4, 64], attrs: { alpha: flt(0.2) } },
  { name: 'hard_swish', op: 'HARD_SWISH', input: [4, 64], output: [4, 64] },
  { name: 'resize_bilinear half_pixel_centers', op: 'RESIZE_BILINEAR', input: [1, 4, 5, 2], output: [1, 7, 9, 2], attrs: { half_pixel_centers: bool(true) }, consts: [{ shape: [2], ints: [7, 9] }],
    wrong: { armnn: 'Arm NN 20.08 ignores half_pixel_centers' } },
  { name: 'resize_bilinear align_corners', op: 'RESIZE_BILINEAR', input: [1, 4, 5, 2], output: [1, 7, 9, 2], attrs: { align_corners: bool(true) }, consts: [{ shape: [2], ints: [7, 9] }] },
  // Without bias or activation: Arm NN 20.08 parses only 3 inputs, tfjs-tflite lacks version 4.
  {
    name: 'transpose_conv 3x3 s2 SAME', op: 'TRANSPOSE_CONV', input: [1, 4, 4, 3], output: [1, 8, 8, 2], inputAt: 2,
    attrs: { padding: str('SAME'), stride_h: int(2), stride_w: int(2), ...act('NONE') }, consts: [{ shape: [4], ints: [1, 8, 8, 2] }, { shape: [2, 3, 3, 3] }],
  },
  { name: 'squared_difference broadcast', op: 'SQUARED_DIFFERENCE', input: [3, 4, 6], output: [3, 4, 6], consts: [{ shape: [4, 1] }], rejects: { armnn: /SQUARED_DIFFERENCE/ } },
  { name: 'prelu alpha [6]', op: 'PRELU', input: [2, 4, 6], output: [2, 4, 6], consts: [{ shape: [6] }], rejects: { armnn: /PRELU/ } },
  { name: 'div RELU6', op: 'DIV', input: [3, 8], output: [3, 8], attrs: act('RELU6'), consts: [{ shape: [8], range: [0.5, 2] }] },
  { name: 'pow', op: 'POW', input: [3, 8], output: [3, 8], range: [0.1, 4], consts: [{ shape: [3, 8], range: [-1.5, 1.5] }], rejects: { armnn: /POW/ } },
  { name: 'sum axis 1', op: 'SUM', input: [3, 7, 5], output: [3, 5], attrs: { keep_dims: bool(false) }, consts: [{ shape: [1], ints: [1] }], rejects: { armnn: /SUM/ } },
  { name: 'reduce_max axes [0,2] keep_dims', op: 'REDUCE_MAX', input: [3, 7, 5], output: [1, 7, 1], attrs: { keep_dims: bool(true) }, consts: [{ shape: [2], ints: [0, 2] }], rejects: { armnn: /REDUCE_MAX/ } },
  { name: 'reduce_min axis -1', op: 'REDUCE_MIN', input: [3, 7, 5], output: [3, 7], attrs: { keep_dims: bool(false) }, consts: [{ shape: [1], ints: [-1] }], rejects: { armnn: /REDUCE_MIN/ } },
  { name: 'log_softmax', op: 'LOG_SOFTMAX', input: [4, 10], output: [4, 10], rejects: { armnn: /LOG_SOFTMAX/ } },
  { name: 'l2_normalization', op: 'L2_NORMALIZATION', input: [4, 3, 8], output: [4, 3, 8], attrs: act('NONE') },
  { name: 'mirror_pad SYMMETRIC', op: 'MIRROR_PAD', input: [2, 4, 5], output: [2, 7, 6], attrs: { mode: str('SYMMETRIC') }, consts: [{ shape: [3, 2], ints: [0, 0, 1, 2, 1, 0] }], rejects: { armnn: /MIRROR_PAD/ } },
  { name: 'tile', op: 'TILE', input: [2, 3], output: [4, 9], consts: [{ shape: [2], ints: [2, 3] }], rejects: { armnn: /TILE/ } },
  { name: 'broadcast_to', op: 'BROADCAST_TO', input: [3, 1], output: [2, 3, 4], consts: [{ shape: [3], ints: [2, 3, 4] }], rejects: { armnn: /Operator code .* is out of range/ } },
  { name: 'space_to_batch_nd', op: 'SPACE_TO_BATCH_ND', input: [1, 4, 5, 2], output: [4, 2, 3, 2], consts: [{ shape: [2], ints: [2, 2] }, { shape: [2, 2], ints: [0, 0, 0, 1] }] },
  { name: 'batch_to_space_nd', op: 'BATCH_TO_SPACE_ND', input: [4, 2, 3, 2], output: [1, 4, 5, 2], consts: [{ shape: [2], ints: [2, 2] }, { shape: [2, 2], ints: [0, 0, 0, 1] }] },
  // Arm NN 20.08 runs NEG and EXP of these.
  ...(['NEG', 'EXP'] as const).map((op) => ({ name: op.toLowerCase(), op, input: [4, 64], output: [4, 64] })),
  ...(['ABS', 'SQUARE', 'SIN', 'COS', 'FLOOR', 'CEIL'] as const).map((op): FloatCase => ({ name: op.toLowerCase(), op, input: [4, 64], output: [4, 64], rejects: { armnn: new RegExp(op) } })),
  { name: 'log', op: 'LOG', input: [4, 64], output: [4, 64], range: [0.01, 4], rejects: { armnn: /LOG/ } },
  { name: 'sqrt', op: 'SQRT', input: [4, 64], output: [4, 64], range: [0, 4], rejects: { armnn: /SQRT/ } },
  { name: 'rsqrt', op: 'RSQRT', input: [4, 64], output: [4, 64], range: [0.05, 4], rejects: { armnn: /RSQRT/ } },
];

const SPREAD = 4;

function build(c: FloatCase, seed: number) {
  const b = new ModelBuilder(seed);
  const x = b.input(b.float('x', c.input));
  const consts = (c.consts ?? []).map((k, i) => (k.ints
    ? b.int32(`k${i}`, k.ints, k.shape)
    : b.float(`k${i}`, k.shape, Array.from({ length: k.shape.reduce((p, d) => p * d, 1) }, () => b.uniform(...(k.range ?? [-1, 1]))))));
  consts.splice(c.inputAt ?? 0, 0, x);
  b.op(c.op, consts, [b.output(b.float('y', c.output))], c.attrs ?? {});
  const model = b.build();
  return { model, sets: [0, 1, 2].map(() => b.feeds(model, c.range ?? [-SPREAD, SPREAD])) };
}

describe.each(CASES.map((c, i) => [c.name, c, i] as const))('%s', (_name, c, i) => {
  it('agrees with every runtime within 2^-16 of the output range on >= 99.9% of elements', async () => {
    const { model, sets } = build(c, 1100 + i);
    const largest = Math.max(...sets.flatMap((s) => Array.from(runReference(model, s)[0]!.data as Float32Array, Math.abs)));
    expect(largest).toBeGreaterThan(0);
    const { results } = await agreement(model, sets, { lsb: [largest / 2 ** 16] });
    console.log(describeAgreement(`float ${c.name}`, results));
    expectAgreement(results, c);
  });
});
