/**
 * Keras layers (`keras.*`, TF.js layers models) -> tfl ops. The layer config is the node's
 * attrs; its weights are extra inputs named '<layer>/<weight>' (kernel, bias, gamma...).
 * channels_last only (what TF.js saves); BatchNormalization right after a linear
 * Conv2D / DepthwiseConv2D / Dense is folded into that layer's weights (see foldTargets).
 */
import type { Graph, Node } from '../../ir/types';
import { bool, flt, int, str } from '../onnx-to-tfl/builder';
import { bytesOf, floats, transposeData } from '../onnx-to-tfl/nd';
import { type LowerCtx, type Rule, Unsupported } from '../tf-to-tfl/common';

const WEIGHT_SUFFIX = /\/(kernel|bias|depthwise_kernel|pointwise_kernel|gamma|beta|moving_mean|moving_variance|alpha)$/;

/** The layer's weight by its Keras name, or null. */
function weight(c: LowerCtx, key: string): Float32Array | null {
  const name = c.node.inputs.find((i) => i.endsWith(`/${key}`) && c.constant(i));
  if (!name) return null;
  const v = floats(c.constant(name)!);
  if (!v) throw new Unsupported(`weight ${name} is not float`);
  return v;
}

const dataInputs = (n: Node, g: Graph): string[] => n.inputs.filter((i) => !(WEIGHT_SUFFIX.test(i) && g.tensors.get(i)?.data));

function channelsLast(c: LowerCtx): void {
  if (c.string('data_format', 'channels_last') !== 'channels_last') throw new Unsupported('channels_first layout');
}

function pair(c: LowerCtx, key: string, def: number): [number, number] {
  const v = c.ints(key);
  if (!v || v.length === 0) return [def, def];
  return [v[0]!, v[1] ?? v[0]!];
}

/** BatchNorm scale and shift per channel (gamma / beta absent when scale / center are off). */
function bnParams(c: LowerCtx, channels: number): { s: Float32Array; sh: Float32Array } {
  const gamma = weight(c, 'gamma') ?? new Float32Array(channels).fill(1);
  const beta = weight(c, 'beta') ?? new Float32Array(channels);
  const mean = weight(c, 'moving_mean'), variance = weight(c, 'moving_variance');
  if (!mean || !variance || mean.length !== channels) throw new Unsupported('BatchNormalization without moving statistics');
  const eps = c.float('epsilon', 1e-3);
  const s = Float32Array.from(gamma, (g, k) => g / Math.sqrt(variance[k]! + eps));
  return { s, sh: Float32Array.from(beta, (b, k) => b - mean[k]! * s[k]!) };
}

const FUSABLE: Record<string, string> = { relu: 'RELU', relu6: 'RELU6', linear: 'NONE' };
const SEPARATE: Record<string, string> = { relu: 'RELU', relu6: 'RELU6', sigmoid: 'LOGISTIC', tanh: 'TANH', elu: 'ELU', softmax: 'SOFTMAX' };

/** A standalone activation by Keras name from y into out. */
function activation(c: LowerCtx, name: string, y: string, out: string): void {
  const op = SEPARATE[name];
  if (!op) throw new Unsupported(`activation ${name}`);
  c.b.emit(op, [y], [out], op === 'SOFTMAX' ? { beta: flt(1) } : {});
}

/** Output of a layer with an `activation`: fused when TFLite can, else a following op. */
function withActivation(c: LowerCtx, build: (y: string, fused: string) => void): void {
  const act = c.string('activation', 'linear');
  const out = c.out();
  if (FUSABLE[act]) return build(out, FUSABLE[act]!);
  const t = c.b.tensors.get(out)!;
  const y = c.b.tmp(`${out}/pre_act`, t.dtype, t.shape!);
  build(y, 'NONE');
  activation(c, act, y, out);
}

/** Producing layer name -> the BatchNormalization folded into it; per conversion (per LowerCtx). */
export type FoldMap = Map<string, Node>;
const FOLDS = new WeakMap<LowerCtx, FoldMap>();
export function setFolds(c: LowerCtx, m: FoldMap): void { FOLDS.set(c, m); }
const foldsOf = (c: LowerCtx): FoldMap => FOLDS.get(c) ?? new Map();

