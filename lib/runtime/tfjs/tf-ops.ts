/**
 * TensorFlow graph ops (TF.js graph models, dialect `tf`) on tfjs. TF.js's own converter maps the
 * same ops (tfjs-converter's executors); this table covers the ops of the fixture models plus the
 * common neighbours. NHWC only: a data_format of NCHW is refused rather than computed wrongly.
 */
import * as tf from '@tensorflow/tfjs';
import {
  attrBool, attrFloat, attrInt, attrInts, attrString, attrStrings, binary, checkShape, fail, floats, ints, normAxis, prelu, req, select, stridedSlice, unary, type OpFn, type OpTable,
} from './util';

type Attrs = Parameters<OpFn>[1];
type Node = Parameters<OpFn>[2];
type Explicit = [[number, number], [number, number], [number, number], [number, number]];

function checkNhwc(a: Attrs, n: Node): void {
  const f = attrString(a, 'data_format', 'NHWC');
  if (f !== 'NHWC') fail(n, `data_format ${f}`);
}

/** strides / dilations given as [1, h, w, 1]. */
const hw = (v: number[] | undefined): [number, number] => (v && v.length === 4 ? [v[1]!, v[2]!] : [1, 1]);

function padding(a: Attrs): 'same' | 'valid' | Explicit {
  const p = attrString(a, 'padding', 'VALID');
  if (p === 'EXPLICIT') {
    const e = attrInts(a, 'explicit_paddings') ?? [];
    return [[e[0] ?? 0, e[1] ?? 0], [e[2] ?? 0, e[3] ?? 0], [e[4] ?? 0, e[5] ?? 0], [e[6] ?? 0, e[7] ?? 0]];
  }
  return p === 'SAME' ? 'same' : 'valid';
}

/** Applies `fused_ops` after the core op: BiasAdd then one activation, as Grappler fuses them. */
function fused(y: tf.Tensor, extra: Array<tf.Tensor | undefined>, a: Attrs, n: Node): tf.Tensor {
  const ops = attrStrings(a, 'fused_ops');
  let k = 0;
  for (const op of ops) {
    switch (op) {
      case 'BiasAdd': case 'Add': case 'AddV2': { const b = extra[k++]; if (!b) fail(n, 'BiasAdd without bias'); y = tf.add(y, b); break; }
      case 'Relu': y = tf.relu(y); break;
      case 'Relu6': y = tf.relu6(y); break;
      case 'Elu': y = tf.elu(y); break;
      case 'Sigmoid': y = tf.sigmoid(y); break;
      case 'Tanh': y = tf.tanh(y); break;
      case 'LeakyRelu': y = tf.leakyRelu(y, attrFloat(a, 'leakyrelu_alpha', 0.2)); break;
      case 'Prelu': { const w = extra[k++]; if (!w) fail(n, 'Prelu without weights'); y = tf.where(tf.less(y, 0), tf.mul(y, w), y); break; }
      default: fail(n, `fused op ${op}`);
    }
  }
  return y;
}


function reduce(f: (x: tf.Tensor, axes: number[], keep: boolean) => tf.Tensor): OpFn {
  return (ins, a, n) => {
    const x = req(ins, 0, n);
    return [f(x, ints(req(ins, 1, n)).map((v) => normAxis(v, x.rank)), attrBool(a, 'keep_dims', false))];
  };
}

function pool(type: 'max' | 'avg'): OpFn {
  return (ins, a, n) => {
    checkNhwc(a, n);
    const x = req(ins, 0, n) as tf.Tensor4D;
    const k = hw(attrInts(a, 'ksize')), s = hw(attrInts(a, 'strides'));
    const p = padding(a);
    return [type === 'max' ? tf.maxPool(x, k, s, p) : tf.avgPool(x, k, s, p)];
  };
}

const dtypeOf = (a: Attrs, name: string): 'float32' | 'int32' | 'bool' => {
  const d = a[name];
  const v = d?.kind === 'dtype' ? d.value : 'float32';
  return v === 'bool' ? 'bool' : /int/.test(v) ? 'int32' : 'float32';
};

const conv: OpFn = (ins, a, n) => {
  checkNhwc(a, n);
  const y = tf.conv2d(req(ins, 0, n) as tf.Tensor4D, req(ins, 1, n) as tf.Tensor4D, hw(attrInts(a, 'strides')), padding(a), 'NHWC', hw(attrInts(a, 'dilations')));
  return [fused(y, ins.slice(2), a, n)];
};

const depthwise: OpFn = (ins, a, n) => {
  checkNhwc(a, n);
  const y = tf.depthwiseConv2d(req(ins, 0, n) as tf.Tensor4D, req(ins, 1, n) as tf.Tensor4D, hw(attrInts(a, 'strides')), padding(a), 'NHWC', hw(attrInts(a, 'dilations')));
  return [fused(y, ins.slice(2), a, n)];
};

