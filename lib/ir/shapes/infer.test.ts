/** The inferShapes contract: purity, input overrides, unknown ops, folding, hostile graphs. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readOnnx } from '../../formats/onnx/index';
import type { AttrValue, Dim, Graph, Model, Node, Tensor } from '../types';
import { InputShapeError, inferShapes } from './index';

function int64(name: string, values: number[], shape: Dim[] = [values.length]): Tensor {
  return { name, dtype: 'int64', shape, isConstant: true, data: new Uint8Array(new BigInt64Array(values.map(BigInt)).buffer) };
}

function node(op: string, inputs: string[], outputs: string[], attrs: Record<string, AttrValue> = {}): Node {
  return { name: outputs[0]!, op: `onnx.${op}`, inputs, outputs, attrs };
}

function onnxModel(nodes: Node[], inputs: Tensor[], consts: Tensor[], outputs: string[]): Model {
  const tensors = new Map<string, Tensor>();
  for (const t of [...inputs, ...consts]) tensors.set(t.name, t);
  for (const n of nodes) for (const o of n.outputs) if (!tensors.has(o)) tensors.set(o, { name: o, dtype: 'unknown', shape: null });
  const graph: Graph = { name: 'g', nodes, inputs: inputs.map((t) => t.name), outputs, tensors };
  return { format: 'onnx', dialect: 'onnx', name: 't.onnx', files: [], graphs: [graph], metadata: {}, opsets: { '': 13 } };
}

/** x [batch, 3, 4] -> flatten everything after the batch with a Shape-computed target. */
function shapeChain(): Model {
  return onnxModel([
    node('Shape', ['x'], ['s']),
    node('Gather', ['s', 'zero'], ['b'], { axis: { kind: 'int', value: 0 } }),
    node('Unsqueeze', ['b', 'axes0'], ['b1']),
    node('Concat', ['b1', 'minus1'], ['target'], { axis: { kind: 'int', value: 0 } }),
    node('Reshape', ['x', 'target'], ['y']),
    node('Relu', ['y'], ['z']),
  ], [{ name: 'x', dtype: 'float32', shape: ['batch', 3, 4] }],
  [int64('zero', [0], []), int64('axes0', [0]), int64('minus1', [-1])], ['z']);
}

const get = (m: Model, name: string) => m.graphs[0]!.tensors.get(name)!;