/** Per-output-channel scale/shift of a BatchNormalization folded into the current layer. */
function foldedBn(c: LowerCtx, channels: number): { s: Float32Array; sh: Float32Array } | null {
  const bn = foldsOf(c).get(c.node.name);
  if (!bn) return null;
  const self = c.node;
  c.node = bn;
  try { return bnParams(c, channels); } finally { c.node = self; }
}

function windowAttrs(c: LowerCtx, strides: [number, number], dilation: [number, number]) {
  const padding = c.string('padding', 'valid');
  if (padding !== 'same' && padding !== 'valid') throw new Unsupported(`padding ${padding}`);
  return {
    padding: str(padding.toUpperCase()), stride_h: int(strides[0]), stride_w: int(strides[1]),
    dilation_h_factor: int(dilation[0]), dilation_w_factor: int(dilation[1]),
  };
}

/** Conv2D / DepthwiseConv2D / SeparableConv2D. */
function conv(kind: 'conv' | 'depthwise' | 'separable'): Rule {
  return (c) => {
    channelsLast(c);
    const x = c.v(dataInputs(c.node, c.src)[0]!);
    const attrs = windowAttrs(c, pair(c, 'strides', 1), pair(c, 'dilation_rate', 1));
    const kName = kind === 'conv' ? 'kernel' : 'depthwise_kernel';
    const kernelName = c.node.inputs.find((i) => i.endsWith(`/${kName}`))!;
    const k = weight(c, kName);
    if (!k) throw new Unsupported(`${kName} is missing`);
    const [kh, kw, cin, m] = c.shape(kernelName) as [number, number, number, number];
    const useBias = c.attr('use_bias')?.kind !== 'bool' || c.attr('use_bias')!.value === true;
    if (kind === 'separable') {
      // Depthwise into a temporary, then the 1x1 pointwise conv carries bias, BN and activation.
      const pw = weight(c, 'pointwise_kernel');
      if (!pw) throw new Unsupported('pointwise_kernel is missing');
      const mid = cin * m;
      const O = pw.length / mid;
      const dwOut = c.b.tmp(`${c.node.name}/depthwise`, 'float32', [...(c.shape(c.node.outputs[0]!).slice(0, 3)), mid]);
      const zero = c.b.constBytes(`${c.node.name}/depthwise_bias`, 'float32', [mid], bytesOf(new Float32Array(mid)));
      c.b.emit('DEPTHWISE_CONV_2D', [x, c.b.constBytes(`${kernelName}/1hwc`, 'float32', [1, kh, kw, mid], bytesOf(k)), zero], [dwOut],
        { ...attrs, depth_multiplier: int(m), fused_activation_function: str('NONE') });
      const { w, bias } = scaled(c, transposeData({ name: '', dtype: 'float32', shape: [mid, O], data: bytesOf(pw) }, [mid, O], [1, 0]), O, useBias, mid);
      return withActivation(c, (y, fused) => {
        c.b.emit('CONV_2D', [dwOut, c.b.constBytes(`${c.node.name}/pointwise_ohwi`, 'float32', [O, 1, 1, mid], w), c.b.constBytes(`${c.node.name}/bias`, 'float32', [O], bias)], [y],
          { padding: str('VALID'), stride_h: int(1), stride_w: int(1), dilation_h_factor: int(1), dilation_w_factor: int(1), fused_activation_function: str(fused) }, c.node.name);
      });
    }
    const O = kind === 'conv' ? m : cin * m;
    // Depthwise [kh, kw, C, M] is TFLite's [1, kh, kw, C*M] element order; Conv2D HWIO -> OHWI.
    const data = kind === 'conv' ? transposeData({ name: '', dtype: 'float32', shape: [kh, kw, cin, m], data: bytesOf(k) }, [kh, kw, cin, m], [3, 0, 1, 2]) : bytesOf(k);
    const perO = kind === 'conv' ? kh * kw * cin : 1; // filter row length per output channel (OHWI) / stride (1HWC)
    const { w, bias } = scaled(c, data, O, useBias, kind === 'conv' ? perO : 0);
    const filter = c.b.constBytes(`${kernelName}/${kind === 'conv' ? 'ohwi' : '1hwc'}`, 'float32', kind === 'conv' ? [O, kh, kw, cin] : [1, kh, kw, O], w);
    const b = c.b.constBytes(`${c.node.name}/bias`, 'float32', [O], bias);
    withActivation(c, (y, fused) => {
      const opts = { ...attrs, fused_activation_function: str(fused) };
      if (kind === 'depthwise') c.b.emit('DEPTHWISE_CONV_2D', [x, filter, b], [y], { ...opts, depth_multiplier: int(m) }, c.node.name);
      else c.b.emit('CONV_2D', [x, filter, b], [y], opts, c.node.name);
    });
  };
}

