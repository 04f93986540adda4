import { describe, expect, it } from 'vitest';
import { armnnMissing, runArmnn } from './armnn';
import { haveFixture, randomF32, readFixture } from './test-support';

const FACE = 'third_party/mediapipe-face_detection/face_detection_short_range.tflite';
const OWW = 'third_party/openwakeword';

describe('Arm NN verifier (child process, CpuRef)', () => {
  it('is installed (scripts/install-test-deps.sh)', () => {
    expect(armnnMissing()).toBeNull();
  });

  it('runs own/add.tflite: out = a + b exactly, several input sets in one process', async () => {
    const sets = [4, 5].map((s) => [randomF32('a', [1, 4], s, -100, 100), randomF32('b', [1, 4], s + 10, -100, 100)]);
    const r = await runArmnn(readFixture('own/add.tflite'), sets);
    if (!r.ok) throw new Error(r.message);
    expect(r.inputs).toEqual([
      { name: 'a', dtype: 'float32', shape: [1, 4] },
      { name: 'b', dtype: 'float32', shape: [1, 4] },
    ]);
    sets.forEach(([a, b], k) => {
      const want = Array.from(a!.data as Float32Array, (x, i) => Math.fround(x + (b!.data as Float32Array)[i]!));
      expect(Array.from(r.outputSets[k]![0]!.data as Float32Array)).toEqual(want);
    });
  });

  it('reports a file that is not a TFLite flatbuffer as an error, not as unsupported', async () => {
    const bytes = readFixture('own/add.tflite').subarray(0, 120);
    const r = await runArmnn(bytes, [randomF32('a', [1, 4], 1), randomF32('b', [1, 4], 2)]);
    expect(r).toMatchObject({ ok: false, kind: 'error', stage: 'parse' });
  });

  it('reports an input dtype mismatch as an error', async () => {
    const a = { name: 'a', dtype: 'int32' as const, shape: [1, 4], data: Int32Array.from([1, 2, 3, 4]) };
    const r = await runArmnn(readFixture('own/add.tflite'), [a, randomF32('b', [1, 4], 2)]);
    expect(r).toMatchObject({ ok: false, kind: 'error', stage: 'inputs' });
  });

  it('says unsupported (weights from float16 DEQUANTIZE) and names the op', async () => {
    const r = await runArmnn(readFixture(FACE), [randomF32('input', [1, 128, 128, 3], 7)]);
    expect(r).toMatchObject({ ok: false, kind: 'unsupported', stage: 'parse', op: 'CONV_2D' });
    expect(r.ok || r.message).toMatch(/constant weights/);
  });

  it('names an operator it lacks (EXPAND_DIMS)', async () => {
    const r = await runArmnn(readFixture(`${OWW}/melspectrogram.tflite`), [randomF32('input', [1, 1280], 3)]);
    expect(r).toMatchObject({ ok: false, kind: 'unsupported', op: 'EXPAND_DIMS' });
  });

  it('says unsupported for several subgraphs', async () => {
    const r = await runArmnn(readFixture(`${OWW}/hey_jarvis_v0.1.tflite`), [randomF32('x', [1, 16, 96], 3)]);
    expect(r).toMatchObject({ ok: false, kind: 'unsupported' });
    expect(r.ok || r.message).toMatch(/one subgraph/);
  });
});