describe('inferShapes', () => {
  it('folds a Shape -> Gather -> Unsqueeze -> Concat -> Reshape chain once the batch is fixed', () => {
    const free = inferShapes(shapeChain());
    // Batch unknown: the reshape target is [?, -1] and only the rank is known.
    expect(get(free.model, 'z').shape).toEqual([null, null]);
    expect(free.report.unknownAfter).toContain('z');
    const fixed = inferShapes(shapeChain(), { inputShapes: { x: [2, 3, 4] } });
    expect(get(fixed.model, 's').shape).toEqual([3]);
    expect(get(fixed.model, 'target').dtype).toBe('int64');
    expect(get(fixed.model, 'z').shape).toEqual([2, 12]);
    expect(get(fixed.model, 'z').dtype).toBe('float32');
    expect(fixed.report.unknownAfter).toEqual([]);
    expect(fixed.report.overridden).toEqual(['x']);
  });

  it('ceil_mode drops a last window that would start past the input and its leading pad', () => {
    const ints = (value: number[]): AttrValue => ({ kind: 'ints', value });
    const pool = (pads: number[]) => inferShapes(onnxModel([node('MaxPool', ['x'], ['y'], {
      kernel_shape: ints([3]), strides: ints([3]), pads: ints(pads), ceil_mode: { kind: 'int', value: 1 },
    })], [{ name: 'x', dtype: 'float32', shape: [1, 1, 5] }], [], ['y'])).model;
    // ceil((5 - 3) / 3) + 1 = 2 windows: the second starts at 3, inside the input.
    expect(get(pool([0, 0]), 'y').shape).toEqual([1, 1, 2]);
    // With a trailing pad of 2, the formula gives 3, but the third would start at 6 >= 5 + 0.
    expect(get(pool([0, 2]), 'y').shape).toEqual([1, 1, 2]);
    // The same total pad in front: the third starts at 6 < 5 + 2 and stays.
    expect(get(pool([2, 0]), 'y').shape).toEqual([1, 1, 3]);
  });

  it('is pure: the input model is unchanged, constants and untouched tensors are shared', () => {
    const m = shapeChain();
    const snapshot = JSON.stringify([...m.graphs[0]!.tensors.values()].map((t) => [t.name, t.dtype, t.shape]));
    const { model } = inferShapes(m, { inputShapes: { x: [2, 3, 4] } });
    expect(JSON.stringify([...m.graphs[0]!.tensors.values()].map((t) => [t.name, t.dtype, t.shape]))).toBe(snapshot);
    expect(model).not.toBe(m);
    expect(model.graphs[0]!.tensors).not.toBe(m.graphs[0]!.tensors);
    expect(get(model, 'zero')).toBe(get(m, 'zero'));
    expect(get(model, 'zero').data).toBe(get(m, 'zero').data);
    expect(model.graphs[0]!.nodes).toBe(m.graphs[0]!.nodes);
  });

  it('rejects overrides the model cannot take, naming the input', () => {
    const m = shapeChain();
    expect(() => inferShapes(m, { inputShapes: { nope: [1] } })).toThrow(InputShapeError);
    expect(() => inferShapes(m, { inputShapes: { nope: [1] } })).toThrow(/"nope".*inputs are "x"/);
    expect(() => inferShapes(m, { inputShapes: { x: [1, 3] } })).toThrow(/rank 2 given.*rank 3/);
    expect(() => inferShapes(m, { inputShapes: { x: [1, 5, 4] } })).toThrow(/dimension 1 is fixed to 3/);
    expect(() => inferShapes(m, { inputShapes: { x: [1.5, 3, 4] } })).toThrow(/whole number/);
    // -1 keeps a dimension as it is.
    expect(get(inferShapes(m, { inputShapes: { x: [-1, 3, 4] } }).model, 'x').shape).toEqual(['batch', 3, 4]);
  });

  it('lets a fixed dimension change when asked, and the file\'s stale shapes give way', () => {
    const m = readOnnx(new Uint8Array(readFileSync('public/models/fashion-mnist-cnn.onnx')), 'fashion-mnist-cnn.onnx');
    expect(() => inferShapes(m, { inputShapes: { image: [4, 1, 28, 28] } })).toThrow(/allowStaticOverride/);
    const { model, report } = inferShapes(m, { inputShapes: { image: [4, 1, 28, 28] }, allowStaticOverride: true });
    expect(report.errors).toEqual([]);
    const g = model.graphs[0]!;
    expect(g.tensors.get(g.outputs[0]!)!.shape).toEqual([4, 10]);
    for (const n of g.nodes) for (const o of n.outputs) expect(g.tensors.get(o)!.shape![0]).toBe(4);
  });

  it('lists unknown ops without throwing, and still resolves fixed symbols past them', () => {
    const m = onnxModel([
      node('Relu', ['x'], ['a']),
      { ...node('FancyOp', ['a'], ['b']), domain: 'com.example', custom: true },
      node('Relu', ['b'], ['c']),
    ], [{ name: 'x', dtype: 'float32', shape: ['n', 8] }], [], ['c']);
    // The file declared b as [n, 8]: fixing n reaches it even though FancyOp has no rule.
    m.graphs[0]!.tensors.set('b', { name: 'b', dtype: 'float32', shape: ['n', 8] });
    const { model, report } = inferShapes(m, { inputShapes: { x: [3, 8] } });
    expect(report.unknownOps).toEqual(['onnx.FancyOp']);
    expect(get(model, 'a').shape).toEqual([3, 8]);
    expect(get(model, 'b').shape).toEqual([3, 8]);
    expect(get(model, 'c').shape).toEqual([3, 8]);
  });

  it('reports a contradiction between a rule and the file instead of throwing', () => {
    const m = onnxModel([node('Relu', ['x'], ['y'])], [{ name: 'x', dtype: 'float32', shape: [2, 3] }], [], ['y']);
    m.graphs[0]!.tensors.set('y', { name: 'y', dtype: 'float32', shape: [2, 5] });
    const { model, report } = inferShapes(m);
    expect(get(model, 'y').shape).toEqual([2, 5]);
    expect(report.errors).toHaveLength(1);
    expect(report.errors[0]!.message).toMatch(/\[2, 3\].*\[2, 5\]/);
    // A rule that cannot apply (bad axis) is reported, not thrown.
    const bad = onnxModel([node('Softmax', ['x'], ['s']), node('Concat', ['x', 'x'], ['c'], { axis: { kind: 'int', value: 7 } })],
      [{ name: 'x', dtype: 'float32', shape: [2, 3] }], [], ['c']);
    expect(inferShapes(bad).report.errors[0]!.message).toMatch(/axis 7 is out of range/);
  });

  it('survives a cyclic graph and keeps going', () => {
    const m = onnxModel([node('Add', ['x', 'b'], ['a']), node('Relu', ['a'], ['b']), node('Relu', ['x'], ['c'])],
      [{ name: 'x', dtype: 'float32', shape: [2] }], [], ['c']);
    const { model } = inferShapes(m);
    expect(get(model, 'c').shape).toEqual([2]);
  });

  it('takes the branch of an If whose condition folds, and the agreeing facts otherwise', () => {
    const branch = (name: string, shape: Dim[]): Graph => ({
      name, nodes: [node('Reshape', ['x', `${name}_s`], [`${name}_out`])], inputs: [], outputs: [`${name}_out`],
      tensors: new Map<string, Tensor>([[`${name}_s`, int64(`${name}_s`, shape as number[])], [`${name}_out`, { name: `${name}_out`, dtype: 'unknown', shape: null }]]),
    });
    const build = (cond: Tensor) => onnxModel([
      node('If', ['cond'], ['y'], { then_branch: { kind: 'graph', value: branch('t', [6, 1]) }, else_branch: { kind: 'graph', value: branch('e', [3, 2]) } }),
    ], cond.isConstant ? [{ name: 'x', dtype: 'float32', shape: [2, 3] }] : [{ name: 'x', dtype: 'float32', shape: [2, 3] }, cond], cond.isConstant ? [cond] : [], ['y']);
    const known = build({ name: 'cond', dtype: 'bool', shape: [], isConstant: true, data: new Uint8Array([0]) });
    expect(get(inferShapes(known).model, 'y').shape).toEqual([3, 2]);
    const unknown = build({ name: 'cond', dtype: 'bool', shape: [] });
    expect(get(inferShapes(unknown).model, 'y').shape).toEqual([null, null]);
    // The nested graphs come back inferred too, in new node objects.
    const out = inferShapes(known).model.graphs[0]!.nodes[0]!;
    const tb = out.attrs.then_branch!;
    expect(tb.kind === 'graph' && tb.value.tensors.get('t_out')!.shape).toEqual([6, 1]);
  });

  it('keeps hostile sizes from allocating: huge shape inputs, ranges and fills stay unevaluated', () => {
    const m = onnxModel([
      node('Reshape', ['x', 'target'], ['r']),
      node('Range', ['start', 'limit', 'delta'], ['range']),
      node('ConstantOfShape', ['big'], ['fill']),
      node('Expand', ['x1', 'big'], ['e']),
    ], [{ name: 'x', dtype: 'float32', shape: [2] }, { name: 'x1', dtype: 'float32', shape: [1] }, { name: 'target', dtype: 'int64', shape: [1e9] }],
    [int64('start', [0], []), int64('limit', [2 ** 40], []), int64('delta', [1], []), int64('big', [1 << 20, 1 << 20, 1 << 20])], ['r']);
    const t0 = Date.now();
    const { model } = inferShapes(m);
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(get(model, 'r').shape).toBeNull();
    expect(get(model, 'range').shape).toEqual([2 ** 40]);
    expect(get(model, 'fill').shape).toEqual([1 << 20, 1 << 20, 1 << 20]);
    expect(get(model, 'e').shape).toEqual([1 << 20, 1 << 20, 1 << 20]);
  });
});
