/**
 * `cli optimize` and `cli eval` as real processes: recipes printed by `quantize` (and made the way
 * the app makes prune recipes) replay to the same bytes; eval's numbers equal an independent
 * LiteRT.js loop in this test, and the same images give the same numbers from every data source.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readModel } from '../lib/formats/registry';
import { writeTflite } from '../lib/formats/tflite/write';
import { writeNpy } from '../lib/npy';
import { bundledImages, fashionTfl } from '../lib/quantize/test-support';
import { litertAdapter } from '../lib/runtime/litert';
import { applyRecipe } from '../lib/transforms/index';
import { convertToTflite } from '../lib/transforms/to-tflite';
import { recipeFrom, resultDialect } from './recipe';
import { cli, ROOT } from './test-cli';

const SAMPLE = path.join(ROOT, 'public', 'models', 'fashion-mnist-cnn.onnx');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'ems-opt-eval-'));
const at = (f: string) => path.join(tmp, f);
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const same = (a: string, b: string) => Buffer.from(readFileSync(a)).equals(readFileSync(b));
const json = <T>(r: { code: number; out: string; err: string }): T => {
  expect(r.code, r.err).toBe(0);
  return JSON.parse(r.out.slice(r.out.indexOf('{'))) as T;
};
const ok = (args: string[]) => { const r = cli(args); expect(r.code, r.err).toBe(0); return r; };
const saveJson = (f: string, v: unknown) => { writeFileSync(at(f), JSON.stringify(v)); return at(f); };

type Recipe = Array<{ transform: string; options: Record<string, unknown> }>;
interface EvalJson { model: string; runtime: string; backend: string; dataset: string; metrics: Record<string, number | string>; classes?: string[] }

beforeAll(() => {
  ok(['convert', SAMPLE, '-o', at('f32.tflite')]);
  ok(['quantize', SAMPLE, '-o', at('q8.tflite'), '--mode', 'int8', '--calib', 'samples', '--calib-count', '100', '--calib-method', 'percentile:99.99', '--json']);
}, 120_000);

describe('cli optimize: recipes replay to the bytes their makers wrote', () => {
  it('an int8 recipe from quantize --json, bare and as the whole --json report; a float16 one', () => {
    const r = json<{ recipe: Recipe }>(cli(['quantize', SAMPLE, '-o', at('a8.tflite'), '--mode', 'int8', '--calib', 'samples', '--calib-count', '20', '--float-io', '--keep-float', 'Gemm', '--json']));
    expect(r.recipe.map((s) => s.transform)).toEqual(['onnx-to-tfl', 'quantize']);
    ok(['optimize', SAMPLE, '--recipe', saveJson('a8.recipe.json', r.recipe), '-o', at('a8-replay.tflite')]);
    expect(same(at('a8.tflite'), at('a8-replay.tflite'))).toBe(true);
    ok(['optimize', SAMPLE, '--recipe', saveJson('a8.report.json', r), '-o', at('a8-replay2.tflite')]);
    expect(same(at('a8.tflite'), at('a8-replay2.tflite'))).toBe(true);
    const f16 = json<{ recipe: Recipe }>(cli(['quantize', at('f32.tflite'), '-o', at('f16.tflite'), '--mode', 'float16', '--json']));
    ok(['optimize', at('f32.tflite'), '--recipe', saveJson('f16.json', { recipe: f16.recipe }), '-o', at('f16-replay.tflite')]);
    expect(same(at('f16.tflite'), at('f16-replay.tflite'))).toBe(true);
  }, 120_000);

  it('a TFLite model with fixed input shapes: the infer-shapes step replays (in the CLI and through applyRecipe)', async () => {
    const r = json<{ recipe: Recipe }>(cli(['quantize', at('f32.tflite'), '-o', at('dyn.tflite'), '--mode', 'dynamic', '--input-shape', 'image=1x28x28x1', '--json']));
    expect(r.recipe.map((s) => s.transform)).toEqual(['infer-shapes', 'quantize']);
    ok(['optimize', at('f32.tflite'), '--recipe', saveJson('dyn.json', r.recipe), '-o', at('dyn-replay.tflite')]);
    expect(same(at('dyn.tflite'), at('dyn-replay.tflite'))).toBe(true);
    const tfl = await fashionTfl();
    const step = [{ transform: 'infer-shapes', options: { inputShapes: { image: [1, 28, 28, 1] } } }];
    expect(Buffer.from(writeTflite(applyRecipe(tfl, step).model)).equals(Buffer.from(convertToTflite(tfl, { inputShapes: { image: [1, 28, 28, 1] } }).bytes!))).toBe(true);
  }, 120_000);

  it('prune recipes as the app records them (conversion steps, then prune), from a report with --variant; .onnx too', () => {
    ok(['prune', SAMPLE, '-o', at('p.tflite'), '--sparsity', '0.5', '--structured', '0.25']);
    const report = { variants: [
      { id: 'original', recipe: [] },
      { id: 'v1', recipe: [{ transform: 'onnx-to-tfl', options: {} }, { transform: 'prune', options: { sparsity: 0.5, structured: 0.25 } }] },
    ] };
    ok(['optimize', SAMPLE, '--recipe', saveJson('report.json', report), '--variant', 'v1', '-o', at('p-replay.tflite')]);
    expect(same(at('p.tflite'), at('p-replay.tflite'))).toBe(true);
    ok(['prune', SAMPLE, '-o', at('p.onnx'), '--pattern', '2:4']);
    ok(['optimize', SAMPLE, '--recipe', saveJson('p24.json', [{ transform: 'prune', options: { pattern: { n: 2, m: 4 } } }]), '-o', at('p-replay.onnx')]);
    expect(same(at('p.onnx'), at('p-replay.onnx'))).toBe(true);
    const noVariant = cli(['optimize', SAMPLE, '--recipe', at('report.json'), '-o', at('x.tflite')]);
    expect(noVariant.code).toBe(1);
    expect(noVariant.err).toContain('pick one with --variant <id> (original, v1)');
  }, 120_000);

  it('a QDQ .onnx recipe; a .tflite name for an ONNX result is a usage error', () => {
    const r = json<{ recipe: Recipe }>(cli(['quantize', SAMPLE, '-o', at('qdq.onnx'), '--mode', 'int8', '--calib', 'samples', '--calib-count', '20', '--json']));
    expect(r.recipe.map((s) => s.transform)).toEqual(['onnx-qdq']);
    ok(['optimize', SAMPLE, '--recipe', saveJson('qdq.json', r.recipe), '-o', at('qdq-replay.onnx')]);
    expect(same(at('qdq.onnx'), at('qdq-replay.onnx'))).toBe(true);
    const wrong = cli(['optimize', SAMPLE, '--recipe', at('qdq.json'), '-o', at('qdq.tflite')]);
    expect(wrong.code).toBe(2);
    expect(wrong.err).toContain('the recipe makes an ONNX model; name the output .onnx');
  }, 120_000);

  it('untrusted recipes: errors name the step, exit 1, nothing written', () => {
    const run = (recipe: unknown) => cli(['optimize', SAMPLE, '--recipe', saveJson('bad.json', recipe), '-o', at('bad.tflite')]);
    const unknown = run([{ transform: 'onnx-to-tfl', options: {} }, { transform: 'rm -rf', options: {} }]);
    expect(unknown.code).toBe(1);
    expect(unknown.err).toMatch(/step 2 \(rm -rf\): unknown transform "rm -rf" \(known: onnx-to-tfl, .*infer-shapes\)/);
    expect(run([{ transform: 'onnx-to-tfl', options: {} }, { transform: 'quantize', options: { mode: 'int8' } }]).err).toMatch(/step 2 \(quantize\): .*needs calibrated activation ranges/);
    expect(run([{ transform: 'onnx-to-tfl', options: { inputShapes: { nope: [1, 1, 28, 28] } } }]).err).toMatch(/step 1 \(onnx-to-tfl\): input "nope": no such input/);
    const missing = cli(['optimize', SAMPLE, '--recipe', at('missing.json'), '-o', at('bad.tflite')]);
    expect(missing.code).toBe(2);
    expect(missing.err).toContain('missing.json: no such file');
    expect(() => readFileSync(at('bad.tflite'))).toThrow();
  }, 120_000);

  it('recipe checks (in process): option types, shapes, dialects, report shapes', () => {
    const step = (transform: string, options: unknown) => [{ transform, options }];
    expect(() => recipeFrom(step('prune', { sparsity: '0.5' }))).toThrow('step 1 (prune): options.sparsity must be a number in [0, 1), got "0.5"');
    expect(() => recipeFrom(step('prune', { pattern: { n: 4, m: 2 } }))).toThrow(/n must be smaller than m/);
    expect(() => recipeFrom(step('quantize', { mode: 5 }))).toThrow(/options.mode must be one of float16/);
    expect(() => recipeFrom(step('quantize', { mode: 'int8', ranges: { x: [1, 'a'] } }))).toThrow(/ranges\["x"\] must be a range/);
    expect(() => recipeFrom(step('quantize', { mode: 'int8', turbo: true }))).toThrow(/unknown option "turbo"/);
    expect(() => recipeFrom(step('onnx-to-tfl', { inputShapes: { x: [1, 2.5] } }))).toThrow(/inputShapes\["x"\]\[1\] must be an integer/);
    expect(() => recipeFrom(step('infer-shapes', {}))).toThrow(/option "inputShapes" is required/);
    expect(() => recipeFrom([{ transform: 'prune', options: {}, code: 'x' }])).toThrow(/unknown field\(s\) code/);
    expect(() => recipeFrom([null])).toThrow(/step 1: a step is/);
    expect(() => recipeFrom({ nope: 1 })).toThrow(/a recipe is a JSON array/);
    expect(() => recipeFrom([], 'v1')).toThrow(/--variant picks a variant of a report/);
    expect(() => recipeFrom({ variants: [{ id: 'v1', recipe: [] }] }, 'v2')).toThrow('no variant "v2" in the report (variants: v1)');
    expect(recipeFrom({ variants: [{ id: 'v1', recipe: [{ transform: 'prune', options: { sparsity: 0.5 } }] }] }, 'v1')).toEqual([{ transform: 'prune', options: { sparsity: 0.5 } }]);
    expect(() => resultDialect('tfl', recipeFrom(step('onnx-qdq', { ranges: {} })))).toThrow('step 1 (onnx-qdq): needs a model in the onnx dialect; the model is tfl at this point');
    expect(resultDialect('onnx', recipeFrom([{ transform: 'onnx-to-tfl', options: {} }, { transform: 'quantize', options: { mode: 'float16' } }]))).toBe('tfl');
  });
});

/** The int8 model's accuracy on the bundled test images, run here directly in LiteRT.js. */
async function directInt8Accuracy(file: string): Promise<number> {
  const bytes = new Uint8Array(readFileSync(file));
  const g = (await readModel([{ name: 'q8.tflite', bytes }])).graphs[0]!;
  const q = g.tensors.get(g.inputs[0]!)!.quant!;
  const [scale, zero] = [q.scale[0]!, q.zeroPoint[0]!];
  const s = await litertAdapter.load({ bytes }, { backend: 'wasm' });
  const { pixels, labels, count } = bundledImages('test');
  let right = 0;
  try {
    for (let i = 0; i < count; i++) {
      const codes = Int8Array.from(pixels.subarray(i * 784, (i + 1) * 784), (p) => Math.max(-128, Math.min(127, Math.round(p / 255 / scale) + zero)));
      const [out] = await s.run([{ name: 'image', dtype: 'int8', shape: [1, 28, 28, 1], data: codes }]);
      // Dequantizing with a positive scale keeps the order: the argmax of the codes is the class.
      const v = Array.from(out!.data as Int8Array);
      if (v.indexOf(Math.max(...v)) === labels![i]) right++;
    }
  } finally {
    s.dispose();
  }
  return right / count;
}