/**
 * Weights (bytes) with bias and a folded BatchNorm applied. `rowLen` > 0: output channel o owns
 * the row [o*rowLen, (o+1)*rowLen) (OHWI, FC [N, K]); 0: channel is the fastest axis (1HWC).
 */
function scaled(c: LowerCtx, data: Uint8Array, O: number, useBias: boolean, rowLen = 0): { w: Uint8Array; bias: Uint8Array } {
  let bias = useBias ? weight(c, 'bias') : null;
  if (useBias && (!bias || bias.length !== O)) throw new Unsupported('bias is missing or mis-sized');
  bias = bias ? Float32Array.from(bias) : new Float32Array(O);
  const bn = foldedBn(c, O);
  if (!bn) return { w: data, bias: bytesOf(bias) };
  const w = new Float32Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength));
  for (let i = 0; i < w.length; i++) w[i]! *= bn.s[rowLen > 0 ? Math.floor(i / rowLen) : i % O]!;
  const b = Float32Array.from(bias, (v, o) => v * bn.s[o]! + bn.sh[o]!);
  return { w: bytesOf(w), bias: bytesOf(b) };
}

const dense: Rule = (c) => {
  const xName = dataInputs(c.node, c.src)[0]!;
  const kernelName = c.node.inputs.find((i) => i.endsWith('/kernel'))!;
  const k = weight(c, 'kernel');
  if (!k) throw new Unsupported('kernel is missing');
  const [K, N] = c.shape(kernelName) as [number, number];
  const nk = transposeData({ name: '', dtype: 'float32', shape: [K, N], data: bytesOf(k) }, [K, N], [1, 0]);
  const useBias = c.attr('use_bias')?.kind !== 'bool' || c.attr('use_bias')!.value === true;
  const { w, bias } = scaled(c, nk, N, useBias, K);
  const wt = c.b.constBytes(`${kernelName}/nk`, 'float32', [N, K], w);
  const b = c.b.constBytes(`${c.node.name}/bias`, 'float32', [N], bias);
  withActivation(c, (y, fused) => {
    c.b.emit('FULLY_CONNECTED', [c.v(xName), wt, b], [y], { fused_activation_function: str(fused), keep_num_dims: bool(c.shape(xName).length > 2) }, c.node.name);
  });
};

const batchNorm: Rule = (c) => {
  const x = dataInputs(c.node, c.src)[0]!;
  const producer = [...foldsOf(c).entries()].find(([, bn]) => bn === c.node)?.[0];
  if (producer) return c.alias(c.node.outputs[0]!, c.v(x)); // folded into the producing layer
  const axis = c.int('axis', -1);
  const shape = c.shape(x);
  if (axis !== -1 && axis !== shape.length - 1) throw new Unsupported(`BatchNormalization over axis ${axis}`);
  const { s, sh } = bnParams(c, shape[shape.length - 1]!);
  const y = c.b.tmp(`${c.node.name}/scaled`, 'float32', shape);
  c.b.emit('MUL', [c.v(x), c.b.constBytes(`${c.node.name}/scale`, 'float32', [s.length], bytesOf(s))], [y]);
  c.b.emit('ADD', [y, c.b.constBytes(`${c.node.name}/shift`, 'float32', [sh.length], bytesOf(sh))], [c.out()], {}, c.node.name);
};

