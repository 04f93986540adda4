'use client';
import type { ComparisonData, LatencyResult, VariantSummary } from '@/lib/compare/types';
import type { StudioState } from '@/lib/store/studio-store';

export function deviceString(s: Pick<StudioState, 'availability'>): string {
  const nav = typeof navigator !== 'undefined' ? navigator : undefined;
  const a = s.availability;
  const backends = a ? Object.entries(a.backends).map(([r, b]) => `${r} ${b.join('/')}`).join(', ') : 'not probed';
  return `${nav?.userAgent ?? 'unknown browser'}; ${nav?.hardwareConcurrency ?? '?'} cores; wasm threads ${a?.threads ?? '?'}; ${backends}`;
}

/** The original, the converted model and every variant, as rows of one comparison. */
export function variantRows(s: StudioState): VariantSummary[] {
  const m = s.model;
  if (!m) return [];
  const rows: VariantSummary[] = [{
    id: 'original', label: 'original', format: m.summary.format as VariantSummary['format'], mode: 'float', fileName: m.summary.name,
    bytes: s.originalSize?.bytes ?? m.summary.bytes, gzipBytes: s.originalSize?.gzipBytes ?? 0, recipe: [],
  }];
  if (s.conversion?.converted && s.conversion.bytes) {
    rows.push({ id: 'converted', label: 'converted', parent: 'original', format: 'tflite', mode: 'float', fileName: `${m.summary.name}.tflite`, bytes: s.conversion.bytes, gzipBytes: 0, recipe: s.conversion.recipe });
  }
  for (const v of s.variants) {
    rows.push({
      id: v.id, label: v.label, parent: 'original', format: v.target, mode: v.label, fileName: v.fileName, bytes: v.bytes, gzipBytes: v.gzipBytes, recipe: v.recipe,
    });
  }
  // The export check: the file's own bytes ran in the runtime that reads its format (the evaluation does that).
  for (const r of rows) {
    const e = latestEval(s, r.id);
    if (e) r.exportCheck = { ok: true, detail: `ran in ${e.runtime} (${e.backend}) on ${e.dataset}` };
  }
  return rows;
}

export function latencyRows(s: StudioState): LatencyResult[] {
  const device = deviceString(s);
  return s.runs.map((r) => ({ variant: r.variant, runtime: r.runtime, backend: r.backend, runs: r.latency.runs, warmup: r.warmup ?? 0, medianMs: r.latency.medianMs, p90Ms: r.latency.p90Ms, device, at: r.at }));
}

export function comparisonData(s: StudioState): ComparisonData {
  const m = s.model!;
  return {
    model: { name: m.summary.name, format: m.summary.format, bytes: m.summary.bytes },
    device: deviceString(s),
    variants: variantRows(s),
    evals: s.evals,
    latencies: latencyRows(s),
    layerErrors: s.layerErrors,
    generatedAt: new Date().toISOString(),
  };
}

/** The newest evaluation of a variant (any runtime). */
export function latestEval(s: Pick<StudioState, 'evals'>, variant: string) {
  return [...s.evals].reverse().find((e) => e.variant === variant);
}
