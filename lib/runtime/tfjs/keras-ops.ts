/**
 * `keras` dialect (TF.js layers models): one node per layer, attrs = the layer config, weights as
 * constant inputs named '<layer>/<weight>' after the data inputs. Inference semantics of
 * tfjs-layers 4.22 (the native runtime of these files): Dropout and noise layers are identities,
 * BatchNormalization uses the moving statistics.
 *
 * Weights are found by their Keras name (kernel, bias, gamma...), not by position: a converted
 * model's manifest lists weights in any order. Unnamed extra constants fall back to the order
 * tfjs-layers' getWeights() gives for the class (kernel, bias; depthwise, pointwise, bias; gamma,
 * beta, moving_mean, moving_variance without the ones center/scale turn off).
 */
import * as tf from '@tensorflow/tfjs';
import type { AttrValue, Node } from '../../ir/types';
import { attrFloat, attrInt, attrInts, attrString, fail, normAxis, type OpContext, type OpFn, type OpTable } from './util';

type Attrs = Record<string, AttrValue>;
type Layer = (x: tf.Tensor[], w: Weights, a: Attrs, node: Node) => tf.Tensor;

const WEIGHT = /\/(kernel|bias|depthwise_kernel|pointwise_kernel|gamma|beta|moving_mean|moving_variance|alpha|embeddings)(:\d+)?$/;

/** Weight order of tfjs-layers' getWeights() per class, for constants not named like Keras. */
function positional(op: string, a: Attrs): string[] {
  const bias = bool(a, 'use_bias', true) ? ['bias'] : [];
  switch (op) {
    case 'Conv2D': case 'Conv2DTranspose': case 'Dense': return ['kernel', ...bias];
    case 'DepthwiseConv2D': return ['depthwise_kernel', ...bias];
    case 'SeparableConv2D': return ['depthwise_kernel', 'pointwise_kernel', ...bias];
    case 'BatchNormalization': case 'LayerNormalization':
      return [...(bool(a, 'scale', true) ? ['gamma'] : []), ...(bool(a, 'center', true) ? ['beta'] : []),
        ...(op === 'BatchNormalization' ? ['moving_mean', 'moving_variance'] : [])];
    case 'PReLU': return ['alpha'];
    default: return [];
  }
}

class Weights {
  constructor(private readonly map: Map<string, tf.Tensor>, private readonly node: Node) {}
  get(key: string): tf.Tensor | undefined { return this.map.get(key); }
  req(key: string): tf.Tensor {
    const t = this.map.get(key);
    if (!t) fail(this.node, `weight "${key}" is missing`);
    return t;
  }
}

function bool(a: Attrs, name: string, dflt: boolean): boolean {
  const v = a[name];
  return v?.kind === 'bool' ? v.value : v?.kind === 'int' ? v.value !== 0 : dflt;
}

/** A numeric attr that may be null in the config (ReLU max_value). */
function optNum(a: Attrs, name: string): number | null {
  const v = a[name];
  return v && (v.kind === 'int' || v.kind === 'float') ? v.value : null;
}

/** kernel_size / strides / pool_size / size: an int or a list. */
function pair(a: Attrs, name: string, dflt: number): [number, number] {
  const v = attrInts(a, name);
  if (!v || v.length === 0) return [dflt, dflt];
  return [v[0]!, v[1] ?? v[0]!];
}

/** [[top, bottom], [left, right]] from an int, [h, w] or the nested form. */
function pads2d(a: Attrs, name: string, dflt: number): [[number, number], [number, number]] {
  const v = a[name];
  if (v?.kind === 'int') return [[v.value, v.value], [v.value, v.value]];
  if (v?.kind === 'ints' && v.value.length === 2) return [[v.value[0]!, v.value[0]!], [v.value[1]!, v.value[1]!]];
  if (v?.kind === 'json' && Array.isArray(v.value)) {
    const p = (v.value as unknown[]).map((r) => (Array.isArray(r) ? r.map(Number) : [Number(r), Number(r)]));
    if (p.length === 2 && p.every((r) => r.length === 2 && r.every((x) => Number.isInteger(x) && x >= 0))) {
      return [[p[0]![0]!, p[0]![1]!], [p[1]![0]!, p[1]![1]!]];
    }
  }
  return [[dflt, dflt], [dflt, dflt]];
}

function padding(a: Attrs, node: Node): 'same' | 'valid' {
  const p = attrString(a, 'padding', 'valid');
  if (p !== 'same' && p !== 'valid') fail(node, `padding "${p}"`);
  return p;
}

