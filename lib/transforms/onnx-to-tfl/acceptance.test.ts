/**
 * Acceptance: the converted Fashion-MNIST model gives the ONNX original's top-1 on the whole
 * 10,000-image test set (Debian's dataset-fashion-mnist; skipped where it is not installed).
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import * as ort from 'onnxruntime-web';
import { describe, expect, it } from 'vitest';
import { readModel } from '../../formats/registry';
import { writeTflite } from '../../formats/tflite/write';
import { litertAdapter } from '../../runtime/litert';
import { onnxToTfl } from './index';

const TEST_SET = process.env.FASHION_MNIST_DIR ?? '/usr/share/datasets/fashion-mnist';
const images = `${TEST_SET}/t10k-images-idx3-ubyte.gz`;

describe('Fashion-MNIST test set (10,000 images)', () => {
  it('LiteRT.js on the converted model: same top-1 as onnxruntime on every image', async () => {
    const raw = gunzipSync(readFileSync(images));
    // idx3 header: magic 2051, count, rows, cols (big-endian int32s).
    expect(raw.readUInt32BE(0)).toBe(2051);
    const count = raw.readUInt32BE(4);
    expect(count).toBe(10000);
    const pixels = raw.subarray(16);
    const onnxBytes = new Uint8Array(readFileSync('public/models/fashion-mnist-cnn.onnx'));
    const src = await readModel([{ name: 'fashion-mnist-cnn.onnx', bytes: onnxBytes }]);
    const { model, report } = onnxToTfl(src, {});
    expect(report.converted).toBe(true);
    const lrt = await litertAdapter.load({ bytes: writeTflite(model) }, { backend: 'wasm' });
    const session = await ort.InferenceSession.create(onnxBytes, { executionProviders: ['wasm'] });
    let disagree = 0, worst = 0;
    const argmax = (v: Float32Array): number => v.indexOf(Math.max(...v));
    for (let i = 0; i < count; i++) {
      // 1 channel: NCHW and NHWC hold the same bytes.
      const x = Float32Array.from(pixels.subarray(i * 784, (i + 1) * 784), (v) => v / 255);
      const ref = (await session.run({ image: new ort.Tensor('float32', x, [1, 1, 28, 28]) })).logits!.data as Float32Array;
      const got = (await lrt.run([{ name: 'image', dtype: 'float32', shape: [1, 28, 28, 1], data: x }]))[0]!.data as Float32Array;
      if (argmax(ref) !== argmax(got)) disagree++;
      const range = Math.max(...ref) - Math.min(...ref);
      for (let k = 0; k < 10; k++) worst = Math.max(worst, Math.abs(ref[k]! - got[k]!) / range);
    }
    expect(disagree).toBe(0);
    expect(worst).toBeLessThanOrEqual(1e-4);
    lrt.dispose();
    await session.release();
  }, 300_000);
});
