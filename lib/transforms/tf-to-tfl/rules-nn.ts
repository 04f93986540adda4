/**
 * TF ops that carry weights or windows: convolutions (with TF's fused BiasAdd / BatchNorm /
 * activation), matrix products and pools. TF is NHWC like TFLite, so only the weights move:
 * Conv2D HWIO -> OHWI, depthwise HWCM -> 1,H,W,C*M (same bytes), MatMul [K,N] -> [N,K].
 */
import type { AttrValue } from '../../ir/types';
import { bool, flt, int, str } from '../onnx-to-tfl/builder';
import { bytesOf, floats, transposeData } from '../onnx-to-tfl/nd';
import { flag, type LowerCtx, type Rule, Unsupported } from './common';

/** Activations TFLite can fuse into the op that produces their input. */
export const FUSED_ACT: Record<string, string> = { Relu: 'RELU', Relu6: 'RELU6' };

/** A standalone activation op after `y`, into `out`; `args` are the op's extra inputs (Prelu alpha). */
export function activation(c: LowerCtx, act: string, y: string, out: string, args: string[] = []): void {
  const simple: Record<string, string> = { Relu: 'RELU', Relu6: 'RELU6', Sigmoid: 'LOGISTIC', Tanh: 'TANH', Elu: 'ELU' };
  if (simple[act]) return void c.b.emit(simple[act]!, [y], [out]);
  if (act === 'LeakyRelu') return void c.b.emit('LEAKY_RELU', [y], [out], { alpha: flt(c.float('leakyrelu_alpha', c.float('alpha', 0.2))) });
  if (act === 'Prelu' && args[0]) return void c.b.emit('PRELU', [y, c.v(args[0])], [out]);
  throw new Unsupported(`fused activation ${act}`);
}

function nhwcOnly(c: LowerCtx): void {
  const f = c.string('data_format', 'NHWC');
  if (f !== 'NHWC') throw new Unsupported(`data_format ${f} (only NHWC)`);
}

function fusedOps(c: LowerCtx): string[] {
  const a = c.attr('fused_ops');
  return a?.kind === 'strings' ? a.value : [];
}

/** Window attrs -> TFLite padding, strides, dilations, plus explicit pads needing a PAD op. */
function windowAttrs(c: LowerCtx): { attrs: Record<string, AttrValue>; pads: number[][] | null } {
  const st = c.ints('strides') ?? [1, 1, 1, 1];
  const dl = c.ints('dilations') ?? [1, 1, 1, 1];
  if (st[0] !== 1 || st[3] !== 1) throw new Unsupported('strides over batch or channels');
  const padding = c.string('padding', 'VALID');
  let pads: number[][] | null = null;
  if (padding === 'EXPLICIT') {
    const p = c.ints('explicit_paddings') ?? [];
    if (p.length !== 8 || p[0] || p[1] || p[6] || p[7]) throw new Unsupported('explicit padding of batch or channels');
    pads = [[0, 0], [p[2]!, p[3]!], [p[4]!, p[5]!], [0, 0]];
    if (pads.every(([a, b]) => !a && !b)) pads = null;
  } else if (padding !== 'SAME' && padding !== 'VALID') throw new Unsupported(`padding ${padding}`);
  return {
    attrs: {
      padding: str(padding === 'SAME' ? 'SAME' : 'VALID'), stride_h: int(st[1]!), stride_w: int(st[2]!),
      dilation_h_factor: int(dl[1] ?? 1), dilation_w_factor: int(dl[2] ?? 1),
    },
    pads,
  };
}

export function padNhwc(c: LowerCtx, x: string, pads: number[][]): string {
  const t = c.b.tensors.get(x)!;
  const shape = (t.shape as number[]).map((d, i) => d + pads[i]![0]! + pads[i]![1]!);
  const y = c.b.tmp(`${x}/pad`, t.dtype, shape);
  c.b.emit('PAD', [x, c.b.constValues(`${y}/paddings`, 'int32', [pads.length, 2], pads.flat())], [y]);
  return y;
}

/**
 * Weights and bias after the fused ops: BiasAdd takes args[0]; FusedBatchNorm takes scale,
 * offset, mean, variance and is folded into the weights (per output channel, the last axis).
 */
