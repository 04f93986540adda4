/**
 * ONNX -> TFLite lowerings: Resize / Upsample of any rank, mode and coordinate transform.
 * TFLite's RESIZE_BILINEAR / RESIZE_NEAREST_NEIGHBOR are used where their sampling is ONNX's
 * (delegates accelerate them); every other case is one fixed sampling matrix per resized axis,
 * applied as a GATHER (each output picks one input) or a FULLY_CONNECTED.
 */
import { type LowerCtx, type Rule, Unsupported } from './context';
import { bool, int } from './builder';
import { bytesOf } from './nd';
import { builtinResize } from './rules-nn';
import { type AxisMatrix, type AxisResize, type ResizeMode, axisMatrix, isIdentity, pickIndices } from './resize-weights';

interface Plan { scales: number[]; out: number[]; roi: number[] | null }

/** A constant input that is really given (ONNX marks "absent" with '' or a 0-length tensor). */
function given(c: LowerCtx, name: string | undefined): number[] | null {
  if (!name) return null;
  if (c.shape(name).some((d) => d === 0)) return null;
  const v = c.constNumbers(name);
  if (!v) throw new Unsupported(`Resize ${name} computed at run time (the sampling depends on its values)`);
  return v;
}

/** With `axes`, roi lists [starts, ends] of those axes only; the others keep their whole range. */
function fullRoi(roi: number[], axes: number[], rank: number): number[] {
  const full = [...new Array<number>(rank).fill(0), ...new Array<number>(rank).fill(1)];
  axes.forEach((a, k) => { full[a] = roi[k]!; full[a + rank] = roi[axes.length + k]!; });
  return full;
}

function plan(c: LowerCtx, inShape: number[], outShape: number[]): Plan {
  const rank = inShape.length;
  const legacy = c.node.op === 'onnx.Upsample' || c.opset < 11;
  const axes = (c.ints('axes') ?? inShape.map((_, i) => i)).map((a) => (a < 0 ? a + rank : a));
  const scales = inShape.map(() => 1), out = [...inShape];
  const roiIn = legacy ? null : given(c, c.node.inputs[1]);
  const roi = roiIn && roiIn.length === 2 * axes.length && axes.length < rank ? fullRoi(roiIn, axes, rank) : roiIn;
  const attrScales = c.node.op === 'onnx.Upsample' && c.opset < 9 ? c.attr('scales') : undefined;
  const scaleIn = attrScales?.kind === 'floats' ? attrScales.value : given(c, legacy ? c.node.inputs[1] : c.node.inputs[2]);
  // Sizes whose producer was not folded still fix the output shape, which is all "stretch" needs.
  const sizesName = legacy ? undefined : c.node.inputs[3];
  let sizes = null as number[] | null;
  if (sizesName && !c.shape(sizesName).some((d) => d === 0)) {
    sizes = c.constNumbers(sizesName) ?? (c.string('keep_aspect_ratio_policy', 'stretch') === 'stretch' ? axes.map((a) => outShape[a]!) : null);
    if (!sizes) throw new Unsupported('Resize sizes computed at run time with a kept aspect ratio');
  }
  if (sizes) {
    const policy = c.string('keep_aspect_ratio_policy', 'stretch');
    const ratios = axes.map((a, k) => sizes![k]! / inShape[a]!);
    if (policy === 'stretch') axes.forEach((a, k) => { scales[a] = ratios[k]!; out[a] = sizes![k]!; });
    else {
      const s = policy === 'not_larger' ? Math.min(...ratios) : Math.max(...ratios);
      axes.forEach((a) => { scales[a] = s; out[a] = Math.floor(s * inShape[a]! + 0.5); });
    }
  } else if (scaleIn) {
    if (scaleIn.length !== axes.length) throw new Unsupported('Resize scales of the wrong length');
    axes.forEach((a, k) => { scales[a] = scaleIn[k]!; out[a] = Math.floor(scaleIn[k]! * inShape[a]! + 1e-6); }); // as shape inference (and onnxruntime's float32 product)
  } else throw new Unsupported('Resize without scales or sizes');
  if (out.some((d, i) => d !== outShape[i])) throw new Unsupported(`Resize output ${out.join('x')} disagrees with the inferred ${outShape.join('x')}`);
  if (out.some((d) => d === 0)) throw new Unsupported('Resize to an empty tensor (TFLite tensors cannot be empty)');
  return { scales, out, roi };
}