const channelsFirst = (a: Attrs) => attrString(a, 'data_format', 'channels_last') === 'channels_first';

/** Runs an NHWC computation on a channels_first 4-D input by transposing around it. */
function nhwc(a: Attrs, x: tf.Tensor, f: (x4: tf.Tensor4D) => tf.Tensor): tf.Tensor {
  if (!channelsFirst(a)) return f(x as tf.Tensor4D);
  return tf.transpose(f(tf.transpose(x, [0, 2, 3, 1]) as tf.Tensor4D), [0, 3, 1, 2]);
}

function rank4(x: tf.Tensor, node: Node): tf.Tensor4D {
  if (x.rank !== 4) fail(node, `expects a 4-D input, got rank ${x.rank}`);
  return x as tf.Tensor4D;
}

const ACTIVATIONS: Record<string, (x: tf.Tensor) => tf.Tensor> = {
  linear: (x) => x,
  relu: (x) => tf.relu(x),
  relu6: (x) => tf.clipByValue(x, 0, 6),
  sigmoid: (x) => tf.sigmoid(x),
  tanh: (x) => tf.tanh(x),
  softmax: (x) => tf.softmax(x, -1),
  swish: (x) => tf.mul(x, tf.sigmoid(x)),
  silu: (x) => tf.mul(x, tf.sigmoid(x)),
  // tfjs-layers (and Keras 2): the piecewise-linear 0.2x + 0.5 form.
  hard_sigmoid: (x) => tf.clipByValue(tf.add(tf.mul(x, 0.2), 0.5), 0, 1),
  elu: (x) => tf.elu(x),
  selu: (x) => tf.selu(x),
  softplus: (x) => tf.softplus(x),
  softsign: (x) => tf.div(x, tf.add(tf.abs(x), 1)),
  gelu: (x) => tf.mul(tf.mul(x, 0.5), tf.add(1, tf.erf(tf.div(x, Math.SQRT2)))),
  gelu_new: (x) => tf.mul(tf.mul(x, 0.5), tf.add(1, tf.tanh(tf.mul(Math.sqrt(2 / Math.PI), tf.add(x, tf.mul(0.044715, tf.pow(x, 3))))))),
  mish: (x) => tf.mul(x, tf.tanh(tf.softplus(x))),
  exponential: (x) => tf.exp(x),
};
// tfjs-layers writes camelCase names ('hardSigmoid').
ACTIVATIONS.hardSigmoid = ACTIVATIONS.hard_sigmoid!;
ACTIVATIONS.geluNew = ACTIVATIONS.gelu_new!;

function activate(x: tf.Tensor, name: string, node: Node): tf.Tensor {
  const f = ACTIVATIONS[name];
  if (!f) fail(node, `activation "${name}"`);
  return f(x);
}

/** Bias add then the layer's `activation` attr. */
function finish(y: tf.Tensor, w: Weights, a: Attrs, node: Node): tf.Tensor {
  const b = bool(a, 'use_bias', true) ? w.get('bias') : undefined;
  const z = b ? (channelsFirst(a) && y.rank === 4 ? tf.add(y, b.reshape([1, -1, 1, 1])) : tf.add(y, b)) : y;
  return activate(z, attrString(a, 'activation', 'linear'), node);
}

const conv2d: Layer = ([x], w, a, node) => {
  const s = pair(a, 'strides', 1), d = pair(a, 'dilation_rate', 1);
  const y = nhwc(a, rank4(x!, node), (v) => tf.conv2d(v, w.req('kernel') as tf.Tensor4D, s, padding(a, node), 'NHWC', d));
  return finish(y, w, a, node);
};

const depthwise: Layer = ([x], w, a, node) => {
  const s = pair(a, 'strides', 1), d = pair(a, 'dilation_rate', 1);
  const y = nhwc(a, rank4(x!, node), (v) => tf.depthwiseConv2d(v, w.req('depthwise_kernel') as tf.Tensor4D, s, padding(a, node), 'NHWC', d));
  return finish(y, w, a, node);
};

const separable: Layer = ([x], w, a, node) => {
  const s = pair(a, 'strides', 1), d = pair(a, 'dilation_rate', 1);
  const y = nhwc(a, rank4(x!, node), (v) => tf.separableConv2d(v, w.req('depthwise_kernel') as tf.Tensor4D,
    w.req('pointwise_kernel') as tf.Tensor4D, s, padding(a, node), d, 'NHWC'));
  return finish(y, w, a, node);
};

