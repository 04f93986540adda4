/**
 * TF -> TFLite lowerings, continued: windows (1-D and 3-D convolutions and pools, transposed
 * convolution, max pool with argmax, morphological dilation) and image sampling with constant
 * coordinates (CropAndResize, ImageProjectiveTransformV3) as gathers with constant weights.
 */
import type { DType } from '../../ir/types';
import { bool, int, str } from '../onnx-to-tfl/builder';
import { FLOAT32_LOWEST as LOWEST } from '../onnx-to-tfl/nd';
import { NN_RULES } from './rules-nn';
import { flag, type LowerCtx, type Rule, Unsupported } from './common';
import { constInts, declare, kv, op } from './rules-extra2';

const x0 = (c: LowerCtx) => c.node.inputs[0]!;

interface Axis { out: number; before: number; after: number }
/** TF's VALID / SAME window arithmetic along one axis (SAME puts the odd pad after). */
function axis(inn: number, k: number, s: number, d: number, padding: string): Axis {
  const eff = (k - 1) * d + 1;
  if (padding !== 'SAME' && padding !== 'VALID') throw new Unsupported(`padding ${padding}`);
  const out = padding === 'SAME' ? Math.ceil(inn / s) : Math.ceil((inn - eff + 1) / s);
  if (out < 1) throw new Unsupported('window larger than the input');
  const total = padding === 'SAME' ? Math.max((out - 1) * s + eff - inn, 0) : 0;
  return { out, before: Math.floor(total / 2), after: total - Math.floor(total / 2) };
}

/** Spatial attrs of an N-D window op: [kernel, stride, dilation] per spatial axis. */
function spatial(c: LowerCtx, kernel: number[], n: number, key = 'dilations'): Array<[number, number, number]> {
  const st = c.ints('strides') ?? [], dl = c.ints(key) ?? [];
  if (st.length && (st[0] !== 1 || st[n + 1] !== 1)) throw new Unsupported('strides over batch or channels');
  return kernel.map((k, i) => [k, st[i + 1] ?? 1, dl[i + 1] ?? 1]);
}

const f32 = (c: LowerCtx, shape: number[], v: ArrayLike<number>) => c.b.constValues(`${c.node.name}/const`, 'float32', shape, v);

function pool2d(c: LowerCtx, name: string, x: string, s: number[], k: number[], st: number[], padding: string): string {
  const [h, w] = [axis(s[1]!, k[0]!, st[0]!, 1, padding), axis(s[2]!, k[1]!, st[1]!, 1, padding)];
  return op(c, name, [x], 'float32', [s[0]!, h.out, w.out, s[3]!], {
    padding: str(padding), stride_h: int(st[0]!), stride_w: int(st[1]!), filter_height: int(k[0]!), filter_width: int(k[1]!),
    fused_activation_function: str('NONE'),
  });
}

/**
 * 3-D pools as two 2-D pools: over H, W with depth folded into the batch, then over D with H*W as
 * the width. Max is separable; so is TF's average, as its SAME count (taps inside) factors by axis.
 */
const pool3d = (name: string): Rule => (c) => {
  if (c.string('data_format', 'NDHWC') !== 'NDHWC') throw new Unsupported('data_format other than NDHWC');
  const s = c.shape(x0(c)) as [number, number, number, number, number];
  const k = c.ints('ksize') ?? [];
  if (k[0] !== 1 || k[4] !== 1) throw new Unsupported('pooling over batch or channels');
  const ax = spatial(c, k.slice(1, 4), 3);
  const padding = c.string('padding', 'VALID');
  const [od, oh, ow] = ax.map(([kk, st], i) => axis(s[i + 1]!, kk, st, 1, padding).out) as [number, number, number];
  const [n, d, , , ch] = s;
  const a = pool2d(c, name, c.b.reshape(c.v(x0(c)), [n * d, s[2], s[3], ch]), [n * d, s[2], s[3], ch], [ax[1]![0], ax[2]![0]], [ax[1]![1], ax[2]![1]], padding);
  const b = pool2d(c, name, c.b.reshape(a, [n, d, oh * ow, ch]), [n, d, oh * ow, ch], [ax[0]![0], 1], [ax[0]![1], 1], padding);
  c.b.reshape(b, [n, od, oh, ow, ch], declare(c, 0, [n, od, oh, ow, ch]));
};

