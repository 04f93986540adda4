/**
 * Ops that move elements without arithmetic: RESHAPE, SQUEEZE, EXPAND_DIMS, TRANSPOSE,
 * DEPTH_TO_SPACE, SPACE_TO_DEPTH, PAD, PADV2, MIRROR_PAD, and CONCATENATION (which rescales
 * inputs whose quantization differs from the output's).
 * Quantized tensors pass through as codes: TFLite copies bytes and expects the output to carry
 * the input's quantization.
 */
import type { HostTensor } from '../../../runtime/types';
import { roundHalfAwayFromZero } from '../fixed-point';
import {
  allocAnyOutput, allocOutput, attrInts, attrNumber, attrString, clamp, dtypeRange, fusedActivation, input, isQuantizedInt, numbersOf, output, quant, relabel,
  elements, sizeOf, stridesOf, unsupported, type Kernel, type KernelArgs,
} from '../kernel-util';

const copyAs = (args: KernelArgs, x: HostTensor, shape: number[]): HostTensor => {
  const out = output(args);
  allocAnyOutput(args, out, shape); // checks the declared shape
  return relabel({ ...x, data: x.data.slice() }, out, shape);
};

/** A shape with at most one -1, resolved against the element count. */
function resolveShape(args: KernelArgs, wanted: number[], count: number): number[] {
  const known = wanted.filter((d) => d !== -1).reduce((a, b) => a * b, 1);
  const shape = wanted.map((d) => (d === -1 ? count / known : d));
  if (sizeOf(shape) !== count || shape.some((d) => !Number.isInteger(d) || d < 0)) {
    throw new Error(`${args.node.op} node ${args.node.name}: cannot reshape ${count} elements to [${wanted.join(', ')}]`);
  }
  return shape;
}

const RESHAPE: Kernel = (args) => {
  const x = input(args, 0).value;
  const shapeInput = args.inputs[1];
  // The shape tensor wins over the option when it is given (reshape.cc GetOutputShape).
  const wanted = shapeInput && shapeInput.value.shape.length === 1 ? numbersOf(shapeInput.value)
    : attrInts(args.node, 'new_shape') ?? output(args).shape?.map((d) => (typeof d === 'number' ? d : -1)) ?? [];
  return [copyAs(args, x, resolveShape(args, wanted, x.data.length))];
};

const SQUEEZE: Kernel = (args) => {
  const x = input(args, 0).value;
  const dims = (attrInts(args.node, 'squeeze_dims') ?? []).map((d) => (d < 0 ? d + x.shape.length : d));
  const shape = x.shape.filter((d, i) => (dims.length === 0 ? d !== 1 : !dims.includes(i)));
  return [copyAs(args, x, shape)];
};

const EXPAND_DIMS: Kernel = (args) => {
  const x = input(args, 0).value;
  let axis = numbersOf(input(args, 1).value)[0] ?? 0;
  if (axis < 0) axis += x.shape.length + 1;
  return [copyAs(args, x, [...x.shape.slice(0, axis), 1, ...x.shape.slice(axis)])];
};

const TRANSPOSE: Kernel = (args) => {
  const x = input(args, 0).value;
  const perm = numbersOf(input(args, 1).value);
  const shape = perm.map((p) => x.shape[p]!);
  const y = allocAnyOutput(args, output(args), shape);
  const inStrides = stridesOf(x.shape);
  const outStrides = stridesOf(shape);
  const [src, dst] = [elements(x), elements(y)];
  for (let i = 0; i < dst.length; i++) {
    let from = 0;
    for (let d = 0; d < perm.length; d++) from += (Math.floor(i / outStrides[d]!) % shape[d]!) * inStrides[perm[d]!]!;
    dst[i] = src[from]!;
  }
  return [y];
};

/**
 * DEPTH_TO_SPACE / SPACE_TO_DEPTH (NHWC, block size b): a depth index splits as (row in block,
 * column in block, channel), rows outermost, as TFLite's reference kernels lay it out.
 */
function blockMove(toSpace: boolean): Kernel {
  return (args) => {
    const x = input(args, 0).value;
    const b = attrNumber(args.node, 'block_size', 1);
    const [n, h, w, c] = x.shape as [number, number, number, number];
    const shape = toSpace ? [n, h * b, w * b, c / (b * b)] : [n, h / b, w / b, c * b * b];
    if (shape.some((d) => !Number.isInteger(d))) unsupported(args, `block size ${b} does not divide [${x.shape.join(', ')}]`);
    const y = allocAnyOutput(args, output(args), shape);
    const [src, dst] = [elements(x), elements(y)];
    // Walk the space-side tensor; its element (bn, sy, sx, sc) is depth-side (bn, sy/b, sx/b, ((sy%b)*b + sx%b)*C + sc).
    const [sn, sh, sw, sc] = (toSpace ? shape : x.shape) as [number, number, number, number];
    const dc = sc * b * b;
    for (let i0 = 0; i0 < sn; i0++) for (let sy = 0; sy < sh; sy++) for (let sx = 0; sx < sw; sx++) for (let ch = 0; ch < sc; ch++) {
      const space = ((i0 * sh + sy) * sw + sx) * sc + ch;
      const depth = ((i0 * (sh / b) + Math.floor(sy / b)) * (sw / b) + Math.floor(sx / b)) * dc + ((sy % b) * b + (sx % b)) * sc + ch;
      if (toSpace) dst[space] = src[depth]!;
      else dst[depth] = src[space]!;
    }
    return [y];
  };
}

