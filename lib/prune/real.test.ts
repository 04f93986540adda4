/**
 * Pruning real models: the project's Fashion-MNIST CNN and the third-party fixtures (MediaPipe
 * face detection with float16 weights behind DEQUANTIZE, openWakeWord ONNX / TFLite, nsfwjs
 * MobileNetV2 as TF.js layers, BlazeFace as a TF.js graph). Structured pruning must match the
 * zeroed reference (testing.ts) in the real runtimes and shrink the file; 50% unstructured must
 * shrink it gzipped; every pruned model must write (converting TF.js first) and run in LiteRT.js.
 */
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { writeOnnx } from '../formats/onnx/write';
import { writeTflite } from '../formats/tflite/write';
import type { Model } from '../ir/types';
import { convertToTflite } from '../transforms/to-tflite';
import { prune } from './index';
import { sizeReport } from './size';
import { litertRunner, loadFile, plan, randomFeeds, relativeDiffs, runnersFor, zeroedReference } from './testing';

const FIXTURES = 'fixtures/third_party';
const FMNIST = 'public/models/fashion-mnist-cnn.onnx';
const FACE = `${FIXTURES}/mediapipe-face_detection/face_detection_short_range.tflite`;

async function load(path: string): Promise<Model> {
  if (!existsSync(path)) throw new Error(`missing ${path}: run node scripts/fetch-models.mjs`);
  return loadFile(path);
}

const written = (m: Model) => (m.dialect === 'tfl' ? writeTflite(m) : writeOnnx(m));
const fmt = (s: { raw: number; gzip: number }) => `raw ${s.raw} B, gzip ${s.gzip} B`;

/** Structured pruning at `fraction`: same numbers as the zeroed reference in each runtime. */
async function checkStructured(label: string, model: Model, fraction: number, tolerance: number): Promise<Model> {
  const { plan: p, pruned } = plan(model, fraction);
  const { report } = prune(model, { structured: fraction });
  expect(report.removedChannels, label).toBeGreaterThan(0);
  const feeds = randomFeeds(model);
  const reference = zeroedReference(model, p);
  for (const r of runnersFor(model)) {
    const diffs = relativeDiffs(await r.run(pruned, feeds), await r.run(reference, feeds));
    console.log(`${label} ${r.name}: ${report.removedChannels} filters removed; pruned vs zeroed reference ${diffs.map((d) => d.toExponential(1)).join(', ')}`);
    for (const d of diffs) expect(d, `${label} ${r.name}`).toBeLessThanOrEqual(tolerance);
  }
  return pruned;
}

function sizes(label: string, model: Model, structured: Model): void {
  const before = sizeReport(written(model));
  const shrunk = sizeReport(written(structured));
  const sparse = sizeReport(written(prune(model, { sparsity: 0.5 }).model));
  console.log(`${label} sizes: original ${fmt(before)}; structured 25% ${fmt(shrunk)}; 50% unstructured ${fmt(sparse)}`);
  expect(shrunk.raw).toBeLessThan(0.8 * before.raw);
  expect(sparse.raw).toBe(before.raw);
  expect(sparse.gzip).toBeLessThan(0.8 * before.gzip);
}

describe('pruning real models', () => {
  it('Fashion-MNIST, ONNX (BN, NCHW flatten, Gemm) and converted (NHWC flatten)', async () => {
    const onnx = await load(FMNIST);
    const tfl = convertToTflite(onnx).model;
    for (const [label, m] of [['Fashion-MNIST onnx', onnx], ['Fashion-MNIST tfl', tfl]] as const) {
      const pruned = await checkStructured(label, m, 0.25, 1e-6);
      expect(prune(m, { structured: 0.25 }).report.layers.map((l) => [l.channelsBefore, l.channelsAfter])).toEqual([[16, 12], [32, 24], [96, 72], [10, 10]]);
      sizes(label, m, pruned);
    }
  });

  it('MediaPipe face detection: float16 weights behind DEQUANTIZE, residual chain through channel padding', async () => {
    const face = await load(FACE);
    const pruned = await checkStructured('face detection', face, 0.25, 1e-5);
    const g = pruned.graphs[0]!;
    const w = g.tensors.get('conv2d/Kernel')!;
    expect([w.dtype, w.shape]).toEqual(['float16', [18, 5, 5, 3]]);
    expect(g.tensors.get('conv2d/Kernel_dequantize')!.shape).toEqual([18, 5, 5, 3]);
    sizes('face detection', face, pruned);
    // The full-range variant stores most weights sparse: those layers stay as they are, with the reason.
    const stored = await load(`${FIXTURES}/mediapipe-face_detection/face_detection_full_range_sparse.tflite`);
    const { model, report } = prune(stored, { structured: 0.25, sparsity: 0.5 });
    expect(report.skipped.filter((x) => /not a plain constant/.test(x.reason)).length).toBeGreaterThan(40);
    expect(report.totalZeros / report.totalParams).toBeCloseTo(0.5, 2);
    for (const o of await litertRunner.run(model, randomFeeds(model))) expect((o.data as Float32Array).every(Number.isFinite)).toBe(true);
  });

  it('openWakeWord embedding (ONNX and TFLite) and alexa (TFLite, dense only)', async () => {
    for (const f of ['embedding_model.onnx', 'embedding_model.tflite', 'alexa_v0.1.tflite']) {
      await checkStructured(f, await load(`${FIXTURES}/openwakeword/${f}`), 0.25, 1e-5);
    }
  });

  it('TF.js models: nsfwjs MobileNetV2 (keras) and BlazeFace (tf) prune, convert and run; structured after conversion', async () => {
    for (const f of [`${FIXTURES}/nsfwjs/mobilenet_v2/model.json`, `${FIXTURES}/human/models/blazeface.json`]) {
      const model = await load(f);
      const { model: sparse, report } = prune(model, { sparsity: 0.5 });
      expect(report.layers.length).toBeGreaterThan(20);
      expect(report.totalZeros / report.totalParams).toBeCloseTo(0.5, 2);
      expect(prune(model, { structured: 0.25 }).report.notes.join()).toMatch(/convert this (keras|tf) model to TFLite first/);
      const converted = convertToTflite(sparse);
      expect(converted.converted).toBe(true);
      const outs = await litertRunner.run(converted.model, randomFeeds(converted.model));
      for (const o of outs) expect((o.data as Float32Array).every(Number.isFinite)).toBe(true);
      await checkStructured(f.split('/').pop()!, convertToTflite(model).model, 0.25, 1e-5);
    }
  }, 120_000);
});
