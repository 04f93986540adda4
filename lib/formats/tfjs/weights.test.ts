/**
 * Weight decoding on synthetic manifests, with tfjs-core's decodeWeights as the reference,
 * plus the shard errors (missing, short, short middle shard) and manifest validation.
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { ModelFormatError } from '../errors';
import { tfjsFormat } from './index';
import { jsonFile, nums } from './testdata/fixtures';

/** A tiny graph model: one Placeholder and an AddN over every weight, so each weight is a Const. */
function graphDoc(weights: tf.io.WeightsManifestEntry[], paths: string[]) {
  const k = weights.length;
  return {
    format: 'graph-model',
    modelTopology: {
      node: [
        { name: 'x', op: 'Placeholder', attr: { dtype: { type: 'DT_FLOAT' }, shape: { shape: { dim: [{ size: '-1' }] } } } },
        ...weights.map((w) => ({ name: w.name, op: 'Const', attr: { dtype: { type: 'DT_FLOAT' }, value: { tensor: { dtype: 'DT_FLOAT' } } } })),
        { name: 'sum', op: 'AddN', input: ['x', ...weights.map((w) => w.name)], attr: { N: { i: String(k + 1) }, T: { type: 'DT_FLOAT' } } },
      ],
    },
    weightsManifest: [{ paths, weights }],
  };
}

function rng(seed: number) {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}

function randomBytes(n: number, seed: number): Uint8Array {
  const r = rng(seed);
  return Uint8Array.from({ length: n }, () => Math.floor(r() * 256));
}

/** float16 bit patterns covering zero, subnormals, normals, inf and both signs (no NaN: toEqual). */
function halfBits(n: number, seed: number): Uint8Array {
  const r = rng(seed);
  const specials = [0x0000, 0x8000, 0x0001, 0x03ff, 0x0400, 0x3c00, 0xbc00, 0x7bff, 0x7c00, 0xfc00];
  const out = new Uint16Array(n);
  for (let i = 0; i < n; i++) {
    let h = i < specials.length ? specials[i]! : Math.floor(r() * 65536);
    if ((h & 0x7c00) === 0x7c00 && (h & 0x3ff) !== 0) h &= 0xfc00; // NaN -> inf
    out[i] = h;
  }
  return new Uint8Array(out.buffer);
}

const specs: tf.io.WeightsManifestEntry[] = [
  { name: 'plain', shape: [3, 5], dtype: 'float32' },
  { name: 'ints', shape: [7], dtype: 'int32' },
  { name: 'q8', shape: [4, 6], dtype: 'float32', quantization: { dtype: 'uint8', scale: 0.0123, min: -1.2 } },
  { name: 'q16', shape: [33], dtype: 'float32', quantization: { dtype: 'uint16', scale: 1.5e-5, min: -0.5 } },
  { name: 'half', shape: [40], dtype: 'float32', quantization: { dtype: 'float16' } },
  { name: 'qint', shape: [9], dtype: 'int32', quantization: { dtype: 'uint8', scale: 0.7, min: -3 } },
  { name: 'flags', shape: [5], dtype: 'bool' },
];
const byteSizes = [60, 28, 24, 66, 80, 9, 5];

function makeBytes(): Uint8Array {
  const parts = [randomBytes(0, 1)];
  const plain = new Float32Array(15).map((_, i) => Math.sin(i) * 3);
  parts.push(new Uint8Array(plain.buffer));
  parts.push(new Uint8Array(Int32Array.from([0, 1, -1, 2 ** 31 - 1, -(2 ** 31), 42, 7]).buffer));
  parts.push(randomBytes(24, 2), randomBytes(66, 3), halfBits(40, 4), randomBytes(9, 5), Uint8Array.from([0, 1, 1, 0, 1]));
  const total = parts.reduce((a, p) => a + p.length, 0);
  const out = new Uint8Array(total);
  let off = 0;
  for (const p of parts) { out.set(p, off); off += p.length; }
  return out;
}

