/**
 * TF.js weights: the manifest (groups of weights stored back to back across shard files),
 * shard lookup among the files the user dropped, and decoding as tfjs-core's
 * io_utils.decodeWeights does (uint8/uint16 affine and float16 dequantization).
 */
import type { DType, StorageNote } from '../../ir/types';
import { halfBytesToFloats } from '../../ir/values';
import { throwIfAborted } from '../errors';
import type { InputFile } from '../types';
import { arr, Ctx, isObject, obj, optArr, str, toFloat, toInt } from './json';

export interface WeightSpec {
  name: string;
  shape: number[];
  /** dtype as the manifest writes it ('float32', 'int32', 'bool', 'string', ...). */
  dtype: string;
  quantization?: { dtype: string; scale?: number; min?: number; originalDtype?: string };
}

export interface WeightGroup {
  paths: string[];
  weights: WeightSpec[];
}

export interface DecodedWeight {
  name: string;
  dtype: DType;
  shape: number[];
  data: Uint8Array;
  storage?: StorageNote;
}

/** Bytes per element for the dtypes a manifest may hold unquantized ('string' is variable). */
const PLAIN: Record<string, { dtype: DType; size: number }> = {
  float32: { dtype: 'float32', size: 4 },
  int32: { dtype: 'int32', size: 4 },
  bool: { dtype: 'bool', size: 1 },
  uint8: { dtype: 'uint8', size: 1 },
  int8: { dtype: 'int8', size: 1 },
  float16: { dtype: 'float16', size: 2 },
  complex64: { dtype: 'complex64', size: 8 },
};
const QUANT_SIZE: Record<string, number> = { uint8: 1, uint16: 2, float16: 2 };

export function parseManifest(v: unknown, ctx: Ctx): WeightGroup[] {
  const groups = optArr(v, 'weightsManifest', ctx);
  return groups.map((g, gi) => {
    const path = `weightsManifest[${gi}]`;
    const go = obj(g, path, ctx);
    const paths = arr(go.paths, `${path}.paths`, ctx).map((p, i) => str(p, `${path}.paths[${i}]`, ctx));
    const weights = arr(go.weights, `${path}.weights`, ctx).map((w, wi) => parseSpec(w, `${path}.weights[${wi}]`, ctx));
    return { paths, weights };
  });
}

function parseSpec(v: unknown, path: string, ctx: Ctx): WeightSpec {
  const o = obj(v, path, ctx);
  const name = str(o.name, `${path}.name`, ctx);
  const shape = arr(o.shape, `${path}.shape`, ctx).map((d, i) => {
    const n = toInt(d);
    if (n === undefined || n < 0) ctx.fail(`${path}.shape[${i}] of weight "${name}" is ${JSON.stringify(d)}, expected a size >= 0`);
    return n;
  });
  const dtype = str(o.dtype, `${path}.dtype`, ctx);
  if (!(dtype in PLAIN) && dtype !== 'string') ctx.fail(`weight "${name}" has unknown dtype "${dtype}" (${path}.dtype)`);
  const spec: WeightSpec = { name, shape, dtype };
  if (o.quantization !== undefined && o.quantization !== null) {
    const q = obj(o.quantization, `${path}.quantization`, ctx);
    const qd = str(q.dtype, `${path}.quantization.dtype`, ctx);
    if (!(qd in QUANT_SIZE)) ctx.fail(`weight "${name}" has unknown quantization dtype "${qd}" (expected uint8, uint16 or float16)`);
    const scale = toFloat(q.scale), min = toFloat(q.min);
    if (qd !== 'float16') {
      if (scale === undefined || min === undefined || !Number.isFinite(scale) || !Number.isFinite(min))
        ctx.fail(`weight "${name}" is ${qd}-quantized but its quantization scale/min are missing or not finite numbers`);
      if (dtype !== 'float32' && dtype !== 'int32') ctx.fail(`weight "${name}" is ${qd}-quantized but has dtype ${dtype} (only float32 and int32 can be)`);
    } else if (dtype !== 'float32') {
      ctx.fail(`weight "${name}" is float16-quantized but has dtype ${dtype} (only float32 can be)`);
    }
    spec.quantization = { dtype: qd, scale, min, originalDtype: typeof q.original_dtype === 'string' ? q.original_dtype : undefined };
  }
  return spec;
}

