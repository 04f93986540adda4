/**
 * ONNX (ai.onnx) ops on tfjs: element-wise, shape, reduction and control ops. Convolutions,
 * pools, normalisation, resize and recurrent ops are in onnx-nn.ts. Semantics follow the ONNX
 * operator spec; attribute-vs-input forms that changed across opsets are both accepted.
 * int64 values are computed as int32 (tfjs has no int64).
 */
import * as tf from '@tensorflow/tfjs';
import type { DType } from '../../ir/types';
import { onnxExtraOps } from './onnx-extra';
import { onnxNnOps } from './onnx-nn';
import {
  attrFloat, attrInt, attrInts, attrString, binary, checkShape, constantToTf, fail, floats, ints, normAxis, prelu, req, roundToHalf, select, tfDtype, unary, type OpFn, type OpTable,
} from './util';

const variadic = (f: (a: tf.Tensor, b: tf.Tensor) => tf.Tensor): OpFn => (ins, _a, n) => {
  const xs = ins.filter((t): t is tf.Tensor => !!t);
  if (xs.length === 0) fail(n, 'no inputs');
  return [xs.slice(1).reduce(f, xs[0]!)];
};

/** ONNX TensorProto.DataType codes, for Cast's `to`. */
const ONNX_DTYPES: Record<number, DType> = {
  1: 'float32', 2: 'uint8', 3: 'int8', 4: 'uint16', 5: 'int16', 6: 'int32', 7: 'int64', 9: 'bool',
  10: 'float16', 11: 'float64', 12: 'uint32', 13: 'uint64', 16: 'bfloat16',
};

function castTo(x: tf.Tensor, to: DType): tf.Tensor {
  const dt = tfDtype(to);
  if (to === 'float16') return roundToHalf(x.toFloat());
  if (dt === 'bool') return tf.notEqual(x, tf.scalar(0, x.dtype === 'bool' ? 'int32' : x.dtype));
  if (dt === 'int32' && x.dtype === 'float32') {
    const t = x.cast('int32'); // truncates toward zero, as C casts do
    if (to === 'uint8') return tf.tidy(() => tf.sub(t, tf.mul(tf.floorDiv(t, 256), 256)));
    if (to === 'int8') return tf.tidy(() => tf.sub(t, tf.mul(tf.floorDiv(tf.add(t, 128), 256), 256)));
    return t;
  }
  return x.cast(dt);
}

/** Axes from the attribute (older opsets) or from input `idx` (newer opsets). */
function axesOf(ins: Array<tf.Tensor | undefined>, idx: number, attrs: Parameters<OpFn>[1]): number[] | undefined {
  const t = ins[idx];
  if (t) return ints(t);
  return attrInts(attrs, 'axes');
}

function reduce(kind: string): OpFn {
  return (ins, attrs, node) => {
    const x = req(ins, 0, node);
    const keep = attrInt(attrs, 'keepdims', 1) === 1;
    let axes = axesOf(ins, 1, attrs);
    if (!axes || axes.length === 0) {
      if (attrInt(attrs, 'noop_with_empty_axes', 0) === 1) return [x];
      axes = x.shape.map((_, i) => i);
    }
    axes = axes.map((a) => normAxis(a, x.rank));
    switch (kind) {
      case 'Mean': return [tf.mean(x, axes, keep)];
      case 'Sum': return [tf.sum(x, axes, keep)];
      case 'Max': return [tf.max(x, axes, keep)];
      case 'Min': return [tf.min(x, axes, keep)];
      case 'Prod': return [tf.prod(x, axes, keep)];
      case 'L1': return [tf.sum(tf.abs(x), axes, keep)];
      case 'L2': return [tf.sqrt(tf.sum(tf.square(x), axes, keep))];
      case 'SumSquare': return [tf.sum(tf.square(x), axes, keep)];
      case 'LogSum': return [tf.log(tf.sum(x, axes, keep))];
      case 'LogSumExp': return [tf.logSumExp(x, axes, keep)];
      default: fail(node, `reduce ${kind}`);
    }
  };
}

