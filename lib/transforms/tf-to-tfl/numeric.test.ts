/**
 * Numeric agreement: each fixture TF.js graph model runs in tfjs itself (the reference) and,
 * converted by convertTfToTflite and written by our writer, in LiteRT.js on seeded random
 * inputs (several runs), then once in tfjs-tflite and Arm NN through verifyTflite.
 * Tolerance: max |diff| <= 1e-4 x the reference output's range, same top-1 (lib/verify/compare).
 */
import { describe, expect, it } from 'vitest';
import { writeTflite } from '../../formats/tflite/write';
import { litertAdapter } from '../../runtime/litert';
import { compareOutputs, verifyTflite } from '../../verify/index';
import { convertTfToTflite } from './index';
import { artifacts, inputsFor, readIr, runTfjsGraph } from './test-support';

const HUMAN = 'fixtures/third_party/human/models';
interface Case { path: string; lo: number; hi: number; batch?: number; armnn: 'ok' | 'unsupported' }
const CASES: Case[] = [
  { path: 'fixtures/own/tfjs-add/model.json', lo: -1, hi: 1, armnn: 'ok' },
  { path: `${HUMAN}/blazeface.json`, lo: -1, hi: 1, armnn: 'ok' },
  { path: `${HUMAN}/emotion.json`, lo: 0, hi: 1, armnn: 'ok' },
  // batch 4: a one-number output (a score) gets a range to measure against.
  { path: `${HUMAN}/antispoof.json`, lo: 0, hi: 1, batch: 4, armnn: 'ok' },
  { path: `${HUMAN}/liveness.json`, lo: 0, hi: 1, batch: 3, armnn: 'ok' },
  { path: `${HUMAN}/movenet-lightning.json`, lo: 0, hi: 255, armnn: 'unsupported' }, // Arm NN 20.08 has no CAST
];

describe('tf-to-tfl: converted TF.js graph models agree with tfjs', () => {
  for (const k of CASES) {
    it(k.path.split('/').pop()!, async () => {
      const a = artifacts(k.path);
      const src = await readIr(a);
      const { model, report } = convertTfToTflite(src, { batch: k.batch });
      expect(report.unsupported).toEqual([]);
      expect(report.converted).toBe(true);
      const g = model.graphs[0]!;
      if (k.batch) expect(g.tensors.get(g.inputs[0]!)!.shape![0]).toBe(k.batch);
      const bytes = writeTflite(model);
      const session = await litertAdapter.load({ bytes }, { backend: 'wasm' });
      try {
        for (let run = 0; run < 3; run++) {
          const inputs = inputsFor(model, 1000 + run, k.lo, k.hi);
          const ref = await runTfjsGraph(a, inputs, g.outputs);
          const got = await session.run(inputs);
          const cmp = compareOutputs(got, ref);
          expect(cmp.ok, cmp.detail).toBe(true);
        }
      } finally {
        session.dispose();
      }
      const inputs = inputsFor(model, 7, k.lo, k.hi);
      const ref = await runTfjsGraph(a, inputs, g.outputs);
      const rs = await verifyTflite(bytes, inputs, ref, { runtimes: ['tfjs-tflite', 'armnn'] });
      const by = Object.fromEntries(rs.map((r) => [r.runtime, r]));
      expect(by['tfjs-tflite']!.status, by['tfjs-tflite']!.detail).toBe('ok');
      expect(by.armnn!.status, by.armnn!.detail).toBe(k.armnn);
    }, 180_000);
  }
});
