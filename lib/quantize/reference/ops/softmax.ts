/**
 * SOFTMAX over the last axis (kernels/activations.cc SoftmaxPrepare/Eval, reference_ops::Softmax
 * and SoftmaxInt16).
 *
 * int8 (and int8 -> int16): TFLite's reference kernel in gemmlowp fixed point. Differences to
 * the row maximum are scaled by beta * input_scale into Q5.26, exponentiated with
 * exp_on_negative_values, summed in Q12.19 and multiplied by the Q0.31 reciprocal of the sum.
 * Differences below diff_min (about -31 in scaled units) contribute nothing.
 * The optimized int8 kernel runtimes run instead uses a float exp table, so runtimes can differ
 * from this by one step; the tests measure how often.
 *
 * int16: LUT-based (exp over [-10, 0] and 1 / (1 + x) tables with 513 entries and linear
 * interpolation); TFLite uses this one kernel for every registration.
 */
import type { HostTensor } from '../../../runtime/types';
import { roundHalfAwayFromZero, roundingDivideByPOT, saturatingRoundingDoublingHighMul, toInt32 } from '../fixed-point';
import { expOnNegativeValues, getReciprocal, rescale } from '../gemmlowp';
import { allocOutput, attrNumber, clamp, dtypeRange, fixedPoint, input, output, quant, unsupported, type Kernel, type KernelArgs } from '../kernel-util';

/** Calls `row(start, depth)` for every run of the last axis. */
function rows(x: HostTensor, row: (start: number, depth: number) => void): void {
  const depth = x.shape.at(-1) ?? 1;
  for (let start = 0; start < x.data.length; start += depth) row(start, depth);
}

function softmaxFloat(args: KernelArgs, beta: number): HostTensor {
  const x = input(args, 0).value;
  const y = allocOutput(args, output(args), x.shape);
  const xs = x.data as Float32Array;
  rows(x, (s, d) => {
    let max = -Infinity;
    for (let c = 0; c < d; c++) max = Math.max(max, xs[s + c]!);
    let sum = 0;
    for (let c = 0; c < d; c++) sum += Math.exp((xs[s + c]! - max) * beta);
    for (let c = 0; c < d; c++) y.data[s + c] = Math.exp((xs[s + c]! - max) * beta) / sum;
  });
  return y;
}

const SCALED_DIFF_INTEGER_BITS = 5;
const ACCUMULATION_INTEGER_BITS = 12;

function softmaxInt8(args: KernelArgs, beta: number): HostTensor {
  const x = input(args, 0).value;
  const out = output(args);
  const y = allocOutput(args, out, x.shape);
  const qi = quant(input(args, 0).tensor);
  // PreprocessSoftmaxScaling: beta * scale as a Q5.26 multiplier, capped to what the build's
  // MultiplyByQuantizedMultiplierGreaterThanOne can take.
  const fx = fixedPoint(args);
  const cap = args.rounding === 'single' ? 2 ** 30 - 1 : 2 ** 31 - 1;
  const m = fx.multiplier(Math.min(beta * qi.scale * 2 ** (31 - SCALED_DIFF_INTEGER_BITS), cap));
  // CalculateInputRadius: the largest difference whose rescaled value still fits Q5.26.
  const diffMin = -Math.floor(((2 ** SCALED_DIFF_INTEGER_BITS - 1) * 2 ** (31 - SCALED_DIFF_INTEGER_BITS)) / 2 ** m.shift);
  const [lo, hi] = dtypeRange(out.dtype);
  const outBits = out.dtype === 'int16' ? 16 : 8;
  const xs = x.data as Int8Array;
  const scaledDiff = (v: number, max: number) => fx.apply(v - max, m);
  rows(x, (s, d) => {
    let max = -128;
    for (let c = 0; c < d; c++) max = Math.max(max, xs[s + c]!);
    let sum = 0;
    for (let c = 0; c < d; c++) {
      if (xs[s + c]! - max < diffMin) continue;
      sum = toInt32(sum + rescale(expOnNegativeValues(scaledDiff(xs[s + c]!, max), SCALED_DIFF_INTEGER_BITS), 0, ACCUMULATION_INTEGER_BITS));
    }
    const { scale, bitsOverUnit } = getReciprocal(sum, ACCUMULATION_INTEGER_BITS);
    const exponent = bitsOverUnit + 31 - outBits;
    for (let c = 0; c < d; c++) {
      if (xs[s + c]! - max < diffMin) {
        y.data[s + c] = lo;
        continue;
      }
      const e = expOnNegativeValues(scaledDiff(xs[s + c]!, max), SCALED_DIFF_INTEGER_BITS);
      y.data[s + c] = clamp(roundingDivideByPOT(saturatingRoundingDoublingHighMul(scale, e), exponent) + lo, lo, hi);
    }
  });
  return y;
}

/**
 * LUTPopulateInt16 in double (the deprecated overload softmax uses): 512 samples of f over the
 * input range plus the end point, each sample biased by half the error the linear
 * interpolation makes at the segment's midpoint.
 */