function softmaxOp(log: boolean): OpFn {
  return (ins, attrs, node, ctx) => {
    const x = req(ins, 0, node);
    const f = (t: tf.Tensor) => (log ? tf.logSoftmax(t) : tf.softmax(t));
    if (ctx.opset < 13) {
      // Before opset 13 the input is flattened to 2-D at `axis` (default 1).
      const axis = normAxis(attrInt(attrs, 'axis', 1), x.rank);
      const outer = x.shape.slice(0, axis).reduce((a, b) => a * b, 1);
      return [f(x.reshape([outer, -1])).reshape(x.shape)];
    }
    const axis = normAxis(attrInt(attrs, 'axis', -1), x.rank);
    if (axis === x.rank - 1) return [f(x)];
    const perm = x.shape.map((_, i) => i);
    perm[axis] = x.rank - 1;
    perm[x.rank - 1] = axis;
    return [tf.transpose(f(tf.transpose(x, perm)), perm)];
  };
}

/** ONNX Slice semantics (clamping per step sign) mapped onto tf.stridedSlice. */
function sliceOp(x: tf.Tensor, starts: number[], ends: number[], axes: number[], steps: number[]): tf.Tensor {
  const begin = new Array<number>(x.rank).fill(0);
  const end = x.shape.slice();
  const stride = new Array<number>(x.rank).fill(1);
  let endMask = 0;
  axes.forEach((a0, i) => {
    const a = normAxis(a0, x.rank);
    const dim = x.shape[a]!;
    const step = steps[i] ?? 1;
    let s = starts[i]!;
    let e = ends[i]!;
    if (s < 0) s += dim;
    if (e < 0) e += dim;
    if (step > 0) {
      s = Math.min(Math.max(s, 0), dim);
      e = Math.min(Math.max(e, 0), dim);
    } else {
      s = Math.min(Math.max(s, 0), dim - 1);
      e = Math.min(Math.max(e, -1), dim - 1);
      if (e === -1) endMask |= 1 << a;
    }
    begin[a] = s;
    end[a] = e;
    stride[a] = step;
  });
  return tf.stridedSlice(x, begin, end, stride, 0, endMask);
}

/** Numpy-style broadcast of two shapes (Expand). */
function broadcastShape(a: number[], b: number[]): number[] {
  const r = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < r; i++) {
    const x = a[a.length - r + i] ?? 1;
    const y = b[b.length - r + i] ?? 1;
    out.push(x === 1 ? y : x);
  }
  return out;
}

function edgePad(x: tf.Tensor, pads: Array<[number, number]>): tf.Tensor {
  let y = x;
  pads.forEach(([b, e], axis) => {
    if (b === 0 && e === 0) return;
    const parts: tf.Tensor[] = [];
    const dim = y.shape[axis]!;
    if (b > 0) parts.push(tf.concat(new Array<tf.Tensor>(b).fill(y.slice(sliceBegin(y.rank, axis, 0), sliceSize(y.shape, axis, 1))), axis));
    parts.push(y);
    if (e > 0) parts.push(tf.concat(new Array<tf.Tensor>(e).fill(y.slice(sliceBegin(y.rank, axis, dim - 1), sliceSize(y.shape, axis, 1))), axis));
    y = tf.concat(parts, axis);
  });
  return y;
}
const sliceBegin = (rank: number, axis: number, at: number) => { const b = new Array<number>(rank).fill(0); b[axis] = at; return b; };
const sliceSize = (shape: number[], axis: number, n: number) => { const s = shape.map(() => -1); s[axis] = n; return s; };

function padOp(x: tf.Tensor, rawPads: number[], mode: string, value: number, axes: number[] | undefined): tf.Tensor {
  const r = x.rank;
  const ax = axes ? axes.map((a) => normAxis(a, r)) : x.shape.map((_, i) => i);
  const n = ax.length;
  const pads: Array<[number, number]> = x.shape.map(() => [0, 0]);
  ax.forEach((a, i) => { pads[a] = [rawPads[i] ?? 0, rawPads[i + n] ?? 0]; });
  // Negative pads crop: slice first, then pad the rest.
  const begin = pads.map(([b]) => (b < 0 ? -b : 0));
  const size = pads.map(([b, e], i) => x.shape[i]! + Math.min(b, 0) + Math.min(e, 0));
  let y = pads.some(([b, e]) => b < 0 || e < 0) ? tf.slice(x, begin, size) : x;
  const pos = pads.map(([b, e]) => [Math.max(b, 0), Math.max(e, 0)] as [number, number]);
  if (mode === 'reflect') y = tf.mirrorPad(y, pos, 'reflect');
  else if (mode === 'edge') y = edgePad(y, pos);
  else if (mode === 'constant') y = tf.pad(y, pos, value);
  else throw new Error(`Pad mode ${mode}`);
  return y;
}