describe('cli eval', () => {
  it('bundled set: float and int8 accuracy; int8 equals a direct LiteRT.js loop; against the float model', async () => {
    const f = json<EvalJson>(cli(['eval', at('f32.tflite'), '--json']));
    expect(f).toMatchObject({ model: 'f32.tflite', runtime: 'litert', backend: 'wasm', dataset: '1000 bundled Fashion-MNIST test images (labelled)' });
    expect(f.metrics.count).toBe(1000);
    expect(f.metrics.accuracy).toBeCloseTo(0.899, 2);
    const q = json<EvalJson & { reference: { model: string; runtime: string } }>(cli(['eval', at('q8.tflite'), '--reference', SAMPLE, '--json']));
    expect(q.reference).toMatchObject({ model: 'fashion-mnist-cnn.onnx', runtime: 'ort' });
    expect(q.metrics.accuracy).toBe(await directInt8Accuracy(at('q8.tflite')));
    expect(Math.abs((q.metrics.accuracy as number) - (f.metrics.accuracy as number))).toBeLessThan(0.01);
    expect(q.metrics.top1Agreement).toBeGreaterThan(0.98);
    expect(q.metrics.cosine).toBeGreaterThan(0.999);
    expect(q.metrics.sqnrDb).toBeGreaterThan(25);
    expect(q.metrics.sqnrDb).toBeLessThan(60);
  }, 180_000);

  it('the float model against itself: full agreement, SQNR "Infinity" in JSON; --count limits the samples', () => {
    const r = json<EvalJson>(cli(['eval', SAMPLE, '--reference', SAMPLE, '--count', '50', '--json']));
    expect(r.metrics).toEqual({ count: 50, accuracy: r.metrics.accuracy, top1Agreement: 1, top5Overlap: 1, cosine: 1, sqnrDb: 'Infinity' });
  }, 120_000);

  it('an image folder labelled by sub-folder and the same images as .npy (NCHW for the NHWC model) give the same numbers', () => {
    const { pixels, labels } = bundledImages('test');
    // Folder names sort to the sample model's classes 0 (T-shirt/top) and 1 (Trouser).
    const picked = [0, 1].flatMap((c) => [...labels!.keys()].filter((i) => labels![i] === c).slice(0, 6));
    const dir = at('images');
    const batch = new Float32Array(picked.length * 784);
    picked.forEach((img, k) => {
      const cls = labels![img] === 0 ? 'a-tshirt' : 'b-trouser';
      mkdirSync(path.join(dir, cls), { recursive: true });
      const png = new PNG({ width: 28, height: 28 });
      for (let p = 0; p < 784; p++) { const v = pixels[img * 784 + p]!; png.data.set([v, v, v, 255], p * 4); batch[k * 784 + p] = v / 255; }
      writeFileSync(path.join(dir, cls, `${String(k).padStart(2, '0')}.png`), PNG.sync.write(png));
    });
    const folder = json<EvalJson>(cli(['eval', at('f32.tflite'), '--data', dir, '--json']));
    expect(folder.classes).toEqual(['a-tshirt', 'b-trouser']);
    expect(folder.metrics.count).toBe(12);
    writeFileSync(at('x.npy'), writeNpy({ name: 'x', dtype: 'float32', shape: [12, 1, 28, 28], data: batch }));
    writeFileSync(at('y.npy'), writeNpy({ name: 'y', dtype: 'int64', shape: [12], data: BigInt64Array.from(picked, (i) => BigInt(labels![i]!)) }));
    const npy = json<EvalJson>(cli(['eval', at('f32.tflite'), '--data', at('x.npy'), '--labels', at('y.npy'), '--json']));
    expect(npy.metrics).toEqual(folder.metrics);
    expect(npy.dataset).toBe('12 samples from x.npy (labels from y.npy)');
    const text = ok(['eval', SAMPLE, '--data', dir]);
    expect(text.out).toContain('classes: 0 = a-tshirt, 1 = b-trouser');
    expect(text.out).toMatch(new RegExp(`accuracy +${(folder.metrics.accuracy as number).toFixed(4)} \\(\\d+/12\\)`));
  }, 180_000);

  it('mistakes in the data: no labels, mismatched counts, labels with a folder, an empty class folder', () => {
    const noLabels = cli(['eval', at('f32.tflite'), '--data', at('x.npy')]);
    expect(noLabels.code).toBe(2);
    expect(noLabels.err).toContain('no labels to score against and no --reference');
    writeFileSync(at('y5.npy'), writeNpy({ name: 'y', dtype: 'int64', shape: [5], data: new BigInt64Array(5) }));
    const counts = cli(['eval', at('f32.tflite'), '--data', at('x.npy'), '--labels', at('y5.npy')]);
    expect(counts.code).toBe(1);
    expect(counts.err).toContain('y5.npy: 5 labels for 12 samples in x.npy');
    expect(cli(['eval', at('f32.tflite'), '--data', at('images'), '--labels', at('y.npy')]).err).toMatch(/labelled by their sub-folders/);
    expect(cli(['eval', at('f32.tflite'), '--labels', at('y.npy')]).err).toMatch(/the bundled set brings its own labels/);
    mkdirSync(at('images/c-empty'));
    expect(cli(['eval', at('f32.tflite'), '--data', at('images')]).err).toMatch(/class folder 'c-empty' holds no .png or .jpg images/);
    expect(cli(['eval', at('f32.tflite'), '--data', at('nope.npy'), '--labels', at('y.npy')]).err).toContain('nope.npy: no such file');
  }, 180_000);
});
