/**
 * Test helpers: locating the third-party TF.js models (fetched by scripts/fetch-models.mjs into
 * fixtures/third_party) and loading a model.json
 * together with the shard files its manifest names.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Tensor } from '../../../ir/types';
import { tensorValues } from '../../../ir/values';
import type { InputFile } from '../../types';
import { tfjsFormat } from '../index';

const here = path.dirname(fileURLToPath(import.meta.url));
export const repoRoot = path.resolve(here, '../../../..');

export function fixturePath(key: string): string {
  const file = path.join(repoRoot, 'fixtures/third_party', key);
  if (existsSync(file)) return file;
  throw new Error(`fixture ${key} not found: run npm install (scripts/fetch-models.mjs) to fetch fixtures`);
}

/** model.json plus its shards (read from the model's folder), as the app would be given them. */
export function loadFixture(key: string): InputFile[] {
  const file = fixturePath(key);
  const bytes = new Uint8Array(readFileSync(file));
  const primary: InputFile = { name: path.basename(file), bytes };
  const shards = (tfjsFormat.companions?.(primary) ?? []).map((p) => {
    const shardFile = path.join(path.dirname(file), path.basename(p));
    return { name: path.basename(p), bytes: new Uint8Array(readFileSync(shardFile)) };
  });
  return [primary, ...shards];
}

export interface ExpectedSample { name: string; indices: number[]; values: number[] }
export interface ExpectedModel {
  kind: 'graph' | 'layers';
  nodeCount: number;
  ops: Record<string, number>;
  inputCount: number;
  constCount?: number;
  weightCount: number;
  samples: Record<string, ExpectedSample>;
}

export function expectedModels(): Record<string, ExpectedModel> {
  return JSON.parse(readFileSync(path.join(here, 'expected.json'), 'utf8')) as Record<string, ExpectedModel>;
}

const enc = new TextEncoder();

/** A model.json InputFile from an object. */
export function jsonFile(doc: unknown, name = 'model.json'): InputFile {
  return { name, bytes: enc.encode(JSON.stringify(doc)) };
}

export function f32Bytes(values: number[]): Uint8Array {
  return new Uint8Array(Float32Array.from(values).buffer);
}

/** A numeric constant's values as plain numbers (int64 excluded: none of these tests use it). */
export function nums(t: Tensor | undefined): number[] {
  const v = t ? tensorValues(t) : null;
  if (!v) throw new Error(`tensor ${t?.name} has no numeric data`);
  return Array.from(v as ArrayLike<number>);
}
