/**
 * Layers beyond MobileNetV2: a small functional model built with tfjs itself (seeded weights),
 * saved as a TF.js layers model, read by our reader, converted, and run in LiteRT.js against
 * tfjs' own predict(). Also the structural facts: kernels permuted, BatchNorm folded or not,
 * no keras.* ops left, unsupported layers reported.
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { readModel } from '../../formats/registry';
import { writeTflite } from '../../formats/tflite/write';
import { tensorValues } from '../../ir/values';
import type { Model } from '../../ir/types';
import { seededRandom } from '../../runtime/host-tensor';
import { litertAdapter } from '../../runtime/litert';
import { compareOutputs } from '../../verify/index';
import { inputsFor } from '../tf-to-tfl/test-support';
import { convertKerasToTflite } from './index';

function build(): tf.LayersModel {
  const x = tf.input({ shape: [12, 12, 3], name: 'image' });
  const sep = tf.layers.separableConv2d({ filters: 8, kernelSize: 3, padding: 'same', depthMultiplier: 2, name: 'sep' }).apply(x) as tf.SymbolicTensor;
  const bn1 = tf.layers.batchNormalization({ name: 'bn1', epsilon: 0.01 }).apply(sep) as tf.SymbolicTensor;
  const r1 = tf.layers.reLU({ maxValue: 6, name: 'r1' }).apply(bn1) as tf.SymbolicTensor;
  const a = tf.layers.conv2d({ filters: 8, kernelSize: 3, strides: 2, padding: 'same', activation: 'sigmoid', name: 'conv_a' }).apply(r1) as tf.SymbolicTensor;
  const p = tf.layers.maxPooling2d({ poolSize: 2, name: 'pool_b' }).apply(r1) as tf.SymbolicTensor;
  const bn2 = tf.layers.batchNormalization({ name: 'bn2' }).apply(p) as tf.SymbolicTensor;
  const m = tf.layers.multiply({ name: 'mul' }).apply([a, bn2]) as tf.SymbolicTensor;
  const avg = tf.layers.average({ name: 'avg' }).apply([a, m]) as tf.SymbolicTensor;
  const cat = tf.layers.concatenate({ name: 'cat' }).apply([a, avg]) as tf.SymbolicTensor;
  const dw = tf.layers.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2, padding: 'valid', name: 'dw' }).apply(cat) as tf.SymbolicTensor;
  const zp = tf.layers.zeroPadding2d({ padding: [[1, 0], [0, 1]], name: 'zp' }).apply(dw) as tf.SymbolicTensor;
  const ap = tf.layers.averagePooling2d({ poolSize: 2, strides: 1, padding: 'same', name: 'ap' }).apply(zp) as tf.SymbolicTensor;
  const lr = tf.layers.leakyReLU({ alpha: 0.1, name: 'lrelu' }).apply(ap) as tf.SymbolicTensor;
  const el = tf.layers.activation({ activation: 'elu', name: 'elu' }).apply(lr) as tf.SymbolicTensor;
  const gap = tf.layers.globalAveragePooling2d({ name: 'gap' }).apply(el) as tf.SymbolicTensor;
  const d1 = tf.layers.dense({ units: 10, activation: 'tanh', name: 'd1' }).apply(gap) as tf.SymbolicTensor;
  const dr = tf.layers.dropout({ rate: 0.5, name: 'drop' }).apply(d1) as tf.SymbolicTensor;
  const d2 = tf.layers.dense({ units: 4, activation: 'softmax', name: 'd2' }).apply(dr) as tf.SymbolicTensor;
  const model = tf.model({ inputs: x, outputs: d2 });
  const rnd = seededRandom(42);
  model.setWeights(model.weights.map((w) => {
    const shape = w.shape as number[];
    const n = shape.reduce((p, q) => p * q, 1);
    const variance = w.name.includes('moving_variance');
    return tf.tensor(Float32Array.from({ length: n }, () => (variance ? 0.5 + rnd() : rnd() - 0.5)), shape);
  }));
  return model;
}

async function saveAndRead(model: tf.LayersModel): Promise<Model> {
  let art: tf.io.ModelArtifacts | undefined;
  await model.save(tf.io.withSaveHandler(async (a) => { art = a; return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } }; }));
  const json = { modelTopology: art!.modelTopology, weightsManifest: [{ paths: ['w.bin'], weights: art!.weightSpecs }] };
  const weights = new Uint8Array(art!.weightData as ArrayBuffer);
  return readModel([{ name: 'model.json', bytes: new TextEncoder().encode(JSON.stringify(json)) }, { name: 'w.bin', bytes: weights }]);
}

describe('keras-to-tfl: assorted layers', () => {
  it('a functional model of 20 layer kinds matches tfjs predict() in LiteRT.js', async () => {
    await tf.setBackend('cpu');
    const km = build();
    const src = await saveAndRead(km);
    const { model, report } = convertKerasToTflite(src, { batch: 3 });
    expect(report.unsupported).toEqual([]);
    // sep's BN folds (linear producer); bn2 follows a pool and stays as MUL + ADD.
    expect(report.stats.foldedBatchNorms).toBe(1);
    const g = model.graphs[0]!;
    expect(g.nodes.every((n) => n.op.startsWith('tfl.'))).toBe(true);
    const session = await litertAdapter.load({ bytes: writeTflite(model) }, { backend: 'wasm' });
    try {
      for (let run = 0; run < 3; run++) {
        const [x] = inputsFor(model, 5 + run, -2, 2);
        const y = km.predict(tf.tensor(x!.data as Float32Array, x!.shape)) as tf.Tensor;
        const ref = { name: g.outputs[0]!, dtype: 'float32' as const, shape: y.shape, data: y.dataSync() as Float32Array };
        const got = await session.run([x!]);
        const cmp = compareOutputs(got, [ref]);
        expect(cmp.ok, cmp.detail).toBe(true);
      }
    } finally {
      session.dispose();
    }
  }, 120_000);

  it('Conv2D kernels are permuted HWIO -> OHWI and Dense kernels transposed to [out, in]', async () => {
    const x = tf.input({ shape: [5, 5, 2] });
    const c = tf.layers.conv2d({ filters: 3, kernelSize: [2, 3], name: 'c', useBias: false }).apply(x) as tf.SymbolicTensor;
    const f = tf.layers.flatten({ name: 'f' }).apply(c) as tf.SymbolicTensor;
    const d = tf.layers.dense({ units: 4, name: 'd' }).apply(f) as tf.SymbolicTensor;
    const km = tf.model({ inputs: x, outputs: d });
    const src = await saveAndRead(km);
    const { model, report } = convertKerasToTflite(src, {});
    expect(report.converted).toBe(true);
    const g = model.graphs[0]!;
    const conv = g.nodes.find((n) => n.op === 'tfl.CONV_2D')!;
    const filter = g.tensors.get(conv.inputs[1]!)!;
    expect(filter.shape).toEqual([3, 2, 3, 2]);
    const hwio = km.getLayer('c').getWeights()[0]!.arraySync() as number[][][][];
    const ohwi = tensorValues(filter) as Float32Array;
    for (let o = 0; o < 3; o++) for (let h = 0; h < 2; h++) for (let w = 0; w < 3; w++) for (let i = 0; i < 2; i++) {
      expect(ohwi[((o * 2 + h) * 3 + w) * 2 + i]).toBe(Math.fround(hwio[h]![w]![i]![o]!));
    }
    const fc = g.nodes.find((n) => n.op === 'tfl.FULLY_CONNECTED')!;
    const wt = g.tensors.get(fc.inputs[1]!)!;
    expect(wt.shape).toEqual([4, 4 * 3 * 3]);
    const kn = km.getLayer('d').getWeights()[0]!.arraySync() as number[][];
    const nk = tensorValues(wt) as Float32Array;
    for (let n = 0; n < 4; n++) for (let k = 0; k < 36; k++) expect(nk[n * 36 + k]).toBe(Math.fround(kn[k]![n]!));
    expect(g.tensors.get(g.inputs[0]!)!.shape).toEqual([1, 5, 5, 2]);
  });

  it('an unsupported layer stops the conversion with a report naming it', async () => {
    const x = tf.input({ shape: [4, 4, 2] });
    const y = tf.layers.conv2dTranspose({ filters: 2, kernelSize: 2, name: 'up' }).apply(x) as tf.SymbolicTensor;
    const z = tf.layers.reLU({ name: 'after' }).apply(y) as tf.SymbolicTensor;
    const src = await saveAndRead(tf.model({ inputs: x, outputs: z }));
    const { report } = convertKerasToTflite(src, {});
    expect(report.converted).toBe(false);
    expect(report.unsupported).toEqual([{ op: 'keras.Conv2DTranspose', nodes: ['up'], count: 1, reason: 'no TFLite lowering for this op' }]);
  });

  it('refuses models of other dialects', async () => {
    const { report } = convertKerasToTflite({ format: 'onnx', dialect: 'onnx', name: 'x.onnx', files: [], graphs: [], metadata: {}, opsets: {} }, {});
    expect(report.converted).toBe(false);
  });
});
