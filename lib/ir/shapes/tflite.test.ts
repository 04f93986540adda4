/**
 * TFLite fixtures: the TFLite converter wrote every tensor's shape into the file. Those are the
 * reference: wipe them (keeping inputs and constants), infer, and compare. Then fix the unknown
 * batch (-1 in shape_signature) to 1 and check everything becomes static.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readModel } from '../../formats/registry';
import type { Model } from '../types';
import { inferShapes } from './index';

const DIRS = ['fixtures/third_party/mediapipe-face_detection', 'fixtures/third_party/mediapipe-selfie_segmentation', 'fixtures/third_party/openwakeword', 'fixtures/own'];
const files = DIRS.filter(existsSync).flatMap((d) => readdirSync(d).filter((f) => f.endsWith('.tflite')).map((f) => `${d}/${f}`));

async function load(path: string): Promise<Model> {
  return readModel([{ name: path.split('/').pop()!, bytes: new Uint8Array(readFileSync(path)) }]);
}

function wipe(m: Model): Model {
  const graphs = m.graphs.map((g) => {
    const tensors = new Map(g.tensors);
    for (const n of g.nodes) for (const k of n.outputs) tensors.set(k, { ...tensors.get(k)!, shape: null });
    return { ...g, tensors };
  });
  return { ...m, graphs };
}

/** Inputs whose unknown dims are not a batch: a real size (melspectrogram: 1760 audio samples). */
const INPUT_SHAPES: Record<string, number[]> = { 'melspectrogram.tflite': [1, 1760] };


it('finds its test data (libonnx-testdata, fetched fixtures)', () => {
  expect(files.length, 'install libonnx-testdata and run npm install (scripts/fetch-models.mjs)').toBeGreaterThan(0);
});

describe('TFLite fixtures: inferred shapes equal the converter\'s', () => {
  for (const file of files) {
    it(file.split('/').pop()!, async () => {
      const m = await load(file);
      const { model, report } = inferShapes(wipe(m));
      expect(report.unknownOps).toEqual([]);
      expect(report.errors).toEqual([]);
      const g0 = m.graphs[0]!;
      const wrong: string[] = [];
      const ifOutputs = new Set(g0.nodes.filter((n) => n.op === 'tfl.IF').flatMap((n) => n.outputs));
      let compared = 0;
      const produced = new Set(g0.nodes.flatMap((n) => n.outputs));
      for (const [name, t] of g0.tensors) {
        if (!produced.has(name) || !t.shape) continue;
        const got = model.graphs[0]!.tensors.get(name)!.shape;
        // The converter's -1 is unknown; anything we infer there is not checked.
        // IF outputs: the two subgraphs disagree, so "unknown" is the honest answer.
        if (!got && ifOutputs.has(name)) continue;
        const same = got && got.length === t.shape.length && t.shape.every((d, i) => d === null || d === got[i]);
        compared++;
        if (!same) wrong.push(`${name}: ${JSON.stringify(got)} vs file ${JSON.stringify(t.shape)}`);
      }
      expect(wrong).toEqual([]);
      expect(compared).toBeGreaterThan(0);

      // Fix an unknown batch to 1: everything downstream becomes static (IF outputs aside,
      // which hey_jarvis' two branches shape differently).
      const base = file.split('/').pop()!;
      const inputs = Object.fromEntries(g0.inputs.map((n) => [n, INPUT_SHAPES[base] ?? (g0.tensors.get(n)!.shape ?? []).map((d) => (typeof d === 'number' ? d : 1))]));
      const fixed = inferShapes(m, { inputShapes: inputs });
      expect(fixed.report.errors).toEqual([]);
      const g = fixed.model.graphs[0]!;
      const hasIf = g.nodes.some((n) => n.op === 'tfl.IF');
      if (!hasIf) expect(fixed.report.unknownAfter).toEqual([]);
      for (const [name, t] of g0.tensors) {
        if (!t.shape || t.isConstant) continue;
        const got = g.tensors.get(name)!.shape!;
        // Non-batch dims keep the converter's numbers.
        t.shape.forEach((d, i) => typeof d === 'number' && expect([name, i, got[i]]).toEqual([name, i, d]));
      }
    });
  }
});
