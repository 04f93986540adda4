/**
 * The index and scatter rules (rules-index.ts) on small hand-built graphs the ONNX node tests do
 * not cover (ties in TopK, other axes, integer Mod, GatherND batch_dims, scatter reductions with
 * duplicate indices, constant and run-time indices both): converted, run in LiteRT.js, compared
 * with onnxruntime-web exactly (floats to 1e-6). Then ONNX's own node tests for these ops with
 * their index inputs fixed as constants (the conversion-time path), integer ones included.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-web';
import { describe, expect, it } from 'vitest';
import { readOnnx, readTensorProto } from '../../formats/onnx/index';
import { readModel } from '../../formats/registry';
import { len, msg, node, rawTensor, str, valueInfo, vint } from '../../formats/onnx/testdata/wire';
import { writeTflite } from '../../formats/tflite/write';
import type { Tensor } from '../../ir/types';
import { tensorValues } from '../../ir/values';
import { litertAdapter } from '../../runtime/litert';
import type { HostTensor } from '../../runtime/types';
import { compareOutput, NODE_TESTS } from '../../verify/onnx-node-tests';
import { onnxToTfl } from './index';
import { eachIndex } from './rules-index';
import { aInt, aString, seeded, type Attr } from './testdata/onnx-build';

type DT = 'float32' | 'int32' | 'int64';
const ELEM: Record<DT, number> = { float32: 1, int32: 6, int64: 7 };
interface T { name: string; dtype: DT; dims: number[]; values: number[]; init?: boolean }
interface Case { op: string; attrs?: Attr[]; inputs: Array<T | null>; outputs: Array<[string, DT]>; opset?: number }

const typed = (dtype: DT, v: number[]) => (dtype === 'float32' ? Float32Array.from(v) : dtype === 'int32' ? Int32Array.from(v) : BigInt64Array.from(v.map(BigInt)));
const bytes = (dtype: DT, v: number[]) => [...new Uint8Array(typed(dtype, v).buffer)];
const prod = (s: number[]) => s.reduce((a, b) => a * b, 1);

function build(k: Case): Uint8Array {
  const ins = k.inputs.map((t) => t?.name ?? '');
  const fields = [len(1, node(k.op, ins, k.outputs.map(([n]) => n), str(3, 'n'), ...(k.attrs ?? []))), str(2, 'g')];
  for (const t of k.inputs) if (t?.init) fields.push(len(5, rawTensor(t.name, ELEM[t.dtype], t.dims, bytes(t.dtype, t.values))));
  for (const t of k.inputs) if (t && !t.init) fields.push(len(11, valueInfo(t.name, ELEM[t.dtype], t.dims)));
  for (const [n, d] of k.outputs) fields.push(len(12, valueInfo(n, ELEM[d], null)));
  return new Uint8Array(msg(vint(1, 8), str(2, 'index-test'), len(7, msg(...fields)), len(8, msg(str(1, ''), vint(2, k.opset ?? 18)))));
}

/** Converts and runs the case in LiteRT.js, and `ref` (the case itself) in onnxruntime; returns the tfl ops used. */
async function check(k: Case, ref = k): Promise<string[]> {
  const onnx = build(k);
  const { model, report } = onnxToTfl(await readModel([{ name: 'i.onnx', bytes: onnx }]), { keepLayout: true });
  expect(report.unsupported).toEqual([]);
  const feeds = k.inputs.filter((t): t is T => !!t && !t.init);
  const session = await ort.InferenceSession.create(build(ref), { executionProviders: ['wasm'] });
  const want = await session.run(Object.fromEntries(feeds.map((t) => [t.name, new ort.Tensor(t.dtype, typed(t.dtype, t.values), t.dims)])));
  await session.release();
  const lrt = await litertAdapter.load({ bytes: writeTflite(model) }, { backend: 'wasm' });
  const got = await lrt.run(feeds.map((t) => ({ name: t.name, dtype: t.dtype, shape: t.dims, data: typed(t.dtype, t.values) })));
  lrt.dispose();
  k.outputs.forEach(([name], i) => {
    const w = want[name]!, g = got[i]!;
    expect(g.shape, name).toEqual([...w.dims]);
    const a = Array.from(w.data as ArrayLike<number | bigint>, Number), b = Array.from(g.data as ArrayLike<number | bigint>, Number);
    if (w.type !== 'float32') expect(b, name).toEqual(a);
    else a.forEach((v, j) => expect(Math.abs(b[j]! - v), `${name}[${j}]`).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(v))));
  });
  return model.graphs[0]!.nodes.map((n) => n.op);
}

