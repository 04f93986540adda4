// The runtime worker (workers/runtime.worker.ts) in the production build, under COOP/COEP:
// each runtime starts in a module worker, runs real models and agrees with the others.
// Driven through window.__studioRuntime, exposed by app/dev/runtime.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';

interface Meta { samples: { count: number; predicted: number[] } }
const meta = JSON.parse(readFileSync(path.join(process.cwd(), 'public/models/fashion-mnist-cnn.json'), 'utf8')) as Meta;

const FASHION = '/models/fashion-mnist-cnn.onnx';
const FACE = '/models/third_party/face_detection_short_range.tflite';

interface Loaded { loadMs: number; outputs: Array<{ name: string; shape: number[]; data: number[] }>; }

async function openHook(page: Page): Promise<void> {
  await page.goto('/dev/runtime');
  await page.waitForFunction(() => !!(window as unknown as { __studioRuntime?: unknown }).__studioRuntime);
}

/**
 * In a fresh worker: loads `url` on runtime/backend, runs it once per input set, returns the
 * load time and the outputs. Input sets: 'fashion' = the 16 bundled samples (pixel / 255, NCHW),
 * 'pattern' = one deterministic input in [-1, 1] per model input.
 */
async function loadAndRun(page: Page, runtime: string, backend: string, url: string, inputs: 'fashion' | 'pattern', count = 16): Promise<Loaded[] & { loadMs: number }> {
  const res = await page.evaluate(async ({ runtime, backend, url, inputs, count }) => {
    type Info = { name: string; dtype: string; shape: Array<number | null> };
    const h = (window as unknown as { __studioRuntime: { restart(): void; call<T>(t: string, p: unknown): Promise<T> } }).__studioRuntime;
    h.restart();
    const bytes = new Uint8Array(await (await fetch(url)).arrayBuffer());
    const info = await h.call<{ session: number; loadMs: number; inputs: Info[] }>('load', { runtime, backend, files: [{ name: url.split('/').pop(), bytes }] });
    const feedsList: Array<Array<{ name: string; dtype: string; shape: number[]; data: Float32Array }>> = [];
    if (inputs === 'fashion') {
      const pix = new Uint8Array(await (await fetch('/models/fashion-mnist-samples.bin')).arrayBuffer());
      for (let s = 0; s < count; s++) {
        const data = Float32Array.from(pix.subarray(s * 784, (s + 1) * 784), (v) => v / 255);
        feedsList.push([{ name: info.inputs[0]!.name, dtype: 'float32', shape: [1, 1, 28, 28], data }]);
      }
    } else {
      feedsList.push(info.inputs.map((i) => {
        const shape = i.shape.map((d) => d ?? 1);
        const n = shape.reduce((a, b) => a * b, 1);
        return { name: i.name, dtype: 'float32', shape, data: Float32Array.from({ length: n }, (_, k) => Math.sin(k * 0.37) * Math.cos(k * 0.011)) };
      }));
    }
    const runs = [];
    for (const feeds of feedsList) {
      const r = await h.call<{ outputs: Array<{ name: string; shape: number[]; data: Float32Array }> }>('run', { session: info.session, inputs: feeds });
      runs.push({ loadMs: info.loadMs, outputs: r.outputs.map((o) => ({ name: o.name, shape: o.shape, data: Array.from(o.data) })) });
    }
    await h.call('dispose', { session: info.session });
    return { loadMs: info.loadMs, runs };
  }, { runtime, backend, url, inputs, count });
  console.log(`first load ${runtime}/${backend} ${url.split('/').pop()}: ${res.loadMs.toFixed(0)} ms`);
  test.info().annotations.push({ type: 'first-load-ms', description: `${runtime}/${backend} ${url.split('/').pop()}: ${res.loadMs.toFixed(0)}` });
  return Object.assign(res.runs, { loadMs: res.loadMs });
}

const argmax = (v: number[]) => v.reduce((best, x, i) => (x > v[best]! ? i : best), 0);

/** Max |a - b| over every output, and the tolerance: 1e-4 of the reference output's range (the rule). */
function agreement(ref: Loaded[], other: Loaded[], rel = 1e-4): { maxDiff: number; tol: number } {
  let maxDiff = 0;
  let lo = Infinity;
  let hi = -Infinity;
  ref.forEach((r, i) => r.outputs.forEach((o, j) => {
    const b = other[i]!.outputs[j]!;
    expect(b.shape).toEqual(o.shape);
    o.data.forEach((x, k) => {
      lo = Math.min(lo, x);
      hi = Math.max(hi, x);
      maxDiff = Math.max(maxDiff, Math.abs(x - b.data[k]!));
    });
  }));
  return { maxDiff, tol: rel * (hi - lo) };
}

async function hasWebGpu(page: Page): Promise<boolean> {
  return page.evaluate(async () => {
    const gpu = (navigator as unknown as { gpu?: { requestAdapter(): Promise<unknown> } }).gpu;
    return !!gpu && (await gpu.requestAdapter()) != null;
  });
}

test('the worker reports which runtimes and backends start here, cross-origin isolated', async ({ page }) => {
  await openHook(page);
  const r = await page.evaluate(() => (window as unknown as { __studioRuntime: { call<T>(t: string, p: unknown): Promise<T> } }).__studioRuntime
    .call<{ backends: Record<string, string[]>; errors: Record<string, string>; crossOriginIsolated: boolean; threads: number }>('backends', {}));
  expect(r.errors).toEqual({});
  expect(r.crossOriginIsolated).toBe(true);
  expect(r.threads).toBeGreaterThanOrEqual(1);
  expect(r.backends.ort).toContain('wasm');
  expect(r.backends.litert).toContain('wasm');
  expect(r.backends.tfjs).toEqual(expect.arrayContaining(['cpu', 'webgl']));
  if (await hasWebGpu(page)) expect(r.backends.ort).toContain('webgpu');
  console.log('backends:', JSON.stringify(r.backends), 'threads:', r.threads);
});

