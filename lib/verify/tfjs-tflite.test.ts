import { describe, expect, it } from 'vitest';
import { runTfjsTflite, tfjsTfliteMissing } from './tfjs-tflite';
import { haveFixture, randomF32, readFixture } from './test-support';

const FACE = 'third_party/mediapipe-face_detection/face_detection_short_range.tflite';
const SELFIE = 'third_party/mediapipe-selfie_segmentation/selfie_segmentation.tflite';

describe('tfjs-tflite verifier (child process)', () => {
  it('is installed (scripts/install-test-deps.sh)', () => {
    expect(tfjsTfliteMissing()).toBeNull();
  });

  it('runs own/add.tflite: out = a + b exactly, several input sets in one process', async () => {
    const sets = [1, 2, 3].map((s) => [randomF32('a', [1, 4], s, -100, 100), randomF32('b', [1, 4], s + 10, -100, 100)]);
    const r = await runTfjsTflite(readFixture('own/add.tflite'), sets);
    if (!r.ok) throw new Error(r.message);
    expect(r.inputs.map((i) => i.name)).toEqual(['a', 'b']);
    expect(r.outputSets).toHaveLength(3);
    sets.forEach(([a, b], k) => {
      const out = r.outputSets[k]![0]!;
      expect(out).toMatchObject({ dtype: 'float32', shape: [1, 4] });
      const want = Array.from(a!.data as Float32Array, (x, i) => Math.fround(x + (b!.data as Float32Array)[i]!));
      expect(Array.from(out.data as Float32Array)).toEqual(want);
    });
  });

  it('reports a wrong input shape as an error naming the input', async () => {
    const r = await runTfjsTflite(readFixture('own/add.tflite'), [randomF32('a', [1, 5], 1), randomF32('b', [1, 4], 2)]);
    expect(r).toMatchObject({ ok: false, kind: 'error' });
    expect(r.ok || r.message).toMatch(/input 0 \(a\) wants shape \[1,4\]/);
  });

  it('reports a truncated file as an error, not unsupported and not a crash', async () => {
    const r = await runTfjsTflite(readFixture('own/add.tflite').subarray(0, 200), [randomF32('a', [1, 4], 1), randomF32('b', [1, 4], 2)]);
    expect(r).toMatchObject({ ok: false, kind: 'error', stage: 'load' });
  });

  it('names the custom op it lacks (selfie_segmentation)', async () => {
    const r = await runTfjsTflite(readFixture(SELFIE), [randomF32('input', [1, 256, 256, 3], 5)]);
    expect(r).toMatchObject({ ok: false, kind: 'unsupported', op: 'Convolution2DTransposeBias' });
  });

  it('runs the float16-weight face detector with both outputs', async () => {
    const r = await runTfjsTflite(readFixture(FACE), [randomF32('input', [1, 128, 128, 3], 7)]);
    if (!r.ok) throw new Error(r.message);
    expect(r.outputs.map((o) => [o.name, o.shape])).toEqual([
      ['regressors', [1, 896, 16]],
      ['classificators', [1, 896, 1]],
    ]);
    expect(Array.from(r.outputs[0]!.data as Float32Array).every(Number.isFinite)).toBe(true);
  });
});
