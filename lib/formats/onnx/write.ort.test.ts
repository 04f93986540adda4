/**
 * The ONNX writer's bytes in onnxruntime-web: the same outputs, bit for bit, as the original
 * bytes on the libonnx-testdata tests' own input_N.pb files and on the ONNX fixtures with seeded
 * random inputs; models built by code (QDQ, int4 / uint4 weights) give the numbers worked out by
 * hand below.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import * as ort from 'onnxruntime-web';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Model, Node, Tensor } from '../../ir/types';
import { randomHostTensor } from '../../runtime/host-tensor';
import { readOnnx, readTensorProto } from './index';
import { writeOnnx } from './write';
import { LIBONNX, f32, fixtureModels, libonnxModels, qdqModel } from './write-test-helpers';

const bytesOf = (p: string) => new Uint8Array(readFileSync(p));

beforeAll(() => {
  ort.env.wasm.numThreads = 1;
  ort.env.logLevel = 'error';
});

async function run(bytes: Uint8Array, feeds: Record<string, ort.Tensor>): Promise<Record<string, ort.Tensor>> {
  const s = await ort.InferenceSession.create(bytes, { executionProviders: ['wasm'] });
  try {
    return await s.run(feeds);
  } finally {
    await s.release();
  }
}

function strings(data: Uint8Array): string[] {
  if (data.length === 0) return [];
  const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const dec = new TextDecoder();
  return Array.from({ length: dv.getInt32(0, true) }, (_, i) => dec.decode(data.subarray(dv.getInt32(4 * (i + 1), true), dv.getInt32(4 * (i + 2), true))));
}

const ARRAYS: Partial<Record<Tensor['dtype'], new (b: ArrayBuffer) => ArrayBufferView>> = {
  float32: Float32Array, float64: Float64Array, int32: Int32Array, uint32: Uint32Array, int64: BigInt64Array, uint64: BigUint64Array,
  int16: Int16Array, uint16: Uint16Array, float16: Uint16Array, int8: Int8Array, uint8: Uint8Array, bool: Uint8Array,
};

/** An IR tensor (from a .pb file) as an ort.Tensor, or null for dtypes ORT's JS tensors lack. */
function ortTensor(t: Tensor): ort.Tensor | null {
  const shape = (t.shape ?? []) as number[];
  if (t.dtype === 'string') return new ort.Tensor('string', strings(t.data!), shape);
  const Arr = ARRAYS[t.dtype];
  return Arr ? new ort.Tensor(t.dtype as 'float32', new Arr(t.data!.slice().buffer) as Float32Array, shape) : null;
}

/** Output names whose type, dims or bits differ between two runs. */
function differing(a: Record<string, ort.Tensor>, b: Record<string, ort.Tensor>): string[] {
  const names = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...names].filter((k) => {
    const x = a[k];
    const y = b[k];
    if (!x || !y || x.type !== y.type || x.dims.join() !== y.dims.join()) return true;
    if (x.type === 'string') return JSON.stringify(x.data) !== JSON.stringify(y.data);
    const u = x.data as ArrayBufferView;
    const v = y.data as ArrayBufferView;
    return !Buffer.from(u.buffer, u.byteOffset, u.byteLength).equals(Buffer.from(v.buffer, v.byteOffset, v.byteLength));
  });
}

/** The test's input_N.pb files as feeds, or why they cannot be fed (sequence inputs, bfloat16...). */
function testFeeds(dir: string, m: Model): Record<string, ort.Tensor> | string {
  const g = m.graphs[0]!;
  const set = path.join(dir, 'test_data_set_0');
  if (!existsSync(set)) return 'no test data';
  const feeds: Record<string, ort.Tensor> = {};
  for (const [i, name] of g.inputs.entries()) {
    if (g.tensors.get(name)!.dtype === 'unknown') return 'an input is not a plain tensor';
    const t = ortTensor(readTensorProto(bytesOf(path.join(set, `input_${i}.pb`)), `input_${i}.pb`));
    if (!t) return 'an input dtype has no onnxruntime-web tensor';
    feeds[name] = t;
  }
  return feeds;
}

