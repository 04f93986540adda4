/**
 * The lowest operator-code version a TFLite runtime needs to run a node, from the node's
 * features (tensor types, input count, options, ranks), as TFLite's own converter decides it
 * (tensorflow/lite/tools/versioning/op_version.cc + op_signature.cc).
 *
 * Why: kernels are registered per version range. An int8 CONV_2D written as version 1 or a
 * TRANSPOSE_CONV with a bias written as version 1 is rejected ("didn't find op for builtin
 * opcode ... version 1") or, worse, picked up by an older kernel that ignores the feature.
 *
 * The table is data: per builtin op, an ordered list of [version, condition]; the first
 * condition that holds gives the version, none gives 1. The order follows op_version.cc,
 * because there an earlier check wins even when a later one would give a higher version.
 * Ops absent from the table (or with an empty list) are version 1 whatever their features.
 */
import type { DType, Graph, Node, Tensor } from '../../../ir/types';

/** What the conditions look at: the node and its resolved tensors (undefined for '' inputs). */
export interface OpSignature {
  node: Node;
  inputs: Array<Tensor | undefined>;
  outputs: Array<Tensor | undefined>;
}

type When = (s: OpSignature) => boolean;
export type VersionRule = readonly [version: number, when: When];

// ---- condition builders -------------------------------------------------------------------

const typeOf = (t: Tensor | undefined): DType | 'none' => t?.dtype ?? 'none';
const input = (i: number, ...types: DType[]): When => (s) => types.includes(typeOf(s.inputs[i]) as DType);
const output = (i: number, ...types: DType[]): When => (s) => types.includes(typeOf(s.outputs[i]) as DType);
const all = (...ws: When[]): When => (s) => ws.every((w) => w(s));
const any = (...ws: When[]): When => (s) => ws.some((w) => w(s));
const not = (w: When): When => (s) => !w(s);

/** Shape as written to the file: unknown dims become 1 (see write.ts), unknown rank is rank 0. */
function fileShape(t: Tensor | undefined): number[] {
  return (t?.shape ?? []).map((d) => (typeof d === 'number' ? d : 1));
}
const rank = (t: Tensor | undefined): number => t?.shape?.length ?? 0;
const rankAbove = (i: number, n: number): When => (s) => rank(s.inputs[i]) > n;

/** The options field `name` differs from its schema default (absent = default). */
function option(name: string, isDefault: (v: unknown) => boolean): When {
  return (s) => {
    const a = s.node.attrs[name];
    if (!a) return false;
    return !isDefault(a.value);
  };
}
/** A bool or int option that is set (true / non-zero). */
const flag = (name: string): When => option(name, (v) => v === false || v === 0);
const activation = option('fused_activation_function', (v) => v === 'NONE' || v === 0);
/** TensorType enum field whose default is FLOAT32 (0): set means a quantized bias type. */
const biasType = option('quantized_bias_type', (v) => v === 'FLOAT32' || v === 0);
const dilated = any(option('dilation_w_factor', (v) => v === 1), option('dilation_h_factor', (v) => v === 1));

const inputCount = (n: number): When => (s) => s.node.inputs.length === n;
const hasInput = (i: number): When => (s) => s.inputs[i] !== undefined;

const scales = (t: Tensor | undefined): number => t?.quant?.scale.length ?? 0;
const quantized = (t: Tensor | undefined): boolean => t?.quant !== undefined;

/** Per-channel weights: one scale per `dim` entry of the weight (input i), as op_signature.cc tests it. */
const perChannel = (i: number, dim: number | 'axis', moreThanOne = false): When => (s) => {
  const t = s.inputs[i];
  const n = scales(t);
  const shape = fileShape(t);
  const d = dim === 'axis' ? (t?.quant?.axis ?? 0) : dim;
  return n > (moreThanOne ? 1 : 0) && shape.length > d && n === shape[d];
};
const outputPerChannel: When = (s) => {
  const t = s.outputs[0];
  const n = scales(t);
  const shape = fileShape(t);
  const d = t?.quant?.axis ?? 0;
  return n > 1 && shape.length > d && n === shape[d];
};

/** CONV_2D whose filter has fewer input channels than the input: grouped convolution. */
const grouped: When = (s) => {
  const x = fileShape(s.inputs[0]);
  const w = fileShape(s.inputs[1]);
  return x.length > 3 && w.length > 3 && x[3] !== w[3];
};

