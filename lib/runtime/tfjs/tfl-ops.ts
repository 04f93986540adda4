/**
 * TFLite builtin ops on tfjs. Both are NHWC, so layouts map directly; only weight layouts differ
 * (CONV_2D filters are OHWI, depthwise 1HW(C*M), FULLY_CONNECTED [out, in]) and are re-laid-out
 * once per session. Quantized tensors arrive here as real values (see executor.ts), so
 * DEQUANTIZE / QUANTIZE are identities and every other op is its float version.
 */
import * as tf from '@tensorflow/tfjs';
import {
  attrBool, attrFloat, attrInt, attrInts, attrString, checkShape, fail, floats, ints, normAxis, prelu, req, select, stridedSlice, unary, type OpFn, type OpTable,
} from './util';

type Attrs = Parameters<OpFn>[1];

/**
 * Fused activations as TFLite's kernels apply them: an output clamp (CalculateActivationRange).
 * TANH / SIGN_BIT / SIGMOID are accepted by the schema but ignored by those kernels, so here too.
 */
function activate(x: tf.Tensor, a: Attrs): tf.Tensor {
  switch (attrString(a, 'fused_activation_function', 'NONE')) {
    case 'RELU': return tf.relu(x);
    case 'RELU6': return tf.relu6(x);
    case 'RELU_N1_TO_1': return tf.clipByValue(x, -1, 1);
    default: return x;
  }
}

const pad = (a: Attrs): 'same' | 'valid' => (attrString(a, 'padding', 'SAME') === 'VALID' ? 'valid' : 'same');
const strides = (a: Attrs): [number, number] => [attrInt(a, 'stride_h', 1), attrInt(a, 'stride_w', 1)];
const dilations = (a: Attrs): [number, number] => [attrInt(a, 'dilation_h_factor', 1), attrInt(a, 'dilation_w_factor', 1)];

const binary = (f: (a: tf.Tensor, b: tf.Tensor) => tf.Tensor): OpFn => (ins, a, n) => [activate(f(req(ins, 0, n), req(ins, 1, n)), a)];

function reduce(f: (x: tf.Tensor, axes: number[], keep: boolean) => tf.Tensor): OpFn {
  return (ins, a, n) => {
    const x = req(ins, 0, n);
    const axes = ints(req(ins, 1, n)).map((v) => normAxis(v, x.rank));
    return [f(x, [...new Set(axes)], attrBool(a, 'keep_dims', false))];
  };
}

function resize(nearest: boolean): OpFn {
  return (ins, a, n) => {
    const x = req(ins, 0, n) as tf.Tensor4D;
    const [h, w] = checkShape(ints(req(ins, 1, n)), n) as [number, number];
    checkShape([x.shape[0], h, w, x.shape[3]], n);
    const align = attrBool(a, 'align_corners', false), half = attrBool(a, 'half_pixel_centers', false);
    return [nearest ? tf.image.resizeNearestNeighbor(x, [h, w], align, half) : tf.image.resizeBilinear(x, [h, w], align, half)];
  };
}

