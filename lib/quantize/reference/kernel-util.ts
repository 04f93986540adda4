/**
 * What every reference kernel needs: the kernel contract, attribute and quantization readers
 * that see values the way a TFLite runtime does (scales are float32), activation ranges, output
 * allocation checked against the model's declared shapes, and broadcasting.
 */
import type { DType, Node, Tensor } from '../../ir/types';
import { allocHostData } from '../../runtime/host-tensor';
import type { HostTensor } from '../../runtime/types';
import { multiplyByQuantizedMultiplier, quantizeMultiplier, roundHalfAwayFromZero, type QuantizedMultiplier, type Rounding } from './fixed-point';

/**
 * Thrown for an op, or an op's dtype/feature combination, the reference does not implement.
 * `op` is the IR op (`tfl.GELU`), `node` the node's name.
 */
export class UnsupportedReferenceOp extends Error {
  constructor(readonly op: string, readonly node: string, detail?: string) {
    super(`reference interpreter: no kernel for ${op} (node ${node})${detail ? `: ${detail}` : ''}`);
    this.name = 'UnsupportedReferenceOp';
  }
}

export interface Operand {
  tensor: Tensor;
  value: HostTensor;
}

export interface KernelArgs {
  node: Node;
  /** One per node input; undefined for an omitted optional input (''). */
  inputs: Array<Operand | undefined>;
  /** The IR tensors the node writes (dtype, declared shape, quantization). */
  outputs: Tensor[];
  /** Which TFLite build's MultiplyByQuantizedMultiplier to follow. */
  rounding: Rounding;
}

/** Computes a node's outputs, in node.outputs order. */
export type Kernel = (args: KernelArgs) => HostTensor[];
export type KernelTable = Readonly<Record<string, Kernel>>;

export const opName = (node: Node): string => node.op.replace(/^tfl\./, '');

export function unsupported(args: KernelArgs, detail: string): never {
  throw new UnsupportedReferenceOp(args.node.op, args.node.name, detail);
}

export function input(args: KernelArgs, i: number): Operand {
  const x = args.inputs[i];
  if (!x) throw new Error(`${args.node.op} node ${args.node.name}: input ${i} is missing`);
  return x;
}

export function output(args: KernelArgs, i = 0): Tensor {
  const t = args.outputs[i];
  if (!t) throw new Error(`${args.node.op} node ${args.node.name}: output ${i} is missing`);
  return t;
}

/** QuantizeMultiplier and the int32 MultiplyByQuantizedMultiplier of the run's rounding mode. */
export function fixedPoint(args: KernelArgs): {
  multiplier: (real: number) => QuantizedMultiplier;
  apply: (x: number, m: QuantizedMultiplier) => number;
} {
  const r = args.rounding;
  return {
    multiplier: (real) => quantizeMultiplier(real, r),
    apply: (x, m) => multiplyByQuantizedMultiplier(x, m.multiplier, m.shift, r),
  };
}

// ---- attributes (names and enum spellings as the TFLite reader gives them) ------------------

export function attrNumber(node: Node, name: string, fallback: number): number {
  const a = node.attrs[name];
  if (!a) return fallback;
  if (a.kind === 'int' || a.kind === 'float' || a.kind === 'subgraph') return a.value;
  if (a.kind === 'bool') return a.value ? 1 : 0;
  return fallback;
}

export function attrString(node: Node, name: string, fallback: string): string {
  const a = node.attrs[name];
  return a?.kind === 'string' ? a.value : fallback;
}

export function attrBool(node: Node, name: string, fallback: boolean): boolean {
  const a = node.attrs[name];
  if (!a) return fallback;
  if (a.kind === 'bool') return a.value;
  if (a.kind === 'int') return a.value !== 0;
  return fallback;
}

export function attrInts(node: Node, name: string): number[] | undefined {
  const a = node.attrs[name];
  return a?.kind === 'ints' ? a.value : undefined;
}

// ---- quantization --------------------------------------------------------------------------

export interface QParams {
  /** As the runtime holds it: a float32. */
  scale: number;
  zeroPoint: number;
}

/** Per-tensor parameters (element 0 of per-axis ones, as TfLiteTensor::params has them). */
export function quant(t: Tensor): QParams {
  const q = t.quant;
  if (!q || q.scale.length === 0) throw new Error(`tensor ${t.name} (${t.dtype}) has no quantization parameters`);
  return { scale: Math.fround(q.scale[0]!), zeroPoint: q.zeroPoint[0] ?? 0 };
}

/** Per-channel scales along the quantized axis (one entry for per-tensor), as float32. */
export function channelScales(t: Tensor): number[] {
  const q = t.quant;
  if (!q || q.scale.length === 0) throw new Error(`tensor ${t.name} (${t.dtype}) has no quantization parameters`);
  return q.scale.map((s) => Math.fround(s));
}

export const isQuantizedInt = (d: DType): boolean => d === 'int8' || d === 'uint8' || d === 'int16';

export function dtypeRange(d: DType): [number, number] {
  switch (d) {
    case 'int8': return [-128, 127];
    case 'uint8': return [0, 255];
    case 'int16': return [-32768, 32767];
    case 'int32': return [-2147483648, 2147483647];
    default: throw new Error(`no integer range for ${d}`);
  }
}