/** Binary op with differently shaped inputs (needs broadcasting) of rank > 4. */
const broadcast5d: When = (s) => {
  if (s.inputs.length < 2) return false;
  const a = fileShape(s.inputs[0]).join(',');
  const b = fileShape(s.inputs[1]).join(',');
  if (a === b) return false;
  return Math.max(...s.inputs.map(rank)) > 4;
};

/** Quantized MUL whose rescale factor s1 * s2 / s_out is >= 1 (needs the v3 kernel). */
const mulRescaleAtLeastOne: When = (s) => {
  const [a, b] = [s.inputs[0]?.quant?.scale[0], s.inputs[1]?.quant?.scale[0]];
  const o = s.outputs[0]?.quant?.scale[0];
  if (!a || !b || !o) return false;
  return (a * b) / o >= 1;
};

const hybrid = all(input(0, 'float32'), input(1, 'int8'), output(0, 'float32'));
const int8In = input(0, 'int8');
const int16In = input(0, 'int16');
const int16InOut = all(int16In, output(0, 'int16'));

/** The common "int16 -> 3, int8 -> 2" ladder. */
const INT16_3_INT8_2: VersionRule[] = [[3, int16In], [2, int8In]];
const INT8_2: VersionRule[] = [[2, int8In]];

// ---- the table ------------------------------------------------------------------------------

