/**
 * Every quantization mode of the Fashion-MNIST sample, written as .tflite and run by the real
 * TFLite runtimes: LiteRT.js, tfjs-tflite and Arm NN (where it has the kernels). Integer outputs
 * must agree across runtimes within one step on >= 99.9% of elements; accuracy on the 1,000
 * bundled test images must stay close to float (the full 10k test set: acceptance.test.ts).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { Model } from '../ir/types';
import { writeTflite } from '../formats/tflite/write';
import type { HostTensor } from '../runtime/types';
import { runOn, type RunOutcome, type VerifyRuntime } from '../verify/index';
import { lsbAgreement, share } from './agreement';
import { runReference } from './reference/index';
import { collectStats } from './calibrate/collect';
import type { TensorStats } from './calibrate/stats';
import { toFloatOutputs, toModelInputs } from './io';
import { makeVariant, type Variant, type VariantRequest } from './pipeline';
import { argmax, bundledImages, fashionInput, fashionOnnx, fashionSamples, fashionTfl } from './test-support';

const AGREE = 300;
const test = bundledImages('test');
const calib = bundledImages('calibration');

let source: Model;
let stats: Map<string, TensorStats>;
const made = new Map<string, Variant>();

const MODES: Record<string, VariantRequest> = {
  float16: { mode: 'float16' },
  dynamic: { mode: 'dynamic' },
  int8: { mode: 'int8' },
  'int8 float I/O': { mode: 'int8', floatIO: true },
  int16x8: { mode: 'int16x8' },
};

async function variant(name: string): Promise<Variant> {
  let v = made.get(name);
  if (!v) { v = await makeVariant(source, { ...MODES[name]!, stats }); made.set(name, v); }
  return v;
}

const inputsFor = (v: Variant, n: number): HostTensor[][] => Array.from({ length: n }, (_, i) => toModelInputs(v.model, [fashionInput(test, i)]));

function accuracy(v: Variant, outs: HostTensor[][]): number {
  let ok = 0;
  outs.forEach((o, i) => { if (argmax(toFloatOutputs(v.model, o)[0]!.data as Float32Array) === test.labels![i]) ok++; });
  return ok / outs.length;
}

beforeAll(async () => {
  source = await fashionOnnx();
  stats = await collectStats(await fashionTfl(), fashionSamples(calib, 100), 100);
});

describe('Fashion-MNIST variants in three TFLite runtimes', () => {
  it.each(Object.keys(MODES))('%s: LiteRT.js and tfjs-tflite run it, Arm NN runs it or names what it lacks; integer outputs agree', async (name) => {
    const v = await variant(name);
    const sets = inputsFor(v, AGREE);
    const outcomes: RunOutcome[] = [];
    for (const rt of ['litert', 'tfjs-tflite', 'armnn'] as VerifyRuntime[]) outcomes.push(await runOn(rt, v.bytes, sets, { timeoutMs: 180_000 }));
    const [lrt, tft, arm] = outcomes as [RunOutcome, RunOutcome, RunOutcome];
    expect(lrt.status, lrt.detail).toBe('ran');
    expect(tft.status, tft.detail).toBe('ran');
    // Arm NN 20.08 has no float16, hybrid or 16x8 kernels; int8 with per-tensor dense layers it runs.
    if (name.startsWith('int8')) expect(arm.status, arm.detail).toBe('ran');
    else expect(arm.status, arm.detail).toBe('unsupported');
    const ran = outcomes.filter((o): o is Extract<RunOutcome, { status: 'ran' }> => o.status === 'ran');
    const integer = v.model.graphs[0]!.tensors.get(v.model.graphs[0]!.outputs[0]!)!.dtype !== 'float32';
    if (integer) {
      // The integer reference (TFLite's reference-kernel arithmetic) agrees with every runtime too.
      const ref = sets.map((s) => runReference(v.model, s));
      for (const o of ran) {
        const a = lsbAgreement(ref, o.outputSets);
        expect(share(a.withinOne, a.elements), `${o.runtime} vs integer reference: max ${a.maxDiff} LSB`).toBeGreaterThanOrEqual(0.999);
      }
    }
    for (const o of ran.slice(1)) {
      if (integer) {
        const a = lsbAgreement(ran[0]!.outputSets, o.outputSets);
        expect(share(a.withinOne, a.elements), `${o.runtime} vs litert: max ${a.maxDiff} LSB`).toBeGreaterThanOrEqual(0.999);
      }
      // Same decision on (nearly) every image whatever the output type.
      const top = (x: HostTensor[][]) => x.map((s) => argmax(toFloatOutputs(v.model, s)[0]!.data as Float32Array));
      const t0 = top(ran[0]!.outputSets), t1 = top(o.outputSets);
      expect(t0.filter((c, i) => c === t1[i]).length / AGREE, o.runtime).toBeGreaterThanOrEqual(0.99);
    }
  }, 240_000);

  it('accuracy on the 1,000 bundled test images stays close to float; sizes shrink ~2x and ~4x', async () => {
    const floatBytes = writeTflite(await fashionTfl());
    const run = async (bytes: Uint8Array, v?: Variant) => {
      const sets = Array.from({ length: test.count }, (_, i) => (v ? toModelInputs(v.model, [fashionInput(test, i)]) : [fashionInput(test, i)]));
      const o = await runOn('litert', bytes, sets);
      if (o.status !== 'ran') throw new Error(o.detail);
      return o.outputSets;
    };
    const floatOuts = await run(floatBytes);
    let floatOk = 0;
    floatOuts.forEach((o, i) => { if (argmax(o[0]!.data as Float32Array) === test.labels![i]) floatOk++; });
    const floatAcc = floatOk / test.count;
    const results: Record<string, { acc: number; ratio: number }> = {};
    for (const name of Object.keys(MODES)) {
      const v = await variant(name);
      results[name] = { acc: accuracy(v, await run(v.bytes, v)), ratio: floatBytes.length / v.bytes.length };
    }
    console.log(`float ${(100 * floatAcc).toFixed(1)}%, ${floatBytes.length} bytes; ` + Object.entries(results).map(([k, r]) => `${k} ${(100 * r.acc).toFixed(1)}% (${r.ratio.toFixed(2)}x smaller)`).join('; '));
    expect(Math.abs(results.float16!.acc - floatAcc)).toBeLessThanOrEqual(0.001);
    expect(floatAcc - results.int8!.acc).toBeLessThanOrEqual(0.01);
    expect(floatAcc - results['int8 float I/O']!.acc).toBeLessThanOrEqual(0.01);
    expect(floatAcc - results.int16x8!.acc).toBeLessThanOrEqual(0.005);
    expect(floatAcc - results.dynamic!.acc).toBeLessThanOrEqual(0.01);
    expect(results.float16!.ratio).toBeGreaterThan(1.9);
    expect(results.int8!.ratio).toBeGreaterThan(3.5);
    expect(results.dynamic!.ratio).toBeGreaterThan(3.5);
  }, 240_000);
});