test('Fashion-MNIST: ORT wasm and the tfjs executor (webgl, cpu) give torch\'s top-1 on the 16 samples and agree', async ({ page }) => {
  test.setTimeout(180_000);
  await openHook(page);
  const ort = await loadAndRun(page, 'ort', 'wasm', FASHION, 'fashion');
  expect(ort.map((r) => argmax(r.outputs[0]!.data))).toEqual(meta.samples.predicted);
  for (const backend of ['webgl', 'cpu']) {
    const tf = await loadAndRun(page, 'tfjs', backend, FASHION, 'fashion');
    expect(tf.map((r) => argmax(r.outputs[0]!.data))).toEqual(meta.samples.predicted);
    const { maxDiff, tol } = agreement(ort, tf);
    expect(maxDiff, `tfjs/${backend} vs ORT`).toBeLessThanOrEqual(tol);
  }
});

test('LiteRT.js wasm runs the MediaPipe face detector in a module worker and agrees with the tfjs executor', async ({ page }) => {
  test.setTimeout(180_000);
  await openHook(page);
  const lite = await loadAndRun(page, 'litert', 'wasm', FACE, 'pattern');
  expect(lite[0]!.outputs.map((o) => [o.name, o.shape])).toEqual([['regressors', [1, 896, 16]], ['classificators', [1, 896, 1]]]);
  expect(lite[0]!.outputs.every((o) => o.data.every(Number.isFinite))).toBe(true);
  const tf = await loadAndRun(page, 'tfjs', 'cpu', FACE, 'pattern');
  const { maxDiff, tol } = agreement(lite, tf);
  expect(maxDiff, 'tfjs/cpu vs LiteRT.js/wasm').toBeLessThanOrEqual(tol);
});

test('bench streams progress, returns one latency per run, and stops between runs when cancelled', async ({ page }) => {
  await openHook(page);
  const r = await page.evaluate(async () => {
    type Hook = {
      progress: Array<{ fraction: number; phase: string }>;
      call<T>(t: string, p: unknown): Promise<T>;
      callAndCancel(t: string, p: unknown, ms: number): Promise<{ ok: boolean; error?: string }>;
    };
    const h = (window as unknown as { __studioRuntime: Hook }).__studioRuntime;
    const bytes = new Uint8Array(await (await fetch('/models/fashion-mnist-cnn.onnx')).arrayBuffer());
    const info = await h.call<{ session: number }>('load', { runtime: 'ort', backend: 'wasm', files: [{ name: 'm.onnx', bytes }] });
    const inputs = [{ name: 'image', dtype: 'float32', shape: [1, 1, 28, 28], data: new Float32Array(784).fill(0.5) }];
    const done = await h.call<{ latencies: number[] }>('bench', { session: info.session, inputs, runs: 20, warmup: 2 });
    const lastProgress = h.progress[h.progress.length - 1];
    h.progress.length = 0;
    const cancelled = await h.callAndCancel('bench', { session: info.session, inputs, runs: 10_000, warmup: 0 }, 300);
    const atCancel = h.progress.length;
    await new Promise((ok) => setTimeout(ok, 800));
    const after = h.progress.length;
    const again = await h.call<{ outputs: unknown[]; ms: number }>('run', { session: info.session, inputs });
    return { latencies: done.latencies, lastProgress, cancelled, atCancel, after, againOutputs: again.outputs.length };
  });
  expect(r.latencies).toHaveLength(20);
  expect(r.latencies.every((ms) => ms > 0 && ms < 10_000)).toBe(true);
  expect(r.lastProgress).toEqual({ fraction: 1, phase: 'run 20 of 20' });
  expect(r.cancelled.ok).toBe(false);
  expect(r.cancelled.error).toMatch(/^AbortedError/);
  expect(r.atCancel).toBeGreaterThan(0);
  // The worker stopped its loop: at most one more progress message (the run in flight) arrived.
  expect(r.after - r.atCancel).toBeLessThanOrEqual(1);
  expect(r.againOutputs).toBe(1);
});

// SwiftShader is slow: one Fashion-MNIST sample, one face-detector input.
test('WebGPU (when the browser gives an adapter): ORT agrees with its wasm result', async ({ page }) => {
  test.setTimeout(300_000);
  await openHook(page);
  test.skip(!(await hasWebGpu(page)), 'no WebGPU adapter in this browser');
  const wasm = await loadAndRun(page, 'ort', 'wasm', FASHION, 'fashion', 1);
  const gpu = await loadAndRun(page, 'ort', 'webgpu', FASHION, 'fashion', 1);
  expect(argmax(gpu[0]!.outputs[0]!.data)).toBe(meta.samples.predicted[0]);
  const { maxDiff, tol } = agreement(wasm, gpu);
  expect(maxDiff, 'ORT webgpu vs wasm').toBeLessThanOrEqual(tol);
});

test('WebGPU (when the browser gives an adapter): LiteRT.js agrees with its wasm result', async ({ page }) => {
  test.setTimeout(300_000);
  await openHook(page);
  test.skip(!(await hasWebGpu(page)), 'no WebGPU adapter in this browser');
  const wasm = await loadAndRun(page, 'litert', 'wasm', FACE, 'pattern');
  const gpu = await loadAndRun(page, 'litert', 'webgpu', FACE, 'pattern');
  const { maxDiff, tol } = agreement(wasm, gpu);
  expect(maxDiff, 'LiteRT.js webgpu vs wasm').toBeLessThanOrEqual(tol);
});
