import { describe, expect, it } from 'vitest';
import type { ComparisonData } from '../compare/types';
import { renderReport } from './index';
import { sampleData } from './testing';

/** The "not faster" sentences: [int8 id, runtime · backend]. */
function slowClaims(html: string): string[] {
  return [...html.matchAll(/<p class="finding int8-slow">The int8 variant “[^”]*” \(([^)]*)\) is not faster than the float “[^”]*” \(([^)]*)\) on ([^:]*): median/g)]
    .map((m) => `${m[1]} vs ${m[2]} on ${m[3]}`);
}

/** Written out by hand for the sample: each int8 variant against its own float parent. */
function expectedClaims(d: ComparisonData): string[] {
  const med = (v: string, r: string): number | undefined => d.latencies.find((l) => l.variant === v && l.runtime === r)?.medianMs;
  const names: Record<string, string> = { litert: 'LiteRT.js · wasm', ort: 'onnxruntime-web · wasm', tfjs: 'TensorFlow.js · wasm' };
  const cases = [['v3', 'v1', 'litert'], ['v3', 'v1', 'tfjs'], ['v5', 'original', 'ort']] as const;
  return cases.filter(([q, f, r]) => med(q, r)! >= med(f, r)!).map(([q, f, r]) => `${q} vs ${f} on ${names[r]}`);
}

const setMedian = (d: ComparisonData, variant: string, runtime: string, ms: number): void => {
  d.latencies.find((l) => l.variant === variant && l.runtime === runtime)!.medianMs = ms;
};

describe('the "int8 is not faster" line under the latency chart', () => {
  it('the sample: QDQ int8 on onnxruntime-web is slower than float (as the README measured), LiteRT.js int8 is faster', () => {
    const html = renderReport(sampleData());
    expect(slowClaims(html)).toEqual(['v5 vs original on onnxruntime-web · wasm']);
    expect(html).toContain('The int8 variant “int8 QDQ .onnx” (v5) is not faster than the float “fashion-mnist-cnn.onnx” (original) on onnxruntime-web · wasm: median 0.405 ms vs 0.212 ms (1.91x the float time).');
  });

  it('appears for a tie (not faster includes equal) and not when every int8 variant is faster', () => {
    const d = sampleData();
    setMedian(d, 'v5', 'ort', 0.2);
    let html = renderReport(d);
    expect(html).not.toContain('is not faster');
    expect(html).toContain('Every int8 variant is faster than its float model on each runtime both were measured on (3 comparisons).');
    setMedian(d, 'v3', 'litert', 0.341);
    html = renderReport(d);
    expect(slowClaims(html)).toEqual(['v3 vs v1 on LiteRT.js · wasm']);
    expect(html).not.toContain('Every int8 variant is faster');
  });

  it('appears exactly for the pairs where the int8 median >= the float median (random medians)', () => {
    let seed = 12345;
    const rand = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let trial = 0; trial < 60; trial++) {
      const d = sampleData();
      // Coarse values so ties happen too.
      for (const l of d.latencies) { l.medianMs = 0.1 * (1 + Math.floor(rand() * 4)); l.p90Ms = l.medianMs * 1.2; }
      expect(slowClaims(renderReport(d)).sort(), `trial ${trial}`).toEqual(expectedClaims(d).sort());
    }
  });

  it('says nothing about int8 when no float model was timed on the same runtime', () => {
    const d = sampleData();
    d.latencies = d.latencies.filter((l) => l.variant === 'v3' || l.variant === 'v5');
    const html = renderReport(d);
    expect(html).not.toContain('is not faster');
    expect(html).not.toContain('Every int8 variant');
  });
});
