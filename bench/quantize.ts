/**
 * Quantization costs and payoffs, each as a ratio against a floor or a peer measured in the same
 * run (never a fixed time):
 * 1. per-channel int8 quantization of MobileNetV2's 3.5M float weights vs a plain copy of the same
 *    bytes (goal <= 4x);
 * 2. full int8 of the Fashion-MNIST sample with 100 calibration samples (convert + calibrate +
 *    quantize + write) vs 100 float forward passes of the same model in the same executor
 *    (goal <= 1.5x);
 * 3. int8 vs float latency in LiteRT.js (.tflite) and onnxruntime-web wasm (QDQ .onnx) on conv
 *    models (goal: int8 <= 0.75x of float).
 *
 *   npx tsx bench/quantize.ts [--runs N]
 */
import path from 'node:path';
import * as ort from 'onnxruntime-web';
import { readModel } from '../lib/formats/registry';
import { writeTflite } from '../lib/formats/tflite/write';
import type { Model } from '../lib/ir/types';
import { bytes as viewBytes, floats32, staticShape } from '../lib/quantize/graph-edit';
import { quantizePerChannel } from '../lib/quantize/params';
import { makeVariant } from '../lib/quantize/pipeline';
import { randomSamples, inputSpecs, zipInputs } from '../lib/quantize/calibrate/sources';
import { toModelInputs } from '../lib/quantize/io';
import { median, timePair as timePairRuns } from './timing';
import { litertAdapter } from '../lib/runtime/litert';
import { tfjsAdapter } from '../lib/runtime/tfjs/index';
import type { HostTensor } from '../lib/runtime/types';
import { bundledImages, fashionSamples } from '../lib/quantize/test-support';
import { writeOnnx } from '../lib/formats/onnx/write';
import { loadInputFiles } from '../cli/files';

const ROOT = path.resolve(__dirname, '..');
const arg = (name: string, dflt: number) => { const i = process.argv.indexOf(name); return i >= 0 ? Number(process.argv[i + 1]) : dflt; };
const RUNS = arg('--runs', 100);
const fmt = (x: number) => x.toFixed(x < 10 ? 2 : 1);
const results: Array<{ what: string; ours: number; floor: number; ratio: number; goal: string; ok: boolean }> = [];

function report(what: string, ours: number, floor: number, goal: number) {
  const ratio = ours / floor;
  results.push({ what, ours, floor, ratio, goal: `<= ${goal}x`, ok: ratio <= goal });
  console.log(`${what}: ${fmt(ours)} ms vs ${fmt(floor)} ms -> ${ratio.toFixed(2)}x (goal <= ${goal}x)`);
}

async function load(rel: string): Promise<Model> {
  return readModel(await loadInputFiles([path.join(ROOT, rel)]));
}

/** 1: the weight quantizer against memcpy of the same bytes. */
async function weights(): Promise<void> {
  const src = await load('fixtures/third_party/nsfwjs/mobilenet_v2/model.json');
  const { floatTfl } = await import('../lib/quantize/pipeline');
  const tfl = floatTfl(src).model;
  const g = tfl.graphs[0]!;
  const ws = g.nodes.filter((n) => ['tfl.CONV_2D', 'tfl.DEPTHWISE_CONV_2D', 'tfl.FULLY_CONNECTED'].includes(n.op))
    .map((n) => ({ t: g.tensors.get(n.inputs[1]!)!, axis: n.op === 'tfl.DEPTHWISE_CONV_2D' ? 3 : 0 }));
  const arrays = ws.map(({ t, axis }) => ({ v: floats32(t), shape: staticShape(t), axis }));
  const total = arrays.reduce((a, x) => a + x.v.length, 0);
  const copies = arrays.map((x) => new Uint8Array(x.v.byteLength));
  const quant = () => { for (const x of arrays) quantizePerChannel(x.v, x.shape, x.axis); };
  const copy = () => { arrays.forEach((x, i) => copies[i]!.set(viewBytes(x.v))); };
  const tq: number[] = [], tc: number[] = [];
  for (let i = 0; i < 5; i++) { quant(); copy(); }
  for (let i = 0; i < RUNS; i++) {
    let t = performance.now(); quant(); tq.push(performance.now() - t);
    t = performance.now(); copy(); tc.push(performance.now() - t);
  }
  console.log(`MobileNetV2 (nsfwjs): ${arrays.length} weight tensors, ${(total / 1e6).toFixed(2)}M floats`);
  report('per-channel int8 weights vs memcpy', median(tq), median(tc), 4);
}