describe('weight decoding matches tf.io.decodeWeights', () => {
  it('float32, int32, bool, uint8/uint16/float16 quantization, int32 quantized, across 3 shards', async () => {
    const all = makeBytes();
    expect(all.length).toBe(byteSizes.reduce((a, b) => a + b, 0));
    // Cut at offsets that split weights across shard boundaries (the reason shards are concatenated).
    const cuts = [0, 50, 150, all.length];
    const shards = cuts.slice(1).map((end, i) => all.slice(cuts[i], end));
    const doc = graphDoc(specs, ['w/group1-shard1of3.bin', 'w/group1-shard2of3.bin', 'w/group1-shard3of3.bin']);
    const files = [jsonFile(doc), ...shards.map((b, i) => ({ name: `group1-shard${i + 1}of3.bin`, bytes: b }))];
    const m = await tfjsFormat.read(files);
    const ref = tf.io.decodeWeights(shards.map((s) => s.buffer as ArrayBuffer), specs);
    const g = m.graphs[0]!;
    for (const s of specs) {
      const t = g.tensors.get(s.name)!;
      expect(t.shape).toEqual(s.shape);
      expect(t.dtype).toBe(s.dtype);
      expect(nums(t), s.name).toEqual(Array.from(ref[s.name]!.dataSync()));
    }
    expect(g.tensors.get('q8')!.storage).toEqual({ dtype: 'uint8', detail: 'uint8 affine, scale 0.0123, min -1.2' });
    expect(g.tensors.get('q16')!.storage?.dtype).toBe('uint16');
    expect(g.tensors.get('half')!.storage?.dtype).toBe('float16');
    expect(g.tensors.get('qint')!.storage?.dtype).toBe('uint8');
    expect(g.tensors.get('plain')!.storage).toBeUndefined();
    expect(m.files.map((f) => f.bytes)).toEqual([files[0]!.bytes.length, 50, 100, all.length - 150]);
    tf.dispose(Object.values(ref));
  });

  it('a dequantized value equals q*scale+min rounded to float32, computed here by hand', async () => {
    const bytes = Uint8Array.from([0, 1, 128, 255]);
    const doc = graphDoc([{ name: 'w', shape: [4], dtype: 'float32', quantization: { dtype: 'uint8', scale: 0.1, min: -2 } }], ['s']);
    const m = await tfjsFormat.read([jsonFile(doc), { name: 's', bytes }]);
    expect(nums(m.graphs[0]!.tensors.get('w'))).toEqual([0, 1, 128, 255].map((q) => Math.fround(q * 0.1 - 2)));
  });

  it('string weights keep the TF.js layout (uint32 length + bytes) and are sized by walking it', async () => {
    const enc = new TextEncoder();
    const words = ['a', 'héllo', ''];
    const parts: number[] = [];
    for (const w of words) {
      const b = enc.encode(w);
      parts.push(b.length & 255, 0, 0, 0, ...b);
    }
    const tail = Array.from(new Uint8Array(Float32Array.from([1.5, -2]).buffer));
    const doc = graphDoc([{ name: 'vocab', shape: [3], dtype: 'string' }, { name: 'after', shape: [2], dtype: 'float32' }], ['s']);
    const m = await tfjsFormat.read([jsonFile(doc), { name: 's', bytes: Uint8Array.from([...parts, ...tail]) }]);
    const g = m.graphs[0]!;
    expect(g.tensors.get('vocab')!.dtype).toBe('string');
    expect(g.tensors.get('vocab')!.data!.length).toBe(parts.length);
    expect(nums(g.tensors.get('after')!)).toEqual([1.5, -2]);
  });

  it('shards are found by base name, ignoring folders in the manifest and in the given names', async () => {
    const doc = graphDoc([{ name: 'w', shape: [1], dtype: 'float32' }], ['deep/dir/weights']);
    const m = await tfjsFormat.read([jsonFile(doc), { name: 'other/place/weights', bytes: new Uint8Array(4) }]);
    expect(m.graphs[0]!.tensors.get('w')!.data!.length).toBe(4);
    expect(tfjsFormat.companions!(jsonFile(doc))).toEqual(['deep/dir/weights']);
  });
});

