import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { compileWat, KERNELS, moduleSource, outputOf } from '../../../scripts/build-wasm';
import { readFileSync } from 'node:fs';
import { seededRandom } from '../../runtime/host-tensor';
import { absMaxBlocks, quantizeBlocks, useWasmKernels, wasmKernelsAvailable, type Blocks } from './index';

afterEach(() => useWasmKernels(true));

function both<T>(f: () => T): [wasm: T, js: T] {
  useWasmKernels(true);
  const a = f();
  useWasmKernels(false);
  const b = f();
  useWasmKernels(true);
  return [a, b];
}

describe('weight kernels', () => {
  it('the committed wasm is what the .wat compiles to', async () => {
    for (const f of KERNELS) {
      expect(readFileSync(outputOf(f), 'utf8'), `${path.basename(f)}: run npx tsx scripts/build-wasm.ts`).toBe(moduleSource(f, await compileWat(f)));
    }
  });

  it('wasm SIMD is available in Node and Chromium', () => {
    expect(wasmKernelsAvailable()).toBe(true);
  });

  // Layouts: conv [O, H, W, I] along 0 (long inner), depthwise [1, H, W, C] along 3 (inner 1),
  // odd sizes for the scalar tails, one scale for all.
  const cases: Array<[string, Blocks]> = [['axis 0', [1, 7, 147]], ['last axis', [9, 13, 1]], ['per tensor', [1, 1, 1001]], ['tiny', [1, 3, 5]]];
  it.each(cases)('%s: wasm and JS give the same max and the same codes, rounding half away from zero', (_, b) => {
    const n = b[0] * b[1] * b[2];
    const rnd = seededRandom(n);
    const v = Float32Array.from({ length: n }, () => (rnd() - 0.5) * 3);
    v[3] = NaN; // ignored by the max, as in JS
    const [ma, mj] = both(() => absMaxBlocks(v, b));
    expect(Array.from(ma)).toEqual(Array.from(mj));
    v[3] = 0;
    // Exact ties: with inv = 2, w = k + 0.25 lands on k + 0.5 halves.
    for (let i = 0; i < Math.min(n, 40); i++) v[i] = (i - 20) / 2 + 0.25;
    const inv = Float32Array.from({ length: b[1] }, (_, c) => 2 + (c % 3 === 0 ? 0 : c / 7));
    const [qa, qj] = both(() => quantizeBlocks(v, b, inv, 127));
    expect(Array.from(qa)).toEqual(Array.from(qj));
    // The first six values share channel 0's scale of 2 where a channel is that long.
    if (b[2] >= 6) expect(Array.from(qj.subarray(0, 6))).toEqual([-20, -19, -18, -17, -16, -15]); // -9.75 * 2 = -19.5 -> -20
  });

  it('rounds the values next to .5 as std::round does (the SIMD path adds 0.49999997, not 0.5)', () => {
    const tricky = [0.49999997, -0.49999997, 0.5, -0.5, 1.5, 2.5, -2.5, 126.5, 1.4999999, -1.4999999, 0.25, 3.4999998, 0, -0, 7, -7];
    const v = Float32Array.from(tricky);
    const [a, j] = both(() => quantizeBlocks(v, [1, 1, v.length], Float32Array.of(1), 127));
    expect(Array.from(a)).toEqual([0, 0, 1, -1, 2, 3, -3, 127, 1, -1, 0, 3, 0, 0, 7, -7]);
    expect(Array.from(j)).toEqual(Array.from(a));
  });

  it('clamps to [-qmax, qmax] and keeps huge values from wrapping', () => {
    const v = Float32Array.from([1e30, -1e30, 200, -200, 126.5, -126.5, ...new Array(20).fill(1)]);
    const [a, j] = both(() => quantizeBlocks(v, [1, 1, v.length], Float32Array.of(1), 127));
    expect(Array.from(a.subarray(0, 6))).toEqual([127, -127, 127, -127, 127, -127]);
    expect(Array.from(a)).toEqual(Array.from(j));
  });
});

describe('quantizeSymmetric', () => {
  it.each([['axis 0', [1, 6, 64]], ['last axis', [50, 12, 1]], ['with an all-zero channel', [1, 3, 32]]] as Array<[string, Blocks]>)('%s: one-copy wasm path equals the two JS passes', async (name, b) => {
    const { quantizeSymmetric } = await import('./index');
    const n = b[0] * b[1] * b[2];
    const rnd = seededRandom(5);
    const zeroFirst = name.includes('all-zero');
    const v = Float32Array.from({ length: n }, (_, i) => (zeroFirst && i < b[2] ? 0 : (rnd() - 0.5) * 0.2));
    const [a, j] = both(() => quantizeSymmetric(v, b, 127));
    expect(a.scales).toEqual(j.scales);
    expect(Array.from(a.codes)).toEqual(Array.from(j.codes));
    expect(Math.max(...Array.from(a.codes, Math.abs))).toBe(127);
    if (zeroFirst) expect(Array.from(a.codes.subarray(0, b[2])).every((c) => c === 0)).toBe(true);
  });
});
