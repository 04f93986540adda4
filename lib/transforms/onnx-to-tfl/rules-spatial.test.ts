/**
 * The spatial rules (rules-spatial.ts) on small hand-built graphs the ONNX node tests do not
 * cover (dilated / ceil-mode / padded-count average pools, 1-D and 3-D pools, grouped dilated
 * ConvTranspose with output_padding past the full result, 3-D ConvTranspose, even-size LRN, ...):
 * converted, run in LiteRT.js, compared with reference loops written here from the ONNX spec.
 */
import { describe, expect, it } from 'vitest';
import { readModel } from '../../formats/registry';
import { writeTflite } from '../../formats/tflite/write';
import { litertAdapter } from '../../runtime/litert';
import { onnxToTfl } from './index';
import { aFloat, aInt, aInts, aString, buildOnnx, fromNhwc, seeded, toNhwc, type Attr } from './testdata/onnx-build';

const prod = (s: number[]): number => s.reduce((a, b) => a * b, 1);

/** Calls fn with every multi-index of shape, in row-major order. */
function each(shape: number[], fn: (idx: number[]) => void): void {
  const idx = shape.map(() => 0);
  for (let n = 0; n < prod(shape); n++) {
    fn(idx);
    for (let a = shape.length - 1; a >= 0 && ++idx[a]! === shape[a]!; a--) idx[a] = 0;
  }
}
const flat = (shape: number[], idx: number[]): number => idx.reduce((acc, v, a) => acc * shape[a]! + v, 0);

interface Case { op: string; x: number[]; attrs: Attr[]; w?: { dims: number[]; values: number[] }; b?: number[]; opset?: number; keepLayout?: boolean }

/** Converts a one-node graph, runs it in LiteRT.js; returns the output (NCHW) and the tfl ops. */
async function run(k: Case): Promise<{ y: Float32Array; ops: string[]; x: Float32Array; shape: number[] }> {
  const floats: Record<string, { dims: number[]; values: number[] }> = {};
  if (k.w) floats.w = k.w;
  if (k.b) floats.b = { dims: [k.b.length], values: k.b };
  const bytes = buildOnnx({
    inputs: [{ name: 'x', shape: k.x }], outputs: [{ name: 'y' }], floats, opset: k.opset ?? 17,
    nodes: [{ op: k.op, inputs: ['x', ...(k.w ? ['w'] : []), ...(k.b ? ['b'] : [])], outputs: ['y'], attrs: k.attrs }],
  });
  const { model, report } = onnxToTfl(await readModel([{ name: 't.onnx', bytes }]), { keepLayout: k.keepLayout ?? true });
  expect(report.unsupported).toEqual([]);
  const g = model.graphs[0]!;
  const x = Float32Array.from(seeded(prod(k.x), 7, -2, 2));
  const nhwcIn = report.notes.some((n) => n.startsWith('NHWC inputs'));
  const nhwcOut = report.notes.some((n) => n.startsWith('NHWC outputs'));
  const lrt = await litertAdapter.load({ bytes: writeTflite(model) }, { backend: 'wasm' });
  const [out] = await lrt.run([{ name: 'x', dtype: 'float32', shape: g.tensors.get('x')!.shape as number[], data: nhwcIn ? toNhwc(x, k.x) : x }]);
  lrt.dispose();
  const shape = out!.shape;
  const nchw = nhwcOut ? [shape[0]!, shape[3]!, shape[1]!, shape[2]!] : shape;
  return { y: nhwcOut ? fromNhwc(out!.data as Float32Array, nchw) : (out!.data as Float32Array), ops: g.nodes.map((n) => n.op), x, shape: nchw };
}

function close(got: Float32Array, want: Float32Array): void {
  expect(got.length).toBe(want.length);
  let worst = 0;
  for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i]! - want[i]!) / Math.max(1, Math.abs(want[i]!)));
  expect(worst).toBeLessThan(1e-5);
}

interface PoolRef { k: number[]; s: number[]; d: number[]; pads: number[]; out: number[]; max: boolean; countPad?: boolean }

/** ONNX pooling: taps at o*s - pb + j*d; average over input taps, or over taps inside the pads with count_include_pad. */
function refPool(x: Float32Array, xs: number[], p: PoolRef): Float32Array {
  const r = p.k.length, ys = [xs[0]!, xs[1]!, ...p.out];
  const y = new Float32Array(prod(ys));
  each(ys, (o) => {
    let acc = p.max ? -Infinity : 0, inside = 0, padded = 0;
    each(p.k, (j) => {
      const t = j.map((jj, a) => o[a + 2]! * p.s[a]! - p.pads[a]! + jj * p.d[a]!);
      if (t.every((v, a) => v >= -p.pads[a]! && v < xs[a + 2]! + p.pads[a + r]!)) padded++;
      if (!t.every((v, a) => v >= 0 && v < xs[a + 2]!)) return;
      const v = x[flat(xs, [o[0]!, o[1]!, ...t])]!;
      acc = p.max ? Math.max(acc, v) : acc + v;
      inside++;
    });
    y[flat(ys, o)] = p.max ? acc : acc / (p.countPad ? padded : inside);
  });
  return y;
}

