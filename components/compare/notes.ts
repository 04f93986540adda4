import type { LatencyResult, VariantSummary } from '@/lib/compare/types';

/**
 * "int8 is not faster here" lines: an integer variant whose median latency is not below the float
 * model of the same format on the same runtime and backend (the original, or the converted .tflite).
 */
export function notFasterNotes(rows: VariantSummary[], latencies: LatencyResult[]): string[] {
  const latest = new Map<string, LatencyResult>();
  for (const l of latencies) latest.set(`${l.variant}|${l.runtime}|${l.backend}`, l);
  const out: string[] = [];
  for (const r of rows) {
    if (!/int8|int16|dynamic/.test(r.mode)) continue;
    const float = rows.find((f) => f.mode === 'float' && f.format === r.format);
    if (!float) continue;
    for (const l of latest.values()) {
      if (l.variant !== r.id) continue;
      const base = latest.get(`${float.id}|${l.runtime}|${l.backend}`);
      if (base && l.medianMs >= base.medianMs) {
        out.push(`${r.label} is not faster than float on ${l.runtime}/${l.backend} here: ${l.medianMs.toFixed(2)} ms vs ${base.medianMs.toFixed(2)} ms.`);
      }
    }
  }
  return out;
}
