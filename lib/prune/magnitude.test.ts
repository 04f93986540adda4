/**
 * Unstructured pruning on the project's Fashion-MNIST CNN (ONNX, and converted to TFLite):
 * exact zero counts per layer and under one global threshold, exclusions, biases and the input
 * model untouched, N:M groups along the reduction axis, quantized weights, progress and abort.
 */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { AbortedError } from '../formats/errors';
import { readModel } from '../formats/registry';
import type { Model, Tensor } from '../ir/types';
import { convertToTflite } from '../transforms/to-tflite';
import { prune, weightSparsity } from './index';

const FMNIST = 'public/models/fashion-mnist-cnn.onnx';
let onnx: Model;
let tfl: Model;

beforeAll(async () => {
  onnx = await readModel([{ name: 'fashion-mnist-cnn.onnx', bytes: new Uint8Array(readFileSync(FMNIST)) }]);
  tfl = convertToTflite(onnx).model;
});

const floats = (t: Tensor) => new Float32Array(t.data!.slice().buffer);
const zeros = (t: Tensor) => floats(t).filter((v) => v === 0).length;
const tensor = (m: Model, name: string) => m.graphs[0]!.tensors.get(name)!;

/** Weight tensor and input-channel axis of each layer, written out independently of the op tables. */
function weights(m: Model): Array<{ node: string; name: string; inAxis: number }> {
  return m.graphs[0]!.nodes.flatMap((n) => {
    if (n.op === 'onnx.Conv' || n.op === 'onnx.Gemm') return [{ node: n.name, name: n.inputs[1]!, inAxis: 1 }];
    if (n.op === 'tfl.CONV_2D') return [{ node: n.name, name: n.inputs[1]!, inAxis: 3 }];
    if (n.op === 'tfl.FULLY_CONNECTED') return [{ node: n.name, name: n.inputs[1]!, inAxis: 1 }];
    return [];
  });
}

function snapshot(m: Model): string[] {
  return [...m.graphs[0]!.tensors.values()].map((t) => `${t.name} ${JSON.stringify(t.shape)} ${t.data ? Buffer.from(t.data).toString('base64') : ''}`);
}

