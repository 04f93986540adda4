/**
 * The quantization matrix (scripts/quant-matrix.ts -> docs/quant-matrix.md) on a few real
 * third-party models in every mode: each written .tflite runs in LiteRT.js and tfjs-tflite, Arm NN
 * runs it or names what it lacks, and integer outputs agree across runtimes and with the integer
 * reference within one step on >= 99.9% of elements.
 */
import { describe, expect, it } from 'vitest';
import { fixtureEntries } from '../../scripts/runtime-matrix';
import { MATRIX_MODES, quantizableFixture, quantMatrixRow } from '../../scripts/quant-matrix';

const IDS = ['mediapipe/face_detection_short_range', 'human/blazeface', 'openwakeword/embedding_model.onnx'];

describe.each(IDS)('%s', (id) => {
  it.each(Object.keys(MATRIX_MODES))('%s', async (mode) => {
    const e = fixtureEntries().find((x) => x.id === id);
    if (!e) throw new Error(`fixture ${id} is not in fixtures/manifest.json`);
    const q = await quantizableFixture(id, e.files);
    if ('reason' in q) throw new Error(`${id} is not quantizable: ${q.reason}`);
    const row = await quantMatrixRow(id, q.float, [mode]);
    const x = row.modes[mode]!;
    expect(x.error).toBeUndefined();
    const cells = x.check!.cells;
    for (const rt of ['litert', 'tfjs-tflite']) {
      const c = cells.find((k) => k.runtime === rt)!;
      expect(c.status, `${rt}: ${c.detail}`).toBe('ran');
    }
    const arm = cells.find((k) => k.runtime === 'armnn')!;
    expect(arm.status, arm.detail).not.toBe('error');
    if (x.check!.integerOutputs) {
      expect(cells.find((k) => k.runtime === 'reference')!.status).toBe('ran');
      // Every quantized layer, recomputed by the reference from each runtime's own inputs.
      for (const rt of ['litert', 'tfjs-tflite']) expect(cells.find((k) => k.runtime === rt)!.layers, rt).toBeDefined();
      expect(x.check!.worstWithinOne).toBeGreaterThanOrEqual(0.999);
      expect(x.check!.endToEnd).toBeGreaterThanOrEqual(0.999);
    }
    // Quantized, not left float: most nodes run integer in the integer modes.
    if (mode === 'int8') expect(x.int8).toBeGreaterThan(x.float);
  }, 240_000);
});