/** Conv1D (a tfjs op: NWC, filter [K, C, O]) as CONV_2D over a height of 1. */
const conv1d: Rule = (c) => {
  if (c.string('data_format', 'NWC') !== 'NWC') throw new Unsupported('data_format other than NWC');
  const [n, wIn, ch] = c.shape(x0(c)) as [number, number, number];
  const wt = c.constNumbers(c.node.inputs[1]);
  if (!wt) throw new Unsupported('filter is not a constant');
  const [k, , o] = c.shape(c.node.inputs[1]!) as [number, number, number];
  const s = c.int('stride', 1), d = c.int('dilation', 1), padding = c.string('padding', 'VALID');
  const a = axis(wIn, k, s, d, padding);
  const ohwi = new Float32Array(o * k * ch);
  for (let q = 0; q < o; q++) for (let j = 0; j < k; j++) for (let i = 0; i < ch; i++) ohwi[(q * k + j) * ch + i] = wt[(j * ch + i) * o + q]!;
  const y = op(c, 'CONV_2D', [c.b.reshape(c.v(x0(c)), [n, 1, wIn, ch]), f32(c, [o, 1, k, ch], ohwi), f32(c, [o], new Float32Array(o))], 'float32', [n, 1, a.out, o], {
    padding: str(padding), stride_h: int(1), stride_w: int(s), dilation_h_factor: int(1), dilation_w_factor: int(d), fused_activation_function: str('NONE'),
  });
  c.b.reshape(y, [n, a.out, o], declare(c, 0, [n, a.out, o]));
};

/** Conv2DBackpropInput = TRANSPOSE_CONV: filter HW(out)(in) -> (out)HW(in), output size given. */
const convTranspose: Rule = (c) => {
  if (c.string('data_format', 'NHWC') !== 'NHWC') throw new Unsupported('data_format other than NHWC');
  const [sizes, wName, x] = c.node.inputs as [string, string, string];
  const out = constInts(c, sizes, 'output size');
  const wt = c.constNumbers(wName);
  if (!wt) throw new Unsupported('filter is not a constant');
  const [kh, kw, o, i] = c.shape(wName) as [number, number, number, number];
  const [[, sh, dh], [, sw, dw]] = spatial(c, [kh, kw], 2) as [[number, number, number], [number, number, number]];
  if (dh !== 1 || dw !== 1) throw new Unsupported('dilated transposed convolution');
  const padding = c.string('padding', 'VALID');
  const xs = c.shape(x);
  // The forward conv of the output must give back the input's size.
  if (axis(out[1]!, kh, sh!, 1, padding).out !== xs[1] || axis(out[2]!, kw, sw!, 1, padding).out !== xs[2]) throw new Unsupported('output size does not match the input');
  const ohwi = new Float32Array(o * kh * kw * i);
  for (let q = 0; q < o; q++) for (let a = 0; a < kh; a++) for (let b = 0; b < kw; b++) for (let p = 0; p < i; p++) {
    ohwi[((q * kh + a) * kw + b) * i + p] = wt[((a * kw + b) * o + q) * i + p]!;
  }
  c.b.emit('TRANSPOSE_CONV', [c.b.int32(`${c.node.name}/output_shape`, out), f32(c, [o, kh, kw, i], ohwi), c.v(x), f32(c, [o], new Float32Array(o))],
    [declare(c, 0, out, 'float32')], { padding: str(padding), stride_h: int(sh!), stride_w: int(sw!), fused_activation_function: str('NONE') }, c.node.name);
};

