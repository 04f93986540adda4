/**
 * One way to write each kind of number, so the table, the charts and the tests agree on what
 * "the formatted value" is.
 */

/** Decimal units, as the README and file managers print sizes (628,048 B -> "628 KB"). */
export function fmtBytes(bytes: number): string {
  if (!Number.isFinite(bytes)) return '—';
  const abs = Math.abs(bytes);
  if (abs < 1000) return `${Math.round(bytes)} B`;
  const [div, unit] = abs < 1e6 ? [1e3, 'KB'] : abs < 1e9 ? [1e6, 'MB'] : [1e9, 'GB'];
  const v = bytes / div;
  // 3 significant digits, but never an exponent and never "1000 KB".
  const s = Math.abs(v) >= 100 ? Math.round(v).toString() : v.toPrecision(3);
  if (s === '1000' && unit !== 'GB') return fmtBytes(Math.sign(bytes) * (unit === 'KB' ? 1e6 : 1e9));
  return `${s} ${unit}`;
}

/** Thousands separators without depending on the runtime's locale data. */
export function fmtInt(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  const s = Math.round(Math.abs(n)).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return n < 0 ? `-${s}` : s;
}

/** A fraction in 0..1 as a percentage with 2 decimals ("89.91%"). */
export function fmtPct(fraction: number): string {
  return Number.isFinite(fraction) ? `${(fraction * 100).toFixed(2)}%` : '—';
}

/** SQNR: a tenth of a dB is below anything a user would act on; identical outputs are infinite. */
export function fmtDb(db: number): string {
  if (db === Infinity) return '∞ dB';
  if (db === -Infinity) return '-∞ dB';
  return Number.isFinite(db) ? `${db.toFixed(1)} dB` : '—';
}

/** Latency with 3 significant digits (2 would hide a 5% change at 1.0 ms); no exponents. */
export function fmtMsNumber(ms: number): string {
  if (!Number.isFinite(ms)) return '—';
  if (ms === 0) return '0';
  if (Math.abs(ms) >= 1000) return fmtInt(ms);
  return ms.toPrecision(3);
}

export function fmtMs(ms: number): string {
  return Number.isFinite(ms) ? `${fmtMsNumber(ms)} ms` : '—';
}

/** A size relative to the original: "0.26x" means a quarter of the bytes. */
export function fmtRatio(ratio: number): string {
  return Number.isFinite(ratio) ? `${ratio.toFixed(2)}x` : '—';
}

/** ISO timestamps shown in UTC so the same report reads the same on every machine. */
export function fmtDate(iso: string | number): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  return d.toISOString().replace('T', ' ').replace(/:\d\d(\.\d+)?Z$/, ' UTC');
}