function matmul(a: tf.Tensor, b: tf.Tensor): tf.Tensor {
  // 1-D operands are promoted (prepend / append a 1) and the added dimension removed after.
  const a2 = a.rank === 1 ? a.reshape([1, -1]) : a;
  const b2 = b.rank === 1 ? b.reshape([-1, 1]) : b;
  let y = tf.matMul(a2, b2);
  if (a.rank === 1) y = y.squeeze([y.rank - 2]);
  if (b.rank === 1) y = y.squeeze([y.rank - 1]);
  return y;
}

function outDtype(node: Parameters<OpFn>[2], graph: Parameters<OpFn>[3]['graph'], i: number): DType | undefined {
  return graph.tensors.get(node.outputs[i] ?? '')?.dtype;
}

function qRange(d: DType): [number, number] {
  return d === 'int8' ? [-128, 127] : d === 'int16' ? [-32768, 32767] : d === 'uint16' ? [0, 65535] : d === 'int32' ? [-2147483648, 2147483647] : [0, 255];
}

/** Per-axis scale/zero point shaped to broadcast along `axis` of x. */
function perAxis(p: tf.Tensor, x: tf.Tensor, axis: number): tf.Tensor {
  if (p.rank !== 1 || x.rank <= 1) return p;
  const shape = new Array<number>(x.rank).fill(1);
  shape[normAxis(axis, x.rank)] = p.shape[0]!;
  return p.reshape(shape);
}

function argOp(f: (x: tf.Tensor, axis: number) => tf.Tensor): OpFn {
  return (ins, a, n) => {
    const x = req(ins, 0, n);
    const axis = normAxis(attrInt(a, 'axis', 0), x.rank);
    // select_last_index: search the reversed axis and map the index back.
    const last = attrInt(a, 'select_last_index', 0) === 1;
    const y = last ? tf.sub(tf.scalar(x.shape[axis]! - 1, 'int32'), f(tf.reverse(x, axis), axis)) : f(x, axis);
    return [attrInt(a, 'keepdims', 1) ? y.expandDims(axis) : y];
  };
}

