/**
 * The tfjs IR executor against onnxruntime-web (the ONNX models' native runtime) on the ONNX
 * fixtures, with seeded random inputs, plus the Fashion-MNIST samples' top-1 against the
 * predictions PyTorch recorded when the model was trained.
 */
import { existsSync, readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-web';
import { afterAll, describe, expect, it } from 'vitest';
import { randomHostTensor } from '../host-tensor';
import type { HostTensor, RuntimeSession } from '../types';
import { tfjsAdapter } from './index';
import { bytesOf, expectAgree, loadModel } from './test-helpers';

interface Case {
  file: string;
  /** Static shapes for inputs with unknown dims, and value ranges. */
  inputs?: Record<string, { shape?: number[]; min?: number; max?: number; int64?: bigint }>;
}

const OWW = 'fixtures/third_party/openwakeword';
const CASES: Case[] = [
  { file: 'public/models/fashion-mnist-cnn.onnx', inputs: { image: { min: 0, max: 1 } } },
  ...['alexa_v0.1', 'hey_jarvis_v0.1', 'hey_mycroft_v0.1', 'hey_rhasspy_v0.1', 'timer_v0.1', 'weather_v0.1'].map((n) => ({ file: `${OWW}/${n}.onnx` })),
  { file: `${OWW}/embedding_model.onnx`, inputs: { input_1: { shape: [2, 76, 32, 1] } } },
  { file: `${OWW}/melspectrogram.onnx`, inputs: { input: { shape: [1, 3200], min: -3000, max: 3000 } } },
  {
    file: 'fixtures/third_party/silero-vad/silero_vad_v5.onnx',
    inputs: { input: { shape: [1, 512] }, state: { shape: [2, 1, 128] }, sr: { int64: 16000n } },
  },
  {
    file: 'fixtures/third_party/silero-vad/silero_vad_legacy.onnx',
    inputs: { input: { shape: [1, 512] }, h: { shape: [2, 1, 64] }, c: { shape: [2, 1, 64] }, sr: { int64: 16000n } },
  },
];

function feedsFor(session: RuntimeSession, c: Case, seed: number): HostTensor[] {
  return session.inputs.map((spec, i) => {
    const o = c.inputs?.[spec.name];
    if (o?.int64 !== undefined) return { name: spec.name, dtype: 'int64', shape: [], data: BigInt64Array.of(o.int64) };
    return randomHostTensor({ ...spec, shape: o?.shape ?? spec.shape }, { seed: seed + i, min: o?.min, max: o?.max });
  });
}

async function runOrt(bytes: Uint8Array, feeds: HostTensor[]): Promise<Record<string, ort.Tensor>> {
  const s = await ort.InferenceSession.create(bytes, { executionProviders: ['wasm'] });
  try {
    const f: Record<string, ort.Tensor> = {};
    for (const h of feeds) f[h.name] = new ort.Tensor(h.dtype as 'float32', h.data as Float32Array, h.shape);
    return await s.run(f);
  } finally {
    await s.release();
  }
}

describe('tfjs executor vs onnxruntime-web on the ONNX fixtures (cpu backend)', () => {
  for (const c of CASES) {
    it(c.file.split('/').pop()!, async () => {
      const model = await loadModel(c.file);
      const session = await tfjsAdapter.load({ model }, { backend: 'cpu' });
      try {
        for (const seed of [1, 2]) {
          const feeds = feedsFor(session, c, seed * 10);
          const want = await runOrt(bytesOf(c.file), feeds);
          const before = tf.memory().numTensors;
          const got = await session.run(feeds);
          // Second run onwards: nothing may stay behind (the first may memoise weight layouts).
          if (seed === 2) expect(tf.memory().numTensors).toBe(before);
          expect(got.map((g) => g.name)).toEqual(session.outputs.map((o) => o.name));
          for (const g of got) {
            const w = want[g.name];
            expect(w, `ort output ${g.name}`).toBeDefined();
            expectAgree(`${c.file} ${g.name} seed ${seed}`, g, { data: w!.data as ArrayLike<number>, shape: w!.dims });
          }
        }
      } finally {
        session.dispose();
      }
    }, 60_000);
  }

  it('disposes every tensor it created', async () => {
    const base = tf.memory().numTensors;
    const model = await loadModel('public/models/fashion-mnist-cnn.onnx');
    const s = await tfjsAdapter.load({ model }, { backend: 'cpu' });
    expect(tf.memory().numTensors).toBeGreaterThan(base); // weights uploaded at load
    await s.run(feedsFor(s, CASES[0]!, 5));
    s.dispose();
    expect(tf.memory().numTensors).toBe(base);
    await expect(s.run(feedsFor(s, CASES[0]!, 5))).rejects.toThrow(/disposed/);
  });
});

describe('Fashion-MNIST samples: same top-1 as PyTorch', () => {
  const meta = JSON.parse(readFileSync('public/models/fashion-mnist-cnn.json', 'utf8')) as {
    samples: { count: number; predicted: number[] };
  };
  let session: RuntimeSession | undefined;
  afterAll(() => session?.dispose());

  it('predicts the 16 bundled samples as the trained model did', async () => {
    session = await tfjsAdapter.load({ model: await loadModel('public/models/fashion-mnist-cnn.onnx') }, { backend: 'cpu' });
    const pixels = bytesOf('public/models/fashion-mnist-samples.bin');
    const predicted: number[] = [];
    for (let k = 0; k < meta.samples.count; k++) {
      const data = Float32Array.from(pixels.subarray(k * 784, (k + 1) * 784), (v) => v / 255);
      const [out] = await session.run([{ name: 'image', dtype: 'float32', shape: [1, 1, 28, 28], data }]);
      const logits = Array.from(out!.data as Float32Array);
      predicted.push(logits.indexOf(Math.max(...logits)));
    }
    expect(predicted).toEqual(meta.samples.predicted);
  });
});
