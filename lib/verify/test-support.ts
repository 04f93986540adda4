/** Helpers for the verifier tests: fixture paths and seeded inputs (no runtime code). */
import fs from 'node:fs';
import path from 'node:path';
import type { HostTensor } from '../runtime/types';

export const ROOT = path.resolve(__dirname, '..', '..');
export const fixture = (rel: string) => path.join(ROOT, 'fixtures', rel);
export const haveFixture = (rel: string) => fs.existsSync(fixture(rel));
export const readFixture = (rel: string) => new Uint8Array(fs.readFileSync(fixture(rel)));

/** mulberry32, so every run feeds the runtimes the same numbers. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function randomF32(name: string, shape: number[], seed: number, lo = -1, hi = 1): HostTensor {
  const rnd = seeded(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  return { name, dtype: 'float32', shape, data: Float32Array.from({ length: n }, () => lo + (hi - lo) * rnd()) };
}
