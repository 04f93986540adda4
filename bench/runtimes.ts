/**
 * Runtimes on the same model and input, in one run: our tfjs IR executor (cpu and wasm backends
 * in Node), LiteRT.js, onnxruntime-web (wasm) and @tensorflow/tfjs-tflite (in a child process,
 * timed inside the child). Prints median latency per runtime, ratios to the fastest, and the
 * overhead of our RuntimeAdapter sessions over each runtime's own run call on the same inputs
 * (goal <= 1.05x). Raw and adapter calls alternate, so drift hits both alike.
 *
 *   npx tsx bench/runtimes.ts [--runs N] [--warmup N]
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-web';
import { readModel } from '../lib/formats/registry';
import type { Model } from '../lib/ir/types';
import { latencyStats } from '../lib/run/results';
import { loadLiteRtNode } from '../lib/runtime/litert-node';
import { litertAdapter } from '../lib/runtime/litert';
import { ortAdapter } from '../lib/runtime/ort';
import { createExecutor, tfjsAdapter } from '../lib/runtime/tfjs/index';
import type { BackendId, HostTensor } from '../lib/runtime/types';
import { convertToTflite } from '../lib/transforms/to-tflite';

const ROOT = path.resolve(__dirname, '..');
const arg = (name: string, dflt: number) => { const i = process.argv.indexOf(name); return i >= 0 ? Number(process.argv[i + 1]) : dflt; };
const RUNS = arg('--runs', 50);
const WARMUP = arg('--warmup', 5);

const median = (xs: number[]) => latencyStats(xs).medianMs;

/** Times `raw` and `ours` alternately; either may be absent. */
async function timePair(raw: (() => Promise<unknown>) | null, ours: (() => Promise<unknown>) | null): Promise<{ raw?: number; ours?: number }> {
  for (let i = 0; i < WARMUP; i++) { await raw?.(); await ours?.(); }
  const r: number[] = [], o: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const flip = i % 2 === 1;
    for (const [f, out] of (flip ? [[ours, o], [raw, r]] : [[raw, r], [ours, o]]) as Array<[(() => Promise<unknown>) | null, number[]]>) {
      if (!f) continue;
      const t0 = performance.now();
      await f();
      out.push(performance.now() - t0);
    }
  }
  return { raw: r.length ? median(r) : undefined, ours: o.length ? median(o) : undefined };
}

interface Row { model: string; runtime: string; ours?: number; raw?: number; note?: string }
const rows: Row[] = [];

function input(model: Model, seed = 3): HostTensor {
  const g = model.graphs[0]!;
  const name = g.inputs[0]!;
  const shape = (g.tensors.get(name)!.shape ?? []).map((d) => (typeof d === 'number' ? d : 1));
  let s = seed;
  const data = Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32));
  return { name, dtype: 'float32', shape, data };
}

async function benchOrt(label: string, bytes: Uint8Array, model: Model, x: HostTensor): Promise<void> {
  const ours = await ortAdapter.load({ bytes, model }, { backend: 'wasm' });
  ort.env.wasm.numThreads = 1;
  const raw = await ort.InferenceSession.create(bytes, { executionProviders: ['wasm'], graphOptimizationLevel: 'all' });
  const feeds = { [raw.inputNames[0]!]: new ort.Tensor('float32', x.data as Float32Array, x.shape) };
  const t = await timePair(
    async () => { const o = await raw.run(feeds); return o[raw.outputNames[0]!]!.data; },
    () => ours.run([x]),
  );
  rows.push({ model: label, runtime: 'onnxruntime-web wasm', ...t });
  ours.dispose();
  await raw.release();
}

async function benchLiteRt(label: string, bytes: Uint8Array, x: HostTensor): Promise<void> {
  const ours = await litertAdapter.load({ bytes }, { backend: 'wasm' });
  const lrt = await loadLiteRtNode();
  const compiled = await lrt.loadAndCompile(bytes, { accelerator: 'wasm' });
  const shape = compiled.getInputDetails()[0]!.shape;
  const t = await timePair(
    async () => {
      // What any caller of LiteRT.js must do per run: make the input tensor, run, read, free.
      const inp = new lrt.Tensor(x.data as Float32Array, Array.from(shape));
      const outs = await compiled.run([inp]);
      const data = outs.map((o) => o.toTypedArray());
      inp.delete();
      outs.forEach((o) => o.delete());
      return data;
    },
    () => ours.run([x]),
  );
  rows.push({ model: label, runtime: 'LiteRT.js wasm', ...t });
  ours.dispose();
  compiled.delete();
}

