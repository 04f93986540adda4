/**
 * Graph models built by hand: attribute decoding, multi-output refs, control inputs,
 * signatures, library functions and structural errors.
 */
import { describe, expect, it } from 'vitest';
import type { Model } from '../../ir/types';
import { ModelFormatError } from '../errors';
import { tfjsFormat } from './index';
import { f32Bytes, jsonFile, nums } from './testdata/fixtures';

const b64 = (s: string) => btoa(s);
const shape = (...dims: number[]) => ({ dim: dims.map((d) => ({ size: String(d) })) });

function tinyGraph(extra: Record<string, unknown> = {}) {
  return {
    format: 'graph-model',
    generatedBy: '2.15.0',
    convertedBy: 'TensorFlow.js Converter v4.22.0',
    modelTopology: {
      node: [
        { name: 'x', op: 'Placeholder', attr: { dtype: { type: 'DT_FLOAT' }, shape: { shape: shape(-1, 4) } } },
        { name: 'w', op: 'Const', attr: { dtype: { type: 'DT_FLOAT' }, value: { tensor: { dtype: 'DT_FLOAT', tensorShape: shape(4, 2) } } } },
        { name: 'axis', op: 'Const', attr: { dtype: { type: 'DT_INT32' }, value: { tensor: { dtype: 'DT_INT32', tensorShape: {}, intVal: [1] } } } },
        { name: 'init', op: 'NoOp' },
        {
          name: 'mm', op: '_FusedMatMul', input: ['x', 'w', '^init'], device: '/device:CPU:0',
          attr: {
            T: { type: 'DT_FLOAT' }, transpose_a: { b: false }, epsilon: { f: 0.001 }, num_args: { i: '0' },
            fused_ops: { list: { s: [b64('BiasAdd'), b64('Relu')] } }, strides: { list: { i: ['1', '2', '2', '1'] } },
            padding: { s: b64('SAME') }, blob: { s: b64('\u00ff\u00fe') }, leak: { f: 'NaN' }, ts: { list: { type: ['DT_FLOAT', 'DT_INT32'] } },
            empty: { list: {} }, out: { shape: { dim: [{ size: '-1' }, { size: '2' }] } }, unk: { shape: { unknownRank: true } },
            inline: { tensor: { dtype: 'DT_FLOAT', tensorShape: shape(3), floatVal: [0.5] } },
          },
        },
        { name: 'split', op: 'Split', input: ['axis', 'mm'], attr: { num_split: { i: '2' }, T: { type: 'DT_FLOAT' } } },
        { name: 'a', op: 'Relu', input: ['split:1'], attr: { T: { type: 'DT_FLOAT' } } },
        { name: 'b', op: 'Identity', input: ['split:0'], attr: { T: { type: 'DT_FLOAT' } } },
      ],
      versions: { producer: 1234 },
    },
    weightsManifest: [{ paths: ['group1-shard1of1.bin'], weights: [{ name: 'w', shape: [4, 2], dtype: 'float32' }] }],
    ...extra,
  };
}

const shard = { name: 'group1-shard1of1.bin', bytes: f32Bytes([1, 2, 3, 4, 5, 6, 7, 8]) };

async function read(doc: unknown): Promise<Model> {
  return tfjsFormat.read([jsonFile(doc), shard]);
}

