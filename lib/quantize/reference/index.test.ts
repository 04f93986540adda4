/**
 * runReference as a whole: a small int8 CNN end to end against the runtimes, the capture hook,
 * and the errors it gives for what it cannot run.
 */
import { describe, expect, it } from 'vitest';
import type { Model } from '../../ir/types';
import type { HostTensor } from '../../runtime/types';
import { UnsupportedReferenceOp, runReference } from './index';
import { ModelBuilder, agreement, bool, describeAgreement, distinctValues, expectAgreement, flt, int, str } from './test-support';

const f = Math.fround;

interface Layer {
  name: string;
  op: 'CONV_2D' | 'DEPTHWISE_CONV_2D' | 'FULLY_CONNECTED';
  /** int8 weight codes, per-channel scales (per-tensor when one), float bias. */
  codes: Int8Array;
  shape: number[];
  scales: number[];
  axis?: number;
  bias: number[];
}

/** Seeded weights for the small CNN below, shared by its float and int8 versions. */
function weights(seed: number): Layer[] {
  const b = new ModelBuilder(seed);
  const layer = (name: string, op: Layer['op'], shape: number[], channels: number, axis: number | undefined, scale: [number, number]): Layer => ({
    name, op, shape, axis,
    codes: Int8Array.from({ length: shape.reduce((p, d) => p * d, 1) }, () => b.integer(-127, 127)),
    scales: Array.from({ length: axis === undefined ? 1 : channels }, () => f(b.uniform(...scale))),
    bias: Array.from({ length: channels }, () => b.uniform(-0.2, 0.2)),
  });
  return [
    layer('c1', 'CONV_2D', [8, 3, 3, 1], 8, 0, [0.002, 0.006]),
    layer('d2', 'DEPTHWISE_CONV_2D', [1, 3, 3, 8], 8, 3, [0.002, 0.006]),
    layer('c3', 'CONV_2D', [16, 1, 1, 8], 16, 0, [0.003, 0.01]),
    // Per-tensor: Arm NN 20.08 aborts on per-channel FULLY_CONNECTED weights.
    layer('f5', 'FULLY_CONNECTED', [10, 16], 10, undefined, [0.01, 0.01]),
  ];
}

type Ranges = Map<string, { scale: number; zeroPoint: number }>;

/**
 * float [1,28,28,1] -> conv 3x3x8 RELU -> max pool 2x2 -> depthwise 3x3 RELU6 -> conv 1x1x16
 * RELU -> MEAN [1,2] -> FULLY_CONNECTED 10 -> SOFTMAX -> [1,10], in float32 (no `ranges`) or int8
 * between a QUANTIZE and a DEQUANTIZE with each tensor's scale from `ranges`. `intermediates`
 * become extra graph outputs, so runtimes can be compared layer by layer.
 */
function smallCnn(layers: Layer[], ranges?: Ranges, intermediates: string[] = []): Model {
  const b = new ModelBuilder(0);
  const t = (name: string, shape: number[]) => {
    const r = ranges?.get(name);
    return r ? b.q(name, 'int8', shape, r.scale, r.zeroPoint) : b.float(name, shape);
  };
  const x = b.input(b.float('image', [1, 28, 28, 1]));
  let prev = x;
  if (ranges) {
    b.op('QUANTIZE', [x], [t('q0', [1, 28, 28, 1])]);
    prev = 'q0';
  }
  const [l1, l2, l3, l5] = layers as [Layer, Layer, Layer, Layer];
  const inScale = (name: string) => ranges!.get(name)!.scale;
  const param = (l: Layer, input: string): [string, string] => {
    if (!ranges) {
      const real = Array.from(l.codes, (q, i) => q * l.scales[l.scales.length > 1 ? (l.axis === 0 ? Math.floor(i / (l.codes.length / l.scales.length)) : i % l.scales.length) : 0]!);
      return [b.float(`${l.name}/w`, l.shape, real), b.float(`${l.name}/b`, [l.bias.length], l.bias)];
    }
    const w = b.tensor(`${l.name}/w`, 'int8', l.shape, { scale: l.scales, zeroPoint: l.scales.map(() => 0), ...(l.axis !== undefined ? { axis: l.axis } : {}) }, l.codes);
    const s = inScale(input);
    const biasScales = l.bias.map((_, c) => s * l.scales[l.scales.length > 1 ? c : 0]!);
    const codes = Int32Array.from(l.bias, (v, c) => Math.round(v / biasScales[c]!));
    const perChannel = l.scales.length > 1;
    const bias = b.tensor(`${l.name}/b`, 'int32', [l.bias.length], { scale: perChannel ? biasScales : [biasScales[0]!], zeroPoint: perChannel ? biasScales.map(() => 0) : [0], ...(perChannel ? { axis: 0 } : {}) }, codes);
    return [w, bias];
  };
  const conv = (a: string) => ({ padding: str('SAME'), stride_h: int(1), stride_w: int(1), fused_activation_function: str(a) });
  b.op('CONV_2D', [prev, ...param(l1, prev)], [t('c1', [1, 28, 28, 8])], conv('RELU'));
  b.op('MAX_POOL_2D', ['c1'], [t('p1', [1, 14, 14, 8])], {
    padding: str('VALID'), stride_h: int(2), stride_w: int(2), filter_height: int(2), filter_width: int(2), fused_activation_function: str('NONE'),
  });
  b.op('DEPTHWISE_CONV_2D', ['p1', ...param(l2, 'p1')], [t('d2', [1, 14, 14, 8])], { ...conv('RELU6'), depth_multiplier: int(1) });
  b.op('CONV_2D', ['d2', ...param(l3, 'd2')], [t('c3', [1, 14, 14, 16])], conv('RELU'));
  b.op('MEAN', ['c3', b.int32('axes', [1, 2])], [t('m4', [1, 1, 1, 16])], { keep_dims: bool(true) });
  b.op('FULLY_CONNECTED', ['m4', ...param(l5, 'm4')], [t('f5', [1, 10])], { fused_activation_function: str('NONE'), keep_num_dims: bool(false) });
  if (ranges) {
    b.op('SOFTMAX', ['f5'], [t('sm', [1, 10])], { beta: flt(1) });
    b.op('DEQUANTIZE', ['sm'], [b.output(b.float('probs', [1, 10]))]);
  } else {
    b.op('SOFTMAX', ['f5'], [b.output(b.float('probs', [1, 10]))], { beta: flt(1) });
  }
  for (const name of intermediates) b.output(name);
  return b.build();
}

