/**
 * Less common ONNX ops: trigonometry, index ops (TopK, OneHot, GatherND/Elements, Trilu,
 * ScatterND), layout shuffles (DepthToSpace / SpaceToDepth) and integer/QLinear ops, which
 * compute exactly in float32 as long as the int32 accumulations stay below 2^24.
 */
import * as tf from '@tensorflow/tfjs';
import { onnxNnOps } from './onnx-nn';
import { attrFloat, attrInt, attrString, fail, floats, ints, normAxis, req, unary, type OpFn, type OpTable } from './util';

function dtypeOfOutput(n: Parameters<OpFn>[2], ctx: Parameters<OpFn>[3], i = 0) {
  return ctx.graph.tensors.get(n.outputs[i] ?? '')?.dtype ?? 'float32';
}

function satRange(d: string): [number, number] {
  return d === 'int8' ? [-128, 127] : d === 'int32' ? [-2147483648, 2147483647] : [0, 255];
}

/** Index tensor of shape `shape` along `axis` (a broadcast iota). */
function iota(shape: number[], axis: number): tf.Tensor {
  const s = shape.map((_, i) => (i === axis ? shape[axis]! : 1));
  return tf.broadcastTo(tf.range(0, shape[axis]!, 1, 'int32').reshape(s), shape);
}

/** Integer matmul/conv inputs: x - zero point, as float (exact below 2^24). */
const centred = (x: tf.Tensor, zp: tf.Tensor | undefined) => (zp ? tf.sub(x.toFloat(), zp.toFloat()) : x.toFloat());

/** Per-row / per-column zero point of MatMulInteger: a 1-D zero point applies along its axis. */
function zpFor(zp: tf.Tensor | undefined, x: tf.Tensor, forA: boolean): tf.Tensor | undefined {
  if (!zp || zp.rank === 0 || zp.size === 1) return zp?.reshape([]);
  return forA ? zp.reshape([...zp.shape, 1]) : zp;
}