/** CONV_3D takes TF's DHWIO filter as it is. */
const conv3d: Rule = (c) => {
  if (c.string('data_format', 'NDHWC') !== 'NDHWC') throw new Unsupported('data_format other than NDHWC');
  const s = c.shape(x0(c));
  const wName = c.node.inputs[1]!;
  if (!c.constant(wName)) throw new Unsupported('filter is not a constant');
  const ws = c.shape(wName);
  const ax = spatial(c, ws.slice(0, 3), 3);
  const padding = c.string('padding', 'VALID');
  const outS = [s[0]!, ...ax.map(([k, st, d], i) => axis(s[i + 1]!, k, st, d, padding).out), ws[4]!];
  c.b.emit('CONV_3D', [c.v(x0(c)), c.v(wName), f32(c, [ws[4]!], new Float32Array(ws[4]!))], [declare(c, 0, outS, 'float32')], {
    padding: str(padding), stride_d: int(ax[0]![1]), stride_h: int(ax[1]![1]), stride_w: int(ax[2]![1]),
    dilation_d_factor: int(ax[0]![2]), dilation_h_factor: int(ax[1]![2]), dilation_w_factor: int(ax[2]![2]), fused_activation_function: str('NONE'),
  }, c.node.name);
};

/** The taps of a 2-D window: the input padded with the lowest float, one strided slice per tap. */
function taps(c: LowerCtx, k: number[], rateKey: string): { views: string[]; s: number[]; oh: number; ow: number; h: Axis; w: Axis; st: number[] } {
  const s = c.shape(x0(c));
  const ax = spatial(c, k, 2, rateKey);
  const padding = c.string('padding', 'VALID');
  const [h, w] = ax.map(([kk, st, d], i) => axis(s[i + 1]!, kk, st, d, padding)) as [Axis, Axis];
  let x = c.v(x0(c));
  const ps = [s[0]!, s[1]! + h.before + h.after, s[2]! + w.before + w.after, s[3]!];
  if (h.before + h.after + w.before + w.after > 0) {
    const pads = c.b.constValues(`${c.node.name}/pads`, 'int32', [4, 2], [0, 0, h.before, h.after, w.before, w.after, 0, 0]);
    x = op(c, 'PADV2', [x, pads, kv(c, 'float32', LOWEST)], 'float32', ps);
  }
  const [[, sh, dh], [, sw, dw]] = ax as [[number, number, number], [number, number, number]];
  const views: string[] = [];
  for (let i = 0; i < k[0]!; i++) for (let j = 0; j < k[1]!; j++) {
    const b = [0, i * dh, j * dw, 0], e = [s[0]!, i * dh + (h.out - 1) * sh + 1, j * dw + (w.out - 1) * sw + 1, s[3]!];
    views.push(op(c, 'STRIDED_SLICE', [x, c.b.int32(`${c.node.name}/begin`, b), c.b.int32(`${c.node.name}/end`, e), c.b.int32(`${c.node.name}/strides`, [1, sh, sw, 1])],
      'float32', [s[0]!, h.out, w.out, s[3]!], { begin_mask: int(0), end_mask: int(0), ellipsis_mask: int(0), new_axis_mask: int(0), shrink_axis_mask: int(0) }));
  }
  return { views, s, oh: h.out, ow: w.out, h, w, st: [sh, sw] };
}

/**
 * MaxPoolWithArgmax: the taps stacked, REDUCE_MAX for the values, ARG_MAX (the first maximum in
 * window order, as TF and tfjs) mapped through constant tables to TF's flat input index.
 */
