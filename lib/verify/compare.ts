/**
 * Output agreement, as the issue defines it: max |a - b| within 1e-4 of the expected output's
 * range (max - min); integer outputs must be equal; classifier-shaped outputs ([C] or [1, ..., C])
 * must also have the same top-1. Pure code: runs in Node and in workers.
 */
import { halfToFloat } from '../ir/values';
import type { DType } from '../ir/types';
import type { HostTensor } from '../runtime/types';

export interface CompareOptions {
  /** Relative tolerance against the expected output's range. Default 1e-4. */
  rtol?: number;
  /** Allowed |a - b| for integer outputs (quantized int8 may differ by one step across kernels). Default 0. */
  intTolerance?: number;
}

export interface TensorComparison {
  name: string;
  ok: boolean;
  maxAbs: number;
  /** max - min of the expected values (the scale the tolerance is taken against). */
  range: number;
  tolerance: number;
  /** Argmax of each side, for classifier-shaped outputs. */
  top1?: { actual: number; expected: number };
  detail: string;
}

export interface Comparison {
  ok: boolean;
  /** The largest maxAbs over the outputs (Infinity when shapes or NaNs disagree). */
  maxAbs: number;
  tensors: TensorComparison[];
  detail: string;
}

const INT_DTYPES = new Set<DType>(['int8', 'uint8', 'int16', 'uint16', 'int32', 'uint32', 'int64', 'uint64', 'bool']);


/** The values of a HostTensor as plain numbers (int64 through Number: exact up to 2^53). */
export function hostValues(t: HostTensor): Float64Array {
  const out = new Float64Array(t.data.length);
  if (t.dtype === 'float16') {
    for (let i = 0; i < out.length; i++) out[i] = halfToFloat(Number(t.data[i]));
  } else if (t.data instanceof BigInt64Array) {
    for (let i = 0; i < out.length; i++) out[i] = Number(t.data[i]);
  } else {
    out.set(t.data as ArrayLike<number>);
  }
  return out;
}

/** Shapes equal after dropping size-1 dims: runtimes disagree on keeping [1, 1, C] vs [1, C]. */
function sameShape(a: number[], b: number[]): boolean {
  const sa = a.filter((d) => d !== 1);
  const sb = b.filter((d) => d !== 1);
  return sa.length === sb.length && sa.every((d, i) => d === sb[i]);
}

/** [C] or [1, ..., 1, C] with C >= 2: a score per class. */
export function isClassifierShaped(shape: number[]): boolean {
  const last = shape[shape.length - 1];
  return last !== undefined && last >= 2 && shape.slice(0, -1).every((d) => d === 1);
}

function argmax(v: Float64Array): number {
  let best = 0;
  for (let i = 1; i < v.length; i++) if (v[i]! > v[best]!) best = i;
  return best;
}

const fmt = (x: number) => (Number.isFinite(x) ? x.toExponential(2) : String(x));

export function compareTensor(actual: HostTensor, expected: HostTensor, options: CompareOptions = {}): TensorComparison {
  const rtol = options.rtol ?? 1e-4;
  const name = expected.name || actual.name;
  const fail = (detail: string): TensorComparison => ({ name, ok: false, maxAbs: Infinity, range: 0, tolerance: 0, detail });
  if (!sameShape(actual.shape, expected.shape) || actual.data.length !== expected.data.length) {
    return fail(`shape [${actual.shape}] vs expected [${expected.shape}]`);
  }
  const a = hostValues(actual);
  const e = hostValues(expected);
  let lo = Infinity;
  let hi = -Infinity;
  let maxAbs = 0;
  let worst = -1;
  for (let i = 0; i < e.length; i++) {
    const x = a[i]!;
    const y = e[i]!;
    if (Number.isFinite(y)) {
      if (y < lo) lo = y;
      if (y > hi) hi = y;
    }
    // NaN in the same place on both sides agrees; NaN against a number does not.
    const d = Number.isNaN(x) || Number.isNaN(y) ? (Number.isNaN(x) && Number.isNaN(y) ? 0 : Infinity) : x === y ? 0 : Math.abs(x - y);
    if (d > maxAbs || Number.isNaN(d)) {
      maxAbs = Number.isNaN(d) ? Infinity : d;
      worst = i;
    }
  }
  const range = hi >= lo ? hi - lo : 0;
  const exact = INT_DTYPES.has(expected.dtype) && INT_DTYPES.has(actual.dtype);
  // A constant output has range 0; take its magnitude (at least 1) as the scale instead, so
  // float noise on a saturated output is not a mismatch.
  const scale = range > 0 ? range : Math.max(Math.abs(hi), Math.abs(lo), 1);
  const tolerance = exact ? (options.intTolerance ?? 0) : rtol * scale;
  let ok = maxAbs <= tolerance;
  let detail = exact
    ? `max |diff| ${maxAbs} (integers, allowed ${tolerance})`
    : `max |diff| ${fmt(maxAbs)} vs tolerance ${fmt(tolerance)} (range ${fmt(range)})`;
  if (!ok && worst >= 0) detail += `; worst at flat index ${worst}: ${a[worst]} vs ${e[worst]}`;
  let top1: TensorComparison['top1'];
  if (isClassifierShaped(expected.shape) && e.length >= 2) {
    top1 = { actual: argmax(a), expected: argmax(e) };
    if (top1.actual !== top1.expected) {
      // A flip between two classes the reference itself scores within tolerance is a tie, not an error.
      const tie = Math.abs(e[top1.actual]! - e[top1.expected]!) <= tolerance;
      if (!tie) ok = false;
      detail += `; top-1 ${top1.actual} vs expected ${top1.expected}${tie ? ' (a tie within tolerance)' : ''}`;
    } else {
      detail += `; same top-1 (${top1.expected})`;
    }
  }
  return { name, ok, maxAbs, range, tolerance, top1, detail };
}

/**
 * Pairs outputs by name when both sides carry the same distinct names, else by position
 * (runtimes may rename outputs, e.g. signature names vs tensor names).
 */
function pairUp(actual: HostTensor[], expected: HostTensor[]): HostTensor[] {
  const names = new Map(actual.map((t) => [t.name, t] as const));
  const distinct = names.size === actual.length && new Set(expected.map((t) => t.name)).size === expected.length;
  if (distinct && expected.every((t) => names.has(t.name))) return expected.map((t) => names.get(t.name)!);
  return actual;
}

export function compareOutputs(actual: HostTensor[], expected: HostTensor[], options: CompareOptions = {}): Comparison {
  if (actual.length !== expected.length) {
    return { ok: false, maxAbs: Infinity, tensors: [], detail: `${actual.length} outputs vs ${expected.length} expected` };
  }
  const paired = pairUp(actual, expected);
  const tensors = expected.map((e, i) => compareTensor(paired[i]!, e, options));
  const ok = tensors.every((t) => t.ok);
  const maxAbs = tensors.reduce((m, t) => Math.max(m, t.maxAbs), 0);
  const detail = tensors.map((t) => `${t.name}: ${t.ok ? 'ok' : 'MISMATCH'}, ${t.detail}`).join('; ');
  return { ok, maxAbs, tensors, detail };
}
