/**
 * ONNX writer on models built by code, as transforms build them (no reader-only fields, fresh
 * Uint8Arrays, no irVersion), up to a 100 MB, 5,000-node model; and the errors that name the
 * model, graph, node, attribute or tensor the writer cannot express.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Graph, Model, Node, Tensor } from '../../ir/types';
import { readOnnx } from './index';
import { writeOnnx } from './write';
import { LIBONNX, modelDiff, qdqModel } from './write-test-helpers';

const utf8 = (s: string) => new TextEncoder().encode(s);

describe('models built by code', () => {
  it('write without reader-only fields and read back as built (plus the ir_version chosen for opset 13)', () => {
    const m = qdqModel();
    const back = readOnnx(writeOnnx(m), 'qdq.onnx');
    expect(back.metadata.irVersion).toBe('7');
    expect(modelDiff({ ...m, metadata: { ...m.metadata, irVersion: '7' } }, back)).toEqual([]);
  });

  it('choose the lowest IR version for the ai.onnx opset', () => {
    const ir = (opset: number) => {
      const m = qdqModel();
      m.opsets[''] = opset;
      return readOnnx(writeOnnx(m), 'x.onnx').metadata.irVersion;
    };
    expect([7, 9, 10, 11, 13, 15, 18, 19, 21, 23].map(ir)).toEqual(['3', '4', '5', '6', '7', '8', '8', '9', '10', '11']);
  });

  it('write a tensor with data as an initializer even without isConstant', () => {
    const m = qdqModel();
    delete m.graphs[0]!.tensors.get('w_q')!.isConstant;
    const w = readOnnx(writeOnnx(m), 'x.onnx').graphs[0]!.tensors.get('w_q')!;
    expect(w).toMatchObject({ isConstant: true, dtype: 'int8', shape: [2, 2, 1, 1] });
    expect(Array.from(new Int8Array(w.data!.slice().buffer))).toEqual([3, -2, 1, 4]);
  });

  it('write bool and dtype attributes as INT, bytes as STRING', () => {
    const m = qdqModel();
    const conv = m.graphs[0]!.nodes.find((n) => n.name === 'conv')!;
    conv.attrs.flag = { kind: 'bool', value: true };
    conv.attrs.to = { kind: 'dtype', value: 'float16' };
    conv.attrs.blob = { kind: 'bytes', value: utf8('raw') };
    const attrs = readOnnx(writeOnnx(m), 'x.onnx').graphs[0]!.nodes.find((n) => n.name === 'conv')!.attrs;
    expect(attrs.flag).toEqual({ kind: 'int', value: 1 });
    expect(attrs.to).toEqual({ kind: 'int', value: 10 });
    expect(attrs.blob).toEqual({ kind: 'string', value: 'raw' });
  });

  it('a 100 MB, 5,000-node model round-trips, its weights read back as views of the written bytes', () => {
    const C = 48;
    const S = 64;
    const tensors = new Map<string, Tensor>();
    const nodes: Node[] = [];
    const act = ['batch', C, S, S];
    let x = 'input';
    tensors.set(x, { name: x, dtype: 'float32', shape: act });
    let seed = 1;
    const weights = (n: number) => {
      const v = new Float32Array(n);
      for (let i = 0; i < n; i++) {
        seed ^= seed << 13;
        seed ^= seed >>> 17;
        seed ^= seed << 5;
        v[i] = (seed >>> 0) / 4294967296 - 0.5;
      }
      return new Uint8Array(v.buffer);
    };
    for (let b = 0; b < 1000; b++) {
      const p = `/blocks.${b}`;
      const w = { name: `blocks.${b}.conv.weight`, dtype: 'float32' as const, shape: [C, C, 3, 3], data: weights(C * C * 9), isConstant: true };
      const mix = { name: `blocks.${b}.mix.weight`, dtype: 'float32' as const, shape: [S, S], data: weights(S * S), isConstant: true };
      tensors.set(w.name, w).set(mix.name, mix);
      const outs = ['conv', 'relu', 'mm', 'add', 'out'].map((o) => `${p}/${o}`);
      for (const o of outs) tensors.set(o, { name: o, dtype: 'float32', shape: act });
      nodes.push(
        { name: `${p}/Conv`, op: 'onnx.Conv', inputs: [x, w.name], outputs: [outs[0]!], attrs: { pads: { kind: 'ints', value: [1, 1, 1, 1] }, group: { kind: 'int', value: 1 } } },
        { name: `${p}/Relu`, op: 'onnx.Relu', inputs: [outs[0]!], outputs: [outs[1]!], attrs: {} },
        { name: `${p}/MatMul`, op: 'onnx.MatMul', inputs: [outs[1]!, mix.name], outputs: [outs[2]!], attrs: {} },
        { name: `${p}/Add`, op: 'onnx.Add', inputs: [outs[2]!, x], outputs: [outs[3]!], attrs: {} },
        { name: `${p}/out/Relu`, op: 'onnx.Relu', inputs: [outs[3]!], outputs: [outs[4]!], attrs: {} },
      );
      x = outs[4]!;
    }
    const m: Model = {
      format: 'onnx', dialect: 'onnx', name: 'big.onnx', files: [], metadata: { irVersion: '8' }, opsets: { '': 17 },
      graphs: [{ name: 'big', nodes, inputs: ['input'], outputs: [x], tensors }],
    };
    const written = writeOnnx(m);
    expect(written.length).toBeGreaterThan(100e6);
    const back = readOnnx(written, 'big.onnx');
    expect(modelDiff(m, back)).toEqual([]);
    expect(back.graphs[0]!.tensors.get('blocks.999.mix.weight')!.data!.buffer).toBe(written.buffer);
  });
});

describe('writer errors name what cannot be written', () => {
  it('a model in another dialect, or with more than one main graph', () => {
    expect(() => writeOnnx({ ...qdqModel(), dialect: 'tfl' })).toThrow(/the model is in the tfl dialect; the ONNX writer writes onnx models only/);
    const m = qdqModel();
    expect(() => writeOnnx({ ...m, graphs: [m.graphs[0]!, m.graphs[0]!] })).toThrow(/one main graph.*this one has 2/);
  });

  it('a node whose op is not onnx.*, with the graph and node', () => {
    const m = qdqModel();
    m.graphs[0]!.nodes[4]!.op = 'tfl.CONV_2D';
    expect(() => writeOnnx(m)).toThrow("graph 'qdq' > node 'conv' (tfl.CONV_2D): the op is not in the onnx dialect (onnx.<op_type>)");
  });

  it('a tensor whose dtype ONNX cannot store, an initializer or deep in a nested graph', () => {
    const m = qdqModel();
    m.graphs[0]!.tensors.get('w_scale')!.dtype = 'resource';
    expect(() => writeOnnx(m)).toThrow("graph 'qdq' > tensor 'w_scale': dtype resource cannot be stored in an ONNX tensor");

    const nested = readOnnx(new Uint8Array(readFileSync(`${LIBONNX}/node/test_if/model.onnx`)), 'test_if.onnx');
    const then = nested.graphs[0]!.nodes[0]!.attrs.then_branch!.value as Graph;
    (then.nodes[0]!.attrs.value!.value as Tensor).dtype = 'variant';
    expect(() => writeOnnx(nested)).toThrow(
      "graph 'test_if' > node 'If_0' (onnx.If) > attribute 'then_branch' > graph 'then_body' > node 'Constant_0' (onnx.Constant) > attribute 'value' > tensor '': dtype variant cannot be stored in an ONNX tensor",
    );
  });

  it('a value_info dtype ONNX has no type for', () => {
    const m = qdqModel();
    m.graphs[0]!.tensors.get('x')!.dtype = 'resource';
    expect(() => writeOnnx(m)).toThrow("graph 'qdq' > input 'x': dtype resource has no ONNX data type");
  });

  it('constants without data, with the wrong byte count, or an unknown shape', () => {
    const cases: Array<[(t: Tensor) => void, RegExp]> = [
      [(t) => { delete t.data; t.doc = 'sparse initializer: 3 stored values'; }, /tensor 'w_q': has no data \(sparse initializer: 3 stored values\); ONNX initializers carry their values/],
      [(t) => { t.data = t.data!.subarray(1); }, /tensor 'w_q': has 3 bytes of data but int8 \[2, 2, 1, 1\] needs 4/],
      [(t) => { t.shape = [2, null, 1, 1]; }, /tensor 'w_q': a constant needs a known shape, this one has \[2, \?, 1, 1\]/],
      [(t) => { t.shape = [4.5]; }, /tensor 'w_q': shape \[4.5\] has dimension 4.5/],
      [(t) => { t.quant = { scale: [1], zeroPoint: [0] }; }, /tensor 'w_q': has TFLite-style quantization parameters/],
    ];
    for (const [edit, message] of cases) {
      const m = qdqModel();
      edit(m.graphs[0]!.tensors.get('w_q')!);
      expect(() => writeOnnx(m)).toThrow(message);
    }
  });

  it('int4 data of the wrong packed size, and malformed string data', () => {
    const m = qdqModel();
    m.graphs[0]!.tensors.set('w4', { name: 'w4', dtype: 'int4', shape: [5], data: new Uint8Array(2), isConstant: true });
    expect(() => writeOnnx(m)).toThrow(/tensor 'w4': has 2 bytes of data but int4 \[5\] needs 3/);
    const s = qdqModel();
    s.graphs[0]!.tensors.set('s', { name: 's', dtype: 'string', shape: [2], data: new Uint8Array(Int32Array.of(1, 12, 13).buffer), isConstant: true });
    expect(() => writeOnnx(s)).toThrow(/tensor 's': string data holds 1 strings but the shape needs 2/);
  });

  it('attributes without an ONNX type, and non-integer ints', () => {
    const cases: Array<[Node['attrs'][string], RegExp]> = [
      [{ kind: 'shape', value: [1, null] }, /attribute 'a': kind 'shape' has no ONNX attribute type/],
      [{ kind: 'subgraph', value: 1 }, /attribute 'a': kind 'subgraph' has no ONNX attribute type/],
      [{ kind: 'json', value: { units: 3 } }, /attribute 'a': json value with keys units has no ONNX attribute type/],
      [{ kind: 'int', value: 1.5 }, /attribute 'a': value 1.5 is not an integer/],
      [{ kind: 'ints', value: [1, NaN] }, /attribute 'a': value NaN is not an integer/],
      [{ kind: 'dtype', value: 'resource' }, /attribute 'a': dtype resource has no ONNX data type/],
    ];
    for (const [attr, message] of cases) {
      const m = qdqModel();
      m.graphs[0]!.nodes[0]!.attrs.a = attr;
      expect(() => writeOnnx(m)).toThrow(message);
    }
  });

  it('graph inputs missing from graph.tensors, and a model with no IR version or ai.onnx opset', () => {
    const m = qdqModel();
    m.graphs[0]!.inputs.push('ghost');
    expect(() => writeOnnx(m)).toThrow("graph 'qdq': graph input 'ghost' is not in graph.tensors");
    expect(() => writeOnnx({ ...qdqModel(), opsets: { 'com.example': 1 } })).toThrow(/metadata.irVersion is not set and there is no ai.onnx opset/);
    expect(() => writeOnnx({ ...qdqModel(), metadata: { irVersion: 'eight' } })).toThrow("metadata.irVersion 'eight' is not a whole number");
  });

  it('a model over 2 GiB, before allocating its bytes', () => {
    const m = qdqModel();
    const block = new Uint8Array(2 ** 28); // shared by every tensor: 256 MiB, mostly never touched
    for (let i = 0; i < 9; i++) m.graphs[0]!.tensors.set(`huge${i}`, { name: `huge${i}`, dtype: 'float32', shape: [2 ** 26], data: block, isConstant: true });
    expect(() => writeOnnx(m)).toThrow(/the model needs 2\.25 GiB; an ONNX file is one protobuf message, limited to 2 GiB, and writing weights as external data is not supported/);
  });
});
