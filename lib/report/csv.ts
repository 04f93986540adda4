/**
 * The comparison as CSV for spreadsheets and scripts: one row per (variant, measurement), raw
 * numbers at full precision (fractions for accuracy-like metrics), RFC 4180 quoting, CRLF lines.
 */
import type { ComparisonData, EvalResult, LatencyResult, VariantSummary } from '../compare/types';

export const CSV_HEADERS = [
  'variant', 'label', 'mode', 'format', 'file_name', 'bytes', 'gzip_bytes', 'export_ok',
  'measurement', 'runtime', 'backend', 'dataset', 'samples',
  'accuracy', 'top1_agreement', 'top5_overlap', 'cosine', 'sqnr_db',
  'runs', 'warmup', 'median_ms', 'p90_ms', 'device', 'measured_at',
] as const;

type Row = Partial<Record<(typeof CSV_HEADERS)[number], string | number | boolean | undefined>>;

/**
 * Labels and model names are untrusted, and a spreadsheet runs a cell that starts with = + - @
 * as a formula: such text gets a leading apostrophe (OWASP's advice). Numbers are left alone.
 */
export function csvCell(value: string | number | boolean | undefined): string {
  if (value === undefined) return '';
  let s = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]|^\s|\s$/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

const iso = (ms: number): string | undefined => (Number.isFinite(ms) ? new Date(ms).toISOString() : undefined);

function variantCells(v: VariantSummary): Row {
  return { variant: v.id, label: v.label, mode: v.mode, format: v.format, file_name: v.fileName, bytes: v.bytes, gzip_bytes: v.gzipBytes, export_ok: v.exportCheck?.ok };
}

function evalCells(e: EvalResult): Row {
  const m = e.metrics;
  return {
    measurement: 'eval', runtime: e.runtime, backend: e.backend, dataset: e.dataset, samples: m.count,
    accuracy: m.accuracy, top1_agreement: m.top1Agreement, top5_overlap: m.top5Overlap, cosine: m.cosine, sqnr_db: m.sqnrDb, measured_at: iso(e.at),
  };
}

function latencyCells(l: LatencyResult): Row {
  return { measurement: 'latency', runtime: l.runtime, backend: l.backend, runs: l.runs, warmup: l.warmup, median_ms: l.medianMs, p90_ms: l.p90Ms, device: l.device, measured_at: iso(l.at) };
}

export function reportCsv(data: ComparisonData): string {
  const rows: Row[] = [];
  for (const v of data.variants) {
    const measured = [...data.evals.filter((e) => e.variant === v.id).map(evalCells), ...data.latencies.filter((l) => l.variant === v.id).map(latencyCells)];
    // An unmeasured variant still gets its sizes on a row of its own.
    for (const m of measured.length ? measured : [{ measurement: 'none' } as Row]) rows.push({ ...variantCells(v), ...m });
  }
  const lines = [CSV_HEADERS.join(','), ...rows.map((r) => CSV_HEADERS.map((h) => csvCell(r[h])).join(','))];
  return lines.join('\r\n') + '\r\n';
}