const maxPoolArgmax: Rule = (c) => {
  const k = c.ints('ksize') ?? [];
  if (k[0] !== 1 || k[3] !== 1) throw new Unsupported('pooling over batch or channels');
  const { views, s, oh, ow, h, w, st } = taps(c, [k[1]!, k[2]!], 'no-dilations');
  const [n, H, W, C] = s as [number, number, number, number];
  const T = views.length, os = [n, oh, ow, C];
  const stacked = op(c, 'PACK', views, 'float32', [n, oh, ow, T, C], { values_count: int(T), axis: int(3) });
  const tAxis = c.b.int32(`${c.node.name}/axis`, [3]);
  const a = c.attr('Targmax');
  const idxType: DType = a?.kind === 'dtype' && a.value === 'int32' ? 'int32' : 'int64';
  const names = [c.node.name, `${c.node.name}:1`];
  const outs = names.map((nm, i) => {
    const j = c.node.outputs.indexOf(nm);
    return j >= 0 ? declare(c, j, os, i ? idxType : 'float32') : c.b.tmp(`${c.node.name}/unused`, i ? idxType : 'float32', os);
  });
  c.b.emit('REDUCE_MAX', [stacked, tAxis], [outs[0]!], { keep_dims: bool(false) }, c.node.name);
  const t = op(c, 'ARG_MAX', [stacked, tAxis], 'int32', os, { output_type: str('INT32') });
  const offsets = Array.from({ length: T }, (_, q) => (Math.floor(q / k[2]!) * W + (q % k[2]!)) * C);
  const tap = op(c, 'GATHER', [c.b.int32(`${c.node.name}/offsets`, offsets), t], 'int32', os, { axis: int(0), batch_dims: int(0) });
  const base = Array.from({ length: oh * ow * C }, (_, e) => {
    const q = Math.floor(e / C), ch = e % C;
    return ((Math.floor(q / ow) * st[0]! - h.before) * W + ((q % ow) * st[1]! - w.before)) * C + ch;
  });
  let idx = op(c, 'ADD', [tap, c.b.constValues(`${c.node.name}/base`, 'int32', [1, oh, ow, C], base)], 'int32', os);
  if (flag(c, 'include_batch_in_index') && n > 1) {
    idx = op(c, 'ADD', [idx, c.b.constValues(`${c.node.name}/batch`, 'int32', [n, 1, 1, 1], Array.from({ length: n }, (_, b) => b * H * W * C))], 'int32', os);
  }
  c.b.emit('CAST', [idx], [outs[1]!], { in_data_type: str('INT32'), out_data_type: str(idxType === 'int32' ? 'INT32' : 'INT64') });
};

/** Dilation2D: max over the taps of input + filter value (padding never wins: lowest float). */
const dilation2d: Rule = (c) => {
  const fName = c.node.inputs[1]!;
  const fv = c.constNumbers(fName);
  if (!fv) throw new Unsupported('filter is not a constant');
  const [kh, kw, C] = c.shape(fName) as [number, number, number];
  const { views, s, oh, ow } = taps(c, [kh, kw], 'rates');
  const os = [s[0]!, oh, ow, C];
  const out = declare(c, 0, os, 'float32');
  let acc = '';
  views.forEach((v, q) => {
    const plus = op(c, 'ADD', [v, f32(c, [C], fv.slice(q * C, q * C + C))], 'float32', os);
    if (q === 0) { acc = plus; return; }
    const last = q === views.length - 1;
    const y = last ? out : c.b.tmp(`${c.node.name}/max`, 'float32', os);
    c.b.emit('MAXIMUM', [acc, plus], [y], {}, last ? c.node.name : undefined);
    acc = y;
  });
  if (views.length === 1) c.b.reshape(acc, os, out);
};

/**
 * out[p] = sum over taps of w * image[flat index] + fill[p]: one GATHER per tap from the image
 * as [pixels, channels], with every index and weight computed here (the coordinates are constant).
 */
function sample(c: LowerCtx, img: string, pixels: number, C: number, idx: number[][], w: number[][], fill: number[], outShape: number[]): void {
  const P = fill.length;
  const flat = c.b.reshape(c.v(img), [pixels, C]);
  let acc = f32(c, [P, 1], fill);
  idx.forEach((ix, t) => {
    const g = op(c, 'GATHER', [flat, c.b.int32(`${c.node.name}/index`, ix)], 'float32', [P, C], { axis: int(0), batch_dims: int(0) });
    acc = op(c, 'ADD', [acc, op(c, 'MUL', [g, f32(c, [P, 1], w[t]!)], 'float32', [P, C])], 'float32', [P, C]);
  });
  c.b.reshape(acc, outShape, declare(c, 0, outShape, 'float32'));
}

