/**
 * Numeric agreement of converted models with independent runtimes: the ONNX original runs in
 * onnxruntime-web, the converted .tflite (our writer) in LiteRT.js, on the same inputs.
 */
import { readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-web';
import { describe, expect, it } from 'vitest';
import { readModel } from '../../formats/registry';
import { writeTflite } from '../../formats/tflite/write';
import type { Model } from '../../ir/types';
import { litertAdapter } from '../../runtime/litert';
import type { HostTensor, RuntimeSession } from '../../runtime/types';
import { inferShapes } from '../../ir/shapes/index';
import { onnxToTfl, type OnnxToTflOptions } from './index';

async function read(path: string): Promise<{ model: Model; bytes: Uint8Array }> {
  const bytes = new Uint8Array(readFileSync(path));
  return { model: await readModel([{ name: path.split('/').pop()!, bytes }]), bytes };
}

async function convert(path: string, options: OnnxToTflOptions = {}): Promise<{ onnx: Uint8Array; tfl: Uint8Array; model: Model }> {
  const { model, bytes } = await read(path);
  const { model: out, report } = onnxToTfl(model, options);
  expect(report.unsupported).toEqual([]);
  expect(report.converted).toBe(true);
  return { onnx: bytes, tfl: writeTflite(out), model: out };
}

function nchwToNhwc(x: Float32Array, [n, c, h, w]: number[]): Float32Array {
  const out = new Float32Array(x.length);
  for (let b = 0; b < n!; b++) for (let k = 0; k < c!; k++) for (let i = 0; i < h!; i++) for (let j = 0; j < w!; j++) {
    out[((b * h! + i) * w! + j) * c! + k] = x[((b * c! + k) * h! + i) * w! + j]!;
  }
  return out;
}

/** Deterministic pseudo-random floats in [lo, hi). */
function noise(n: number, seed: number, lo = -1, hi = 1): Float32Array {
  let s = seed >>> 0;
  return Float32Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return lo + ((s >>> 8) / (1 << 24)) * (hi - lo);
  });
}

function compare(a: Float32Array, b: Float32Array): { diff: number; range: number } {
  let diff = 0, lo = Infinity, hi = -Infinity;
  for (let i = 0; i < a.length; i++) {
    diff = Math.max(diff, Math.abs(a[i]! - b[i]!));
    lo = Math.min(lo, a[i]!);
    hi = Math.max(hi, a[i]!);
  }
  return { diff, range: hi - lo };
}

const argmax = (v: Float32Array): number => v.indexOf(Math.max(...v));

async function runOrt(bytes: Uint8Array, feeds: Record<string, { data: Float32Array; shape: number[] }>): Promise<Float32Array[]> {
  const s = await ort.InferenceSession.create(bytes, { executionProviders: ['wasm'] });
  const inputs = Object.fromEntries(Object.entries(feeds).map(([k, v]) => [k, new ort.Tensor('float32', v.data, v.shape)]));
  const out = await s.run(inputs);
  const res = s.outputNames.map((n) => out[n]!.data as Float32Array);
  await s.release();
  return res;
}

/** A shipped .tflite with its open dims fixed (LiteRT.js takes static input shapes only). */
async function loadShipped(path: string, shape: number[]): Promise<RuntimeSession> {
  const { model } = await read(path);
  const input = model.graphs[0]!.inputs[0]!;
  const fixed = inferShapes(model, { inputShapes: { [input]: shape } }).model;
  return litertAdapter.load({ bytes: writeTflite(fixed) }, { backend: 'wasm' });
}

