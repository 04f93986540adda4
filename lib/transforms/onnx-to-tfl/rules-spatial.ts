/**
 * ONNX -> TFLite lowerings: pooling, transposed convolution and spatial ops (AveragePool, MaxPool,
 * ConvTranspose, DepthToSpace, LRN, MeanVarianceNormalization). Pools run as 2-D NHWC pools (1-D
 * with a unit axis, 3-D as two separable passes); whatever TFLite's pools cannot place (explicit or
 * ceil-mode pads, padded cells counted or not, dilations) is built from PAD, strided slices and a
 * constant per-position divisor fixed at conversion time.
 */
import type { AttrValue } from '../../ir/types';
import { type LowerCtx, type Rule, Unsupported } from './context';
import { bool, flt, int, str } from './builder';
import { FLOAT32_LOWEST as LOWEST, floats, size } from './nd';

type Attrs = Record<string, AttrValue>;

const shapeOf = (c: LowerCtx, t: string): number[] => c.b.tensors.get(t)!.shape as number[];

/** Emits `op` into a new float32 tensor of `shape`; returns its name. */
function emit(c: LowerCtx, op: string, inputs: string[], shape: number[], attrs: Attrs = {}, base = op.toLowerCase()): string {
  const y = c.b.tmp(`${c.node.outputs[0]}/${base}`, 'float32', shape);
  c.b.emit(op, inputs, [y], attrs);
  return y;
}
const f32 = (c: LowerCtx, shape: number[], v: ArrayLike<number>): string => c.b.constValues(`${c.node.name}/const`, 'float32', shape, v);

function stridedSlice(c: LowerCtx, x: string, begin: number[], end: number[], strides: number[]): string {
  const shape = begin.map((b, i) => Math.ceil((end[i]! - b) / strides[i]!));
  const n = c.node.name;
  return emit(c, 'STRIDED_SLICE', [x, c.b.int32(`${n}/begin`, begin), c.b.int32(`${n}/end`, end), c.b.int32(`${n}/strides`, strides)], shape, {}, 'slice');
}

/** PAD (PADV2 with a fill value) of a rank-4 NHWC tensor on H and W. */
function pad(c: LowerCtx, x: string, hw: number[][], fill: number | null): string {
  const paddings = [[0, 0], ...hw, [0, 0]];
  const shape = shapeOf(c, x).map((d, i) => d + paddings[i]![0]! + paddings[i]![1]!);
  const p = c.b.constValues(`${c.node.name}/paddings`, 'int32', [4, 2], paddings.flat());
  return fill === null ? emit(c, 'PAD', [x, p], shape) : emit(c, 'PADV2', [x, p, f32(c, [], [fill])], shape, {}, 'pad');
}

/** An NC... tensor as channels-last (NHWC through c.nhwc for rank 4, so the layout pass can cancel it). */
function channelsLast(c: LowerCtx, name: string): string {
  const r = c.shape(name).length;
  return r === 4 ? c.nhwc(name) : c.b.transpose(c.v(name), [0, ...Array.from({ length: r - 2 }, (_, i) => i + 2), 1]);
}
function channelsFirstOut(c: LowerCtx, y: string): void {
  const r = shapeOf(c, y).length;
  if (r === 4) return c.fromNhwc(y);
  c.b.transpose(y, [0, r - 1, ...Array.from({ length: r - 2 }, (_, i) => i + 1)], c.out());
}

// ---- pooling -------------------------------------------------------------------------------

/** One spatial axis of a pool: sizes, window, and the pads before / after the input. */
export interface PoolAxis { inn: number; out: number; k: number; s: number; d: number; pb: number; pa: number }
const unit = (n: number): PoolAxis => ({ inn: n, out: n, k: 1, s: 1, d: 1, pb: 0, pa: 0 });
const span = (a: { k: number; d: number }): number => (a.k - 1) * a.d + 1;

/** Taps of output position o's window inside [lo, hi) (input coordinates). */
function taps(a: PoolAxis, o: number, lo: number, hi: number): number {
  let n = 0;
  for (let j = 0; j < a.k; j++) { const t = o * a.s - a.pb + j * a.d; if (t >= lo && t < hi) n++; }
  return n;
}