function fusedWeights(c: LowerCtx, w: Float32Array, outChannels: number, ops: string[]): { w: Float32Array; bias: Float32Array; act: string | null; actArgs: string[] } {
  const args = c.node.inputs.slice(2);
  let bias = new Float32Array(outChannels);
  let rest = ops;
  if (ops[0] === 'BiasAdd') {
    const b = c.constant(args[0]);
    const bv = b ? floats(b) : null;
    if (!bv || bv.length !== outChannels) throw new Unsupported('BiasAdd with a non-constant or mis-sized bias');
    bias = Float32Array.from(bv);
    rest = ops.slice(1);
    args.shift();
  } else if (ops[0] === 'FusedBatchNorm' || ops[0] === 'FusedBatchNormV3') {
    const [scale, offset, mean, variance] = args.slice(0, 4).map((n) => { const t = c.constant(n); return t ? floats(t) : null; });
    if (!scale || !offset || !mean || !variance) throw new Unsupported('fused BatchNorm with non-constant parameters');
    const eps = c.float('epsilon', 1e-3);
    const s = Float32Array.from(scale, (g, k) => g / Math.sqrt(variance[k]! + eps));
    const folded = Float32Array.from(w, (v, i) => v * s[i % outChannels]!);
    w = folded;
    bias = Float32Array.from(offset, (b, k) => b - mean[k]! * s[k]!);
    rest = ops.slice(1);
    args.splice(0, 4);
  }
  if (rest.length > 1) throw new Unsupported(`fused ops ${ops.join('+')}`);
  return { w, bias, act: rest[0] ?? null, actArgs: args };
}

/** Writes op output through the fused activation (inline for RELU/RELU6, a following op otherwise). */
function withActivation(c: LowerCtx, act: string | null, actArgs: string[], build: (y: string, fused: string) => void): void {
  const out = c.out();
  if (!act || FUSED_ACT[act]) return build(out, act ? FUSED_ACT[act]! : 'NONE');
  const t = c.b.tensors.get(out)!;
  const y = c.b.tmp(`${out}/pre_act`, t.dtype, t.shape!);
  build(y, 'NONE');
  activation(c, act, y, out, actArgs);
}

function conv(depthwise: boolean): Rule {
  return (c) => {
    nhwcOnly(c);
    const [x, wName] = c.node.inputs as [string, string];
    const wt = c.constant(wName);
    const wv = wt ? floats(wt) : null;
    if (!wt || !wv) throw new Unsupported('weights are not a float constant');
    const [kh, kw, cin, m] = c.shape(wName) as [number, number, number, number];
    const O = depthwise ? cin * m : m;
    const { w, bias, act, actArgs } = fusedWeights(c, wv, O, fusedOps(c));
    const { attrs, pads } = windowAttrs(c);
    let input = c.v(x);
    if (pads) input = padNhwc(c, input, pads);
    const b = c.b.constBytes(`${c.node.name}/bias`, 'float32', [O], bytesOf(bias));
    // Depthwise HWCM is already TFLite's [1, H, W, C*M] element order; Conv2D needs HWIO -> OHWI.
    const filter = depthwise
      ? c.b.constBytes(`${wName}/1hwc`, 'float32', [1, kh, kw, O], w === wv && wt.dtype === 'float32' ? wt.data! : bytesOf(w))
      : c.b.constBytes(`${wName}/ohwi`, 'float32', [O, kh, kw, cin], transposeData({ ...wt, dtype: 'float32', data: bytesOf(w) }, [kh, kw, cin, O], [3, 0, 1, 2]));
    withActivation(c, act, actArgs, (y, fused) => {
      const opts = { ...attrs, fused_activation_function: str(fused) };
      if (depthwise) c.b.emit('DEPTHWISE_CONV_2D', [input, filter, b], [y], { ...opts, depth_multiplier: int(m) }, c.node.name);
      else c.b.emit('CONV_2D', [input, filter, b], [y], opts, c.node.name);
    });
  };
}

function transpose2d(v: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(v.length);
  for (let r = 0; r < rows; r++) for (let q = 0; q < cols; q++) out[q * rows + r] = v[r * cols + q]!;
  return out;
}

