/**
 * CONV_2D, DEPTHWISE_CONV_2D and TRANSPOSE_CONV, int8 per-channel and per-tensor: the reference
 * against LiteRT.js (XNNPACK), tfjs-tflite (TFLite's builtin kernels) and Arm NN (CpuRef).
 */
import { describe, expect, it } from 'vitest';
import {
  ModelBuilder, agreement, describeAgreement, distinctValues, dotOutputScale, expectAgreement, expectSingleRoundingExplains, int, str, type RuntimeExpectations,
} from './test-support';

interface ConvCase extends RuntimeExpectations {
  name: string;
  op: 'CONV_2D' | 'DEPTHWISE_CONV_2D';
  input: [number, number, number, number];
  /** CONV_2D: output channels; DEPTHWISE_CONV_2D: depth multiplier. */
  channels: number;
  kernel: [number, number];
  stride?: [number, number];
  dilation?: [number, number];
  padding: 'SAME' | 'VALID';
  activation?: 'NONE' | 'RELU' | 'RELU6' | 'RELU_N1_TO_1';
  perChannel: boolean;
  /** CONV_2D only: input channels per filter (grouped convolution). */
  groupChannels?: number;
}

const CASES: ConvCase[] = [
  { name: 'conv 28x28x1->8 3x3 SAME per-channel', op: 'CONV_2D', input: [1, 28, 28, 1], channels: 8, kernel: [3, 3], padding: 'SAME', perChannel: true },
  { name: 'conv 14x14x8->16 3x3 s2 VALID RELU', op: 'CONV_2D', input: [1, 14, 14, 8], channels: 16, kernel: [3, 3], stride: [2, 2], padding: 'VALID', activation: 'RELU', perChannel: true },
  { name: 'conv 9x9x4->6 5x5 SAME RELU6 per-tensor', op: 'CONV_2D', input: [1, 9, 9, 4], channels: 6, kernel: [5, 5], padding: 'SAME', activation: 'RELU6', perChannel: false },
  { name: 'conv 10x10x3->5 3x3 dilation 2 RELU_N1_TO_1', op: 'CONV_2D', input: [1, 10, 10, 3], channels: 5, kernel: [3, 3], dilation: [2, 2], padding: 'SAME', activation: 'RELU_N1_TO_1', perChannel: true,
    rejects: { armnn: /suppport fused activation.*RELU_N1_TO_1/ } },
  { name: 'conv 2x11x7x6->4 3x2 stride 2x1 SAME', op: 'CONV_2D', input: [2, 11, 7, 6], channels: 4, kernel: [3, 2], stride: [2, 1], padding: 'SAME', perChannel: true },
  { name: 'conv 6x6x16->32 1x1 VALID per-channel', op: 'CONV_2D', input: [1, 6, 6, 16], channels: 32, kernel: [1, 1], padding: 'VALID', perChannel: true },
  { name: 'conv grouped 8x8x8->8 (2 groups of 4) 3x3', op: 'CONV_2D', input: [1, 8, 8, 8], channels: 8, kernel: [3, 3], padding: 'SAME', perChannel: true, groupChannels: 4,
    wrong: { armnn: 'Arm NN 20.08 runs a grouped CONV_2D as if every filter saw all input channels' } },
  { name: 'dw 16x16x8 3x3 SAME RELU6', op: 'DEPTHWISE_CONV_2D', input: [1, 16, 16, 8], channels: 1, kernel: [3, 3], padding: 'SAME', activation: 'RELU6', perChannel: true },
  { name: 'dw 15x15x4 x2 3x3 s2 VALID', op: 'DEPTHWISE_CONV_2D', input: [1, 15, 15, 4], channels: 2, kernel: [3, 3], stride: [2, 2], padding: 'VALID', perChannel: true },
  { name: 'dw 12x12x6 3x3 dilation 2 RELU per-tensor', op: 'DEPTHWISE_CONV_2D', input: [1, 12, 12, 6], channels: 1, kernel: [3, 3], dilation: [2, 2], padding: 'SAME', activation: 'RELU', perChannel: false },
  { name: 'dw 9x9x3 x3 5x5 SAME', op: 'DEPTHWISE_CONV_2D', input: [1, 9, 9, 3], channels: 3, kernel: [5, 5], padding: 'SAME', perChannel: true },
];