async function readError(files: Parameters<typeof tfjsFormat.read>[0]): Promise<ModelFormatError> {
  try {
    await tfjsFormat.read(files);
  } catch (e) {
    expect(e).toBeInstanceOf(ModelFormatError);
    return e as ModelFormatError;
  }
  throw new Error('expected read to fail');
}

describe('weight errors', () => {
  const w = (name: string, n: number): tf.io.WeightsManifestEntry => ({ name, shape: [n], dtype: 'float32' });

  it('a missing shard names the file and the weights that need it', async () => {
    const doc = graphDoc([w('conv/kernel', 4), w('conv/bias', 2)], ['group1-shard1of2', 'group1-shard2of2']);
    const e = await readError([jsonFile(doc), { name: 'group1-shard1of2', bytes: new Uint8Array(16) }]);
    expect(e.format).toBe('TF.js');
    expect(e.file).toBe('model.json');
    expect(e.reason).toContain('"group1-shard2of2"');
    expect(e.reason).toContain('"conv/kernel"');
    expect(e.reason).toContain('"conv/bias"');
    expect(e.reason).not.toContain('shard1of2"');
  });

  it('a short last shard says how many bytes it has and how many are needed', async () => {
    const doc = graphDoc([w('a', 1024), w('b', 1024)], ['g-shard1of2', 'g-shard2of2']);
    const e = await readError([jsonFile(doc), { name: 'g-shard1of2', bytes: new Uint8Array(4096) }, { name: 'g-shard2of2', bytes: new Uint8Array(1000) }]);
    expect(e.reason).toContain('weights shard "g-shard2of2" is 1000 bytes but the manifest needs 4096');
  });

  it('a truncated middle shard is blamed, not the last one', async () => {
    const doc = graphDoc([w('a', 1024), w('b', 1024), w('c', 512)], ['group1-shard1of3', 'group1-shard2of3', 'group1-shard3of3']);
    const e = await readError([
      jsonFile(doc),
      { name: 'group1-shard1of3', bytes: new Uint8Array(4096) },
      { name: 'group1-shard2of3', bytes: new Uint8Array(1000) },
      { name: 'group1-shard3of3', bytes: new Uint8Array(2048) },
    ]);
    expect(e.reason).toContain('weights shard "group1-shard2of3" is 1000 bytes but the manifest needs 4096');
  });

  it('unknown dtypes, unknown quantization and missing scale are precise errors', async () => {
    const bad = [
      [{ name: 'x1', shape: [1], dtype: 'float128' }, 'weight "x1" has unknown dtype "float128"'],
      [{ name: 'x2', shape: [1], dtype: 'float32', quantization: { dtype: 'int3' } }, 'weight "x2" has unknown quantization dtype "int3"'],
      [{ name: 'x3', shape: [1], dtype: 'float32', quantization: { dtype: 'uint8', scale: 1 } }, 'weight "x3" is uint8-quantized but its quantization scale/min are missing'],
      [{ name: 'x4', shape: [1], dtype: 'bool', quantization: { dtype: 'float16' } }, 'weight "x4" is float16-quantized but has dtype bool'],
      [{ name: 'x5', shape: [2, -1], dtype: 'float32' }, 'weightsManifest[0].weights[0].shape[1] of weight "x5" is -1'],
      [{ name: 'x6', shape: [2 ** 40, 2 ** 40], dtype: 'float32' }, 'weight "x6" has an impossible shape'],
    ] as const;
    for (const [spec, msg] of bad) {
      const doc = graphDoc([spec as unknown as tf.io.WeightsManifestEntry], ['s']);
      const e = await readError([jsonFile(doc), { name: 's', bytes: new Uint8Array(64) }]);
      expect(e.reason).toContain(msg);
    }
  });

  it('a string weight whose length prefix runs past the end is a short-shard error', async () => {
    const doc = graphDoc([{ name: 's', shape: [2], dtype: 'string' }], ['s.bin']);
    const e = await readError([jsonFile(doc), { name: 's.bin', bytes: Uint8Array.from([200, 0, 0, 0, 1, 2]) }]);
    expect(e.reason).toMatch(/weights shard "s.bin" is 6 bytes but the manifest needs \d+/);
  });
});
