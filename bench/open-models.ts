/**
 * The models bench/ui-open.ts opens in both apps: every fixture of 100-1,000 ops from
 * fixtures/manifest.json (all its files dropped together, primary first, as a user would pick
 * them) plus generated 5k- and 20k-op ONNX graphs written to a temp folder, since Netron gets
 * the same files from disk as we do.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { buildScopedOnnx } from '../e2e/support/onnx-build';

export interface BenchModel { id: string; ops: number; files: string[] }

interface ManifestEntry { id: string; files: string[]; nodeCount?: number; error?: unknown }

/** `tmp` holds the generated files: the caller removes it when done. */
export function openModels(root: string, only?: RegExp): { models: BenchModel[]; missing: string[]; tmp: string | null } {
  const manifest = JSON.parse(readFileSync(join(root, 'fixtures/manifest.json'), 'utf8')) as { models: ManifestEntry[] };
  const models: BenchModel[] = [];
  const missing: string[] = [];
  for (const e of manifest.models) {
    if (e.error || e.nodeCount === undefined || e.nodeCount < 100 || e.nodeCount > 1000) continue;
    if (only && !only.test(e.id)) continue;
    const files = e.files.map((f) => resolve(root, f));
    // third_party fixtures come from `node scripts/fetch-models.mjs`; say which are absent.
    if (files.every(existsSync)) models.push({ id: e.id, ops: e.nodeCount, files });
    else missing.push(e.id);
  }
  let dir: string | null = null;
  for (const blocks of [1000, 4000]) {
    const id = `generated/scoped-${blocks * 5}`;
    if (only && !only.test(id)) continue;
    dir ??= mkdtempSync(join(tmpdir(), 'ems-bench-'));
    const file = join(dir, `scoped-${blocks * 5}.onnx`);
    writeFileSync(file, buildScopedOnnx(blocks, 20));
    models.push({ id, ops: blocks * 5, files: [file] });
  }
  return { models, missing, tmp: dir };
}