/** The pool's axes from its attributes, the output size checked against ONNX's formula. */
export function poolAxes(c: LowerCtx, inS: number[], outS: number[], kernel: number[]): PoolAxis[] {
  const r = kernel.length;
  const strides = c.ints('strides') ?? kernel.map(() => 1), dil = c.ints('dilations') ?? kernel.map(() => 1);
  const autoPad = c.string('auto_pad', 'NOTSET'), ceil = c.int('ceil_mode', 0) === 1;
  const pads = c.ints('pads') ?? new Array<number>(2 * r).fill(0);
  if (autoPad !== 'NOTSET' && ceil) throw new Unsupported('pooling with both auto_pad and ceil_mode');
  return kernel.map((k, i) => {
    const inn = inS[i]!, out = outS[i]!, s = strides[i]!, d = dil[i]!, eff = span({ k, d });
    let pb = pads[i]!, pa = pads[i + r]!, want: number;
    if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') {
      want = Math.ceil(inn / s);
      const raw = (want - 1) * s + eff - inn;
      // Negative SAME pads (stride past the window): the reference rejects them, onnxruntime
      // shifts the windows by C++'s truncated half; only SAME_UPPER's -1 means "no pad" to all.
      if (raw < 0 && !(raw === -1 && autoPad === 'SAME_UPPER')) throw new Unsupported(`${autoPad} pool with a negative pad (${raw}) on axis ${i + 2}`);
      const total = Math.max(0, raw);
      pb = autoPad === 'SAME_UPPER' ? Math.floor(total / 2) : total - Math.floor(total / 2);
      pa = total - pb;
    } else if (autoPad === 'VALID') {
      [pb, pa, want] = [0, 0, Math.floor((inn - eff) / s) + 1];
    } else {
      const v = (inn + pb + pa - eff) / s + 1;
      want = ceil ? Math.ceil(v) : Math.floor(v);
      // The last window must start inside the input or its leading pad (ONNX and PyTorch).
      if (ceil && (want - 1) * s >= inn + pb) want--;
    }
    if (want !== out) throw new Unsupported(`pool output size ${out} on axis ${i + 2}, ONNX's formula gives ${want}`);
    return { inn, out, k, s, d, pb, pa };
  });
}

/** 'VALID' / 'SAME' when TFLite's own pool places (and, averaging, counts) exactly ONNX's windows. */
function nativeMode(ax: PoolAxis[], countPad: boolean): 'VALID' | 'SAME' | null {
  if (ax.some((a) => a.d !== 1)) return null;
  if (ax.every((a) => a.pb === 0 && a.pa === 0 && a.out === Math.floor((a.inn - a.k) / a.s) + 1)) return 'VALID';
  const same = ax.every((a) => {
    const total = Math.max(0, (a.out - 1) * a.s + a.k - a.inn);
    // TFLite's SAME average counts only input cells: count_include_pad=0.
    return a.out === Math.ceil(a.inn / a.s) && a.pb === Math.floor(total / 2) && a.pa === total - a.pb && !(countPad && total > 0);
  });
  return same ? 'SAME' : null;
}

/**
 * Pools a rank-4 NHWC tensor over H and W. Average = window sum / cells counted, the count per
 * output position (the padded region with count_include_pad=1, the input otherwise; never the
 * ceil_mode overhang) a constant; the divisor is separable because the counted region is a box.
 */
