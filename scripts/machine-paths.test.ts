import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { machinePaths, projectFiles, scanProject } from './machine-paths';

describe('machinePaths', () => {
  it('flags /tmp, home and workspace paths in code', () => {
    // Built from parts so that this file itself names no machine path.
    const r = (s: string) => `/${s}`;
    const text = [
      `const a = path.join('${r('tmp/package')}', base);`,
      `read("${r('root/.cache/models/x.bin')}")`,
      `const b = \`${r('home/me/data')}\`;`,
      "const c = '~/.cache/netron';",
      'cd /work/main && ls',
    ].join('\n');
    expect(machinePaths(text).map((h) => [h.line, h.path])).toEqual([
      [1, r('tmp/package')], [2, r('root/.cache/models/x.bin')], [3, r('home/me/data')], [4, '~/.cache/netron'], [5, '/work/main'],
    ]);
  });

  it('allows the documented Debian install locations, URLs and app paths', () => {
    const text = [
      "const DATA = '/usr/share/libonnx-testdata/data/node';",
      "process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'",
      '#!/usr/bin/env bash',
      "fetch('/models/fashion-mnist-cnn.onnx')",
      'see https://example.org/tmp/x and fixtures/tmp/y',
      "'/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz'",
    ].join('\n');
    expect(machinePaths(text)).toEqual([]);
  });

  it('flags other /usr paths than the listed packages', () => {
    expect(machinePaths("'/usr/local/lib/libtensorflow.so'").map((h) => h.path)).toEqual(['/usr/local/lib/libtensorflow.so']);
  });
});

describe('the project', () => {
  const root = path.resolve(__dirname, '..');

  it('scans the code, scripts and docs (and not node_modules or fetched models)', () => {
    const files = projectFiles(root);
    expect(files).toContain('scripts/fetch-models.mjs');
    expect(files).toContain('.ci/run');
    expect(files).toContain('README.md');
    expect(files.some((f) => f.includes('node_modules') || f.includes('third_party'))).toBe(false);
  });

  it('names no absolute machine path outside the documented install locations', () => {
    // This file's own examples are the only strings allowed to break the rule.
    const hits = scanProject(root).filter((h) => h.file !== path.join('scripts', 'machine-paths.test.ts'));
    expect(hits.map((h) => `${h.file}:${h.line}: ${h.path}`)).toEqual([]);
  });
});