const conv2dTranspose: Layer = ([x], w, a, node) => {
  const s = pair(a, 'strides', 1);
  const k = w.req('kernel') as tf.Tensor4D; // [kh, kw, out, in]
  const p = padding(a, node);
  const y = nhwc(a, rank4(x!, node), (v) => {
    const up = (n: number, i: 0 | 1) => (p === 'same' ? n * s[i] : n * s[i] + Math.max(k.shape[i] - s[i], 0));
    return tf.conv2dTranspose(v, k, [v.shape[0], up(v.shape[1], 0), up(v.shape[2], 1), k.shape[2]], s, p);
  });
  return finish(y, w, a, node);
};

const dense: Layer = ([x], w, a, node) => {
  const k = w.req('kernel');
  const v = x!;
  const y = v.rank === 2 ? tf.matMul(v as tf.Tensor2D, k as tf.Tensor2D)
    : tf.matMul(v.reshape([-1, v.shape[v.rank - 1]!]) as tf.Tensor2D, k as tf.Tensor2D).reshape([...v.shape.slice(0, -1), k.shape[1]!]);
  return finish(y, w, a, node);
};

/** Per-channel params shaped to broadcast along `axis`. */
function alongAxis(t: tf.Tensor, axis: number, rank: number): tf.Tensor {
  if (axis === rank - 1) return t;
  const shape = new Array<number>(rank).fill(1);
  shape[axis] = t.size;
  return t.reshape(shape);
}

function axisOf(a: Attrs, rank: number, node: Node): number {
  const v = attrInts(a, 'axis');
  if (v && v.length !== 1) fail(node, `normalisation over several axes [${v.join(', ')}]`);
  return normAxis(v?.[0] ?? -1, rank);
}

const batchNorm: Layer = ([x], w, a, node) => {
  const v = x!;
  const axis = axisOf(a, v.rank, node);
  const p = (t: tf.Tensor | undefined) => (t ? alongAxis(t, axis, v.rank) : undefined);
  const gamma = bool(a, 'scale', true) ? p(w.get('gamma')) : undefined;
  const beta = bool(a, 'center', true) ? p(w.get('beta')) : undefined;
  return tf.batchNorm(v, p(w.req('moving_mean'))!, p(w.req('moving_variance'))!, beta, gamma, attrFloat(a, 'epsilon', 1e-3));
};

const layerNorm: Layer = ([x], w, a, node) => {
  const v = x!;
  const axis = axisOf(a, v.rank, node);
  const { mean, variance } = tf.moments(v, axis, true);
  let y = tf.mul(tf.sub(v, mean), tf.rsqrt(tf.add(variance, attrFloat(a, 'epsilon', 1e-3))));
  const gamma = bool(a, 'scale', true) ? w.get('gamma') : undefined;
  const beta = bool(a, 'center', true) ? w.get('beta') : undefined;
  if (gamma) y = tf.mul(y, alongAxis(gamma, axis, v.rank));
  if (beta) y = tf.add(y, alongAxis(beta, axis, v.rank));
  return y;
};

/** Keras ReLU: max_value above it, x on [threshold, max), negative_slope * (x - threshold) below. */
const relu: Layer = ([x], _w, a) => {
  const v = x!;
  const max = optNum(a, 'max_value');
  const slope = attrFloat(a, 'negative_slope', 0), th = attrFloat(a, 'threshold', 0);
  let y: tf.Tensor;
  if (th === 0 && slope === 0) y = tf.relu(v);
  else {
    const below = slope === 0 ? tf.zerosLike(v) : tf.mul(tf.sub(v, th), slope);
    y = tf.where(tf.greaterEqual(v, th), v, below);
  }
  return max === null ? y : tf.minimum(y, max);
};

function pool(kind: 'max' | 'avg'): Layer {
  return ([x], _w, a, node) => {
    const k = pair(a, 'pool_size', 2);
    const s = attrInts(a, 'strides') ? pair(a, 'strides', 1) : k;
    const p = padding(a, node);
    return nhwc(a, rank4(x!, node), (v) => (kind === 'max' ? tf.maxPool(v, k, s, p) : tf.avgPool(v, k, s, p)));
  };
}

