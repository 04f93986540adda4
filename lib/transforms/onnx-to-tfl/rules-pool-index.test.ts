/**
 * MaxPool's Indices output in shapes ONNX's node tests do not cover (1-D dilated with
 * ceil_mode, 3-D, SAME_LOWER with column-major indices), in LiteRT.js against onnxruntime-web.
 */
import * as ort from 'onnxruntime-web';
import { describe, expect, it } from 'vitest';
import { readModel } from '../../formats/registry';
import { writeTflite } from '../../formats/tflite/write';
import { litertAdapter } from '../../runtime/litert';
import { onnxToTfl } from './index';
import { aInt, aInts, aString, buildOnnx, seeded } from './testdata/onnx-build';

type Attr = ReturnType<typeof aInt>;

async function check(shape: number[], attrs: Attr[]): Promise<void> {
  const bytes = buildOnnx({
    inputs: [{ name: 'x', shape }],
    outputs: [{ name: 'y' }, { name: 'i', elemType: 7 }],
    nodes: [{ op: 'MaxPool', inputs: ['x'], outputs: ['y', 'i'], attrs }],
    opset: 12,
  });
  const { model, report } = onnxToTfl(await readModel([{ name: 'p.onnx', bytes }]), { keepLayout: true });
  expect(report.unsupported).toEqual([]);
  const data = Float32Array.from(seeded(shape.reduce((a, b) => a * b, 1), 9));
  const session = await ort.InferenceSession.create(bytes, { executionProviders: ['wasm'] });
  const want = await session.run({ x: new ort.Tensor('float32', data, shape) });
  await session.release();
  const lrt = await litertAdapter.load({ bytes: writeTflite(model) }, { backend: 'wasm' });
  const got = await lrt.run([{ name: 'x', dtype: 'float32', shape, data }]);
  lrt.dispose();
  expect(Array.from(got[0]!.data as Float32Array)).toEqual(Array.from(want.y!.data as Float32Array));
  expect(Array.from(got[1]!.data as ArrayLike<number | bigint>, Number)).toEqual(Array.from(want.i!.data as BigInt64Array, Number));
}

describe('MaxPool with indices', () => {
  it('1-D, dilated, ceil_mode, padded', () => check([2, 3, 11], [aInts('kernel_shape', [3]), aInts('strides', [2]), aInts('dilations', [2]), aInts('pads', [1, 1]), aInt('ceil_mode', 1)]));
  it('3-D', () => check([1, 2, 4, 5, 3], [aInts('kernel_shape', [2, 2, 2]), aInts('strides', [2, 1, 1])]));
  it('SAME_LOWER, column-major indices', () => check([1, 2, 5, 6], [aInts('kernel_shape', [3, 2]), aString('auto_pad', 'SAME_LOWER'), aInt('storage_order', 1)]));
});
