/**
 * Acceptance: the Fashion-MNIST sample converted from ONNX to .tflite gives the ONNX original's
 * top-1 (onnxruntime-web) on the 10,000-image test set in LiteRT.js, tfjs-tflite and Arm NN.
 *
 *   npx tsx scripts/verify-fashion-mnist.ts [--count N] [--json]
 *
 * Data: Debian's dataset-fashion-mnist (/usr/share/datasets/fashion-mnist, or FASHION_MNIST_DIR).
 * The child-process runtimes get many input sets per process (one model load), in chunks so a
 * crash or timeout costs one chunk and the timeout stays proportional.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { readModel } from '../lib/formats/registry';
import { getRuntime } from '../lib/runtime/registry';
import type { HostTensor } from '../lib/runtime/types';
import { convertToTflite } from '../lib/transforms/to-tflite';
import { runOn, VERIFY_RUNTIMES, type VerifyRuntime } from '../lib/verify/index';

const ROOT = path.resolve(__dirname, '..');
export const FASHION_DIR = process.env.FASHION_MNIST_DIR ?? '/usr/share/datasets/fashion-mnist';
export const FASHION_IMAGES = path.join(FASHION_DIR, 't10k-images-idx3-ubyte.gz');
const LABELS = path.join(FASHION_DIR, 't10k-labels-idx1-ubyte.gz');
const MODEL = path.join(ROOT, 'public', 'models', 'fashion-mnist-cnn.onnx');

/** Sets per child process: Arm NN's CpuRef takes ~12 ms per image here, tfjs-tflite ~1 ms. */
const CHUNK: Record<VerifyRuntime, number> = { litert: 10000, 'tfjs-tflite': 5000, armnn: 1000 };

export interface RuntimeAgreement {
  runtime: VerifyRuntime;
  status: 'ran' | 'unsupported' | 'error';
  detail: string;
  /** Images where the runtime's top-1 equals onnxruntime's. */
  agree: number;
  /** Images whose top-1 equals the true label. */
  correct: number;
  /** Largest |diff| / (range of the reference logits) over all images. */
  worstRelDiff: number;
  ms: number;
}

export interface FashionCheck {
  count: number;
  ortCorrect: number;
  ortMs: number;
  convertMs: number;
  runtimes: RuntimeAgreement[];
}

function readIdx(file: string, magic: number): { count: number; body: Buffer; dims: number[] } {
  const raw = gunzipSync(readFileSync(file));
  if (raw.readUInt32BE(0) !== magic) throw new Error(`${file}: not an idx file with magic ${magic}`);
  const rank = magic & 0xff;
  const dims = Array.from({ length: rank }, (_, i) => raw.readUInt32BE(4 + 4 * i));
  return { count: dims[0]!, body: raw.subarray(4 + 4 * rank), dims };
}

const argmax = (v: ArrayLike<number>): number => { let b = 0; for (let i = 1; i < v.length; i++) if (v[i]! > v[b]!) b = i; return b; };