export const VERSION_RULES: Readonly<Record<string, readonly VersionRule[]>> = {
  CONV_2D: [
    [8, all(input(0, 'int16'), input(1, 'int8'), output(0, 'int16'), biasType)],
    [6, grouped],
    [4, all(input(0, 'int16'), input(1, 'int16'), output(0, 'int16'))],
    [3, all(input(0, 'int8'), input(1, 'int8'), output(0, 'int8'))],
    [7, all(input(0, 'int8'), input(1, 'int4'), output(0, 'int8'))],
    [5, all(hybrid, perChannel(1, 0))],
    [2, hybrid],
  ],
  DEPTHWISE_CONV_2D: [
    [5, all(input(0, 'int16'), input(1, 'int16'), output(0, 'int16'))],
    [6, all(hybrid, perChannel(1, 3))],
    [4, hybrid],
    [3, all(input(0, 'int8'), input(1, 'int8'), output(0, 'int8'))],
    [7, all(input(0, 'int8'), input(1, 'int4'), output(0, 'int8'))],
    [2, dilated],
  ],
  FULLY_CONNECTED: [
    [12, all(hybrid, perChannel(1, 0, true))],
    [11, all(input(0, 'int16'), input(1, 'int8'), output(0, 'int16'), biasType)],
    [8, (s) => s.inputs[1]?.sparsity !== undefined],
    [7, all(input(0, 'int16'), input(1, 'int16'), output(0, 'int16'))],
    [6, inputCount(2)],
    [5, flag('keep_num_dims')],
    [4, all(input(0, 'int8'), input(1, 'int8'), output(0, 'int8'))],
    [10, all(input(0, 'int8'), input(1, 'int4'), output(0, 'int8'))],
    [9, all(hybrid, flag('asymmetric_quantize_inputs'))],
    [3, hybrid],
    [2, option('weights_format', (v) => v === 'DEFAULT' || v === 0)],
  ],
  TRANSPOSE_CONV: [
    [5, all(input(0, 'int16'), input(1, 'int8'), output(0, 'int16'), biasType)],
    [4, activation],
    [3, all(inputCount(4), hasInput(3))],
    [2, input(1, 'int8')],
  ],
  ADD: [
    [5, all(int16In, (s) => !quantized(s.inputs[0]))],
    [4, input(0, 'int64')],
    [3, all(int16InOut, option('pot_scale_int16', (v) => v === true))],
    [2, int8In],
  ],
  SUB: [
    [5, all(int16InOut, option('pot_scale_int16', (v) => v === true))],
    [4, input(0, 'int64')],
    [3, broadcast5d],
    [2, int8In],
  ],
  MUL: [
    [7, any(all(int16In, (s) => !quantized(s.inputs[0]) && !quantized(s.inputs[1])), input(0, 'uint32'))],
    [6, input(0, 'complex64')],
    [5, input(0, 'int64')],
    [4, int16In],
    [3, mulRescaleAtLeastOne],
    [2, int8In],
  ],
  DIV: [[2, broadcast5d]],
  MAXIMUM: [[4, int16InOut], [3, broadcast5d], [2, int8In]],
  MINIMUM: [[4, int16InOut], [3, broadcast5d], [2, int8In]],
  AVERAGE_POOL_2D: [[3, int16InOut], [2, int8In]],
  MAX_POOL_2D: [[3, int16InOut], [2, int8In]],
  TANH: [[3, int16InOut], [2, int8In]],
  LOGISTIC: [[3, int16InOut], [2, int8In]],
  SOFTMAX: INT16_3_INT8_2,
  MEAN: INT16_3_INT8_2,
  MIRROR_PAD: INT16_3_INT8_2,
  REDUCE_MAX: INT16_3_INT8_2,
  REDUCE_MIN: INT16_3_INT8_2,
  RELU6: INT16_3_INT8_2,
  RSQRT: INT16_3_INT8_2,
  RELU: [[3, int16In], [2, input(0, 'int8', 'uint8')]],
  PAD: [[4, rankAbove(0, 4)], ...INT16_3_INT8_2],
  PADV2: [[4, rankAbove(0, 4)], ...INT16_3_INT8_2],
  CONCATENATION: [[4, input(0, 'uint32')], ...INT16_3_INT8_2],
  TRANSPOSE: [[6, rankAbove(0, 5)], [5, int16In], [4, rankAbove(0, 4)], [3, input(0, 'bool')], [2, int8In]],
  STRIDED_SLICE: [
    [8, flag('offset')],
    [7, input(0, 'uint32')],
    [6, any(flag('ellipsis_mask'), flag('new_axis_mask'))],
    [5, input(0, 'string')],
    [4, rankAbove(0, 4)],
    [3, input(0, 'bool')],
    [2, int8In],
  ],
  SLICE: [[6, input(0, 'uint32')], [5, rankAbove(0, 4)], [4, int16In], [3, input(0, 'string')], [2, int8In]],
  GATHER: [
    [7, input(0, 'int4')],
    [6, input(1, 'int16')],
    [5, flag('batch_dims')],
    [4, int16In],
    [3, input(0, 'bool')],
    [2, int8In],
  ],
  GATHER_ND: [[5, input(0, 'bool')], [4, input(1, 'int16')], [3, int16In], [2, input(0, 'string')]],
  SQUEEZE: [[2, input(0, 'string')]],
  SPLIT: [[4, input(1, 'int16')], [3, input(1, 'int32')], [2, input(1, 'int8')]],
  SPLIT_V: INT8_2,
  PACK: [[2, int8In], [3, int16InOut], [4, input(0, 'uint32')]],
  UNPACK: [[2, input(0, 'int8', 'uint8')], [3, input(0, 'bool')], [4, int16InOut]],
  RESIZE_BILINEAR: [[4, int16In], [3, flag('half_pixel_centers')], [2, int8In]],
  RESIZE_NEAREST_NEIGHBOR: [[4, int16In], [3, any(flag('half_pixel_centers'), flag('align_corners'))], [2, int8In]],
  BATCH_MATMUL: [[3, int16In], [2, int8In], [4, all(hybrid, flag('asymmetric_quantize_inputs'))]],
  DEQUANTIZE: [[6, input(0, 'int4')], [3, input(0, 'int16', 'float16')], [5, all(int8In, perChannel(0, 'axis', true))], [2, int8In]],
  QUANTIZE: [[4, any(input(0, 'int4'), output(0, 'int4'))], [3, outputPerChannel], [2, output(0, 'int16')]],
  LEAKY_RELU: [[2, int16In]],
  GELU: [[2, input(0, 'int8', 'uint8')]],
  SELECT: [[4, input(0, 'uint32')], [3, (s) => s.inputs.slice(0, 3).some((t) => rank(t) === 5)], [2, int8In]],
  SELECT_V2: [[2, input(0, 'uint32')]],
  EXP: [[2, input(0, 'int8', 'int16')]],
  LOG: [[2, input(0, 'int8', 'int16')]],
  REDUCE_PROD: [[2, input(0, 'int8', 'int16')]],
  SUM: INT8_2,
  LOG_SOFTMAX: INT8_2,
  SPACE_TO_DEPTH: INT8_2,
  DEPTH_TO_SPACE: INT8_2,
  GREATER: INT8_2,
  LESS_EQUAL: INT8_2,
  SQUARED_DIFFERENCE: INT8_2,
  LESS: INT16_3_INT8_2,
  GREATER_EQUAL: INT16_3_INT8_2,
  EQUAL: [[4, int16In], [3, input(0, 'string')], [2, int8In]],
  NOT_EQUAL: [[3, input(0, 'string')], [2, int8In]],
  ARG_MAX: [[3, input(0, 'bool')], [2, int8In]],
  ARG_MIN: [[3, input(0, 'bool')], [2, int8In]],
  ABS: [
    [5, input(0, 'int32')],
    [3, all(int16In, (s) => quantized(s.inputs[0]))],
    [4, int16In],
    [2, input(0, 'int8', 'uint8')],
  ],
  SIGN: [[2, input(0, 'int32')]],
  FLOOR_DIV: [[3, input(0, 'int16', 'int8')], [2, input(0, 'float32')]],
  FLOOR_MOD: [[2, input(0, 'int16', 'int8')]],
  CAST: [
    [7, any(input(0, 'bfloat16'), output(0, 'bfloat16'))],
    [6, all(input(0, 'int4'), output(0, 'float32'))],
    [5, any(input(0, 'float64', 'float16'), output(0, 'float64', 'float16'))],
    [4, any(input(0, 'uint16'), output(0, 'uint16'))],
    [3, any(input(0, 'int8'), output(0, 'int8'))],
    [2, any(input(0, 'uint32'), output(0, 'uint32'))],
  ],
  TILE: [[3, int8In], [2, input(0, 'string')]],
  FILL: [[4, input(1, 'float16')], [3, input(1, 'int8', 'int16')], [2, input(1, 'bool', 'string')]],
  RANGE: [[2, input(0, 'int64')]],
  L2_NORMALIZATION: [[2, output(0, 'int8')]],
  SPACE_TO_BATCH_ND: [[4, int16In], [3, not((s) => rank(s.inputs[0]) === 4)], [2, int8In]],
  BATCH_TO_SPACE_ND: [[4, int16In], [3, not((s) => rank(s.inputs[0]) === 4)], [2, int8In]],
  BROADCAST_TO: [[3, input(0, 'int8', 'int16')], [2, () => true]],
  WHERE: [[2, not(input(0, 'bool'))]],
  REVERSE_V2: [[3, int8In], [2, input(0, 'bool')]],
  // Ops op_version.cc keeps at version 1 whatever their inputs; listed so the table says which
  // of our converters' ops were checked rather than forgotten.
  RESHAPE: [], SQRT: [], POW: [], HARD_SWISH: [], PRELU: [], ELU: [], EXPAND_DIMS: [], NEG: [],
  SIN: [], COS: [], FLOOR: [], CEIL: [], ROUND: [], SQUARE: [], RELU_N1_TO_1: [],
  LOGICAL_AND: [], LOGICAL_OR: [], LOGICAL_NOT: [],
};

