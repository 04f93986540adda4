/**
 * Runs the open path (read, shapes, summary, grouping, layout, view) once on tiny ONNX, TFLite
 * and TF.js models, in a model worker that waits for the next drop. V8 compiles functions on
 * their first call, so a fresh worker's first open spends ~40 % of its time compiling; after
 * this the real open runs warm. Nothing here is kept.
 */
import { readModel } from '../formats/registry';
import { writeOnnx } from '../formats/onnx/write';
import { writeTflite } from '../formats/tflite/write';
import type { Model, Tensor } from '../ir/types';
import { onnxToTfl } from '../transforms/onnx-to-tfl/index';
import { Workspace } from './workspace';

const f32 = (name: string, shape: number[], values: number[]): Tensor =>
  ({ name, dtype: 'float32', shape, data: new Uint8Array(Float32Array.from(values).buffer), isConstant: true });

/** x[1,2,4,4] -> Conv (weight from a Constant node) -> Relu -> Add -> y. */
function tinyOnnx(): Model {
  const tensors = new Map<string, Tensor>([
    ['x', { name: 'x', dtype: 'float32', shape: [1, 2, 4, 4] }],
    ['w', { name: 'w', dtype: 'float32', shape: [2, 2, 1, 1] }],
    ['b', f32('b', [2], [0.5, -0.5])],
    ['c', { name: 'c', dtype: 'float32', shape: [1, 2, 4, 4] }],
    ['r', { name: 'r', dtype: 'float32', shape: [1, 2, 4, 4] }],
    ['y', { name: 'y', dtype: 'float32', shape: [1, 2, 4, 4] }],
  ]);
  return {
    format: 'onnx', dialect: 'onnx', name: 'warm.onnx', files: [], metadata: { irVersion: '8' }, opsets: { '': 17 },
    graphs: [{
      name: 'warm', inputs: ['x'], outputs: ['y'], tensors,
      nodes: [
        { name: '/w/Constant', op: 'onnx.Constant', inputs: [], outputs: ['w'], attrs: { value: { kind: 'tensor', value: f32('w', [2, 2, 1, 1], [1, 0, 0, 1]) } } },
        { name: '/block/Conv', op: 'onnx.Conv', inputs: ['x', 'w', 'b'], outputs: ['c'], attrs: { kernel_shape: { kind: 'ints', value: [1, 1] } } },
        { name: '/block/Relu', op: 'onnx.Relu', inputs: ['c'], outputs: ['r'], attrs: {} },
        { name: '/block/Add', op: 'onnx.Add', inputs: ['r', 'x'], outputs: ['y'], attrs: {} },
      ],
    }],
  } as Model;
}

const TFJS = JSON.stringify({
  format: 'graph-model',
  modelTopology: {
    node: [
      { name: 'x', op: 'Placeholder', attr: { dtype: { type: 'DT_FLOAT' }, shape: { shape: { dim: [{ size: '1' }, { size: '4' }] } } } },
      { name: 'w', op: 'Const', attr: { dtype: { type: 'DT_FLOAT' }, value: { tensor: { dtype: 'DT_FLOAT', tensorShape: { dim: [{ size: '4' }] }, floatVal: [1, 2, 3, 4] } } } },
      { name: 'm/mul', op: 'Mul', input: ['x', 'w'], attr: { T: { type: 'DT_FLOAT' } } },
      { name: 'm/relu', op: 'Relu', input: ['m/mul'], attr: { T: { type: 'DT_FLOAT' } } },
    ],
  },
  weightsManifest: [],
});

/** What was opened, as `format:nodes` (for the test; the worker ignores it). */
export async function warmUp(): Promise<string[]> {
  const onnx = tinyOnnx();
  const tflite = onnxToTfl(onnx, {}).model;
  const inputs = [
    { name: 'warm.onnx', bytes: writeOnnx(onnx) },
    { name: 'warm.tflite', bytes: writeTflite(tflite) },
    { name: 'model.json', bytes: new TextEncoder().encode(TFJS) },
  ];
  const opened: string[] = [];
  for (const file of inputs) {
    const model = await readModel([file]);
    const ws = new Workspace(model, [file]);
    const { view } = structuredClone({ summary: ws.original.summary, view: ws.original.view(0), graphs: ws.original.graphList() });
    opened.push(`${ws.original.summary.format}:${ws.original.summary.nodeCount}:${view.view.visibleOps}`);
  }
  return opened;
}
