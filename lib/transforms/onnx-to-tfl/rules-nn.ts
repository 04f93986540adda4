/**
 * Lowering of the layout-sensitive and weight-carrying ONNX ops. Spatial ops run in NHWC with
 * their weights permuted once here; the TRANSPOSEs around them are removed later (optimize.ts).
 */
import type { AttrValue, Tensor } from '../../ir/types';
import { type LowerCtx, type Rule, Unsupported } from './context';
import { int, str, bool } from './builder';
import { floats, permuteShape, size, transposeData, bytesOf } from './nd';

interface Spatial { kernel: number[]; strides: number[]; dilations: number[]; pads: number[] }

function spatial(c: LowerCtx, kernel: number[]): Spatial {
  const r = kernel.length;
  const pads = c.ints('pads') ?? new Array<number>(2 * r).fill(0);
  return {
    kernel,
    strides: c.ints('strides') ?? new Array<number>(r).fill(1),
    dilations: c.ints('dilations') ?? new Array<number>(r).fill(1),
    pads,
  };
}

/**
 * TFLite padding for one spatial op: 'SAME' / 'VALID' when they give exactly the ONNX output
 * (and the same pad split), else explicit per-dim pads to apply with a PAD op before a VALID op.
 */
function padding(inHW: number[], outHW: number[], s: Spatial, autoPad: string): { mode: 'SAME' | 'VALID'; explicit: number[][] | null } {
  const r = inHW.length;
  let same = true, valid = true;
  const explicit: number[][] = [];
  for (let i = 0; i < r; i++) {
    const inn = inHW[i]!, out = outHW[i]!, st = s.strides[i]!;
    const eff = (s.kernel[i]! - 1) * s.dilations[i]! + 1;
    const total = Math.max((Math.ceil(inn / st) - 1) * st + eff - inn, 0);
    const before = autoPad === 'SAME_LOWER' ? Math.ceil(total / 2) : Math.floor(total / 2);
    const pb = autoPad.startsWith('SAME') ? before : s.pads[i]!;
    const pa = autoPad.startsWith('SAME') ? total - before : s.pads[i + r]!;
    if (!(out === Math.ceil(inn / st) && pb === Math.floor(total / 2) && pa === total - Math.floor(total / 2))) same = false;
    if (!(pb === 0 && pa === 0 && out === Math.floor((inn - eff) / st) + 1)) valid = false;
    // ceil_mode and asymmetric pads: pad the end enough that VALID yields the ONNX size.
    const extra = Math.max(0, (out - 1) * st + eff - (inn + pb + pa));
    explicit.push([pb, pa + extra]);
  }
  if (valid) return { mode: 'VALID', explicit: null };
  if (same) return { mode: 'SAME', explicit: null };
  return { mode: 'VALID', explicit };
}

/** PAD (or PADV2 with a fill value) on an NHWC tensor. */
function pad(c: LowerCtx, x: string, hw: number[][], fill: number | null): string {
  const t = c.b.tensors.get(x)!;
  const shape = t.shape as number[];
  const paddings = [[0, 0], ...hw, [0, 0]];
  const outShape = shape.map((d, i) => d + paddings[i]![0]! + paddings[i]![1]!);
  const y = c.b.tmp(`${x}/pad`, t.dtype, outShape);
  const p = c.b.constValues(`${y}/paddings`, 'int32', [4, 2], paddings.flat());
  if (fill === null) c.b.emit('PAD', [x, p], [y]);
  else c.b.emit('PADV2', [x, p, c.b.constValues(`${y}/value`, 'float32', [], [fill])], [y]);
  return y;
}

function requireRank(c: LowerCtx, name: string, ranks: number[]): number[] {
  const s = c.shape(name);
  if (!ranks.includes(s.length)) throw new Unsupported(`${c.node.op} on rank ${s.length} (only ${ranks.join('/')}-D)`);
  return s;
}

/** Rank-3 (1-D spatial) inputs run as 2-D with H = 1. */
function toNhwc4(c: LowerCtx, name: string): { x: string; in4: number[] } {
  const s = c.shape(name);
  if (s.length === 4) return { x: c.nhwc(name), in4: s };
  const nlc = c.b.transpose(c.v(name), [0, 2, 1]);
  const in4 = [s[0]!, s[1]!, 1, s[2]!];
  return { x: c.b.reshape(nlc, [s[0]!, 1, s[2]!, s[1]!]), in4 };
}

