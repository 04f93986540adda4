/**
 * The tfjs IR executor on TF.js layers models (`keras` dialect) against tfjs-layers itself
 * (tf.loadLayersModel / LayersModel.predict): the nsfwjs MobileNetV2 fixture, and small models
 * built here with tf.sequential / tf.model, given seeded random weights, saved through
 * tf.io.withSaveHandler and read back with our reader.
 */
import { existsSync, readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { readModel } from '../../formats/registry';
import type { HostTensor } from '../types';
import { tfjsAdapter } from './index';
import { bytesOf, loadModel } from './test-helpers';

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

function host(name: string, shape: number[], seed: number, lo = -1, hi = 1): HostTensor {
  const r = lcg(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  return { name, dtype: 'float32', shape, data: Float32Array.from({ length: n }, () => lo + (hi - lo) * r()) };
}

/** The brief's tolerance for layers models: max |diff| <= 1e-5 of the output range; same top-1. */
function expectClose(label: string, got: HostTensor, want: tf.Tensor): void {
  expect(got.shape, `${label} shape`).toEqual(want.shape);
  const w = want.dataSync(), g = got.data as Float32Array;
  let lo = Infinity, hi = -Infinity, absMax = 0, diff = 0, ag = 0, aw = 0;
  for (let i = 0; i < w.length; i++) {
    lo = Math.min(lo, w[i]!); hi = Math.max(hi, w[i]!); absMax = Math.max(absMax, Math.abs(w[i]!));
    const d = Math.abs(w[i]! - g[i]!);
    diff = Math.max(diff, Number.isNaN(d) ? Infinity : d);
    if (g[i]! > g[ag]!) ag = i;
    if (w[i]! > w[aw]!) aw = i;
  }
  const tol = 1e-5 * Math.max(hi - lo, absMax, 1e-3);
  expect(diff, `${label}: max |diff| ${diff} vs ${tol}`).toBeLessThanOrEqual(tol);
  expect(ag, `${label} top-1`).toBe(aw);
}

/** Seeded weights for every layer: non-trivial BatchNorm statistics, positive variances. */
function randomizeWeights(model: tf.LayersModel, seed: number): void {
  const r = lcg(seed);
  for (const layer of model.layers) {
    const ws = layer.weights;
    if (ws.length === 0) continue;
    layer.setWeights(ws.map((w) => {
      const variance = /moving_variance|gamma/.test(w.originalName);
      const scale = /kernel/.test(w.originalName) ? 0.5 : 0.3;
      const shape = w.shape.map((d) => d ?? 1);
      return tf.tensor(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => (variance ? 0.5 + r() : (r() * 2 - 1) * scale)), shape);
    }));
  }
}

/** Saves a tfjs-layers model the way tf.io would write model.json + weights.bin, then reads it. */
async function roundTrip(model: tf.LayersModel, patch?: (layers: Array<{ class_name: string; config: Record<string, unknown> }>) => void) {
  let artifacts: tf.io.ModelArtifacts | undefined;
  await model.save(tf.io.withSaveHandler(async (a) => { artifacts = a; return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } }; }));
  const a = artifacts!;
  const data = a.weightData instanceof ArrayBuffer ? new Uint8Array(a.weightData) : new Uint8Array(0);
  type Topo = { config: { layers: never }; model_config?: Topo };
  if (patch) { const t = a.modelTopology as Topo; patch((t.model_config ?? t).config.layers); }
  const json = { format: 'layers-model', generatedBy: a.generatedBy, convertedBy: a.convertedBy, modelTopology: a.modelTopology, weightsManifest: [{ paths: ['weights.bin'], weights: a.weightSpecs ?? [] }] };
  return readModel([{ name: 'model.json', bytes: new TextEncoder().encode(JSON.stringify(json)) }, { name: 'weights.bin', bytes: data }]);
}

/** Runs `model` natively and through our reader + executor on the same seeded inputs. */
async function compare(label: string, model: tf.LayersModel, seed = 5): Promise<void> {
  randomizeWeights(model, seed);
  const ir = await roundTrip(model);
  expect(ir.dialect).toBe('keras');
  const session = await tfjsAdapter.load({ model: ir }, { backend: 'cpu' });
  try {
    const feeds = model.inputs.map((t, i) => host(session.inputs[i]!.name, [2, ...t.shape.slice(1).map((d) => d ?? 1)], seed + i));
    const got = await session.run(feeds);
    const before = tf.memory().numTensors;
    await session.run(feeds);
    expect(tf.memory().numTensors, `${label}: no tensors leak`).toBe(before);
    const xs = feeds.map((f) => tf.tensor(f.data as Float32Array, f.shape));
    const res = model.predict(xs.length === 1 ? xs[0]! : xs);
    const want = Array.isArray(res) ? res : [res];
    expect(got.length).toBe(want.length);
    got.forEach((g, i) => expectClose(`${label} output ${i}`, g, want[i]!));
    tf.dispose([...xs, ...want]);
  } finally {
    session.dispose();
  }
}