/**
 * Post-training calibration in miniature: the float model runs in the reference, each tensor's
 * observed [min, max] (widened to include 0) becomes an int8 scale and zero point.
 */
function calibrate(layers: Layer[], sets: HostTensor[][]): Ranges {
  const lo = new Map<string, number>();
  const hi = new Map<string, number>();
  const float = smallCnn(layers);
  for (const feeds of sets) {
    runReference(float, feeds, {
      capture: (name, v) => {
        for (const x of v.data as Float32Array) {
          lo.set(name, Math.min(lo.get(name) ?? 0, x));
          hi.set(name, Math.max(hi.get(name) ?? 0, x));
        }
      },
    });
  }
  const ranges: Ranges = new Map([['q0', { scale: f(1 / 255), zeroPoint: -128 }], ['sm', { scale: f(1 / 256), zeroPoint: -128 }]]);
  for (const [name, min] of lo) {
    if (name === 'probs') continue;
    const scale = f((hi.get(name)! - min) / 255);
    ranges.set(name, { scale, zeroPoint: Math.round(-128 - min / scale) });
  }
  // Max pooling keeps its input's quantization.
  ranges.set('p1', ranges.get('c1')!);
  return ranges;
}

function images(seed: number, n: number): HostTensor[][] {
  const b = new ModelBuilder(seed);
  return Array.from({ length: n }, () => [{ name: 'image', dtype: 'float32', shape: [1, 28, 28, 1], data: Float32Array.from({ length: 784 }, () => b.uniform(0, 1)) }]);
}

describe('a small int8 CNN, end to end', () => {
  const layers = weights(1);
  const ranges = calibrate(layers, images(5, 8));
  const model = smallCnn(layers, ranges);

  it('agrees with the runtimes on the class probabilities', async () => {
    const sets = images(2, 16);
    const { reference, results } = await agreement(model, sets, { lsb: [f(1 / 256)] });
    console.log(describeAgreement('small CNN, probabilities', results));
    expect(distinctValues(reference)).toBeGreaterThan(10);
    expectAgreement(results);
  });

  it('agrees layer by layer (intermediate tensors as extra outputs)', async () => {
    const layerNames = ['c1', 'p1', 'd2', 'c3', 'm4', 'f5'];
    const open = smallCnn(layers, ranges, layerNames);
    const sets = images(2, 4);
    for (const [j, name] of layerNames.entries()) {
      const { results } = await agreement({ ...open, graphs: [{ ...open.graphs[0]!, outputs: [name] }] }, sets);
      console.log(describeAgreement(`small CNN, layer ${j + 1} (${name})`, results));
      expectAgreement(results);
    }
  });

  it('captures every computed tensor once, in execution order, and returns the graph outputs', () => {
    const seen: Array<[string, HostTensor]> = [];
    const [probs] = runReference(model, images(3, 1)[0]!, { capture: (name, v) => seen.push([name, v]) });
    expect(seen.map(([n]) => n)).toEqual(model.graphs[0]!.nodes.map((n) => n.outputs[0]));
    const c1 = seen.find(([n]) => n === 'c1')![1];
    expect(c1).toMatchObject({ name: 'c1', dtype: 'int8', shape: [1, 28, 28, 8] });
    expect(c1.data).toBeInstanceOf(Int8Array);
    expect(seen.at(-1)![1]).toBe(probs);
    const sum = Array.from(probs!.data as Float32Array).reduce((a, v) => a + v, 0);
    expect(Math.abs(sum - 1)).toBeLessThan(10 / 256);
  });

  it('runs the 28x28 convolution model quickly enough to use interactively', () => {
    const feeds = images(4, 1)[0]!;
    runReference(model, feeds);
    const t0 = performance.now();
    for (let i = 0; i < 5; i++) runReference(model, feeds);
    console.log(`small CNN: ${((performance.now() - t0) / 5).toFixed(1)} ms per run`);
  });
});