const ops: OpTable = {
  DEQUANTIZE: (ins, _a, n) => [req(ins, 0, n).toFloat()],
  QUANTIZE: (ins, _a, n) => [req(ins, 0, n).toFloat()],
  CONV_2D: (ins, a, n, ctx) => {
    const x = req(ins, 0, n) as tf.Tensor4D;
    const w = req(ins, 1, n);
    const f = ctx.memo(w, 'hwio', () => tf.transpose(w, [1, 2, 3, 0])) as tf.Tensor4D;
    const groups = x.shape[3] / f.shape[2];
    let y: tf.Tensor4D;
    if (groups === 1) y = tf.conv2d(x, f, strides(a), pad(a), 'NHWC', dilations(a));
    else {
      const xs = tf.split(x, groups, 3), fs = tf.split(f, groups, 3);
      y = tf.concat(xs.map((xi, i) => tf.conv2d(xi as tf.Tensor4D, fs[i] as tf.Tensor4D, strides(a), pad(a), 'NHWC', dilations(a))), 3);
    }
    if (ins[2]) y = tf.add(y, ins[2]);
    return [activate(y, a)];
  },
  DEPTHWISE_CONV_2D: (ins, a, n, ctx) => {
    const x = req(ins, 0, n) as tf.Tensor4D;
    const w = req(ins, 1, n);
    const C = x.shape[3];
    const [, kh, kw, cm] = w.shape as [number, number, number, number];
    const f = ctx.memo(w, 'hwcm', () => w.reshape([kh, kw, C, cm / C])) as tf.Tensor4D;
    let y: tf.Tensor = tf.depthwiseConv2d(x, f, strides(a), pad(a), 'NHWC', dilations(a));
    if (ins[2]) y = tf.add(y, ins[2]);
    return [activate(y, a)];
  },
  TRANSPOSE_CONV: (ins, a, n, ctx) => {
    const shape = ints(req(ins, 0, n)) as [number, number, number, number];
    const w = req(ins, 1, n);
    const x = req(ins, 2, n) as tf.Tensor4D;
    const f = ctx.memo(w, 'hwoi', () => tf.transpose(w, [1, 2, 0, 3])) as tf.Tensor4D;
    let y: tf.Tensor = tf.conv2dTranspose(x, f, shape, strides(a), pad(a));
    if (ins[3]) y = tf.add(y, ins[3]);
    return [activate(y, a)];
  },
  FULLY_CONNECTED: (ins, a, n) => {
    const x = req(ins, 0, n), w = req(ins, 1, n);
    const inDim = w.shape[1]!;
    let y: tf.Tensor = tf.matMul(x.reshape([-1, inDim]), w, false, true);
    if (ins[2]) y = tf.add(y, ins[2]);
    if (attrBool(a, 'keep_num_dims', false)) y = y.reshape([...x.shape.slice(0, -1), w.shape[0]!]);
    return [activate(y, a)];
  },
  BATCH_MATMUL: (ins, a, n) => [tf.matMul(req(ins, 0, n), req(ins, 1, n), attrBool(a, 'adj_x', false), attrBool(a, 'adj_y', false))],
  ADD: binary(tf.add),
  SUB: binary(tf.sub),
  MUL: binary(tf.mul),
  DIV: binary(tf.div),
  FLOOR_DIV: binary(tf.floorDiv),
  POW: binary(tf.pow),
  MAXIMUM: binary(tf.maximum),
  MINIMUM: binary(tf.minimum),
  SQUARED_DIFFERENCE: binary(tf.squaredDifference),
  GREATER: binary(tf.greater),
  GREATER_EQUAL: binary(tf.greaterEqual),
  LESS: binary(tf.less),
  LESS_EQUAL: binary(tf.lessEqual),
  EQUAL: binary(tf.equal),
  NOT_EQUAL: binary(tf.notEqual),
  LOGICAL_AND: binary(tf.logicalAnd),
  LOGICAL_OR: binary(tf.logicalOr),
  LOGICAL_NOT: unary(tf.logicalNot),
  SELECT: select,
  SELECT_V2: select,
  RSQRT: unary(tf.rsqrt),
  SQRT: unary(tf.sqrt),
  SQUARE: unary(tf.square),
  EXP: unary(tf.exp),
  LOG: unary(tf.log),
  ABS: unary(tf.abs),
  NEG: unary(tf.neg),
  FLOOR: unary(tf.floor),
  CEIL: unary(tf.ceil),
  ROUND: unary(tf.round),
  SIN: unary(tf.sin),
  COS: unary(tf.cos),
  LOGISTIC: unary(tf.sigmoid),
  TANH: unary(tf.tanh),
  RELU: unary(tf.relu),
  RELU6: unary(tf.relu6),
  RELU_N1_TO_1: unary((x) => tf.clipByValue(x, -1, 1)),
  ELU: unary(tf.elu),
  HARD_SWISH: unary((x) => tf.mul(x, tf.div(tf.relu6(tf.add(x, 3)), 6))),
  LEAKY_RELU: (ins, a, n) => [tf.leakyRelu(req(ins, 0, n), attrFloat(a, 'alpha', 0.2))],
  PRELU: prelu,
  GELU: (ins, a, n) => {
    const x = req(ins, 0, n);
    if (attrBool(a, 'approximate', false)) {
      const inner = tf.mul(tf.add(x, tf.mul(tf.pow(x, 3), 0.044715)), Math.sqrt(2 / Math.PI));
      return [tf.mul(tf.mul(x, 0.5), tf.add(tf.tanh(inner), 1))];
    }
    return [tf.mul(tf.mul(x, 0.5), tf.add(tf.erf(tf.div(x, Math.SQRT2)), 1))];
  },
  SOFTMAX: (ins, a, n) => {
    const x = req(ins, 0, n);
    const beta = attrFloat(a, 'beta', 1);
    return [tf.softmax(beta === 1 ? x : tf.mul(x, beta))];
  },
  LOG_SOFTMAX: unary((x) => tf.logSoftmax(x)),
  L2_NORMALIZATION: (ins, a, n) => {
    const x = req(ins, 0, n);
    return [activate(tf.div(x, tf.sqrt(tf.maximum(tf.sum(tf.square(x), -1, true), 1e-12))), a)];
  },
  AVERAGE_POOL_2D: (ins, a, n) => [activate(tf.avgPool(req(ins, 0, n) as tf.Tensor4D, [attrInt(a, 'filter_height', 1), attrInt(a, 'filter_width', 1)], strides(a), pad(a)), a)],
  MAX_POOL_2D: (ins, a, n) => [activate(tf.maxPool(req(ins, 0, n) as tf.Tensor4D, [attrInt(a, 'filter_height', 1), attrInt(a, 'filter_width', 1)], strides(a), pad(a)), a)],
  RESHAPE: (ins, a, n) => {
    const x = req(ins, 0, n);
    // The shape input wins; an empty one means a scalar unless new_shape says otherwise.
    const fromAttr = attrInts(a, 'new_shape');
    const shape = ins[1] && (ins[1].size > 0 || !fromAttr) ? ints(ins[1]) : fromAttr;
    if (!shape) fail(n, 'no target shape');
    return [x.reshape(shape)];
  },
  EXPAND_DIMS: (ins, _a, n) => {
    const x = req(ins, 0, n);
    const axis = ints(req(ins, 1, n))[0]!;
    return [x.expandDims(axis < 0 ? axis + x.rank + 1 : axis)];
  },
  SQUEEZE: (ins, a, n) => {
    const x = req(ins, 0, n);
    const dims = attrInts(a, 'squeeze_dims') ?? [];
    return [dims.length ? x.squeeze(dims.map((d) => normAxis(d, x.rank))) : x.squeeze()];
  },
  CONCATENATION: (ins, a, n) => {
    const xs = ins.filter((t): t is tf.Tensor => !!t);
    return [activate(tf.concat(xs, normAxis(attrInt(a, 'axis', 0), xs[0]?.rank ?? 1)), a)];
  },
  PAD: (ins, _a, n) => [tf.pad(req(ins, 0, n), chunk2(ints(req(ins, 1, n))))],
  PADV2: (ins, _a, n) => [tf.pad(req(ins, 0, n), chunk2(ints(req(ins, 1, n))), ins[2] ? floats(ins[2])[0] ?? 0 : 0)],
  MIRROR_PAD: (ins, a, n) => [tf.mirrorPad(req(ins, 0, n), chunk2(ints(req(ins, 1, n))), attrString(a, 'mode', 'REFLECT') === 'SYMMETRIC' ? 'symmetric' : 'reflect')],
  MEAN: reduce(tf.mean),
  SUM: reduce(tf.sum),
  REDUCE_MAX: reduce(tf.max),
  REDUCE_MIN: reduce(tf.min),
  REDUCE_PROD: reduce(tf.prod),
  TRANSPOSE: (ins, _a, n) => [tf.transpose(req(ins, 0, n), ints(req(ins, 1, n)))],
  DEPTH_TO_SPACE: (ins, a, n) => [tf.depthToSpace(req(ins, 0, n) as tf.Tensor4D, attrInt(a, 'block_size', 1), 'NHWC')],
  SPACE_TO_DEPTH: (ins, a, n) => {
    // NHWC: [N, H, W, C] -> [N, H/b, W/b, b*b*C], block rows outermost (TFLite's order).
    const x = req(ins, 0, n) as tf.Tensor4D;
    const b = attrInt(a, 'block_size', 1);
    const [N, H, W, C] = x.shape;
    return [x.reshape([N, H / b, b, W / b, b, C]).transpose([0, 1, 3, 2, 4, 5]).reshape([N, H / b, W / b, b * b * C])];
  },
  RESIZE_BILINEAR: resize(false),
  RESIZE_NEAREST_NEIGHBOR: resize(true),
  STRIDED_SLICE: (ins, a, n) => {
    if (attrBool(a, 'offset', false)) fail(n, 'offset=true');
    return [stridedSlice(req(ins, 0, n), ints(req(ins, 1, n)), ints(req(ins, 2, n)), ins[3] ? ints(ins[3]) : undefined,
      attrInt(a, 'begin_mask', 0), attrInt(a, 'end_mask', 0), attrInt(a, 'ellipsis_mask', 0),
      attrInt(a, 'new_axis_mask', 0), attrInt(a, 'shrink_axis_mask', 0))];
  },
  SLICE: (ins, _a, n) => [tf.slice(req(ins, 0, n), ints(req(ins, 1, n)), ints(req(ins, 2, n)))],
  GATHER: (ins, a, n) => {
    const x = req(ins, 0, n);
    return [tf.gather(x, req(ins, 1, n).toInt(), normAxis(attrInt(a, 'axis', 0), x.rank), attrInt(a, 'batch_dims', 0))];
  },
  GATHER_ND: (ins, _a, n) => [tf.gatherND(req(ins, 0, n), req(ins, 1, n).toInt())],
  SPLIT: (ins, a, n) => {
    const x = req(ins, 1, n);
    return tf.split(x, attrInt(a, 'num_splits', n.outputs.length), normAxis(ints(req(ins, 0, n))[0]!, x.rank));
  },
  SPLIT_V: (ins, _a, n) => {
    const x = req(ins, 0, n);
    return tf.split(x, ints(req(ins, 1, n)), normAxis(ints(req(ins, 2, n))[0]!, x.rank));
  },
  PACK: (ins, a, n) => {
    const xs = ins.filter((t): t is tf.Tensor => !!t);
    return [tf.stack(xs, normAxis(attrInt(a, 'axis', 0), (xs[0]?.rank ?? 0) + 1))];
  },
  UNPACK: (ins, a, n) => {
    const x = req(ins, 0, n);
    return tf.unstack(x, normAxis(attrInt(a, 'axis', 0), x.rank));
  },
  TILE: (ins, _a, n) => {
    const x = req(ins, 0, n), reps = ints(req(ins, 1, n));
    checkShape(x.shape.map((d, i) => d * (reps[i] ?? 1)), n);
    return [tf.tile(x, reps)];
  },
  BROADCAST_TO: (ins, _a, n) => [tf.broadcastTo(req(ins, 0, n), checkShape(ints(req(ins, 1, n)), n))],
  SHAPE: (ins, _a, n) => [tf.tensor1d(req(ins, 0, n).shape, 'int32')],
  CAST: (ins, _a, n, ctx) => {
    const to = ctx.graph.tensors.get(n.outputs[0] ?? '')?.dtype ?? 'float32';
    const x = req(ins, 0, n);
    return [to === 'bool' ? tf.notEqual(x, 0) : /int/.test(to) ? x.toInt() : x.toFloat()];
  },
  ARG_MAX: (ins, _a, n) => { const x = req(ins, 0, n); return [tf.argMax(x, normAxis(ints(req(ins, 1, n))[0]!, x.rank))]; },
  ARG_MIN: (ins, _a, n) => { const x = req(ins, 0, n); return [tf.argMin(x, normAxis(ints(req(ins, 1, n))[0]!, x.rank))]; },
  IF: (ins, a, n, ctx) => {
    const cond = floats(req(ins, 0, n))[0] !== 0;
    const ref = a[cond ? 'then_subgraph_index' : 'else_subgraph_index'];
    const idx = ref?.kind === 'subgraph' || ref?.kind === 'int' ? ref.value : -1;
    const g = ctx.model.graphs[idx];
    if (!g || idx === 0) fail(n, `subgraph ${idx} missing`);
    return ctx.runGraph(g, ins.slice(1).filter((t): t is tf.Tensor => !!t));
  },
};

function chunk2(v: number[]): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (let i = 0; i + 1 < v.length; i += 2) out.push([v[i]!, v[i + 1]!]);
  return out;
}

export const tflOps: OpTable = ops;