/** CropAndResize with constant boxes and box indices, as tfjs computes the sample points. */
const cropAndResize: Rule = (c) => {
  const [img, bx, bi, cs] = c.node.inputs as [string, string, string, string];
  const boxes = constInts(c, bx, 'boxes'), ind = constInts(c, bi, 'box indices'), [ch, cw] = constInts(c, cs, 'crop size') as [number, number];
  const [B, H, W, C] = c.shape(img) as [number, number, number, number];
  const method = c.string('method', 'bilinear'), ex = c.float('extrapolation_value', 0);
  if (method !== 'bilinear' && method !== 'nearest') throw new Unsupported(`method ${method}`);
  const nb = ind.length, T = method === 'bilinear' ? 4 : 1;
  const idx = Array.from({ length: T }, () => [] as number[]), w = Array.from({ length: T }, () => [] as number[]), fill: number[] = [];
  for (let b = 0; b < nb; b++) {
    const [y1, x1, y2, x2] = boxes.slice(4 * b, 4 * b + 4) as [number, number, number, number];
    if (ind[b]! < 0 || ind[b]! >= B) throw new Unsupported(`box index ${ind[b]} out of range`);
    const hs = ch > 1 ? ((y2 - y1) * (H - 1)) / (ch - 1) : 0, ws = cw > 1 ? ((x2 - x1) * (W - 1)) / (cw - 1) : 0;
    for (let y = 0; y < ch; y++) for (let x = 0; x < cw; x++) {
      const yi = ch > 1 ? y1 * (H - 1) + y * hs : 0.5 * (y1 + y2) * (H - 1), xi = cw > 1 ? x1 * (W - 1) + x * ws : 0.5 * (x1 + x2) * (W - 1);
      const out = yi < 0 || yi > H - 1 || xi < 0 || xi > W - 1;
      const at = (yy: number, xx: number) => (ind[b]! * H + yy) * W + xx;
      if (T === 1) { idx[0]!.push(out ? 0 : at(Math.round(yi), Math.round(xi))); w[0]!.push(out ? 0 : 1); }
      else {
        const [t, l] = [Math.floor(yi), Math.floor(xi)], [yl, xl] = [yi - t, xi - l], [bo, r] = [Math.ceil(yi), Math.ceil(xi)];
        [[t, l, (1 - yl) * (1 - xl)], [t, r, (1 - yl) * xl], [bo, l, yl * (1 - xl)], [bo, r, yl * xl]].forEach(([yy, xx, ww], q) => {
          idx[q]!.push(out ? 0 : at(yy!, xx!)); w[q]!.push(out ? 0 : ww!);
        });
      }
      fill.push(out ? ex : 0);
    }
  }
  sample(c, img, B * H * W, C, idx, w, fill, [nb, ch, cw, C]);
};

/** Where an output coordinate reads in the input, per fill mode (tfjs's mapCoord). */
function mapCoord(v: number, len: number, mode: string): number {
  const clamp = (q: number) => Math.min(len - 1, Math.max(0, q));
  if (mode === 'nearest') return clamp(v);
  if (mode === 'reflect' && (v < 0 || v > len - 1)) {
    if (len <= 1) return 0;
    const sz2 = 2 * len;
    if (v < 0) { if (v < sz2) v = sz2 * Math.trunc(-v / sz2) + v; v = v < -len ? v + sz2 : -v - 1; }
    else { v -= sz2 * Math.trunc(v / sz2); if (v >= len) v = sz2 - v - 1; }
    return clamp(v);
  }
  if (mode === 'wrap' && (v < 0 || v > len - 1)) {
    if (len <= 1) return 0;
    v = v < 0 ? v + len * (Math.trunc(-v / (len - 1)) + 1) : v - len * Math.trunc(v / (len - 1));
    return clamp(v);
  }
  return v;
}

