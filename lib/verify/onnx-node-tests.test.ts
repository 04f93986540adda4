/**
 * The converter on ONNX's own node tests, in the suite: the full run of scripts/op-coverage.ts
 * (a few seconds). Nothing converted may be wrong, every refusal names its op, and every test
 * docs/op-coverage.json lists as passing still passes (regenerate the report when more do).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { coverageTotals } from './coverage-report';
import { compareOutput, nodeTestDirs, runNodeTest, type CaseResult } from './onnx-node-tests';

const committed = (JSON.parse(readFileSync(path.resolve(__dirname, '../../docs/op-coverage.json'), 'utf8')) as { pass: string[] }).pass;

describe('ONNX node tests through the converter and LiteRT.js', () => {
  const dirs = nodeTestDirs();
  it('finds the test data (Debian libonnx-testdata)', () => expect(dirs.length).toBeGreaterThan(500));

  it('converts and matches what the report says, never silently wrong, refusals named', async () => {
    const results: CaseResult[] = [];
    for (const d of dirs) results.push(await runNodeTest(d));
    const t = coverageTotals(results);
    expect(results.filter((r) => r.outcome === 'wrong').map((r) => `${r.test}: ${r.detail}`)).toEqual([]);
    expect(results.filter((r) => r.outcome === 'refused' && !r.named).map((r) => `${r.test}: ${r.detail}`)).toEqual([]);
    const pass = new Set(results.filter((r) => r.outcome === 'pass').map((r) => r.test));
    expect(committed.filter((d) => !pass.has(d)), 'tests that passed when docs/op-coverage.md was generated').toEqual([]);
    expect([...pass].filter((d) => !committed.includes(d)), 'newly passing: regenerate docs/op-coverage.md').toEqual([]);
    console.info(`ONNX node tests: ${t.pass} of ${t.expressible} expressible pass, ${t.refusedExpressible} refused, ${t.failed} failed, ${t.wrong} wrong`);
  }, 300_000);
});

describe('compareOutput', () => {
  const want = { name: 'y', dtype: 'float32' as const, shape: [2], data: new Uint8Array(new Float32Array([1, 1000]).buffer) };
  it('accepts values within rtol = atol', () => {
    expect(compareOutput(0, want, { name: 'y', dtype: 'float32', shape: [2], data: new Float32Array([1.00009, 1000.09]) }, 1e-4)).toBe('');
  });
  it('rejects a value just outside, a wrong shape, and inexact integers', () => {
    expect(compareOutput(0, want, { name: 'y', dtype: 'float32', shape: [2], data: new Float32Array([1.0002, 1000]) }, 1e-4)).toMatch(/output 0\[0\]/);
    expect(compareOutput(0, want, { name: 'y', dtype: 'float32', shape: [1, 2], data: new Float32Array([1, 1000]) }, 1e-4)).toMatch(/shape/);
    const ints = { name: 'i', dtype: 'int64' as const, shape: [1], data: new Uint8Array(new BigInt64Array([3n]).buffer) };
    expect(compareOutput(0, ints, { name: 'i', dtype: 'int64', shape: [1], data: new BigInt64Array([4n]) }, 1e-4)).toMatch(/= 4, want 3/);
  });
});
