/** Dimension arithmetic and attribute access shared by the op tables. */
import type { AttrValue, DType, Dim } from '../types';
import { ShapeRuleError, type OpInput, type OpOutput, type RuleContext } from './types';

/** No real tensor has more dimensions; a hostile shape input claiming 1e9 must not allocate. */
export const MAX_RANK = 64;

export function fail(message: string): never {
  throw new ShapeRuleError(message);
}

export const isNum = (d: Dim | undefined): d is number => typeof d === 'number';

export function isStatic(shape: Dim[] | null | undefined): shape is number[] {
  return !!shape && shape.every(isNum);
}

export function attrInt(attrs: Record<string, AttrValue>, name: string, def: number): number {
  const a = attrs[name];
  if (!a) return def;
  if (a.kind === 'int' || a.kind === 'float') return a.value;
  if (a.kind === 'bool') return a.value ? 1 : 0;
  return def;
}

export function attrInts(attrs: Record<string, AttrValue>, name: string): number[] | null {
  const a = attrs[name];
  if (!a) return null;
  if (a.kind === 'ints' || a.kind === 'floats') return a.value;
  if (a.kind === 'int') return [a.value];
  // Some readers leave an empty list as JSON.
  if (a.kind === 'json' && Array.isArray(a.value) && a.value.every((x) => typeof x === 'number')) return a.value as number[];
  return null;
}

export function attrStr(attrs: Record<string, AttrValue>, name: string, def: string): string {
  const a = attrs[name];
  return a && a.kind === 'string' ? a.value : def;
}

export function attrBool(attrs: Record<string, AttrValue>, name: string, def: boolean): boolean {
  const a = attrs[name];
  if (!a) return def;
  if (a.kind === 'bool') return a.value;
  if (a.kind === 'int') return a.value !== 0;
  return def;
}

export function attrDType(attrs: Record<string, AttrValue>, name: string): DType | null {
  const a = attrs[name];
  return a && a.kind === 'dtype' ? a.value : null;
}

/** Axis in [-rank, rank) -> [0, rank); throws on out-of-range. */
export function normAxis(axis: number, rank: number): number {
  const a = axis < 0 ? axis + rank : axis;
  if (a < 0 || a >= rank || !Number.isInteger(a)) fail(`axis ${axis} is out of range for rank ${rank}`);
  return a;
}

/** Input i, which the rule needs to exist. */
export function need(c: RuleContext, i: number): OpInput {
  const x = c.inputs[i];
  if (!x) fail(`input ${i} is missing`);
  return x;
}

/** Input shape i; null when the rank is unknown. */
export function shapeOf(c: RuleContext, i: number): Dim[] | null {
  return c.inputs[i]?.shape ?? null;
}

export function dtypeOf(c: RuleContext, i: number): DType {
  return c.inputs[i]?.dtype ?? 'unknown';
}

/** Two dims that are the same size as far as anyone can tell. */
export function sameDim(a: Dim, b: Dim): boolean {
  return a === b && a !== null;
}

/** Merges two facts about one dimension: a number wins over a symbol, a symbol over null. */
export function unifyDim(a: Dim, b: Dim): Dim {
  if (isNum(a)) {
    if (isNum(b) && a !== b) fail(`dimension ${a} does not match ${b}`);
    return a;
  }
  if (isNum(b)) return b;
  return a ?? b;
}

function broadcastDim(dims: Dim[]): Dim {
  const known = dims.filter(isNum);
  const big = known.filter((d) => d !== 1);
  if (big.length > 0) {
    if (big.some((d) => d !== big[0])) fail(`cannot broadcast dimensions ${dims.join(', ')}`);
    return big[0]!;
  }
  const unknown = dims.filter((d) => !isNum(d));
  if (unknown.length === 0) return known.length > 0 ? 1 : 1;
  // Ones broadcast to the unknown; several unknowns agree only when they are the same symbol.
  if (unknown.every((d) => d === unknown[0] && d !== null)) return unknown[0]!;
  return unknown.length === 1 ? unknown[0]! : null;
}

/** Numpy broadcasting; null when any rank is unknown. */
export function broadcast(shapes: Array<Dim[] | null | undefined>): Dim[] | null {
  if (shapes.some((s) => !s)) return null;
  const list = shapes as Dim[][];
  const rank = Math.max(0, ...list.map((s) => s.length));
  const out: Dim[] = [];
  for (let i = 0; i < rank; i++) {
    const dims: Dim[] = [];
    for (const s of list) {
      const k = s.length - rank + i;
      if (k >= 0) dims.push(s[k]!);
    }
    out.push(broadcastDim(dims));
  }
  return out;
}

export function dimMul(a: Dim, b: Dim): Dim {
  if (a === 0 || b === 0) return 0;
  return isNum(a) && isNum(b) ? a * b : null;
}

export function product(dims: Dim[]): Dim {
  return dims.reduce<Dim>((acc, d) => dimMul(acc, d), 1);
}

/** Output size of a sliding window with explicit padding. */
export function windowOut(size: Dim, kernel: number, stride: number, dilation: number, padSum: number, ceil = false, padBegin = 0): Dim {
  if (!isNum(size)) return null;
  const span = (kernel - 1) * dilation + 1;
  const q = (size + padSum - span) / stride;
  let out = (ceil ? Math.ceil(q) : Math.floor(q)) + 1;
  // ceil_mode: the last window must start inside the input or its leading pad (ONNX, PyTorch, onnxruntime).
  if (ceil && out > 1 && (out - 1) * stride >= size + padBegin) out -= 1;
  if (out < 0) fail(`window of ${span} does not fit an input of ${size}`);
  return out;
}

export function ceilDiv(size: Dim, stride: number): Dim {
  return isNum(size) ? Math.ceil(size / stride) : null;
}

/** Output facts with one dtype for every output. */
export function outs(n: number, dtype: DType, shape: Dim[] | null): OpOutput[] {
  return Array.from({ length: Math.max(1, n) }, () => ({ dtype, shape }));
}

/** Elementwise ops: broadcast shape, dtype of the first typed input (or a fixed one). */
export function elementwise(c: RuleContext, dtype?: DType): OpOutput[] {
  const present = c.inputs.filter((x): x is OpInput => !!x);
  const dt = dtype ?? present.find((x) => x.dtype !== 'unknown')?.dtype ?? 'unknown';
  return [{ dtype: dt, shape: broadcast(present.map((x) => x.shape)) }];
}

/** Same shape and dtype as input 0 (activations, normalisations). */
export function sameAsInput(c: RuleContext): OpOutput[] {
  const x = c.inputs[0];
  return [{ dtype: x?.dtype ?? 'unknown', shape: x?.shape ?? null }];
}

/** Integer values of a known input (shape tensors, axes), or null when not known. */
export function intsOf(c: RuleContext, i: number): number[] | null {
  const v = c.inputs[i]?.value;
  return v && !v.values.some(Number.isNaN) ? v.values : null;
}

/** Numbers coming from a shape-like constant: -1 marks an unknown size in TF/TFLite. */
export function dimsFromValues(values: number[]): Dim[] {
  return values.map((v) => (v < 0 ? null : v));
}

/** A shape-valued input (Reshape target, Expand shape): elements not known are null. */
export function dimsOf(c: RuleContext, i: number): Dim[] | null {
  const v = c.inputs[i]?.value;
  if (v) return v.values.map((x) => (Number.isNaN(x) ? null : x));
  const s = c.inputs[i]?.shape;
  const n = s && s.length === 1 ? s[0] : undefined;
  return isNum(n) && n <= MAX_RANK ? new Array<Dim>(n).fill(null) : null;
}
