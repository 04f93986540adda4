/** LiteRT.js reads garbage from a graph output TFLite computed at Prepare (RESHAPE of a constant): see invoke-outputs.ts. */
import { expect, it } from 'vitest';
import { readModel } from '../../formats/registry';
import { writeTflite } from '../../formats/tflite/write';
import { litertAdapter } from '../../runtime/litert';
import { onnxToTfl } from './index';
import { aInt, buildOnnx } from './testdata/onnx-build';

it('graph outputs that are constants (int32 1-D, rank 0, reshaped) read back right in LiteRT.js', async () => {
  const b2 = buildOnnx({
    inputs: [{ name: 'x', shape: [2, 3] }],
    outputs: [{ name: 'y' }, { name: 's', elemType: 6 }, { name: 'n', elemType: 6 }, { name: 'f', elemType: 6 }, { name: 'g' }],
    nodes: [
      { op: 'Constant', inputs: [], outputs: ['a'], attrs: [aInt('value_int', 0)] },
      { op: 'Constant', inputs: [], outputs: ['d'], attrs: [aInt('value_int', 1)] },
      { op: 'Relu', inputs: ['x'], outputs: ['y'] },
      { op: 'Size', inputs: ['x'], outputs: ['s64'] },
      { op: 'Cast', inputs: ['s64'], outputs: ['s1'], attrs: [aInt('to', 6)] },
      { op: 'Range', inputs: ['a', 's1', 'd'], outputs: ['s'] },
      { op: 'Cast', inputs: ['s64'], outputs: ['n'], attrs: [aInt('to', 6)] },
      { op: 'Cast', inputs: ['s64'], outputs: ['f1'], attrs: [aInt('to', 6)] },
      { op: 'Unsqueeze', inputs: ['f1', 'ax'], outputs: ['f'] },
      { op: 'Cast', inputs: ['s64'], outputs: ['g1'], attrs: [aInt('to', 1)] },
      { op: 'Unsqueeze', inputs: ['g1', 'ax'], outputs: ['g'] },
    ],
    int64s: { ax: { dims: [1], values: [0] } },
    opset: 13,
  });
  const { model, report } = onnxToTfl(await readModel([{ name: 'c.onnx', bytes: b2 }]), { keepLayout: true });
  expect(report.unsupported).toEqual([]);
  const lrt = await litertAdapter.load({ bytes: writeTflite(model) }, { backend: 'wasm' });
  const out = await lrt.run([{ name: 'x', dtype: 'float32', shape: [2, 3], data: new Float32Array(6) }]);
  expect(Array.from(out[1]!.data as Int32Array)).toEqual([0, 1, 2, 3, 4, 5]);
  expect(Array.from(out[2]!.data as Int32Array)).toEqual([6]);
  expect(Array.from(out[3]!.data as Int32Array)).toEqual([6]);
  expect(Array.from(out[4]!.data as Float32Array)).toEqual([6]);
});
