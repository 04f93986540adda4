import { describe, expect, it } from 'vitest';
import { fashionOnnx, fashionTfl } from '../quantize/test-support';
import { quantize } from '../quantize/index';
import { counterpart } from './counterpart';

describe('counterpart across the ONNX model, its .tflite and a float16 variant', () => {
  it('maps kept names directly and fused or added nodes to their nearest twin', async () => {
    const onnx = (await fashionOnnx()).graphs[0]!;
    const tfl = (await fashionTfl()).graphs[0]!;
    const f16 = quantize(await fashionTfl(), { mode: 'float16' }).model.graphs[0]!;
    expect(counterpart(onnx, tfl, '/conv1/Conv')).toBe('/conv1/Conv');
    // BatchNorm and Relu were fused into the conv that produces them.
    expect(counterpart(onnx, tfl, '/bn1/BatchNormalization')).toBe('/conv1/Conv');
    expect(counterpart(onnx, tfl, '/Relu')).toBe('/conv1/Conv');
    // A weight's DEQUANTIZE in the variant stands for the op that reads it.
    const deq = f16.nodes.find((n) => n.op === 'tfl.DEQUANTIZE' && f16.nodes.some((c) => c.name === '/conv2/Conv' && c.inputs.includes(n.outputs[0]!)))!;
    expect(counterpart(f16, onnx, deq.name)).toBe('/conv2/Conv');
    expect(counterpart(tfl, onnx, '/conv2/Conv')).toBe('/conv2/Conv');
    expect(counterpart(onnx, tfl, 'no such node')).toBeNull();
  });
});
