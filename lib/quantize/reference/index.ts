/**
 * An integer reference interpreter for `tfl` models: int8 (and 16x8) tensors computed with the
 * exact arithmetic of TensorFlow Lite's reference kernels (fixed-point multipliers, rounding
 * shifts, activation clamps on codes), to check what runtimes compute and to explain where they
 * differ. Faithful and readable, not fast.
 *
 * Float islands (between DEQUANTIZE and QUANTIZE) run in this same interpreter in plain float32
 * arithmetic rather than through the tfjs executor: runReference stays synchronous and free of a
 * tfjs backend, and the float kernels share their loops (padding, windows, broadcasting) with the
 * integer ones, so a float and an int8 node of the same op cannot disagree about geometry.
 * Float sums are taken in double and rounded to float32 once; runtimes' float GEMMs each sum in
 * their own order, so float results are compared with a tolerance, not bit for bit.
 *
 * Nodes run in graph order (TFLite files are topologically sorted). Ops without a kernel throw
 * UnsupportedReferenceOp naming the op and the node.
 */
import type { Graph, Model, Node, Tensor } from '../../ir/types';
import { tensorValues } from '../../ir/values';
import type { HostTensor } from '../../runtime/types';
import { UnsupportedReferenceOp, opName, type KernelTable, type Operand } from './kernel-util';
import { ACTIVATION_OPS } from './ops/activations';
import { BATCH_SPACE_OPS } from './ops/batch-space';
import { CONV_OPS } from './ops/conv';
import { ELEMENTWISE_OPS } from './ops/elementwise';
import { FULLY_CONNECTED_OPS } from './ops/fully-connected';
import { POOLING_OPS } from './ops/pooling';
import { QUANTIZE_OPS } from './ops/quantize';
import { REDUCE_OPS } from './ops/reduce';
import { RESIZE_OPS } from './ops/resize';
import { SHAPE_OPS } from './ops/shape-ops';
import { SLICING_OPS } from './ops/slicing';
import { SOFTMAX_OPS } from './ops/softmax';
import { SPLIT_TILE_OPS } from './ops/split-tile';
import { UNARY_OPS } from './ops/unary';

export { UnsupportedReferenceOp } from './kernel-util';
export {
  multiplierValue, multiplyByQuantizedMultiplier, multiplyByQuantizedMultiplierInt64, quantizeMultiplier, roundingDivideByPOT,
  saturatingRoundingDoublingHighMul, type QuantizedMultiplier, type Rounding,
} from './fixed-point';
import type { Rounding } from './fixed-point';

export interface ReferenceOptions {
  /** called with every tensor the graph computes, in execution order */
  capture?: (name: string, value: HostTensor) => void;
  /**
   * 'double' (default): TFLite's default build. 'single': a TFLITE_SINGLE_ROUNDING build, one
   * rounding of x * M; runtimes that requantize in float agree with this one more often.
   */
  rounding?: Rounding;
}

/** TFLite builtin op name (without `tfl.`) -> kernel. */
export const REFERENCE_KERNELS: KernelTable = {
  ...QUANTIZE_OPS,
  ...CONV_OPS,
  ...FULLY_CONNECTED_OPS,
  ...ELEMENTWISE_OPS,
  ...UNARY_OPS,
  ...ACTIVATION_OPS,
  ...SOFTMAX_OPS,
  ...POOLING_OPS,
  ...REDUCE_OPS,
  ...SHAPE_OPS,
  ...SPLIT_TILE_OPS,
  ...BATCH_SPACE_OPS,
  ...SLICING_OPS,
  ...RESIZE_OPS,
};

/**
 * A constant tensor as a host value (int64 stays BigInt64Array, uint32 is read as int32 bits);
 * null for data the kernels cannot read (int4, strings...).
 */
function constantValue(t: Tensor): HostTensor | null {
  const values = tensorValues(t);
  if (!values || !t.shape || t.shape.some((d) => typeof d !== 'number')) return null;
  const data = values instanceof Uint32Array ? new Int32Array(values.buffer, values.byteOffset, values.length)
    : values instanceof BigUint64Array ? new BigInt64Array(values.buffer, values.byteOffset, values.length)
    : values;
  return { name: t.name, dtype: t.dtype, shape: t.shape as number[], data };
}

