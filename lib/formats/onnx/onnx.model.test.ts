/**
 * Model-level mapping, checked on files encoded by protobufjs from onnx.proto (an encoder
 * independent of the reader): metadata, opsets, names, custom domains, every attribute kind,
 * nested graphs, progress, cancellation and the plugin surface.
 */
import path from 'node:path';
import protobuf from 'protobufjs';
import { describe, expect, it } from 'vitest';
import type { Graph, Tensor } from '../../ir/types';
import { tensorValues } from '../../ir/values';
import { AbortedError } from '../errors';
import { onnxFormat, readOnnx } from './index';

const HERE = path.dirname(new URL(import.meta.url).pathname);
const root = protobuf.loadSync(path.join(HERE, 'testdata/onnx.proto'));
const ModelProto = root.lookupType('onnx.ModelProto');

const FLOAT = 1;
const INT64 = 7;
const f32 = (xs: number[]) => new Uint8Array(new Float32Array(xs).buffer);
const vi = (name: string, elemType: number, dims: Array<number | string | null>) => ({
  name,
  type: { tensorType: { elemType, shape: { dim: dims.map((d) => (d === null ? {} : typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } } },
});
const encode = (m: object) => ModelProto.encode(ModelProto.fromObject(m)).finish();

const branch = (name: string, op: string) => ({
  name,
  node: [{ opType: op, input: ['x'], output: [`${name}_out`] }],
  output: [vi(`${name}_out`, FLOAT, ['N', 3])],
});

function richModel(): Uint8Array {
  return encode({
    irVersion: 3, producerName: 'unit', producerVersion: '0.1', domain: 'org.test', modelVersion: 7, docString: 'a doc',
    opsetImport: [{ domain: '', version: 13 }, { domain: 'ai.onnx.ml', version: 3 }, { domain: 'com.example', version: 1 }],
    metadataProps: [{ key: 'author', value: 'me' }, { key: 'producer', value: 'collides' }],
    functions: [{ name: 'MyFn', domain: 'com.example', input: ['a'], output: ['b'], node: [{ opType: 'Relu', input: ['a'], output: ['b'] }] }],
    graph: {
      name: 'main',
      input: [
        vi('x', FLOAT, ['N', 3]),
        vi('w', FLOAT, [3]), // IR 3 lists initializers as inputs too
        { name: 's', type: { sequenceType: { elemType: { tensorType: { elemType: INT64 } } } } },
        vi('u', FLOAT, [null, 2]),
      ],
      initializer: [
        { name: 'w', dataType: FLOAT, dims: [3], rawData: f32([0.5, -1, 2]) },
        { name: 'big', dataType: INT64, dims: [3], int64Data: ['-1', '1099511627776', '-9223372036854775808'] },
      ],
      node: [
        { opType: 'Add', input: ['x', 'w'], output: ['a'] },
        { name: 'dup', opType: 'Relu', input: ['a'], output: ['b'], docString: 'first relu' },
        { name: 'dup', opType: 'Relu', input: ['b'], output: ['c'] },
        { name: 'cust', opType: 'MyFn', domain: 'com.example', input: ['c', ''], output: ['d'] },
        { name: 'ml', opType: 'Normalizer', domain: 'ai.onnx.ml', input: ['d'], output: ['e'], attribute: [{ name: 'norm', type: 3, s: new TextEncoder().encode('MAX') }] },
        { name: 'k', opType: 'Constant', output: ['kst'], attribute: [{ name: 'value', type: 4, t: { dataType: FLOAT, dims: [2], floatData: [1.25, -3] } }] },
        {
          name: 'cond', opType: 'If', input: ['flag'], output: ['r'],
          attribute: [{ name: 'then_branch', type: 5, g: branch('then', 'Relu') }, { name: 'else_branch', type: 5, g: branch('else', 'Neg') }],
        },
        {
          name: 'all', opType: 'Custom', domain: 'com.example', input: ['e'], output: ['out'],
          attribute: [
            { name: 'f', type: 1, f: 0.25 },
            { name: 'i_big', type: 2, i: '4611686018427387905' },
            { name: 'i_neg', type: 2, i: -1 },
            { name: 's', type: 3, s: new TextEncoder().encode('héllo') },
            { name: 'floats', type: 6, floats: [1.5, -2] },
            { name: 'ints', type: 7, ints: [1, -2, 3] },
            { name: 'strings', type: 8, strings: [new TextEncoder().encode('a'), new TextEncoder().encode('bc')] },
            { name: 'tensors', type: 9, tensors: [{ dataType: INT64, dims: [1], int64Data: [5] }] },
            { name: 'graphs', type: 10, graphs: [branch('g0', 'Abs')] },
            { name: 'sparse', type: 11, sparseTensor: { dims: [4], values: { dataType: FLOAT, dims: [1], floatData: [9] }, indices: { dataType: INT64, dims: [1], int64Data: [2] } } },
            { name: 'tp', type: 13, tp: { tensorType: { elemType: FLOAT, shape: { dim: [{ dimValue: 2 }] } } } },
            { name: 'untyped', i: 4 }, // IR 1 files may leave `type` out
          ],
        },
      ],
      output: [vi('out', FLOAT, ['N', 3])],
      valueInfo: [vi('a', FLOAT, ['N', 3])],
    },
  });
}

describe('ONNX reader: model mapping', () => {
  const bytes = richModel();
  const m = readOnnx(bytes, 'rich.onnx');
  const g = m.graphs[0]!;
  const byName = (n: string) => g.nodes.find((x) => x.name === n)!;

  it('fills metadata, opsets and the model envelope', () => {
    expect(m).toMatchObject({ format: 'onnx', dialect: 'onnx', name: 'rich.onnx', files: [{ name: 'rich.onnx', bytes: bytes.length }] });
    expect(m.metadata).toMatchObject({
      producer: 'unit', producerVersion: '0.1', irVersion: '3', modelVersion: '7', domain: 'org.test', doc: 'a doc',
      author: 'me', 'metadata_props.producer': 'collides', functions: 'com.example.MyFn',
    });
    expect(m.metadata.notes).toContain('1 model-local function(s)');
    expect(m.opsets).toEqual({ '': 13, 'ai.onnx.ml': 3, 'com.example': 1 });
  });

  it('keeps every node, names unnamed ones and makes names unique', () => {
    expect(g.nodes.map((n) => n.name)).toEqual(['Add_0', 'dup', 'dup_2', 'cust', 'ml', 'k', 'cond', 'all']);
    expect(g.nodes.map((n) => n.op)).toEqual(['onnx.Add', 'onnx.Relu', 'onnx.Relu', 'onnx.MyFn', 'onnx.Normalizer', 'onnx.Constant', 'onnx.If', 'onnx.Custom']);
    expect(byName('dup').doc).toBe('first relu');
  });

  it('marks custom domains only', () => {
    expect(byName('cust')).toMatchObject({ domain: 'com.example', custom: true, inputs: ['c', ''] });
    expect(byName('ml').domain).toBe('ai.onnx.ml');
    expect(byName('ml').custom).toBeUndefined();
    expect(byName('Add_0').domain).toBeUndefined();
  });

  it('separates inputs from initializers and types every tensor a node mentions', () => {
    expect(g.inputs).toEqual(['x', 's', 'u']);
    expect(g.outputs).toEqual(['out']);
    expect(g.tensors.get('x')).toEqual({ name: 'x', dtype: 'float32', shape: ['N', 3] });
    expect(g.tensors.get('u')!.shape).toEqual([null, 2]);
    expect(g.tensors.get('s')).toMatchObject({ dtype: 'unknown', shape: null, doc: 'type: sequence<tensor(int64)>' });
    expect(g.tensors.get('b')).toEqual({ name: 'b', dtype: 'unknown', shape: null });
    expect(g.tensors.has('')).toBe(false);
    for (const n of g.nodes) for (const t of [...n.inputs, ...n.outputs]) if (t) expect(g.tensors.has(t), t).toBe(true);
  });

  it('keeps initializer bytes as views and decodes typed fields exactly', () => {
    const w = g.tensors.get('w')!;
    expect(w.isConstant).toBe(true);
    expect(w.data!.buffer).toBe(bytes.buffer);
    expect(Array.from(tensorValues(w) as Float32Array)).toEqual([0.5, -1, 2]);
    const big = g.tensors.get('big')!;
    expect(Array.from(tensorValues(big) as BigInt64Array)).toEqual([-1n, 1099511627776n, -9223372036854775808n]);
  });

  it('maps every attribute kind', () => {
    const a = byName('all').attrs;
    expect(a.f).toEqual({ kind: 'float', value: 0.25 });
    expect(a.i_big).toEqual({ kind: 'int', value: Number(4611686018427387905n) });
    expect(a.i_neg).toEqual({ kind: 'int', value: -1 });
    expect(a.s).toEqual({ kind: 'string', value: 'héllo' });
    expect(a.floats).toEqual({ kind: 'floats', value: [1.5, -2] });
    expect(a.ints).toEqual({ kind: 'ints', value: [1, -2, 3] });
    expect(a.strings).toEqual({ kind: 'strings', value: ['a', 'bc'] });
    expect(a.tensors!.kind).toBe('tensors');
    expect(Array.from(tensorValues((a.tensors!.value as Tensor[])[0]!) as BigInt64Array)).toEqual([5n]);
    expect(a.graphs!.kind).toBe('graphs');
    expect((a.graphs!.value as Graph[])[0]!.nodes[0]!.op).toBe('onnx.Abs');
    expect(a.sparse).toMatchObject({ kind: 'json', value: { sparseTensor: { dims: [4], values: { dtype: 'float32', shape: [1] }, indices: { dtype: 'int64' } } } });
    expect(a.tp).toEqual({ kind: 'json', value: { type: { type: 'tensor(float32)', dtype: 'float32', shape: [2] } } });
    expect(a.untyped).toEqual({ kind: 'int', value: 4 });
    const k = byName('k').attrs.value!;
    expect(k.kind).toBe('tensor');
    expect(Array.from(tensorValues(k.value as Tensor) as Float32Array)).toEqual([1.25, -3]);
  });

  it('decodes nested graphs and types their outer-scope tensors', () => {
    const then = byName('cond').attrs.then_branch!;
    expect(then.kind).toBe('graph');
    const sub = then.value as Graph;
    expect(sub.name).toBe('then');
    expect(sub.nodes.map((n) => n.op)).toEqual(['onnx.Relu']);
    expect(sub.inputs).toEqual([]);
    expect(sub.tensors.get('x')).toMatchObject({ dtype: 'float32', shape: ['N', 3] });
    expect((byName('cond').attrs.else_branch!.value as Graph).nodes[0]!.op).toBe('onnx.Neg');
  });
});

function chainModel(nodes: number): Uint8Array {
  return encode({
    irVersion: 8, opsetImport: [{ version: 17 }],
    graph: {
      name: 'chain',
      input: [vi('t0', FLOAT, [1, 64])],
      node: Array.from({ length: nodes }, (_, i) => ({ opType: 'Add', input: [`t${i}`, `w${i}`], output: [`t${i + 1}`] })),
      initializer: Array.from({ length: nodes }, (_, i) => ({ name: `w${i}`, dataType: FLOAT, dims: [64], rawData: f32(Array(64).fill(i)) })),
      output: [vi(`t${nodes}`, FLOAT, [1, 64])],
    },
  });
}

describe('ONNX reader: progress, cancellation, plugin', () => {
  const bytes = chainModel(2000);

  it('reports a bounded, increasing progress ending at 1', () => {
    const calls: Array<[number, string]> = [];
    const m = readOnnx(bytes, 'chain.onnx', { onProgress: (f, p) => calls.push([f, p]) });
    expect(m.graphs[0]!.nodes).toHaveLength(2000);
    expect(calls.length).toBeGreaterThan(10);
    expect(calls.length).toBeLessThanOrEqual(51);
    for (let i = 1; i < calls.length; i++) expect(calls[i]![0]).toBeGreaterThanOrEqual(calls[i - 1]![0]);
    expect(calls.at(-1)).toEqual([1, 'done']);
  });

  it('stops when the signal aborts', () => {
    const pre = new AbortController();
    pre.abort();
    expect(() => readOnnx(bytes, 'chain.onnx', { signal: pre.signal })).toThrow(AbortedError);
    const mid = new AbortController();
    let n = 0;
    const read = () => readOnnx(bytes, 'chain.onnx', { signal: mid.signal, onProgress: () => ++n === 3 && mid.abort() });
    expect(read).toThrow(AbortedError);
    expect(n).toBe(3);
  });

  it('exposes the plugin contract', async () => {
    expect(onnxFormat).toMatchObject({ id: 'onnx', label: 'ONNX', extensions: ['.onnx'] });
    expect(onnxFormat.sniff(bytes)).toBe(true);
    const m = await onnxFormat.read([{ name: 'chain.onnx', bytes }]);
    expect(m.graphs[0]!.tensors.get('w1999')!.data!.buffer).toBe(bytes.buffer);
    await expect(onnxFormat.read([{ name: 'x.onnx', bytes: new Uint8Array([1, 2, 3]) }])).rejects.toThrow(/x\.onnx: cannot read as ONNX/);
  });
});