/** Converts the ONNX model, runs the first `count` test images everywhere, counts agreement. */
export async function checkFashionMnist(count = 10000, runtimes: readonly VerifyRuntime[] = VERIFY_RUNTIMES, log: (s: string) => void = () => {}): Promise<FashionCheck> {
  const images = readIdx(FASHION_IMAGES, 0x803);
  const labels = readIdx(LABELS, 0x801);
  if (images.dims[1] !== 28 || images.dims[2] !== 28) throw new Error(`expected 28x28 images, got ${images.dims.join('x')}`);
  const n = Math.min(count, images.count, labels.count);

  const onnxBytes = new Uint8Array(readFileSync(MODEL));
  const t0 = performance.now();
  const src = await readModel([{ name: 'fashion-mnist-cnn.onnx', bytes: onnxBytes }]);
  const converted = convertToTflite(src);
  const convertMs = performance.now() - t0;
  if (!converted.bytes) throw new Error(`Fashion-MNIST did not convert: ${JSON.stringify(converted.reports)}`);
  const g = converted.model.graphs[0]!;
  const inName = g.inputs[0]!;
  const inShape = g.tensors.get(inName)!.shape as number[];
  // One channel: NCHW [1,1,28,28] and NHWC [1,28,28,1] hold the same bytes in the same order.
  if (inShape.join('x') !== '1x28x28x1' && inShape.join('x') !== '1x1x28x28') throw new Error(`unexpected converted input shape ${inShape}`);

  const pixels = (i: number) => Float32Array.from(images.body.subarray(i * 784, (i + 1) * 784), (v) => v / 255);
  const ort = await (await getRuntime('ort')).load({ bytes: onnxBytes, model: src }, { backend: 'wasm' });
  const ref: Float32Array[] = [];
  const t1 = performance.now();
  for (let i = 0; i < n; i++) {
    const [y] = await ort.run([{ name: src.graphs[0]!.inputs[0]!, dtype: 'float32', shape: [1, 1, 28, 28], data: pixels(i) }]);
    ref.push(y!.data as Float32Array);
  }
  const ortMs = performance.now() - t1;
  ort.dispose();
  const label = (i: number) => labels.body[i]!;
  const ortCorrect = ref.reduce((a, r, i) => a + (argmax(r) === label(i) ? 1 : 0), 0);
  log(`onnxruntime-web: ${n} images in ${(ortMs / 1000).toFixed(1)} s, accuracy ${((100 * ortCorrect) / n).toFixed(2)}%`);

  const one = async (rt: VerifyRuntime): Promise<RuntimeAgreement> => {
    const res: RuntimeAgreement = { runtime: rt, status: 'ran', detail: '', agree: 0, correct: 0, worstRelDiff: 0, ms: 0 };
    for (let start = 0; start < n; start += CHUNK[rt]) {
      const end = Math.min(n, start + CHUNK[rt]);
      const sets: HostTensor[][] = [];
      for (let i = start; i < end; i++) sets.push([{ name: inName, dtype: 'float32', shape: inShape, data: pixels(i) }]);
      const o = await runOn(rt, converted.bytes!, sets, { timeoutMs: 120_000 + 100 * sets.length });
      res.ms += o.ms;
      if (o.status !== 'ran') return { ...res, status: o.status, detail: `images ${start}..${end - 1}: ${o.detail}` };
      res.detail = o.detail;
      o.outputSets.forEach((outs, k) => {
        const i = start + k;
        const got = outs[0]!.data as Float32Array;
        const r = ref[i]!;
        const top = argmax(got);
        if (top === argmax(r)) res.agree++;
        if (top === label(i)) res.correct++;
        let lo = Infinity, hi = -Infinity, d = 0;
        for (let c = 0; c < r.length; c++) { lo = Math.min(lo, r[c]!); hi = Math.max(hi, r[c]!); d = Math.max(d, Math.abs(r[c]! - (got[c] ?? NaN))); }
        res.worstRelDiff = Math.max(res.worstRelDiff, Number.isNaN(d) ? Infinity : d / (hi - lo || 1));
      });
      log(`  ${rt}: ${end}/${n} images, ${res.agree} agree so far (${(res.ms / 1000).toFixed(1)} s)`);
    }
    return res;
  };
  // LiteRT.js runs in this process; the two child-process runtimes run side by side (2 cores).
  const out: RuntimeAgreement[] = [];
  if (runtimes.includes('litert')) out.push(await one('litert'));
  out.push(...(await Promise.all(runtimes.filter((r) => r !== 'litert').map(one))));
  return { count: n, ortCorrect, ortMs, convertMs, runtimes: out };
}

async function main(argv: string[]): Promise<number> {
  if (!existsSync(FASHION_IMAGES)) {
    console.error(`${FASHION_IMAGES} not found: apt-get install -y dataset-fashion-mnist (or set FASHION_MNIST_DIR)`);
    return 2;
  }
  const ci = argv.indexOf('--count');
  const count = ci >= 0 ? Number(argv[ci + 1]) : 10000;
  if (!Number.isInteger(count) || count < 1) throw new Error(`--count wants a positive integer, got '${argv[ci + 1]}'`);
  const json = argv.includes('--json');
  const r = await checkFashionMnist(count, VERIFY_RUNTIMES, json ? () => {} : (s) => console.log(s));
  if (json) {
    console.log(JSON.stringify(r, null, 2));
  } else {
    const pct = (x: number) => `${((100 * x) / r.count).toFixed(2)}%`;
    console.log(`\nFashion-MNIST test set, ${r.count} images; converted in ${r.convertMs.toFixed(0)} ms`);
    console.log(`  onnxruntime-web (ONNX original): accuracy ${pct(r.ortCorrect)} (${r.ortCorrect}/${r.count})`);
    for (const x of r.runtimes) {
      console.log(x.status === 'ran'
        ? `  ${x.runtime.padEnd(11)} same top-1 as onnxruntime: ${x.agree}/${r.count}; accuracy ${pct(x.correct)}; worst |diff|/range ${x.worstRelDiff.toExponential(2)}; ${(x.ms / 1000).toFixed(1)} s (${x.detail})`
        : `  ${x.runtime.padEnd(11)} ${x.status}: ${x.detail}`);
    }
  }
  return r.runtimes.every((x) => x.status === 'ran' && x.agree === r.count) ? 0 : 1;
}

if (process.argv[1] && /verify-fashion-mnist\.ts$/.test(process.argv[1])) {
  main(process.argv.slice(2)).then((c) => process.exit(c), (e: unknown) => { console.error(e); process.exit(1); });
}
