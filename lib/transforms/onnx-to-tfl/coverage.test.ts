/**
 * The ops added to the converter's reach: grouped Conv, unrolled LSTM / GRU, Constant outputs and
 * silero VAD. onnxruntime-web runs the ONNX original, LiteRT.js the written .tflite; they agree.
 */
import { readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-web';
import { describe, expect, it } from 'vitest';
import { readModel } from '../../formats/registry';
import { writeTflite } from '../../formats/tflite/write';
import type { Model } from '../../ir/types';
import { litertAdapter } from '../../runtime/litert';
import type { HostTensor } from '../../runtime/types';
import { onnxToTfl, type OnnxToTflOptions } from './index';
import { aInt, aInts, aString, buildOnnx, fromNhwc, seeded, toNhwc, type OnnxGraphSpec } from './testdata/onnx-build';


/** Max abs diff over the output's range (1 when the range is 0, e.g. constants). */
function relDiff(a: Float32Array, b: Float32Array): number {
  expect(b.length).toBe(a.length);
  let diff = 0, lo = Infinity, hi = -Infinity;
  for (let j = 0; j < a.length; j++) {
    diff = Math.max(diff, Math.abs(a[j]! - b[j]!));
    lo = Math.min(lo, a[j]!);
    hi = Math.max(hi, a[j]!);
  }
  return diff / Math.max(hi - lo, 1);
}

async function convert(src: Model, options: OnnxToTflOptions = {}): Promise<Model> {
  const { model, report } = onnxToTfl(src, options);
  expect(report.unsupported).toEqual([]);
  expect(report.converted).toBe(true);
  return model;
}

/** Runs a hand-built graph in both runtimes on seeded inputs; returns the worst relative diff. */
async function check(spec: OnnxGraphSpec): Promise<{ model: Model; worst: number }> {
  const bytes = buildOnnx(spec);
  const model = await convert(await readModel([{ name: 'test.onnx', bytes }]));
  const g = model.graphs[0]!;
  const session = await ort.InferenceSession.create(bytes, { executionProviders: ['wasm'] });
  const lrt = await litertAdapter.load({ bytes: writeTflite(model) }, { backend: 'wasm' });
  const feeds: Record<string, ort.Tensor> = {};
  const hosts: HostTensor[] = spec.inputs.map((inp, k) => {
    const shape = inp.shape as number[];
    const x = Float32Array.from(seeded(shape.reduce((a, b) => a * b, 1), 31 + k));
    feeds[inp.name] = new ort.Tensor('float32', x, shape);
    const tshape = g.tensors.get(inp.name)!.shape as number[];
    const nhwc = shape.length === 4 && JSON.stringify(tshape) !== JSON.stringify(shape);
    return { name: inp.name, dtype: 'float32', shape: tshape, data: nhwc ? toNhwc(x, shape) : x };
  });
  const ref = await session.run(feeds);
  const got = await lrt.run(hosts);
  let worst = 0;
  spec.outputs.forEach((o, i) => {
    const r = ref[o.name]!;
    const shape = r.dims as number[];
    let y = got[i]!.data as Float32Array;
    if (shape.length === 4 && JSON.stringify(got[i]!.shape) !== JSON.stringify(shape)) y = fromNhwc(y, shape);
    worst = Math.max(worst, relDiff(r.data as Float32Array, y));
  });
  lrt.dispose();
  await session.release();
  return { model, worst };
}

const f = (dims: number[], seed: number, lo = -1, hi = 1) => ({ dims, values: seeded(dims.reduce((a, b) => a * b, 1), seed, lo, hi) });
const ops = (m: Model): string[] => m.graphs[0]!.nodes.map((n) => n.op);

describe('onnx-to-tfl coverage: grouped conv', () => {
  it('group 2 of 6 channels (3x3, stride 2, pads) runs as SPLIT + CONV_2D per group + CONCATENATION', async () => {
    const { model, worst } = await check({
      inputs: [{ name: 'x', shape: [1, 6, 9, 9] }],
      outputs: [{ name: 'y', shape: [1, 4, 5, 5] }],
      floats: { w: f([4, 3, 3, 3], 5), b: f([4], 6) },
      nodes: [{ op: 'Conv', inputs: ['x', 'w', 'b'], outputs: ['y'], attrs: [aInt('group', 2), aInts('pads', [1, 1, 1, 1]), aInts('strides', [2, 2])] }],
    });
    expect(worst).toBeLessThanOrEqual(1e-4);
    expect(ops(model).filter((o) => o === 'tfl.CONV_2D')).toHaveLength(2);
    expect(ops(model)).toContain('tfl.SPLIT');
  });

  it('group 3 with 2 output channels per group, 1-D', async () => {
    const { worst } = await check({
      inputs: [{ name: 'x', shape: [1, 6, 10] }],
      outputs: [{ name: 'y', shape: [1, 6, 8] }],
      floats: { w: f([6, 2, 3], 7) },
      nodes: [{ op: 'Conv', inputs: ['x', 'w'], outputs: ['y'], attrs: [aInt('group', 3)] }],
    });
    expect(worst).toBeLessThanOrEqual(1e-4);
  });
});

describe('onnx-to-tfl coverage: LSTM / GRU unrolled', () => {
  const H = 5, I = 3, S = 4, B = 2;
  it('LSTM forward, 4 steps, bias, initial h/c as graph inputs, all three outputs', async () => {
    const { model, worst } = await check({
      inputs: [{ name: 'x', shape: [S, B, I] }, { name: 'h0', shape: [1, B, H] }, { name: 'c0', shape: [1, B, H] }],
      outputs: [{ name: 'y', shape: [S, 1, B, H] }, { name: 'yh', shape: [1, B, H] }, { name: 'yc', shape: [1, B, H] }],
      floats: { W: f([1, 4 * H, I], 1), R: f([1, 4 * H, H], 2), Bi: f([1, 8 * H], 3) },
      nodes: [{ op: 'LSTM', inputs: ['x', 'W', 'R', 'Bi', '', 'h0', 'c0'], outputs: ['y', 'yh', 'yc'], attrs: [aInt('hidden_size', H)] }],
    });
    expect(worst).toBeLessThanOrEqual(1e-4);
    expect(ops(model)).not.toContain('onnx.LSTM');
  });

  it('LSTM bidirectional with peepholes, no bias or initial state', async () => {
    const { worst } = await check({
      inputs: [{ name: 'x', shape: [S, B, I] }],
      outputs: [{ name: 'y', shape: [S, 2, B, H] }, { name: 'yh', shape: [2, B, H] }],
      floats: { W: f([2, 4 * H, I], 4), R: f([2, 4 * H, H], 5), P: f([2, 3 * H], 6) },
      nodes: [{ op: 'LSTM', inputs: ['x', 'W', 'R', '', '', '', '', 'P'], outputs: ['y', 'yh'], attrs: [aInt('hidden_size', H), aString('direction', 'bidirectional')] }],
    });
    expect(worst).toBeLessThanOrEqual(1e-4);
  });

  for (const lbr of [0, 1]) {
    it(`GRU linear_before_reset=${lbr}, reverse direction, bias and initial h`, async () => {
      const { worst } = await check({
        inputs: [{ name: 'x', shape: [S, B, I] }, { name: 'h0', shape: [1, B, H] }],
        outputs: [{ name: 'y', shape: [S, 1, B, H] }, { name: 'yh', shape: [1, B, H] }],
        floats: { W: f([1, 3 * H, I], 7), R: f([1, 3 * H, H], 8), Bi: f([1, 6 * H], 9) },
        nodes: [{ op: 'GRU', inputs: ['x', 'W', 'R', 'Bi', '', 'h0'], outputs: ['y', 'yh'], attrs: [aInt('hidden_size', H), aInt('linear_before_reset', lbr), aString('direction', 'reverse')] }],
      });
      expect(worst).toBeLessThanOrEqual(1e-4);
    });
  }

  it('libonnx LSTM / GRU tests feed W and R as graph inputs: reported, not converted', async () => {
    for (const name of ['test_lstm_defaults', 'test_lstm_with_initial_bias', 'test_lstm_with_peepholes', 'test_gru_defaults']) {
      const path = `/usr/share/libonnx-testdata/data/node/${name}/model.onnx`;
      const src = await readModel([{ name: 'model.onnx', bytes: new Uint8Array(readFileSync(path)) }]);
      const { report } = onnxToTfl(src, {});
      expect(report.converted).toBe(false);
      expect(report.unsupported[0]!.reason, name).toMatch(/not a float constant|sequence_lens/);
    }
  });
});

describe('onnx-to-tfl coverage: constant outputs', () => {
  it('libonnx test_constant: the constant output is produced by an op and matches onnxruntime', async () => {
    const dir = '/usr/share/libonnx-testdata/data/node/test_constant';
    const bytes = new Uint8Array(readFileSync(`${dir}/model.onnx`));
    const model = await convert(await readModel([{ name: 'model.onnx', bytes }]));
    const g = model.graphs[0]!;
    expect(g.nodes.some((n) => n.outputs.includes(g.outputs[0]!))).toBe(true);
    const session = await ort.InferenceSession.create(bytes, { executionProviders: ['wasm'] });
    const ref = (await session.run({}))[session.outputNames[0]!]!.data as Float32Array;
    const lrt = await litertAdapter.load({ bytes: writeTflite(model) }, { backend: 'wasm' });
    const [y] = await lrt.run([]);
    expect(Array.from(y!.data as Float32Array)).toEqual(Array.from(ref));
    lrt.dispose();
    await session.release();
  });
});

describe('onnx-to-tfl coverage: silero VAD', () => {
  // The recurrent state goes in as inputs and comes back as outputs: fed back for each step.
  const cases: Array<{ file: string; shapes: Record<string, number[]>; next: Record<string, string> }> = [
    { file: 'silero_vad_legacy.onnx', shapes: { input: [1, 512], h: [2, 1, 64], c: [2, 1, 64] }, next: { h: 'hn', c: 'cn' } },
    { file: 'silero_vad_v5.onnx', shapes: { input: [1, 512], state: [2, 1, 128] }, next: { state: 'stateN' } },
  ];
  for (const k of cases) {
    it(`${k.file}: converts with sr fixed to 16000 and tracks onnxruntime over 6 chained steps`, async () => {
      const bytes = new Uint8Array(readFileSync(`fixtures/third_party/silero-vad/${k.file}`));
      const src = await readModel([{ name: k.file, bytes }]);
      const g0 = src.graphs[0]!;
      // sr is an int64 scalar input (no int64 I/O in LiteRT.js): fixed as a constant, which also
      // folds the 8 kHz / 16 kHz If away.
      const sr = new BigInt64Array([16000n]);
      const fixed: Model = { ...src, graphs: [{ ...g0, inputs: g0.inputs.filter((i) => i !== 'sr'),
        tensors: new Map([...g0.tensors, ['sr', { name: 'sr', dtype: 'int64', shape: [], data: new Uint8Array(sr.buffer), isConstant: true }]]) }, ...src.graphs.slice(1)] };
      const model = await convert(fixed, { inputShapes: k.shapes });
      const g = model.graphs[0]!;
      expect(ops(model).some((o) => o.startsWith('onnx.'))).toBe(false);
      const session = await ort.InferenceSession.create(bytes, { executionProviders: ['wasm'] });
      const lrt = await litertAdapter.load({ bytes: writeTflite(model) }, { backend: 'wasm' });
      const state: Record<string, Float32Array> = {};
      for (const [name, shape] of Object.entries(k.shapes)) state[name] = new Float32Array(shape.reduce((a, b) => a * b, 1));
      let worst = 0;
      for (let step = 0; step < 6; step++) {
        state.input = Float32Array.from(seeded(512, 200 + step, -0.5, 0.5));
        const feeds: Record<string, ort.Tensor> = { sr: new ort.Tensor('int64', sr, []) };
        for (const [name, shape] of Object.entries(k.shapes)) feeds[name] = new ort.Tensor('float32', state[name]!, shape);
        const out = await session.run(feeds);
        const hosts: HostTensor[] = g.inputs.map((name) => ({ name, dtype: 'float32', shape: g.tensors.get(name)!.shape as number[], data: state[name]! }));
        const got = await lrt.run(hosts);
        session.outputNames.forEach((name, i) => {
          expect(g.outputs[i]).toBe(name);
          worst = Math.max(worst, relDiff(out[name]!.data as Float32Array, got[i]!.data as Float32Array));
        });
        for (const [inName, outName] of Object.entries(k.next)) state[inName] = out[outName]!.data as Float32Array;
      }
      expect(worst).toBeLessThanOrEqual(1e-4);
      lrt.dispose();
      await session.release();
    }, 120_000);
  }
});