const relu: Rule = (c) => {
  const x = c.v(dataInputs(c.node, c.src)[0]!);
  const maxA = c.attr('max_value');
  const max = maxA && (maxA.kind === 'int' || maxA.kind === 'float') ? maxA.value : null;
  const slope = c.float('negative_slope', 0), threshold = c.float('threshold', 0);
  if (threshold !== 0) throw new Unsupported('ReLU with a threshold');
  if (slope === 0 && max === null) return void c.b.emit('RELU', [x], [c.out()], {}, c.node.name);
  if (slope === 0 && max === 6) return void c.b.emit('RELU6', [x], [c.out()], {}, c.node.name);
  if (max === null) return void c.b.emit('LEAKY_RELU', [x], [c.out()], { alpha: flt(slope) }, c.node.name);
  if (slope !== 0) throw new Unsupported('ReLU with both max_value and negative_slope');
  const y = c.b.tmp(`${c.node.name}/relu`, 'float32', c.shape(c.node.outputs[0]!));
  c.b.emit('RELU', [x], [y]);
  c.b.emit('MINIMUM', [y, c.b.constValues(`${c.node.name}/max`, 'float32', [], [max])], [c.out()], {}, c.node.name);
};

function pool(op: 'MAX_POOL_2D' | 'AVERAGE_POOL_2D'): Rule {
  return (c) => {
    channelsLast(c);
    const k = pair(c, 'pool_size', 2);
    const s = c.ints('strides') ? pair(c, 'strides', 1) : k;
    const a = windowAttrs(c, s, [1, 1]);
    c.b.emit(op, [c.v(dataInputs(c.node, c.src)[0]!)], [c.out()], {
      padding: a.padding, stride_h: a.stride_h, stride_w: a.stride_w, filter_height: int(k[0]), filter_width: int(k[1]),
      fused_activation_function: str('NONE'),
    }, c.node.name);
  };
}

function globalPool(op: 'MEAN' | 'REDUCE_MAX'): Rule {
  return (c) => {
    channelsLast(c);
    const x = dataInputs(c.node, c.src)[0]!;
    const rank = c.shape(x).length;
    const axes = Array.from({ length: rank - 2 }, (_, i) => i + 1);
    const keep = c.attr('keepdims')?.kind === 'bool' && c.attr('keepdims')!.value === true;
    c.b.emit(op, [c.v(x), c.b.int32(`${c.node.name}/axes`, axes)], [c.out()], { keep_dims: bool(keep) }, c.node.name);
  };
}

function merge(op: 'ADD' | 'MUL' | 'SUB' | 'MAXIMUM' | 'MINIMUM', average = false): Rule {
  return (c) => {
    const ins = dataInputs(c.node, c.src);
    if (op === 'SUB' && ins.length !== 2) throw new Unsupported('Subtract of other than two inputs');
    const shape = c.shape(c.node.outputs[0]!);
    let acc = c.v(ins[0]!);
    for (let i = 1; i < ins.length; i++) {
      const last = i === ins.length - 1 && !average;
      const y = last ? c.out() : c.b.tmp(`${c.node.name}/partial`, 'float32', shape);
      c.b.emit(op, [acc, c.v(ins[i]!)], [y], {}, last ? c.node.name : undefined);
      acc = y;
    }
    if (average) c.b.emit('MUL', [acc, c.b.constValues(`${c.node.name}/inv_n`, 'float32', [], [1 / ins.length])], [c.out()], {}, c.node.name);
  };
}

const concat: Rule = (c) => {
  const ins = dataInputs(c.node, c.src);
  const rank = c.shape(ins[0]!).length;
  let axis = c.int('axis', -1);
  if (axis < 0) axis += rank;
  c.b.emit('CONCATENATION', ins.map((i) => c.v(i)), [c.out()], { axis: int(axis), fused_activation_function: str('NONE') }, c.node.name);
};

const zeroPad: Rule = (c) => {
  channelsLast(c);
  const a = c.attr('padding');
  let p = [1, 1, 1, 1];
  if (a?.kind === 'int') p = [a.value, a.value, a.value, a.value];
  else if (a?.kind === 'ints' && a.value.length === 2) p = [a.value[0]!, a.value[0]!, a.value[1]!, a.value[1]!];
  else if (a?.kind === 'json' && Array.isArray(a.value)) p = (a.value as unknown[]).flat().map(Number);
  if (p.length !== 4 || p.some((v) => !Number.isInteger(v) || v < 0)) throw new Unsupported('ZeroPadding2D padding is not four whole numbers');
  const pp = c.b.constValues(`${c.node.name}/paddings`, 'int32', [4, 2], [0, 0, p[0]!, p[1]!, p[2]!, p[3]!, 0, 0]);
  c.b.emit('PAD', [c.v(dataInputs(c.node, c.src)[0]!), pp], [c.out()], {}, c.node.name);
};

