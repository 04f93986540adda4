/**
 * Data-driven reader tests: fixtures/manifest.json lists each model with facts computed by an
 * independent tool (python onnx, a separate FlatBuffer walk, python json), or the error a
 * corrupt file must produce.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadInputFiles } from '../../cli/files';
import { summarize } from '../ir/summary';
import { ModelFormatError } from './errors';
import { readModel } from './registry';

interface Io { name: string; dtype: string; shape: unknown[] | null }
interface Entry {
  id: string;
  files: string[];
  format?: string;
  nodeCount?: number;
  ops?: Record<string, number>;
  inputs?: Io[];
  outputs?: Io[];
  error?: { format: string | null; match: string };
}

const ROOT = path.resolve(__dirname, '..', '..');
const raw = JSON.parse(readFileSync(path.join(ROOT, 'fixtures', 'manifest.json'), 'utf8')) as { models: Entry[] } | Entry[];
const entries = Array.isArray(raw) ? raw : raw.models;
const abs = (p: string) => (path.isAbsolute(p) ? p : path.join(ROOT, p));

describe('fixture manifest', () => {
  it('has models of every format and corrupt files', () => {
    const formats = new Set(entries.map((e) => e.format));
    for (const f of ['onnx', 'tflite', 'tfjs-graph', 'tfjs-layers']) expect(formats, f).toContain(f);
    expect(entries.filter((e) => e.error).length).toBeGreaterThan(5);
  });

  for (const e of entries) {
    it(`${e.id}${e.error ? ' fails as expected' : ''}`, async () => {
      const missing = e.files.map(abs).filter((f) => !existsSync(f));
      expect(missing, 'fixture files missing: run `npm install` (scripts/fetch-models.mjs) or install libonnx-testdata').toEqual([]);
      const files = await loadInputFiles(e.files.map(abs));
      if (e.error) {
        const err = await readModel(files).then(() => null, (x: unknown) => x);
        expect(err, 'expected an error').toBeInstanceOf(ModelFormatError);
        const fe = err as ModelFormatError;
        expect(fe.message).toMatch(new RegExp(e.error.match, 'i'));
        if (e.error.format) expect(fe.format).toBe(e.error.format);
        expect(fe.message).toContain(fe.file);
        return;
      }
      const s = summarize(await readModel(files));
      expect(s.format).toBe(e.format);
      expect(s.nodeCount).toBe(e.nodeCount);
      if (e.ops) expect(s.ops).toEqual(e.ops);
      // A key the manifest leaves out is not checked (the independent tool could not tell).
      const pick = (ours: Io[], theirs: Io[]) => ours.map((t, i) => {
        const want = theirs[i] ?? ({} as Partial<Io>);
        return Object.fromEntries(Object.keys(want).map((k) => [k, t[k as keyof Io]]));
      });
      if (e.inputs) expect(pick(s.inputs, e.inputs)).toEqual(e.inputs);
      if (e.outputs) expect(pick(s.outputs, e.outputs)).toEqual(e.outputs);
    });
  }
});
