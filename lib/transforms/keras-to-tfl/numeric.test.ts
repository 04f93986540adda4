/**
 * Numeric agreement: the nsfwjs MobileNetV2 layers model runs in tfjs itself (the reference) and,
 * converted by convertKerasToTflite and written by our writer, in LiteRT.js, tfjs-tflite and Arm NN
 * on seeded random images. Tolerance: 1e-4 x the output range, same top-1 (lib/verify/compare).
 */
import { describe, expect, it } from 'vitest';
import { writeTflite } from '../../formats/tflite/write';
import { litertAdapter } from '../../runtime/litert';
import { compareOutputs, verifyTflite } from '../../verify/index';
import { artifacts, inputsFor, readIr, runTfjsLayers } from '../tf-to-tfl/test-support';
import { convertKerasToTflite } from './index';

const NSFW = 'fixtures/third_party/nsfwjs/mobilenet_v2/model.json';

describe('keras-to-tfl: nsfwjs MobileNetV2 agrees with tfjs', () => {
  it('LiteRT.js on 3 batches of 2 images, then tfjs-tflite and Arm NN', async () => {
    const a = artifacts(NSFW);
    const src = await readIr(a);
    const { model, report } = convertKerasToTflite(src, { batch: 2 });
    expect(report.unsupported).toEqual([]);
    expect(report.converted).toBe(true);
    expect(report.stats.foldedBatchNorms).toBe(52);
    const g = model.graphs[0]!;
    expect(g.tensors.get(g.inputs[0]!)!.shape).toEqual([2, 224, 224, 3]);
    const bytes = writeTflite(model);
    const session = await litertAdapter.load({ bytes }, { backend: 'wasm' });
    try {
      for (let run = 0; run < 3; run++) {
        const [x] = inputsFor(model, 50 + run, 0, 1);
        const ref = await runTfjsLayers(a, x!, g.outputs[0]!);
        const got = await session.run([x!]);
        expect(got[0]!.shape).toEqual([2, 5]);
        // Per image: a [1, 5] row is classifier-shaped, so top-1 is checked too.
        for (let b = 0; b < 2; b++) {
          const row = (t: typeof ref) => ({ ...t, shape: [1, 5], data: (t.data as Float32Array).slice(b * 5, b * 5 + 5) });
          const cmp = compareOutputs([row(got[0]!)], [row(ref)]);
          expect(cmp.ok, cmp.detail).toBe(true);
        }
      }
    } finally {
      session.dispose();
    }
    const [x] = inputsFor(model, 9, 0, 1);
    const ref = await runTfjsLayers(a, x!, g.outputs[0]!);
    const rs = await verifyTflite(bytes, [x!], [ref], { runtimes: ['tfjs-tflite', 'armnn'] });
    for (const r of rs) expect(r.status, `${r.runtime}: ${r.detail}`).toBe('ok');
  }, 300_000);
});
