/**
 * ONNX layers with an NCHW layout on tfjs, whose convolutions and pools are NHWC: activations are
 * transposed around each op (tfjs's own dataFormat 'NCHW' is not implemented on every backend)
 * and constant weights are re-laid-out once per session (ctx.memo). 1-D ops run as 2-D with H = 1.
 */
import * as tf from '@tensorflow/tfjs';
import { resizeOp } from './onnx-resize';
import { attrFloat, attrInt, attrInts, attrString, fail, ints, req, type OpFn, type OpTable } from './util';

type Node = Parameters<OpFn>[2];
type Attrs = Parameters<OpFn>[1];
type Explicit = [[number, number], [number, number], [number, number], [number, number]];

const toNhwc = (x: tf.Tensor) => tf.transpose(x, [0, 2, 3, 1]);
const toNchw = (x: tf.Tensor) => tf.transpose(x, [0, 3, 1, 2]);

/** Lifts a 1-D op input [N, C, L] to [N, C, 1, L]; returns the 4-D tensor and how to undo it. */
function as2d(x: tf.Tensor, node: Node): [tf.Tensor4D, (y: tf.Tensor) => tf.Tensor] {
  if (x.rank === 4) return [x as tf.Tensor4D, (y) => y];
  if (x.rank === 3) return [x.expandDims(2) as tf.Tensor4D, (y) => y.squeeze([2])];
  fail(node, `only 1-D and 2-D spatial inputs are supported, got rank ${x.rank}`);
}

/** Spatial attribute of length 2 (1-D ops get the H = 1 entry prepended). */
function pair(v: number[] | undefined, spatial: number, dflt: number): [number, number] {
  if (!v || v.length === 0) return [dflt, dflt];
  return spatial === 1 ? [dflt, v[0]!] : [v[0]!, v[1]!];
}

/** Explicit [[top, bottom], [left, right]] padding from pads / auto_pad. */
function padsFor(a: Attrs, inHW: number[], k: [number, number], s: [number, number], d: [number, number], spatial: number): Array<[number, number]> {
  const auto = attrString(a, 'auto_pad', 'NOTSET');
  if (auto === 'SAME_UPPER' || auto === 'SAME_LOWER') {
    return [0, 1].map((i) => {
      const n = inHW[i]!;
      const out = Math.ceil(n / s[i]!);
      const total = Math.max((out - 1) * s[i]! + (k[i]! - 1) * d[i]! + 1 - n, 0);
      const small = Math.floor(total / 2);
      return auto === 'SAME_UPPER' ? [small, total - small] : [total - small, small];
    }) as Array<[number, number]>;
  }
  if (auto === 'VALID') return [[0, 0], [0, 0]];
  const p = attrInts(a, 'pads') ?? [];
  if (spatial === 1) return [[0, 0], [p[0] ?? 0, p[1] ?? 0]];
  return [[p[0] ?? 0, p[2] ?? 0], [p[1] ?? 0, p[3] ?? 0]];
}

function conv(ins: Array<tf.Tensor | undefined>, a: Attrs, node: Node, ctx: Parameters<OpFn>[3]): tf.Tensor[] {
  const [x4, back] = as2d(req(ins, 0, node), node);
  const w = req(ins, 1, node);
  const spatial = w.rank - 2;
  const w4 = w.rank === 3 ? w.expandDims(2) : w;
  const [M, cg, kh, kw] = w4.shape as [number, number, number, number];
  const group = attrInt(a, 'group', 1);
  const s = pair(attrInts(a, 'strides'), spatial, 1);
  const d = pair(attrInts(a, 'dilations'), spatial, 1);
  const pads = padsFor(a, x4.shape.slice(2), [kh, kw], s, d, spatial);
  const pad: Explicit = [[0, 0], pads[0]!, pads[1]!, [0, 0]];
  const x = toNhwc(x4) as tf.Tensor4D;
  const C = x4.shape[1];
  let y: tf.Tensor4D;
  if (group === 1) {
    const f = ctx.memo(w, 'conv-hwio', () => tf.transpose(w4, [2, 3, 1, 0])) as tf.Tensor4D;
    y = tf.conv2d(x, f, s, pad, 'NHWC', d);
  } else if (group === C && cg === 1) {
    // Depthwise: [M = C*mult, 1, kh, kw] -> [kh, kw, C, mult].
    const f = ctx.memo(w, 'conv-dw', () => tf.transpose(w4.reshape([C, M / C, kh, kw]), [2, 3, 0, 1])) as tf.Tensor4D;
    y = tf.depthwiseConv2d(x, f, s, pad, 'NHWC', d);
  } else {
    const xs = tf.split(x, group, 3);
    const fs = tf.split(ctx.memo(w, 'conv-hwio', () => tf.transpose(w4, [2, 3, 1, 0])), group, 3);
    y = tf.concat(xs.map((xi, i) => tf.conv2d(xi as tf.Tensor4D, fs[i] as tf.Tensor4D, s, pad, 'NHWC', d)), 3);
  }
  const b = ins[2];
  if (b) y = tf.add(y, b);
  return [back(toNchw(y))];
}