/** ONNX ConvTranspose: y[pos] = b + sum x[i] w[k] over i*s + k*d - begin = pos (zero outside). */
function refConvT(x: Float32Array, xs: number[], w: number[], ws: number[], b: number[], group: number, s: number[], d: number[], begin: number[], out: number[]): Float32Array {
  const cg = xs[1]! / group, og = ws[1]!, ys = [xs[0]!, og * group, ...out];
  const y = new Float32Array(prod(ys));
  each(ys, (o) => { y[flat(ys, o)] = b[o[1]!] ?? 0; });
  each(xs, (xi) => {
    const g = Math.floor(xi[1]! / cg);
    for (let oc = 0; oc < og; oc++) each(ws.slice(2), (kk) => {
      const pos = kk.map((kv, a) => xi[a + 2]! * s[a]! + kv * d[a]! - begin[a]!);
      if (pos.some((v, a) => v < 0 || v >= out[a]!)) return;
      const at = flat(ys, [xi[0]!, g * og + oc, ...pos]);
      y[at] = y[at]! + x[flat(xs, xi)]! * w[flat(ws, [xi[1]!, oc, ...kk])]!;
    });
  });
  return y;
}

const wts = (dims: number[], seed: number) => ({ dims, values: seeded(prod(dims), seed) });