/**
 * CalculateActivationRangeQuantized (kernel_util.cc): the fused activation's bounds quantized
 * with the output's scale (round(f / scale) in float32) and clipped to the dtype's range.
 * TANH and SIGN_BIT are accepted by the schema but ignored by the kernels.
 */
export function activationRangeQuantized(activation: string, out: Tensor): [number, number] {
  const [qmin, qmax] = dtypeRange(out.dtype);
  const { scale, zeroPoint } = quant(out);
  const q = (f: number) => zeroPoint + roundHalfAwayFromZero(Math.fround(f / scale));
  switch (activation) {
    case 'RELU': return [Math.max(qmin, q(0)), qmax];
    case 'RELU6': return [Math.max(qmin, q(0)), Math.min(qmax, q(6))];
    case 'RELU_N1_TO_1': return [Math.max(qmin, q(-1)), Math.min(qmax, q(1))];
    default: return [qmin, qmax];
  }
}

/** CalculateActivationRange for float kernels. */
export function activationRangeFloat(activation: string): [number, number] {
  switch (activation) {
    case 'RELU': return [0, Infinity];
    case 'RELU6': return [0, 6];
    case 'RELU_N1_TO_1': return [-1, 1];
    default: return [-Infinity, Infinity];
  }
}

export const fusedActivation = (node: Node): string => attrString(node, 'fused_activation_function', 'NONE');

export const clamp = (x: number, lo: number, hi: number): number => (x < lo ? lo : x > hi ? hi : x);

// ---- values --------------------------------------------------------------------------------

export const sizeOf = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

export function stridesOf(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length).fill(1);
  for (let i = shape.length - 2; i >= 0; i--) s[i] = s[i + 1]! * shape[i + 1]!;
  return s;
}

/** Host data whose elements are numbers (every dtype the arithmetic kernels write). */
export type NumericData = Exclude<HostTensor['data'], BigInt64Array>;
export type NumericTensor = HostTensor & { data: NumericData };

/**
 * A zeroed output for `out` with the shape the kernel computed, of any dtype. A model whose
 * declared shape disagrees (known dims only) is rejected: a runtime would resize or fail, and
 * the comparison would not be about the same computation.
 */
export function allocAnyOutput(args: KernelArgs, out: Tensor, shape: number[]): HostTensor {
  const declared = out.shape;
  if (declared && (declared.length !== shape.length || declared.some((d, i) => typeof d === 'number' && d !== shape[i]))) {
    throw new Error(`${args.node.op} node ${args.node.name}: computed shape [${shape.join(', ')}] for ${out.name}, the model declares [${declared.map((d) => d ?? '?').join(', ')}]`);
  }
  return { name: out.name, dtype: out.dtype, shape, data: allocHostData(out.dtype, sizeOf(shape)) };
}

/** allocAnyOutput for kernels that write numbers (not int64). */
export function allocOutput(args: KernelArgs, out: Tensor, shape: number[]): NumericTensor {
  if (out.dtype === 'int64' || out.dtype === 'uint64') unsupported(args, `${out.dtype} output`);
  return allocAnyOutput(args, out, shape) as NumericTensor;
}

/** The elements of any host tensor, to move them between tensors of the same dtype. */
export const elements = (v: HostTensor): Array<number | bigint> => v.data as unknown as Array<number | bigint>;

/** The same elements under another name/shape/dtype label (data shared, as a reshape does). */
export const relabel = (v: HostTensor, out: Tensor, shape: number[]): HostTensor => ({ name: out.name, dtype: out.dtype, shape, data: v.data });

/** Element values as plain numbers (int64 through Number: shape and index tensors only). */
export function numbersOf(v: HostTensor): number[] {
  return Array.from(v.data as ArrayLike<number | bigint>, (x) => Number(x));
}

/** NumPy broadcasting of two shapes (TFLite's CalculateShapeForBroadcast). */
export function broadcastShapes(a: readonly number[], b: readonly number[], where: string): number[] {
  const rank = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    const x = a[a.length - rank + i] ?? 1;
    const y = b[b.length - rank + i] ?? 1;
    if (x !== y && x !== 1 && y !== 1) throw new Error(`${where}: shapes [${a.join(', ')}] and [${b.join(', ')}] do not broadcast`);
    out.push(x === 1 ? y : x);
  }
  return out;
}

/** For each element of `outShape`, the flat index of the element of `shape` broadcast to it. */
export function broadcastIndex(shape: readonly number[], outShape: readonly number[]): Int32Array {
  const rank = outShape.length;
  const full = [...new Array<number>(rank - shape.length).fill(1), ...shape];
  const inStrides = stridesOf(full).map((s, i) => (full[i] === 1 ? 0 : s));
  const n = sizeOf(outShape);
  const idx = new Int32Array(n);
  const pos = new Array<number>(rank).fill(0);
  let src = 0;
  for (let i = 0; i < n; i++) {
    idx[i] = src;
    for (let d = rank - 1; d >= 0; d--) {
      pos[d]!++;
      src += inStrides[d]!;
      if (pos[d]! < outShape[d]!) break;
      src -= inStrides[d]! * outShape[d]!;
      pos[d] = 0;
    }
  }
  return idx;
}
