/**
 * The accuracy goals on the whole Fashion-MNIST test set (10,000 images, Debian's
 * dataset-fashion-mnist), calibrated on the 500 bundled training images: full int8 within 1
 * point of float and about 4x smaller, float16 within 0.1 point and about 2x smaller, the QDQ
 * .onnx in onnxruntime-web within 0.5 point of the int8 .tflite in LiteRT.js.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import * as ort from 'onnxruntime-web';
import { beforeAll, describe, expect, it } from 'vitest';
import { readIdx } from '../data/idx';
import { writeTflite } from '../formats/tflite/write';
import type { HostTensor } from '../runtime/types';
import { runOn } from '../verify/index';
import { toFloatOutputs, toModelInputs } from './io';
import { makeVariant, type Variant } from './pipeline';
import { argmax, bundledImages, fashionOnnx, fashionSamples, fashionTfl } from './test-support';
import type { Model } from '../ir/types';

const DIR = process.env.FASHION_MNIST_DIR ?? '/usr/share/datasets/fashion-mnist';
const images = readIdx(gunzipSync(readFileSync(path.join(DIR, 't10k-images-idx3-ubyte.gz'))));
const labels = readIdx(gunzipSync(readFileSync(path.join(DIR, 't10k-labels-idx1-ubyte.gz')))).data;
const N = images.dims[0]!;
const pixels = (i: number) => { const d = new Float32Array(784); for (let k = 0; k < 784; k++) d[k] = images.data[i * 784 + k]! / 255; return d; };

async function liteRtAccuracy(bytes: Uint8Array, model: Model): Promise<number> {
  const sets: HostTensor[][] = [];
  for (let i = 0; i < N; i++) sets.push(toModelInputs(model, [{ name: 'image', dtype: 'float32', shape: [1, 28, 28, 1], data: pixels(i) }]));
  const o = await runOn('litert', bytes, sets);
  if (o.status !== 'ran') throw new Error(o.detail);
  let ok = 0;
  o.outputSets.forEach((outs, i) => { if (argmax(toFloatOutputs(model, outs)[0]!.data as Float32Array) === labels[i]) ok++; });
  return ok / N;
}

let src: Model;
let float: Model;
let floatBytes: Uint8Array;
let floatAcc: number;
const cal = bundledImages('calibration');
const variant = (req: Parameters<typeof makeVariant>[1]): Promise<Variant> =>
  makeVariant(src, { ...req, calibration: { samples: fashionSamples(cal, 500), count: 500, description: '500 bundled training images' } });

beforeAll(async () => {
  src = await fashionOnnx();
  float = await fashionTfl();
  floatBytes = writeTflite(float);
  floatAcc = await liteRtAccuracy(floatBytes, float);
}, 120_000);

describe('Fashion-MNIST test set, 10,000 images', () => {
  it('full int8: within 1 point of float, about 4x smaller', async () => {
    const v = await variant({ mode: 'int8', method: { percentile: 99.99 } });
    const acc = await liteRtAccuracy(v.bytes, v.model);
    console.log(`float ${(100 * floatAcc).toFixed(2)}% (${floatBytes.length} B); int8 ${(100 * acc).toFixed(2)}% (${v.bytes.length} B, ${(floatBytes.length / v.bytes.length).toFixed(2)}x smaller)`);
    expect(floatAcc).toBeGreaterThan(0.89);
    expect(floatAcc - acc).toBeLessThanOrEqual(0.01);
    expect(floatBytes.length / v.bytes.length).toBeGreaterThan(3.8);
  }, 180_000);

  it('float16: within 0.1 point of float, about 2x smaller', async () => {
    const v = await variant({ mode: 'float16' });
    const acc = await liteRtAccuracy(v.bytes, v.model);
    console.log(`float16 ${(100 * acc).toFixed(2)}% (${(floatBytes.length / v.bytes.length).toFixed(2)}x smaller)`);
    expect(Math.abs(floatAcc - acc)).toBeLessThanOrEqual(0.001);
    expect(floatBytes.length / v.bytes.length).toBeGreaterThan(1.95);
  }, 180_000);

  it('QDQ .onnx in onnxruntime-web: within 0.5 point of the int8 .tflite in LiteRT.js', async () => {
    const method = { percentile: 99.99 };
    const tfl = await variant({ mode: 'int8', method });
    const qdq = await variant({ mode: 'int8', method, target: 'onnx' });
    const tflAcc = await liteRtAccuracy(tfl.bytes, tfl.model);
    const s = await ort.InferenceSession.create(qdq.bytes, { executionProviders: ['wasm'] });
    let ok = 0;
    for (let i = 0; i < N; i++) {
      const y = (await s.run({ image: new ort.Tensor('float32', pixels(i), [1, 1, 28, 28]) })).logits!.data as Float32Array;
      if (argmax(y) === labels[i]) ok++;
    }
    await s.release();
    console.log(`int8 .tflite (LiteRT.js) ${(100 * tflAcc).toFixed(2)}%; QDQ .onnx (onnxruntime-web) ${(100 * ok / N).toFixed(2)}%`);
    expect(Math.abs(ok / N - tflAcc)).toBeLessThanOrEqual(0.005);
  }, 240_000);
});