let wasmReady: boolean | null = null;
async function tfjsWasm(): Promise<boolean> {
  if (wasmReady !== null) return wasmReady;
  try {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    wasm.setWasmPaths(path.join(ROOT, 'node_modules', '@tensorflow', 'tfjs-backend-wasm', 'dist') + path.sep);
    wasmReady = await tf.setBackend('wasm');
    await tf.ready();
  } catch (e) {
    console.error(`tfjs wasm backend: ${(e as Error).message}`);
    wasmReady = false;
  }
  return wasmReady;
}

async function benchTfjs(label: string, model: Model, x: HostTensor, backend: BackendId): Promise<void> {
  if (backend === 'wasm' && !(await tfjsWasm())) {
    rows.push({ model: label, runtime: 'tfjs IR executor wasm', note: 'wasm backend did not start in Node' });
    return;
  }
  let ours;
  try {
    ours = await tfjsAdapter.load({ model }, { backend });
  } catch (e) {
    rows.push({ model: label, runtime: `tfjs IR executor ${backend}`, note: (e as Error).message.split('\n')[0] });
    return;
  }
  // Raw: the executor itself on a tf.Tensor, without the adapter's HostTensor conversions.
  const exec = createExecutor(model);
  const t = await timePair(
    async () => {
      const inp = tf.tensor(x.data as Float32Array, x.shape, 'float32');
      const outs = exec.run([inp]);
      const data = await Promise.all(outs.map((o) => o.data()));
      inp.dispose();
      outs.forEach((o) => o.dispose());
      return data;
    },
    () => ours.run([x]),
  );
  rows.push({ model: label, runtime: `tfjs IR executor ${backend}`, ...t });
  exec.dispose();
  ours.dispose();
}

/** tfjs-tflite in its own process (it pins tfjs-core 4.9); the child times its own runs. */
const CHILD = String.raw`
import fs from 'node:fs'; import path from 'node:path'; import vm from 'node:vm';
import { createRequire } from 'node:module'; import { fileURLToPath, pathToFileURL } from 'node:url';
const [toolDir, modelFile, inputFile, runs, warmup] = process.argv.slice(2);
const wasmDir = path.join(toolDir, 'node_modules', '@tensorflow', 'tfjs-tflite', 'wasm');
for (const k of ['log', 'info', 'debug', 'warn']) console[k] = () => {};
globalThis.self = globalThis;
globalThis.location = { href: pathToFileURL(wasmDir + path.sep).href, origin: 'file://' };
globalThis.require = createRequire(path.join(wasmDir, 'x.js'));
globalThis.__dirname = wasmDir;
globalThis.importScripts = (...urls) => { for (const u of urls) { const f = u.startsWith('file:') ? fileURLToPath(u) : path.resolve(wasmDir, u); vm.runInThisContext(fs.readFileSync(f, 'utf8'), { filename: f }); } };
globalThis.fetch = async (u) => { const s = String(u); const f = s.startsWith('file:') ? fileURLToPath(s) : path.resolve(wasmDir, s); return new Response(fs.readFileSync(f), { status: 200, headers: { 'content-type': f.endsWith('.wasm') ? 'application/wasm' : 'text/javascript' } }); };
globalThis.MessageChannel = class { constructor() { const p = { postMessage() { throw new Error('no threads'); }, onmessage: null, close() {} }; this.port1 = p; this.port2 = p; } };
const require = createRequire(path.join(toolDir, 'x.js'));
const tf = require('@tensorflow/tfjs-core'); require('@tensorflow/tfjs-backend-cpu'); await tf.setBackend('cpu');
const tflite = require('@tensorflow/tfjs-tflite');
const m = await tflite.loadTFLiteModel(new Uint8Array(fs.readFileSync(modelFile)).buffer, { numThreads: 1 });
const runner = m.modelRunner; const x = new Float32Array(new Uint8Array(fs.readFileSync(inputFile)).buffer);
const once = () => { runner.getInputs()[0].data().set(x); if (!runner.infer()) throw new Error('infer failed'); return runner.getOutputs().map((o) => o.data().slice()); };
for (let i = 0; i < +warmup; i++) once();
const ts = []; for (let i = 0; i < +runs; i++) { const t0 = performance.now(); once(); ts.push(performance.now() - t0); }
ts.sort((a, b) => a - b);
process.stdout.write(JSON.stringify({ median: ts.length % 2 ? ts[ts.length >> 1] : (ts[ts.length / 2 - 1] + ts[ts.length / 2]) / 2 }));
`;