function globalPool(kind: 'max' | 'avg'): Layer {
  return ([x], _w, a) => {
    const v = x!;
    const axes = channelsFirst(a) ? Array.from({ length: v.rank - 2 }, (_, i) => i + 2) : Array.from({ length: v.rank - 2 }, (_, i) => i + 1);
    const keep = bool(a, 'keepdims', false);
    return kind === 'max' ? tf.max(v, axes, keep) : tf.mean(v, axes, keep);
  };
}

function merge(f: (a: tf.Tensor, b: tf.Tensor) => tf.Tensor, post?: (y: tf.Tensor, n: number) => tf.Tensor): Layer {
  return (xs, _w, _a, node) => {
    if (xs.length === 0) fail(node, 'no inputs');
    let y = xs[0]!;
    for (const t of xs.slice(1)) y = f(y, t);
    return post ? post(y, xs.length) : y;
  };
}

const zeroPad: Layer = ([x], _w, a, node) => {
  const [[t, b], [l, r]] = pads2d(a, 'padding', 1);
  const v = rank4(x!, node);
  return tf.pad(v, channelsFirst(a) ? [[0, 0], [0, 0], [t, b], [l, r]] : [[0, 0], [t, b], [l, r], [0, 0]]);
};

const crop: Layer = ([x], _w, a, node) => {
  const [[t, b], [l, r]] = pads2d(a, 'cropping', 0);
  const v = rank4(x!, node);
  const [hAx, wAx] = channelsFirst(a) ? [2, 3] : [1, 2];
  const h = v.shape[hAx]! - t - b, w = v.shape[wAx]! - l - r;
  if (h < 0 || w < 0) fail(node, `cropping [[${t}, ${b}], [${l}, ${r}]] is larger than the input`);
  const begin = [0, 0, 0, 0], size = v.shape.slice();
  begin[hAx] = t; begin[wAx] = l; size[hAx] = h; size[wAx] = w;
  return tf.slice(v, begin, size);
};

const upsample: Layer = ([x], _w, a, node) => {
  const [sh, sw] = pair(a, 'size', 2);
  const interp = attrString(a, 'interpolation', 'nearest');
  if (interp !== 'nearest' && interp !== 'bilinear') fail(node, `interpolation "${interp}"`);
  return nhwc(a, rank4(x!, node), (v) => {
    const size: [number, number] = [v.shape[1] * sh, v.shape[2] * sw];
    return interp === 'nearest' ? tf.image.resizeNearestNeighbor(v, size) : tf.image.resizeBilinear(v, size);
  });
};

const reshape: Layer = ([x], _w, a, node) => {
  const target = attrInts(a, 'target_shape');
  if (!target) fail(node, 'target_shape is missing');
  return tf.reshape(x!, [x!.shape[0]!, ...target]);
};

const permute: Layer = ([x], _w, a, node) => {
  const dims = attrInts(a, 'dims');
  if (!dims || dims.length !== x!.rank - 1) fail(node, 'dims must list every non-batch axis');
  return tf.transpose(x!, [0, ...dims]);
};

const flatten: Layer = ([x], _w, a) => {
  // Keras flattens channels_first inputs in channels_last order.
  const v = channelsFirst(a) && x!.rank > 2 ? tf.transpose(x!, [0, ...Array.from({ length: x!.rank - 2 }, (_, i) => i + 2), 1]) : x!;
  return tf.reshape(v, [v.shape[0]!, -1]);
};

const identity: Layer = ([x]) => x!;

