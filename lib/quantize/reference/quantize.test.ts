/**
 * QUANTIZE, DEQUANTIZE and mixed models whose float islands sit between them: the reference
 * against the three TFLite runtimes.
 */
import { describe, expect, it } from 'vitest';
import type { AttrValue } from '../../ir/types';
import { runReference } from './index';
import { ModelBuilder, agreement, describeAgreement, distinctValues, dotOutputScale, expectAgreement, flt, int, str, type RuntimeExpectations } from './test-support';

interface QCase extends RuntimeExpectations {
  name: string;
  /**
   * Builds the graph; returns, per float output, the step it is compared in: the scale of the
   * integer tensor it dequantizes, or a float tolerance.
   */
  build: (b: ModelBuilder) => number[];
  floatRange?: [number, number];
}

const f = Math.fround;

/** An adder of float nodes with outputs of one shape: (op, inputs, output name, attrs) -> the name. */
function floatChain(b: ModelBuilder, shape: number[]) {
  return (op: string, inputs: string[], name: string, attrs: Record<string, AttrValue> = {}): string => {
    b.op(op, inputs, [b.float(name, shape)], attrs);
    return name;
  };
}

const CASES: QCase[] = [
  {
    name: 'quantize float32 -> int8 [4,256]', floatRange: [-3.5, 3.5],
    build: (b) => {
      const x = b.input(b.float('x', [4, 256]));
      b.op('QUANTIZE', [x], [b.output(b.q('y', 'int8', [4, 256], f(0.025), 5))]);
      return [];
    },
  },
  {
    // Measured: XNNPACK requantizes with its own lower-precision multiplier, 88% equal and all
    // within one step; Arm NN (float) equals the reference.
    name: 'quantize int8 -> int8 (requantize to another scale and zero point)',
    build: (b) => {
      const x = b.input(b.q('x', 'int8', [4, 256], f(0.03), -7));
      b.op('QUANTIZE', [x], [b.output(b.q('y', 'int8', [4, 256], f(0.047), 11))]);
      return [];
    },
  },
  {
    name: 'dequantize int8 -> float32',
    build: (b) => {
      const x = b.input(b.q('x', 'int8', [4, 256], f(0.037), 9));
      b.op('DEQUANTIZE', [x], [b.output(b.float('y', [4, 256]))]);
      return [f(0.037)];
    },
  },
  {
    // TFLite's optimized QUANTIZE multiplies by 1 / scale where the reference divides: 0.05% of
    // the codes are one step apart in LiteRT.js and tfjs-tflite.
    name: 'float32 -> int16 -> float32 (QUANTIZE and DEQUANTIZE of int16)', floatRange: [-1.2, 1.2],
    build: (b) => {
      const x = b.input(b.float('x', [4, 256]));
      const q = b.q('q', 'int16', [4, 256], f(1.2 / 32767), 0);
      b.op('QUANTIZE', [x], [q]);
      b.op('DEQUANTIZE', [q], [b.output(b.float('y', [4, 256]))]);
      return [f(1.2 / 32767)];
    },
  },
  {
    name: 'dequantize float16 weights, added to a float input', rejects: { armnn: /Unsupported data type.*FLOAT16/ },
    build: (b) => {
      const x = b.input(b.float('x', [2, 64]));
      // float16 bit patterns of 1, -1, 0.5, 2, 3, -4, 0.333, -0.1 (halfToFloat decodes them).
      const halves = [0x3c00, 0xbc00, 0x3800, 0x4000, 0x4200, 0xc400, 0x3555, 0xae66];
      const h = b.tensor('h', 'float16', [2, 64], undefined, Uint16Array.from({ length: 128 }, (_, i) => halves[i % halves.length]!));
      const w = b.float('w', [2, 64]);
      b.op('DEQUANTIZE', [h], [w]);
      b.op('ADD', [x, w], [b.output(b.float('y', [2, 64]))], { fused_activation_function: str('NONE') });
      return [1e-6];
    },
  },
  {
    // Weight-only quantization: per-channel int8 weights dequantized at run time for a float conv.
    name: 'dequantize per-channel int8 weights into a float conv',
    rejects: { armnn: /has 0 bytes|constant weights/ },
    build: (b) => {
      const x = b.input(b.float('x', [1, 7, 7, 3]));
      const w = b.weights('wq', [4, 3, 3, 3], 0);
      const wf = b.float('wf', [4, 3, 3, 3]);
      b.op('DEQUANTIZE', [w.name], [wf]);
      b.op('CONV_2D', [x, wf, b.float('bias', [4], [0.1, -0.2, 0.3, 0])], [b.output(b.float('y', [1, 7, 7, 4]))], {
        padding: str('SAME'), stride_h: int(1), stride_w: int(1), fused_activation_function: str('NONE'),
      });
      // Outputs reach about 6 and float convolutions sum in their own order: steps of 2^-16 of that.
      return [6 / 2 ** 16];
    },
  },
  {
    name: 'float in -> QUANTIZE -> int8 conv -> DEQUANTIZE -> float out', floatRange: [-1, 1],
    build: (b) => {
      const x = b.input(b.float('x', [1, 12, 12, 3]));
      const inScale = f(2 / 255);
      const xq = b.q('xq', 'int8', [1, 12, 12, 3], inScale, 0);
      b.op('QUANTIZE', [x], [xq]);
      const w = b.weights('w', [8, 3, 3, 3], 0);
      const outScale = dotOutputScale(inScale, 0, w.scales[0]!, 27);
      const yq = b.q('yq', 'int8', [1, 12, 12, 8], outScale, 3);
      b.op('CONV_2D', [xq, w.name, b.bias('b', inScale, w.scales, 8)], [yq], {
        padding: str('SAME'), stride_h: int(1), stride_w: int(1), fused_activation_function: str('RELU'),
      });
      b.op('DEQUANTIZE', [yq], [b.output(b.float('y', [1, 12, 12, 8]))]);
      return [outScale];
    },
  },
  {
    name: 'int8 -> DEQUANTIZE -> float conv, mul, softmax -> QUANTIZE -> int8 (a float island)',
    build: (b) => {
      const inScale = f(0.02);
      const x = b.input(b.q('x', 'int8', [1, 6, 6, 4], inScale, -3));
      const xf = b.float('xf', [1, 6, 6, 4]);
      b.op('DEQUANTIZE', [x], [xf]);
      const wf = b.float('wf', [5, 3, 3, 4], Array.from({ length: 180 }, () => b.uniform(-0.3, 0.3)));
      const bf = b.float('bf', [5], Array.from({ length: 5 }, () => b.uniform(-0.1, 0.1)));
      const c = b.float('c', [1, 6, 6, 5]);
      b.op('CONV_2D', [xf, wf, bf], [c], { padding: str('SAME'), stride_h: int(1), stride_w: int(1), fused_activation_function: str('RELU6') });
      const m = b.float('m', [1, 6, 6, 5]);
      b.op('MUL', [c, b.float('k', [5], [0.5, 1, 1.5, 2, 2.5])], [m], { fused_activation_function: str('NONE') });
      const s = b.float('s', [1, 6, 6, 5]);
      b.op('SOFTMAX', [m], [s], { beta: flt(1) });
      b.op('QUANTIZE', [s], [b.output(b.q('y', 'int8', [1, 6, 6, 5], f(1 / 256), -128))]);
      return [];
    },
  },
  {
    name: 'int8 -> DEQUANTIZE -> sqrt(log(1 + x^2)) -> QUANTIZE -> int8 (float-only unary ops)',
    rejects: { armnn: /SQUARE/ },
    build: (b) => {
      const x = b.input(b.q('x', 'int8', [4, 64], f(0.03), 0));
      const chain = floatChain(b, [4, 64]);
      const xf = chain('DEQUANTIZE', [x], 'xf');
      const sq = chain('SQUARE', [xf], 'sq');
      const one = chain('ADD', [sq, b.float('one', [1], [1])], 'one_plus', { fused_activation_function: str('NONE') });
      const root = chain('SQRT', [chain('LOG', [one], 'log')], 'root');
      b.op('QUANTIZE', [root], [b.output(b.q('y', 'int8', [4, 64], f(1.7 / 255), -128))]);
      return [];
    },
  },
  {
    name: 'int8 -> DEQUANTIZE -> 1 / (1 + exp(-x)) with NEG, EXP, DIV -> QUANTIZE -> int8',
    build: (b) => {
      const x = b.input(b.q('x', 'int8', [4, 64], f(0.05), 3));
      const chain = floatChain(b, [4, 64]);
      const e = chain('EXP', [chain('NEG', [chain('DEQUANTIZE', [x], 'xf')], 'neg')], 'exp');
      const none = { fused_activation_function: str('NONE') };
      const denom = chain('ADD', [e, b.float('one', [1], [1])], 'denom', none);
      const sig = chain('DIV', [b.float('one_num', [1], [1]), denom], 'sigmoid', none);
      b.op('QUANTIZE', [sig], [b.output(b.q('y', 'int8', [4, 64], f(1 / 256), -128))]);
      return [];
    },
  },
];

