/**
 * Every fixture model (fixtures/manifest.json, non-error entries) either converts to .tflite and
 * agrees with its original in every runtime that supports its ops, or stops with a report naming
 * the unsupported ops. scripts/runtime-matrix.ts runs the same checkFixture and writes the table
 * in docs/runtime-matrix.md.
 */
import { describe, expect, it } from 'vitest';
import { checkFixture, entryPresent, fixtureEntries, type FixtureRow } from '../../scripts/runtime-matrix';

/**
 * Converted models that no runtime here can run, and why: each runtime must say 'unsupported'
 * (or fail) for them, never 'ok' with wrong numbers. Moving a model out of here is progress.
 */
const NO_RUNTIME_RUNS: Record<string, string> = {
  // int64/bool graph I/O now runs in LiteRT.js through an int32 bridge (lib/formats/tflite/write/cast-io.ts);
  // tfjs-tflite and Arm NN still say 'unsupported' for those.
  'onnx-node/test_cast_FLOAT_to_FLOAT16': 'float16 output: no float16 graph I/O in the three runtimes',
  'onnx-node/test_cast_FLOAT16_to_FLOAT': 'float16 input',
  'onnx-node/test_cast_FLOAT_to_DOUBLE': 'float64 output',
  'onnx-node/test_castlike_FLOAT_to_FLOAT16_expanded': 'float16 input',
  // Einsum lowers, but its graph is float64 end to end: no float64 graph I/O in LiteRT.js or
  // Arm NN, and tfjs-tflite's BATCH_MATMUL has no float64 kernel.
  'onnx-node/test_einsum_batch_matmul': 'float64 input and BATCH_MATMUL',
};

/** The converter throws instead of reporting: bugs, asserted so a fix shows up here. */
const CONVERTER_THROWS: Record<string, RegExp> = {};

/** Models whose outcome is part of the acceptance, asserted by name. */
const MUST_RUN: Record<string, Array<'litert' | 'tfjs-tflite' | 'armnn'>> = {
  'fashion-mnist-cnn': ['litert', 'tfjs-tflite', 'armnn'],
  'openwakeword/embedding_model.onnx': ['litert', 'tfjs-tflite', 'armnn'],
  'openwakeword/alexa_v0.1.onnx': ['litert', 'tfjs-tflite', 'armnn'],
  'openwakeword/hey_jarvis_v0.1.onnx': ['litert', 'tfjs-tflite'],
  'openwakeword/melspectrogram.onnx': ['litert', 'tfjs-tflite'],
  'mediapipe/face_detection_short_range': ['litert', 'tfjs-tflite'],
  'human/blazeface': ['litert', 'tfjs-tflite', 'armnn'],
  // With sr fixed to 16000 (INPUT_VALUES in scripts/runtime-matrix.ts) the If nest folds.
  'silero-vad/v5': ['litert'],
  'silero-vad/legacy': ['litert', 'tfjs-tflite'],
  // Node tests with run-time weights convert with them fixed to the test's values.
  'onnx-node/test_lstm_defaults': ['litert', 'tfjs-tflite', 'armnn'],
  'onnx-node/test_conv_with_strides_padding': ['litert', 'tfjs-tflite', 'armnn'],
};
// Ops no TFLite builtin or composition expresses here: the conversion stops naming them.
const MUST_STOP: Record<string, string> = { 'onnx-node/test_loop11': 'onnx.Loop', 'onnx-node/test_scan_sum': 'onnx.Scan' };

const cellsText = (r: FixtureRow) => r.cells.map((c) => `${c.runtime}: ${c.status} ${c.detail}`).join('\n');

describe('every fixture converts and agrees, or stops naming its ops', () => {
  const entries = fixtureEntries().filter(entryPresent);
  it('has the fixtures', () => expect(entries.length).toBeGreaterThan(30));

  for (const e of entries) {
    it(e.id, async () => {
      const r = await checkFixture(e);
      if (CONVERTER_THROWS[e.id]) {
        expect(r.outcome).toBe('failed');
        expect(r.notes.join()).toMatch(CONVERTER_THROWS[e.id]!);
        return;
      }
      expect(r.outcome, r.notes.join('; ')).not.toBe('failed');
      if (MUST_STOP[e.id]) expect(r.unsupported.map((u) => u.op)).toContain(MUST_STOP[e.id]);
      if (r.outcome === 'unavailable') {
        // A dialect whose lowering is not registered: said so, nothing written.
        expect(r.notes.join()).toMatch(/not available yet/);
        return;
      }
      if (r.outcome === 'unsupported') {
        expect(r.unsupported.length).toBeGreaterThan(0);
        for (const u of r.unsupported) {
          expect(u.op).toMatch(/\S/);
          expect(u.count).toBe(u.nodes.length);
          expect(u.nodes.every((n) => typeof n === 'string' && n.length > 0)).toBe(true);
        }
        return;
      }
      expect(MUST_STOP[e.id]).toBeUndefined();
      expect(r.cells.map((c) => c.runtime)).toEqual(['litert', 'tfjs-tflite', 'armnn']);
      expect(r.cells.filter((c) => c.status === 'mismatch'), cellsText(r)).toEqual([]);
      for (const c of r.cells) if (c.status === 'unsupported') expect(c.op ?? c.detail, cellsText(r)).toMatch(/\S/);
      if (NO_RUNTIME_RUNS[e.id]) {
        expect(r.cells.some((c) => c.status === 'ok'), cellsText(r)).toBe(false);
        return;
      }
      expect(r.cells.some((c) => c.status === 'ok'), cellsText(r)).toBe(true);
      // Models with an original that runs here are checked against it, not only against each other.
      if (r.format !== 'tfjs-layers') expect(r.reference?.status, r.reference?.detail).toBe('ok');
      for (const rt of MUST_RUN[e.id] ?? []) expect(r.cells.find((c) => c.runtime === rt)?.status, cellsText(r)).toBe('ok');
    }, 120_000);
  }
});
