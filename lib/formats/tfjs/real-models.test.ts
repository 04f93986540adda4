/**
 * Real published TF.js models (MediaPipe/TF Hub graph models shipped in @vladmandic/human, the
 * nsfwjs MobileNetV2 layers model) checked against two independent references: a stdlib-only
 * Python script (testdata/make_expected.py -> expected.json) and tfjs-core's own decodeWeights.
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import type { Model, Tensor } from '../../ir/types';
import { tensorValues } from '../../ir/values';
import { tfjsFormat } from './index';
import { expectedModels, loadFixture } from './testdata/fixtures';

const expected = expectedModels();
const cache = new Map<string, Model>();
async function load(key: string): Promise<Model> {
  let m = cache.get(key);
  if (!m) {
    m = await tfjsFormat.read(loadFixture(key));
    cache.set(key, m);
  }
  return m;
}

function constant(m: Model, name: string): Tensor {
  const t = m.graphs[0]!.tensors.get(name);
  if (!t) throw new Error(`no tensor ${name}`);
  return t;
}

describe('real TF.js models match the Python reference', () => {
  for (const [key, exp] of Object.entries(expected)) {
    it(`${key}: format, node count, ops, inputs, weights`, async () => {
      const files = loadFixture(key);
      expect(tfjsFormat.sniff(files[0]!.bytes.subarray(0, 64 * 1024))).toBe(true);
      const m = await load(key);
      const g = m.graphs[0]!;
      expect(m.format).toBe(exp.kind === 'graph' ? 'tfjs-graph' : 'tfjs-layers');
      expect(m.dialect).toBe(exp.kind === 'graph' ? 'tf' : 'keras');
      expect(g.nodes.length).toBe(exp.nodeCount);
      const ops: Record<string, number> = {};
      for (const n of g.nodes) ops[n.op] = (ops[n.op] ?? 0) + 1;
      expect(ops).toEqual(exp.ops);
      expect(g.inputs.length).toBe(exp.inputCount);
      const consts = [...g.tensors.values()].filter((t) => t.isConstant);
      expect(consts.length).toBe(exp.constCount ?? exp.weightCount);
      expect(consts.filter((t) => t.data).length).toBe(exp.weightCount);
      expect(m.files.length).toBe(files.length);
      // Edges are tensor names: every one a node uses or makes is in the tensor map.
      for (const n of g.nodes) for (const t of [...n.inputs, ...n.outputs]) expect(g.tensors.has(t), `${n.name} -> ${t}`).toBe(true);
      for (const o of g.outputs) expect(g.tensors.has(o)).toBe(true);
      expect(g.outputs.length).toBeGreaterThan(0);
      for (const [kind, s] of Object.entries(exp.samples)) {
        const t = constant(m, s.name);
        const v = tensorValues(t)!;
        expect(t.dtype).toBe('float32');
        expect(s.indices.map((i) => v[i])).toEqual(s.values);
        if (kind === 'float32') expect(t.storage).toBeUndefined();
        else expect(t.storage?.dtype).toBe(kind);
      }
    });
  }
});

describe('real TF.js models against tfjs-core decodeWeights', () => {
  for (const key of ['human/models/handtrack.json', 'human/models/movenet-lightning.json', 'human/models/blazeface.json', 'nsfwjs/mobilenet_v2/model.json']) {
    it(`${key}: every weight equals tf.io.decodeWeights`, async () => {
      const files = loadFixture(key);
      const doc = JSON.parse(new TextDecoder().decode(files[0]!.bytes)) as { weightsManifest: tf.io.WeightsManifestConfig };
      const m = await load(key);
      let checked = 0;
      for (const group of doc.weightsManifest) {
        const buffers = group.paths.map((p) => {
          const f = files.find((x) => x.name === p.split('/').pop())!;
          return f.bytes.buffer.slice(f.bytes.byteOffset, f.bytes.byteOffset + f.bytes.byteLength) as ArrayBuffer;
        });
        const ref = tf.io.decodeWeights(buffers, group.weights);
        for (const spec of group.weights) {
          const want = ref[spec.name]!.dataSync();
          const got = tensorValues(constant(m, spec.name))!;
          expect(got.length, spec.name).toBe(want.length);
          expect(Array.from(got as Float32Array), spec.name).toEqual(Array.from(want as Float32Array));
          expect(constant(m, spec.name).shape).toEqual(spec.shape);
          checked++;
        }
        tf.dispose(Object.values(ref));
      }
      expect(checked).toBeGreaterThan(50);
    });
  }
});

describe('real TF.js model details', () => {
  it('movenet: signature output, input dtype/shape, float16 storage note, Const data from weights', async () => {
    const m = await load('human/models/movenet-lightning.json');
    const g = m.graphs[0]!;
    expect(g.outputs).toEqual(['Identity']);
    const input = g.tensors.get(g.inputs[0]!)!;
    expect(input.dtype).toBe('int32');
    expect(input.shape).toEqual([1, 192, 192, 3]);
    const t = constant(m, 'StatefulPartitionedCall/kpt_offset_0/separable_conv2d_6/separable_conv2d/ReadVariableOp');
    expect(t.storage).toEqual({ dtype: 'float16', detail: expect.stringContaining('float16') });
    expect(m.metadata.format).toBe('graph-model');
    expect(m.metadata.signature).toContain('Identity:0');
  });

  it('blazeface: unquantized float32 weights are views into the single shard (no copy)', async () => {
    const files = loadFixture('human/models/blazeface.json');
    const m = await tfjsFormat.read(files);
    const t = constant(m, 'unknown_135');
    expect(t.data!.buffer).toBe(files[1]!.bytes.buffer);
    expect(m.metadata.userDefinedMetadata).toContain('signature');
  });

  it('handtrack: v1 control flow ops and multi-output refs become nodes with k outputs', async () => {
    const m = await load('human/models/handtrack.json');
    const g = m.graphs[0]!;
    const ops = new Set(g.nodes.map((n) => n.op));
    for (const op of ['tf.Enter', 'tf.Merge', 'tf.Switch', 'tf.NextIteration', 'tf.Exit']) expect(ops.has(op)).toBe(true);
    const multi = g.nodes.filter((n) => n.outputs.length > 1);
    expect(multi.length).toBeGreaterThan(0);
    for (const n of multi) expect(n.outputs[1]).toBe(`${n.name}:1`);
    const uint8 = constant(m, 'StatefulPartitionedCall/Postprocessor/BatchMultiClassNonMaxSuppression/Reshape_3');
    expect(uint8.storage?.detail).toMatch(/^uint8 affine, scale [\d.e-]+, min [\d.e-]+$/);
  });

  it('nsfwjs: Keras layers become nodes with their weights as constant inputs and typed attrs', async () => {
    const m = await load('nsfwjs/mobilenet_v2/model.json');
    const g = m.graphs[0]!;
    const conv = g.nodes.find((n) => n.name === 'Conv1')!;
    expect(conv.op).toBe('keras.Conv2D');
    expect(conv.inputs).toEqual(['Conv1_pad', 'Conv1/kernel']);
    expect(conv.attrs.filters).toEqual({ kind: 'int', value: 32 });
    expect(conv.attrs.kernel_size).toEqual({ kind: 'ints', value: [3, 3] });
    expect(conv.attrs.padding).toEqual({ kind: 'string', value: 'valid' });
    expect(conv.attrs.kernel_initializer?.kind).toBe('json');
    expect(constant(m, 'Conv1/kernel').shape).toEqual([3, 3, 3, 32]);
    const bn = g.nodes.find((n) => n.name === 'bn_Conv1')!;
    expect(bn.inputs.slice(0, 1)).toEqual(['Conv1']);
    expect(bn.inputs.slice(1).sort()).toEqual(['bn_Conv1/beta', 'bn_Conv1/gamma', 'bn_Conv1/moving_mean', 'bn_Conv1/moving_variance']);
    expect(g.inputs).toEqual(['input_1']);
    expect(g.tensors.get('input_1')!.shape).toEqual([null, 224, 224, 3]);
    // Every weight found its layer.
    expect(m.metadata.warnings ?? '').not.toContain('match no layer');
    const add = g.nodes.find((n) => n.op === 'keras.Add')!;
    expect(add.inputs.length).toBe(2);
  });
});