describe.each(CASES.map((c, i) => [c.name, c, i] as const))('%s', (_name, c, i) => {
  it('agrees with every runtime within 1 LSB on >= 99.9% of elements', async () => {
    const b = new ModelBuilder(900 + i);
    const lsb = c.build(b);
    const model = b.build();
    const sets = [0, 1, 2, 3].map(() => b.feeds(model, c.floatRange));
    const { reference, results } = await agreement(model, sets, { lsb });
    console.log(describeAgreement(c.name, results));
    expect(distinctValues(reference)).toBeGreaterThan(20);
    expectAgreement(results, c);
  });
});

describe('per-axis QUANTIZE and DEQUANTIZE (reference only: no runtime takes per-axis graph I/O)', () => {
  it('uses each channel its own scale and zero point along the axis', () => {
    const b = new ModelBuilder(1);
    const x = b.input(b.float('x', [2, 3]));
    const quant = { scale: [0.5, 0.25, 0.1], zeroPoint: [0, 1, -2], axis: 1 };
    b.op('QUANTIZE', [x], [b.tensor('q', 'int8', [2, 3], quant)]);
    b.op('DEQUANTIZE', ['q'], [b.output(b.float('y', [2, 3]))]);
    const captured = new Map<string, number[]>();
    const [y] = runReference(b.build(), [{ name: 'x', dtype: 'float32', shape: [2, 3], data: Float32Array.of(1.1, 1.1, 1.1, -3, 40, -0.26) }], {
      capture: (name, v) => captured.set(name, Array.from(v.data as Int8Array | Float32Array)),
    });
    // round(1.1 / 0.5) = 2; round(1.1 / 0.25) + 1 = 5; round(1.1 / 0.1) - 2 = 9; -6; 161 -> 127; round(-2.6) - 2 = -5.
    expect(captured.get('q')).toEqual([2, 5, 9, -6, 127, -5]);
    expect(Array.from(y!.data as Float32Array)).toEqual([1, 1, 1.1, -3, 31.5, -0.3].map(Math.fround));
  });
});
