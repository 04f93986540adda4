/**
 * Accuracy: the Fashion-MNIST CNN (converted to TFLite) on the whole 10,000-image test set
 * (Debian's dataset-fashion-mnist) in LiteRT.js, float vs 50% magnitude pruning (no retraining).
 * 50% of all weights under one global threshold must stay within 2 points of float, and so must
 * 50% in every layer but the first conv: its 144 weights on one input channel are the network's
 * most sensitive, and halving them alone costs ~30 points (printed, not asserted).
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { writeTflite } from '../formats/tflite/write';
import type { Model } from '../ir/types';
import { litertAdapter } from '../runtime/litert';
import { convertToTflite } from '../transforms/to-tflite';
import { prune, type PruneOptions } from './index';
import { loadFile } from './testing';

const DIR = process.env.FASHION_MNIST_DIR ?? '/usr/share/datasets/fashion-mnist';

function testSet(): { pixels: Uint8Array; labels: Uint8Array; count: number } {
  const images = gunzipSync(readFileSync(`${DIR}/t10k-images-idx3-ubyte.gz`));
  const labels = gunzipSync(readFileSync(`${DIR}/t10k-labels-idx1-ubyte.gz`));
  // idx headers: magic 2051 / 2049, then big-endian counts (and rows, cols for images).
  expect([images.readUInt32BE(0), labels.readUInt32BE(0)]).toEqual([2051, 2049]);
  return { pixels: images.subarray(16), labels: labels.subarray(8), count: images.readUInt32BE(4) };
}

async function accuracy(model: Model, set: ReturnType<typeof testSet>): Promise<number> {
  const s = await litertAdapter.load({ bytes: writeTflite(model) }, { backend: 'wasm' });
  let right = 0;
  try {
    for (let i = 0; i < set.count; i++) {
      const x = Float32Array.from(set.pixels.subarray(i * 784, (i + 1) * 784), (v) => v / 255);
      const y = (await s.run([{ name: 'image', dtype: 'float32', shape: [1, 28, 28, 1], data: x }]))[0]!.data as Float32Array;
      if (y.indexOf(Math.max(...y)) === set.labels[i]) right++;
    }
  } finally {
    s.dispose();
  }
  return (100 * right) / set.count;
}

describe('Fashion-MNIST accuracy after pruning (10,000 test images, LiteRT.js)', () => {
  it('50% magnitude pruning stays within 2 points of float', async () => {
    const set = testSet();
    expect(set.count).toBe(10000);
    const tfl = convertToTflite(await loadFile('public/models/fashion-mnist-cnn.onnx')).model;
    const float = await accuracy(tfl, set);
    const variants: Array<[string, PruneOptions]> = [
      ['50% global', { sparsity: 0.5, scope: 'global' }],
      ['50% per layer, first conv excluded', { sparsity: 0.5, scope: 'layer', exclude: ['/conv1/Conv'] }],
      // Printed, not asserted: each layer at 50% cuts the 144-weight first conv in half.
      ['50% per layer, every layer', { sparsity: 0.5, scope: 'layer' }],
      ['default options (50%)', { sparsity: 0.5 }],
      ['2:4', { pattern: { n: 2, m: 4 } }],
    ];
    const results: Record<string, number> = {};
    for (const [name, options] of variants) {
      const { model, report } = prune(tfl, options);
      // Half the weights, up to groups of 4 smaller than 4 at a layer's end (2:4).
      expect(report.totalZeros / report.totalParams).toBeCloseTo(0.5, 1);
      results[name] = await accuracy(model, set);
    }
    console.log(`Fashion-MNIST top-1: float ${float.toFixed(2)} %; ${Object.entries(results).map(([k, v]) => `${k} ${v.toFixed(2)} %`).join('; ')}`);
    expect(float).toBeCloseTo(89.91, 2);
    expect(results['50% global']!).toBeGreaterThanOrEqual(float - 2);
    expect(results['50% per layer, first conv excluded']!).toBeGreaterThanOrEqual(float - 2);
    expect(results['default options (50%)']!).toBe(results['50% global']!);
  }, 180_000);
});