const matmul: OpFn = (ins, a, n) => {
  const y = tf.matMul(req(ins, 0, n), req(ins, 1, n), attrBool(a, 'transpose_a', false) || attrBool(a, 'adj_x', false),
    attrBool(a, 'transpose_b', false) || attrBool(a, 'adj_y', false));
  return [fused(y, ins.slice(2), a, n)];
};

function resize(nearest: boolean): OpFn {
  return (ins, a, n) => {
    const x = req(ins, 0, n) as tf.Tensor4D;
    const [h, w] = checkShape(ints(req(ins, 1, n)), n) as [number, number];
    checkShape([x.shape[0], h, w, x.shape[3]], n);
    const align = attrBool(a, 'align_corners', false), half = attrBool(a, 'half_pixel_centers', false);
    return [nearest ? tf.image.resizeNearestNeighbor(x, [h, w], align, half) : tf.image.resizeBilinear(x, [h, w], align, half)];
  };
}

function pairs(v: number[]): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (let i = 0; i + 1 < v.length; i += 2) out.push([v[i]!, v[i + 1]!]);
  return out;
}

export const tfOps: OpTable = {
  Identity: unary((x) => x),
  StopGradient: unary((x) => x),
  NoOp: () => [],
  Conv2D: conv,
  _FusedConv2D: conv,
  DepthwiseConv2dNative: depthwise,
  FusedDepthwiseConv2dNative: depthwise,
  MatMul: matmul,
  BatchMatMul: matmul,
  BatchMatMulV2: matmul,
  _FusedMatMul: matmul,
  BiasAdd: binary(tf.add),
  Add: binary(tf.add),
  AddV2: binary(tf.add),
  AddN: (ins) => [tf.addN(ins.filter((t): t is tf.Tensor => !!t))],
  Sub: binary(tf.sub),
  Mul: binary(tf.mul),
  RealDiv: binary(tf.div),
  Div: binary(tf.div),
  DivNoNan: binary(tf.divNoNan),
  FloorDiv: binary(tf.floorDiv),
  FloorMod: binary(tf.mod),
  Maximum: binary(tf.maximum),
  Minimum: binary(tf.minimum),
  Pow: binary(tf.pow),
  SquaredDifference: binary(tf.squaredDifference),
  Greater: binary(tf.greater),
  GreaterEqual: binary(tf.greaterEqual),
  Less: binary(tf.less),
  LessEqual: binary(tf.lessEqual),
  Equal: binary(tf.equal),
  NotEqual: binary(tf.notEqual),
  LogicalAnd: binary(tf.logicalAnd),
  LogicalOr: binary(tf.logicalOr),
  LogicalNot: unary(tf.logicalNot),
  Select: select,
  SelectV2: select,
  Relu: unary(tf.relu),
  Relu6: unary(tf.relu6),
  Elu: unary(tf.elu),
  Selu: unary(tf.selu),
  LeakyRelu: (ins, a, n) => [tf.leakyRelu(req(ins, 0, n), attrFloat(a, 'alpha', 0.2))],
  Prelu: prelu,
  Sigmoid: unary(tf.sigmoid),
  Tanh: unary(tf.tanh),
  Softmax: unary((x) => tf.softmax(x)),
  LogSoftmax: unary((x) => tf.logSoftmax(x)),
  Softplus: unary(tf.softplus),
  Sqrt: unary(tf.sqrt),
  Rsqrt: unary(tf.rsqrt),
  Square: unary(tf.square),
  Exp: unary(tf.exp),
  Log: unary(tf.log),
  Neg: unary(tf.neg),
  Abs: unary(tf.abs),
  Floor: unary(tf.floor),
  Ceil: unary(tf.ceil),
  Round: unary(tf.round),
  Reciprocal: unary(tf.reciprocal),
  Cast: (ins, a, n) => {
    const x = req(ins, 0, n);
    const to = dtypeOf(a, 'DstT');
    return [to === 'bool' ? tf.notEqual(x, 0) : x.cast(to)];
  },
  Reshape: (ins, _a, n) => [req(ins, 0, n).reshape(ints(req(ins, 1, n)))],
  ExpandDims: (ins, _a, n) => {
    const x = req(ins, 0, n);
    const axis = ints(req(ins, 1, n))[0]!;
    return [x.expandDims(axis < 0 ? axis + x.rank + 1 : axis)];
  },
  Squeeze: (ins, a, n) => {
    const x = req(ins, 0, n);
    const dims = attrInts(a, 'squeeze_dims') ?? attrInts(a, 'axis') ?? [];
    return [dims.length ? x.squeeze(dims.map((d) => normAxis(d, x.rank))) : x.squeeze()];
  },
  Pack: (ins, a, n) => {
    const xs = ins.filter((t): t is tf.Tensor => !!t);
    if (xs.length === 0) fail(n, 'no inputs');
    return [tf.stack(xs, normAxis(attrInt(a, 'axis', 0), xs[0]!.rank + 1))];
  },
  Unpack: (ins, a, n) => { const x = req(ins, 0, n); return tf.unstack(x, normAxis(attrInt(a, 'axis', 0), x.rank)); },
  ConcatV2: (ins, _a, n) => {
    const xs = ins.filter((t): t is tf.Tensor => !!t);
    const axisT = xs.pop();
    if (!axisT || xs.length === 0) fail(n, 'no inputs');
    return [tf.concat(xs, normAxis(ints(axisT)[0]!, xs[0]!.rank))];
  },
  Pad: (ins, _a, n) => [tf.pad(req(ins, 0, n), pairs(ints(req(ins, 1, n))))],
  PadV2: (ins, _a, n) => [tf.pad(req(ins, 0, n), pairs(ints(req(ins, 1, n))), ins[2] ? floats(ins[2])[0] ?? 0 : 0)],
  MirrorPad: (ins, a, n) => [tf.mirrorPad(req(ins, 0, n), pairs(ints(req(ins, 1, n))), attrString(a, 'mode', 'REFLECT') === 'SYMMETRIC' ? 'symmetric' : 'reflect')],
  MaxPool: pool('max'),
  AvgPool: pool('avg'),
  Mean: reduce(tf.mean),
  Sum: reduce(tf.sum),
  Max: reduce(tf.max),
  Min: reduce(tf.min),
  Prod: reduce(tf.prod),
  All: reduce(tf.all),
  Any: reduce(tf.any),
  ArgMax: (ins, _a, n) => { const x = req(ins, 0, n); return [tf.argMax(x, normAxis(ints(req(ins, 1, n))[0]!, x.rank))]; },
  ArgMin: (ins, _a, n) => { const x = req(ins, 0, n); return [tf.argMin(x, normAxis(ints(req(ins, 1, n))[0]!, x.rank))]; },
  ResizeBilinear: resize(false),
  ResizeNearestNeighbor: resize(true),
  StridedSlice: (ins, a, n) => [stridedSlice(req(ins, 0, n), ints(req(ins, 1, n)), ints(req(ins, 2, n)), ins[3] ? ints(ins[3]) : undefined,
    attrInt(a, 'begin_mask', 0), attrInt(a, 'end_mask', 0), attrInt(a, 'ellipsis_mask', 0), attrInt(a, 'new_axis_mask', 0), attrInt(a, 'shrink_axis_mask', 0))],
  Slice: (ins, _a, n) => [tf.slice(req(ins, 0, n), ints(req(ins, 1, n)), ints(req(ins, 2, n)))],
  Transpose: (ins, _a, n) => [tf.transpose(req(ins, 0, n), ints(req(ins, 1, n)))],
  GatherV2: (ins, a, n) => {
    const x = req(ins, 0, n);
    return [tf.gather(x, req(ins, 1, n).toInt(), normAxis(ints(req(ins, 2, n))[0]!, x.rank), attrInt(a, 'batch_dims', 0))];
  },
  Gather: (ins, _a, n) => [tf.gather(req(ins, 0, n), req(ins, 1, n).toInt())],
  GatherNd: (ins, _a, n) => [tf.gatherND(req(ins, 0, n), req(ins, 1, n).toInt())],
  Tile: (ins, _a, n) => {
    const x = req(ins, 0, n), reps = ints(req(ins, 1, n));
    checkShape(x.shape.map((d, i) => d * (reps[i] ?? 1)), n);
    return [tf.tile(x, reps)];
  },
  Fill: (ins, _a, n) => { const v = req(ins, 1, n); return [tf.fill(checkShape(ints(req(ins, 0, n)), n), floats(v)[0] ?? 0, v.dtype as 'float32' | 'int32')]; },
  ZerosLike: unary(tf.zerosLike),
  OnesLike: unary(tf.onesLike),
  Shape: (ins, _a, n) => [tf.tensor1d(req(ins, 0, n).shape, 'int32')],
  Split: (ins, a, n) => { const x = req(ins, 1, n); return tf.split(x, attrInt(a, 'num_split', n.outputs.length), normAxis(ints(req(ins, 0, n))[0]!, x.rank)); },
  SplitV: (ins, _a, n) => { const x = req(ins, 0, n); return tf.split(x, ints(req(ins, 1, n)), normAxis(ints(req(ins, 2, n))[0]!, x.rank)); },
  BroadcastTo: (ins, _a, n) => [tf.broadcastTo(req(ins, 0, n), checkShape(ints(req(ins, 1, n)), n))],
  FusedBatchNorm: batchNorm,
  FusedBatchNormV2: batchNorm,
  FusedBatchNormV3: batchNorm,
};

function batchNorm(ins: Array<tf.Tensor | undefined>, a: Attrs, n: Node): tf.Tensor[] {
  checkNhwc(a, n);
  const [x, scale, offset, mean, variance] = [0, 1, 2, 3, 4].map((i) => req(ins, i, n));
  return [tf.batchNorm(x!, mean!, variance!, offset, scale, attrFloat(a, 'epsilon', 0.001))];
}