function fromNhwc4(c: LowerCtx, y: string, outShape: number[]): void {
  if (outShape.length === 4) return c.fromNhwc(y);
  const [n, ch, l] = outShape as [number, number, number];
  const nlc = c.b.reshape(y, [n, l, ch]);
  c.b.transpose(nlc, [0, 2, 1], c.out());
}

const conv: Rule = (c) => {
  const [xName, wName, bName] = c.node.inputs as [string, string, string | undefined];
  const inShape = requireRank(c, xName, [3, 4]);
  const w = c.constant(wName);
  const wv = w ? floats(w) : null;
  if (!w || !wv) throw new Unsupported('Conv weights are not a float constant');
  const ws = c.shape(wName);
  const outShape = c.shape(c.node.outputs[0]!);
  const is1d = inShape.length === 3;
  const ws4 = is1d ? [ws[0]!, ws[1]!, 1, ws[2]!] : ws;
  const [O, Ig, kh, kw] = ws4 as [number, number, number, number];
  const group = c.int('group', 1);
  const C = inShape[1]!;
  const s = spatial(c, ws.slice(2));
  const s2: Spatial = is1d
    ? { kernel: [1, kw], strides: [1, s.strides[0]!], dilations: [1, s.dilations[0]!], pads: [0, s.pads[0]!, 0, s.pads[1]!] }
    : s;
  const in4 = is1d ? [inShape[0]!, C, 1, inShape[2]!] : inShape;
  const out4 = is1d ? [outShape[0]!, outShape[1]!, 1, outShape[2]!] : outShape;
  const p = padding(in4.slice(2), out4.slice(2), s2, c.string('auto_pad', 'NOTSET'));
  const bias = c.constant(bName);
  const bv = bias ? floats(bias) : new Float32Array(O);
  if (!bv) throw new Unsupported('Conv bias is not a float constant');

  let { x } = toNhwc4(c, xName);
  if (p.explicit) x = pad(c, x, p.explicit, null);
  const wt = { ...w, dtype: 'float32' as const, shape: ws4, data: bytesOf(wv) };
  const biasName = c.b.constBytes(`${c.node.name}/bias`, 'float32', [O], bytesOf(bv));
  const common = {
    padding: str(p.mode), stride_h: int(s2.strides[0]!), stride_w: int(s2.strides[1]!),
    dilation_h_factor: int(s2.dilations[0]!), dilation_w_factor: int(s2.dilations[1]!),
  };
  const y = c.b.tmp(`${c.node.outputs[0]}/nhwc`, 'float32', permuteShape(out4, [0, 2, 3, 1]));
  if (group === 1) {
    const filter = c.b.constBytes(`${wName}/ohwi`, 'float32', [O, kh, kw, Ig], transposeData(wt, ws4, [0, 2, 3, 1]));
    c.b.emit('CONV_2D', [x, filter, biasName], [y], common, c.node.name);
  } else if (group === C && Ig === 1) {
    const filter = c.b.constBytes(`${wName}/1hwo`, 'float32', [1, kh, kw, O], transposeData(wt, ws4, [1, 2, 3, 0]));
    c.b.emit('DEPTHWISE_CONV_2D', [x, filter, biasName], [y], { ...common, depth_multiplier: int(O / C) }, c.node.name);
  } else if (group > 1 && C % group === 0 && O % group === 0 && Ig === C / group) {
    groupedConv(c, x, y, wt, ws4, bv, group, common);
  } else {
    throw new Unsupported(`grouped convolution (group ${group} of ${C} channels, weights ${ws.join('x')})`);
  }
  fromNhwc4(c, y, outShape);
};

/**
 * Grouped convolution as SPLIT of the channels + one CONV_2D per group + CONCATENATION: TFLite's
 * own grouped CONV_2D (filter in-channels < input channels) is not taken by every runtime.
 */