describe('errors', () => {
  const b = new ModelBuilder(7);
  const x = b.input(b.q('x', 'int8', [1, 8], f(0.1), 0));
  b.op('GELU', [x], [b.output(b.q('y', 'int8', [1, 8], f(0.1), 0))], { approximate: bool(false) });
  const gelu = b.build();
  const feed: HostTensor = { name: 'x', dtype: 'int8', shape: [1, 8], data: new Int8Array(8) };

  it('names the op and node it has no kernel for', () => {
    let error: unknown;
    try {
      runReference(gelu, [feed]);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UnsupportedReferenceOp);
    expect(error).toMatchObject({ op: 'tfl.GELU', node: 'y' });
  });

  it('names unsupported dtype combinations of a known op', () => {
    const m = new ModelBuilder(8);
    const xf = m.input(m.float('x', [1, 4]));
    const w = m.weights('w', [2, 4], 0);
    m.op('FULLY_CONNECTED', [xf, w.name, ''], [m.output(m.float('y', [1, 2]))], { fused_activation_function: str('NONE') });
    expect(() => runReference(m.build(), [{ name: 'x', dtype: 'float32', shape: [1, 4], data: new Float32Array(4) }]))
      .toThrow(/no kernel for tfl.FULLY_CONNECTED \(node y\): input float32, weights int8/);
  });

  it('refuses quantizations TFLite refuses in Prepare (int8 SOFTMAX output not at 1/256, -128)', () => {
    const m = new ModelBuilder(10);
    const xi = m.input(m.q('x', 'int8', [1, 8], f(0.1), 0));
    m.op('SOFTMAX', [xi], [m.output(m.q('y', 'int8', [1, 8], f(1 / 128), 0))], { beta: flt(1) });
    expect(() => runReference(m.build(), [{ name: 'x', dtype: 'int8', shape: [1, 8], data: new Int8Array(8) }]))
      .toThrow(UnsupportedReferenceOp);
  });

  it('fails like TFLite on int8 RSQRT inputs below the zero point', () => {
    const m = new ModelBuilder(11);
    const xi = m.input(m.q('x', 'int8', [1, 4], f(0.1), 0));
    m.op('RSQRT', [xi], [m.output(m.q('y', 'int8', [1, 4], f(0.05), -128))]);
    expect(() => runReference(m.build(), [{ name: 'x', dtype: 'int8', shape: [1, 4], data: Int8Array.of(3, 0, -1, 7) }]))
      .toThrow(/Rsqrt is only defined for positive values/);
  });

  it('refuses PACK of inputs quantized differently from the output, as TFLite does', () => {
    const m = new ModelBuilder(12);
    const a = m.input(m.q('a', 'int8', [2], f(0.1), 0));
    const c = m.input(m.q('c', 'int8', [2], f(0.2), 0));
    m.op('PACK', [a, c], [m.output(m.q('y', 'int8', [2, 2], f(0.1), 0))], { values_count: int(2), axis: int(0) });
    const feed = (name: string): HostTensor => ({ name, dtype: 'int8', shape: [2], data: new Int8Array(2) });
    expect(() => runReference(m.build(), [feed('a'), feed('c')])).toThrow(UnsupportedReferenceOp);
  });

  it('rejects feeds of the wrong dtype, count or shape', () => {
    expect(() => runReference(gelu, [])).toThrow(/takes 1 inputs, got 0/);
    expect(() => runReference(gelu, [{ ...feed, dtype: 'int16', data: new Int16Array(8) }])).toThrow(/input x is int8, the feed is int16/);
    expect(() => runReference(gelu, [{ ...feed, shape: [2, 4] }])).toThrow(/wants \[1, 8\], the feed is \[2, 4\]/);
  });

  it('rejects a model whose declared output shape disagrees with the op', () => {
    const m = new ModelBuilder(9);
    const xi = m.input(m.q('x', 'int8', [1, 4, 4, 2], f(0.1), 0));
    m.op('MAX_POOL_2D', [xi], [m.output(m.q('y', 'int8', [1, 3, 3, 2], f(0.1), 0))], {
      padding: str('VALID'), stride_h: int(2), stride_w: int(2), filter_height: int(2), filter_width: int(2),
    });
    expect(() => runReference(m.build(), [{ name: 'x', dtype: 'int8', shape: [1, 4, 4, 2], data: new Int8Array(32) }]))
      .toThrow(/computed shape \[1, 2, 2, 2\] for y, the model declares \[1, 3, 3, 2\]/);
  });
});