describe('keras dialect vs tfjs-layers', () => {
  const NSFW = 'fixtures/third_party/nsfwjs/mobilenet_v2/model.json';
  it('nsfwjs MobileNetV2 (layers model) matches tf.loadLayersModel', async () => {
    const json = JSON.parse(readFileSync(NSFW, 'utf8')) as { modelTopology: object; weightsManifest: Array<{ paths: string[]; weights: tf.io.WeightsManifestEntry[] }> };
    const shards = json.weightsManifest.flatMap((g) => g.paths).map((p) => bytesOf(NSFW.replace('model.json', p)));
    const data = new Uint8Array(shards.reduce((n, s) => n + s.length, 0));
    let at = 0;
    for (const s of shards) { data.set(s, at); at += s.length; }
    const native = await tf.loadLayersModel(tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: json.weightsManifest.flatMap((g) => g.weights), weightData: data.buffer }));
    const session = await tfjsAdapter.load({ model: await loadModel(NSFW) }, { backend: 'cpu' });
    try {
      for (const seed of [1, 2]) {
        const x = host('input_1', [1, 224, 224, 3], seed, 0, 1);
        const [got] = await session.run([x]);
        const xt = tf.tensor(x.data as Float32Array, x.shape);
        const want = native.predict(xt) as tf.Tensor;
        expectClose(`nsfwjs seed ${seed}`, got!, want);
        tf.dispose([xt, want]);
      }
    } finally {
      session.dispose();
      native.dispose();
    }
  }, 120_000);

  it('conv / pool / padding / norm layers (Sequential)', async () => {
    const L = tf.layers;
    const m = tf.sequential({ layers: [
      L.zeroPadding2d({ inputShape: [12, 12, 3], padding: [[1, 0], [0, 2]] }),
      L.conv2d({ filters: 6, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' }),
      L.batchNormalization({ epsilon: 0.01 }),
      L.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2, padding: 'same', activation: 'relu6' }),
      L.batchNormalization({ center: false }),
      L.separableConv2d({ filters: 8, kernelSize: 3, useBias: false, activation: 'swish', padding: 'same', dilationRate: 1 }),
      L.batchNormalization({ scale: false }),
      L.reLU({ maxValue: 1.5 }),
      L.maxPooling2d({ poolSize: 3, strides: 1, padding: 'same' }),
      L.upSampling2d({ size: [2, 3], interpolation: 'bilinear' }),
      L.cropping2D({ cropping: [[1, 2], [3, 0]] }),
      L.averagePooling2d({ poolSize: 2, padding: 'same' }),
      L.conv2dTranspose({ filters: 4, kernelSize: 3, strides: 2, padding: 'same', activation: 'tanh' }),
      L.leakyReLU({ alpha: 0.2 }),
      L.prelu({}),
      L.thresholdedReLU({ theta: 0.1 }),
      L.conv2d({ filters: 5, kernelSize: [2, 3], dilationRate: 2, useBias: false, activation: 'elu' }),
      L.elu({}),
      L.upSampling2d({ size: [2, 2] }),
      L.globalAveragePooling2d({}),
      L.dense({ units: 7, activation: 'softmax' }),
    ] });
    await compare('sequential cnn', m);
  }, 60_000);

  it('merge, reshape and activation layers (functional, shared layer)', async () => {
    const L = tf.layers;
    const a = tf.input({ shape: [4, 6] });
    const b = tf.input({ shape: [4, 6] });
    const shared = L.dense({ units: 6, activation: 'selu' });
    const sa = shared.apply(a) as tf.SymbolicTensor;
    const sb = shared.apply(b) as tf.SymbolicTensor;
    const merged = [
      L.add().apply([sa, sb]), L.multiply().apply([sa, sb]),
      L.average().apply([sa, sb, a]), L.maximum().apply([sa, sb]), L.minimum().apply([sa, sb]),
    ] as tf.SymbolicTensor[];
    const cat = L.concatenate({ axis: 1 }).apply(merged) as tf.SymbolicTensor; // [24, 6]
    const acts = ['sigmoid', 'hardSigmoid', 'softplus', 'softsign', 'gelu', 'linear', 'tanh', 'relu'] as const;
    let h = L.permute({ dims: [2, 1] }).apply(cat) as tf.SymbolicTensor; // [6, 24]
    for (const act of acts) h = L.activation({ activation: act }).apply(L.dense({ units: 24 }).apply(h)) as tf.SymbolicTensor;
    h = L.layerNormalization({ axis: -1 }).apply(h) as tf.SymbolicTensor;
    h = L.dropout({ rate: 0.5 }).apply(h) as tf.SymbolicTensor;
    const img = L.reshape({ targetShape: [6, 4, 6] }).apply(h) as tf.SymbolicTensor;
    const pooled = L.globalMaxPooling2d({}).apply(img) as tf.SymbolicTensor;
    const flat = L.flatten().apply(L.rescaling({ scale: 0.5, offset: -0.25 }).apply(img)) as tf.SymbolicTensor;
    const out1 = L.softmax({ axis: 1 }).apply(L.dense({ units: 5, activation: 'relu6' }).apply(flat)) as tf.SymbolicTensor;
    const out2 = L.dense({ units: 3, useBias: false, activation: 'softmax' }).apply(pooled) as tf.SymbolicTensor;
    await compare('functional', tf.model({ inputs: [a, b], outputs: [out1, out2] }));
  }, 60_000);

  it('channels_first convolutions and pools', async () => {
    const L = tf.layers;
    const m = tf.sequential({ layers: [
      L.conv2d({ inputShape: [3, 8, 8], filters: 4, kernelSize: 3, dataFormat: 'channelsFirst', padding: 'same', activation: 'relu' }),
      L.maxPooling2d({ poolSize: 2, dataFormat: 'channelsFirst' }),
      L.zeroPadding2d({ padding: 1, dataFormat: 'channelsFirst' }),
      L.flatten({ dataFormat: 'channelsFirst' } as never),
      L.dense({ units: 4 }),
    ] });
    await compare('channels_first', m);
  }, 60_000);

  it('names an unsupported layer at load', async () => {
    const m = tf.sequential({ layers: [tf.layers.lstm({ inputShape: [3, 2], units: 2 }), tf.layers.dense({ units: 1 })] });
    const ir = await roundTrip(m);
    await expect(tfjsAdapter.load({ model: ir }, { backend: 'cpu' })).rejects.toThrow(/unsupported ops: keras\.LSTM x1/);
  });

  it('Keras-only configs tfjs-layers cannot build: ReLU slope/threshold, ELU alpha, Subtract', async () => {
    const a = tf.input({ shape: [8] }), b = tf.input({ shape: [8] });
    const r = tf.layers.reLU({ maxValue: 2 }).apply(a) as tf.SymbolicTensor;
    const e = tf.layers.elu({}).apply(b) as tf.SymbolicTensor;
    const d = tf.layers.add().apply([r, e]) as tf.SymbolicTensor;
    const ir = await roundTrip(tf.model({ inputs: [a, b], outputs: [r, e, d] }), (layers) => {
      for (const l of layers) {
        if (l.class_name === 'ReLU') Object.assign(l.config, { negative_slope: 0.1, threshold: 0.5 });
        if (l.class_name === 'ELU') l.config.alpha = 0.7;
        if (l.class_name === 'Add') l.class_name = 'Subtract';
      }
    });
    const session = await tfjsAdapter.load({ model: ir }, { backend: 'cpu' });
    try {
      const xs = [host('a', [1, 8], 3, -3, 3), host('b', [1, 8], 4, -3, 3)];
      const [gr, ge, gd] = (await session.run(xs)).map((t) => Array.from(t.data as Float32Array));
      const x = xs[0]!.data as Float32Array, y = xs[1]!.data as Float32Array;
      const relu = Array.from(x, (v) => (v >= 2 ? 2 : v >= 0.5 ? v : 0.1 * (v - 0.5)));
      const elu = Array.from(y, (v) => (v > 0 ? v : 0.7 * Math.expm1(v)));
      gr!.forEach((v, i) => expect(v).toBeCloseTo(relu[i]!, 5));
      ge!.forEach((v, i) => expect(v).toBeCloseTo(elu[i]!, 5));
      gd!.forEach((v, i) => expect(v).toBeCloseTo(relu[i]! - elu[i]!, 5));
    } finally {
      session.dispose();
    }
  });
});