const reshape: Rule = (c) => { c.b.reshape(c.v(dataInputs(c.node, c.src)[0]!), c.shape(c.node.outputs[0]!), c.out()); };
const identity: Rule = (c) => c.alias(c.node.outputs[0]!, c.v(dataInputs(c.node, c.src)[0]!));

export const KERAS_RULES: Record<string, Rule> = {
  Conv2D: conv('conv'), DepthwiseConv2D: conv('depthwise'), SeparableConv2D: conv('separable'),
  Dense: dense, BatchNormalization: batchNorm,
  ReLU: relu,
  Activation: (c) => {
    const x = c.v(dataInputs(c.node, c.src)[0]!), act = c.string('activation', 'linear');
    if (act === 'linear') return c.alias(c.node.outputs[0]!, x);
    activation(c, act, x, c.out());
  },
  Softmax: (c) => {
    const x = dataInputs(c.node, c.src)[0]!;
    const axis = c.int('axis', -1);
    if (axis !== -1 && axis !== c.shape(x).length - 1) throw new Unsupported(`Softmax over axis ${axis}`);
    c.b.emit('SOFTMAX', [c.v(x)], [c.out()], { beta: flt(1) }, c.node.name);
  },
  LeakyReLU: (c) => { c.b.emit('LEAKY_RELU', [c.v(dataInputs(c.node, c.src)[0]!)], [c.out()], { alpha: flt(c.float('alpha', 0.3)) }, c.node.name); },
  ELU: (c) => {
    if (c.float('alpha', 1) !== 1) throw new Unsupported('ELU with alpha other than 1');
    c.b.emit('ELU', [c.v(dataInputs(c.node, c.src)[0]!)], [c.out()], {}, c.node.name);
  },
  MaxPooling2D: pool('MAX_POOL_2D'), AveragePooling2D: pool('AVERAGE_POOL_2D'),
  GlobalAveragePooling2D: globalPool('MEAN'), GlobalMaxPooling2D: globalPool('REDUCE_MAX'),
  Add: merge('ADD'), Multiply: merge('MUL'), Subtract: merge('SUB'), Maximum: merge('MAXIMUM'), Minimum: merge('MINIMUM'),
  Average: merge('ADD', true), Concatenate: concat,
  ZeroPadding2D: zeroPad, Flatten: reshape, Reshape: reshape,
  Dropout: identity, SpatialDropout2D: identity, GaussianNoise: identity, GaussianDropout: identity, AlphaDropout: identity,
};

/**
 * BatchNormalization layers to fold: those whose only input is the single-use output of a
 * Conv2D / DepthwiseConv2D / SeparableConv2D / Dense with a linear activation (producer name -> BN node).
 */
export function foldTargets(g: Graph): FoldMap {
  const producer = new Map<string, Node>();
  const uses = new Map<string, number>();
  for (const n of g.nodes) {
    for (const o of n.outputs) producer.set(o, n);
    for (const i of n.inputs) uses.set(i, (uses.get(i) ?? 0) + 1);
  }
  const out: FoldMap = new Map();
  for (const n of g.nodes) {
    if (n.op !== 'keras.BatchNormalization') continue;
    const ins = dataInputs(n, g);
    const axis = n.attrs.axis;
    if (ins.length !== 1 || (axis && axis.kind === 'int' && axis.value !== -1 && axis.value !== (g.tensors.get(ins[0]!)?.shape?.length ?? 0) - 1)) continue;
    const p = producer.get(ins[0]!);
    if (!p || !['keras.Conv2D', 'keras.DepthwiseConv2D', 'keras.SeparableConv2D', 'keras.Dense'].includes(p.op)) continue;
    const act = p.attrs.activation;
    if (act && !(act.kind === 'string' && act.value === 'linear')) continue;
    if (p.outputs.length !== 1 || uses.get(ins[0]!) !== 1 || g.outputs.includes(ins[0]!)) continue;
    out.set(p.name, n);
  }
  return out;
}
