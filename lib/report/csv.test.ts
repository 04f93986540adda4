import { describe, expect, it } from 'vitest';
import { CSV_HEADERS, reportCsv } from './csv';
import { sampleData } from './testing';
import { parseReportJson, reportJson } from './json';

/** RFC 4180 reader, written independently of the writer. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [], cell = '', i = 0, quoted = false;
  while (i < text.length) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { cell += '"'; i += 2; continue; }
      if (c === '"') { quoted = false; i++; continue; }
      cell += c; i++; continue;
    }
    if (c === '"' && cell === '') { quoted = true; i++; continue; }
    if (c === ',') { row.push(cell); cell = ''; i++; continue; }
    if (c === '\r' && text[i + 1] === '\n') { row.push(cell); rows.push(row); row = []; cell = ''; i += 2; continue; }
    if (c === '"' || c === '\n' || c === '\r') throw new Error(`unquoted ${JSON.stringify(c)} at ${i}`);
    cell += c; i++;
  }
  if (cell !== '' || row.length) throw new Error('no final CRLF');
  return rows;
}

describe('reportCsv', () => {
  it('one row per (variant, evaluation or latency), with the raw numbers', () => {
    const d = sampleData();
    const rows = parseCsv(reportCsv(d));
    expect(rows[0]).toEqual([...CSV_HEADERS]);
    const body = rows.slice(1).map((r) => Object.fromEntries(CSV_HEADERS.map((h, i) => [h, r[i]!])));
    expect(body.every((r) => Object.keys(r).length === CSV_HEADERS.length)).toBe(true);
    expect(body.length).toBe(d.evals.length + d.latencies.length);
    expect(body.filter((r) => r.measurement === 'eval').length).toBe(d.evals.length);
    const int8Eval = body.find((r) => r.variant === 'v3' && r.measurement === 'eval' && r.runtime === 'litert')!;
    expect(int8Eval).toMatchObject({ label: 'full int8', bytes: '161452', gzip_bytes: '139880', accuracy: '0.8982', sqnr_db: '28.4', samples: '1000', median_ms: '', export_ok: 'true' });
    expect(body.find((r) => r.variant === 'original' && r.measurement === 'eval')!.sqnr_db).toBe('Infinity');
    const lat = body.find((r) => r.variant === 'v5' && r.measurement === 'latency')!;
    expect(lat).toMatchObject({ runtime: 'ort', median_ms: '0.405', p90_ms: '0.522', runs: '100', warmup: '10', accuracy: '', measured_at: '2025-06-03T09:31:00.000Z' });
  });

  it('quotes commas, quotes and newlines so they read back exactly', () => {
    const d = sampleData();
    const label = 'int8, "tuned" for\nLiteRT';
    d.variants[3]!.label = label;
    d.variants[3]!.fileName = ' leading space.tflite';
    const csv = reportCsv(d);
    expect(csv).toContain('"int8, ""tuned"" for\nLiteRT"');
    const rows = parseCsv(csv);
    const li = CSV_HEADERS.indexOf('label'), fi = CSV_HEADERS.indexOf('file_name');
    const v3 = rows.filter((r) => r[0] === 'v3');
    expect(v3.length).toBe(4); // two evaluations, two latencies
    for (const r of v3) { expect(r[li]).toBe(label); expect(r[fi]).toBe(' leading space.tflite'); }
  });

  it('defuses spreadsheet formulas in text, keeps negative numbers as numbers', () => {
    const d = sampleData();
    d.variants[1]!.label = '=HYPERLINK("http://x","y")';
    d.layerErrors = {};
    d.evals[1]!.metrics.sqnrDb = -3.5;
    const rows = parseCsv(reportCsv(d));
    const v1 = rows.find((r) => r[0] === 'v1' && r[CSV_HEADERS.indexOf('measurement')] === 'eval')!;
    expect(v1[CSV_HEADERS.indexOf('label')]).toBe(`'=HYPERLINK("http://x","y")`);
    expect(v1[CSV_HEADERS.indexOf('sqnr_db')]).toBe('-3.5');
  });

  it('an unmeasured variant still gets a row with its sizes', () => {
    const d = sampleData();
    d.variants.push({ id: 'v6', label: 'dynamic range', mode: 'dynamic', format: 'tflite', fileName: 'd.tflite', bytes: 170_000, gzipBytes: 150_000, recipe: [] });
    const rows = parseCsv(reportCsv(d)).filter((r) => r[0] === 'v6');
    expect(rows.length).toBe(1);
    expect(rows[0]![CSV_HEADERS.indexOf('measurement')]).toBe('none');
    expect(rows[0]![CSV_HEADERS.indexOf('bytes')]).toBe('170000');
  });
});

describe('reportJson', () => {
  it('pretty-prints the data and reads back deep-equal, infinite SQNR included', () => {
    const d = sampleData();
    const text = reportJson(d);
    expect(text).toContain('\n  "model": {\n    "name": "fashion-mnist-cnn.onnx"');
    expect(text).toContain('"sqnrDb": "Infinity"');
    expect(parseReportJson(text)).toEqual(d);
  });

  it('a label spelled "Infinity" stays a string', () => {
    const d = sampleData();
    d.variants[2]!.label = 'Infinity';
    expect(parseReportJson(reportJson(d)).variants[2]!.label).toBe('Infinity');
  });
});