const f = (name: string, dims: number[], values: number[], init = false): T => ({ name, dtype: 'float32', dims, values, init });
const i64 = (name: string, dims: number[], values: number[], init = false): T => ({ name, dtype: 'int64', dims, values, init });
const i32 = (name: string, dims: number[], values: number[], init = false): T => ({ name, dtype: 'int32', dims, values, init });
const rand = (dims: number[], seed: number) => seeded(prod(dims), seed, -3, 3).map((v) => Math.round(v * 4) / 4);

describe('TopK', () => {
  // Quarter steps in [-3, 3): many ties, which must come lower index first.
  const x = f('x', [3, 4, 5], rand([3, 4, 5], 11));
  const topk = (attrs: Attr[], k: number, opset = 18): Case => ({
    op: 'TopK', attrs, opset, inputs: opset < 10 ? [x] : [x, i64('k', [1], [k], true)], outputs: [['values', 'float32'], ['indices', 'int64']],
  });
  it('last axis, ties to the lower index', async () => expect(await check(topk([], 3))).toContain('tfl.TOPK_V2'));
  it('axis 0 and 1, largest and smallest', async () => {
    for (const attrs of [[aInt('axis', 0)], [aInt('axis', 1), aInt('largest', 0)], [aInt('axis', -3), aInt('largest', 0)]]) await check(topk(attrs, 2));
  });
  it('sorted=0 (any order is valid; onnxruntime\'s differs): sorted', async () => {
    await check(topk([aInt('axis', 1), aInt('largest', 0), aInt('sorted', 0)], 3), topk([aInt('axis', 1), aInt('largest', 0)], 3));
  });
  it('k as an attribute (opset 9) and k = the whole axis', async () => {
    await check(topk([aInt('k', 2), aInt('axis', 1)], 2, 9));
    await check(topk([aInt('largest', 0)], 5));
  });
  it('int32 values', async () => {
    await check({ op: 'TopK', inputs: [i32('x', [2, 6], [3, 1, 3, -2, 1, 3, 0, 0, 5, -5, 5, 0]), i64('k', [1], [4], true)], outputs: [['v', 'int32'], ['i', 'int64']], attrs: [aInt('largest', 0)] });
  });
});

describe('OneHot', () => {
  const idx = i64('idx', [2, 3], [0, -1, 4, -5, 7, -6]); // -6 and 7 are out of range: all off
  const vals = (init: boolean) => f('values', [2], [-1, 2.5], init);
  for (const axis of [-1, 0, 1, 2]) {
    it(`axis ${axis}`, async () => {
      await check({ op: 'OneHot', attrs: [aInt('axis', axis)], inputs: [idx, f('depth', [], [5], true), vals(true)], outputs: [['y', 'float32']] });
    });
  }
  it('float indices (a fraction matches nothing, as in onnxruntime and the reference), run-time values', async () => {
    const ops = await check({ op: 'OneHot', inputs: [f('idx', [6], [1.7, -1.2, 0, 3.9, -1, 2]), f('depth', [1], [4], true), vals(false)], outputs: [['y', 'float32']] });
    expect(ops).toContain('tfl.ONE_HOT');
  });
  it('int32 and int64 indices, int32 and int64 values', async () => {
    const ix = [3, -2, 0, 9];
    await check({ op: 'OneHot', inputs: [i32('idx', [2, 2], ix), i32('depth', [], [4], true), vals(true)], outputs: [['y', 'float32']] });
    await check({ op: 'OneHot', inputs: [i64('idx', [2, 2], ix), f('depth', [], [4], true), i32('values', [2], [7, -3], true)], outputs: [['y', 'int32']] });
    await check({ op: 'OneHot', inputs: [i64('idx', [2, 2], ix), i64('depth', [], [4], true), i64('values', [2], [7, -3], true)], outputs: [['y', 'int64']] });
  });
});