const base: OpTable = {
  Identity: unary((x) => x),
  // Inference: Dropout is the identity and its mask all true.
  Dropout: (ins, _a, n) => { const x = req(ins, 0, n); return [x, tf.onesLike(x).cast('bool')]; },
  Relu: unary(tf.relu),
  Sigmoid: unary(tf.sigmoid),
  Tanh: unary(tf.tanh),
  Exp: unary(tf.exp),
  Log: unary(tf.log),
  Sqrt: unary(tf.sqrt),
  Neg: unary(tf.neg),
  Abs: unary(tf.abs),
  Reciprocal: unary(tf.reciprocal),
  Floor: unary(tf.floor),
  Ceil: unary(tf.ceil),
  Round: unary(tf.round),
  Sign: unary(tf.sign),
  Sin: unary(tf.sin),
  Cos: unary(tf.cos),
  Erf: unary(tf.erf),
  Softplus: unary(tf.softplus),
  Softsign: unary((x) => tf.div(x, tf.add(tf.abs(x), 1))),
  Not: unary(tf.logicalNot),
  IsNaN: unary(tf.isNaN),
  LeakyRelu: (ins, a, n) => [tf.leakyRelu(req(ins, 0, n), attrFloat(a, 'alpha', 0.01))],
  Elu: (ins, a, n) => {
    const x = req(ins, 0, n);
    return [tf.where(tf.greater(x, 0), x, tf.mul(tf.sub(tf.exp(x), 1), attrFloat(a, 'alpha', 1)))];
  },
  Selu: (ins, a, n) => {
    const x = req(ins, 0, n);
    const alpha = attrFloat(a, 'alpha', 1.67326319217681884765625);
    const gamma = attrFloat(a, 'gamma', 1.05070102214813232421875);
    return [tf.mul(tf.where(tf.greater(x, 0), x, tf.mul(tf.sub(tf.exp(x), 1), alpha)), gamma)];
  },
  HardSigmoid: (ins, a, n) => [tf.clipByValue(tf.add(tf.mul(req(ins, 0, n), attrFloat(a, 'alpha', 0.2)), attrFloat(a, 'beta', 0.5)), 0, 1)],
  HardSwish: (ins, _a, n) => {
    const x = req(ins, 0, n);
    return [tf.mul(x, tf.clipByValue(tf.add(tf.div(x, 6), 0.5), 0, 1))];
  },
  Gelu: (ins, a, n) => {
    const x = req(ins, 0, n);
    if (attrString(a, 'approximate', 'none') === 'tanh') {
      const inner = tf.mul(tf.add(x, tf.mul(tf.pow(x, 3), 0.044715)), Math.sqrt(2 / Math.PI));
      return [tf.mul(tf.mul(x, 0.5), tf.add(tf.tanh(inner), 1))];
    }
    return [tf.mul(tf.mul(x, 0.5), tf.add(tf.erf(tf.div(x, Math.SQRT2)), 1))];
  },
  PRelu: prelu,
  Clip: (ins, a, n) => {
    let x = req(ins, 0, n);
    const lo = ins[1] ?? (a.min ? tf.scalar(attrFloat(a, 'min', 0), x.dtype) : undefined);
    const hi = ins[2] ?? (a.max ? tf.scalar(attrFloat(a, 'max', 0), x.dtype) : undefined);
    if (lo) x = tf.maximum(x, lo);
    if (hi) x = tf.minimum(x, hi);
    return [x];
  },
  Add: binary(tf.add),
  Sub: binary(tf.sub),
  Mul: binary(tf.mul),
  Div: binary((a, b) => (a.dtype === 'int32' && b.dtype === 'int32' ? tf.div(a.toFloat(), b.toFloat()).cast('int32') : tf.div(a, b))),
  Pow: binary((a, b) => tf.pow(a, b.cast(a.dtype))),
  Mod: (ins, a, n) => {
    const x = req(ins, 0, n), y = req(ins, 1, n);
    if (attrInt(a, 'fmod', 0) === 1) {
      // C fmod: the quotient truncates toward zero (tf.div on int32 would floor).
      const q = tf.div(x.toFloat(), y.toFloat());
      return [tf.sub(x.toFloat(), tf.mul(tf.sign(q).mul(tf.floor(tf.abs(q))), y.toFloat())).cast(x.dtype)];
    }
    return [tf.mod(x, y)];
  },
  Max: variadic(tf.maximum),
  Min: variadic(tf.minimum),
  Sum: variadic(tf.add),
  Mean: (ins, a, n, c) => [tf.div(base.Sum!(ins, a, n, c)[0]!, ins.filter(Boolean).length)],
  Equal: binary(tf.equal),
  Less: binary(tf.less),
  Greater: binary(tf.greater),
  LessOrEqual: binary(tf.lessEqual),
  GreaterOrEqual: binary(tf.greaterEqual),
  And: binary(tf.logicalAnd),
  Or: binary(tf.logicalOr),
  Xor: binary(tf.logicalXor),
  Where: select,
  MatMul: binary(matmul),
  Gemm: (ins, a, n) => {
    let A = req(ins, 0, n), B = req(ins, 1, n);
    if (attrInt(a, 'transA', 0)) A = A.transpose();
    if (attrInt(a, 'transB', 0)) B = B.transpose();
    let y = tf.matMul(A, B);
    const alpha = attrFloat(a, 'alpha', 1), beta = attrFloat(a, 'beta', 1);
    if (alpha !== 1) y = tf.mul(y, alpha);
    const C = ins[2];
    if (C) y = tf.add(y, beta === 1 ? C : tf.mul(C, beta));
    return [y];
  },
  Reshape: (ins, a, n) => {
    const x = req(ins, 0, n);
    const shape = ins[1] ? ints(ins[1]) : (attrInts(a, 'shape') ?? []);
    const allowZero = attrInt(a, 'allowzero', 0) === 1;
    return [x.reshape(shape.map((d, i) => (d === 0 && !allowZero ? x.shape[i]! : d)))];
  },
  Flatten: (ins, a, n) => {
    const x = req(ins, 0, n);
    const axis = normAxis(attrInt(a, 'axis', 1), x.rank);
    const outer = x.shape.slice(0, axis).reduce((p, q) => p * q, 1);
    return [x.reshape([outer, x.size / Math.max(outer, 1) || 0])];
  },
  Transpose: (ins, a, n) => {
    const x = req(ins, 0, n);
    return [tf.transpose(x, attrInts(a, 'perm') ?? x.shape.map((_, i) => x.rank - 1 - i))];
  },
  Concat: (ins, a, n) => {
    const xs = ins.filter((t): t is tf.Tensor => !!t);
    const axis = normAxis(attrInt(a, 'axis', 0), xs[0]?.rank ?? 1);
    const nonEmpty = xs.filter((t) => t.size > 0);
    return [nonEmpty.length === 1 ? nonEmpty[0]! : tf.concat(nonEmpty.length ? nonEmpty : xs, axis)];
  },
  Split: (ins, a, n) => {
    const x = req(ins, 0, n);
    const axis = normAxis(attrInt(a, 'axis', 0), x.rank);
    const sizes = ins[1] ? ints(ins[1]) : attrInts(a, 'split');
    if (sizes && sizes.length > 0) return tf.split(x, sizes, axis);
    const parts = attrInt(a, 'num_outputs', n.outputs.length);
    const dim = x.shape[axis]!;
    const each = Math.ceil(dim / parts);
    const list = Array.from({ length: parts }, (_, i) => Math.max(0, Math.min(each, dim - i * each)));
    return tf.split(x, list, axis);
  },
  Slice: (ins, a, n) => {
    const x = req(ins, 0, n);
    const starts = ins[1] ? ints(ins[1]) : (attrInts(a, 'starts') ?? []);
    const ends = ins[2] ? ints(ins[2]) : (attrInts(a, 'ends') ?? []);
    const axes = ins[3] ? ints(ins[3]) : (attrInts(a, 'axes') ?? starts.map((_, i) => i));
    const steps = ins[4] ? ints(ins[4]) : starts.map(() => 1);
    return [sliceOp(x, starts, ends, axes, steps)];
  },
  Squeeze: (ins, a, n) => {
    const x = req(ins, 0, n);
    const axes = axesOf(ins, 1, a);
    return [axes && axes.length ? x.squeeze(axes.map((ax) => normAxis(ax, x.rank))) : x.squeeze()];
  },
  Unsqueeze: (ins, a, n) => {
    const x = req(ins, 0, n);
    const axes = axesOf(ins, 1, a) ?? [];
    const rank = x.rank + axes.length;
    const set = new Set(axes.map((ax) => normAxis(ax, rank)));
    const shape: number[] = [];
    let j = 0;
    for (let i = 0; i < rank; i++) shape.push(set.has(i) ? 1 : x.shape[j++]!);
    return [x.reshape(shape)];
  },
  Gather: (ins, a, n) => {
    const x = req(ins, 0, n);
    const axis = normAxis(attrInt(a, 'axis', 0), x.rank);
    const idx = req(ins, 1, n).toInt();
    const fixed = tf.where(tf.less(idx, 0), tf.add(idx, tf.scalar(x.shape[axis]!, 'int32')), idx);
    return [tf.gather(x, fixed, axis)];
  },
  Shape: (ins, a, n) => {
    const x = req(ins, 0, n);
    const r = x.rank;
    const start = a.start ? Math.min(Math.max(normAxis(attrInt(a, 'start', 0), r), 0), r) : 0;
    const end = a.end ? Math.min(Math.max(normAxis(attrInt(a, 'end', r), r), 0), r) : r;
    return [tf.tensor1d(x.shape.slice(start, end), 'int32')];
  },
  Size: (ins, _a, n) => [tf.scalar(req(ins, 0, n).size, 'int32')],
  Cast: (ins, a, n) => {
    const x = req(ins, 0, n);
    const code = a.to?.kind === 'dtype' ? a.to.value : ONNX_DTYPES[attrInt(a, 'to', 1)];
    if (!code) fail(n, `Cast to ${JSON.stringify(a.to)}`);
    return [castTo(x, code)];
  },
  Pad: (ins, a, n) => {
    const x = req(ins, 0, n);
    const pads = ins[1] ? ints(ins[1]) : (attrInts(a, 'pads') ?? []);
    const value = ins[2] && ins[2].size > 0 ? floats(ins[2])[0]! : attrFloat(a, 'value', 0);
    const axes = ins[3] ? ints(ins[3]) : undefined;
    checkShape(x.shape.map((d, i) => d + (pads[i] ?? 0) + (pads[i + x.rank] ?? 0)), n);
    return [padOp(x, pads, attrString(a, 'mode', 'constant'), value, axes)];
  },
  ReduceMean: reduce('Mean'),
  ReduceSum: reduce('Sum'),
  ReduceMax: reduce('Max'),
  ReduceMin: reduce('Min'),
  ReduceProd: reduce('Prod'),
  ReduceL1: reduce('L1'),
  ReduceL2: reduce('L2'),
  ReduceSumSquare: reduce('SumSquare'),
  ReduceLogSum: reduce('LogSum'),
  ReduceLogSumExp: reduce('LogSumExp'),
  ArgMax: argOp(tf.argMax),
  ArgMin: argOp(tf.argMin),
  Softmax: softmaxOp(false),
  LogSoftmax: softmaxOp(true),
  Constant: (_ins, a, n) => {
    const v = a.value;
    if (v?.kind === 'tensor') {
      const t = constantToTf(v.value, false);
      if (!t) fail(n, 'constant tensor without data');
      return [t];
    }
    if (a.value_float) return [tf.scalar(attrFloat(a, 'value_float', 0))];
    if (a.value_floats) return [tf.tensor1d(attrInts(a, 'value_floats')!)];
    if (a.value_int) return [tf.scalar(attrInt(a, 'value_int', 0), 'int32')];
    if (a.value_ints) return [tf.tensor1d(attrInts(a, 'value_ints')!, 'int32')];
    fail(n, 'unsupported Constant attribute');
  },
  ConstantOfShape: (ins, a, n) => {
    const shape = checkShape(ints(req(ins, 0, n)), n);
    const v = a.value?.kind === 'tensor' ? constantToTf(a.value.value, false) : null;
    const value = v ? floats(v)[0] ?? 0 : 0;
    const dt = v ? v.dtype : 'float32';
    v?.dispose();
    return [tf.fill(shape, value, dt as 'float32' | 'int32' | 'bool')];
  },
  Expand: (ins, _a, n) => {
    const x = req(ins, 0, n);
    return [tf.broadcastTo(x, checkShape(broadcastShape(x.shape, ints(req(ins, 1, n))), n))];
  },
  Tile: (ins, _a, n) => {
    const x = req(ins, 0, n), reps = ints(req(ins, 1, n));
    checkShape(x.shape.map((d, i) => d * (reps[i] ?? 1)), n);
    return [tf.tile(x, reps)];
  },
  Range: (ins, _a, n) => {
    const [s, l, d] = [0, 1, 2].map((i) => floats(req(ins, i, n))[0]!);
    const dt = req(ins, 0, n).dtype === 'int32' ? 'int32' : 'float32';
    const count = Math.max(Math.ceil((l! - s!) / d!), 0);
    checkShape([count], n);
    return [tf.add(tf.mul(tf.range(0, count, 1, dt), tf.scalar(d!, dt)), tf.scalar(s!, dt))];
  },
  DequantizeLinear: (ins, a, n) => {
    const x = req(ins, 0, n).toFloat();
    const axis = attrInt(a, 'axis', 1);
    const scale = perAxis(req(ins, 1, n), x, axis);
    const zp = ins[2] ? perAxis(ins[2].toFloat(), x, axis) : tf.scalar(0);
    return [tf.mul(tf.sub(x, zp), scale)];
  },
  QuantizeLinear: (ins, a, n, ctx) => {
    const x = req(ins, 0, n);
    const axis = attrInt(a, 'axis', 1);
    const scale = perAxis(req(ins, 1, n), x, axis);
    const zp = ins[2] ? perAxis(ins[2].toFloat(), x, axis) : tf.scalar(0);
    const [lo, hi] = qRange(outDtype(n, ctx.graph, 0) ?? 'uint8');
    return [tf.clipByValue(tf.add(tf.round(tf.div(x, scale)), zp), lo, hi).toInt()];
  },
  If: (ins, a, n, ctx) => {
    const cond = floats(req(ins, 0, n))[0] !== 0;
    const branch = a[cond ? 'then_branch' : 'else_branch'];
    if (branch?.kind !== 'graph') fail(n, 'missing branch graph');
    return ctx.runGraph(branch.value, []);
  },
};

export const onnxOps: OpTable = { ...base, ...onnxNnOps, ...onnxExtraOps };