function axisParams(c: LowerCtx, roi: number[] | null, rank: number, a: number): AxisResize {
  const legacy = c.node.op === 'onnx.Upsample' || c.opset < 11;
  let mode = c.string('mode', 'nearest');
  if (mode === 'bilinear' || mode === 'trilinear') mode = 'linear';
  if (!['nearest', 'linear', 'cubic'].includes(mode)) throw new Unsupported(`Resize mode ${mode}`);
  return {
    mode: mode as ResizeMode,
    coord: legacy ? 'asymmetric' : c.string('coordinate_transformation_mode', 'half_pixel'),
    nearestMode: legacy ? 'floor' : c.string('nearest_mode', 'round_prefer_floor'),
    cubicA: c.float('cubic_coeff_a', -0.75),
    excludeOutside: c.int('exclude_outside', 0) === 1,
    antialias: c.int('antialias', 0) === 1,
    roi: roi ? [roi[a]!, roi[a + rank]!] : [0, 1],
  };
}

/** One axis by its matrix: GATHER when each output copies one input, else FULLY_CONNECTED on the last axis. */
function applyAxis(c: LowerCtx, x: string, shape: number[], a: number, m: AxisMatrix, extrapolation: number, out: string | null): string {
  const b = c.b, base = `${c.node.name}/axis${a}`;
  const dtype = c.dtype(c.node.inputs[0]!);
  const yShape = shape.map((d, i) => (i === a ? m.outN : d));
  const picks = pickIndices(m);
  if (picks) {
    const y = out ?? b.tmp(base, dtype, yShape);
    b.emit('GATHER', [x, b.int32(`${base}/indices`, picks)], [y], { axis: int(a) }, base);
    return y;
  }
  if (dtype !== 'float32') throw new Unsupported(`Resize interpolating ${dtype} (only float32 is blended exactly here)`);
  const last = shape.length - 1;
  const perm = shape.map((_, i) => (i === a ? last : i === last ? a : i));
  const moved = a === last ? x : b.transpose(x, perm);
  const movedShape = perm.map((p) => yShape[p]!);
  const fcOut = a === last && out ? out : b.tmp(`${base}/fc`, 'float32', movedShape);
  const w = b.constBytes(`${base}/weights`, 'float32', [m.outN, m.inN], bytesOf(Float32Array.from(m.w)));
  const bias = b.constBytes(`${base}/bias`, 'float32', [m.outN], bytesOf(Float32Array.from(m.outside, (o) => (o ? extrapolation : 0))));
  b.emit('FULLY_CONNECTED', [moved, w, bias], [fcOut], { keep_num_dims: bool(true) }, base);
  return a === last ? fcOut : b.transpose(fcOut, perm, out ?? undefined);
}

const resize: Rule = (c) => {
  const x = c.node.inputs[0]!;
  const inShape = c.shape(x), outShape = c.shape(c.node.outputs[0]!);
  const plain = !c.attr('axes') && c.string('keep_aspect_ratio_policy', 'stretch') === 'stretch' && c.int('antialias', 0) === 0;
  if (plain && inShape.length === 4) {
    try { builtinResize(c); return; } catch (e) { if (!(e instanceof Unsupported)) throw e; }
  }
  const { scales, roi } = plan(c, inShape, outShape);
  const rank = inShape.length;
  const extrapolation = c.float('extrapolation_value', 0);
  // Inner axes first, as ONNX's reference interpolates; each axis' weights sum to 1, so an
  // extrapolated value carries through the later axes unchanged.
  const steps: { a: number; m: AxisMatrix }[] = [];
  for (let a = rank - 1; a >= 0; a--) {
    let m: AxisMatrix;
    try { m = axisMatrix(inShape[a]!, outShape[a]!, scales[a]!, axisParams(c, roi, rank, a)); } catch (e) {
      throw e instanceof Unsupported ? e : new Unsupported(`Resize: ${(e as Error).message}`);
    }
    if (!isIdentity(m)) steps.push({ a, m });
  }
  let v = c.v(x), shape = inShape;
  if (steps.length === 0) { c.b.reshape(v, outShape, c.out()); return; }
  steps.forEach(({ a, m }, k) => {
    v = applyAxis(c, v, shape, a, m, extrapolation, k === steps.length - 1 ? c.out() : null);
    shape = shape.map((d, i) => (i === a ? m.outN : d));
  });
};

export const RESIZE_RULES: Record<string, Rule> = { Resize: resize, Upsample: resize };
