/**
 * QuantizeLinear rounds halves to even (ONNX), which TFLite's QUANTIZE does not: the lowering's
 * ties are checked against hand-computed values; DequantizeLinear per axis against the formula.
 */
import { describe, expect, it } from 'vitest';
import { readModel } from '../../formats/registry';
import { writeTflite } from '../../formats/tflite/write';
import { litertAdapter } from '../../runtime/litert';
import { onnxToTfl } from './index';
import { aInt, buildOnnx } from './testdata/onnx-build';

async function run(bytes: Uint8Array, input: { name: string; dtype: 'float32' | 'uint8'; shape: number[]; data: Float32Array | Uint8Array }) {
  const { model, report } = onnxToTfl(await readModel([{ name: 'q.onnx', bytes }]), { keepLayout: true });
  expect(report.unsupported).toEqual([]);
  const lrt = await litertAdapter.load({ bytes: writeTflite(model) }, { backend: 'wasm' });
  const [y] = await lrt.run([input]);
  lrt.dispose();
  return Array.from(y!.data as ArrayLike<number>);
}

describe('QuantizeLinear / DequantizeLinear', () => {
  it('rounds exact halves to even, saturates, adds the zero point', async () => {
    // x / 2 = 0.5, 1.5, 2.5, -0.5, -1.5, 400, -400, 3.2
    const bytes = buildOnnx({
      inputs: [{ name: 'x', shape: [8] }],
      outputs: [{ name: 'y', elemType: 2 }],
      floats: { s: { dims: [], values: [2] } },
      nodes: [{ op: 'QuantizeLinear', inputs: ['x', 's', 'z'], outputs: ['y'] }],
      opset: 13,
      uint8s: { z: { dims: [], values: [128] } },
    });
    const y = await run(bytes, { name: 'x', dtype: 'float32', shape: [8], data: Float32Array.from([1, 3, 5, -1, -3, 800, -800, 6.4]) });
    expect(y).toEqual([128, 130, 130, 128, 126, 255, 0, 131]);
  });

  it('dequantizes per axis', async () => {
    const bytes = buildOnnx({
      inputs: [{ name: 'x', shape: [2, 3], elemType: 2 }],
      outputs: [{ name: 'y' }],
      floats: { s: { dims: [3], values: [0.5, 2, 0.25] } },
      uint8s: { z: { dims: [3], values: [10, 0, 255] } },
      nodes: [{ op: 'DequantizeLinear', inputs: ['x', 's', 'z'], outputs: ['y'], attrs: [aInt('axis', 1)] }],
      opset: 13,
    });
    const x = [0, 1, 2, 10, 200, 255];
    const y = await run(bytes, { name: 'x', dtype: 'uint8', shape: [2, 3], data: Uint8Array.from(x) });
    const s = [0.5, 2, 0.25], z = [10, 0, 255];
    expect(y).toEqual(x.map((v, i) => (v - z[i % 3]!) * s[i % 3]!));
  });
});