/** Resolves the node's tensor names; unknown or omitted ('') ones are undefined. */
export function opSignature(node: Node, graph: Graph): OpSignature {
  const get = (name: string) => (name === '' ? undefined : graph.tensors.get(name));
  return { node, inputs: node.inputs.map(get), outputs: node.outputs.map(get) };
}

/**
 * Minimum operator-code version for a `tfl.*` node; 1 for custom ops and ops the table does not
 * constrain. The writer takes max(node.version, this), so a version a file carried is never lowered.
 */
export function minOpVersion(node: Node, graph: Graph): number {
  if (node.custom || !node.op.startsWith('tfl.')) return 1;
  const rules = VERSION_RULES[node.op.slice(4)];
  if (!rules || rules.length === 0) return 1;
  const sig = opSignature(node, graph);
  for (const [version, when] of rules) if (when(sig)) return version;
  return 1;
}

/**
 * The version the writer stores. A version the node carries (read from a file) is kept as is:
 * older converters wrote versions below what op_version.cc computes today (mediapipe files:
 * float16 DEQUANTIZE v2, RESIZE_BILINEAR with half_pixel_centers v1) and runtimes run them, so
 * raising them would only break byte-identical round trips. Nodes a converter made carry no
 * version and get the minimum their features need. A transform that changes a read node's
 * features (dtypes, bias, options) must therefore drop its `version`.
 */
export function writtenOpVersion(node: Node, graph: Graph): number {
  return node.version ?? minOpVersion(node, graph);
}
