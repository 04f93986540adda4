/**
 * Resize forms ONNX's node tests (Debian's, opset <= 13) do not cover - axes, kept aspect
 * ratios, antialias, half_pixel_symmetric, 1-D and 3-D - converted and run in LiteRT.js against
 * onnxruntime-web on the same inputs; and the choice of builtin vs matrix form.
 */
import * as ort from 'onnxruntime-web';
import { describe, expect, it } from 'vitest';
import { readModel } from '../../formats/registry';
import { writeTflite } from '../../formats/tflite/write';
import { litertAdapter } from '../../runtime/litert';
import { onnxToTfl } from './index';
import { axisMatrix } from './resize-weights';
import { aFloat, aInt, aInts, aString, buildOnnx, seeded } from './testdata/onnx-build';

type Attr = ReturnType<typeof aInt>;
interface Case { shape: number[]; scales?: number[]; sizes?: number[]; attrs: Attr[]; opset?: number }

function model(k: Case): Uint8Array {
  return buildOnnx({
    inputs: [{ name: 'x', shape: k.shape }],
    outputs: [{ name: 'y' }],
    floats: k.scales ? { scales: { dims: [k.scales.length], values: k.scales } } : {},
    int64s: k.sizes ? { sizes: { dims: [k.sizes.length], values: k.sizes } } : {},
    nodes: [{ op: 'Resize', inputs: k.sizes ? ['x', '', '', 'sizes'] : ['x', '', 'scales'], outputs: ['y'], attrs: k.attrs }],
    opset: k.opset ?? 19,
  });
}

async function convert(bytes: Uint8Array) {
  const { model: m, report } = onnxToTfl(await readModel([{ name: 'r.onnx', bytes }]), { keepLayout: true });
  expect(report.unsupported).toEqual([]);
  return m;
}

async function maxDiff(k: Case): Promise<number> {
  const bytes = model(k);
  const m = await convert(bytes);
  const data = Float32Array.from(seeded(k.shape.reduce((a, b) => a * b, 1), 3));
  const session = await ort.InferenceSession.create(bytes, { executionProviders: ['wasm'] });
  const want = (await session.run({ x: new ort.Tensor('float32', data, k.shape) })).y!;
  await session.release();
  const lrt = await litertAdapter.load({ bytes: writeTflite(m) }, { backend: 'wasm' });
  const [got] = await lrt.run([{ name: 'x', dtype: 'float32', shape: k.shape, data }]);
  lrt.dispose();
  expect(got!.shape).toEqual(want.dims);
  const a = want.data as Float32Array, b = got!.data as Float32Array;
  return a.reduce((mx, v, i) => Math.max(mx, Math.abs(v - b[i]!)), 0);
}

describe('Resize lowering', () => {
  const cases: Array<[string, Case]> = [
    ['linear 1-D, downsample by 0.6 (not a whole size)', { shape: [1, 2, 10], scales: [1, 1, 0.6], attrs: [aString('mode', 'linear')] }],
    ['trilinear 3-D, align_corners', { shape: [1, 1, 3, 4, 5], sizes: [1, 1, 5, 3, 7], attrs: [aString('mode', 'linear'), aString('coordinate_transformation_mode', 'align_corners')] }],
    ['cubic antialias downsample', { shape: [1, 1, 9, 8], scales: [1, 1, 0.5, 0.4], attrs: [aString('mode', 'cubic'), aInt('antialias', 1)] }],
    ['linear antialias downsample', { shape: [1, 2, 8, 8], sizes: [1, 2, 3, 5], attrs: [aString('mode', 'linear'), aInt('antialias', 1)] }],
    ['half_pixel_symmetric with a kept aspect ratio', { shape: [1, 1, 4, 6], sizes: [5, 5], attrs: [aString('mode', 'linear'), aString('coordinate_transformation_mode', 'half_pixel_symmetric'), aInts('axes', [2, 3]), aString('keep_aspect_ratio_policy', 'not_larger')] }],
    ['nearest on the last axis only (axes), round_prefer_ceil', { shape: [2, 3, 5], scales: [1.7], attrs: [aInts('axes', [-1]), aString('nearest_mode', 'round_prefer_ceil')] }],
    ['cubic A=-0.5 exclude_outside, not_smaller', { shape: [1, 1, 5, 3], sizes: [4, 4], attrs: [aString('mode', 'cubic'), aFloat('cubic_coeff_a', -0.5), aInt('exclude_outside', 1), aInts('axes', [2, 3]), aString('keep_aspect_ratio_policy', 'not_smaller')] }],
  ];
  for (const [what, k] of cases) {
    it(`${what} matches onnxruntime`, async () => expect(await maxDiff(k)).toBeLessThan(1e-5));
  }

  it('keeps TFLite builtins where their sampling is ONNX\'s, and gathers nearest picks', async () => {
    const ops = async (k: Case) => (await convert(model(k))).graphs[0]!.nodes.map((n) => n.op);
    expect(await ops({ shape: [1, 2, 4, 4], scales: [1, 1, 2, 2], attrs: [aString('mode', 'linear')] })).toContain('tfl.RESIZE_BILINEAR');
    const nearest = await ops({ shape: [1, 2, 4, 4], sizes: [1, 2, 3, 7], attrs: [aString('coordinate_transformation_mode', 'align_corners')] });
    expect(nearest.filter((o) => o === 'tfl.GATHER')).toHaveLength(2);
    expect(nearest).not.toContain('tfl.FULLY_CONNECTED');
  });

  it('weights of every interpolating row sum to 1; crop-and-resize marks samples outside', () => {
    const p = { mode: 'cubic' as const, coord: 'half_pixel', nearestMode: 'round_prefer_floor', cubicA: -0.75, excludeOutside: false, antialias: false, roi: [0, 1] as [number, number] };
    const m = axisMatrix(5, 8, 8 / 5, p);
    for (let o = 0; o < 8; o++) expect(m.w.slice(o * 5, o * 5 + 5).reduce((s, v) => s + v, 0)).toBeCloseTo(1, 12);
    const crop = axisMatrix(4, 3, 3 / 4, { ...p, mode: 'linear', coord: 'tf_crop_and_resize', roi: [-0.5, 1.2] });
    expect(crop.outside).toEqual([true, false, true]);
  });
});