describe('libonnx-testdata models run in onnxruntime-web as their originals do', () => {
  it('gives bit-identical outputs on every test onnxruntime can run, on its own inputs', async () => {
    const skipped: Record<string, number> = {};
    const mismatches: string[] = [];
    let ran = 0;
    for (const file of libonnxModels()) {
      const dir = path.dirname(file);
      const bytes = bytesOf(file);
      const m = readOnnx(bytes, 'model.onnx');
      const feeds = testFeeds(dir, m);
      if (typeof feeds === 'string') {
        skipped[feeds] = (skipped[feeds] ?? 0) + 1;
        continue;
      }
      let want: Record<string, ort.Tensor>;
      try {
        want = await run(bytes, feeds);
      } catch {
        skipped['onnxruntime cannot run the original'] = (skipped['onnxruntime cannot run the original'] ?? 0) + 1;
        continue;
      }
      ran++;
      try {
        const bad = differing(want, await run(writeOnnx(m), feeds));
        if (bad.length) mismatches.push(`${dir}: ${bad.join(', ')}`);
      } catch (e) {
        mismatches.push(`${dir}: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    expect(mismatches).toEqual([]);
    expect(ran, JSON.stringify(skipped)).toBeGreaterThanOrEqual(900);
  }, 300_000);
});

/** Shapes for unknown dims and value ranges, where random values would not make a valid input. */
const FIXTURE_INPUTS: Record<string, Record<string, { shape?: number[]; min?: number; max?: number; int64?: bigint }>> = {
  'fashion-mnist-cnn.onnx': { image: { min: 0, max: 1 } },
  'embedding_model.onnx': { input_1: { shape: [2, 76, 32, 1] } },
  'melspectrogram.onnx': { input: { shape: [1, 3200], min: -3000, max: 3000 } },
  'silero_vad_v5.onnx': { input: { shape: [1, 512] }, state: { shape: [2, 1, 128] }, sr: { int64: 16000n } },
  'silero_vad_legacy.onnx': { input: { shape: [1, 512] }, h: { shape: [2, 1, 64] }, c: { shape: [2, 1, 64] }, sr: { int64: 16000n } },
};

describe('ONNX fixtures run in onnxruntime-web as their originals do (seeded random inputs)', () => {
  // The manifest's libonnx-testdata entries ran above, on their own inputs.
  for (const file of fixtureModels().filter((f) => !f.startsWith(LIBONNX))) {
    it(path.relative(process.cwd(), file), async () => {
      if (!existsSync(file)) throw new Error(`missing fixture ${file}: run node scripts/fetch-models.mjs`);
      const bytes = bytesOf(file);
      const m = readOnnx(bytes, path.basename(file));
      const g = m.graphs[0]!;
      const written = writeOnnx(m);
      const overrides = FIXTURE_INPUTS[path.basename(file)] ?? {};
      for (const seed of [1, 2]) {
        const feeds: Record<string, ort.Tensor> = {};
        g.inputs.forEach((name, i) => {
          const t = g.tensors.get(name)!;
          const o = overrides[name];
          if (o?.int64 !== undefined) {
            feeds[name] = new ort.Tensor('int64', BigInt64Array.of(o.int64), []);
            return;
          }
          const shape = o?.shape ?? (t.shape ?? []).map((d) => (typeof d === 'number' ? d : null));
          const h = randomHostTensor({ name, dtype: t.dtype, shape }, { seed: seed * 100 + i, min: o?.min, max: o?.max });
          feeds[name] = new ort.Tensor(h.dtype as 'float32', h.data as Float32Array, h.shape);
        });
        expect(differing(await run(bytes, feeds), await run(written, feeds)), `seed ${seed}`).toEqual([]);
      }
    }, 60_000);
  }
});

describe('models built by code run in onnxruntime-web with the numbers worked out by hand', () => {
  it('QDQ: per-axis QuantizeLinear / DequantizeLinear around a Conv with int8 weights and int32 bias, opset 13', async () => {
    // x channel 0 (scale 0.5, zero point 0):   x/s = 2, 2.5, -1.5, 200 -> round half to even, saturate: 2, 2, -2, 127 -> 1, 1, -1, 63.5
    // x channel 1 (scale 0.25, zero point -3): x/s = 2, -1.5, 8, -160 -> 2, -2, 8, -160, + zp: -1, -5, 5, -128 (saturated) -> 0.5, -0.5, 2, -31.25
    // w = [[3, -2], [1, 4]] * [0.5, 0.25] per output channel = [[1.5, -1], [0.25, 1]]; bias [10, -8] * [0.125, 0.5] = [1.25, -4]
    // y0 = 1.5 * xd0 - 1 * xd1 + 1.25;  y1 = 0.25 * xd0 + 1 * xd1 - 4   (all exact in float32)
    // y_q = round_half_even(y / 0.5) + 128, saturated to [0, 255]
    const x = f32([1, 1.25, -0.75, 100, 0.5, -0.375, 2, -40]);
    const out = await run(writeOnnx(qdqModel()), { x: new ort.Tensor('float32', new Float32Array(x.buffer), [1, 2, 2, 2]) });
    expect(out.y!.dims).toEqual([1, 2, 2, 2]);
    expect(Array.from(out.y!.data as Float32Array)).toEqual([2.25, 3.25, -2.25, 127.75, -3.25, -4.25, -2.25, -19.375]);
    expect(out.y_q!.type).toBe('uint8');
    expect(Array.from(out.y_q!.data as Uint8Array)).toEqual([132, 134, 124, 255, 122, 120, 124, 89]);
  });

  it('int4 and uint4 weights (odd element counts, packed low nibble first) through DequantizeLinear, opset 21', async () => {
    const constant = (name: string, dtype: Tensor['dtype'], shape: number[], data: Uint8Array): Tensor => ({ name, dtype, shape, data, isConstant: true });
    const tensors = new Map<string, Tensor>();
    for (const t of [
      constant('w4', 'int4', [5], Uint8Array.of(0xe1, 0x83, 0x07)), // 1, -2, 3, -8, 7
      constant('s4', 'float32', [], f32([0.5])),
      constant('u4', 'uint4', [3], Uint8Array.of(0x0f, 0x08)), // 15, 0, 8
      constant('su', 'float32', [], f32([0.25])),
      constant('zu', 'uint4', [], Uint8Array.of(0x08)), // 8
      { name: 'a', dtype: 'float32', shape: [5] },
      { name: 'b', dtype: 'float32', shape: [3] },
    ] satisfies Tensor[]) tensors.set(t.name, t);
    const nodes: Node[] = [
      { name: 'dq4', op: 'onnx.DequantizeLinear', inputs: ['w4', 's4'], outputs: ['a'], attrs: {} },
      { name: 'dqu', op: 'onnx.DequantizeLinear', inputs: ['u4', 'su', 'zu'], outputs: ['b'], attrs: {} },
    ];
    const m: Model = {
      format: 'onnx', dialect: 'onnx', name: 'int4.onnx', files: [], metadata: {}, opsets: { '': 21 },
      graphs: [{ name: 'int4', nodes, inputs: [], outputs: ['a', 'b'], tensors }],
    };
    const out = await run(writeOnnx(m), {});
    expect(Array.from(out.a!.data as Float32Array)).toEqual([0.5, -1, 1.5, -4, 3.5]);
    expect(Array.from(out.b!.data as Float32Array)).toEqual([1.75, -2, 0]);
  });
});
