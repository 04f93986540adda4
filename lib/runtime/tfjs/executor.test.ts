/**
 * The executor's own behaviour on small hand-built graphs, checked against plain arithmetic:
 * ordering, dead code, nested graphs, quantized TFLite tensors, memory, errors and backends.
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import type { Graph, Model, Node, Tensor } from '../../ir/types';
import { tfjsAdapter } from './index';

function f32(name: string, shape: number[], values?: number[]): Tensor {
  const t: Tensor = { name, dtype: 'float32', shape };
  if (values) { t.data = new Uint8Array(Float32Array.from(values).buffer); t.isConstant = true; }
  return t;
}

function graph(nodes: Node[], tensors: Tensor[], inputs: string[], outputs: string[], name = 'main'): Graph {
  return { name, nodes, inputs, outputs, tensors: new Map(tensors.map((t) => [t.name, t])) };
}

function model(dialect: Model['dialect'], graphs: Graph[], opset = 13): Model {
  return {
    format: dialect === 'onnx' ? 'onnx' : dialect === 'tfl' ? 'tflite' : 'tfjs-graph',
    dialect, name: 'test', files: [], graphs, metadata: {}, opsets: dialect === 'onnx' ? { '': opset } : {},
  };
}

const node = (op: string, inputs: string[], outputs: string[], attrs: Node['attrs'] = {}): Node =>
  ({ name: outputs[0] ?? op, op, inputs, outputs, attrs });

const x4 = { name: 'x', dtype: 'float32' as const, shape: [4], data: Float32Array.of(-2, -0.5, 0.25, 3) };

describe('tfjs executor', () => {
  it('runs nodes listed out of dependency order and skips dead ones, even unsupported', async () => {
    const g = graph(
      [
        node('onnx.Mul', ['a', 'two'], ['y']),
        node('onnx.NoSuchOp', ['x'], ['dead']),
        node('onnx.Relu', ['x'], ['a']),
      ],
      [f32('x', [4]), f32('a', [4]), f32('y', [4]), f32('two', [], [2]), f32('dead', [4])],
      ['x'], ['y'],
    );
    const s = await tfjsAdapter.load({ model: model('onnx', [g]) }, { backend: 'cpu' });
    const [y] = await s.run([x4]);
    expect(Array.from(y!.data as Float32Array)).toEqual([0, 0, 0.5, 6]);
    s.dispose();
  });

  it('names every unsupported op at load, with a count', async () => {
    const g = graph(
      [node('onnx.Frobnicate', ['x'], ['a']), node('onnx.Frobnicate', ['a'], ['b']), node('onnx.Relu', ['b'], ['y'])],
      [f32('x', [4]), f32('a', [4]), f32('b', [4]), f32('y', [4])], ['x'], ['y'],
    );
    const before = tf.memory().numTensors;
    await expect(tfjsAdapter.load({ model: model('onnx', [g]) }, { backend: 'cpu' })).rejects.toThrow(/onnx\.Frobnicate x2 \(a, b\)/);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('runs the chosen ONNX If branch, which reads an outer-scope value, without leaking', async () => {
    const branch = (op: string, out: string) => graph([node(op, ['a'], [out])], [f32(out, [4])], [], [out], op);
    const g = graph(
      [
        node('onnx.Neg', ['x'], ['a']),
        node('onnx.ReduceSum', ['x'], ['s'], { keepdims: { kind: 'int', value: 0 } }),
        node('onnx.Greater', ['s', 'zero'], ['c']),
        node('onnx.If', ['c'], ['y'], {
          then_branch: { kind: 'graph', value: branch('onnx.Abs', 'p') },
          else_branch: { kind: 'graph', value: branch('onnx.Exp', 'q') },
        }),
      ],
      [f32('x', [4]), f32('a', [4]), f32('s', []), { name: 'c', dtype: 'bool', shape: [] }, f32('zero', [], [0]), f32('y', [4])],
      ['x'], ['y'],
    );
    const s = await tfjsAdapter.load({ model: model('onnx', [g]) }, { backend: 'cpu' });
    const [pos] = await s.run([x4]); // sum 0.75 > 0: Abs(-x)
    expect(Array.from(pos!.data as Float32Array)).toEqual([2, 0.5, 0.25, 3]);
    const before = tf.memory().numTensors;
    const [neg] = await s.run([{ ...x4, data: Float32Array.of(-1, -1, 0, 1) }]); // sum -1: Exp(-x)
    expect(Array.from(neg!.data as Float32Array)).toEqual([Math.E, Math.E, 1, 1 / Math.E].map(Math.fround));
    expect(tf.memory().numTensors).toBe(before);
    s.dispose();
  });

  it('computes int8 TFLite tensors as dequantize -> float op -> quantize', async () => {
    // y_q = ADD(x_q, k_q), all int8; reference by hand with the TFLite formulas. Power-of-two
    // scales make the rounding ties exact: TFLite rounds half away from zero (tf.round would not).
    const q = (scale: number, zp: number) => ({ scale: [scale], zeroPoint: [zp] });
    const x: Tensor = { name: 'x', dtype: 'int8', shape: [4], quant: q(0.125, 3) };
    const kq = [10, -20, 127, -127];
    const k: Tensor = { name: 'k', dtype: 'int8', shape: [4], quant: q(0.25, -2), isConstant: true, data: new Uint8Array(Int8Array.from(kq).buffer) };
    const y: Tensor = { name: 'y', dtype: 'int8', shape: [4], quant: q(0.5, 1) };
    const g = graph([node('tfl.ADD', ['x', 'k'], ['y'], { fused_activation_function: { kind: 'string', value: 'NONE' } })], [x, k, y], ['x'], ['y']);
    const s = await tfjsAdapter.load({ model: model('tfl', [g]) }, { backend: 'cpu' });
    try {
      expect(s.inputs[0]).toEqual({ name: 'x', dtype: 'int8', shape: [4] });
      const xq = Int8Array.of(-122, 1, 51, 102);
      const [out] = await s.run([{ name: 'x', dtype: 'int8', shape: [4], data: xq }]);
      const scaled = Array.from(xq, (v, i) => (0.125 * (v - 3) + 0.25 * (kq[i]! + 2)) / 0.5);
      expect(scaled.filter((v) => Math.abs(v % 1) === 0.5).length).toBeGreaterThanOrEqual(2);
      const want = scaled.map((v) => Math.min(127, Math.max(-128, Math.sign(v) * Math.floor(Math.abs(v) + 0.5) + 1)));
      expect(out!.dtype).toBe('int8');
      expect(Array.from(out!.data as Int8Array)).toEqual(want);
    } finally {
      s.dispose();
    }
  });

  it('dequantizes float16 weights and runs a TFLite IF subgraph', async () => {
    const half = (v: number[]) => new Uint8Array(Uint16Array.from(v).buffer); // 0x3c00 = 1.0, 0x4000 = 2.0
    const sub = graph([node('tfl.MUL', ['in', 'w'], ['o'], {})], [f32('in', [2]), f32('w', [2]), f32('o', [2])], ['in', 'w'], ['o'], 'then');
    const other = graph([], [f32('in', [2]), f32('w', [2])], ['in', 'w'], ['in'], 'else');
    const g = graph(
      [
        node('tfl.DEQUANTIZE', ['w16'], ['w']),
        node('tfl.IF', ['c', 'x', 'w'], ['y'], { then_subgraph_index: { kind: 'subgraph', value: 1 }, else_subgraph_index: { kind: 'subgraph', value: 2 } }),
      ],
      [{ name: 'w16', dtype: 'float16', shape: [2], isConstant: true, data: half([0x3c00, 0x4000]) }, f32('w', [2]), f32('x', [2]), f32('y', [2]), { name: 'c', dtype: 'bool', shape: [] }],
      ['c', 'x'], ['y'],
    );
    const s = await tfjsAdapter.load({ model: model('tfl', [g, sub, other]) }, { backend: 'cpu' });
    const x = { name: 'x', dtype: 'float32' as const, shape: [2], data: Float32Array.of(3, 5) };
    const [yes] = await s.run([{ name: 'c', dtype: 'bool', shape: [], data: Uint8Array.of(1) }, x]);
    const [no] = await s.run([{ name: 'c', dtype: 'bool', shape: [], data: Uint8Array.of(0) }, x]);
    expect(Array.from(yes!.data as Float32Array)).toEqual([3, 10]);
    expect(Array.from(no!.data as Float32Array)).toEqual([3, 5]);
    s.dispose();
  });

  it('refuses data-dependent shapes that are huge or negative instead of allocating them', async () => {
    const g = graph([node('onnx.ConstantOfShape', ['s'], ['y'])], [{ name: 's', dtype: 'int64', shape: [3] }, f32('y', [])], ['s'], ['y']);
    const s = await tfjsAdapter.load({ model: model('onnx', [g]) }, { backend: 'cpu' });
    const before = tf.memory().numTensors;
    const shape = (v: bigint[]) => [{ name: 's', dtype: 'int64' as const, shape: [3], data: BigInt64Array.from(v) }];
    await expect(s.run(shape([100000n, 100000n, 100000n]))).rejects.toThrow(/over the .* limit/);
    await expect(s.run(shape([2n, -1n, 3n]))).rejects.toThrow(/invalid dimension/);
    expect(tf.memory().numTensors).toBe(before);
    const [ok] = await s.run(shape([2n, 1n, 3n]));
    expect(ok!.shape).toEqual([2, 1, 3]);
    s.dispose();
  });

  it('checks the number of feeds', async () => {
    const g = graph([node('onnx.Relu', ['x'], ['y'])], [f32('x', [4]), f32('y', [4])], ['x'], ['y']);
    const s = await tfjsAdapter.load({ model: model('onnx', [g]) }, { backend: 'cpu' });
    await expect(s.run([])).rejects.toThrow(/expected 1 input/);
    s.dispose();
  });

  it('refuses a model without IR and a dialect it has no table for', async () => {
    await expect(tfjsAdapter.load({ bytes: new Uint8Array(4) }, { backend: 'cpu' })).rejects.toThrow(/needs the model IR/);
    const g = graph([], [f32('x', [1])], ['x'], ['x']);
    // Every IR dialect has a table now; a model from a newer IR (or a corrupt one) may not.
    await expect(tfjsAdapter.load({ model: model('mlir' as Model['dialect'], [g]) }, { backend: 'cpu' })).rejects.toThrow(/mlir dialect is not supported/);
  });
});

describe('tfjs backends in Node', () => {
  it('finds cpu, and neither webgl nor webgpu outside a browser', async () => {
    const list = await tfjsAdapter.availableBackends();
    expect(list).toContain('cpu');
    expect(list).not.toContain('webgl');
    expect(list).not.toContain('webgpu');
  });

  it('rejects a backend that cannot start, saying why', async () => {
    const g = graph([node('onnx.Relu', ['x'], ['y'])], [f32('x', [4]), f32('y', [4])], ['x'], ['y']);
    await expect(tfjsAdapter.load({ model: model('onnx', [g]) }, { backend: 'webgl' })).rejects.toThrow(/not available.*browser only/);
    const list = await tfjsAdapter.availableBackends();
    if (!list.includes('wasm')) {
      await expect(tfjsAdapter.load({ model: model('onnx', [g]) }, { backend: 'wasm' })).rejects.toThrow(/tfjs-backend-wasm/);
    }
  });
});
