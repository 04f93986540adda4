/**
 * ONNX Resize / Upsample computed axis by axis with gathers, so every coordinate transform and
 * nearest-rounding mode of the spec is exact (tfjs's image ops cover only the TF conventions
 * and only NHWC). Modes: nearest and linear, on any rank; cubic is refused.
 */
import * as tf from '@tensorflow/tfjs';
import { attrInts, attrString, checkShape, fail, floats, ints, normAxis, type OpFn } from './util';

type Node = Parameters<OpFn>[2];

/** Source coordinate of output index `x` along an axis of `inLen` -> `outLen`, scale `scale`. */
function sourceCoord(mode: string, x: number, inLen: number, outLen: number, scale: number, node: Node): number {
  switch (mode) {
    case 'half_pixel': return (x + 0.5) / scale - 0.5;
    case 'half_pixel_symmetric': {
      const adj = outLen / (scale * inLen);
      const center = inLen / 2;
      const offset = center * (1 - adj);
      return offset + (x + 0.5) / scale - 0.5;
    }
    case 'pytorch_half_pixel': return outLen > 1 ? (x + 0.5) / scale - 0.5 : 0;
    // The reference uses the unrounded output length (inLen * scale) here.
    case 'align_corners': { const len = inLen * scale; return len === 1 ? 0 : (x * (inLen - 1)) / (len - 1); }
    case 'asymmetric': return x / scale;
    case 'tf_half_pixel_for_nn': return (x + 0.5) / scale;
    default: fail(node, `coordinate_transformation_mode ${mode}`);
  }
}

function nearestIndex(mode: string, v: number): number {
  switch (mode) {
    case 'floor': return Math.floor(v);
    case 'ceil': return Math.ceil(v);
    case 'round_prefer_ceil': return Math.round(v);
    default: return v - Math.floor(v) === 0.5 ? Math.floor(v) : Math.round(v); // round_prefer_floor
  }
}

/**
 * `scalesAt`: input index of scales (1 for Upsample / Resize-10, 2 for Resize-11+);
 * sizes, when present, are input scalesAt + 1.
 */
export function resizeOp(scalesAt: number, defaultCoord: string): OpFn {
  return (ins, a, node) => {
    const x = ins[0];
    if (!x) fail(node, 'input 0 is missing');
    const axes = (attrInts(a, 'axes') ?? x.shape.map((_, i) => i)).map((v) => normAxis(v, x.rank));
    const scalesT = ins[scalesAt];
    const sizesT = scalesAt === 2 ? ins[3] : undefined;
    let scales: number[] | undefined = a.scales ? attrInts(a, 'scales') : undefined;
    let sizes: number[] | undefined;
    if (sizesT && sizesT.size > 0) sizes = ints(sizesT);
    else if (scalesT && scalesT.size > 0) scales = floats(scalesT);
    if (!sizes && !scales) fail(node, 'neither scales nor sizes');
    const policy = attrString(a, 'keep_aspect_ratio_policy', 'stretch');
    if (sizes && policy !== 'stretch') {
      const r = axes.map((ax, i) => sizes![i]! / x.shape[ax]!);
      const s = policy === 'not_larger' ? Math.min(...r) : Math.max(...r);
      sizes = axes.map((ax) => Math.round(s * x.shape[ax]!));
      scales = axes.map(() => s);
    }
    checkShape(x.shape.map((d, i) => {
      const j = axes.indexOf(i);
      return j < 0 ? d : sizes ? sizes[j]! : Math.floor(d * scales![j]!);
    }), node);
    const mode = attrString(a, 'mode', 'nearest');
    if (mode !== 'nearest' && mode !== 'linear' && mode !== 'bilinear') fail(node, `mode ${mode}`);
    const coord = attrString(a, 'coordinate_transformation_mode', defaultCoord);
    if (coord === 'tf_crop_and_resize') fail(node, 'tf_crop_and_resize');
    const nearestMode = attrString(a, 'nearest_mode', scalesAt === 1 ? 'floor' : 'round_prefer_floor');
    let y: tf.Tensor = x;
    axes.forEach((axis, i) => {
      const inLen = x.shape[axis]!;
      const outLen = sizes ? sizes[i]! : Math.floor(inLen * scales![i]!);
      const scale = sizes ? outLen / inLen : scales![i]!;
      if (outLen === inLen && scale === 1) return;
      const coords = Array.from({ length: outLen }, (_, o) => sourceCoord(coord, o, inLen, outLen, scale, node));
      const clampI = (v: number) => Math.min(Math.max(v, 0), inLen - 1);
      if (mode === 'nearest') {
        const idx = coords.map((c) => clampI(nearestIndex(nearestMode, c)));
        y = tf.gather(y, tf.tensor1d(idx, 'int32'), axis);
        return;
      }
      const c = coords.map((v) => Math.min(Math.max(v, 0), inLen - 1));
      const i0 = c.map((v) => Math.floor(v));
      const i1 = i0.map((v) => clampI(v + 1));
      const wShape = y.shape.map((_, k) => (k === axis ? outLen : 1));
      const w = tf.tensor(c.map((v, k) => v - i0[k]!), wShape);
      const lo = tf.gather(y, tf.tensor1d(i0, 'int32'), axis);
      const hi = tf.gather(y, tf.tensor1d(i1, 'int32'), axis);
      y = tf.add(lo, tf.mul(tf.sub(hi, lo), w));
    });
    return [y === x ? x : y];
  };
}