const LAYERS: Record<string, Layer> = {
  Conv2D: conv2d, Convolution2D: conv2d, DepthwiseConv2D: depthwise, SeparableConv2D: separable, SeparableConvolution2D: separable,
  Conv2DTranspose: conv2dTranspose, Dense: dense,
  BatchNormalization: batchNorm, LayerNormalization: layerNorm,
  Activation: ([x], _w, a, node) => activate(x!, attrString(a, 'activation', 'linear'), node),
  ReLU: relu,
  LeakyReLU: ([x], _w, a) => tf.leakyRelu(x!, attrFloat(a, 'alpha', attrFloat(a, 'negative_slope', 0.3))),
  PReLU: ([x], w) => tf.prelu(x!, w.req('alpha')),
  ELU: ([x], _w, a) => {
    const alpha = attrFloat(a, 'alpha', 1);
    return alpha === 1 ? tf.elu(x!) : tf.where(tf.greater(x!, 0), x!, tf.mul(alpha, tf.sub(tf.exp(x!), 1)));
  },
  ThresholdedReLU: ([x], _w, a) => tf.mul(x!, tf.cast(tf.greater(x!, attrFloat(a, 'theta', 1)), 'float32')),
  Softmax: ([x], _w, a, node) => {
    const axis = normAxis(axisOf(a, x!.rank, node), x!.rank);
    if (axis === x!.rank - 1) return tf.softmax(x!, -1);
    const e = tf.exp(tf.sub(x!, tf.max(x!, axis, true)));
    return tf.div(e, tf.sum(e, axis, true));
  },
  Add: merge((p, q) => tf.add(p, q)),
  Subtract: (xs, _w, _a, node) => {
    if (xs.length !== 2) fail(node, `Subtract takes 2 inputs, got ${xs.length}`);
    return tf.sub(xs[0]!, xs[1]!);
  },
  Multiply: merge((p, q) => tf.mul(p, q)),
  Average: merge((p, q) => tf.add(p, q), (y, n) => tf.div(y, n)),
  Maximum: merge((p, q) => tf.maximum(p, q)),
  Minimum: merge((p, q) => tf.minimum(p, q)),
  Concatenate: (xs, _w, a) => tf.concat(xs, attrInt(a, 'axis', -1)),
  MaxPooling2D: pool('max'), MaxPool2D: pool('max'), AveragePooling2D: pool('avg'), AvgPool2D: pool('avg'),
  GlobalAveragePooling2D: globalPool('avg'), GlobalAvgPool2D: globalPool('avg'),
  GlobalMaxPooling2D: globalPool('max'), GlobalMaxPool2D: globalPool('max'),
  GlobalAveragePooling1D: globalPool('avg'), GlobalMaxPooling1D: globalPool('max'),
  ZeroPadding2D: zeroPad, Cropping2D: crop, UpSampling2D: upsample,
  Flatten: flatten, Reshape: reshape, Permute: permute,
  Rescaling: ([x], _w, a) => tf.add(tf.mul(x!, attrFloat(a, 'scale', 1)), attrFloat(a, 'offset', 0)),
  // Inference: regularisation layers pass their input through.
  Dropout: identity, SpatialDropout1D: identity, SpatialDropout2D: identity, AlphaDropout: identity,
  GaussianDropout: identity, GaussianNoise: identity, ActivityRegularization: identity, Masking: identity,
};

/** Splits a layer's inputs into data tensors and its weights by Keras name. */
function bind(op: string, inputs: Array<tf.Tensor | undefined>, node: Node, ctx: OpContext): { data: tf.Tensor[]; w: Weights } {
  const data: tf.Tensor[] = [];
  const named = new Map<string, tf.Tensor>();
  const unnamed: tf.Tensor[] = [];
  node.inputs.forEach((name, i) => {
    const t = inputs[i];
    if (!t) return;
    const decl = ctx.graph.tensors.get(name);
    const isWeight = !!decl && (decl.isConstant || !!decl.data) && !ctx.graph.inputs.includes(name);
    if (!isWeight) { data.push(t); return; }
    const m = WEIGHT.exec(name);
    if (m) named.set(m[1]!, t);
    else unnamed.push(t);
  });
  if (unnamed.length > 0) {
    const order = positional(op, node.attrs).filter((k) => !named.has(k));
    if (unnamed.length > order.length) fail(node, `${unnamed.length} weight(s) not named like Keras weights`);
    unnamed.forEach((t, i) => named.set(order[i]!, t));
  }
  return { data, w: new Weights(named, node) };
}

function wrap(op: string, layer: Layer): OpFn {
  return (inputs, attrs, node, ctx) => {
    const { data, w } = bind(op, inputs, node, ctx);
    // A shared layer is one node listing every call's inputs and outputs, in call order.
    const calls = Math.max(1, attrInt(attrs, '_calls', 1));
    if (data.length % calls !== 0 || node.outputs.length % calls !== 0) fail(node, `${calls} calls do not split ${data.length} inputs evenly`);
    const per = data.length / calls, outsPer = node.outputs.length / calls;
    const out: tf.Tensor[] = [];
    for (let c = 0; c < calls; c++) {
      const y = layer(data.slice(c * per, (c + 1) * per), w, attrs, node);
      out.push(y);
      // Extra declared outputs of a call (never read by single-output layers) mirror the first.
      for (let k = 1; k < outsPer; k++) out.push(y.clone());
    }
    return out;
  };
}

export const kerasOps: OpTable = Object.fromEntries(Object.entries(LAYERS).map(([op, f]) => [op, wrap(op, f)]));