function pool2d(c: LowerCtx, x: string, ax: PoolAxis[], max: boolean, countPad: boolean): string {
  const [n, , , ch] = shapeOf(c, x) as [number, number, number, number];
  const outShape = [n, ax[0]!.out, ax[1]!.out, ch];
  const counts = ax.map((a) => Array.from({ length: a.out }, (_, o) => (countPad ? taps(a, o, -a.pb, a.inn + a.pa) : taps(a, o, 0, a.inn))));
  if (counts.some((v) => v.includes(0))) throw new Unsupported('a pooling window that covers no input cell');
  const op = max ? 'MAX_POOL_2D' : 'AVERAGE_POOL_2D';
  const opts = (padding: string): Attrs => ({ padding: str(padding), stride_h: int(ax[0]!.s), stride_w: int(ax[1]!.s), filter_height: int(ax[0]!.k), filter_width: int(ax[1]!.k) });
  const mode = nativeMode(ax, countPad);
  if (mode) return emit(c, op, [x], outShape, opts(mode), 'pool');

  // Pad to cover every window (ceil_mode may reach past the ONNX pads), then pool VALID.
  const end = ax.map((a) => Math.max(0, (a.out - 1) * a.s + span(a) - a.pb - a.inn));
  let p = x;
  if (ax.some((a, i) => a.pb > 0 || end[i]! > 0)) p = pad(c, x, ax.map((a, i) => [a.pb, end[i]!]), max ? LOWEST : null);
  let y: string, area = 1;
  if (ax.every((a) => a.d === 1)) {
    y = emit(c, op, [p], outShape, opts('VALID'), 'pool');
    area = ax[0]!.k * ax[1]!.k; // AVERAGE_POOL_2D VALID divided by the full window
  } else {
    // Dilated: each tap is a strided slice, combined with MAXIMUM / ADD, one axis after the other.
    y = p;
    ax.forEach((a, i) => {
      const s = shapeOf(c, y), axis = i + 1;
      let acc: string | null = null;
      for (let j = 0; j < a.k; j++) {
        const begin = [0, 0, 0, 0], stop = [...s], step = [1, 1, 1, 1];
        [begin[axis], stop[axis], step[axis]] = [j * a.d, j * a.d + (a.out - 1) * a.s + 1, a.s];
        const t = stridedSlice(c, y, begin, stop, step);
        acc = acc === null ? t : emit(c, max ? 'MAXIMUM' : 'ADD', [acc, t], shapeOf(c, t), {}, 'tap');
      }
      y = acc!;
    });
  }
  if (max) return y;
  const scale = new Float32Array(ax[0]!.out * ax[1]!.out);
  counts[0]!.forEach((h, i) => counts[1]!.forEach((w, j) => { scale[i * ax[1]!.out + j] = area / (h * w); }));
  if (scale.every((v) => v === 1)) return y;
  return emit(c, 'MUL', [y, f32(c, [1, ax[0]!.out, ax[1]!.out, 1], scale)], outShape, {}, 'avg');
}

function pool(max: boolean): Rule {
  return (c) => {
    const xName = c.node.inputs[0]!;
    if (c.node.outputs[1]) throw new Unsupported('MaxPool indices output (TFLite pools give none)');
    if (c.dtype(xName) !== 'float32') throw new Unsupported(`${c.node.op} on ${c.dtype(xName)}`);
    const inS = c.shape(xName), outS = c.shape(c.node.outputs[0]!);
    const kernel = c.ints('kernel_shape');
    if (!kernel || kernel.length !== inS.length - 2 || kernel.length > 3) throw new Unsupported(`${c.node.op} on rank ${inS.length} with kernel_shape ${JSON.stringify(kernel)}`);
    const ax = poolAxes(c, inS.slice(2), outS.slice(2), kernel);
    const countPad = !max && c.int('count_include_pad', 0) === 1;
    const [n, ch] = inS as [number, number];
    const x = channelsLast(c, xName);
    if (ax.length === 2) return c.fromNhwc(pool2d(c, x, ax, max, countPad));
    if (ax.length === 1) {
      const y = pool2d(c, c.b.reshape(x, [n, 1, ax[0]!.inn, ch]), [unit(1), ax[0]!], max, countPad);
      return channelsFirstOut(c, c.b.reshape(y, [n, ax[0]!.out, ch]));
    }
    // 3-D, separable: (h, w) with depth in the batch, then d with h*w as one axis.
    const [d, h, w] = ax as [PoolAxis, PoolAxis, PoolAxis];
    const hw = pool2d(c, c.b.reshape(x, [n * d.inn, h.inn, w.inn, ch]), [h, w], max, countPad);
    const y = pool2d(c, c.b.reshape(hw, [n, d.inn, h.out * w.out, ch]), [d, unit(h.out * w.out)], max, countPad);
    channelsFirstOut(c, c.b.reshape(y, [n, d.out, h.out, w.out, ch]));
  };
}

// ---- ConvTranspose ----------------------------------------------------------------------------

/**
 * One spatial axis of a transposed convolution. TFLite computes the full result
 * ((in - 1) * s + span); ONNX's output is the window [begin, begin + out) of it, zero outside.
 * The kernel is dilated with zeros and extended by `front` / `back` zero taps so that window
 * always lies inside the (grown) full result.
 */
interface CtAxis { inn: number; k: number; s: number; d: number; front: number; kt: number; begin: number; out: number }

