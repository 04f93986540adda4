/**
 * The reader against an independent oracle: testdata/expected.json was written by the reference
 * `onnx` python package (testdata/dump.py) from Debian's ONNX test models and TensorProto files.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AttrValue, Graph, Tensor } from '../../ir/types';
import { tensorFloats, tensorValues } from '../../ir/values';
import { onnxDType } from './dtypes';
import { readOnnx, readTensorProto } from './index';

const DATA = '/usr/share/libonnx-testdata/data';
const HERE = path.dirname(new URL(import.meta.url).pathname);

type Num = number | string | boolean | [Num, Num];
interface ExpTensor { name: string; data_type: number; dims: number[]; count: number; values: Array<Num | string>; file?: string }
interface ExpType { kind: string; elem_type?: number; shape?: Array<number | string | null> | null }
interface ExpValueInfo { name: string; type: ExpType }
interface ExpAttr { type: string; value: unknown }
interface ExpNode { name: string; op_type: string; domain: string; inputs: string[]; outputs: string[]; attrs: Record<string, ExpAttr> }
interface ExpGraph { name: string; nodes: ExpNode[]; inputs: ExpValueInfo[]; outputs: ExpValueInfo[]; value_info: ExpValueInfo[]; initializers: ExpTensor[] }
interface ExpModel {
  path: string; ir_version: number; producer_name: string; producer_version: string; domain: string; model_version: number;
  doc_string: string; opsets: Record<string, number>; metadata_props: Record<string, string>; functions: string[];
  graph: ExpGraph; pb_tensors: ExpTensor[];
}
const expected = JSON.parse(readFileSync(path.join(HERE, 'testdata/expected.json'), 'utf8')) as {
  models: ExpModel[];
  typed: ExpTensor[];
};

function num(v: Num): number {
  if (v === 'nan') return NaN;
  if (v === 'inf') return Infinity;
  if (v === '-inf') return -Infinity;
  return Number(v);
}

function unpackStrings(data: Uint8Array): string[] {
  const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const n = dv.getInt32(0, true);
  const dec = new TextDecoder();
  return Array.from({ length: n }, (_, i) =>
    dec.decode(data.subarray(dv.getInt32(4 * (i + 1), true), dv.getInt32(4 * (i + 2), true))));
}

/** Our tensor's values in the oracle's spelling: exact numbers, int strings, bools, strings, pairs. */
function ourValues(t: Tensor): unknown[] {
  const data = t.data!;
  switch (t.dtype) {
    case 'string': return unpackStrings(data);
    case 'bool': return Array.from(data, (b) => b !== 0);
    case 'float32': case 'float64': case 'float16': case 'bfloat16': return Array.from(tensorFloats(t)!);
    case 'complex64': case 'complex128': {
      const c = data.slice();
      const f = t.dtype === 'complex64' ? new Float32Array(c.buffer) : new Float64Array(c.buffer);
      return Array.from({ length: f.length / 2 }, (_, i) => [f[2 * i], f[2 * i + 1]]);
    }
    default: return Array.from(tensorValues(t)! as ArrayLike<number | bigint>, (v) => String(v));
  }
}

function checkTensor(t: Tensor, e: ExpTensor, where: string): void {
  expect(t.name, where).toBe(e.name);
  expect(t.dtype, where).toBe(onnxDType(e.data_type));
  expect(t.shape, where).toEqual(e.dims);
  const ours = ourValues(t);
  expect(ours.length, `${where} element count`).toBe(e.count);
  const want = e.values.map((v) =>
    t.dtype === 'string' || typeof v === 'boolean' ? v
      : Array.isArray(v) ? [num(v[0]), num(v[1])]
        : /^(float|bfloat)/.test(t.dtype) ? num(v) : v);
  expect(ours.slice(0, want.length), `${where} values`).toEqual(want);
}

function checkType(t: Tensor | undefined, v: ExpValueInfo, where: string): void {
  expect(t, `${where}: tensor ${v.name} missing`).toBeDefined();
  if (v.type.kind === 'tensor') {
    expect(t!.dtype, where).toBe(onnxDType(v.type.elem_type!));
    const shape = v.type.shape === null || v.type.shape === undefined ? null : v.type.shape.map((d) => (d === '' ? null : d));
    if (!t!.isConstant) expect(t!.shape, where).toEqual(shape);
  } else {
    expect(t!.doc ?? '', where).toContain(v.type.kind.replace('_type', ''));
    if (v.type.kind !== 'sparse_tensor_type') expect(t!.dtype, where).toBe('unknown');
  }
}

