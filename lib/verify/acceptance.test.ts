/**
 * The first acceptance check, cut to the first 300 test images so the suite stays quick:
 * the Fashion-MNIST ONNX converted to .tflite gives onnxruntime's top-1 in LiteRT.js, tfjs-tflite
 * and Arm NN. scripts/verify-fashion-mnist.ts runs the same code on all 10,000.
 */
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkFashionMnist, FASHION_IMAGES } from '../../scripts/verify-fashion-mnist';
import { armnnMissing } from './armnn';
import { tfjsTfliteMissing } from './tfjs-tflite';

describe('Fashion-MNIST acceptance (first 300 test images)', () => {
  it('the three TFLite runtimes are installed', () => {
    expect(tfjsTfliteMissing()).toBeNull();
    expect(armnnMissing()).toBeNull();
  });

  it('converted .tflite: same top-1 as onnxruntime on every image in LiteRT.js, tfjs-tflite and Arm NN', async () => {
    const r = await checkFashionMnist(300);
    expect(r.count).toBe(300);
    // The model is a real classifier (89.9% on the full set): agreement is not agreement on noise.
    expect(r.ortCorrect / r.count).toBeGreaterThan(0.8);
    expect(r.runtimes.map((x) => x.runtime)).toEqual(['litert', 'tfjs-tflite', 'armnn']);
    for (const x of r.runtimes) {
      expect(x.status, `${x.runtime}: ${x.detail}`).toBe('ran');
      expect(x.agree, x.runtime).toBe(300);
      expect(x.correct, x.runtime).toBe(r.ortCorrect);
      expect(x.worstRelDiff, x.runtime).toBeLessThanOrEqual(1e-4);
    }
  }, 180_000);
});
