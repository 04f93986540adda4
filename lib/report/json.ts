/**
 * The report's data as JSON, and reading it back. JSON has no Infinity (an exact variant has an
 * infinite SQNR) and JSON.stringify would silently write null, so non-finite numbers are written
 * as the strings "Infinity", "-Infinity" and "NaN" and turned back into numbers at the keys
 * ComparisonData declares numeric (a label that happens to read "NaN" stays a string).
 * Non-finite numbers inside recipe options come back as those strings.
 */
import type { ComparisonData } from '../compare/types';

const NUMERIC_KEYS = new Set(['bytes', 'gzipBytes', 'count', 'accuracy', 'top1Agreement', 'top5Overlap', 'cosine', 'sqnrDb', 'runs', 'warmup', 'medianMs', 'p90Ms', 'at']);
const NON_FINITE = new Set(['Infinity', '-Infinity', 'NaN']);

export function jsonReplacer(_key: string, v: unknown): unknown {
  return typeof v === 'number' && !Number.isFinite(v) ? String(v) : v;
}

function reviver(key: string, v: unknown): unknown {
  return NUMERIC_KEYS.has(key) && typeof v === 'string' && NON_FINITE.has(v) ? Number(v) : v;
}

export function reportJson(data: ComparisonData): string {
  return JSON.stringify(data, jsonReplacer, 2) + '\n';
}

export function parseReportJson(text: string): ComparisonData {
  return JSON.parse(text, reviver) as ComparisonData;
}

/** The data embedded in a report written by renderReport. */
export function readReportData(html: string): ComparisonData {
  const m = /<script type="application\/json" id="report-data">([\s\S]*?)<\/script>/.exec(html);
  if (!m) throw new Error('not an Edge Model Studio report: no <script id="report-data"> element');
  return parseReportJson(m[1]!);
}