function checkAttr(a: AttrValue | undefined, e: ExpAttr, where: string): void {
  expect(a, where).toBeDefined();
  const v = e.value;
  switch (e.type) {
    case 'FLOAT': expect(a).toEqual({ kind: 'float', value: num(v as Num) }); break;
    case 'INT': expect(a).toEqual({ kind: 'int', value: Number(v) }); break;
    case 'STRING': expect(a).toEqual({ kind: 'string', value: v }); break;
    case 'FLOATS': expect(a).toEqual({ kind: 'floats', value: (v as Num[]).map(num) }); break;
    case 'INTS': expect(a).toEqual({ kind: 'ints', value: (v as string[]).map(Number) }); break;
    case 'STRINGS': expect(a).toEqual({ kind: 'strings', value: v }); break;
    case 'TENSOR': expect(a!.kind).toBe('tensor'); checkTensor(a!.value as Tensor, v as ExpTensor, where); break;
    case 'TENSORS': {
      expect(a!.kind).toBe('tensors');
      const ts = a!.value as Tensor[];
      expect(ts.length).toBe((v as ExpTensor[]).length);
      (v as ExpTensor[]).forEach((x, i) => checkTensor(ts[i]!, x, `${where}[${i}]`));
      break;
    }
    case 'GRAPH': expect(a!.kind).toBe('graph'); checkGraph(a!.value as Graph, v as ExpGraph, where); break;
    case 'GRAPHS': {
      expect(a!.kind).toBe('graphs');
      (v as ExpGraph[]).forEach((g, i) => checkGraph((a!.value as Graph[])[i]!, g, `${where}[${i}]`));
      break;
    }
    case 'SPARSE_TENSOR':
      expect(a).toMatchObject({ kind: 'json', value: { sparseTensor: { dims: (v as { dims: number[] }).dims } } });
      break;
    case 'TYPE_PROTO': expect(a).toMatchObject({ kind: 'json', value: { type: { dtype: onnxDType((v as ExpType).elem_type ?? 0) } } }); break;
    default: throw new Error(`${where}: the oracle has attribute type ${e.type} the test does not know`);
  }
}

function checkGraph(g: Graph, e: ExpGraph, where: string): void {
  expect(g.name, where).toBe(e.name);
  expect(g.nodes.length, `${where} node count`).toBe(e.nodes.length);
  e.nodes.forEach((n, i) => {
    const ours = g.nodes[i]!;
    const at = `${where}.node[${i}]`;
    expect(ours.op, at).toBe(`onnx.${n.op_type}`);
    expect(ours.name, at).toBe(n.name || `${n.op_type}_${i}`);
    expect(ours.domain ?? '', at).toBe(n.domain);
    expect(ours.inputs, at).toEqual(n.inputs);
    expect(ours.outputs, at).toEqual(n.outputs);
    expect(Object.keys(ours.attrs).sort(), at).toEqual(Object.keys(n.attrs).sort());
    for (const [k, a] of Object.entries(n.attrs)) checkAttr(ours.attrs[k], a, `${at}.${k}`);
    for (const x of [...n.inputs, ...n.outputs]) if (x) expect(g.tensors.has(x), `${at} tensor ${x}`).toBe(true);
  });
  const initNames = new Set(e.initializers.map((t) => t.name));
  expect(g.inputs, `${where} inputs`).toEqual(e.inputs.map((v) => v.name).filter((n) => !initNames.has(n)));
  expect(g.outputs, `${where} outputs`).toEqual(e.outputs.map((v) => v.name));
  for (const v of [...e.inputs, ...e.outputs, ...e.value_info]) checkType(g.tensors.get(v.name), v, `${where} ${v.name}`);
  for (const t of e.initializers) {
    const ours = g.tensors.get(t.name)!;
    expect(ours.isConstant, t.name).toBe(true);
    checkTensor(ours, t, `${where} initializer ${t.name}`);
  }
}

describe('ONNX reader vs the onnx python package', () => {
  it('covers a broad sample, control flow and quantized ops', () => {
    const paths = expected.models.map((m) => m.path);
    expect(paths.length).toBeGreaterThanOrEqual(150);
    for (const want of ['test_if/', 'test_loop11/', 'test_scan_sum/', 'test_quantizelinear/', 'test_qlinearconv/', 'test_matmulinteger/']) {
      expect(paths.some((p) => p.includes(want)), want).toBe(true);
    }
  });

  for (const m of expected.models) {
    it(m.path, () => {
      const bytes = new Uint8Array(readFileSync(path.join(DATA, m.path)));
      const model = readOnnx(bytes, 'model.onnx');
      expect(model.metadata.irVersion).toBe(String(m.ir_version));
      expect(model.metadata.producer ?? '').toBe(m.producer_name);
      expect(model.metadata.producerVersion ?? '').toBe(m.producer_version);
      const opsets = Object.fromEntries(Object.entries(m.opsets).map(([k, v]) => [k === 'ai.onnx' ? '' : k, v]));
      expect(model.opsets).toEqual(opsets);
      expect(model.graphs.length).toBe(1);
      checkGraph(model.graphs[0]!, m.graph, 'graph');
      for (const t of m.pb_tensors) {
        const ours = readTensorProto(new Uint8Array(readFileSync(path.join(DATA, t.file!))), t.file!);
        checkTensor(ours, t, t.file!);
      }
    });
  }

  for (const t of expected.typed) {
    it(`typed fields: ${t.file}`, () => {
      const ours = readTensorProto(new Uint8Array(readFileSync(path.join(HERE, 'testdata', t.file!))), t.file!);
      checkTensor(ours, t, t.file!);
    });
  }
});
