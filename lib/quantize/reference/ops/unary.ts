/**
 * Element-wise unary ops (kernels/elementwise.cc, neg.cc, exp.cc, floor.cc, ceil.cc): ABS and
 * RSQRT on int8 / int16 / float32, and the float-only ones float islands carry (LOG, SQRT, EXP,
 * NEG, SQUARE, SIN, COS, FLOOR, CEIL).
 *
 * Float kernels apply the C++ float function and round to float32; runtimes use their own
 * vectorised approximations of exp/log/sin, so they are compared with a tolerance.
 */
import type { DType } from '../../../ir/types';
import type { HostTensor } from '../../../runtime/types';
import { toInt16 } from '../fixed-point';
import { invSqrtQuantizedMultiplierExp } from '../gemmlowp';
import { int16Table, lookup16 } from '../lut';
import { allocOutput, clamp, dtypeRange, fixedPoint, input, output, quant, unsupported, type Kernel, type KernelArgs } from '../kernel-util';

function map(args: KernelArgs, f: (x: number) => number): HostTensor {
  const x = input(args, 0).value;
  const y = allocOutput(args, output(args), x.shape);
  const xs = x.data as ArrayLike<number>;
  for (let i = 0; i < xs.length; i++) y.data[i] = f(xs[i]!);
  return y;
}

function dtypeOf(args: KernelArgs, allowed: DType[]): DType {
  const d = input(args, 0).tensor.dtype;
  if (d !== output(args).dtype) unsupported(args, `input ${d}, output ${output(args).dtype}`);
  if (!allowed.includes(d)) unsupported(args, `dtype ${d}`);
  return d;
}

/** A float32-only op: f in double, rounded once to float32 as the C++ float function returns it. */
function floatUnary(f: (x: number) => number): Kernel {
  return (args) => {
    dtypeOf(args, ['float32']);
    return [map(args, (v) => Math.fround(f(v)))];
  };
}

/** int16 kernels want symmetric quantization (GenericPrepare checks both zero points). */
function checkInt16ZeroPoints(args: KernelArgs): void {
  if (quant(input(args, 0).tensor).zeroPoint !== 0 || quant(output(args)).zeroPoint !== 0) unsupported(args, 'int16 with non-zero zero points');
}

/**
 * ABS: |q - zp_in| at the input scale, requantized (multiplier input / output scale, a float32
 * division) only when the scales differ. int32, and int16 without quantization, take |x|.
 */
const ABS: Kernel = (args) => {
  const dt = dtypeOf(args, ['float32', 'int8', 'int16', 'int32']);
  const x = input(args, 0).tensor;
  if (dt === 'float32') return [map(args, Math.abs)];
  // Unquantized integers wrap as the C++ does (|-2^31| stays -2^31, |-32768| becomes -32768).
  if (dt === 'int32') return [map(args, (v) => Math.abs(v) | 0)];
  if (dt === 'int16' && !x.quant) return [map(args, (v) => toInt16(Math.abs(v)))];
  if (dt === 'int16') checkInt16ZeroPoints(args);
  const qi = quant(x);
  const qo = quant(output(args));
  const fx = fixedPoint(args);
  const rescale = qi.scale !== qo.scale;
  const m = fx.multiplier(Math.fround(qi.scale / qo.scale));
  const [lo, hi] = dtypeRange(dt);
  return [map(args, (v) => {
    const value = Math.abs(v - qi.zeroPoint);
    return clamp((rescale ? fx.apply(value, m) : value) + qo.zeroPoint, lo, hi);
  })];
};

/** The error TFLite's Eval returns for inputs below the zero point. */
function checkNonNegative(args: KernelArgs, zeroPoint: number): void {
  const xs = input(args, 0).value.data as ArrayLike<number>;
  for (let i = 0; i < xs.length; i++) {
    if (xs[i]! < zeroPoint) throw new Error(`RSQRT node ${args.node.name}: Rsqrt is only defined for positive values (code ${xs[i]} below the zero point ${zeroPoint})`);
  }
}

/**
 * RSQRT. int8: 1 / sqrt(q - zp) as an integer multiplier and shift
 * (GetInvSqrtQuantizedMultiplierExp), applied to 1 << 20 and then rescaled by
 * 1 / (sqrt(input scale) * output scale) shifted back by 20; q == zp gives the largest code.
 * int16: TFLite's float-built 513-entry table of 1 / sqrt(x), with x <= 0 mapped to the top of
 * the output range.
 */
const RSQRT: Kernel = (args) => {
  const dt = dtypeOf(args, ['float32', 'int8', 'int16']);
  if (dt === 'float32') return [map(args, (v) => Math.fround(1 / Math.fround(Math.sqrt(v))))];
  const qi = quant(input(args, 0).tensor);
  const qo = quant(output(args));
  checkNonNegative(args, qi.zeroPoint);
  if (dt === 'int16') {
    checkInt16ZeroPoints(args);
    const top = Math.fround(32767 * qo.scale);
    const lut = int16Table(qi.scale, qi.zeroPoint, qo.scale, qo.zeroPoint, (v) => (v <= 0 ? top : 1 / Math.fround(Math.sqrt(v))), 'float32');
    return [map(args, (v) => lookup16(v, lut))];
  }
  const fx = fixedPoint(args);
  // std::sqrt of the float scale is a float, times the float output scale; 1. / that in double.
  const m = fx.multiplier(1 / Math.fround(Math.fround(Math.sqrt(qi.scale)) * qo.scale));
  const SHIFT = 20;
  const [lo, hi] = dtypeRange(dt);
  return [map(args, (v) => {
    const value = v - qi.zeroPoint;
    if (value === 0) return hi;
    const inv = invSqrtQuantizedMultiplierExp(value, -1);
    const data = fx.apply(1, { multiplier: inv.multiplier, shift: inv.shift + SHIFT });
    return clamp(fx.apply(data, { multiplier: m.multiplier, shift: m.shift - SHIFT }) + qo.zeroPoint, lo, hi);
  })];
};

export const UNARY_OPS = {
  ABS,
  RSQRT,
  LOG: floatUnary(Math.log),
  SQRT: floatUnary(Math.sqrt),
  EXP: floatUnary(Math.exp),
  NEG: floatUnary((v) => -v),
  SQUARE: floatUnary((v) => v * v),
  SIN: floatUnary(Math.sin),
  COS: floatUnary(Math.cos),
  FLOOR: floatUnary(Math.floor),
  CEIL: floatUnary(Math.ceil),
};