describe('graph model structure', () => {
  it('Const -> constants, Placeholder -> inputs, other nodes -> tf.* nodes with k outputs from usage', async () => {
    const m = await read(tinyGraph());
    expect(m.format).toBe('tfjs-graph');
    expect(m.dialect).toBe('tf');
    const g = m.graphs[0]!;
    expect(g.nodes.map((n) => n.op)).toEqual(['tf.NoOp', 'tf._FusedMatMul', 'tf.Split', 'tf.Relu', 'tf.Identity']);
    expect(g.inputs).toEqual(['x']);
    expect(g.tensors.get('x')).toEqual({ name: 'x', dtype: 'float32', shape: [null, 4] });
    const w = g.tensors.get('w')!;
    expect(w.isConstant).toBe(true);
    expect(nums(w)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    // A Const absent from the manifest keeps its inline value.
    expect(nums(g.tensors.get('axis')!)).toEqual([1]);
    const split = g.nodes.find((n) => n.name === 'split')!;
    expect(split.outputs).toEqual(['split', 'split:1']);
    expect(g.nodes.find((n) => n.name === 'a')!.inputs).toEqual(['split:1']);
    expect(g.nodes.find((n) => n.name === 'b')!.inputs).toEqual(['split']);
    // NoOp has no data outputs; it is consumed by a control edge so it is not a graph output.
    expect(g.nodes.find((n) => n.name === 'init')!.outputs).toEqual([]);
    expect(g.outputs.sort()).toEqual(['a', 'b']);
    expect(g.tensors.get('mm')!.dtype).toBe('float32');
    expect(m.metadata.generatedBy).toBe('2.15.0');
    expect(m.metadata.convertedBy).toContain('v4.22.0');
    expect(m.metadata.graphDefProducer).toBe('1234');
    expect(m.metadata.warnings).toBeUndefined();
  });

  it('decodes every kind of AttrValue', async () => {
    const g = (await read(tinyGraph())).graphs[0]!;
    const mm = g.nodes.find((n) => n.name === 'mm')!;
    expect(mm.inputs).toEqual(['x', 'w']);
    expect(mm.doc).toBe('/device:CPU:0');
    const a = mm.attrs;
    expect(a._control_inputs).toEqual({ kind: 'strings', value: ['init'] });
    expect(a.T).toEqual({ kind: 'dtype', value: 'float32' });
    expect(a.transpose_a).toEqual({ kind: 'bool', value: false });
    expect(a.epsilon).toEqual({ kind: 'float', value: 0.001 });
    expect(a.num_args).toEqual({ kind: 'int', value: 0 });
    expect(a.fused_ops).toEqual({ kind: 'strings', value: ['BiasAdd', 'Relu'] });
    expect(a.strides).toEqual({ kind: 'ints', value: [1, 2, 2, 1] });
    expect(a.padding).toEqual({ kind: 'string', value: 'SAME' });
    expect(a.blob).toEqual({ kind: 'bytes', value: Uint8Array.from([0xff, 0xfe]) });
    expect(a.leak?.kind).toBe('float');
    expect(Number.isNaN((a.leak as { value: number }).value)).toBe(true);
    expect(a.ts).toEqual({ kind: 'json', value: ['float32', 'int32'] });
    expect(a.empty).toEqual({ kind: 'ints', value: [] });
    expect(a.out).toEqual({ kind: 'shape', value: [null, 2] });
    expect(a.unk).toEqual({ kind: 'json', value: { unknownRank: true } });
    const inline = a.inline!;
    expect(inline.kind).toBe('tensor');
    if (inline.kind === 'tensor') {
      expect(inline.value.shape).toEqual([3]);
      expect(nums(inline.value)).toEqual([0.5, 0.5, 0.5]); // TF splat
    }
  });

  it('signature outputs win over unconsumed nodes and name:0 refs map to the node name', async () => {
    const sig = { inputs: { 'x:0': { name: 'x:0', dtype: 'DT_FLOAT' } }, outputs: { 'out_a': { name: 'a:0', dtype: 'DT_FLOAT' }, 'split:1': { name: 'split:1' } } };
    const m = await read(tinyGraph({ signature: sig, userDefinedMetadata: { classes: ['cat'] } }));
    expect(m.graphs[0]!.outputs).toEqual(['a', 'split:1']);
    expect(m.metadata.signature).toContain('out_a');
    expect(m.metadata.userDefinedMetadata).toBe('{"classes":["cat"]}');
  });

  it('a signature naming unknown nodes falls back to unconsumed nodes with a warning', async () => {
    const m = await read(tinyGraph({ signature: { outputs: { y: { name: 'nope:0' } } } }));
    expect(m.graphs[0]!.outputs.sort()).toEqual(['a', 'b']);
    expect(m.metadata.warnings).toContain('signature outputs');
  });

  it('library functions become Model.graphs[1..] and func attrs point at them', async () => {
    const doc = tinyGraph();
    doc.modelTopology.node.push({ name: 'call', op: 'StatefulPartitionedCall', input: ['a'], attr: { f: { func: { name: 'body_fn' } }, Tout: { list: { type: ['DT_FLOAT'] } } } } as never);
    (doc.modelTopology as Record<string, unknown>).library = {
      function: [{
        signature: { name: 'body_fn', inputArg: [{ name: 'in0', type: 'DT_FLOAT' }], outputArg: [{ name: 'out0', type: 'DT_FLOAT' }] },
        nodeDef: [
          { name: 'two', op: 'Const', attr: { value: { tensor: { dtype: 'DT_FLOAT', tensorShape: {}, floatVal: [2] } }, dtype: { type: 'DT_FLOAT' } } },
          { name: 'mul', op: 'Mul', input: ['in0', 'two:output:0'], attr: { T: { type: 'DT_FLOAT' } } },
          { name: 'split', op: 'Unpack', input: ['mul:z:0'], attr: { num: { i: '2' } } },
        ],
        ret: { out0: 'split:output:1' },
      }],
    };
    const m = await read(doc);
    expect(m.graphs.length).toBe(2);
    const call = m.graphs[0]!.nodes.find((n) => n.name === 'call')!;
    expect(call.attrs.f).toEqual({ kind: 'subgraph', value: 1 });
    const fn = m.graphs[1]!;
    expect(fn.name).toBe('body_fn');
    expect(fn.inputs).toEqual(['in0']);
    expect(fn.nodes.map((n) => n.op)).toEqual(['tf.Mul', 'tf.Unpack']);
    expect(fn.nodes[0]!.inputs).toEqual(['in0', 'two']);
    expect(fn.nodes[0]!.outputs).toContain('mul:z:0');
    expect(fn.nodes[1]!.inputs).toEqual(['mul:z:0']);
    expect(fn.outputs).toEqual(['split:output:1']);
    expect(fn.nodes[1]!.outputs).toContain('split:output:1');
    expect(nums(fn.tensors.get('two')!)).toEqual([2]);
    expect(m.metadata.libraryFunctions).toContain('1');
    // The main graph still counts only its own non-Const, non-Placeholder nodes.
    expect(m.graphs[0]!.nodes.length).toBe(6);
  });

  it('weights that match no Const node are kept as constants with a warning', async () => {
    const doc = tinyGraph();
    doc.weightsManifest[0]!.weights.push({ name: 'stray', shape: [1], dtype: 'float32' });
    const m = await tfjsFormat.read([jsonFile(doc), { name: shard.name, bytes: f32Bytes([1, 2, 3, 4, 5, 6, 7, 8, 9]) }]);
    expect(nums(m.graphs[0]!.tensors.get('stray')!)).toEqual([9]);
    expect(m.metadata.warnings).toContain('match no Const node');
  });
});

async function reason(doc: unknown): Promise<string> {
  try {
    await read(doc);
  } catch (e) {
    expect(e).toBeInstanceOf(ModelFormatError);
    return (e as ModelFormatError).reason;
  }
  throw new Error('expected an error');
}

describe('graph model errors name the JSON path', () => {
  it('missing op, wrong types, duplicate names, missing node list', async () => {
    const noOp = tinyGraph();
    delete (noOp.modelTopology.node[3] as Record<string, unknown>).op;
    expect(await reason(noOp)).toBe('modelTopology.node[3].op is missing');

    const badInput = tinyGraph();
    (badInput.modelTopology.node[4] as Record<string, unknown>).input = ['x', 5];
    expect(await reason(badInput)).toBe('modelTopology.node[4].input[1] is a number, expected a string');

    const dup = tinyGraph();
    dup.modelTopology.node[2]!.name = 'w';
    expect(await reason(dup)).toBe('modelTopology.node[2].name "w" is used by two nodes');

    const noNodes = { format: 'graph-model', modelTopology: { versions: {} }, weightsManifest: [] };
    expect(await reason(noNodes)).toBe('modelTopology.node is missing (format says graph-model)');

    const nodeObj = { format: 'graph-model', modelTopology: { node: [null] }, weightsManifest: [] };
    expect(await reason(nodeObj)).toBe('modelTopology.node[0] is null, expected an object');
  });

  it('dangling inputs are tolerated with a warning (no crash)', async () => {
    const doc = tinyGraph();
    doc.modelTopology.node.push({ name: 'z', op: 'Add', input: ['ghost', 'ghost:3'] } as never);
    const m = await read(doc);
    expect(m.graphs[0]!.tensors.get('ghost:3')!.dtype).toBe('unknown');
    expect(m.metadata.warnings).toContain('refer to tensors no node produces');
  });
});

describe('output dtypes and shapes the file leaves implicit', () => {
  it('comparisons give bool whatever their T; a Split read only in part keeps num_split equal parts', async () => {
    const { inferShapes } = await import('../../ir/shapes');
    const doc = {
      format: 'graph-model',
      modelTopology: {
        node: [
          { name: 'x', op: 'Placeholder', attr: { dtype: { type: 'DT_FLOAT' }, shape: { shape: shape(2, 6) } } },
          { name: 'zero', op: 'Const', attr: { dtype: { type: 'DT_FLOAT' }, value: { tensor: { dtype: 'DT_FLOAT', tensorShape: {}, floatVal: [0] } } } },
          { name: 'axis', op: 'Const', attr: { dtype: { type: 'DT_INT32' }, value: { tensor: { dtype: 'DT_INT32', tensorShape: {}, intVal: [1] } } } },
          { name: 'gt', op: 'Greater', input: ['x', 'zero'], attr: { T: { type: 'DT_FLOAT' } } },
          // Three parts, only the first read: each is 2x2, not 2x6.
          { name: 'split', op: 'Split', input: ['axis', 'x'], attr: { num_split: { i: '3' }, T: { type: 'DT_FLOAT' } } },
          { name: 'y', op: 'Relu', input: ['split'], attr: { T: { type: 'DT_FLOAT' } } },
        ],
      },
      weightsManifest: [],
    };
    const m = await tfjsFormat.read([jsonFile(doc)]);
    expect(m.graphs[0]!.tensors.get('gt')!.dtype).toBe('bool');
    const shaped = inferShapes(m).model.graphs[0]!;
    expect(shaped.tensors.get('split')!.shape).toEqual([2, 2]);
    expect(shaped.tensors.get('y')!.shape).toEqual([2, 2]);
  });
});