function convTranspose(ins: Array<tf.Tensor | undefined>, a: Attrs, node: Node, ctx: Parameters<OpFn>[3]): tf.Tensor[] {
  const [x4, back] = as2d(req(ins, 0, node), node);
  const w = req(ins, 1, node);
  const spatial = w.rank - 2;
  const w4 = w.rank === 3 ? w.expandDims(2) : w;
  const [, mg, kh, kw] = w4.shape as [number, number, number, number];
  const group = attrInt(a, 'group', 1);
  const s = pair(attrInts(a, 'strides'), spatial, 1);
  const d = pair(attrInts(a, 'dilations'), spatial, 1);
  const op = pair(attrInts(a, 'output_padding'), spatial, 0);
  const [, , H, W] = x4.shape;
  const ek = [(kh - 1) * d[0] + 1, (kw - 1) * d[1] + 1];
  const full = [s[0] * (H - 1) + ek[0]!, s[1] * (W - 1) + ek[1]!];
  let pads: Array<[number, number]>;
  const outShape = attrInts(a, 'output_shape');
  const auto = attrString(a, 'auto_pad', 'NOTSET');
  if (outShape || auto === 'SAME_UPPER' || auto === 'SAME_LOWER') {
    const want = outShape ? pair(outShape.slice(-spatial), spatial, 1) : [H * s[0], W * s[1]];
    pads = [0, 1].map((i) => {
      const total = full[i]! + op[i]! - want[i]!;
      const small = Math.trunc(total / 2); // C division, as onnxruntime does
      return auto === 'SAME_LOWER' ? [total - small, small] : [small, total - small];
    }) as Array<[number, number]>;
  } else pads = padsFor(a, [H, W], [kh, kw], s, d, spatial);
  // Full ("valid") transposed conv, then crop the pads and add output_padding rows of zeros.
  const f = ctx.memo(w, 'convT-hwoi', () => tf.transpose(dilateKernel(w4, d), [2, 3, 1, 0])) as tf.Tensor4D;
  const x = toNhwc(x4) as tf.Tensor4D;
  const one = (xi: tf.Tensor4D, fi: tf.Tensor4D) => tf.conv2dTranspose(xi, fi, [xi.shape[0], full[0]!, full[1]!, fi.shape[2]], s, 'valid');
  let y: tf.Tensor4D;
  if (group === 1) y = one(x, f);
  else {
    const xs = tf.split(x, group, 3);
    const fs = tf.split(f, group, 3);
    y = tf.concat(xs.map((xi, i) => one(xi as tf.Tensor4D, fs[i] as tf.Tensor4D)), 3);
  }
  void mg;
  // The output is [pre, full + op - post) of the zero-extended full result; pads may be negative.
  const ends = [0, 1].map((i) => full[i]! + op[i]! - pads[i]![1]);
  const before = [0, 1].map((i) => Math.max(-pads[i]![0], 0));
  const after = [0, 1].map((i) => Math.max(ends[i]! - full[i]!, 0));
  y = tf.pad(y, [[0, 0], [before[0]!, after[0]!], [before[1]!, after[1]!], [0, 0]]);
  y = tf.slice(y, [0, pads[0]![0] + before[0]!, pads[1]![0] + before[1]!, 0], [-1, ends[0]! - pads[0]![0], ends[1]! - pads[1]![0], -1]);
  const b = ins[2];
  if (b) y = tf.add(y, b);
  return [back(toNchw(y))];
}