function ctAxes(c: LowerCtx, inS: number[], outS: number[], k: number[]): CtAxis[] {
  const r = k.length;
  const strides = c.ints('strides') ?? k.map(() => 1), dil = c.ints('dilations') ?? k.map(() => 1);
  const outPad = c.ints('output_padding') ?? k.map(() => 0);
  const pads = c.ints('pads');
  const shapeAttr = c.ints('output_shape')?.slice(-r) ?? null;
  const autoPad = c.string('auto_pad', 'NOTSET');
  const same = autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER';
  return k.map((ki, i) => {
    const inn = inS[i]!, s = strides[i]!, d = dil[i]!, eff = span({ k: ki, d }), full = (inn - 1) * s + eff;
    let begin: number, out: number;
    if (shapeAttr || same) {
      out = shapeAttr ? shapeAttr[i]! : inn * s;
      const total = full + outPad[i]! - out;
      const lower = total - Math.floor(total / 2);
      if (autoPad === 'SAME_UPPER') begin = Math.floor(total / 2);
      else if (autoPad === 'SAME_LOWER') begin = lower;
      else {
        // The spec derives the pads from output_shape; the reference keeps the given (or zero) pads.
        begin = pads ? pads[i]! : 0;
        if (begin !== lower) throw new Unsupported(`ConvTranspose output_shape with pads ${begin} where the spec derives ${lower}`);
      }
    } else {
      begin = autoPad === 'VALID' || !pads ? 0 : pads[i]!;
      out = full + outPad[i]! - begin - (autoPad === 'VALID' || !pads ? 0 : pads[i + r]!);
    }
    if (out !== outS[i]) throw new Unsupported(`ConvTranspose output size ${outS[i]} on axis ${i + 2}, ONNX's formula gives ${out}`);
    const front = Math.max(0, -begin), back = Math.max(0, begin + out - full);
    return { inn, k: ki, s, d, front, kt: eff + front + back, begin: begin + front, out };
  });
}

/** Group g's filter in TFLite's layout ([O, kh, kw, I] or, 3-D, [kd, kh, kw, O, I]), dilated and extended. */
function ctFilter(wv: Float32Array, og: number, cg: number, g: number, ax: CtAxis[], layout3d: boolean): Float32Array {
  const ks = ax.map((a) => a.k), kt = ax.map((a) => a.kt);
  const kSize = size(ks), ktSize = size(kt);
  const out = new Float32Array(og * ktSize * cg);
  for (let kk = 0; kk < kSize; kk++) {
    let rem = kk, t = 0, mul = 1;
    for (let a = ax.length - 1; a >= 0; a--) {
      t += (ax[a]!.front + (rem % ks[a]!) * ax[a]!.d) * mul;
      rem = Math.floor(rem / ks[a]!);
      mul *= kt[a]!;
    }
    for (let i = 0; i < cg; i++) for (let o = 0; o < og; o++) {
      out[layout3d ? (t * og + o) * cg + i : (o * ktSize + t) * cg + i] = wv[((g * cg + i) * og + o) * kSize + kk]!;
    }
  }
  return out;
}

