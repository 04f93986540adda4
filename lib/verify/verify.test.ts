import { describe, expect, it } from 'vitest';
import type { HostTensor } from '../runtime/types';
import { verifyTflite } from './index';
import { haveFixture, randomF32, readFixture } from './test-support';

const FACE = 'third_party/mediapipe-face_detection/face_detection_short_range.tflite';
const EMBED = 'third_party/openwakeword/embedding_model.tflite';

const byRuntime = (rs: Awaited<ReturnType<typeof verifyTflite>>) => Object.fromEntries(rs.map((r) => [r.runtime, r]));

describe('verifyTflite over the three runtimes', () => {
  const a = randomF32('a', [1, 4], 11, -10, 10);
  const b = randomF32('b', [1, 4], 12, -10, 10);
  const sum = (f: (x: number, y: number) => number): HostTensor => ({
    name: 'out',
    dtype: 'float32',
    shape: [1, 4],
    data: Float32Array.from(a.data as Float32Array, (x, i) => Math.fround(f(x, (b.data as Float32Array)[i]!))),
  });

  it('own/add.tflite: every runtime matches a + b computed here', async () => {
    const rs = await verifyTflite(readFixture('own/add.tflite'), [a, b], [sum((x, y) => x + y)]);
    expect(rs.map((r) => [r.runtime, r.status, r.maxAbs])).toEqual([
      ['litert', 'ok', 0],
      ['tfjs-tflite', 'ok', 0],
      ['armnn', 'ok', 0],
    ]);
    expect(rs.every((r) => r.comparedWith?.[0] === 'reference')).toBe(true);
  });

  it('own/add.tflite: a wrong reference (a - b) is a mismatch in every runtime', async () => {
    const rs = await verifyTflite(readFixture('own/add.tflite'), [a, b], [sum((x, y) => x - y)]);
    expect(rs.map((r) => r.status)).toEqual(['mismatch', 'mismatch', 'mismatch']);
    expect(rs[0]!.detail).toMatch(/MISMATCH/);
  });

  it('face_detection (float16 weights): LiteRT and tfjs-tflite agree, Arm NN says unsupported', async () => {
    const rs = byRuntime(await verifyTflite(readFixture(FACE), [randomF32('input', [1, 128, 128, 3], 21)]));
    expect(rs.litert).toMatchObject({ status: 'ok', comparedWith: ['tfjs-tflite'] });
    expect(rs['tfjs-tflite']).toMatchObject({ status: 'ok', comparedWith: ['litert'] });
    expect(rs.litert!.outputs!.map((o) => o.shape)).toEqual([[1, 896, 16], [1, 896, 1]]);
    expect(rs.litert!.maxAbs).toBeLessThan(1e-2);
    expect(rs.armnn).toMatchObject({ status: 'unsupported', op: 'CONV_2D' });
  });

  it('openwakeword embedding model: the three runtimes agree with each other', async () => {
    const rs = await verifyTflite(readFixture(EMBED), [randomF32('input_1', [1, 76, 32, 1], 31, -2, 2)]);
    for (const r of rs) {
      expect(r.status, `${r.runtime}: ${r.detail}`).toBe('ok');
      expect(r.comparedWith).toHaveLength(2);
    }
    const out = rs[0]!.outputs![0]!;
    expect(out.shape).toEqual([1, 1, 1, 96]);
    // Not a degenerate output: the agreement above means something.
    const v = Array.from(out.data as Float32Array);
    expect(Math.max(...v) - Math.min(...v)).toBeGreaterThan(1);
  });
});
