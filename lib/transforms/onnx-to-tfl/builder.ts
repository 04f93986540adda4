/** Building the output `tfl` graph: unique names, constants, nodes with schema-complete options. */
import type { AttrValue, DType, Dim, Node, Tensor } from '../../ir/types';
import { ENUMS, TABLES } from '../../formats/tflite/generated/schema-info';
import { shortestFloat32 } from '../../formats/tflite/options';
import { encode } from './nd';

/** The options table each emitted builtin uses (TFLite's BuiltinOptions union member). */
const OPTIONS_TABLE: Record<string, string> = {
  CONV_2D: 'Conv2DOptions', DEPTHWISE_CONV_2D: 'DepthwiseConv2DOptions', MAX_POOL_2D: 'Pool2DOptions',
  AVERAGE_POOL_2D: 'Pool2DOptions', FULLY_CONNECTED: 'FullyConnectedOptions', SOFTMAX: 'SoftmaxOptions',
  CONCATENATION: 'ConcatenationOptions', ADD: 'AddOptions', MUL: 'MulOptions', SUB: 'SubOptions',
  DIV: 'DivOptions', RESHAPE: 'ReshapeOptions', TRANSPOSE: 'TransposeOptions', MEAN: 'ReducerOptions',
  SUM: 'ReducerOptions', REDUCE_MAX: 'ReducerOptions', REDUCE_MIN: 'ReducerOptions', REDUCE_PROD: 'ReducerOptions',
  CAST: 'CastOptions', MAXIMUM: 'MaximumMinimumOptions', MINIMUM: 'MaximumMinimumOptions',
  LEAKY_RELU: 'LeakyReluOptions', BATCH_MATMUL: 'BatchMatMulOptions', PAD: 'PadOptions', PADV2: 'PadV2Options',
  POW: 'PowOptions', SELECT_V2: 'SelectV2Options', GREATER_EQUAL: 'GreaterEqualOptions', GREATER: 'GreaterOptions',
  LESS: 'LessOptions', LESS_EQUAL: 'LessEqualOptions', EQUAL: 'EqualOptions', EXP: 'ExpOptions',
  SQUARED_DIFFERENCE: 'SquaredDifferenceOptions', ABS: 'AbsOptions', NEG: 'NegOptions',
  RESIZE_BILINEAR: 'ResizeBilinearOptions', RESIZE_NEAREST_NEIGHBOR: 'ResizeNearestNeighborOptions',
  DEPTH_TO_SPACE: 'DepthToSpaceOptions', SPACE_TO_DEPTH: 'SpaceToDepthOptions', GATHER: 'GatherOptions',
  HARD_SWISH: 'HardSwishOptions', MIRROR_PAD: 'MirrorPadOptions', STRIDED_SLICE: 'StridedSliceOptions', TRANSPOSE_CONV: 'TransposeConvOptions', LOG_SOFTMAX: 'LogSoftmaxOptions', SQUARE: 'SquareOptions', GELU: 'GeluOptions',
  SPLIT: 'SplitOptions', FILL: 'FillOptions',
};

/** Every other op's options table, by the schema's naming rule (PACK -> PackOptions). */
const squash = (s: string): string => s.replace(/_/g, '').toLowerCase();
const TABLE_BY_NAME = new Map<string, string>();
for (const t of Object.keys(TABLES)) {
  const key = squash(t.replace(/Options$/, ''));
  if (t.endsWith('Options') && !TABLE_BY_NAME.has(key)) TABLE_BY_NAME.set(key, t);
}

const TENSOR_TYPE: Partial<Record<DType, string>> = {
  float32: 'FLOAT32', float16: 'FLOAT16', int32: 'INT32', uint8: 'UINT8', int64: 'INT64', bool: 'BOOL',
  int16: 'INT16', int8: 'INT8', float64: 'FLOAT64', uint32: 'UINT32', uint16: 'UINT16',
};
export const tflTensorType = (d: DType): string | undefined => TENSOR_TYPE[d];

/**
 * The options of `op` as the TFLite reader produces them: every field of the schema table with
 * its default, enums by value name, then `given` on top. Keeps read -> write -> read stable, and
 * runtimes read an absent table as all-zero, which is wrong for e.g. PACK's values_count.
 */
export function tflOptions(op: string, given: Record<string, AttrValue>): Record<string, AttrValue> {
  const table = OPTIONS_TABLE[op] ?? TABLE_BY_NAME.get(squash(op));
  const out: Record<string, AttrValue> = {};
  for (const f of (table && TABLES[table]) || []) {
    if (f.vector || f.kind === 'table' || f.kind === 'union' || f.kind === 'string' || f.def === null) continue;
    if (f.kind === 'enum') {
      const name = ENUMS[f.ref ?? '']?.values[Number(f.def)];
      out[f.name] = name !== undefined ? { kind: 'string', value: name } : { kind: 'int', value: Number(f.def) };
    } else if (f.base === 'bool') out[f.name] = { kind: 'bool', value: Boolean(f.def) };
    else if (f.base === 'float' || f.base === 'double') out[f.name] = { kind: 'float', value: Number(f.def) };
    else out[f.name] = { kind: 'int', value: Number(f.def) };
  }
  return { ...out, ...given };
}