function checkFeed(t: Tensor, feed: HostTensor): void {
  if (feed.dtype !== t.dtype) throw new Error(`reference: input ${t.name} is ${t.dtype}, the feed is ${feed.dtype}`);
  const n = feed.shape.reduce((a, b) => a * b, 1);
  if (n !== feed.data.length) throw new Error(`reference: feed for ${t.name} has shape [${feed.shape.join(', ')}] but ${feed.data.length} elements`);
  const declared = t.shape;
  if (declared && (declared.length !== feed.shape.length || declared.some((d, i) => typeof d === 'number' && d !== feed.shape[i]))) {
    throw new Error(`reference: input ${t.name} wants [${declared.map((d) => d ?? '?').join(', ')}], the feed is [${feed.shape.join(', ')}]`);
  }
}

/**
 * Runs graph 0 of a `tfl` model on `feeds` (graph input order). Returns the graph outputs in
 * order with their declared dtypes: quantized outputs are their integer codes.
 */
export function runReference(model: Model, feeds: HostTensor[], options: ReferenceOptions = {}): HostTensor[] {
  if (model.dialect !== 'tfl') throw new Error(`reference: the model is in the ${model.dialect} dialect, not tfl`);
  const graph: Graph | undefined = model.graphs[0];
  if (!graph) throw new Error('reference: the model has no graphs');
  if (feeds.length !== graph.inputs.length) throw new Error(`reference: the model takes ${graph.inputs.length} inputs, got ${feeds.length}`);
  const values = new Map<string, HostTensor>();
  graph.inputs.forEach((name, i) => {
    const t = graph.tensors.get(name);
    if (!t) throw new Error(`reference: graph input ${name} is not a tensor of the graph`);
    const feed = feeds[i]!;
    checkFeed(t, feed);
    values.set(name, { ...feed, name });
  });
  const valueOf = (name: string, node: Node | undefined): HostTensor => {
    const known = values.get(name);
    if (known) return known;
    const where = node ? `node ${node.name}` : 'the graph outputs';
    const t = graph.tensors.get(name);
    if (!t) throw new Error(`reference: ${where} reads ${name}, which is not a tensor of the graph`);
    if (!t.data) throw new Error(`reference: ${where} reads ${name} before any node computed it`);
    const v = constantValue(t);
    if (!v && node) throw new UnsupportedReferenceOp(node.op, node.name, `constant ${name} is ${t.dtype}, which the kernels cannot read`);
    if (!v) throw new Error(`reference: graph output ${name} is a ${t.dtype} constant, which cannot be read`);
    values.set(name, v);
    return v;
  };

  for (const node of graph.nodes) {
    const op = opName(node);
    const kernel = node.op.startsWith('tfl.') && !node.custom ? REFERENCE_KERNELS[op] : undefined;
    if (!kernel) throw new UnsupportedReferenceOp(node.op, node.name);
    const inputs: Array<Operand | undefined> = node.inputs.map((name) =>
      name === '' ? undefined : { tensor: graph.tensors.get(name)!, value: valueOf(name, node) });
    const outputs = node.outputs.map((name) => {
      const t = graph.tensors.get(name);
      if (!t) throw new Error(`reference: node ${node.name} writes ${name}, which is not a tensor of the graph`);
      return t;
    });
    const results = kernel({ node, inputs, outputs, rounding: options.rounding ?? 'double' });
    results.forEach((v, i) => {
      const name = node.outputs[i]!;
      values.set(name, v);
      options.capture?.(name, v);
    });
  }
  return graph.outputs.map((name) => valueOf(name, undefined));
}

/**
 * One node of `model` on given input values (by tensor name; constants come from the model):
 * the reference's answer for a layer whose inputs a runtime computed, so each layer of a runtime
 * can be checked on its own without the differences of the layers before it.
 */
export function runNode(model: Model, node: Node, values: Map<string, HostTensor>, options: ReferenceOptions = {}): HostTensor[] {
  const graph = model.graphs[0]!;
  const kernel = node.op.startsWith('tfl.') && !node.custom ? REFERENCE_KERNELS[opName(node)] : undefined;
  if (!kernel) throw new UnsupportedReferenceOp(node.op, node.name);
  const inputs: Array<Operand | undefined> = node.inputs.map((name) => {
    if (name === '') return undefined;
    const tensor = graph.tensors.get(name)!;
    const value = values.get(name) ?? (tensor.data ? constantValue(tensor) : null);
    if (!value) throw new Error(`reference: node ${node.name} reads ${name}, which has no value`);
    return { tensor, value };
  });
  const outputs = node.outputs.map((name) => graph.tensors.get(name)!);
  return kernel({ node, inputs, outputs, rounding: options.rounding ?? 'double' });
}