describe('EyeLike, Mod', () => {
  it('EyeLike below, on and above the diagonal, with and without dtype', async () => {
    for (const k of [-2, 0, 3]) await check({ op: 'EyeLike', attrs: [aInt('k', k)], inputs: [f('x', [3, 5], rand([3, 5], 1))], outputs: [['y', 'float32']] });
    await check({ op: 'EyeLike', attrs: [aInt('k', 1), aInt('dtype', 7)], inputs: [f('x', [4, 2], rand([4, 2], 2))], outputs: [['y', 'int64']] });
  });
  const a = [-7, -6, -5, -1, 0, 1, 5, 6, 7, 13, -13, 9], b = [3, -3, 2, -2, 5, 4, -4, 3, -5, 5, 6, -9];
  for (const dtype of ['int32', 'int64'] as const) {
    for (const fmod of [0, 1]) {
      it(`${dtype} fmod=${fmod}, elementwise and broadcast`, async () => {
        const t = (name: string, dims: number[], v: number[]): T => ({ name, dtype, dims, values: v });
        await check({ op: 'Mod', attrs: [aInt('fmod', fmod)], inputs: [t('a', [12], a), t('b', [12], b)], outputs: [['y', dtype]] });
        await check({ op: 'Mod', attrs: [aInt('fmod', fmod)], inputs: [t('a', [2, 6], a), t('b', [6], b.slice(0, 6))], outputs: [['y', dtype]] });
      });
    }
  }
  it('float fmod=1, broadcast, exact multiples and fractions', async () => {
    await check({ op: 'Mod', attrs: [aInt('fmod', 1)], inputs: [f('a', [2, 6], [-4.5, 7.25, 6, -6, 0.1, -0.3, 1e6, -3.3, 2.5, 9, -9, 0]), f('b', [6], [1.5, -2, 3, 3, -0.07, 0.2])], outputs: [['y', 'float32']] });
  });
});

describe('GatherND, ReverseSequence', () => {
  const data = f('data', [2, 3, 4], rand([2, 3, 4], 3));
  for (const init of [false, true]) {
    const how = init ? 'constant' : 'run-time';
    it(`GatherND batch_dims 0 and 1, negative ${how} indices`, async () => {
      await check({ op: 'GatherND', inputs: [data, i64('i', [3, 2], [1, -1, 0, 2, -2, 0], init)], outputs: [['y', 'float32']] });
      await check({ op: 'GatherND', inputs: [data, i64('i', [2, 2, 1], [-1, 0, 2, 1], init)], outputs: [['y', 'float32']], attrs: [aInt('batch_dims', 1)] });
      await check({ op: 'GatherND', inputs: [data, i64('i', [2, 2], [-3, 3, 1, -4], init)], outputs: [['y', 'float32']], attrs: [aInt('batch_dims', 1)] });
    });
    it(`ReverseSequence time-major and batch-major, ${how} lengths`, async () => {
      const ops = await check({ op: 'ReverseSequence', inputs: [f('x', [4, 3, 2], rand([4, 3, 2], 4)), i64('lens', [3], [4, 1, 2], init)], outputs: [['y', 'float32']] });
      expect(ops).toContain(init ? 'tfl.GATHER' : 'tfl.REVERSE_SEQUENCE');
      await check({ op: 'ReverseSequence', attrs: [aInt('batch_axis', 0), aInt('time_axis', 1)], inputs: [f('x', [3, 5, 2], rand([3, 5, 2], 5)), i64('lens', [3], [5, 2, 3], init)], outputs: [['y', 'float32']] });
    });
  }
});

