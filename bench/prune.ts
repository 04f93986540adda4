/**
 * Pruning payoffs, measured against the unpruned model in the same run: raw and gzip sizes, and
 * LiteRT.js latency (wasm, interleaved runs) for structured filter pruning (the file and the
 * compute shrink) and 50% unstructured magnitude pruning (only the compressed file shrinks:
 * the kernels are dense).
 *
 *   npx tsx bench/prune.ts [--runs N]
 */
import path from 'node:path';
import { loadInputFiles } from '../cli/files';
import { readModel } from '../lib/formats/registry';
import { writeTflite } from '../lib/formats/tflite/write';
import { prune, sizeReport, type PruneOptions } from '../lib/prune/index';
import { inputSpecs, randomSamples, zipInputs } from '../lib/quantize/calibrate/sources';
import { floatTfl } from '../lib/quantize/pipeline';
import { litertAdapter } from '../lib/runtime/litert';
import { timePair } from './timing';

const ROOT = path.resolve(__dirname, '..');
const arg = (name: string, dflt: number) => { const i = process.argv.indexOf(name); return i >= 0 ? Number(process.argv[i + 1]) : dflt; };
const RUNS = arg('--runs', 100);

const MODELS: Array<[string, string]> = [
  ['Fashion-MNIST CNN', 'public/models/fashion-mnist-cnn.onnx'],
  ['MediaPipe face detection', 'fixtures/third_party/mediapipe-face_detection/face_detection_short_range.tflite'],
  ['MobileNetV2 (nsfwjs)', 'fixtures/third_party/nsfwjs/mobilenet_v2/model.json'],
];
const VARIANTS: Array<[string, PruneOptions]> = [['structured 25%', { structured: 0.25 }], ['structured 50%', { structured: 0.5 }], ['50% unstructured', { sparsity: 0.5 }]];

async function main(): Promise<void> {
  for (const [label, rel] of MODELS) {
    const float = floatTfl(await readModel(await loadInputFiles([path.join(ROOT, rel)]))).model;
    const bytes = writeTflite(float);
    const base = sizeReport(bytes);
    const feeds = [...zipInputs(inputSpecs(float.graphs[0]!).map((s, k) => randomSamples(s, 1, 1 + k)))][0]!;
    const f = await litertAdapter.load({ bytes }, { backend: 'wasm' });
    console.log(`${label}: ${base.raw} B raw, ${base.gzip} B gzip`);
    for (const [name, options] of VARIANTS) {
      const { model, report } = prune(float, options);
      const pb = writeTflite(model);
      const size = sizeReport(pb);
      const p = await litertAdapter.load({ bytes: pb }, { backend: 'wasm' });
      const [tf, tp] = await timePair(() => f.run(feeds), () => p.run(feeds), RUNS);
      p.dispose();
      console.log(`  ${name.padEnd(17)} raw ${(size.raw / base.raw).toFixed(2)}x, gzip ${(size.gzip / base.gzip).toFixed(2)}x, latency ${tp.toFixed(2)} vs ${tf.toFixed(2)} ms = ${(tp / tf).toFixed(2)}x` +
        ` (${report.removedChannels} filters removed, ${((100 * report.totalZeros) / Math.max(1, report.totalParams)).toFixed(0)}% zeros)`);
    }
    f.dispose();
  }
}

main().catch((e) => { console.error(e); process.exit(1); });