function groupedConv(c: LowerCtx, x: string, y: string, wt: Tensor, ws4: number[], bias: Float32Array, group: number, common: Record<string, AttrValue>): void {
  const [O, Ig, kh, kw] = ws4 as [number, number, number, number];
  const Og = O / group;
  const xs = c.b.tensors.get(x)!.shape as number[];
  const ys = c.b.tensors.get(y)!.shape as number[];
  const parts = Array.from({ length: group }, (_, g) => c.b.tmp(`${x}/group${g}`, 'float32', [xs[0]!, xs[1]!, xs[2]!, Ig]));
  c.b.emit('SPLIT', [c.b.constValues(`${c.node.name}/split_axis`, 'int32', [], [3]), x], parts, { num_splits: int(group) });
  const all = floats(wt)!;
  const per = Og * Ig * kh * kw;
  const outs = parts.map((part, g) => {
    const slice: Tensor = { name: `${wt.name}/group${g}`, dtype: 'float32', shape: [Og, Ig, kh, kw], data: bytesOf(all.slice(g * per, (g + 1) * per)) };
    const filter = c.b.constBytes(`${wt.name}/ohwi/group${g}`, 'float32', [Og, kh, kw, Ig], transposeData(slice, slice.shape as number[], [0, 2, 3, 1]));
    const b = c.b.constBytes(`${c.node.name}/bias/group${g}`, 'float32', [Og], bytesOf(bias.slice(g * Og, (g + 1) * Og)));
    const yg = c.b.tmp(`${y}/group${g}`, 'float32', [ys[0]!, ys[1]!, ys[2]!, Og]);
    c.b.emit('CONV_2D', [part, filter, b], [yg], common, `${c.node.name}/group${g}`);
    return yg;
  });
  c.b.emit('CONCATENATION', outs, [y], { axis: int(3) }, c.node.name);
}

function globalPool(op: 'MEAN' | 'REDUCE_MAX'): Rule {
  return (c) => {
    const xName = c.node.inputs[0]!;
    const s = c.shape(xName);
    const axes = s.slice(2).map((_, i) => i + 2);
    c.b.emit(op, [c.v(xName), c.b.int32(`${c.node.name}/axes`, axes)], [c.out()], { keep_dims: bool(true) }, c.node.name);
  };
}

/** BatchNormalization not folded into a conv: per-channel MUL + ADD in the tensor's own layout. */
const batchNorm: Rule = (c) => {
  const [x, g, b, m, v] = c.node.inputs as [string, string, string, string, string];
  const params = [g, b, m, v].map((n) => { const t = c.constant(n); return t ? floats(t) : null; });
  if (params.some((p) => !p)) throw new Unsupported('BatchNormalization with non-constant parameters');
  const [gamma, beta, mean, variance] = params as Float32Array[];
  const eps = c.float('epsilon', 1e-5);
  const shape = c.shape(x);
  const C = shape[1]!;
  const scale = new Float32Array(C), shift = new Float32Array(C);
  for (let i = 0; i < C; i++) {
    scale[i] = gamma![i]! / Math.sqrt(variance![i]! + eps);
    shift[i] = beta![i]! - mean![i]! * scale[i]!;
  }
  const bshape = shape.map((d, i) => (i === 1 ? d : 1));
  const mul = c.b.tmp(`${c.node.name}/scaled`, 'float32', shape);
  c.b.emit('MUL', [c.v(x), c.b.constBytes(`${c.node.name}/scale`, 'float32', bshape, bytesOf(scale))], [mul]);
  c.b.emit('ADD', [mul, c.b.constBytes(`${c.node.name}/shift`, 'float32', bshape, bytesOf(shift))], [c.out()], {}, c.node.name);
};

/** FULLY_CONNECTED from a [N, K] weight matrix (TFLite's row-per-output layout). */
function fullyConnected(c: LowerCtx, a: string, weights: Float32Array | Uint8Array, n: number, k: number, bias: Float32Array | null, keepDims: boolean, out: string): void {
  // Raw bytes are the source tensor's own (shared, not copied) when no change was needed.
  const data = weights instanceof Uint8Array ? weights : bytesOf(weights);
  const w = c.b.constBytes(`${c.node.name}/weights`, 'float32', [n, k], data);
  const b = c.b.constBytes(`${c.node.name}/bias`, 'float32', [n], bytesOf(bias ?? new Float32Array(n)));
  c.b.emit('FULLY_CONNECTED', [a, w, b], [out], { keep_num_dims: bool(keepDims) }, c.node.name);
}

function transpose2d(v: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(v.length);
  for (let r = 0; r < rows; r++) for (let q = 0; q < cols; q++) out[q * rows + r] = v[r * cols + q]!;
  return out;
}