function build(c: ConvCase, seed: number) {
  const b = new ModelBuilder(seed);
  const [n, h, w, cin] = c.input;
  const inScale = Math.fround(b.uniform(0.01, 0.05));
  const inZp = b.integer(-10, 10);
  const x = b.input(b.q('x', 'int8', c.input, inScale, inZp));
  const [kh, kw] = c.kernel;
  const isConv = c.op === 'CONV_2D';
  const cout = isConv ? c.channels : cin * c.channels;
  const filterC = isConv ? (c.groupChannels ?? cin) : cout;
  const filterShape = isConv ? [cout, kh, kw, filterC] : [1, kh, kw, cout];
  const depth = kh * kw * (isConv ? filterC : 1);
  // Clamping activations get weights scaled so the real outputs spread over their range (an
  // output standard deviation of half the upper bound), and an output scale spanning it.
  const clampTo = c.activation === 'RELU6' ? 6 : c.activation === 'RELU_N1_TO_1' ? 1 : undefined;
  const w0 = clampTo === undefined ? 0.01 : (0.01 * clampTo) / 2 / (dotOutputScale(inScale, inZp, 0.01, depth) * 32);
  const wts = b.weights('w', filterShape, c.perChannel ? (isConv ? 0 : 3) : undefined, [0.2 * w0, 2 * w0]);
  const bias = b.bias('b', inScale, wts.scales, cout);
  const [sh, sw] = c.stride ?? [1, 1];
  const [dh, dw] = c.dilation ?? [1, 1];
  const size = (s: number, k: number, st: number, d: number) =>
    c.padding === 'SAME' ? Math.ceil(s / st) : Math.floor((s - ((k - 1) * d + 1)) / st) + 1;
  const meanScale = wts.scales.reduce((a, v) => a + v, 0) / wts.scales.length;
  const outScale = clampTo === 6 ? Math.fround(6 / 220) : clampTo === 1 ? Math.fround(2 / 220) : dotOutputScale(inScale, inZp, meanScale, depth);
  const outZp = clampTo === 6 ? -110 : clampTo === 1 ? b.integer(-5, 5) : b.integer(-20, 20);
  const y = b.output(b.q('y', 'int8', [n, size(h, kh, sh, dh), size(w, kw, sw, dw), cout], outScale, outZp));
  b.op(c.op, [x, wts.name, bias], [y], {
    padding: str(c.padding), stride_h: int(sh), stride_w: int(sw), dilation_h_factor: int(dh), dilation_w_factor: int(dw),
    fused_activation_function: str(c.activation ?? 'NONE'), ...(isConv ? {} : { depth_multiplier: int(c.channels) }),
  });
  const model = b.build();
  return { model, sets: [0, 1, 2].map(() => b.feeds(model)) };
}

describe.each(CASES.map((c, i) => [c.name, c, i] as const))('%s', (_name, c, i) => {
  it('agrees with every runtime within 1 LSB on >= 99.9% of elements', async () => {
    const { model, sets } = build(c, 100 + i);
    const { reference, results } = await agreement(model, sets);
    console.log(describeAgreement(c.name, results));
    expect(distinctValues(reference)).toBeGreaterThan(20);
    expectAgreement(results, c);
    // Measured: the runtimes differ from the (double-rounding) reference by one step on 0.06% to
    // 0.3% of outputs, all of them where acc * M lies within 2^-31 of a half: each runtime rounds
    // once (XNNPACK and Arm NN requantize in float), and the single-rounding reference matches them.
    expectSingleRoundingExplains(results, c);
  });
});