function elementCount(spec: WeightSpec, ctx: Ctx): number {
  let n = 1;
  for (const d of spec.shape) n *= d;
  if (!Number.isSafeInteger(n)) ctx.fail(`weight "${spec.name}" has an impossible shape [${spec.shape.join(', ')}]`);
  return n;
}

export function baseName(path: string): string {
  const clean = path.split(/[?#]/)[0] ?? path;
  return clean.split(/[\\/]/).pop() ?? clean;
}

/**
 * Finds each group's shard files among `files` by base name (folders are ignored: a browser
 * drop gives no folders) and throws one error that lists every missing file.
 */
export function matchShards(groups: WeightGroup[], files: InputFile[], ctx: Ctx): InputFile[][] {
  const byName = new Map<string, InputFile>();
  for (const f of files) {
    const b = baseName(f.name);
    if (!byName.has(b)) byName.set(b, f);
  }
  const lookup = (p: string): InputFile | undefined => {
    const b = baseName(p);
    let found = byName.get(b);
    if (!found) {
      try { found = byName.get(decodeURIComponent(b)); } catch { /* not percent-encoded */ }
    }
    return found;
  };
  const missing: string[] = [];
  const needers: string[] = [];
  const out = groups.map((g) => {
    const shards: InputFile[] = [];
    let groupMissing = false;
    for (const p of g.paths) {
      const f = lookup(p);
      if (f) shards.push(f);
      else { missing.push(p); groupMissing = true; }
    }
    if (groupMissing) needers.push(...g.weights.map((w) => w.name));
    return shards;
  });
  if (missing.length > 0) {
    const shown = needers.slice(0, 5).map((n) => `"${n}"`).join(', ');
    const more = needers.length > 5 ? ` and ${needers.length - 5} more` : '';
    const files = missing.map((m) => `"${m}"`).join(', ');
    ctx.fail(`missing weight file${missing.length > 1 ? 's' : ''} ${files} (needed by weight${needers.length === 1 ? '' : 's'} ${shown}${more}); ` +
      'add the .bin shard files next to model.json');
  }
  return out;
}

/** Bytes each weight needs, walking string length prefixes; stops where data runs out. */
function groupNeeds(specs: WeightSpec[], bytes: Uint8Array, ctx: Ctx): number[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const sizes: number[] = [];
  let off = 0;
  for (const s of specs) {
    const count = elementCount(s, ctx);
    let len: number;
    if (s.quantization) len = count * QUANT_SIZE[s.quantization.dtype]!;
    else if (s.dtype === 'string') {
      len = 0;
      for (let i = 0; i < count; i++) {
        if (off + len + 4 > bytes.length) { len += 4; break; }
        len += 4 + view.getUint32(off + len, true);
      }
    } else len = count * PLAIN[s.dtype]!.size;
    sizes.push(len);
    off += len;
  }
  return sizes;
}

/** Names the shard that is too short, the way the converter writes them (equal-sized but the last). */
function shortShardError(g: WeightGroup, shards: InputFile[], needed: number, ctx: Ctx): never {
  const lens = shards.map((s) => s.bytes.length);
  const first = lens[0] ?? 0;
  let k = lens.length - 1;
  for (let i = 0; i < lens.length - 1; i++) if ((lens[i] ?? 0) < first) { k = i; break; }
  const before = lens.slice(0, k).reduce((a, b) => a + b, 0);
  const want = k < lens.length - 1 ? first : needed - before;
  ctx.fail(`weights shard "${g.paths[k] ?? '?'}" is ${lens[k] ?? 0} bytes but the manifest needs ${want}` +
    ` (group total ${needed} bytes, shards hold ${lens.reduce((a, b) => a + b, 0)})`);
}

function concat(parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  const total = parts.reduce((a, p) => a + p.length, 0);
  const out = new Uint8Array(total);
  let off = 0;
  for (const p of parts) { out.set(p, off); off += p.length; }
  return out;
}

function fmt(x: number): string {
  return Number(x.toPrecision(6)).toString();
}

function decodeOne(s: WeightSpec, raw: Uint8Array): DecodedWeight {
  const q = s.quantization;
  if (!q) {
    // Unquantized: a view into the shard bytes, no copy (string keeps TF.js's length-prefixed layout).
    const dtype: DType = s.dtype === 'string' ? 'string' : PLAIN[s.dtype]!.dtype;
    return { name: s.name, dtype, shape: s.shape, data: raw };
  }
  const n = raw.length / QUANT_SIZE[q.dtype]!;
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  if (q.dtype === 'float16') {
    const out = halfBytesToFloats(raw, new Float32Array(n));
    return {
      name: s.name, dtype: 'float32', shape: s.shape, data: new Uint8Array(out.buffer),
      storage: { dtype: 'float16', detail: 'float16 (decoded to float32)' },
    };
  }
  const scale = q.scale!, min = q.min!;
  const get = q.dtype === 'uint8' ? (i: number) => raw[i]! : (i: number) => view.getUint16(i * 2, true);
  // Same arithmetic as tfjs-core: double-precision q*scale+min, stored into the typed array.
  const out = s.dtype === 'int32' ? new Int32Array(n) : new Float32Array(n);
  if (s.dtype === 'int32') for (let i = 0; i < n; i++) out[i] = Math.round(get(i) * scale + min);
  else for (let i = 0; i < n; i++) out[i] = get(i) * scale + min;
  return {
    name: s.name, dtype: s.dtype === 'int32' ? 'int32' : 'float32', shape: s.shape, data: new Uint8Array(out.buffer),
    storage: { dtype: q.dtype as DType, detail: `${q.dtype} affine, scale ${fmt(scale)}, min ${fmt(min)}` },
  };
}

/**
 * Decodes every weight of every group. `shards[g]` are group g's shard files in manifest order.
 * Returns weights by name (a later duplicate name wins, with a warning).
 */
export function decodeWeights(groups: WeightGroup[], shards: InputFile[][], ctx: Ctx): Map<string, DecodedWeight> {
  const out = new Map<string, DecodedWeight>();
  groups.forEach((g, gi) => {
    throwIfAborted(ctx.signal);
    const files = shards[gi] ?? [];
    const bytes = concat(files.map((f) => f.bytes));
    const sizes = groupNeeds(g.weights, bytes, ctx);
    const needed = sizes.reduce((a, b) => a + b, 0);
    if (needed > bytes.length) shortShardError(g, files, needed, ctx);
    let off = 0;
    g.weights.forEach((s, i) => {
      const len = sizes[i]!;
      if (out.has(s.name)) ctx.warn(`weight "${s.name}" appears twice in the manifest; the later one is used`);
      out.set(s.name, decodeOne(s, bytes.subarray(off, off + len)));
      off += len;
    });
    if (bytes.length > needed) ctx.warn(`weight group ${gi} has ${bytes.length - needed} unused trailing bytes`);
  });
  return out;
}

/** Cheap structural read of the manifest for `companions`; never throws. */
export function manifestPathsLoose(doc: unknown): string[] {
  if (!isObject(doc) || !Array.isArray(doc.weightsManifest)) return [];
  const out: string[] = [];
  for (const g of doc.weightsManifest) {
    if (!isObject(g) || !Array.isArray(g.paths)) continue;
    for (const p of g.paths) if (typeof p === 'string' && !out.includes(p)) out.push(p);
  }
  return out;
}