export const int = (value: number): AttrValue => ({ kind: 'int', value });
export const str = (value: string): AttrValue => ({ kind: 'string', value });
/** float32 attributes as the TFLite reader gives them: the shortest decimal of the float32. */
export const flt = (value: number): AttrValue => ({ kind: 'float', value: shortestFloat32(Math.fround(value)) });
export const bool = (value: boolean): AttrValue => ({ kind: 'bool', value });
export const ints = (value: number[]): AttrValue => ({ kind: 'ints', value });

export class Builder {
  readonly nodes: Node[] = [];
  readonly tensors = new Map<string, Tensor>();
  private readonly taken: Set<string>;
  private readonly nodeNames = new Set<string>();
  transposesInserted = 0;

  /** `reserved`: names of the source graph, so new names never collide with ones still to come. */
  constructor(reserved: Iterable<string>) {
    this.taken = new Set(reserved);
  }

  unique(base: string): string {
    let name = base;
    for (let k = 1; this.taken.has(name) || this.tensors.has(name); k++) name = `${base}_${k}`;
    this.taken.add(name);
    return name;
  }

  /** Adds (or replaces) a tensor under its own name. */
  put(t: Tensor): string {
    this.taken.add(t.name);
    this.tensors.set(t.name, t);
    return t.name;
  }

  tmp(base: string, dtype: DType, shape: Dim[]): string {
    return this.put({ name: this.unique(base), dtype, shape });
  }

  constBytes(base: string, dtype: DType, shape: number[], data: Uint8Array): string {
    return this.put({ name: this.unique(base), dtype, shape, data, isConstant: true });
  }

  constValues(base: string, dtype: DType, shape: number[], values: ArrayLike<number>): string {
    const data = encode(dtype, values);
    if (!data) throw new Error(`cannot encode a ${dtype} constant`);
    return this.constBytes(base, dtype, shape, data);
  }

  int32(base: string, values: number[]): string {
    return this.constValues(base, 'int32', [values.length], values);
  }

  emit(op: string, inputs: string[], outputs: string[], attrs: Record<string, AttrValue> = {}, name?: string): Node {
    let nodeName = name ?? outputs[0] ?? op;
    for (let k = 1; this.nodeNames.has(nodeName); k++) nodeName = `${name ?? outputs[0] ?? op}_${k}`;
    this.nodeNames.add(nodeName);
    const node: Node = { name: nodeName, op: `tfl.${op}`, inputs, outputs, attrs: tflOptions(op, attrs) };
    if (op === 'TRANSPOSE') this.transposesInserted++;
    this.nodes.push(node);
    return node;
  }

  /** TRANSPOSE x by perm into a new (or the given) tensor; returns the output name. */
  transpose(x: string, perm: number[], out?: string): string {
    const t = this.tensors.get(x);
    if (!t || !t.shape) throw new Error(`transpose of unknown tensor ${x}`);
    const shape = perm.map((p) => t.shape![p]!);
    const y = out ?? this.tmp(`${x}/transpose`, t.dtype, shape);
    this.emit('TRANSPOSE', [x, this.int32(`${y}/perm`, perm)], [y]);
    return y;
  }

  /**
   * The constant `k` as the value of an op (a graph output must come from one): a RESHAPE, which
   * optimize() folds when something else reads it; where it is a graph output that LiteRT.js
   * would read back wrong, outputsAtInvoke (invoke-outputs.ts) turns it into a BROADCAST_TO.
   */
  materialize(k: string, out: string): string {
    const t = this.tensors.get(k);
    if (!t || !t.shape) throw new Error(`materialize of unknown tensor ${k}`);
    return this.reshape(k, t.shape as number[], out);
  }

  reshape(x: string, shape: number[], out?: string): string {
    const t = this.tensors.get(x);
    if (!t) throw new Error(`reshape of unknown tensor ${x}`);
    const y = out ?? this.tmp(`${x}/reshape`, t.dtype, shape);
    // A caller-chosen name must exist as a tensor too, or the node writes into nothing.
    if (!this.tensors.has(y)) this.put({ name: y, dtype: t.dtype, shape });
    // LiteRT leaves a RESHAPE to rank 0 of a computed tensor unwritten; SQUEEZE of all-1 dims is the same.
    if (shape.length === 0) this.emit('SQUEEZE', [x], [y], { squeeze_dims: ints([]) });
    else this.emit('RESHAPE', [x, this.int32(`${y}/shape`, shape)], [y], { new_shape: ints(shape) });
    return y;
  }

  /**
   * Renames tensor `from` to `to` everywhere: the source model's output name wins over an
   * internal one. If `to` already names another tensor, that one moves to `to/<aside>`.
   */
  renameTensor(from: string, to: string, aside: string): void {
    const t = this.tensors.get(from);
    if (!t) return;
    const old = this.tensors.get(to);
    if (old && old !== t) {
      const moved = this.unique(`${to}/${aside}`);
      this.replaceName(to, moved);
      this.tensors.delete(to);
      this.tensors.set(moved, { ...old, name: moved });
    }
    this.tensors.delete(from);
    this.tensors.set(to, { ...t, name: to });
    this.replaceName(from, to);
  }

  private replaceName(from: string, to: string): void {
    for (const n of this.nodes) {
      n.inputs = n.inputs.map((i) => (i === from ? to : i));
      n.outputs = n.outputs.map((i) => (i === from ? to : i));
    }
  }
}