interface TransposeCase extends RuntimeExpectations {
  name: string;
  input: [number, number, number, number];
  channels: number;
  kernel: [number, number];
  stride: [number, number];
  padding: 'SAME' | 'VALID';
  activation?: 'NONE' | 'RELU';
  perChannel: boolean;
  bias?: boolean;
}

// Measured: LiteRT.js (XNNPACK) equals the single-rounding reference; tfjs-tflite does too with a
// per-tensor filter and equals the (double-rounding) reference with a per-channel one, which its
// XNNPACK evidently leaves to TFLite's builtin kernel. Arm NN 20.08 parses TRANSPOSE_CONV only
// without a bias.
const NO_BIAS = { armnn: /inputs.size\(\) = 4 is not valid/ };
const TRANSPOSE_CASES: TransposeCase[] = [
  { name: 'transpose_conv 4x4x8->6 3x3 s2 SAME per-channel', input: [1, 4, 4, 8], channels: 6, kernel: [3, 3], stride: [2, 2], padding: 'SAME', perChannel: true, bias: true, rejects: NO_BIAS },
  { name: 'transpose_conv 5x5x4->3 4x4 s2 VALID per-tensor', input: [1, 5, 5, 4], channels: 3, kernel: [4, 4], stride: [2, 2], padding: 'VALID', perChannel: false, bias: true, rejects: NO_BIAS },
  { name: 'transpose_conv 2x3x4x5->4 3x2 s1x2 SAME, no bias', input: [2, 3, 4, 5], channels: 4, kernel: [3, 2], stride: [1, 2], padding: 'SAME', perChannel: true },
  {
    name: 'transpose_conv 3x3x6->5 2x2 s2 VALID RELU, no bias', input: [1, 3, 3, 6], channels: 5, kernel: [2, 2], stride: [2, 2], padding: 'VALID', activation: 'RELU', perChannel: true,
    rejects: { 'tfjs-tflite': /TRANSPOSE_CONV' version '4'/ },
  },
];

function buildTranspose(c: TransposeCase, seed: number) {
  const b = new ModelBuilder(seed);
  const [n, h, w, cin] = c.input;
  const [kh, kw] = c.kernel;
  const [sh, sw] = c.stride;
  const inScale = Math.fround(b.uniform(0.01, 0.05));
  const inZp = b.integer(-10, 10);
  const x = b.input(b.q('x', 'int8', c.input, inScale, inZp));
  const wts = b.weights('w', [c.channels, kh, kw, cin], c.perChannel ? 0 : undefined);
  const size = (s: number, k: number, st: number) => (c.padding === 'SAME' ? s * st : (s - 1) * st + k);
  const outShape = [n, size(h, kh, sh), size(w, kw, sw), c.channels];
  // Each output sums about (k / stride)^2 * cin products.
  const depth = Math.ceil(kh / sh) * Math.ceil(kw / sw) * cin;
  const meanScale = wts.scales.reduce((a, v) => a + v, 0) / wts.scales.length;
  const y = b.output(b.q('y', 'int8', outShape, dotOutputScale(inScale, inZp, meanScale, depth), c.activation === 'RELU' ? -128 : b.integer(-20, 20)));
  const inputs = [b.int32('output_shape', outShape), wts.name, x, ...(c.bias ? [b.bias('b', inScale, wts.scales, c.channels)] : [])];
  b.op('TRANSPOSE_CONV', inputs, [y], { padding: str(c.padding), stride_h: int(sh), stride_w: int(sw), fused_activation_function: str(c.activation ?? 'NONE') });
  const model = b.build();
  return { model, sets: [0, 1, 2].map(() => b.feeds(model)) };
}

describe.each(TRANSPOSE_CASES.map((c, i) => [c.name, c, i] as const))('%s', (_name, c, i) => {
  it('agrees with every runtime within 1 LSB on >= 99.9% of elements', async () => {
    const { model, sets } = buildTranspose(c, 150 + i);
    const { reference, results } = await agreement(model, sets);
    console.log(describeAgreement(c.name, results));
    expect(distinctValues(reference)).toBeGreaterThan(20);
    expectAgreement(results, c);
  });
});