describe('rules-spatial on LiteRT.js', () => {
  it('AveragePool: dilated, ceil_mode, count_include_pad=1, asymmetric pads (opset 19)', async () => {
    const x = [1, 3, 7, 7];
    const r = await run({ op: 'AveragePool', x, opset: 19, attrs: [aInts('kernel_shape', [3, 2]), aInts('strides', [2, 2]), aInts('dilations', [2, 1]), aInts('pads', [1, 0, 2, 0]), aInt('count_include_pad', 1), aInt('ceil_mode', 1)] });
    // The last windows reach past the pads (h: tap 9 of [-1, 9); w: cell 7 of 7): those cells are never counted.
    close(r.y, refPool(r.x, x, { k: [3, 2], s: [2, 2], d: [2, 1], pads: [1, 0, 2, 0], out: [4, 4], max: false, countPad: true }));
    expect(r.ops).toContain('tfl.STRIDED_SLICE');
  });

  it('AveragePool 3-D with pads excluded from the count, and 1-D SAME_LOWER counting them', async () => {
    const x3 = [1, 2, 5, 6, 4];
    const r3 = await run({ op: 'AveragePool', x: x3, attrs: [aInts('kernel_shape', [2, 3, 2]), aInts('strides', [2, 1, 2]), aInts('pads', [1, 1, 0, 0, 1, 1])] });
    close(r3.y, refPool(r3.x, x3, { k: [2, 3, 2], s: [2, 1, 2], d: [1, 1, 1], pads: [1, 1, 0, 0, 1, 1], out: [3, 6, 2], max: false }));
    const x1 = [1, 2, 7];
    const r1 = await run({ op: 'AveragePool', x: x1, attrs: [aInts('kernel_shape', [4]), aString('auto_pad', 'SAME_LOWER'), aInt('count_include_pad', 1)] });
    close(r1.y, refPool(r1.x, x1, { k: [4], s: [1], d: [1], pads: [2, 1], out: [7], max: false, countPad: true }));
  });

  it('MaxPool 3-D dilated SAME_UPPER, and 1-D dilated ceil_mode', async () => {
    const x3 = [1, 2, 5, 5, 6];
    const r3 = await run({ op: 'MaxPool', x: x3, attrs: [aInts('kernel_shape', [2, 2, 3]), aInts('strides', [1, 2, 1]), aInts('dilations', [2, 1, 2]), aString('auto_pad', 'SAME_UPPER')] });
    close(r3.y, refPool(r3.x, x3, { k: [2, 2, 3], s: [1, 2, 1], d: [2, 1, 2], pads: [1, 0, 2, 1, 1, 2], out: [5, 3, 6], max: true }));
    const x1 = [2, 3, 9];
    const r1 = await run({ op: 'MaxPool', x: x1, attrs: [aInts('kernel_shape', [3]), aInts('strides', [2]), aInts('dilations', [3]), aInts('pads', [2, 1]), aInt('ceil_mode', 1)] });
    close(r1.y, refPool(r1.x, x1, { k: [3], s: [2], d: [3], pads: [2, 1], out: [4], max: true }));
  });

  it('ConvTranspose 2-D: grouped, dilated, strided, asymmetric pads, output_padding past the full result', async () => {
    const x = [1, 4, 3, 4], w = wts([4, 3, 3, 2], 3), b = seeded(6, 4);
    for (const keepLayout of [true, false]) {
      const r = await run({ op: 'ConvTranspose', x, w, b, keepLayout, attrs: [aInt('group', 2), aInts('strides', [2, 3]), aInts('dilations', [2, 1]), aInts('pads', [1, 0, 0, 2]), aInts('output_padding', [1, 2])] });
      expect(r.shape).toEqual([1, 6, 9, 11]);
      close(r.y, refConvT(r.x, x, w.values, w.dims, b, 2, [2, 3], [2, 1], [1, 0], [9, 11]));
    }
  });

  it('ConvTranspose 1-D with output_padding, 3-D dilated with pads, 2-D SAME_LOWER', async () => {
    const x1 = [2, 3, 5], w1 = wts([3, 2, 3], 5), b1 = [0.5, -1];
    const r1 = await run({ op: 'ConvTranspose', x: x1, w: w1, b: b1, attrs: [aInts('strides', [2]), aInts('pads', [0, 1]), aInts('output_padding', [1])] });
    close(r1.y, refConvT(r1.x, x1, w1.values, w1.dims, b1, 1, [2], [1], [0], [11]));
    const x3 = [1, 2, 2, 3, 2], w3 = wts([2, 1, 2, 2, 3], 6);
    const r3 = await run({ op: 'ConvTranspose', x: x3, w: w3, attrs: [aInts('strides', [2, 1, 2]), aInts('dilations', [1, 2, 1]), aInts('pads', [0, 1, 1, 1, 0, 0])] });
    close(r3.y, refConvT(r3.x, x3, w3.values, w3.dims, [], 1, [2, 1, 2], [1, 2, 1], [0, 1, 1], [3, 4, 4]));
    const x2 = [1, 1, 3, 3], w2 = wts([1, 2, 3, 3], 7);
    const r2 = await run({ op: 'ConvTranspose', x: x2, w: w2, attrs: [aInts('strides', [2, 2]), aString('auto_pad', 'SAME_LOWER')] });
    // full 7, output 3 * 2 = 6: SAME_LOWER puts the odd pad first.
    close(r2.y, refConvT(r2.x, x2, w2.values, w2.dims, [], 1, [2, 2], [1, 1], [1, 1], [6, 6]));
  });

  it('LRN with an even size (asymmetric window) in NHWC, and odd size on rank 3', async () => {
    const lrnRef = (x: Float32Array, xs: number[], size: number, alpha: number, beta: number, bias: number): Float32Array => {
      const y = new Float32Array(x.length);
      each(xs, (i) => {
        let sq = 0;
        for (let c = i[1]! - Math.floor((size - 1) / 2); c <= i[1]! + Math.ceil((size - 1) / 2); c++) {
          if (c >= 0 && c < xs[1]!) sq += x[flat(xs, [i[0]!, c, ...i.slice(2)])]! ** 2;
        }
        y[flat(xs, i)] = x[flat(xs, i)]! / (bias + (alpha / size) * sq) ** beta;
      });
      return y;
    };
    const x4 = [2, 6, 3, 2];
    const r4 = await run({ op: 'LRN', x: x4, keepLayout: false, attrs: [aInt('size', 4), aFloat('alpha', 0.3), aFloat('beta', 0.6), aFloat('bias', 1.5)] });
    close(r4.y, lrnRef(r4.x, x4, 4, Math.fround(0.3), Math.fround(0.6), 1.5));
    const x3 = [2, 5, 4];
    const r3 = await run({ op: 'LRN', x: x3, attrs: [aInt('size', 3), aFloat('alpha', 0.5)] });
    close(r3.y, lrnRef(r3.x, x3, 3, 0.5, 0.75, 1));
  });

  it('DepthToSpace CRD in NHWC, MeanVarianceNormalization over axes [1, 3]', async () => {
    const xs = [1, 8, 2, 3], bs = 2;
    const r = await run({ op: 'DepthToSpace', x: xs, keepLayout: false, attrs: [aInt('blocksize', bs), aString('mode', 'CRD')] });
    const want = new Float32Array(r.x.length);
    each([1, 2, 4, 6], ([n, c, h, w]) => {
      want[flat([1, 2, 4, 6], [n!, c!, h!, w!])] = r.x[flat(xs, [n!, c! * bs * bs + (h! % bs) * bs + (w! % bs), Math.floor(h! / bs), Math.floor(w! / bs)])]!;
    });
    close(r.y, want);

    const ms = [2, 3, 4, 5];
    const m = await run({ op: 'MeanVarianceNormalization', x: ms, attrs: [aInts('axes', [1, 3])] });
    const mv = new Float32Array(m.x.length);
    for (let n = 0; n < 2; n++) for (let h = 0; h < 4; h++) {
      let s1 = 0, s2 = 0;
      each([3, 5], ([c, w]) => { const v = m.x[flat(ms, [n, c!, h, w!])]!; s1 += v; s2 += v * v; });
      const mean = s1 / 15, sd = Math.sqrt(s2 / 15 - mean * mean);
      each([3, 5], ([c, w]) => { const i = flat(ms, [n, c!, h, w!]); mv[i] = (m.x[i]! - mean) / (sd + 1e-9); });
    }
    close(m.y, mv);
  });
});
