/**
 * The tfjs IR executor on the TFLite fixtures against LiteRT.js (the native runtime, wasm), and
 * for models whose inputs LiteRT.js cannot take (dynamic shape signatures) against the paired
 * ONNX network in onnxruntime-web.
 */
import { existsSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-web';
import { describe, expect, it } from 'vitest';
import { randomHostTensor } from '../host-tensor';
import { litertAdapter } from '../litert';
import type { HostTensor } from '../types';
import { tfjsAdapter } from './index';
import { bytesOf, expectAgree, loadModel } from './test-helpers';

const OWW = 'fixtures/third_party/openwakeword';
const FACE = 'fixtures/third_party/mediapipe-face_detection/face_detection_short_range.tflite';

const VS_LITERT = [
  FACE,
  ...['alexa_v0.1', 'hey_jarvis_v0.1', 'hey_mycroft_v0.1', 'hey_rhasspy_v0.1', 'timer_v0.1', 'weather_v0.1', 'embedding_model']
    .map((n) => `${OWW}/${n}.tflite`),
];

async function tfjsRun(file: string, feeds: (specs: Array<{ name: string; dtype: 'float32'; shape: Array<number | null> }>) => HostTensor[]) {
  const s = await tfjsAdapter.load({ model: await loadModel(file) }, { backend: 'cpu' });
  try {
    const inputs = feeds(s.inputs as never);
    const first = await s.run(inputs);
    const before = tf.memory().numTensors;
    const second = await s.run(inputs);
    expect(tf.memory().numTensors, 'tensors left after a run').toBe(before);
    expect(second.map((t) => Array.from(t.data as Float32Array))).toEqual(first.map((t) => Array.from(t.data as Float32Array)));
    return { inputs, outputs: first };
  } finally {
    s.dispose();
  }
}

describe('tfjs executor vs LiteRT.js on the TFLite fixtures', () => {
  for (const file of VS_LITERT) {
    it(file.split('/').pop()!, async () => {
      const { inputs, outputs } = await tfjsRun(file, (specs) => specs.map((sp, i) => randomHostTensor(sp, { seed: 7 + i })));
      const lite = await litertAdapter.load({ bytes: bytesOf(file) }, { backend: 'wasm' });
      try {
        const want = await lite.run(inputs);
        expect(outputs.length).toBe(want.length);
        outputs.forEach((g, i) => expectAgree(`${file} ${g.name}`, g, want[i]!));
      } finally {
        lite.dispose();
      }
    }, 120_000);
  }
});

describe('tfjs executor on TFLite vs the paired ONNX network in onnxruntime-web', () => {
  // melspectrogram.tflite has a [-1, -1] input, which LiteRT.js refuses.
  const pairs = [
    { tflite: `${OWW}/melspectrogram.tflite`, onnx: `${OWW}/melspectrogram.onnx`, shape: [1, 4000], min: -3000, max: 3000 },
    { tflite: `${OWW}/hey_jarvis_v0.1.tflite`, onnx: `${OWW}/hey_jarvis_v0.1.onnx`, shape: [1, 16, 96], min: -1, max: 1 },
  ];
  for (const p of pairs) {
    it(p.tflite.split('/').pop()!, async () => {
      const { inputs, outputs } = await tfjsRun(p.tflite, (specs) =>
        specs.map((sp, i) => randomHostTensor({ ...sp, shape: p.shape }, { seed: 3 + i, min: p.min, max: p.max })));
      const sess = await ort.InferenceSession.create(bytesOf(p.onnx), { executionProviders: ['wasm'] });
      try {
        const feeds: Record<string, ort.Tensor> = {};
        sess.inputNames.forEach((n, i) => { feeds[n] = new ort.Tensor('float32', inputs[i]!.data as Float32Array, inputs[i]!.shape); });
        const res = await sess.run(feeds);
        const want = res[sess.outputNames[0]!]!;
        // TF's converter may add or drop unit dimensions: compare the values in order.
        const got = outputs[0]!;
        expect(got.data.length).toBe(want.data.length);
        expectAgree(p.tflite, { ...got, shape: [...want.dims] }, { data: want.data as Float32Array, shape: want.dims });
      } finally {
        await sess.release();
      }
    }, 120_000);
  }
});
