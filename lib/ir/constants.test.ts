import { describe, expect, it } from 'vitest';
import { constantOf, constantProducers } from './constants';
import { nodeDetails } from './details';
import { summarize } from './summary';
import type { Graph, Model, Tensor } from './types';

const f32 = (name: string, shape: number[], values: number[]): Tensor =>
  ({ name, dtype: 'float32', shape, data: new Uint8Array(Float32Array.from(values).buffer), isConstant: true });

/** PP-OCR style: the conv weight comes from a Constant node, the bias is an initializer. */
function graph(): Graph {
  const tensors = new Map<string, Tensor>([
    ['x', { name: 'x', dtype: 'float32', shape: [1, 2, 4, 4] }],
    ['w', { name: 'w', dtype: 'float32', shape: null }],
    ['b', f32('b', [3], [0, 1, 2])],
    ['k', { name: 'k', dtype: 'int64', shape: null }],
    ['y', { name: 'y', dtype: 'float32', shape: [1, 3, 4, 4] }],
    ['out', { name: 'out', dtype: 'float32', shape: null }],
  ]);
  return {
    name: 'g', inputs: ['x'], outputs: ['y', 'out'], tensors,
    nodes: [
      { name: 'Constant_w', op: 'onnx.Constant', inputs: [], outputs: ['w'], attrs: { value: { kind: 'tensor', value: f32('', [3, 2, 1, 1], [1, -1, 0, 0, 2, 4]) } } },
      { name: 'Constant_k', op: 'onnx.Constant', inputs: [], outputs: ['k'], attrs: { value_ints: { kind: 'ints', value: [1, 2] } } },
      { name: 'Conv', op: 'onnx.Conv', inputs: ['x', 'w', 'b'], outputs: ['y'], attrs: {} },
      // A Constant that is itself a graph output stays a node: something must produce the output.
      { name: 'Constant_out', op: 'onnx.Constant', inputs: [], outputs: ['out'], attrs: { value_float: { kind: 'float', value: 3 } } },
    ],
  };
}

const model = (g: Graph): Model => ({ name: 'm.onnx', format: 'onnx', dialect: 'onnx', graphs: [g], files: [], metadata: {}, opsets: {} } as unknown as Model);

describe('constant-holding nodes', () => {
  it('reads every Constant attribute form as a tensor named after the output', () => {
    const g = graph();
    expect(constantOf(g, g.nodes[0]!)?.tensor).toMatchObject({ name: 'w', dtype: 'float32', shape: [3, 2, 1, 1] });
    expect(constantOf(g, g.nodes[1]!)?.tensor).toMatchObject({ name: 'k', dtype: 'int64', shape: [2] });
    expect(constantOf(g, g.nodes[2]!)).toBeNull();
    expect([...constantProducers(g).keys()].sort()).toEqual(['k', 'w']);
  });

  it('counts Constant-node values as parameters, the node count unchanged', () => {
    const s = summarize(model(graph()));
    // b (3) + w (6) + k (2) + out (1)
    expect(s.parameters).toBe(12);
    expect(s.nodeCount).toBe(4);
  });

  it("gives the consumer's inspector the held weight with its statistics", () => {
    const g = graph();
    const d = nodeDetails(g, g.nodes[2]!);
    const w = d.inputs[1]!;
    expect(w).toMatchObject({ name: 'w', constant: true, shape: [3, 2, 1, 1], heldBy: { node: 'Constant_w', op: 'onnx.Constant' } });
    expect(w.stats).toMatchObject({ count: 6, min: -1, max: 4 });
    expect(d.inputs[2]!.heldBy).toBeUndefined();
  });

  it('treats a TFLite DEQUANTIZE of a stored float16 weight as that weight', () => {
    const half = { name: 'w16', dtype: 'float16', shape: [2], data: new Uint8Array([0x00, 0x3c, 0x00, 0xc0]), isConstant: true } as Tensor;
    const g: Graph = {
      name: 'g', inputs: ['x'], outputs: ['y'],
      tensors: new Map<string, Tensor>([['x', { name: 'x', dtype: 'float32', shape: [2] }], ['w16', half], ['w', { name: 'w', dtype: 'float32', shape: [2] }], ['y', { name: 'y', dtype: 'float32', shape: [2] }]]),
      nodes: [
        { name: 'deq', op: 'tfl.DEQUANTIZE', inputs: ['w16'], outputs: ['w'], attrs: {} },
        { name: 'mul', op: 'tfl.MUL', inputs: ['x', 'w'], outputs: ['y'], attrs: {} },
      ],
    };
    const w = nodeDetails(g, g.nodes[1]!).inputs[1]!;
    expect(w).toMatchObject({ dtype: 'float32', heldBy: { node: 'deq' }, storage: { dtype: 'float16' } });
    expect(w.stats).toMatchObject({ min: -2, max: 1 });
    // The stored weight is a constant tensor already: not counted twice.
    expect(summarize(model(g)).parameters).toBe(2);
  });
});