const matMul: Rule = (c) => {
  const [a, bName] = c.node.inputs as [string, string];
  const ta = flag(c, 'transpose_a') || flag(c, 'adj_x'), tb = flag(c, 'transpose_b') || flag(c, 'adj_y');
  const bt = c.constant(bName);
  const bv = bt ? floats(bt) : null;
  const as = c.shape(a), bs = c.shape(bName);
  const ops = fusedOps(c);
  if (bv && bs.length === 2 && !ta) {
    const [K, N] = (tb ? [bs[1], bs[0]] : bs) as [number, number];
    // FULLY_CONNECTED wants [N, K]: TF's [K, N] is transposed, transpose_b's is already it.
    const wNK = tb ? Float32Array.from(bv) : transpose2d(bv, K, N);
    const { w, bias, act, actArgs } = fusedWeights(c, wNK, N, ops.map((o) => (o === 'FusedBatchNorm' ? 'unsupported' : o)));
    const wName = c.b.constBytes(`${c.node.name}/weights`, 'float32', [N, K], bytesOf(w));
    const b = c.b.constBytes(`${c.node.name}/bias`, 'float32', [N], bytesOf(bias));
    return withActivation(c, act, actArgs, (y, fused) => {
      c.b.emit('FULLY_CONNECTED', [c.v(a), wName, b], [y], { fused_activation_function: str(fused), keep_num_dims: bool(as.length > 2) }, c.node.name);
    });
  }
  if (ops.length > 0) throw new Unsupported(`fused ${ops.join('+')} on a matrix product with computed operands`);
  c.b.emit('BATCH_MATMUL', [c.v(a), c.v(bName)], [c.out()], { adj_x: bool(ta), adj_y: bool(tb) }, c.node.name);
};

function pool(op: 'MAX_POOL_2D' | 'AVERAGE_POOL_2D'): Rule {
  return (c) => {
    nhwcOnly(c);
    const k = c.ints('ksize') ?? [1, 1, 1, 1];
    if (k[0] !== 1 || k[3] !== 1) throw new Unsupported('pooling over batch or channels');
    const { attrs, pads } = windowAttrs(c);
    if (pads) throw new Unsupported('pooling with explicit padding');
    c.b.emit(op, [c.v(c.node.inputs[0]!)], [c.out()], {
      padding: attrs.padding!, stride_h: attrs.stride_h!, stride_w: attrs.stride_w!,
      filter_height: int(k[1]!), filter_width: int(k[2]!), fused_activation_function: str('NONE'),
    }, c.node.name);
  };
}

/** FusedBatchNorm(V3) in inference mode, not next to a conv: per-channel MUL + ADD. */
const batchNorm: Rule = (c) => {
  const [x, ...params] = c.node.inputs as [string, ...string[]];
  if (flag(c, 'is_training')) throw new Unsupported('FusedBatchNorm in training mode');
  const [scale, offset, mean, variance] = params.slice(0, 4).map((n) => { const t = c.constant(n); return t ? floats(t) : null; });
  if (!scale || !offset || !mean || !variance) throw new Unsupported('BatchNorm with non-constant parameters');
  nhwcOnly(c);
  const eps = c.float('epsilon', 1e-3);
  const s = Float32Array.from(scale, (g, k) => g / Math.sqrt(variance[k]! + eps));
  const sh = Float32Array.from(offset, (b, k) => b - mean[k]! * s[k]!);
  const shape = c.shape(x);
  const y = c.b.tmp(`${c.node.name}/scaled`, 'float32', shape);
  c.b.emit('MUL', [c.v(x), c.b.constBytes(`${c.node.name}/scale`, 'float32', [s.length], bytesOf(s))], [y]);
  c.b.emit('ADD', [y, c.b.constBytes(`${c.node.name}/shift`, 'float32', [sh.length], bytesOf(sh))], [c.out()], {}, c.node.name);
};

export const NN_RULES: Record<string, Rule> = {
  Conv2D: conv(false), _FusedConv2D: conv(false),
  DepthwiseConv2dNative: conv(true), FusedDepthwiseConv2dNative: conv(true),
  MatMul: matMul, _FusedMatMul: matMul, BatchMatMul: matMul, BatchMatMulV2: matMul, BatchMatMulV3: matMul,
  MaxPool: pool('MAX_POOL_2D'), AvgPool: pool('AVERAGE_POOL_2D'),
  FusedBatchNorm: batchNorm, FusedBatchNormV2: batchNorm, FusedBatchNormV3: batchNorm,
};