/** Inserts d-1 zeros between kernel taps ([*, *, kh, kw] layout): a dilated kernel as a dense one. */
function dilateKernel(w: tf.Tensor, d: [number, number]): tf.Tensor {
  let k = w;
  [2, 3].forEach((axis, i) => {
    const di = d[i]!;
    if (di === 1) return;
    const len = k.shape[axis]!;
    const zeros = Array.from({ length: k.rank + 1 }, (_, j): [number, number] => (j === axis + 1 ? [0, di - 1] : [0, 0]));
    const padded = tf.pad(k.expandDims(axis + 1), zeros);
    const shape = k.shape.slice();
    shape[axis] = len * di;
    k = tf.slice(padded.reshape(shape), k.shape.map(() => 0), shape.map((v, j) => (j === axis ? (len - 1) * di + 1 : v)));
  });
  return k;
}

function pool(kind: 'max' | 'avg'): OpFn {
  return (ins, a, node) => {
    const [x4, back] = as2d(req(ins, 0, node), node);
    const kAttr = attrInts(a, 'kernel_shape') ?? [];
    const spatial = kAttr.length;
    const k = pair(kAttr, spatial, 1);
    const s = pair(attrInts(a, 'strides'), spatial, 1);
    const d = pair(attrInts(a, 'dilations'), spatial, 1);
    const hw = x4.shape.slice(2);
    const pads = padsFor(a, hw, k, s, d, spatial);
    // ceil_mode: extra end padding so a 'valid' pool yields the ceil-rounded size.
    const extra = [0, 1].map((i) => {
      if (!attrInt(a, 'ceil_mode', 0)) return 0;
      const span = hw[i]! + pads[i]![0] + pads[i]![1] - ((k[i]! - 1) * d[i]! + 1);
      let out = Math.ceil(span / s[i]!) + 1;
      if ((out - 1) * s[i]! >= hw[i]! + pads[i]![0]) out--; // last window must start inside
      return Math.max((out - 1) * s[i]! + (k[i]! - 1) * d[i]! + 1 - (hw[i]! + pads[i]![0] + pads[i]![1]), 0);
    });
    const x = toNhwc(x4);
    const padAll: Array<[number, number]> = [[0, 0], [pads[0]![0], pads[0]![1] + extra[0]!], [pads[1]![0], pads[1]![1] + extra[1]!], [0, 0]];
    const run = (t: tf.Tensor, type: 'max' | 'avg') => tf.pool(t as tf.Tensor4D, k, type, 'valid', d, s);
    let y: tf.Tensor;
    if (kind === 'max') y = run(tf.pad(x, padAll, -Infinity), 'max');
    else {
      // Average over the cells that count: explicit pads only with count_include_pad.
      const include = attrInt(a, 'count_include_pad', 0) === 1;
      const ones = tf.onesLike(x);
      const mask = include
        ? tf.pad(tf.pad(ones, [[0, 0], pads[0]!, pads[1]!, [0, 0]], 1), [[0, 0], [0, extra[0]!], [0, extra[1]!], [0, 0]])
        : tf.pad(ones, padAll, 0);
      y = tf.div(run(tf.pad(x, padAll, 0), 'avg'), run(mask, 'avg'));
    }
    return [back(toNchw(y))];
  };
}

function batchNorm(ins: Array<tf.Tensor | undefined>, a: Attrs, node: Node): tf.Tensor[] {
  const x = req(ins, 0, node);
  const shape = x.shape.map((v, i) => (i === 1 ? v : 1));
  const [scale, bias, mean, variance] = [1, 2, 3, 4].map((i) => req(ins, i, node).reshape(shape));
  const eps = attrFloat(a, 'epsilon', 1e-5);
  return [tf.add(tf.mul(tf.sub(x, mean!), tf.div(scale!, tf.sqrt(tf.add(variance!, eps)))), bias!)];
}

const timeMajor = (x: tf.Tensor, batchFirst: boolean) => (batchFirst ? x.transpose([1, 0, 2]) : x);