const convTranspose: Rule = (c) => {
  const [xName, wName, bName] = c.node.inputs as [string, string, string | undefined];
  const inS = c.shape(xName), outS = c.shape(c.node.outputs[0]!), r = inS.length - 2;
  if (r < 1 || r > 3) throw new Unsupported(`ConvTranspose on rank ${inS.length}`);
  const w = c.constant(wName);
  const wv = w ? floats(w) : null;
  if (!wv) throw new Unsupported('ConvTranspose weights are not a float constant');
  const ws = c.shape(wName), group = c.int('group', 1);
  const [C, og] = ws as [number, number];
  const kAttr = c.ints('kernel_shape');
  if (kAttr && kAttr.some((k, i) => k !== ws[i + 2])) throw new Unsupported('ConvTranspose kernel_shape differs from the weights');
  if (C !== inS[1] || C % group !== 0 || outS[1] !== og * group) throw new Unsupported(`ConvTranspose channels (group ${group}, weights ${ws.join('x')})`);
  const bias = bName ? c.constant(bName) : null;
  const bv = bias ? floats(bias) : bName ? null : new Float32Array(og * group);
  if (!bv) throw new Unsupported('ConvTranspose bias is not a float constant');
  let ax = ctAxes(c, inS.slice(2), outS.slice(2), ws.slice(2));
  const n = inS[0]!, cg = C / group, O = og * group;
  let x = channelsLast(c, xName);
  if (r === 1) {
    x = c.b.reshape(x, [n, 1, inS[2]!, C]);
    ax = [{ inn: 1, k: 1, s: 1, d: 1, front: 0, kt: 1, begin: 0, out: 1 }, ax[0]!];
  }
  const full = ax.map((a) => (a.inn - 1) * a.s + a.kt);
  // TFLite's SAME places the output as ONNX does here: no crop needed.
  const same = ax.length === 2 && ax.every((a) => Math.ceil(a.out / a.s) === a.inn && a.begin === Math.floor(Math.max(0, (a.inn - 1) * a.s + a.kt - a.out) / 2));
  const valid = ax.every((a, i) => a.begin === 0 && a.out === full[i]);
  const tflOut = [n, ...(same || valid ? ax.map((a) => a.out) : full), O];
  const xs = shapeOf(c, x);
  const parts = group === 1 ? [x] : Array.from({ length: group }, () => c.b.tmp(`${c.node.outputs[0]}/group`, 'float32', [...xs.slice(0, -1), cg]));
  if (group > 1) c.b.emit('SPLIT', [c.b.constValues(`${c.node.name}/axis`, 'int32', [], [xs.length - 1]), x], parts, { num_splits: int(group) });
  const outs = parts.map((part, g) => {
    const filter = ctFilter(wv, og, cg, g, ax, ax.length === 3);
    const fShape = ax.length === 3 ? [...ax.map((a) => a.kt), og, cg] : [og, ...ax.map((a) => a.kt), cg];
    const ins = [c.b.int32(`${c.node.name}/output_shape`, [...tflOut.slice(0, -1), og]), f32(c, fShape, filter), part, f32(c, [og], bv.slice(g * og, (g + 1) * og))];
    const shape = [...tflOut.slice(0, -1), og];
    if (ax.length === 2) {
      return emit(c, 'TRANSPOSE_CONV', ins, shape, { padding: str(same ? 'SAME' : 'VALID'), stride_h: int(ax[0]!.s), stride_w: int(ax[1]!.s) }, 'deconv');
    }
    const [d, h, wd] = ax as [CtAxis, CtAxis, CtAxis];
    return emit(c, 'CONV_3D_TRANSPOSE', ins, shape, {
      padding: str('VALID'), stride_d: int(d.s), stride_h: int(h.s), stride_w: int(wd.s), fused_activation_function: str('NONE'),
      dilation_d_factor: int(1), dilation_h_factor: int(1), dilation_w_factor: int(1),
    }, 'deconv');
  });
  let y = outs.length === 1 ? outs[0]! : emit(c, 'CONCATENATION', outs, tflOut, { axis: int(tflOut.length - 1) }, 'concat');
  if (!same && !valid) {
    y = stridedSlice(c, y, [0, ...ax.map((a) => a.begin), 0], [n, ...ax.map((a) => a.begin + a.out), O], tflOut.map(() => 1));
  }
  if (r === 1) y = c.b.reshape(y, [n, outS[2]!, O]);
  channelsFirstOut(c, y);
};

// ---- DepthToSpace, LRN, MeanVarianceNormalization ---------------------------------------------

/** DCR is TFLite's DEPTH_TO_SPACE; CRD is the same after a constant channel permutation. */
const depthToSpace: Rule = (c) => {
  const xName = c.node.inputs[0]!;
  const s = c.shape(xName);
  if (s.length !== 4) throw new Unsupported(`DepthToSpace on rank ${s.length}`);
  const b = c.int('blocksize', 1), mode = c.string('mode', 'DCR'), cout = s[1]! / (b * b);
  if (mode !== 'DCR' && mode !== 'CRD') throw new Unsupported(`DepthToSpace mode ${mode}`);
  if (!Number.isInteger(cout) || cout < 1) throw new Unsupported(`DepthToSpace of ${s[1]} channels by blocksize ${b}`);
  let x = c.nhwc(xName);
  if (mode === 'CRD') {
    // DCR reads channel (i * b + j) * cout + k where CRD reads k * b * b + i * b + j.
    const idx = Array.from({ length: s[1]! }, (_, p) => (p % cout) * b * b + Math.floor(p / cout));
    x = emit(c, 'GATHER', [x, c.b.int32(`${c.node.name}/crd`, idx)], shapeOf(c, x), { axis: int(3) }, 'crd');
  }
  c.fromNhwc(emit(c, 'DEPTH_TO_SPACE', [x], [s[0]!, s[2]! * b, s[3]! * b, cout], { block_size: int(b) }, 'd2s'));
};