const gemm: Rule = (c) => {
  const [aName, bName, cName] = c.node.inputs as [string, string, string | undefined];
  const alpha = c.float('alpha', 1), beta = c.float('beta', 1);
  const transA = c.int('transA', 0), transB = c.int('transB', 0);
  let a = c.v(aName);
  const as = c.shape(aName);
  if (transA) a = c.b.transpose(a, [1, 0]);
  const K = transA ? as[0]! : as[1]!;
  const bt = c.constant(bName);
  const bv = bt ? floats(bt) : null;
  const outName = c.node.outputs[0]!;
  const [M, N] = c.shape(outName) as [number, number];
  const ct = c.constant(cName);
  const cv = ct ? floats(ct) : null;
  const cShape = cName ? c.shape(cName) : [];
  const biasIsVector = !cName || (cv !== null && size(cShape) === N && cShape[cShape.length - 1] === N) || (cv !== null && size(cShape) === 1);
  if (bv) {
    let w: Float32Array | Uint8Array = transB ? bv : transpose2d(bv, K, N);
    if (alpha !== 1) w = (w as Float32Array).map((x) => x * alpha);
    else if (transB && bt!.dtype === 'float32') w = bt!.data!;
    let bias: Float32Array | null = null;
    if (cv && biasIsVector) bias = size(cShape) === 1 ? new Float32Array(N).fill(cv[0]! * beta) : cv.map((x) => x * beta);
    if (biasIsVector) return fullyConnected(c, a, w, N, K, bias, false, c.out());
    const y = c.b.tmp(`${outName}/matmul`, 'float32', [M, N]);
    fullyConnected(c, a, w, N, K, null, false, y);
    return addBias(c, y, cName!, beta);
  }
  if (alpha !== 1) throw new Unsupported('Gemm with alpha != 1 and a computed B');
  const y = cName ? c.b.tmp(`${outName}/matmul`, 'float32', [M, N]) : c.out();
  c.b.emit('BATCH_MATMUL', [a, c.v(bName)], [y], { adj_y: bool(transB === 1) }, c.node.name);
  if (cName) addBias(c, y, cName, beta);
};

function addBias(c: LowerCtx, y: string, cName: string, beta: number): void {
  let bias = c.v(cName);
  if (beta !== 1) {
    const scaled = c.b.tmp(`${cName}/scaled`, 'float32', c.shape(cName));
    c.b.emit('MUL', [bias, c.b.constValues(`${cName}/beta`, 'float32', [], [beta])], [scaled]);
    bias = scaled;
  }
  c.b.emit('ADD', [y, bias], [c.out()]);
}

const matMul: Rule = (c) => {
  const [aName, bName] = c.node.inputs as [string, string];
  const as = c.shape(aName), bs = c.shape(bName);
  const bt = c.constant(bName);
  const bv = bt ? floats(bt) : null;
  if (bv && bs.length === 2 && as.length >= 2) {
    const [K, N] = bs as [number, number];
    return fullyConnected(c, c.v(aName), transpose2d(bv, K, N), N, K, null, as.length > 2, c.out());
  }
  if (as.length < 2 || bs.length < 2) throw new Unsupported('MatMul with a 1-D operand');
  c.b.emit('BATCH_MATMUL', [c.v(aName), c.v(bName)], [c.out()], {}, c.node.name);
};

/**
 * Resize (opset 11+) / Upsample on NCHW images -> RESIZE_BILINEAR / RESIZE_NEAREST_NEIGHBOR in
 * NHWC, for the coordinate modes whose sampling positions TFLite reproduces exactly (rules-resize
 * covers the rest). It throws before emitting anything, so a caller can fall back.
 */
