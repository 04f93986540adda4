import { describe, expect, it } from 'vitest';
import { warmUp } from './warm';

describe('warmUp', () => {
  it('opens its tiny ONNX, TFLite and TF.js models through the real pipeline', async () => {
    const [onnx, tflite, tfjs] = await warmUp();
    // ONNX: 4 nodes, the Constant drawn as the conv's weight.
    expect(onnx).toBe('onnx:4:3');
    expect(tflite).toMatch(/^tflite:\d+:\d+$/);
    expect(tfjs).toBe('tfjs-graph:2:2');
  });
});
