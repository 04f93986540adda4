/**
 * Reductions over the axes of input 1 (kernels/reduce.cc; reference_ops::QuantizedMeanOrSum,
 * ReduceGeneric): MEAN, SUM, REDUCE_MAX, REDUCE_MIN, with keep_dims.
 *
 * Quantized MEAN and SUM sum the codes exactly, subtract count * input zero point, and rescale
 * by input / output scale (MEAN folds 1 / count into that multiplier). REDUCE_MAX / MIN pick
 * codes: TFLite requires the output to share the input's quantization.
 */
import type { HostTensor } from '../../../runtime/types';
import type { Tensor } from '../../../ir/types';
import {
  allocOutput, attrBool, clamp, dtypeRange, fixedPoint, input, isQuantizedInt, numbersOf, output, quant, sizeOf, stridesOf, unsupported,
  type Kernel, type KernelArgs, type NumericTensor,
} from '../kernel-util';

interface Reduction {
  x: HostTensor;
  /** The output, shaped as keep_dims says. */
  y: NumericTensor;
  /** For each input element, the flat index of the output element it reduces into. */
  target: Int32Array;
  /** Input elements per output element. */
  count: number;
}

function reduction(args: KernelArgs, dtypes: string[]): Reduction {
  const x = input(args, 0);
  const out = output(args);
  const dt = x.tensor.dtype;
  if (dt !== out.dtype || !dtypes.includes(dt)) unsupported(args, `input ${dt}, output ${out.dtype}`);
  const shape = x.value.shape;
  const axes = [...new Set(numbersOf(input(args, 1).value).map((a) => (a < 0 ? a + shape.length : a)))];
  if (axes.some((a) => a < 0 || a >= shape.length)) throw new Error(`${args.node.op} node ${args.node.name}: axes out of range for rank ${shape.length}`);
  const reduced = shape.map((d, i) => (axes.includes(i) ? 1 : d));
  const y = allocOutput(args, out, attrBool(args.node, 'keep_dims', false) ? reduced : shape.filter((_, i) => !axes.includes(i)));
  const inStrides = stridesOf(shape);
  const redStrides = stridesOf(reduced);
  const target = new Int32Array(x.value.data.length);
  for (let i = 0; i < target.length; i++) {
    let r = 0;
    for (let d = 0; d < shape.length; d++) {
      if (!axes.includes(d)) r += (Math.floor(i / inStrides[d]!) % shape[d]!) * redStrides[d]!;
    }
    target[i] = r;
  }
  return { x: x.value, y, target, count: sizeOf(shape) / sizeOf(reduced) };
}

/** Exact sums (doubles: int16 codes times any realistic count stay far below 2^53). */
function sums(r: Reduction): Float64Array {
  const s = new Float64Array(r.y.data.length);
  const xs = r.x.data as ArrayLike<number>;
  for (let i = 0; i < xs.length; i++) s[r.target[i]!]! += xs[i]!;
  return s;
}

/** sum - count * zp_in, scaled by the multiplier, plus zp_out, clamped. */
function requantizeSums(args: KernelArgs, r: Reduction, s: Float64Array, m: { multiplier: number; shift: number }, x: Tensor): void {
  const qi = quant(x);
  const qo = quant(output(args));
  const fx = fixedPoint(args);
  const [lo, hi] = dtypeRange(x.dtype);
  for (let i = 0; i < s.length; i++) r.y.data[i] = clamp(fx.apply(s[i]! - qi.zeroPoint * r.count, m) + qo.zeroPoint, lo, hi);
}

function checkInt16ZeroPoints(args: KernelArgs): void {
  if (input(args, 0).tensor.dtype === 'int16' && (quant(input(args, 0).tensor).zeroPoint !== 0 || quant(output(args)).zeroPoint !== 0)) {
    unsupported(args, 'int16 with non-zero zero points');
  }
}

/** MEAN; int8/uint8/int16 with TFLite's integer rescaling. */
const MEAN: Kernel = (args) => {
  const r = reduction(args, ['float32', 'int8', 'uint8', 'int16']);
  const s = sums(r);
  const x = input(args, 0).tensor;
  if (x.dtype === 'float32') {
    for (let i = 0; i < s.length; i++) r.y.data[i] = Math.fround(s[i]! / r.count);
    return [r.y];
  }
  // Prepare's multiplier is input/output scale; Eval folds 1/count into it: it shifts the
  // multiplier left by floor(log2(count)) (at most 32, keeping the shift >= -31) and divides
  // by count in 64-bit integers.
  const base = fixedPoint(args).multiplier(quant(x).scale / quant(output(args)).scale);
  const pre = Math.min(31 - Math.clz32(r.count), 32, 31 + base.shift);
  const multiplier = Number((BigInt(base.multiplier) << BigInt(pre)) / BigInt(r.count));
  requantizeSums(args, r, s, { multiplier, shift: base.shift - pre }, x);
  return [r.y];
};

/** SUM; float sums rounded to float32 once, int32 wrapping, quantized rescaled by input / output scale. */
const SUM: Kernel = (args) => {
  const r = reduction(args, ['float32', 'int32', 'int8', 'int16']);
  const s = sums(r);
  const x = input(args, 0).tensor;
  if (x.dtype === 'float32' || x.dtype === 'int32') {
    for (let i = 0; i < s.length; i++) r.y.data[i] = x.dtype === 'int32' ? s[i]! | 0 : s[i]!;
    return [r.y];
  }
  checkInt16ZeroPoints(args);
  requantizeSums(args, r, s, fixedPoint(args).multiplier(quant(x).scale / quant(output(args)).scale), x);
  return [r.y];
};

function extremum(max: boolean): Kernel {
  return (args) => {
    const r = reduction(args, ['float32', 'int32', 'int8', 'int16', 'uint8']);
    const x = input(args, 0).tensor;
    if (isQuantizedInt(x.dtype)) {
      const qi = quant(x);
      const qo = quant(output(args));
      if (qi.scale !== qo.scale || qi.zeroPoint !== qo.zeroPoint) unsupported(args, 'an output quantized differently from the input (TFLite refuses it)');
    }
    const best = new Float64Array(r.y.data.length).fill(max ? -Infinity : Infinity);
    const xs = r.x.data as ArrayLike<number>;
    for (let i = 0; i < xs.length; i++) {
      const t = r.target[i]!;
      if (max ? xs[i]! > best[t]! : xs[i]! < best[t]!) best[t] = xs[i]!;
    }
    r.y.data.set(best);
    return [r.y];
  };
}

export const REDUCE_OPS = { MEAN, SUM, REDUCE_MAX: extremum(true), REDUCE_MIN: extremum(false) };