export const onnxExtraOps: OpTable = {
  Tan: unary(tf.tan),
  Asin: unary(tf.asin),
  Acos: unary(tf.acos),
  Atan: unary(tf.atan),
  Sinh: unary(tf.sinh),
  Cosh: unary(tf.cosh),
  Asinh: unary(tf.asinh),
  Acosh: unary(tf.acosh),
  Atanh: unary(tf.atanh),
  Mish: unary((x) => tf.mul(x, tf.tanh(tf.softplus(x)))),
  IsInf: (ins, a, n) => {
    const x = req(ins, 0, n);
    const pos = attrInt(a, 'detect_positive', 1), neg = attrInt(a, 'detect_negative', 1);
    return [tf.logicalAnd(tf.isInf(x), tf.logicalOr(tf.logicalAnd(tf.greater(x, 0), tf.scalar(!!pos)), tf.logicalAnd(tf.less(x, 0), tf.scalar(!!neg))))];
  },
  ThresholdedRelu: (ins, a, n) => { const x = req(ins, 0, n); return [tf.where(tf.greater(x, attrFloat(a, 'alpha', 1)), x, tf.zerosLike(x))]; },
  Celu: (ins, a, n) => {
    const x = req(ins, 0, n), al = attrFloat(a, 'alpha', 1);
    return [tf.add(tf.relu(x), tf.minimum(0, tf.mul(tf.sub(tf.exp(tf.div(x, al)), 1), al)))];
  },
  Shrink: (ins, a, n) => {
    const x = req(ins, 0, n), l = attrFloat(a, 'lambd', 0.5), b = attrFloat(a, 'bias', 0);
    return [tf.where(tf.less(x, -l), tf.add(x, b), tf.where(tf.greater(x, l), tf.sub(x, b), tf.zerosLike(x)))];
  },
  Hardmax: (ins, a, n, ctx) => {
    const x = req(ins, 0, n);
    const axis = normAxis(attrInt(a, 'axis', ctx.opset < 13 ? 1 : -1), x.rank);
    const flat = ctx.opset < 13 ? x.reshape([x.shape.slice(0, axis).reduce((p, q) => p * q, 1), -1]) : x;
    const ax = ctx.opset < 13 ? 1 : axis;
    const idx = tf.argMax(flat, ax);
    const perm = Array.from({ length: flat.rank }, (_, i) => i);
    perm.splice(ax, 0, perm.pop()!); // the one-hot axis comes last: move it back to `ax`
    return [tf.oneHot(idx, flat.shape[ax]!).toFloat().transpose(perm).reshape(x.shape)];
  },
  CumSum: (ins, a, n) => {
    const x = req(ins, 0, n);
    const axis = normAxis(ints(req(ins, 1, n))[0]!, x.rank);
    return [tf.cumsum(x, axis, attrInt(a, 'exclusive', 0) === 1, attrInt(a, 'reverse', 0) === 1)];
  },
  TopK: (ins, a, n) => {
    const x = req(ins, 0, n);
    const k = ints(req(ins, 1, n))[0]!;
    const axis = normAxis(attrInt(a, 'axis', -1), x.rank);
    const largest = attrInt(a, 'largest', 1) === 1;
    const perm = moveLast(x.rank, axis);
    const xt = tf.transpose(x, perm);
    const r = tf.topk(largest ? xt : tf.neg(xt), k, attrInt(a, 'sorted', 1) === 1);
    const values = largest ? r.values : tf.neg(r.values);
    return [tf.transpose(values, perm), tf.transpose(r.indices, perm)];
  },
  OneHot: (ins, a, n) => {
    const idx = req(ins, 0, n);
    const depth = floats(req(ins, 1, n))[0]!;
    const [off, on] = floats(req(ins, 2, n)) as [number, number];
    const fixed = tf.where(tf.less(idx, 0), tf.add(idx, tf.scalar(depth, idx.dtype)), idx).toInt();
    const rank = idx.rank + 1;
    const axis = normAxis(attrInt(a, 'axis', -1), rank);
    const hot = tf.oneHot(fixed, depth, on, off, req(ins, 2, n).dtype === 'int32' ? 'int32' : 'float32');
    const perm = Array.from({ length: rank }, (_, i) => i);
    perm.splice(axis, 0, perm.pop()!);
    return [tf.transpose(hot, perm)];
  },
  GatherND: (ins, a, n) => {
    if (attrInt(a, 'batch_dims', 0) !== 0) fail(n, 'batch_dims');
    return [tf.gatherND(req(ins, 0, n), req(ins, 1, n).toInt())];
  },
  GatherElements: (ins, a, n) => {
    const x = req(ins, 0, n);
    const axis = normAxis(attrInt(a, 'axis', 0), x.rank);
    let idx = req(ins, 1, n).toInt();
    idx = tf.where(tf.less(idx, 0), tf.add(idx, tf.scalar(x.shape[axis]!, 'int32')), idx);
    // Full coordinates: the index along `axis`, the element's own position elsewhere.
    const coords = idx.shape.map((_, d) => (d === axis ? idx : iota(idx.shape, d)));
    return [tf.gatherND(x, tf.stack(coords, -1))];
  },
  ScatterND: (ins, a, n) => {
    if (attrString(a, 'reduction', 'none') !== 'none') fail(n, 'reduction');
    const x = req(ins, 0, n);
    return [tf.tensorScatterUpdate(x, req(ins, 1, n).toInt(), req(ins, 2, n))];
  },
  ScatterElements: (ins, a, n) => {
    if (attrString(a, 'reduction', 'none') !== 'none') fail(n, 'reduction');
    const x = req(ins, 0, n);
    const axis = normAxis(attrInt(a, 'axis', 0), x.rank);
    let idx = req(ins, 1, n).toInt();
    idx = tf.where(tf.less(idx, 0), tf.add(idx, tf.scalar(x.shape[axis]!, 'int32')), idx);
    const coords = idx.shape.map((_, d) => (d === axis ? idx : iota(idx.shape, d)));
    return [tf.tensorScatterUpdate(x, tf.stack(coords, -1).reshape([-1, x.rank]), req(ins, 2, n).reshape([-1]))];
  },
  Trilu: (ins, a, n) => {
    const x = req(ins, 0, n);
    const k = ins[1] ? ints(ins[1])[0]! : 0;
    const [r, c] = x.shape.slice(-2) as [number, number];
    const row = tf.range(0, r, 1, 'int32').reshape([r, 1]);
    const col = tf.range(0, c, 1, 'int32').reshape([1, c]);
    const diff = tf.sub(col, row);
    const keep = attrInt(a, 'upper', 1) ? tf.greaterEqual(diff, k) : tf.lessEqual(diff, k);
    return [tf.where(tf.broadcastTo(keep, x.shape), x, tf.zerosLike(x))];
  },
  EyeLike: (ins, a, n) => {
    const x = req(ins, 0, n);
    const [r, c] = x.shape as [number, number];
    const k = attrInt(a, 'k', 0);
    const eye = tf.equal(tf.sub(tf.range(0, c, 1, 'int32').reshape([1, c]), tf.range(0, r, 1, 'int32').reshape([r, 1])), k);
    return [a.dtype ? eye.toFloat() : eye.cast(x.dtype)];
  },
  DepthToSpace: (ins, a, n) => {
    const x = req(ins, 0, n);
    const b = attrInt(a, 'blocksize', 1);
    const [N, C, H, W] = x.shape as [number, number, number, number];
    const crd = attrString(a, 'mode', 'DCR') === 'CRD';
    const t = crd
      ? x.reshape([N, C / (b * b), b, b, H, W]).transpose([0, 1, 4, 2, 5, 3])
      : x.reshape([N, b, b, C / (b * b), H, W]).transpose([0, 3, 4, 1, 5, 2]);
    return [t.reshape([N, C / (b * b), H * b, W * b])];
  },
  SpaceToDepth: (ins, a, n) => {
    const x = req(ins, 0, n);
    const b = attrInt(a, 'blocksize', 1);
    const [N, C, H, W] = x.shape as [number, number, number, number];
    return [x.reshape([N, C, H / b, b, W / b, b]).transpose([0, 3, 5, 1, 2, 4]).reshape([N, C * b * b, H / b, W / b])];
  },
  LRN: (ins, a, n) => {
    const x = req(ins, 0, n);
    const size = attrInt(a, 'size', 1);
    const alpha = attrFloat(a, 'alpha', 1e-4), beta = attrFloat(a, 'beta', 0.75), bias = attrFloat(a, 'bias', 1);
    // Sum of squares over a channel window: a 1-D average pool over C.
    const sq = tf.square(x).transpose([0, 2, 3, 1]);
    const lo = Math.floor((size - 1) / 2), hi = Math.ceil((size - 1) / 2);
    const padded = tf.pad(sq, [[0, 0], [0, 0], [0, 0], [lo, hi]]);
    const [N, H, W, C] = sq.shape as [number, number, number, number];
    const summed = tf.mul(tf.avgPool(padded.reshape([N * H * W, C + lo + hi, 1, 1]) as tf.Tensor4D, [size, 1], 1, 'valid'), size).reshape([N, H, W, C]);
    return [tf.div(x, tf.pow(tf.add(bias, tf.mul(summed, alpha / size)), beta).transpose([0, 3, 1, 2]))];
  },
  MeanVarianceNormalization: (ins, a, n) => {
    const x = req(ins, 0, n);
    const axes = a.axes?.kind === 'ints' ? a.axes.value : [0, 2, 3];
    const { mean, variance } = tf.moments(x, axes.map((v) => normAxis(v, x.rank)), true);
    return [tf.div(tf.sub(x, mean), tf.add(tf.sqrt(variance), 1e-9))];
  },
  Einsum: (ins, a, n) => {
    let eq = attrString(a, 'equation', '').replace(/\s/g, '');
    if (eq.includes('...')) fail(n, 'ellipsis in the equation');
    if (!eq.includes('->')) {
      // Implicit output: the letters that appear once, in alphabetical order.
      const letters = eq.replace(/,/g, '').split('');
      eq += '->' + [...new Set(letters)].filter((c) => letters.indexOf(c) === letters.lastIndexOf(c)).sort().join('');
    }
    return [tf.einsum(eq, ...ins.filter((t): t is tf.Tensor => !!t))];
  },
  CastLike: (ins, _a, n) => { const like = req(ins, 1, n); return [like.dtype === 'bool' ? tf.notEqual(req(ins, 0, n), 0) : req(ins, 0, n).cast(like.dtype)]; },
  NonZero: (ins, _a, n) => {
    const x = req(ins, 0, n);
    const v = x.dataSync();
    const coords: number[][] = x.shape.map(() => []);
    const strides = x.shape.map((_, i) => x.shape.slice(i + 1).reduce((p, q) => p * q, 1));
    for (let i = 0; i < v.length; i++) if (v[i]) strides.forEach((s, d) => coords[d]!.push(Math.floor(i / s) % x.shape[d]!));
    return [tf.tensor2d(coords.flat(), [x.rank, coords[0]?.length ?? 0], 'int32')];
  },
  MatMulInteger: (ins, _a, n) => {
    const A = req(ins, 0, n), B = req(ins, 1, n);
    return [tf.matMul(centred(A, zpFor(ins[2], A, true)), centred(B, zpFor(ins[3], B, false))).toInt()];
  },
  QLinearMatMul: (ins, _a, n, ctx) => {
    const [A, as, az, B, bs, bz, ys, yz] = [0, 1, 2, 3, 4, 5, 6, 7].map((i) => req(ins, i, n));
    const real = tf.mul(tf.matMul(centred(A!, zpFor(az, A!, true)), centred(B!, zpFor(bz, B!, false))), tf.mul(zpFor(as, A!, true)!, zpFor(bs, B!, false)!));
    const [lo, hi] = satRange(dtypeOfOutput(n, ctx));
    return [tf.clipByValue(tf.add(tf.round(tf.div(real, ys!)), yz!.toFloat()), lo, hi).toInt()];
  },
  ConvInteger: (ins, a, n, ctx) => {
    const x = centred(req(ins, 0, n), ins[2]);
    const wz = ins[3] && ins[3].size > 1 ? ins[3].reshape([-1, 1, 1, 1]) : ins[3];
    const w = centred(req(ins, 1, n), wz);
    return [onnxNnOps.Conv!([x, w], a, n, ctx)[0]!.round().toInt()];
  },
  QLinearConv: (ins, a, n, ctx) => {
    const [x, xs, xz, w, ws, wz, ys, yz] = [0, 1, 2, 3, 4, 5, 6, 7].map((i) => req(ins, i, n));
    const perChannel = (t: tf.Tensor) => (t.size > 1 ? t.reshape([-1, 1, 1, 1]) : t);
    const xr = tf.mul(centred(x!, xz), xs!);
    const wr = tf.mul(centred(w!, perChannel(wz!)), perChannel(ws!));
    const bias = ins[8] ? tf.mul(ins[8].toFloat(), tf.mul(xs!, ws!)) : undefined;
    const y = onnxNnOps.Conv!([xr, wr, bias], a, n, ctx)[0]!;
    const [lo, hi] = satRange(dtypeOfOutput(n, ctx));
    return [tf.clipByValue(tf.add(tf.round(tf.div(y, ys!)), yz!.toFloat()), lo, hi).toInt()];
  },
  DynamicQuantizeLinear: (ins, _a, n) => {
    const x = req(ins, 0, n);
    const lo = Math.min(floats(tf.min(x))[0]!, 0), hi = Math.max(floats(tf.max(x))[0]!, 0);
    const scale = (hi - lo) / 255;
    const zp = scale === 0 ? 0 : Math.min(255, Math.max(0, Math.round(-lo / scale)));
    const q = scale === 0 ? tf.zerosLike(x) : tf.clipByValue(tf.add(tf.round(tf.div(x, scale)), zp), 0, 255);
    return [q.toInt(), tf.scalar(scale), tf.scalar(zp, 'int32')];
  },
};

function moveLast(rank: number, axis: number): number[] {
  const perm = Array.from({ length: rank }, (_, i) => i);
  perm[axis] = rank - 1;
  perm[rank - 1] = axis;
  return perm;
}