/** ONNX LSTM (gates i, o, f, c; default activations), forward, reverse or bidirectional. */
function lstm(ins: Array<tf.Tensor | undefined>, a: Attrs, node: Node): tf.Tensor[] {
  const batchFirst = attrInt(a, 'layout', 0) === 1;
  const T0 = req(ins, 0, node).shape[batchFirst ? 1 : 0]!;
  if (ins[4] && ints(ins[4]).some((v) => v !== T0)) fail(node, 'sequence_lens shorter than the sequence');
  if (attrInts(a, 'activations')) {
    const acts = (a.activations?.kind === 'strings' ? a.activations.value : []).join(',');
    if (!/^((Sigmoid,Tanh,Tanh),?)+$/.test(acts)) fail(node, `activations ${acts}`);
  }
  const X = timeMajor(req(ins, 0, node), batchFirst), W = req(ins, 1, node), R = req(ins, 2, node);
  const [h0, c0] = [ins[5], ins[6]].map((t) => (t && batchFirst ? t.transpose([1, 0, 2]) : t));
  const [T, B] = X.shape as [number, number, number];
  const H = attrInt(a, 'hidden_size', R.shape[2]!);
  const dir = attrString(a, 'direction', 'forward');
  const dirs = dir === 'bidirectional' ? 2 : 1;
  const clip = a.clip ? attrFloat(a, 'clip', 0) : 0;
  const ys: tf.Tensor[] = [], hs: tf.Tensor[] = [], cs: tf.Tensor[] = [];
  for (let k = 0; k < dirs; k++) {
    const w = W.gather(k).transpose(), r = R.gather(k).transpose();
    const bias = ins[3] ? ins[3].gather(k) : tf.zeros([8 * H]);
    const b = tf.add(bias.slice(0, 4 * H), bias.slice(4 * H, 4 * H));
    let h: tf.Tensor = h0 ? h0.gather(k) : tf.zeros([B, H]);
    let c: tf.Tensor = c0 ? c0.gather(k) : tf.zeros([B, H]);
    const [pi, po, pf] = ins[7] ? tf.split(ins[7].gather(k), 3) : [undefined, undefined, undefined];
    const reverse = dir === 'reverse' || k === 1;
    const out: tf.Tensor[] = new Array<tf.Tensor>(T);
    for (let step = 0; step < T; step++) {
      const t = reverse ? T - 1 - step : step;
      let g = tf.add(tf.add(tf.matMul(X.gather(t), w), tf.matMul(h, r)), b);
      if (clip > 0) g = tf.clipByValue(g, -clip, clip);
      let [i, o, f, cc] = tf.split(g, 4, 1) as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];
      if (pi) i = tf.add(i, tf.mul(pi, c));
      if (pf) f = tf.add(f, tf.mul(pf, c));
      c = tf.add(tf.mul(tf.sigmoid(f), c), tf.mul(tf.sigmoid(i), tf.tanh(cc)));
      if (po) o = tf.add(o, tf.mul(po, c));
      h = tf.mul(tf.sigmoid(o), tf.tanh(c));
      out[t] = h;
    }
    ys.push(tf.stack(out));
    hs.push(h);
    cs.push(c);
  }
  const [Y, Yh, Yc] = [tf.stack(ys, 1), tf.stack(hs), tf.stack(cs)];
  return batchFirst ? [Y.transpose([2, 0, 1, 3]), Yh.transpose([1, 0, 2]), Yc.transpose([1, 0, 2])] : [Y, Yh, Yc];
}