export const builtinResize: Rule = (c) => {
  const x = c.node.inputs[0]!;
  const inShape = requireRank(c, x, [4]);
  const outShape = c.shape(c.node.outputs[0]!);
  if (outShape[0] !== inShape[0] || outShape[1] !== inShape[1]) throw new Unsupported('Resize of the batch or channel axis');
  const mode = c.string('mode', 'nearest');
  let coord = c.string('coordinate_transformation_mode', c.node.op === 'onnx.Upsample' || c.opset < 11 ? 'asymmetric' : 'half_pixel');
  // pytorch_half_pixel differs from half_pixel only for an output size of 1.
  if (coord === 'pytorch_half_pixel' && outShape[2]! > 1 && outShape[3]! > 1) coord = 'half_pixel';
  const nearestMode = c.node.op === 'onnx.Upsample' ? 'floor' : c.string('nearest_mode', 'round_prefer_floor');
  // ONNX maps coordinates by the given scale, TFLite by the size ratio: they agree only when
  // the scale gives a whole size (align_corners alone uses sizes, unless a side becomes 1).
  const scalesName = c.node.op === 'onnx.Upsample' || c.opset < 11 ? c.node.inputs[1] : c.node.inputs[2];
  const scales = scalesName ? c.constNumbers(scalesName) : null;
  if (scalesName && !scales && c.shape(scalesName).some((d) => d > 0)) throw new Unsupported('Resize scales computed at run time (the coordinate mapping depends on their values)');
  if (scales && scales.length === 4 && [2, 3].some((i) => Math.abs(inShape[i]! * scales[i]! - outShape[i]!) > 1e-6 * outShape[i]!)
      && !(coord === 'align_corners' && outShape[2]! > 1 && outShape[3]! > 1)) {
    throw new Unsupported('Resize by scales that do not give a whole size (ONNX maps coordinates by the scale, TFLite by the size ratio)');
  }
  let op: string, flags: { align_corners: boolean; half_pixel_centers: boolean };
  if (mode === 'linear' && ['half_pixel', 'align_corners', 'asymmetric'].includes(coord)) {
    op = 'RESIZE_BILINEAR';
    flags = { align_corners: coord === 'align_corners', half_pixel_centers: coord === 'half_pixel' };
  } else if (mode === 'nearest' && coord === 'asymmetric' && nearestMode === 'floor') {
    op = 'RESIZE_NEAREST_NEIGHBOR';
    flags = { align_corners: false, half_pixel_centers: false };
  } else if (mode === 'nearest' && coord === 'half_pixel' && nearestMode === 'round_prefer_ceil') {
    op = 'RESIZE_NEAREST_NEIGHBOR';
    flags = { align_corners: false, half_pixel_centers: true };
  } else if (mode === 'nearest' && coord === 'half_pixel' && nearestMode === 'round_prefer_floor' && isIntegerUpscale(inShape, outShape)) {
    // For an integer factor k, (i + 0.5) / k - 0.5 is never halfway between pixels, so rounding
    // it either way picks floor(i / k): the plain nearest-neighbour upscale.
    op = 'RESIZE_NEAREST_NEIGHBOR';
    flags = { align_corners: false, half_pixel_centers: false };
  } else {
    throw new Unsupported(`Resize mode ${mode} with ${coord}${mode === 'nearest' ? ` / ${nearestMode}` : ''}`);
  }
  const y = c.b.tmp(`${c.node.outputs[0]}/nhwc`, c.dtype(x), permuteShape(outShape, [0, 2, 3, 1]));
  const size = c.b.int32(`${c.node.name}/size`, [outShape[2]!, outShape[3]!]);
  c.b.emit(op, [c.nhwc(x), size], [y], { align_corners: bool(flags.align_corners), half_pixel_centers: bool(flags.half_pixel_centers) }, c.node.name);
  c.fromNhwc(y);
};

function isIntegerUpscale(inShape: number[], outShape: number[]): boolean {
  return [2, 3].every((i) => outShape[i]! % inShape[i]! === 0);
}

/** SpaceToDepth indexes channels as TF does, in NHWC (DepthToSpace: rules-spatial). */
function blockOp(op: 'DEPTH_TO_SPACE' | 'SPACE_TO_DEPTH'): Rule {
  return (c) => {
    const x = c.node.inputs[0]!;
    requireRank(c, x, [4]);
    if (op === 'DEPTH_TO_SPACE' && c.string('mode', 'DCR') !== 'DCR') throw new Unsupported('DepthToSpace in CRD mode');
    const outShape = c.shape(c.node.outputs[0]!);
    const y = c.b.tmp(`${c.node.outputs[0]}/nhwc`, c.dtype(x), permuteShape(outShape, [0, 2, 3, 1]));
    c.b.emit(op, [c.nhwc(x)], [y], { block_size: int(c.int('blocksize', 1)) }, c.node.name);
    c.fromNhwc(y);
  };
}

export const NN_RULES: Record<string, Rule> = {
  SpaceToDepth: blockOp('SPACE_TO_DEPTH'),
  Conv: conv,
  GlobalAveragePool: globalPool('MEAN'),
  GlobalMaxPool: globalPool('REDUCE_MAX'),
  BatchNormalization: batchNorm,
  Gemm: gemm,
  MatMul: matMul,
};