describe('ScatterND, ScatterElements', () => {
  const data = f('data', [4, 3, 2], rand([4, 3, 2], 6));
  const nd = (reduction: string, ix: number[], ixDims: number[], init: boolean, updDims: number[]): Case => ({
    op: 'ScatterND', attrs: reduction === 'none' ? [] : [aString('reduction', reduction)],
    inputs: [data, i64('i', ixDims, ix, init), f('u', updDims, rand(updDims, 7))], outputs: [['y', 'float32']],
  });
  it('none: whole slices and single elements, negative indices, constant and run-time', async () => {
    for (const init of [false, true]) {
      await check(nd('none', [2, -4], [2, 1], init, [2, 3, 2]));
      await check(nd('none', [0, 1, 3, -1, -1, 0], [3, 2], init, [3, 2]));
      await check(nd('none', [0, 1, 1, 3, 2, 0, 1, 0, 0], [3, 3], init, [3]));
    }
  });
  it('add with duplicates, constant and run-time', async () => {
    for (const init of [false, true]) await check(nd('add', [1, 2, -3, 1, 0], [5, 1], init, [5, 3, 2]));
  });
  it('mul / max / min with duplicates (constant indices: one round per occurrence)', async () => {
    for (const r of ['mul', 'max', 'min']) {
      await check(nd(r, [1, 2, -3, 1, 1], [5, 1], true, [5, 3, 2]));
      await check(nd(r, [0, 1, 0, 1, 3, 2, 0, 1], [4, 2], true, [4, 2]));
    }
  });
  it('refuses mul with run-time indices by name', async () => {
    const { report } = onnxToTfl(await readModel([{ name: 'i.onnx', bytes: build(nd('mul', [1, 2], [2, 1], false, [2, 3, 2])) }]), { keepLayout: true });
    expect(report.unsupported.map((u) => u.reason)).toEqual([expect.stringMatching(/reduction mul with indices computed at run time/)]);
  });
  /** Indices along `axis` for [2, 3, 2] updates: distinct per target for 'none', with repeats otherwise; some negative. */
  const elIndices = (axis: number, unique: boolean): number[] => {
    const d = [4, 3, 2][axis]!, v: number[] = [];
    eachIndex([2, 3, 2], (p, i) => {
      const other = p.reduce((acc, x, a) => (a === axis ? acc : acc * 3 + x), 0);
      const at = unique ? (p[axis]! + other) % d : (other * 7 + p[axis]! * (other % 2)) % d;
      v.push(i % 3 === 1 ? at - d : at);
    });
    return v;
  };
  const el = (reduction: string, axis: number, init: boolean, opset = 18): Case => ({
    op: opset < 11 ? 'Scatter' : 'ScatterElements', opset, attrs: [aInt('axis', axis), ...(reduction === 'none' ? [] : [aString('reduction', reduction)])],
    inputs: [data, i64('i', [2, 3, 2], elIndices(axis < 0 ? axis + 3 : axis, reduction === 'none'), init), f('u', [2, 3, 2], rand([2, 3, 2], 8))],
    outputs: [['y', 'float32']],
  });
  it('ScatterElements on every axis, constant and run-time indices', async () => {
    for (const init of [false, true]) for (const axis of [0, 1, -1]) await check(el('none', axis, init));
    await check(el('none', 0, true, 10));
  });
  it('ScatterElements reductions with duplicates', async () => {
    for (const axis of [0, 1, 2]) for (const r of ['add', 'mul', 'max', 'min']) await check(el(r, axis, true));
    await check(el('add', 1, false));
  });
});

/** ONNX's node tests for these ops with the index inputs fixed (converted at conversion time). */
describe.skipIf(!existsSync(NODE_TESTS))('node tests, index inputs constant', () => {
  const read = (dir: string, prefix: string): Tensor[] => readdirSync(dir).filter((n) => n.startsWith(prefix)).sort()
    .map((n) => readTensorProto(new Uint8Array(readFileSync(`${dir}/${n}`)), n));
  const cases: Array<[string, number[]]> = [
    ['test_scatternd', [1, 2]], ['test_scatternd_add', [1, 2]], ['test_scatternd_multiply', [1, 2]],
    ['test_scatter_elements_with_axis', [1, 2]], ['test_scatter_elements_with_duplicate_indices', [1, 2]],
    ['test_scatter_elements_with_negative_indices', [1, 2]], ['test_scatter_elements_without_axis', [1, 2]],
    ['test_scatter_with_axis', [1, 2]], ['test_scatter_without_axis', [1, 2]], ['test_gathernd_example_float32', [1]],
    ['test_gathernd_example_int32', [1]], ['test_gathernd_example_int32_batch_dim1', [1]],
    ['test_reversesequence_batch', [1]], ['test_reversesequence_time', [1]], ['test_eyelike_without_dtype', []],
    ['test_mod_broadcast', []], ['test_mod_int64_fmod', []], ['test_mod_mixed_sign_int32', []], ['test_mod_mixed_sign_int64', []],
  ];
  for (const [test, fixed] of cases) {
    it(test, async () => {
      const dir = `${NODE_TESTS}/${test}`;
      const m = readOnnx(new Uint8Array(readFileSync(`${dir}/model.onnx`)), 'model.onnx');
      const g = m.graphs[0]!, inputs = read(`${dir}/test_data_set_0`, 'input_'), expected = read(`${dir}/test_data_set_0`, 'output_');
      const values = Object.fromEntries(fixed.map((i) => [g.inputs[i]!, inputs[i]!]));
      const { model, report } = onnxToTfl(m, { keepLayout: true, inputValues: values });
      expect(report.unsupported).toEqual([]);
      const lrt = await litertAdapter.load({ bytes: writeTflite(model) }, { backend: 'wasm' });
      const feeds = g.inputs.map((name, i): HostTensor | null => (fixed.includes(i) ? null
        : { name, dtype: inputs[i]!.dtype, shape: inputs[i]!.shape as number[], data: tensorValues(inputs[i]!) as HostTensor['data'] }));
      const got = await lrt.run(feeds.filter((x): x is HostTensor => !!x));
      lrt.dispose();
      expected.forEach((w, i) => expect(compareOutput(i, w, got[i]!, 1e-6)).toBe(''));
    });
  }
});
