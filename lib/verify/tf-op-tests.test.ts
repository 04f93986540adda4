/**
 * The TF.js op coverage in the suite: the full run of scripts/tf-op-coverage.ts (seconds). Nothing
 * converted may be wrong or fail, every refusal names its op, every op of tfjs-converter's list has
 * a case or a not-expressible reason, and the passing cases are exactly those docs/tf-op-coverage.json
 * lists (regenerate the report when more pass).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { TF_CASES, TF_NOT_EXPRESSIBLE } from './tf-op-cases';
import { compareHost, runCoverage, tfCoverageTotals, tfjsOpList, type CaseResult } from './tf-op-tests';

const committed = (JSON.parse(readFileSync(path.resolve(__dirname, '../../docs/tf-op-coverage.json'), 'utf8')) as { pass: string[] }).pass;

describe('TF.js op list through tf-to-tfl and LiteRT.js, against tf.loadGraphModel', () => {
  const ops = tfjsOpList();
  it('finds the op list, and every case and reason belongs to it', () => {
    expect(ops.length).toBeGreaterThan(200);
    expect(TF_CASES.map((c) => c.op).filter((o) => !ops.includes(o))).toEqual([]);
    expect(Object.keys(TF_NOT_EXPRESSIBLE).filter((o) => !ops.includes(o))).toEqual([]);
    expect(TF_CASES.map((c) => c.op).filter((o) => TF_NOT_EXPRESSIBLE[o])).toEqual([]);
  });

  it('converts and matches what the report says: never wrong, refusals named', async () => {
    const results: CaseResult[] = await runCoverage();
    const t = tfCoverageTotals(results);
    const show = (o: string) => results.filter((r) => r.outcome === o).map((r) => `${r.id}: ${r.detail}`);
    expect(show('wrong')).toEqual([]);
    expect(show('failed')).toEqual([]);
    expect(results.filter((r) => r.outcome === 'refused' && !r.named).map((r) => `${r.id}: ${r.detail}`)).toEqual([]);
    const pass = new Set(results.filter((r) => r.outcome === 'pass').map((r) => r.id));
    expect(committed.filter((d) => !pass.has(d)), 'cases that passed when docs/tf-op-coverage.md was generated').toEqual([]);
    expect([...pass].filter((d) => !committed.includes(d)), 'newly passing: regenerate docs/tf-op-coverage.md').toEqual([]);
    console.info(`TF.js ops: ${t.pass} of ${t.expressible} expressible pass, ${t.refused} refused, ${t.notExpressible} not expressible, ${t.wrong} wrong`);
  }, 120_000);
});

describe('compareHost', () => {
  const want = { name: 'y', dtype: 'float32' as const, shape: [2], data: new Float32Array([1, 1000]) };
  it('accepts values within rtol * max(1, |a|), NaN against NaN', () => {
    expect(compareHost(0, want, { ...want, data: new Float32Array([1.00009, 1000.09]) }, 1e-4)).toBe('');
    expect(compareHost(0, { ...want, data: new Float32Array([NaN, 1]) }, { ...want, data: new Float32Array([NaN, 1]) }, 1e-4)).toBe('');
  });
  it('rejects a value just outside, a wrong shape, and inexact integers', () => {
    expect(compareHost(0, want, { ...want, data: new Float32Array([1.0002, 1000]) }, 1e-4)).toMatch(/output 0\[0\]/);
    expect(compareHost(0, want, { ...want, shape: [1, 2] }, 1e-4)).toMatch(/shape/);
    const ints = { name: 'i', dtype: 'int32' as const, shape: [1], data: new Int32Array([3]) };
    expect(compareHost(0, ints, { ...ints, data: new Int32Array([4]) }, 1e-4)).toMatch(/= 4, want 3/);
  });
});