/** ImageProjectiveTransformV3 with constant transforms, output size and fill value. */
const projective: Rule = (c) => {
  const [img, tr, os, fv] = c.node.inputs as [string, string, string, string];
  const t = constInts(c, tr, 'transforms'), [OH, OW] = constInts(c, os, 'output shape') as [number, number], fillV = constInts(c, fv, 'fill value')[0]!;
  const [B, H, W, C] = c.shape(img) as [number, number, number, number];
  const interp = c.string('interpolation', 'NEAREST').toLowerCase(), mode = c.string('fill_mode', 'CONSTANT').toLowerCase();
  if (interp !== 'nearest' && interp !== 'bilinear') throw new Unsupported(`interpolation ${interp}`);
  if (t.length !== 8 && t.length !== 8 * B) throw new Unsupported('transforms of the wrong size');
  const T = interp === 'bilinear' ? 4 : 1;
  const idx = Array.from({ length: T }, () => [] as number[]), w = Array.from({ length: T }, () => [] as number[]), fill: number[] = [];
  for (let b = 0; b < B; b++) {
    const m = t.length === 8 ? t : t.slice(8 * b, 8 * b + 8);
    for (let y = 0; y < OH; y++) for (let x = 0; x < OW; x++) {
      const proj = m[6]! * x + m[7]! * y + 1;
      const read = (yy: number, xx: number): [number, number] => (proj !== 0 && yy >= 0 && yy < H && xx >= 0 && xx < W ? [(b * H + yy) * W + xx, 1] : [0, 0]);
      const xi = mapCoord((m[0]! * x + m[1]! * y + m[2]!) / proj, W, mode), yi = mapCoord((m[3]! * x + m[4]! * y + m[5]!) / proj, H, mode);
      const pts: Array<[number, number, number]> = T === 1 ? [[Math.round(yi), Math.round(xi), 1]] : (() => {
        const [yf, xf] = [Math.floor(yi), Math.floor(xi)];
        return [[yf, xf, (xf + 1 - xi) * (yf + 1 - yi)], [yf, xf + 1, (xi - xf) * (yf + 1 - yi)], [yf + 1, xf, (xf + 1 - xi) * (yi - yf)], [yf + 1, xf + 1, (xi - xf) * (yi - yf)]];
      })();
      let f = 0;
      pts.forEach(([yy, xx, ww], q) => {
        const [at, ok] = read(yy, xx);
        idx[q]!.push(at); w[q]!.push(ok ? ww : 0);
        if (!ok) f += ww;
      });
      fill.push(proj === 0 ? fillV : f * fillV);
    }
  }
  sample(c, img, B * H * W, C, idx, w, fill, [B, OH, OW, C]);
};

/** tfjs's DepthwiseConv2d name for DepthwiseConv2dNative, with the output shape worked out here. */
const depthwise: Rule = (c) => {
  const s = c.shape(x0(c)), f = c.shape(c.node.inputs[1]!);
  const padding = c.string('padding', 'VALID');
  const ax = spatial(c, f.slice(0, 2), 2);
  declare(c, 0, [s[0]!, ...ax.map(([k, st, d], i) => axis(s[i + 1]!, k, st, d, padding).out), f[2]! * f[3]!]);
  NN_RULES.DepthwiseConv2dNative!(c);
};

export const EXTRA3_RULES: Record<string, Rule> = {
  AvgPool3D: pool3d('AVERAGE_POOL_2D'), MaxPool3D: pool3d('MAX_POOL_2D'), Conv1D: conv1d, Conv2DBackpropInput: convTranspose, Conv3D: conv3d,
  MaxPoolWithArgmax: maxPoolArgmax, Dilation2D: dilation2d, CropAndResize: cropAndResize, ImageProjectiveTransformV3: projective,
  DepthwiseConv2d: depthwise,
};
