/**
 * int8 activations, ABS, RSQRT and the row-wise SOFTMAX, LOG_SOFTMAX and L2_NORMALIZATION: the
 * reference against the three TFLite runtimes.
 */
import { describe, expect, it } from 'vitest';
import type { AttrValue } from '../../ir/types';
import { ModelBuilder, agreement, describeAgreement, distinctValues, expectAgreement, flt, type RuntimeExpectations } from './test-support';

interface ActivationCase extends RuntimeExpectations {
  name: string;
  op: string;
  shape: number[];
  input: [scale: number, zeroPoint: number];
  output: [scale: number, zeroPoint: number];
  attrs?: Record<string, AttrValue>;
}

const CASES: ActivationCase[] = [
  { name: 'relu, output scale differs', op: 'RELU', shape: [4, 256], input: [0.05, 10], output: [0.03, -128] },
  // Arm NN clamps in float: 98.9% equal, the rest one step off at the bounds.
  { name: 'relu6', op: 'RELU6', shape: [4, 256], input: [0.06, -5], output: [6 / 255, -128] },
  { name: 'relu_n1_to_1', op: 'RELU_N1_TO_1', shape: [4, 256], input: [0.02, 3], output: [2 / 255, 0],
    rejects: { armnn: /RELU_N1_TO_1/ } },
  // Measured: XNNPACK (LiteRT.js, tfjs-tflite) requantizes leaky ReLU its own way: 88-90% of
  // outputs equal, all within one step, and single rounding explains only part of it; Arm NN
  // (float) equals the single-rounding reference.
  { name: 'leaky_relu alpha 0.1', op: 'LEAKY_RELU', shape: [4, 256], input: [0.04, 7], output: [0.035, -20], attrs: { alpha: flt(0.1) } },
  { name: 'leaky_relu alpha 0.3, same scale', op: 'LEAKY_RELU', shape: [4, 256], input: [0.05, 0], output: [0.05, 0], attrs: { alpha: flt(0.3) } },
  { name: 'hard_swish', op: 'HARD_SWISH', shape: [4, 256], input: [0.04, -3], output: [0.03, -40] },
  { name: 'logistic', op: 'LOGISTIC', shape: [4, 256], input: [0.06, 4], output: [1 / 256, -128] },
  { name: 'tanh', op: 'TANH', shape: [4, 256], input: [0.03, -2], output: [1 / 128, 0] },
  // The runtimes' table-driven int8 softmax and the reference's gemmlowp exp agree exactly here.
  { name: 'softmax [4,256] beta 1', op: 'SOFTMAX', shape: [4, 256], input: [0.08, 0], output: [1 / 256, -128], attrs: { beta: flt(1) } },
  { name: 'softmax [8,10] beta 1', op: 'SOFTMAX', shape: [8, 10], input: [0.1, -10], output: [1 / 256, -128], attrs: { beta: flt(1) } },
  { name: 'softmax [2,3,16] beta 0.5', op: 'SOFTMAX', shape: [2, 3, 16], input: [0.15, 5], output: [1 / 256, -128], attrs: { beta: flt(0.5) } },
  { name: 'abs, output scale differs', op: 'ABS', shape: [4, 256], input: [0.04, 7], output: [0.03, -128], rejects: { armnn: /ABS/ } },
  { name: 'abs, same scale', op: 'ABS', shape: [4, 256], input: [0.05, -3], output: [0.05, -128], rejects: { armnn: /ABS/ } },
  // Every code is at or above the zero point: TFLite's int8 RSQRT fails on negative inputs.
  { name: 'rsqrt', op: 'RSQRT', shape: [4, 256], input: [0.02, -128], output: [7.1 / 255, -128], rejects: { armnn: /RSQRT/ } },
  { name: 'log_softmax [8,10]', op: 'LOG_SOFTMAX', shape: [8, 10], input: [0.1, -4], output: [16 / 256, 127], rejects: { armnn: /LOG_SOFTMAX/ } },
  { name: 'log_softmax [4,64]', op: 'LOG_SOFTMAX', shape: [4, 64], input: [0.05, 10], output: [16 / 256, 127], rejects: { armnn: /LOG_SOFTMAX/ } },
  { name: 'l2_normalization [64,12]', op: 'L2_NORMALIZATION', shape: [64, 12], input: [0.03, 5], output: [1 / 128, 0] },
  { name: 'l2_normalization [2,4,4,6]', op: 'L2_NORMALIZATION', shape: [2, 4, 4, 6], input: [0.07, -9], output: [1 / 128, 0] },
];

function build(c: ActivationCase, seed: number) {
  const b = new ModelBuilder(seed);
  const x = b.input(b.q('x', 'int8', c.shape, Math.fround(c.input[0]), c.input[1]));
  const y = b.output(b.q('y', 'int8', c.shape, Math.fround(c.output[0]), c.output[1]));
  b.op(c.op, [x], [y], c.attrs ?? {});
  const model = b.build();
  return { model, sets: [0, 1, 2, 3].map(() => b.feeds(model)) };
}

describe.each(CASES.map((c, i) => [c.name, c, i] as const))('%s', (_name, c, i) => {
  it('agrees with every runtime within 1 LSB on >= 99.9% of elements', async () => {
    const { model, sets } = build(c, 500 + i);
    const { reference, results } = await agreement(model, sets);
    console.log(describeAgreement(c.name, results));
    expect(distinctValues(reference)).toBeGreaterThan(c.op.includes('SOFTMAX') ? 10 : 40);
    expectAgreement(results, c);
  });
});