describe('onnx-to-tfl numeric agreement', () => {
  it('Fashion-MNIST: LiteRT.js on the converted model matches onnxruntime on 16 samples', async () => {
    const { onnx, tfl } = await convert('public/models/fashion-mnist-cnn.onnx');
    const lrt = await litertAdapter.load({ bytes: tfl }, { backend: 'wasm' });
    const onnxSession = await ort.InferenceSession.create(onnx, { executionProviders: ['wasm'] });
    const samples = new Uint8Array(readFileSync('public/models/fashion-mnist-samples.bin'));
    const labels = JSON.parse(readFileSync('public/models/fashion-mnist-cnn.json', 'utf8'));
    expect(samples.length).toBe(16 * 784);
    let agreeTop1 = 0;
    for (let s = 0; s < 16; s++) {
      const x = Float32Array.from(samples.subarray(s * 784, (s + 1) * 784), (v) => v / 255);
      const ref = (await onnxSession.run({ image: new ort.Tensor('float32', x, [1, 1, 28, 28]) })).logits!.data as Float32Array;
      const feed: HostTensor = { name: 'image', dtype: 'float32', shape: [1, 28, 28, 1], data: nchwToNhwc(x, [1, 1, 28, 28]) };
      const [y] = await lrt.run([feed]);
      const got = y!.data as Float32Array;
      const { diff, range } = compare(ref, got);
      expect(diff).toBeLessThanOrEqual(1e-4 * range);
      if (argmax(ref) === argmax(got)) agreeTop1++;
    }
    expect(agreeTop1).toBe(16);
    expect(labels).toBeTruthy();
    lrt.dispose();
    await onnxSession.release();
  });

  it('keepLayout: NCHW input at the boundary still computes the same logits', async () => {
    const { onnx, tfl, model } = await convert('public/models/fashion-mnist-cnn.onnx', { keepLayout: true });
    const g = model.graphs[0]!;
    expect(g.tensors.get('image')!.shape).toEqual([1, 1, 28, 28]);
    const x = noise(784, 7, 0, 1);
    const [ref] = await runOrt(onnx, { image: { data: x, shape: [1, 1, 28, 28] } });
    const lrt = await litertAdapter.load({ bytes: tfl }, { backend: 'wasm' });
    const [y] = await lrt.run([{ name: 'image', dtype: 'float32', shape: [1, 1, 28, 28], data: x }]);
    const { diff, range } = compare(ref!, y!.data as Float32Array);
    expect(diff).toBeLessThanOrEqual(1e-4 * range);
    lrt.dispose();
  });

  // openWakeWord ships the same networks as ONNX and as TFLite (converted by Google's tools).
  const OWW = 'fixtures/third_party/openwakeword';
  const cases: Array<{ name: string; shape: number[]; scale: number; shippedMatches: boolean }> = [
    { name: 'alexa_v0.1', shape: [1, 16, 96], scale: 4, shippedMatches: true },
    { name: 'hey_jarvis_v0.1', shape: [1, 16, 96], scale: 4, shippedMatches: true },
    { name: 'hey_mycroft_v0.1', shape: [1, 16, 96], scale: 4, shippedMatches: true },
    // The shipped hey_rhasspy .tflite is not the same network as its .onnx (outputs differ by ~1
    // in onnxruntime vs LiteRT.js alike), so only onnxruntime is the reference for it.
    { name: 'hey_rhasspy_v0.1', shape: [1, 16, 96], scale: 4, shippedMatches: false },
    { name: 'timer_v0.1', shape: [1, 34, 96], scale: 4, shippedMatches: true },
    { name: 'weather_v0.1', shape: [1, 22, 96], scale: 4, shippedMatches: true },
    { name: 'melspectrogram', shape: [1, 1760], scale: 3000, shippedMatches: true },
    { name: 'embedding_model', shape: [1, 76, 32, 1], scale: 3, shippedMatches: true },
  ];
  for (const k of cases) {
    it(`openWakeWord ${k.name}: converted ONNX agrees with onnxruntime and the shipped .tflite`, async () => {
      const { model: src } = await read(`${OWW}/${k.name}.onnx`);
      const inputName = src.graphs[0]!.inputs[0]!;
      const { onnx, tfl } = await convert(`${OWW}/${k.name}.onnx`, { inputShapes: { [inputName]: k.shape } });
      const ours = await litertAdapter.load({ bytes: tfl }, { backend: 'wasm' });
      const shipped = k.shippedMatches ? await loadShipped(`${OWW}/${k.name}.tflite`, k.shape) : null;
      const refs: Float32Array[] = [], gots: Float32Array[] = [], ships: Float32Array[] = [];
      const n = k.shape.reduce((a, b) => a * b, 1);
      for (let run = 0; run < 4; run++) {
        const x = noise(n, 100 + run, -k.scale, k.scale);
        refs.push((await runOrt(onnx, { [inputName]: { data: x, shape: k.shape } }))[0]!);
        const feed: HostTensor = { name: inputName, dtype: 'float32', shape: k.shape, data: x };
        gots.push((await ours.run([feed]))[0]!.data as Float32Array);
        if (shipped) ships.push((await shipped.run([feed]))[0]!.data as Float32Array);
      }
      const all = (xs: Float32Array[]): Float32Array => Float32Array.from(xs.flatMap((x) => Array.from(x)));
      const ref = all(refs), got = all(gots);
      const { diff, range } = compare(ref, got);
      const scale = Math.max(range, ...Array.from(ref, Math.abs));
      expect(got.length).toBe(ref.length);
      expect(diff).toBeLessThanOrEqual(1e-4 * scale);
      if (shipped) {
        const c2 = compare(all(ships), got);
        expect(c2.diff).toBeLessThanOrEqual(1e-4 * scale);
        shipped.dispose();
      }
      ours.dispose();
    });
  }
});
