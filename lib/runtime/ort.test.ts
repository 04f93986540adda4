import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readTensorProto } from '../formats/onnx';
import type { Tensor } from '../ir/types';
import { halfToFloat } from '../ir/values';
import { hostData } from '../npy';
import { ortAdapter } from './ort';
import type { HostTensor, RuntimeSession } from './types';

const ROOT = path.resolve(__dirname, '..', '..');
const MODELS = path.join(ROOT, 'public', 'models');
const ONNX_TESTS = '/usr/share/libonnx-testdata/data/node';
const bytesOf = (p: string) => new Uint8Array(readFileSync(p));

function hostOf(t: Tensor): HostTensor {
  const shape = (t.shape ?? []).map((d) => (typeof d === 'number' ? d : 0));
  return { name: t.name, dtype: t.dtype, shape, data: hostData(t.dtype, t.data ?? new Uint8Array(0)) };
}

function numbers(t: HostTensor): number[] {
  const out: number[] = [];
  for (let i = 0; i < t.data.length; i++) {
    const v = t.data[i]!;
    out.push(t.dtype === 'float16' ? halfToFloat(v as number) : t.dtype === 'uint32' ? (v as number) >>> 0 : t.dtype === 'uint64' ? Number(BigInt.asUintN(64, v as bigint)) : Number(v));
  }
  return out;
}

describe('ort adapter: Fashion-MNIST sample model', () => {
  const meta = JSON.parse(readFileSync(path.join(MODELS, 'fashion-mnist-cnn.json'), 'utf8')) as {
    input: { name: string }; output: { name: string }; samples: { count: number; predicted: number[] };
  };
  let session: RuntimeSession;

  beforeAll(async () => {
    session = await ortAdapter.load({ bytes: bytesOf(path.join(MODELS, 'fashion-mnist-cnn.onnx')) }, { backend: 'wasm' });
  });
  afterAll(() => session?.dispose());

  it('lists wasm among its backends, and not webgpu in Node', async () => {
    const b = await ortAdapter.availableBackends();
    expect(b).toContain('wasm');
    expect(b).not.toContain('webgpu');
  });

  it('describes inputs and outputs with names, dtypes and shapes', () => {
    expect(session.runtime).toBe('ort');
    expect(session.backend).toBe('wasm');
    expect(session.inputs).toEqual([{ name: meta.input.name, dtype: 'float32', shape: [1, 1, 28, 28] }]);
    expect(session.outputs).toEqual([{ name: meta.output.name, dtype: 'float32', shape: [1, 10] }]);
  });

  it('gives the same top-1 as torch on all 16 samples', async () => {
    const pixels = bytesOf(path.join(MODELS, 'fashion-mnist-samples.bin'));
    expect(pixels.length).toBe(meta.samples.count * 784);
    const top1: number[] = [];
    for (let s = 0; s < meta.samples.count; s++) {
      const data = Float32Array.from(pixels.subarray(s * 784, (s + 1) * 784), (p) => p / 255);
      const [out] = await session.run([{ name: 'image', dtype: 'float32', shape: [1, 1, 28, 28], data }]);
      expect(out!.shape).toEqual([1, 10]);
      const v = Array.from(out!.data as Float32Array);
      top1.push(v.indexOf(Math.max(...v)));
    }
    expect(top1).toEqual(meta.samples.predicted);
  });

  it('names the input when the shape or dtype is wrong, and the count when inputs are missing', async () => {
    await expect(session.run([{ name: 'x', dtype: 'float32', shape: [1, 28, 28], data: new Float32Array(784) }])).rejects.toThrow(/input 'image' wants shape \[1, 1, 28, 28\], got \[1, 28, 28\]/);
    await expect(session.run([{ name: 'x', dtype: 'int32', shape: [1, 1, 28, 28], data: new Int32Array(784) }])).rejects.toThrow(/wants float32, got int32/);
    await expect(session.run([])).rejects.toThrow(/takes 1 input/);
  });
});

describe('ort adapter: libonnx-testdata cases (reference outputs from the ONNX test suite)', () => {
  // Picked for dtype coverage: float, int64 out, bool, float16 out, uint8 quantized, uint32/uint64.
  const cases = [
    'test_conv_with_strides_padding', 'test_gemm_all_attributes', 'test_argmax_default_axis_example', 'test_and2d',
    'test_cast_FLOAT_to_FLOAT16', 'test_qlinearconv', 'test_matmulinteger', 'test_where_long_example',
    'test_mod_uint32', 'test_mod_uint64', 'test_lstm_defaults', 'test_softmax_axis_1',
  ];
  const have = existsSync(ONNX_TESTS);

  for (const c of cases) {
    it(c, async () => {
      const dir = path.join(ONNX_TESTS, c);
      const session = await ortAdapter.load({ bytes: bytesOf(path.join(dir, 'model.onnx')) }, { backend: 'wasm' });
      try {
        const set = path.join(dir, 'test_data_set_0');
        const inputs = session.inputs.map((_, i) => hostOf(readTensorProto(bytesOf(path.join(set, `input_${i}.pb`)), `input_${i}.pb`)));
        const outs = await session.run(inputs);
        expect(outs.length).toBe(session.outputs.length);
        outs.forEach((got, i) => {
          const want = hostOf(readTensorProto(bytesOf(path.join(set, `output_${i}.pb`)), `output_${i}.pb`));
          expect(got.dtype).toBe(want.dtype);
          expect(got.dtype).toBe(session.outputs[i]!.dtype);
          expect(got.shape).toEqual(want.shape);
          expect(got.data.constructor).toBe(want.data.constructor);
          const a = numbers(got), b = numbers(want);
          const range = Math.max(1, ...b.map(Math.abs));
          const tol = /float/.test(want.dtype) ? 1e-4 * range : 0;
          let worst = 0;
          for (let k = 0; k < a.length; k++) worst = Math.max(worst, Math.abs(a[k]! - b[k]!));
          expect(worst, `${c} output ${i} max abs diff`).toBeLessThanOrEqual(tol);
        });
      } finally {
        session.dispose();
      }
    });
  }

  it('refuses bytes that are not a model with a clear error, and an unknown backend', async () => {
    await expect(ortAdapter.load({ bytes: new Uint8Array([1, 2, 3, 4]) }, { backend: 'wasm' })).rejects.toThrow(/onnxruntime-web \(wasm\) could not load the model/);
    await expect(ortAdapter.load({ bytes: new Uint8Array(8) }, { backend: 'webgl' })).rejects.toThrow(/no 'webgl' backend/);
    await expect(ortAdapter.load({ bytes: new Uint8Array(8) }, { backend: 'webgpu' })).rejects.toThrow(/webgpu is not available/);
  });

  it('stops when the signal is already aborted', async () => {
    const ac = new AbortController();
    ac.abort();
    await expect(ortAdapter.load({ bytes: bytesOf(path.join(MODELS, 'fashion-mnist-cnn.onnx')) }, { backend: 'wasm', signal: ac.signal })).rejects.toThrow(/cancelled/);
  });
});