function benchTfjsTflite(label: string, bytes: Uint8Array, x: HostTensor): void {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-tfjs-tflite-'));
  try {
    writeFileSync(path.join(dir, 'child.mjs'), CHILD);
    writeFileSync(path.join(dir, 'model.tflite'), bytes);
    const d = x.data as Float32Array;
    writeFileSync(path.join(dir, 'input.bin'), new Uint8Array(d.buffer, d.byteOffset, d.byteLength));
    const out = execFileSync(process.execPath, [path.join(dir, 'child.mjs'), path.join(ROOT, 'tools', 'tfjs-tflite'), path.join(dir, 'model.tflite'), path.join(dir, 'input.bin'), String(RUNS), String(WARMUP)], { encoding: 'utf8', timeout: 300_000, stdio: ['ignore', 'pipe', 'ignore'] });
    rows.push({ model: label, runtime: 'tfjs-tflite wasm (child)', raw: (JSON.parse(out) as { median: number }).median, note: 'its own runner.infer(); no adapter of ours' });
  } catch (e) {
    rows.push({ model: label, runtime: 'tfjs-tflite wasm (child)', note: `failed: ${(e as Error).message.split('\n')[0]}` });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const quiet = console.log;
  const onnxBytes = new Uint8Array(readFileSync(path.join(ROOT, 'public', 'models', 'fashion-mnist-cnn.onnx')));
  const onnx = await readModel([{ name: 'fashion-mnist-cnn.onnx', bytes: onnxBytes }]);
  const conv = convertToTflite(onnx);
  if (!conv.bytes) throw new Error('Fashion-MNIST did not convert');
  const tflBytes = conv.bytes;
  const tfl = await readModel([{ name: 'fashion-mnist-cnn.tflite', bytes: tflBytes }]);
  const faceBytes = new Uint8Array(readFileSync(path.join(ROOT, 'fixtures', 'third_party', 'mediapipe-face_detection', 'face_detection_short_range.tflite')));
  const face = await readModel([{ name: 'face_detection_short_range.tflite', bytes: faceBytes }]);

  const xo = input(onnx); // NCHW [1,1,28,28]
  const xt = { ...input(tfl), data: xo.data }; // NHWC [1,28,28,1]: one channel, same bytes
  const xf = input(face);
  quiet(`runs ${RUNS} after ${WARMUP} warm-up runs; medians in ms; Node ${process.version}, single thread everywhere`);

  const F = 'Fashion-MNIST', FD = 'face_detection_short_range';
  await benchOrt(`${F} (.onnx)`, onnxBytes, onnx, xo);
  await benchLiteRt(`${F} (.tflite)`, tflBytes, xt);
  benchTfjsTflite(`${F} (.tflite)`, tflBytes, xt);
  for (const b of ['cpu', 'wasm'] as BackendId[]) {
    await benchTfjs(`${F} (.onnx IR)`, onnx, xo, b);
    await benchTfjs(`${F} (.tflite IR)`, tfl, xt, b);
  }
  await tf.setBackend('cpu');
  await benchLiteRt(`${FD} (.tflite)`, faceBytes, xf);
  benchTfjsTflite(`${FD} (.tflite)`, faceBytes, xf);
  for (const b of ['cpu', 'wasm'] as BackendId[]) {
    if (b === 'wasm') await tf.setBackend('wasm');
    await benchTfjs(`${FD} (.tflite IR)`, face, xf, b);
  }

  const f = (x?: number) => (x === undefined ? '-' : x.toFixed(3));
  for (const model of [F, FD]) {
    const mine = rows.filter((r) => r.model.startsWith(model));
    const speeds = mine.map((r) => r.ours ?? r.raw).filter((x): x is number => x !== undefined);
    const best = Math.min(...speeds);
    quiet(`\n${model}`);
    quiet(`  ${'runtime'.padEnd(26)} ${'input'.padEnd(13)} ${'ours ms'.padStart(9)} ${'raw ms'.padStart(9)} ${'vs best'.padStart(8)} ${'harness'.padStart(8)}`);
    for (const r of mine) {
      const t = r.ours ?? r.raw;
      const ratio = t === undefined ? '-' : `${(t / best).toFixed(2)}x`;
      const harness = r.ours !== undefined && r.raw !== undefined ? `${(r.ours / r.raw).toFixed(3)}x` : '-';
      quiet(`  ${r.runtime.padEnd(26)} ${r.model.slice(model.length + 1).padEnd(13)} ${f(r.ours).padStart(9)} ${f(r.raw).padStart(9)} ${ratio.padStart(8)} ${harness.padStart(8)}${r.note ? `  (${r.note})` : ''}`);
    }
  }
  quiet('\n"raw" is the runtime\'s own call on the same input (session.run / compiledModel.run with tensor create, read and free; for tfjs, our executor on a tf.Tensor); "ours" is our RuntimeSession.run with HostTensors; "harness" = ours / raw (goal <= 1.05x).');
}

main().then(() => process.exit(0), (e: unknown) => { console.error(e); process.exit(1); });