function int16Table(inputScale: number, inputZp: number, outputScale: number, outputZp: number, f: (x: number) => number): Int32Array {
  const inputMin = inputScale * (-32768 - inputZp);
  const inputMax = inputScale * (32767 - inputZp);
  const outputMin = outputScale * (-32768 - outputZp);
  const outputMax = outputScale * (32767 - outputZp);
  const steps = 512;
  const step = (inputMax - inputMin) / steps;
  const inv = 65536 / (outputMax - outputMin);
  const r = roundHalfAwayFromZero;
  const lut = new Int32Array(steps + 1);
  for (let i = 0; i < steps; i++) {
    const val = f(inputMin + i * step);
    const mid = f(inputMin + i * step + step / 2);
    const next = f(inputMin + (i + 1) * step);
    const interpolated = r((next * inv + r(val * inv)) / 2);
    const bias = r((interpolated - r(mid * inv)) / 2);
    lut[i] = clamp(r(val * inv) - bias, -32768, 32767);
  }
  lut[steps] = clamp(r(f(inputMax) * inv), -32768, 32767);
  return lut;
}

/** LUTLookup for int16: 9 index bits, 7 interpolation bits. */
function lookup16(value: number, lut: Int32Array): number {
  const index = 256 + (value >> 7);
  const base = lut[index]!;
  const slope = lut[index + 1]! - base;
  return ((base + ((slope * (value & 0x7f) + 64) >> 7)) << 16) >> 16;
}

const RANGE16 = 65535;
let expTable: Int32Array | undefined;
let reciprocalTable: Int32Array | undefined;

function softmaxInt16(args: KernelArgs, beta: number): HostTensor {
  const x = input(args, 0).value;
  const out = output(args);
  const y = allocOutput(args, out, x.shape);
  const qi = quant(input(args, 0).tensor);
  if (qi.zeroPoint !== 0 || quant(out).zeroPoint !== 0) unsupported(args, 'int16 with non-zero zero points');
  expTable ??= int16Table(10 / RANGE16, 32767, 2 / RANGE16, 0, Math.exp);
  reciprocalTable ??= int16Table(1 / RANGE16, -32768, 2 / RANGE16, 0, (v) => 1 / (1 + v));
  // input_scale * beta is a float32 product; the rest is double ([-65535, 0] <-> [-10, 0]).
  const fx = fixedPoint(args);
  const m = fx.multiplier(Math.fround(qi.scale * beta) / (10 / RANGE16));
  const xs = x.data as Int16Array;
  const exps = new Int32Array(xs.length);
  const expTab = expTable;
  const recTab = reciprocalTable;
  rows(x, (s, d) => {
    let max = -32768;
    for (let c = 0; c < d; c++) max = Math.max(max, xs[s + c]!);
    let sum = 0;
    for (let c = 0; c < d; c++) {
      const scaled = fx.apply(xs[s + c]! - max, m);
      exps[s + c] = lookup16(clamp(scaled + 32767, -32768, 32767), expTab);
      sum += exps[s + c]!;
    }
    const headroomPlusOne = Math.clz32(sum);
    const shiftedSum = Math.floor((sum * 2 ** (headroomPlusOne - 1) + (1 << 13)) / 2 ** 14);
    const reciprocal = lookup16(clamp(shiftedSum - ((1 << 15) + (1 << 16)), -32768, 32767), recTab);
    const rightShift = 31 - headroomPlusOne;
    for (let c = 0; c < d; c++) {
      const v = Math.floor((exps[s + c]! * reciprocal + 2 ** (rightShift - 1)) / 2 ** rightShift);
      y.data[s + c] = clamp(v, 0, 32767);
    }
  });
  return y;
}

const SOFTMAX: Kernel = (args) => {
  const inType = input(args, 0).tensor.dtype;
  const outType = output(args).dtype;
  const beta = Math.fround(attrNumber(args.node, 'beta', 1));
  if (inType === 'float32' && outType === 'float32') return [softmaxFloat(args, beta)];
  // SoftmaxPrepare refuses other output quantizations: the kernels produce this fixed format.
  const q = quant(output(args));
  if (inType === 'int8' && outType === 'int8' && (q.zeroPoint !== -128 || Math.abs(q.scale - 1 / 256) > 0.001 / 256)) {
    unsupported(args, 'int8 output quantization other than scale 1/256, zero point -128 (TFLite refuses it)');
  }
  if (inType === 'int16' && outType === 'int16' && (q.zeroPoint !== 0 || Math.abs(q.scale - 1 / 32768) > 0.001 / 32768)) {
    unsupported(args, 'int16 output quantization other than scale 1/32768, zero point 0 (TFLite refuses it)');
  }
  if (inType === 'int8' && (outType === 'int8' || outType === 'int16')) return [softmaxInt8(args, beta)];
  if (inType === 'int16' && outType === 'int16') return [softmaxInt16(args, beta)];
  return unsupported(args, `input ${inType}, output ${outType}`);
};

export const SOFTMAX_OPS = { SOFTMAX };
