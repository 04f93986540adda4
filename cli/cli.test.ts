import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { cli, ROOT } from './test-cli';
import { describe, expect, it } from 'vitest';

interface Entry { id: string; files: string[]; format?: string; nodeCount?: number; error?: unknown }
const entries = (JSON.parse(readFileSync(path.join(ROOT, 'fixtures', 'manifest.json'), 'utf8')) as { models: Entry[] }).models;


describe('cli inspect (the real process)', () => {
  // One model per format keeps this quick; the manifest test covers every model through the same code.
  const picks = ['onnx', 'tflite', 'tfjs-graph', 'tfjs-layers']
    .map((f) => entries.find((e) => e.format === f && !e.error && !e.id.startsWith('own/') && !e.id.startsWith('corrupt/') && e.files.every((p) => existsSync(path.resolve(ROOT, p)))))
    .filter((e) => e !== undefined);

  it('finds a model of each format', () => expect(picks.length).toBe(4));

  for (const e of picks) {
    it(`--json for ${e.id} (${e.format})`, () => {
      // Only the primary file: TF.js shards must be found beside model.json.
      const r = cli(['inspect', e.files[0]!, '--json']);
      expect(r.err).toBe('');
      const j = JSON.parse(r.out) as Record<string, unknown>;
      expect(j.format).toBe(e.format);
      expect(j.nodeCount).toBe(e.nodeCount);
      for (const k of ['ops', 'inputs', 'outputs', 'parameters', 'bytes']) expect(j).toHaveProperty(k);
      expect(j.parameters).toBeGreaterThan(0);
    });
  }

  it('names the file, the format and the cause on a corrupt file, with a non-zero exit', () => {
    const bad = entries.find((e) => e.error && e.files.length === 1 && existsSync(path.resolve(ROOT, e.files[0]!)));
    expect(bad).toBeTruthy();
    const r = cli(['inspect', bad!.files[0]!]);
    expect(r.code).not.toBe(0);
    expect(r.err).toContain(path.basename(bad!.files[0]!));
    expect(r.err).toMatch(/cannot read as|not recognised/);
  });
});
