/** FULLY_CONNECTED and BATCH_MATMUL, int8: the reference against the three TFLite runtimes. */
import { describe, expect, it } from 'vitest';
import {
  ModelBuilder, agreement, bool, describeAgreement, distinctValues, dotOutputScale, expectAgreement, expectSingleRoundingExplains, str,
  type RuntimeExpectations,
} from './test-support';

interface FcCase extends RuntimeExpectations {
  name: string;
  input: number[];
  units: number;
  perChannel: boolean;
  bias: boolean;
  keepNumDims?: boolean;
  activation?: 'NONE' | 'RELU' | 'RELU6';
}

const FC_CASES: FcCase[] = [
  { name: 'fc [1,64]->10 per-channel', input: [1, 64], units: 10, perChannel: true, bias: true,
    rejects: { armnn: /SIGABRT.*GetBiasTypeFromWeightsType/s } },
  { name: 'fc [4,32]->16 per-tensor RELU', input: [4, 32], units: 16, perChannel: false, bias: true, activation: 'RELU' },
  { name: 'fc [2,3,24]->8 keep_num_dims per-channel', input: [2, 3, 24], units: 8, perChannel: true, bias: true, keepNumDims: true,
    rejects: { armnn: /does not match the inferred shape/ } },
  { name: 'fc [1,128]->32 without bias', input: [1, 128], units: 32, perChannel: true, bias: false,
    rejects: { armnn: /must be non-negative, received: -1/ } },
  { name: 'fc [2,4,6] flattened to [4,12]->7 per-tensor', input: [2, 4, 6], units: 7, perChannel: false, bias: true },
];

function buildFc(c: FcCase, seed: number) {
  const b = new ModelBuilder(seed);
  const depth = c.keepNumDims ? c.input.at(-1)! : (c.input.length === 2 ? c.input[1]! : 12);
  const batches = c.input.reduce((a, d) => a * d, 1) / depth;
  const inScale = Math.fround(b.uniform(0.01, 0.05));
  const inZp = b.integer(-10, 10);
  const x = b.input(b.q('x', 'int8', c.input, inScale, inZp));
  const w = b.weights('w', [c.units, depth], c.perChannel ? 0 : undefined);
  const bias = c.bias ? b.bias('b', inScale, w.scales, c.units) : '';
  const meanScale = w.scales.reduce((a, v) => a + v, 0) / w.scales.length;
  const outShape = c.keepNumDims ? [...c.input.slice(0, -1), c.units] : [batches, c.units];
  const y = b.output(b.q('y', 'int8', outShape, dotOutputScale(inScale, inZp, meanScale, depth), b.integer(-20, 20)));
  b.op('FULLY_CONNECTED', [x, w.name, bias], [y], { fused_activation_function: str(c.activation ?? 'NONE'), keep_num_dims: bool(c.keepNumDims ?? false) });
  const model = b.build();
  return { model, sets: Array.from({ length: 8 }, () => b.feeds(model)) };
}

interface MatMulCase extends RuntimeExpectations {
  name: string;
  lhs: number[];
  rhs: number[];
  adjX?: boolean;
  adjY?: boolean;
  /** The right-hand side is a constant (weights) instead of a second input. */
  constantRhs?: boolean;
}

const MATMUL_CASES: MatMulCase[] = [
  { name: 'batch_matmul [2,4,8] x [2,8,5]', lhs: [2, 4, 8], rhs: [2, 8, 5], rejects: { armnn: /Operator code .* is out of range/ } },
  { name: 'batch_matmul [1,3,6] x const [6,4] (broadcast)', lhs: [1, 3, 6], rhs: [6, 4], constantRhs: true, rejects: { armnn: /Operator code .* is out of range/ } },
  { name: 'batch_matmul adj_x [2,8,4] x adj_y [2,5,8]', lhs: [2, 8, 4], rhs: [2, 5, 8], adjX: true, adjY: true, rejects: { armnn: /Operator code .* is out of range/ } },
];

function buildMatMul(c: MatMulCase, seed: number) {
  const b = new ModelBuilder(seed);
  const lScale = Math.fround(b.uniform(0.01, 0.05));
  const lZp = b.integer(-10, 10);
  const x = b.input(b.q('a', 'int8', c.lhs, lScale, lZp));
  let rhs: string;
  let rScale: number;
  if (c.constantRhs) {
    const w = b.weights('b', c.rhs, undefined);
    rhs = w.name;
    rScale = w.scales[0]!;
  } else {
    rScale = Math.fround(b.uniform(0.005, 0.02));
    rhs = b.input(b.q('b', 'int8', c.rhs, rScale, 0));
  }
  const m = c.adjX ? c.lhs.at(-1)! : c.lhs.at(-2)!;
  const k = c.adjX ? c.lhs.at(-2)! : c.lhs.at(-1)!;
  const n = c.adjY ? c.rhs.at(-2)! : c.rhs.at(-1)!;
  const batch = c.lhs.length > c.rhs.length ? c.lhs.slice(0, -2) : c.rhs.slice(0, -2);
  const y = b.output(b.q('y', 'int8', [...batch, m, n], dotOutputScale(lScale, lZp, rScale, k), b.integer(-20, 20)));
  b.op('BATCH_MATMUL', [x, rhs], [y], { adj_x: bool(c.adjX ?? false), adj_y: bool(c.adjY ?? false) });
  const model = b.build();
  return { model, sets: [0, 1, 2].map(() => b.feeds(model)) };
}

const ALL = [
  ...FC_CASES.map((c, i) => ({ name: c.name, expectations: c, make: () => buildFc(c, 200 + i) })),
  ...MATMUL_CASES.map((c, i) => ({ name: c.name, expectations: c, make: () => buildMatMul(c, 300 + i) })),
];

describe.each(ALL.map((c) => [c.name, c] as const))('%s', (_name, c) => {
  it('agrees with every runtime within 1 LSB on >= 99.9% of elements', async () => {
    const { model, sets } = c.make();
    const { reference, results } = await agreement(model, sets);
    console.log(describeAgreement(c.name, results));
    expect(distinctValues(reference)).toBeGreaterThan(20);
    expectAgreement(results, c.expectations);
    // As for convolutions: every difference is a double-rounding tie (see conv.test.ts).
    expectSingleRoundingExplains(results, c.expectations);
  });
});
