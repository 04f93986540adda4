/**
 * JSON helpers for the TF.js reader: parsing with a byte-exact error position, and typed
 * accessors that turn a wrong or missing field into a ModelFormatError naming its JSON path
 * (e.g. "modelTopology.node[3].op is missing"), so hostile files never crash the reader.
 */
import { ModelFormatError } from '../errors';

export const LABEL = 'TF.js';

export type JsonObject = Record<string, unknown>;

/** Carries the file name into every error the reader throws. */
export class Ctx {
  /** Non-fatal findings shown in the model summary (metadata.warnings). */
  readonly warnings: string[] = [];
  constructor(readonly file: string, readonly signal?: AbortSignal) {}

  fail(cause: string): never {
    throw new ModelFormatError(this.file, LABEL, cause);
  }

  warn(message: string): void {
    // A hostile file could produce millions; the summary needs a handful.
    if (this.warnings.length < 50) this.warnings.push(message);
    else if (this.warnings.length === 50) this.warnings.push('(more warnings omitted)');
  }
}

export function decodeText(bytes: Uint8Array): string {
  // TextDecoder drops a leading UTF-8 BOM by default.
  return new TextDecoder('utf-8').decode(bytes);
}

export function parseJson(text: string, ctx: Ctx): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    const pos = findJsonError(text);
    const { line, column } = lineColumn(text, pos.at);
    ctx.fail(`invalid JSON at position ${pos.at} (line ${line}, column ${column}): ${pos.why}`);
  }
}

function lineColumn(text: string, at: number): { line: number; column: number } {
  let line = 1, start = 0;
  for (let i = 0; i < at && i < text.length; i++) if (text.charCodeAt(i) === 10) { line++; start = i + 1; }
  return { line, column: at - start + 1 };
}

function describeChar(text: string, at: number): string {
  return at >= text.length ? 'unexpected end of input' : `unexpected character ${JSON.stringify(text[at])}`;
}

/**
 * Locates the first syntax error. Node's JSON.parse messages do not always give a position,
 * so this small scanner does; it only runs after JSON.parse already failed. Iterative (an
 * explicit stack) so deeply nested input cannot overflow the call stack.
 */
export function findJsonError(text: string): { at: number; why: string } {
  const n = text.length;
  const stack: string[] = [];
  let i = 0;
  let mode: 'value' | 'valueOrClose' | 'key' | 'keyOrClose' | 'after' = 'value';
  const bad = (why?: string) => ({ at: i, why: why ?? describeChar(text, i) });
  const skipString = (): boolean => {
    for (i++; i < n; i++) {
      const c = text.charCodeAt(i);
      if (c === 34) { i++; return true; }
      if (c < 32) return false;
      if (c === 92) {
        const e = text[i + 1];
        if (e === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) return false;
          i += 5;
        } else if (e === undefined || !'"\\/bfnrt'.includes(e)) return false;
        else i++;
      }
    }
    return false;
  };
  for (;;) {
    while (i < n && ' \t\n\r'.includes(text[i]!)) i++;
    const c = text[i];
    if (mode === 'value' || mode === 'valueOrClose') {
      if (mode === 'valueOrClose' && c === ']') { stack.pop(); i++; mode = 'after'; continue; }
      if (c === '{' || c === '[') { stack.push(c); i++; mode = c === '{' ? 'keyOrClose' : 'valueOrClose'; continue; }
      if (c === '"') { if (!skipString()) return bad(i >= n ? 'unterminated string' : 'bad character or escape in a string'); mode = 'after'; continue; }
      const lit = ['true', 'false', 'null'].find((l) => text.startsWith(l, i));
      if (lit) { i += lit.length; mode = 'after'; continue; }
      const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i, i + 400));
      if (m && m[0].length > 0) { i += m[0].length; mode = 'after'; continue; }
      return bad();
    }
    if (mode === 'key' || mode === 'keyOrClose') {
      if (mode === 'keyOrClose' && c === '}') { stack.pop(); i++; mode = 'after'; continue; }
      if (c !== '"') return bad(`expected a property name in double quotes, ${describeChar(text, i).replace('unexpected', 'found')}`);
      if (!skipString()) return bad(i >= n ? 'unterminated string' : 'bad character or escape in a string');
      while (i < n && ' \t\n\r'.includes(text[i]!)) i++;
      if (text[i] !== ':') return bad(`expected ':' after a property name, ${describeChar(text, i).replace('unexpected', 'found')}`);
      i++;
      mode = 'value';
      continue;
    }
    const top = stack[stack.length - 1];
    if (top === undefined) return i < n ? bad('unexpected text after the JSON value') : { at: i, why: 'not valid JSON' };
    const closer = top === '{' ? '}' : ']';
    if (c === ',') { i++; mode = top === '{' ? 'key' : 'value'; continue; }
    if (c === closer) { stack.pop(); i++; continue; }
    return bad(`expected ',' or '${closer}', ${describeChar(text, i).replace('unexpected', 'found')}`);
  }
}

// ---------- typed accessors ----------

export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function kindOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}

function expect(v: unknown, path: string, what: string, ctx: Ctx): never {
  if (v === undefined) ctx.fail(`${path} is missing`);
  ctx.fail(`${path} is ${kindOf(v)}, expected ${what}`);
}

export function obj(v: unknown, path: string, ctx: Ctx): JsonObject {
  if (!isObject(v)) expect(v, path, 'an object', ctx);
  return v;
}

export function arr(v: unknown, path: string, ctx: Ctx): unknown[] {
  if (!Array.isArray(v)) expect(v, path, 'an array', ctx);
  return v;
}

export function str(v: unknown, path: string, ctx: Ctx): string {
  if (typeof v !== 'string') expect(v, path, 'a string', ctx);
  return v;
}

/** An optional array: undefined/null give []. */
export function optArr(v: unknown, path: string, ctx: Ctx): unknown[] {
  return v === undefined || v === null ? [] : arr(v, path, ctx);
}

export function optObj(v: unknown, path: string, ctx: Ctx): JsonObject | undefined {
  return v === undefined || v === null ? undefined : obj(v, path, ctx);
}

/** Proto3 JSON writes int64 as strings ("12"); int32 as numbers. Accept both. */
export function toInt(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  if (typeof v === 'string' && /^-?\d+$/.test(v)) return Number(v);
  return undefined;
}

/** Proto3 JSON floats may be "NaN", "Infinity", "-Infinity". */
export function toFloat(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  if (v === 'NaN') return NaN;
  if (v === 'Infinity') return Infinity;
  if (v === '-Infinity') return -Infinity;
  if (typeof v === 'string' && v.trim() !== '' && !Number.isNaN(Number(v))) return Number(v);
  return undefined;
}

export function base64ToBytes(s: string): Uint8Array | null {
  try {
    const bin = atob(s.replace(/[\r\n\s]/g, ''));
    const out = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out;
  } catch {
    return null;
  }
}

/** Metadata values are strings; structured ones are shown as compact JSON, capped in size. */
export function metaString(v: unknown): string {
  let s: string;
  try {
    s = typeof v === 'string' ? v : JSON.stringify(v) ?? String(v);
  } catch {
    return '(too deeply nested to show)';
  }
  return s.length > 20000 ? s.slice(0, 20000) + '…' : s;
}