/** 2: a whole int8 variant against the float forward passes its calibration needs. */
async function pipeline(): Promise<void> {
  const src = await load('public/models/fashion-mnist-cnn.onnx');
  const cal = bundledImages('calibration');
  const { floatTfl } = await import('../lib/quantize/pipeline');
  const float = floatTfl(src).model;
  const sets = [...fashionSamples(cal, 100)];
  // The floor loads the float model too: calibration must, before its first pass.
  const forward = async () => {
    const session = await tfjsAdapter.load({ model: float }, { backend: 'wasm' });
    for (const s of sets) await session.run(s);
    session.dispose();
  };
  const variant = (method: 'minmax' | { percentile: number }) => makeVariant(src, { mode: 'int8', method, calibration: { samples: sets, count: 100, description: '100 images' } });
  await forward(); await variant('minmax');
  const tf: number[] = [], tv: number[] = [], tp: number[] = [];
  for (let i = 0; i < 9; i++) {
    let t = performance.now(); await forward(); tf.push(performance.now() - t);
    t = performance.now(); await variant('minmax'); tv.push(performance.now() - t);
    t = performance.now(); await variant({ percentile: 99.99 }); tp.push(performance.now() - t);
  }
  report('full int8 variant, min-max (convert + load + 100 calibration passes + quantize + write) vs load + 100 float passes', median(tv), median(tf), 1.5);
  report('the same with percentile ranges (histograms of every activation)', median(tp), median(tf), 1.5);
}

/** 3: int8 kernels against float in the two runtimes that ship them. */
async function latency(): Promise<void> {
  const models: Array<[string, string]> = [
    ['Fashion-MNIST CNN', 'public/models/fashion-mnist-cnn.onnx'],
    ['MediaPipe face detection', 'fixtures/third_party/mediapipe-face_detection/face_detection_short_range.tflite'],
    ['openWakeWord embedding', 'fixtures/third_party/openwakeword/embedding_model.onnx'],
    ['MobileNetV2 (nsfwjs)', 'fixtures/third_party/nsfwjs/mobilenet_v2/model.json'],
  ];
  for (const [label, rel] of models) {
    const src = await load(rel);
    const { floatTfl } = await import('../lib/quantize/pipeline');
    // Open dims (a batch) become 1, in the float model and the variants alike.
    const g0 = src.graphs[0]!;
    const inputShapes = Object.fromEntries(g0.inputs.map((n) => [n, (g0.tensors.get(n)?.shape ?? []).map((d) => (typeof d === 'number' && d > 0 ? d : 1))]));
    const convert = { inputShapes };
    const float = floatTfl(src, convert).model;
    const specs = inputSpecs(float.graphs[0]!);
    const samples = () => zipInputs(specs.map((s, k) => randomSamples(s, 32, 1 + k)));
    const feeds: HostTensor[] = [...samples()][0]!;
    const fl = await litertAdapter.load({ bytes: writeTflite(float) }, { backend: 'wasm' });
    // float I/O: the same host tensors as the float model, int8 kernels inside (XNNPACK converts
    // at the edges). int8 I/O adds LiteRT.js's host-side code conversion, reported beside it.
    for (const floatIO of [true, false]) {
      const v = await makeVariant(src, { mode: 'int8', floatIO, convert, calibration: { samples: samples(), count: 32, description: 'random' } });
      const q = await litertAdapter.load({ bytes: v.bytes }, { backend: 'wasm' });
      const qFeeds = toModelInputs(v.model, feeds);
      const [tFloat, tInt8] = await timePairRuns(() => fl.run(feeds), () => q.run(qFeeds), RUNS);
      q.dispose();
      if (floatIO) report(`LiteRT.js int8 vs float, ${label}`, tInt8, tFloat, 0.75);
      else console.log(`  (int8 I/O through LiteRT.js's JS API: ${fmt(tInt8)} ms vs ${fmt(tFloat)} ms, ${(tInt8 / tFloat).toFixed(2)}x)`);
    }
    fl.dispose();
    if (src.format !== 'onnx') continue;
    const srcSpecs = inputSpecs(src.graphs[0]!);
    const onnxSamples = () => zipInputs(srcSpecs.map((s, k) => randomSamples(s, 32, 1 + k)));
    const qdq = await makeVariant(src, { mode: 'int8', target: 'onnx', calibration: { samples: onnxSamples(), count: 32, description: 'random' } });
    const oFeeds = Object.fromEntries([...onnxSamples()][0]!.map((t) => [t.name, new ort.Tensor('float32', t.data as Float32Array, t.shape)]));
    const sf = await ort.InferenceSession.create(writeOnnx(src), { executionProviders: ['wasm'] });
    const sq = await ort.InferenceSession.create(qdq.bytes, { executionProviders: ['wasm'] });
    const [oFloat, oInt8] = await timePairRuns(() => sf.run(oFeeds), () => sq.run(oFeeds), RUNS);
    await sf.release(); await sq.release();
    report(`onnxruntime-web QDQ int8 vs float, ${label}`, oInt8, oFloat, 0.75);
  }
}

async function main(): Promise<void> {
  ort.env.wasm.numThreads = 1;
  await weights();
  await pipeline();
  await latency();
  console.log('\nsummary');
  for (const r of results) console.log(`  ${r.ok ? 'ok  ' : 'MISS'} ${r.ratio.toFixed(2)}x (goal ${r.goal})  ${r.what}`);
}

main().catch((e) => { console.error(e); process.exit(1); });