/** ONNX GRU (gates z, r, h; default activations). */
function gru(ins: Array<tf.Tensor | undefined>, a: Attrs, node: Node): tf.Tensor[] {
  if (ins[4]) fail(node, 'sequence_lens');
  if (attrInts(a, 'activations')) fail(node, 'custom activations');
  const batchFirst = attrInt(a, 'layout', 0) === 1;
  const h0 = ins[5] && batchFirst ? ins[5].transpose([1, 0, 2]) : ins[5];
  const X = timeMajor(req(ins, 0, node), batchFirst), W = req(ins, 1, node), R = req(ins, 2, node);
  const [T, B] = X.shape as [number, number, number];
  const H = attrInt(a, 'hidden_size', R.shape[2]!);
  const dir = attrString(a, 'direction', 'forward');
  const dirs = dir === 'bidirectional' ? 2 : 1;
  const lbr = attrInt(a, 'linear_before_reset', 0) === 1;
  const ys: tf.Tensor[] = [], hs: tf.Tensor[] = [];
  for (let k = 0; k < dirs; k++) {
    const w = W.gather(k).transpose(), r = R.gather(k).transpose();
    const bias = ins[3] ? ins[3].gather(k) : tf.zeros([6 * H]);
    const [wb, rb] = [bias.slice(0, 3 * H), bias.slice(3 * H, 3 * H)];
    const [rz, rr, rh] = tf.split(r, 3, 1) as [tf.Tensor, tf.Tensor, tf.Tensor];
    const [rbz, rbr, rbh] = tf.split(rb, 3) as [tf.Tensor, tf.Tensor, tf.Tensor];
    let h: tf.Tensor = h0 ? h0.gather(k) : tf.zeros([B, H]);
    const reverse = dir === 'reverse' || k === 1;
    const out: tf.Tensor[] = new Array<tf.Tensor>(T);
    for (let step = 0; step < T; step++) {
      const t = reverse ? T - 1 - step : step;
      const [xz, xr, xh] = tf.split(tf.add(tf.matMul(X.gather(t), w), wb), 3, 1) as [tf.Tensor, tf.Tensor, tf.Tensor];
      const z = tf.sigmoid(tf.add(tf.add(xz, tf.matMul(h, rz)), rbz));
      const rg = tf.sigmoid(tf.add(tf.add(xr, tf.matMul(h, rr)), rbr));
      const hh = lbr
        ? tf.tanh(tf.add(xh, tf.mul(rg, tf.add(tf.matMul(h, rh), rbh))))
        : tf.tanh(tf.add(tf.add(xh, tf.matMul(tf.mul(rg, h), rh)), rbh));
      h = tf.add(tf.mul(tf.sub(1, z), hh), tf.mul(z, h));
      out[t] = h;
    }
    ys.push(tf.stack(out));
    hs.push(h);
  }
  const [Y, Yh] = [tf.stack(ys, 1), tf.stack(hs)];
  return batchFirst ? [Y.transpose([2, 0, 1, 3]), Yh.transpose([1, 0, 2])] : [Y, Yh];
}

function normalize(x: tf.Tensor, axes: number[], eps: number): tf.Tensor {
  const { mean, variance } = tf.moments(x, axes, true);
  return tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, eps)));
}

const resize10 = resizeOp(1, 'asymmetric');
const resize11 = resizeOp(2, 'half_pixel');

export const onnxNnOps: OpTable = {
  Conv: conv,
  ConvTranspose: convTranspose,
  BatchNormalization: batchNorm,
  MaxPool: pool('max'),
  AveragePool: pool('avg'),
  GlobalAveragePool: (ins, _a, n) => { const x = req(ins, 0, n); return [tf.mean(x, x.shape.slice(2).map((_, i) => i + 2), true)]; },
  GlobalMaxPool: (ins, _a, n) => { const x = req(ins, 0, n); return [tf.max(x, x.shape.slice(2).map((_, i) => i + 2), true)]; },
  Resize: (ins, a, n, ctx) => (ctx.opset >= 11 ? resize11 : resize10)(ins, a, n, ctx),
  Upsample: resize10,
  LSTM: lstm,
  GRU: gru,
  InstanceNormalization: (ins, a, n) => {
    const x = req(ins, 0, n);
    const shape = x.shape.map((v, i) => (i === 1 ? v : 1));
    const y = normalize(x, x.shape.slice(2).map((_, i) => i + 2), attrFloat(a, 'epsilon', 1e-5));
    return [tf.add(tf.mul(y, req(ins, 1, n).reshape(shape)), req(ins, 2, n).reshape(shape))];
  },
  LayerNormalization: (ins, a, n) => {
    const x = req(ins, 0, n);
    const axis = attrInt(a, 'axis', -1);
    const from = axis < 0 ? axis + x.rank : axis;
    const axes = x.shape.slice(from).map((_, i) => i + from);
    const { mean, variance } = tf.moments(x, axes, true);
    const invStd = tf.rsqrt(tf.add(variance, attrFloat(a, 'epsilon', 1e-5)));
    let y = tf.mul(tf.mul(tf.sub(x, mean), invStd), req(ins, 1, n));
    if (ins[2]) y = tf.add(y, ins[2]);
    return [y, mean, invStd];
  },
};
