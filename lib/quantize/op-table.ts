/**
 * What post-training quantization needs to know about each `tfl` builtin, as data (the TFLite
 * quantization specification, tensorflow/lite/g3doc/performance/quantization_spec.md, and the
 * kernels' registered types). Ops missing here have no integer kernel and stay float: the
 * quantizer puts DEQUANTIZE / QUANTIZE around them.
 */

/** A fixed output quantization that the kernel requires, per activation type. */
export interface FixedOutput { int8?: [scale: number, zeroPoint: number]; int16?: [scale: number, zeroPoint: number] }

export interface QuantOpInfo {
  /** Inputs that carry activations (or constant operands quantized like them). Default [0]. */
  data?: number[];
  /**
   * Weight input: symmetric int8, per channel along `axis` unless the user asks per tensor.
   * `dense`: per tensor unless asked per channel, because per-channel fully-connected kernels
   * (op version 12 hybrid, or int8 per-axis) are missing from older runtimes: tfjs-tflite lacks
   * hybrid v12 and Arm NN 20.08 aborts on per-axis FULLY_CONNECTED weights.
   */
  weight?: { input: number; axis: number; dense?: boolean };
  /** Bias input: int32 (int64 for 16x8) with scale = input scale x weight scale. */
  bias?: number;
  /** Data inputs and outputs share one scale / zero point (pooling, reshape, concat...). */
  same?: boolean;
  output?: FixedOutput;
  /** Has a 16x8 kernel (int16 activations, int8 weights). */
  int16?: boolean;
  /** Has a hybrid kernel (float activations, int8 weights) for dynamic-range quantization. */
  hybrid?: boolean;
}

const SAME8: QuantOpInfo = { same: true };
const SAME16: QuantOpInfo = { same: true, int16: true };
const FREE16: QuantOpInfo = { int16: true };
const BINARY16: QuantOpInfo = { data: [0, 1], int16: true };

export const TFL_QUANT_OPS: Readonly<Record<string, QuantOpInfo>> = {
  CONV_2D: { weight: { input: 1, axis: 0 }, bias: 2, int16: true, hybrid: true },
  DEPTHWISE_CONV_2D: { weight: { input: 1, axis: 3 }, bias: 2, int16: true, hybrid: true },
  FULLY_CONNECTED: { weight: { input: 1, axis: 0, dense: true }, bias: 2, int16: true, hybrid: true },
  TRANSPOSE_CONV: { data: [2], weight: { input: 1, axis: 0 }, bias: 3, int16: true },
  ADD: BINARY16,
  SUB: BINARY16,
  MUL: BINARY16,
  SQUARED_DIFFERENCE: { data: [0, 1] },
  MAXIMUM: { data: [0, 1], same: true, int16: true },
  MINIMUM: { data: [0, 1], same: true, int16: true },
  MEAN: FREE16,
  // SUM stays float: tfjs-tflite's int8 SUM wraps around instead of saturating (the reference's
  // op tests pin it), so an int8 SUM would not run the same everywhere.
  RELU: FREE16,
  RELU6: FREE16,
  RELU_N1_TO_1: {},
  LEAKY_RELU: FREE16,
  HARD_SWISH: {},
  PRELU: { data: [0, 1] },
  RSQRT: FREE16,
  ABS: FREE16,
  AVERAGE_POOL_2D: SAME16,
  MAX_POOL_2D: SAME16,
  RESHAPE: SAME16,
  SQUEEZE: SAME16,
  EXPAND_DIMS: SAME16,
  TRANSPOSE: SAME16,
  PAD: SAME16,
  PADV2: { data: [0, 2], same: true, int16: true },
  MIRROR_PAD: SAME16,
  RESIZE_BILINEAR: SAME16,
  RESIZE_NEAREST_NEIGHBOR: SAME16,
  STRIDED_SLICE: SAME16,
  SLICE: SAME16,
  GATHER: SAME16,
  SPACE_TO_DEPTH: SAME8,
  DEPTH_TO_SPACE: SAME8,
  BATCH_TO_SPACE_ND: SAME16,
  SPACE_TO_BATCH_ND: SAME16,
  TILE: SAME8,
  BROADCAST_TO: SAME16,
  REDUCE_MAX: SAME16,
  REDUCE_MIN: SAME16,
  SPLIT: { data: [1], same: true, int16: true },
  SPLIT_V: SAME16,
  UNPACK: SAME16,
  // The spec asks for one scale across all inputs and the output.
  CONCATENATION: { data: [], same: true, int16: true },
  PACK: { data: [], same: true, int16: true },
  SOFTMAX: { output: { int8: [1 / 256, -128], int16: [1 / 32768, 0] }, int16: true },
  LOGISTIC: { output: { int8: [1 / 256, -128], int16: [1 / 32768, 0] }, int16: true },
  TANH: { output: { int8: [1 / 128, 0], int16: [1 / 32768, 0] }, int16: true },
  LOG_SOFTMAX: { output: { int8: [16 / 256, 127] } },
  L2_NORMALIZATION: { output: { int8: [1 / 128, 0] } },
};

/** The op's entry, or undefined when it has no integer kernel. `op` is the full `tfl.X` name. */
export function quantInfo(op: string): QuantOpInfo | undefined {
  return op.startsWith('tfl.') ? TFL_QUANT_OPS[op.slice(4)] : undefined;
}

/**
 * Indices of the inputs quantized like activations: `data` as listed, or every input for the
 * variadic ops (CONCATENATION, PACK, listed with an empty `data`).
 */
export function dataInputs(info: QuantOpInfo, inputCount: number): number[] {
  if (info.data && info.data.length === 0) return [...Array(inputCount).keys()];
  return (info.data ?? [0]).filter((i) => i < inputCount);
}

/** The axis to quantize a weight along, or undefined for one scale per tensor. */
export function weightAxis(w: NonNullable<QuantOpInfo['weight']>, options: { perTensor?: boolean; perChannelDense?: boolean }): number | undefined {
  if (options.perTensor || (w.dense && !options.perChannelDense)) return undefined;
  return w.axis;
}
