/** Test-only helpers for the tfjs executor tests: model loading, comparison with a tolerance. */
import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import type { Model } from '../../ir/types';
import { readModel } from '../../formats/registry';
import type { HostTensor } from '../types';

export const bytesOf = (p: string) => new Uint8Array(readFileSync(p));

/** Reads a model file; a TF.js model.json brings its .bin shard(s) named in the manifest. */
export async function loadModel(path: string): Promise<Model> {
  const name = path.split('/').pop()!;
  const files = [{ name, bytes: bytesOf(path) }];
  if (path.endsWith('.json')) {
    const json = JSON.parse(readFileSync(path, 'utf8')) as { weightsManifest?: Array<{ paths: string[] }> };
    const dir = path.slice(0, path.lastIndexOf('/') + 1);
    for (const g of json.weightsManifest ?? []) for (const p of g.paths) files.push({ name: p, bytes: bytesOf(dir + p) });
  }
  return readModel(files);
}

export interface Agreement { maxDiff: number; range: number; tol: number; top1Same: boolean }

function argmax(a: ArrayLike<number | bigint>): number {
  let best = 0;
  for (let i = 1; i < a.length; i++) if (Number(a[i]) > Number(a[best])) best = i;
  return best;
}

/**
 * The tolerance: max |diff| <= 1e-4 * output range (with a floor of 1e-4 * max |value|
 * so a constant or one-element output is not held to exactly 0), and the same top-1.
 */
export function agreement(got: HostTensor, want: { data: ArrayLike<number | bigint>; shape: readonly number[] }): Agreement {
  let lo = Infinity, hi = -Infinity, absMax = 0, maxDiff = 0;
  for (let i = 0; i < want.data.length; i++) {
    const w = Number(want.data[i]);
    const g = Number(got.data[i]);
    lo = Math.min(lo, w);
    hi = Math.max(hi, w);
    absMax = Math.max(absMax, Math.abs(w));
    const d = Math.abs(w - g);
    maxDiff = Math.max(maxDiff, Number.isNaN(d) ? Infinity : d);
  }
  const range = hi - lo;
  return { maxDiff, range, tol: 1e-4 * Math.max(range, absMax, 1e-3), top1Same: argmax(got.data) === argmax(want.data) };
}

export function expectAgree(label: string, got: HostTensor, want: { data: ArrayLike<number | bigint>; shape: readonly number[] }): Agreement {
  expect(got.shape, `${label} shape`).toEqual([...want.shape]);
  expect(got.data.length, `${label} size`).toBe(want.data.length);
  const a = agreement(got, want);
  expect(a.maxDiff, `${label}: max |diff| ${a.maxDiff} vs tolerance ${a.tol} (range ${a.range})`).toBeLessThanOrEqual(a.tol);
  expect(a.top1Same, `${label} top-1`).toBe(true);
  return a;
}