/** PAD / PADV2: the pad value is the output zero point, or PADV2's constant (same quantization). */
const PAD: Kernel = (args) => {
  const x = input(args, 0);
  const out = output(args);
  const pads = numbersOf(input(args, 1).value);
  const rank = x.value.shape.length;
  if (pads.length !== rank * 2) throw new Error(`${args.node.op} node ${args.node.name}: paddings must be [${rank}, 2]`);
  const shape = x.value.shape.map((d, i) => d + pads[2 * i]! + pads[2 * i + 1]!);
  const y = allocOutput(args, out, shape);
  const constant = args.inputs[2];
  y.data.fill(constant ? Number(constant.value.data[0]) : isQuantizedInt(out.dtype) ? quant(out).zeroPoint : 0);
  const inStrides = stridesOf(x.value.shape);
  const outStrides = stridesOf(shape);
  const src = x.value.data as ArrayLike<number>;
  for (let i = 0; i < src.length; i++) {
    let to = 0;
    for (let d = 0; d < rank; d++) to += (Math.floor(i / inStrides[d]!) % x.value.shape[d]! + pads[2 * d]!) * outStrides[d]!;
    y.data[to] = src[i]!;
  }
  return [y];
};

/**
 * MIRROR_PAD (mirror_pad.cc GetInputDimension): REFLECT mirrors around the edge element,
 * SYMMETRIC repeats it; indices beyond what one reflection reaches are clamped as TFLite does.
 */
const MIRROR_PAD: Kernel = (args) => {
  const x = input(args, 0).value;
  const pads = numbersOf(input(args, 1).value);
  const rank = x.shape.length;
  if (pads.length !== rank * 2) throw new Error(`MIRROR_PAD node ${args.node.name}: paddings must be [${rank}, 2]`);
  const offset = attrString(args.node, 'mode', 'REFLECT') === 'REFLECT' ? 1 : 0;
  const source = (p: number, left: number, size: number): number => {
    if (p < left) {
      const original = left + offset - 1;
      return original - Math.min(p, original - offset);
    }
    const inside = p - left;
    if (inside < size) return inside;
    const original = size - (1 + offset);
    return original - Math.min(inside - size, original);
  };
  const shape = x.shape.map((d, i) => d + pads[2 * i]! + pads[2 * i + 1]!);
  const y = allocAnyOutput(args, output(args), shape);
  const inStrides = stridesOf(x.shape);
  const outStrides = stridesOf(shape);
  const [src, dst] = [elements(x), elements(y)];
  for (let i = 0; i < dst.length; i++) {
    let from = 0;
    for (let d = 0; d < rank; d++) from += source(Math.floor(i / outStrides[d]!) % shape[d]!, pads[2 * d]!, x.shape[d]!) * inStrides[d]!;
    dst[i] = src[from]!;
  }
  return [y];
};

/**
 * CONCATENATION. An input whose quantization differs from the output's is rescaled as TFLite's
 * uint8 ConcatenationWithScaling does it (float32 scale and bias, rounded). TFLite's int8 and
 * int16 kernels refuse such inputs in Prepare; the reference computes what the rescale means so
 * the difference can be explained rather than failing.
 */
const CONCATENATION: Kernel = (args) => {
  const parts = args.inputs.map((_, i) => input(args, i));
  const out = output(args);
  if (fusedActivation(args.node) !== 'NONE') unsupported(args, 'a fused activation on CONCATENATION');
  const first = parts[0]!.value;
  const rank = first.shape.length;
  let axis = attrNumber(args.node, 'axis', 0);
  if (axis < 0) axis += rank;
  const shape = [...first.shape];
  shape[axis] = parts.reduce((s, p) => s + p.value.shape[axis]!, 0);
  const y = allocAnyOutput(args, out, shape);
  const dst = elements(y);
  const outer = sizeOf(shape.slice(0, axis));
  const inner = sizeOf(shape.slice(axis + 1));
  const quantized = isQuantizedInt(out.dtype);
  const outQ = quantized ? quant(out) : undefined;
  const [lo, hi] = quantized ? dtypeRange(out.dtype) : [0, 0];
  const rescalers = parts.map((p) => {
    if (!outQ) return null;
    const q = quant(p.tensor);
    if (q.scale === outQ.scale && q.zeroPoint === outQ.zeroPoint) return null;
    const scale = Math.fround(q.scale * Math.fround(1 / outQ.scale));
    const bias = Math.fround(-q.zeroPoint * scale);
    return (v: number) => clamp(roundHalfAwayFromZero(Math.fround(Math.fround(v * scale) + bias)) + outQ.zeroPoint, lo, hi);
  });
  let o = 0;
  for (let k = 0; k < outer; k++) {
    parts.forEach((p, i) => {
      const n = p.value.shape[axis]! * inner;
      const rescale = rescalers[i];
      const src = elements(p.value);
      for (let j = 0; j < n; j++) dst[o++] = rescale ? rescale(Number(src[k * n + j])) : src[k * n + j]!;
    });
  }
  return [y];
};

export const SHAPE_OPS = { RESHAPE, SQUEEZE, EXPAND_DIMS, TRANSPOSE, DEPTH_TO_SPACE: blockMove(true), SPACE_TO_DEPTH: blockMove(false), PAD, PADV2: PAD, MIRROR_PAD, CONCATENATION };