/**
 * LRN: y = x / (bias + alpha / size * sum of x^2 over channels [c - (size-1)/2 floor, c + ceil]).
 * TFLite's window is symmetric (odd size); an even size sums through a constant banded 1x1 conv.
 */
const lrn: Rule = (c) => {
  const xName = c.node.inputs[0]!;
  const s = c.shape(xName);
  if (s.length < 3) throw new Unsupported(`LRN on rank ${s.length}`);
  const nSize = c.int('size', 0), alpha = c.float('alpha', 1e-4), beta = c.float('beta', 0.75), bias = c.float('bias', 1);
  if (nSize < 1) throw new Unsupported('LRN without size');
  const ch = s[1]!;
  let x = channelsLast(c, xName);
  const cl = shapeOf(c, x);
  if (s.length !== 4) x = c.b.reshape(x, [1, 1, size(s) / ch, ch]);
  const shape = shapeOf(c, x);
  let y: string;
  if (nSize % 2 === 1) {
    y = emit(c, 'LOCAL_RESPONSE_NORMALIZATION', [x], shape, { radius: int((nSize - 1) / 2), bias: flt(bias), alpha: flt(alpha / nSize), beta: flt(beta) }, 'lrn');
  } else {
    const lo = Math.floor((nSize - 1) / 2), hi = Math.ceil((nSize - 1) / 2);
    const band = new Float32Array(ch * ch); // [out, 1, 1, in]
    for (let o = 0; o < ch; o++) for (let i = Math.max(0, o - lo); i <= Math.min(ch - 1, o + hi); i++) band[o * ch + i] = alpha / nSize;
    const sq = emit(c, 'MUL', [x, x], shape, {}, 'sq');
    const den = emit(c, 'CONV_2D', [sq, f32(c, [ch, 1, 1, ch], band), f32(c, [ch], new Float32Array(ch).fill(bias))], shape, { padding: str('VALID'), stride_h: int(1), stride_w: int(1) }, 'sum');
    y = emit(c, 'MUL', [x, emit(c, 'POW', [den, f32(c, [], [-beta])], shape, {}, 'pow')], shape, {}, 'lrn');
  }
  if (s.length !== 4) y = c.b.reshape(y, cl);
  channelsFirstOut(c, y);
};

/** MeanVarianceNormalization as its ONNX function body: (x - E[x]) / (sqrt(E[x^2] - E[x]^2) + 1e-9). */
const mvn: Rule = (c) => {
  const xName = c.node.inputs[0]!;
  const s = c.shape(xName);
  const axes = (c.ints('axes') ?? [0, 2, 3]).map((a) => (a < 0 ? a + s.length : a));
  if (axes.some((a) => a < 0 || a >= s.length)) throw new Unsupported(`MeanVarianceNormalization axes ${axes.join(',')} on rank ${s.length}`);
  const red = s.map((d, i) => (axes.includes(i) ? 1 : d));
  const x = c.v(xName);
  const ax = c.b.int32(`${c.node.name}/axes`, axes);
  const mean = (t: string) => emit(c, 'MEAN', [t, ax], red, { keep_dims: bool(true) }, 'mean');
  const m = mean(x);
  const variance = emit(c, 'SUB', [mean(emit(c, 'MUL', [x, x], s, {}, 'sq')), emit(c, 'MUL', [m, m], red, {}, 'msq')], red, {}, 'var');
  const den = emit(c, 'ADD', [emit(c, 'SQRT', [variance], red), f32(c, [], [1e-9])], red, {}, 'std');
  c.b.emit('DIV', [emit(c, 'SUB', [x, m], s, {}, 'centered'), den], [c.out()], {}, c.node.name);
};

export const SPATIAL_RULES: Record<string, Rule> = {
  AveragePool: pool(false),
  MaxPool: pool(true),
  ConvTranspose: convTranspose,
  DepthToSpace: depthToSpace,
  LRN: lrn,
  MeanVarianceNormalization: mvn,
};
