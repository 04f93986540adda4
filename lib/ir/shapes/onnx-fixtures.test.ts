/**
 * The fixture ONNX models against python onnx's shape inference (testdata/onnx-reference.json,
 * made by testdata/make-onnx-reference.py), as shipped and with their symbolic inputs fixed.
 */
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readOnnx } from '../../formats/onnx/index';
import type { Dim, Graph, Model } from '../types';
import { inferShapes } from './index';
import reference from './testdata/onnx-reference.json';

interface Fact { dtype: string; shape: Dim[] | null }
interface Entry { file: string; fixed: Record<string, number[]>; free: Record<string, Fact>; fixedResult?: Record<string, Fact> }
const models = (reference as unknown as { models: Record<string, Entry> }).models;

/** Everything but inputs and initializers forgets its type, as if the file had no value_info. */
function stripped(m: Model): Model {
  const g = m.graphs[0]!;
  const tensors = new Map(g.tensors);
  for (const [k, t] of tensors) if (!t.isConstant && !g.inputs.includes(k)) tensors.set(k, { ...t, shape: null, dtype: 'unknown' });
  return { ...m, graphs: [{ ...g, tensors }] };
}

/** Where onnx knows a size, ours is that size; where onnx has a symbol, ours is no number. */
function compare(g: Graph, ref: Record<string, Fact>, fixed = false): { checked: number; mismatches: string[]; oursStatic: number; refStatic: number } {
  const mismatches: string[] = [];
  let checked = 0, oursStatic = 0, refStatic = 0;
  for (const [name, f] of Object.entries(ref)) {
    const t = g.tensors.get(name);
    if (!t) continue;
    checked++;
    if (f.shape && f.shape.every((d) => typeof d === 'number')) refStatic++;
    if (t.shape && t.shape.every((d) => typeof d === 'number')) oursStatic++;
    if (t.dtype !== f.dtype) mismatches.push(`${name}: dtype ${t.dtype} vs onnx ${f.dtype}`);
    if (!f.shape || !t.shape) continue;
    // onnx names what it could not work out "unk__N": no claim. A symbol from the file is one,
    // unless the inputs were fixed (onnx keeps the declared outputs' symbols then).
    const bad = t.shape.length !== f.shape.length ||
      f.shape.some((d, i) => (typeof d === 'number' ? t.shape![i] !== d : typeof d === 'string' && !fixed && !d.startsWith('unk__') && typeof t.shape![i] === 'number'));
    if (bad) mismatches.push(`${name}: ${JSON.stringify(t.shape)} vs onnx ${JSON.stringify(f.shape)}`);
  }
  return { checked, mismatches, oursStatic, refStatic };
}

/**
 * Output shapes the models' own documentation gives (silero: speech probability [batch, 1] and
 * the recurrent state in the input's shape), where onnx 1.12 infers nothing through the If.
 */
const DOCUMENTED: Record<string, Record<string, number[]>> = {
  silero_vad_v5: { output: [1, 1], stateN: [2, 1, 128] },
  silero_vad_legacy: { output: [1, 1], hn: [2, 1, 64], cn: [2, 1, 64] },
};

const entries = Object.entries(models).filter(([, e]) => existsSync(e.file));


it('finds its test data (libonnx-testdata, fetched fixtures)', () => {
  expect(entries.length, 'install libonnx-testdata and run npm install (scripts/fetch-models.mjs)').toBeGreaterThan(0);
});

describe('fixture ONNX models vs python onnx shape inference', () => {
  for (const [key, e] of entries) {
    const model = readOnnx(new Uint8Array(readFileSync(e.file)), e.file);

    it(`${key}: as shipped`, () => {
      const { model: out, report } = inferShapes(stripped(model));
      const r = compare(out.graphs[0]!, e.free);
      expect(r.mismatches).toEqual([]);
      expect(r.checked).toBe(Object.keys(e.free).length);
      expect(r.oursStatic).toBeGreaterThanOrEqual(r.refStatic);
      expect(report.unknownOps).toEqual([]);
      expect(report.errors).toEqual([]);
    });

    if (Object.keys(e.fixed).length === 0) continue;
    it(`${key}: inputs fixed to ${JSON.stringify(e.fixed)} make everything downstream static`, () => {
      const { model: out, report } = inferShapes(stripped(model), { inputShapes: e.fixed });
      const g = out.graphs[0]!;
      const r = compare(g, e.fixedResult ?? {}, true);
      expect(r.mismatches).toEqual([]);
      expect(report.overridden.sort()).toEqual(Object.keys(e.fixed).sort());
      expect(report.unknownAfter).toEqual([]);
      expect(report.errors).toEqual([]);
      for (const name of g.outputs) expect(g.tensors.get(name)!.shape!.every((d) => typeof d === 'number'), name).toBe(true);
      for (const [name, shape] of Object.entries(DOCUMENTED[key] ?? {})) expect([name, g.tensors.get(name)!.shape]).toEqual([name, shape]);
    });
  }

  it('keeps the shipped file untouched and shares constant data', () => {
    const e = models['embedding_model'];
    if (!e || !existsSync(e.file)) return;
    const m = readOnnx(new Uint8Array(readFileSync(e.file)), e.file);
    const before = JSON.stringify([...m.graphs[0]!.tensors.values()].map((t) => [t.name, t.dtype, t.shape]));
    const { model: out } = inferShapes(m, { inputShapes: e.fixed });
    expect(JSON.stringify([...m.graphs[0]!.tensors.values()].map((t) => [t.name, t.dtype, t.shape]))).toBe(before);
    for (const [name, t] of m.graphs[0]!.tensors) if (t.isConstant) expect(out.graphs[0]!.tensors.get(name)).toBe(t);
    expect(out.graphs[0]!.nodes).toBe(m.graphs[0]!.nodes);
  });
});