describe('magnitude pruning', () => {
  it('zeroes exactly round(s * n) weights in every layer, the smallest ones', () => {
    for (const m of [onnx, tfl]) {
      const { model, report } = prune(m, { sparsity: 0.5, scope: 'layer' });
      for (const w of weights(m)) {
        const before = floats(tensor(m, w.name)), after = floats(tensor(model, w.name));
        expect(zeros(tensor(model, w.name)), w.node).toBe(Math.round(0.5 * before.length));
        let maxGone = 0, minKept = Infinity;
        before.forEach((v, i) => (after[i] === 0 ? (maxGone = Math.max(maxGone, Math.abs(v))) : (minKept = Math.min(minKept, Math.abs(v)))));
        expect(maxGone).toBeLessThanOrEqual(minKept);
        after.forEach((v, i) => v !== 0 && expect(v).toBe(before[i]));
      }
      const params = weights(m).reduce((n, w) => n + tensor(m, w.name).data!.length / 4, 0);
      expect(report.totalParams).toBe(params);
      expect(report.layers.every((l) => Math.abs(l.sparsity - 0.5) < 1e-3)).toBe(true);
    }
  });

  it('global scope: one threshold over all layers, the total hits the target', () => {
    const { model, report } = prune(onnx, { sparsity: 0.7, scope: 'global' });
    let total = 0, zeroed = 0, maxGone = 0, minKept = Infinity;
    for (const w of weights(onnx)) {
      const before = floats(tensor(onnx, w.name)), after = floats(tensor(model, w.name));
      total += before.length;
      before.forEach((v, i) => {
        if (after[i] === 0) { zeroed++; maxGone = Math.max(maxGone, Math.abs(v)); } else minKept = Math.min(minKept, Math.abs(v));
      });
    }
    expect(zeroed).toBe(Math.round(0.7 * total));
    expect(maxGone).toBeLessThanOrEqual(minKept);
    // Layers end up with different sparsities: the threshold is shared, not the rate.
    const rates = report.layers.map((l) => l.sparsity);
    expect(Math.max(...rates) - Math.min(...rates)).toBeGreaterThan(0.05);
  });

  it('per-layer targets, exclusions by name and /regex/, biases and the input model untouched', () => {
    const before = snapshot(tfl);
    const { model, report } = prune(tfl, { sparsity: 0.3, scope: 'layer', perLayer: { '/fc1/Gemm': 0.9 }, exclude: ['/conv1/Conv', '/^\\/fc2/'] });
    expect(snapshot(tfl)).toEqual(before);
    const sparsity = Object.fromEntries(report.layers.map((l) => [l.node, l.sparsity]));
    expect(sparsity['/fc1/Gemm']).toBeCloseTo(0.9, 3);
    expect(sparsity['/conv2/Conv']).toBeCloseTo(0.3, 3);
    expect(report.skipped.map((s) => s.node).sort()).toEqual(['/conv1/Conv', '/fc2/Gemm']);
    const pruned = new Set(['/conv2/Conv', '/fc1/Gemm'].map((n) => weights(tfl).find((w) => w.node === n)!.name));
    // Everything but the two pruned weights is the very same tensor object (shared, not copied).
    for (const [name, t] of tfl.graphs[0]!.tensors) if (!pruned.has(name)) expect(tensor(model, name), name).toBe(t);
  });

  it('reports sparsity of any model, and counts zeros the pruned model really has', () => {
    const { model } = prune(onnx, { sparsity: 0.25, scope: 'layer' });
    const layers = weightSparsity(model);
    expect(layers.map((l) => l.node)).toEqual(['/conv1/Conv', '/conv2/Conv', '/fc1/Gemm', '/fc2/Gemm']);
    for (const l of layers) expect(l.zeros).toBe(zeros(tensor(model, l.weight)));
    expect(weightSparsity(onnx).every((l) => l.zeros === 0)).toBe(true);
  });

  it('int8 per-channel weights: zero is the zero point, quantization kept', () => {
    const g = tfl.graphs[0]!;
    const w = tensor(tfl, weights(tfl).find((l) => l.node === '/fc2/Gemm')!.name);
    const q = Int8Array.from({ length: w.data!.length / 4 }, (_, i) => ((i * 37) % 255) - 127);
    const quant = { scale: Array.from({ length: 10 }, (_, i) => 0.01 * (i + 1)), zeroPoint: new Array<number>(10).fill(3), axis: 0 };
    const int8: Tensor = { ...w, dtype: 'int8', data: new Uint8Array(q.buffer), quant };
    const m: Model = { ...tfl, graphs: [{ ...g, tensors: new Map(g.tensors).set(w.name, int8) }] };
    const { model } = prune(m, { sparsity: 0.5, scope: 'layer', exclude: ['/^\\/(conv|fc1)/'] });
    const out = tensor(model, w.name);
    const codes = new Int8Array(out.data!.buffer, out.data!.byteOffset, out.data!.length);
    expect(out.quant).toEqual(quant);
    expect(codes.filter((c) => c === 3).length).toBe(Math.round(0.5 * q.length));
    codes.forEach((c, i) => c !== 3 && expect(c).toBe(q[i]));
    expect(weightSparsity(model).find((l) => l.weight === w.name)!.zeros).toBe(Math.round(0.5 * q.length));
  });

  it('reports progress, honours an aborted signal, rejects bad options', () => {
    const seen: number[] = [];
    prune(onnx, { sparsity: 0.5, pattern: { n: 2, m: 4 } }, (f) => seen.push(f));
    expect(seen.length).toBeGreaterThan(4);
    expect(seen.every((f, i) => f >= 0 && f <= 1 && (i === 0 || f >= seen[i - 1]!))).toBe(true);
    expect(seen.at(-1)).toBe(1);
    const ac = new AbortController();
    ac.abort();
    expect(() => prune(onnx, { sparsity: 0.5 }, undefined, ac.signal)).toThrow(AbortedError);
    expect(() => prune(onnx, { sparsity: 1.5 })).toThrow(RangeError);
    expect(() => prune(onnx, { pattern: { n: 4, m: 4 } })).toThrow(RangeError);
  });
});

describe('N:M pattern pruning', () => {
  it('2:4: every 4 consecutive weights along the reduction axis keep at most 2, the largest', () => {
    for (const m of [onnx, tfl]) {
      const { model } = prune(m, { pattern: { n: 2, m: 4 } });
      for (const w of weights(m)) {
        const t = tensor(m, w.name), shape = t.shape as number[];
        const before = floats(t), after = floats(tensor(model, w.name));
        const len = shape[w.inAxis]!, inner = shape.slice(w.inAxis + 1).reduce((a, b) => a * b, 1);
        let groups = 0;
        for (let o = 0; o < before.length / (len * inner); o++) for (let i = 0; i < inner; i++) for (let s = 0; s < len; s += 4) {
          const idx = Array.from({ length: Math.min(4, len - s) }, (_, k) => (o * len + s + k) * inner + i);
          const kept = idx.filter((j) => after[j] !== 0), gone = idx.filter((j) => after[j] === 0);
          expect(kept.length).toBe(Math.min(2, idx.length));
          expect(Math.max(0, ...gone.map((j) => Math.abs(before[j]!)))).toBeLessThanOrEqual(Math.min(...kept.map((j) => Math.abs(before[j]!))));
          groups++;
        }
        expect(groups).toBeGreaterThan(0);
      }
    }
  });
});
