import { describe, expect, it } from 'vitest';
import { esc, jsonForScript } from './escape';
import { fmtBytes, fmtDate, fmtDb, fmtInt, fmtMs, fmtPct, fmtRatio } from './format';
import { logDomain, niceTicks, truncate } from './svg';

describe('number formats', () => {
  it('sizes: decimal KB / MB with 3 significant digits', () => {
    expect(fmtBytes(628_048)).toBe('628 KB');
    expect(fmtBytes(161_452)).toBe('161 KB');
    expect(fmtBytes(15_234)).toBe('15.2 KB');
    expect(fmtBytes(999)).toBe('999 B');
    expect(fmtBytes(999_600)).toBe('1.00 MB');
    expect(fmtBytes(12_345_678)).toBe('12.3 MB');
    expect(fmtBytes(100_600_000)).toBe('101 MB');
    expect(fmtInt(628_048)).toBe('628,048');
  });

  it('accuracy to 2 decimals in %, SQNR to 0.1 dB, ratios to 0.01', () => {
    expect(fmtPct(0.8991)).toBe('89.91%');
    expect(fmtPct(1)).toBe('100.00%');
    expect(fmtDb(28.44)).toBe('28.4 dB');
    expect(fmtDb(Infinity)).toBe('∞ dB');
    expect(fmtRatio(161_452 / 628_412)).toBe('0.26x');
  });

  it('latency: 3 significant digits, never an exponent', () => {
    expect(fmtMs(3.5)).toBe('3.50 ms');
    expect(fmtMs(0.8534)).toBe('0.853 ms');
    expect(fmtMs(12.34)).toBe('12.3 ms');
    expect(fmtMs(202.4)).toBe('202 ms');
    expect(fmtMs(1234.5)).toBe('1,235 ms');
    expect(fmtMs(NaN)).toBe('—');
  });

  it('dates in UTC to the minute', () => {
    expect(fmtDate('2025-06-03T09:45:12.000Z')).toBe('2025-06-03 09:45 UTC');
    expect(fmtDate('yesterday')).toBe('yesterday');
  });
});

describe('escaping', () => {
  it('HTML text and attributes', () => {
    expect(esc(`<a href="x" title='y'>&</a>`)).toBe('&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;');
  });

  it('JSON inside a script element cannot close it and parses back', () => {
    const v = { s: '</script><!-- & \u2028 -->' };
    const j = jsonForScript(v);
    expect(j).not.toMatch(/[<>&\u2028]/);
    expect(JSON.parse(j)).toEqual(v);
  });

  it('long names keep both ends', () => {
    expect(truncate('/encoder/layer1/attention/MatMul_3', 16)).toBe('/encoder…atMul_3');
  });
});

describe('axis ticks', () => {
  it('log size ticks: at least 3, inside the domain, each a 3-digit size', () => {
    for (const sizes of [[161_452, 628_048], [628_000], [10_000, 100_000_000], [400_000, 420_000], [900, 2_000_000]]) {
      const { lo, hi, ticks } = logDomain(sizes);
      expect(ticks.length, String(sizes)).toBeGreaterThanOrEqual(3);
      expect(ticks.length, String(sizes)).toBeLessThanOrEqual(12);
      for (const t of ticks) { expect(t).toBeGreaterThanOrEqual(lo); expect(t).toBeLessThanOrEqual(hi); expect(fmtBytes(t)).toMatch(/^\d{1,3}(\.\d{1,2})? [KMG]?B$/); }
      expect(lo).toBeLessThan(Math.min(...sizes));
      expect(hi).toBeGreaterThan(Math.max(...sizes));
    }
    expect(logDomain([161_452, 628_048]).ticks.map(fmtBytes)).toEqual(['150 KB', '200 KB', '300 KB', '400 KB', '500 KB', '600 KB']);
  });

  it('linear ticks cover the range on round steps', () => {
    expect(niceTicks(89.5, 90.5, 5)).toEqual([89.4, 89.6, 89.8, 90, 90.2, 90.4, 90.6]);
    expect(niceTicks(0, 0.522, 5)).toEqual([0, 0.2, 0.4, 0.6]);
    expect(niceTicks(0, 2.31, 5)).toEqual([0, 0.5, 1, 1.5, 2, 2.5]);
  });
});
