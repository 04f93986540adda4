/**
 * SOFTMAX, LOG_SOFTMAX and L2_NORMALIZATION over the last axis (kernels/activations.cc
 * SoftmaxPrepare/Eval and LogSoftmaxPrepare/Eval, l2norm.cc; reference_ops::Softmax,
 * SoftmaxInt16, reference_integer_ops::LogSoftmax and L2Normalization).
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
import { INT32_MIN, roundingDivideByPOT, type QuantizedMultiplier, saturatingRoundingDoublingHighMul, toInt32 } from '../fixed-point';
import { expOnNegativeValues, getReciprocal, invSqrtQuantizedMultiplierExp, logXForXGreaterThanOrEqualTo1, rescale } from '../gemmlowp';
import { int16Table, lookup16 } from '../lut';
import {
  allocOutput, attrNumber, clamp, dtypeRange, fixedPoint, fusedActivation, input, output, quant, unsupported, type Kernel, type KernelArgs,
} from '../kernel-util';

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

/**
 * PreprocessSoftmaxScaling: beta * input scale as a Q5.26 multiplier, capped to what the build's
 * MultiplyByQuantizedMultiplierGreaterThanOne can take; CalculateInputRadius: the most negative
 * difference to the row maximum whose rescaled value still fits Q5.26.
 */
function q526Scaling(args: KernelArgs, beta: number): { m: QuantizedMultiplier; diffMin: number } {
  const qi = quant(input(args, 0).tensor);
  const cap = args.rounding === 'single' ? 2 ** 30 - 1 : 2 ** 31 - 1;
  const m = fixedPoint(args).multiplier(Math.min(beta * qi.scale * 2 ** (31 - SCALED_DIFF_INTEGER_BITS), cap));
  const diffMin = -Math.floor(((2 ** SCALED_DIFF_INTEGER_BITS - 1) * 2 ** (31 - SCALED_DIFF_INTEGER_BITS)) / 2 ** m.shift);
  return { m, diffMin };
}

function softmaxInt8(args: KernelArgs, beta: number): HostTensor {
  const x = input(args, 0).value;
  const out = output(args);
  const y = allocOutput(args, out, x.shape);
  const fx = fixedPoint(args);
  const { m, diffMin } = q526Scaling(args, beta);
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

const RANGE16 = 65535;
let expTable: Int32Array | undefined;
let reciprocalTable: Int32Array | undefined;

function softmaxInt16(args: KernelArgs, beta: number): HostTensor {
  const x = input(args, 0).value;
  const out = output(args);
  const y = allocOutput(args, out, x.shape);
  const qi = quant(input(args, 0).tensor);
  if (qi.zeroPoint !== 0 || quant(out).zeroPoint !== 0) unsupported(args, 'int16 with non-zero zero points');
  expTable ??= int16Table(10 / RANGE16, 32767, 2 / RANGE16, 0, Math.exp, 'double');
  reciprocalTable ??= int16Table(1 / RANGE16, -32768, 2 / RANGE16, 0, (v) => 1 / (1 + v), 'double');
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

/**
 * LOG_SOFTMAX. int8 (output fixed at scale 16/256, zero point 127): differences to the row
 * maximum in Q5.26 as for SOFTMAX, exp summed in Q12.19, its log taken in fixed point (Q5.26);
 * the output is (difference - log sum) in steps of 1/16. Differences below what the reverse
 * scaling of the log sum reaches give the lowest code.
 */
const LOG_SOFTMAX: Kernel = (args) => {
  const x = input(args, 0).value;
  const out = output(args);
  const dt = input(args, 0).tensor.dtype;
  if (dt !== out.dtype) unsupported(args, `input ${dt}, output ${out.dtype}`);
  const y = allocOutput(args, out, x.shape);
  if (dt === 'float32') {
    const xs = x.data as Float32Array;
    rows(x, (s, d) => {
      let max = -Infinity;
      for (let c = 0; c < d; c++) max = Math.max(max, xs[s + c]!);
      let sum = 0;
      for (let c = 0; c < d; c++) sum += Math.exp(xs[s + c]! - max);
      const logSum = Math.log(sum);
      for (let c = 0; c < d; c++) y.data[s + c] = xs[s + c]! - max - logSum;
    });
    return [y];
  }
  if (dt !== 'int8') unsupported(args, `dtype ${dt} (TFLite has float32, uint8 and int8 kernels)`);
  const q = quant(out);
  if (q.zeroPoint !== 127 || q.scale !== Math.fround(16 / 256)) unsupported(args, 'int8 output quantization other than scale 16/256, zero point 127 (TFLite refuses it)');
  const fx = fixedPoint(args);
  const { m, diffMin } = q526Scaling(args, 1);
  // PreprocessLogSoftmaxScalingExp's reverse scaling: 2^(31 - shift) / multiplier.
  const reverse = fx.multiplier(2 ** (31 - m.shift) / m.multiplier);
  const OUTPUT_INTEGER_BITS = 4;
  const xs = x.data as Int8Array;
  rows(x, (s, d) => {
    let max = -128;
    for (let c = 0; c < d; c++) max = Math.max(max, xs[s + c]!);
    let sum = 0;
    for (let c = 0; c < d; c++) {
      const diff = xs[s + c]! - max;
      if (diff >= diffMin) sum = toInt32(sum + rescale(expOnNegativeValues(fx.apply(diff, m), SCALED_DIFF_INTEGER_BITS), 0, ACCUMULATION_INTEGER_BITS));
    }
    const logSum = logXForXGreaterThanOrEqualTo1(sum, ACCUMULATION_INTEGER_BITS, SCALED_DIFF_INTEGER_BITS);
    const adjustedDiffMin = Math.max(diffMin - 1, fx.apply(toInt32(logSum + INT32_MIN), reverse));
    for (let c = 0; c < d; c++) {
      const diff = xs[s + c]! - max;
      if (diff <= adjustedDiffMin) {
        y.data[s + c] = -128;
        continue;
      }
      const v = roundingDivideByPOT(toInt32(fx.apply(diff, m) - logSum), 31 - SCALED_DIFF_INTEGER_BITS - OUTPUT_INTEGER_BITS) + 127;
      y.data[s + c] = clamp(v, -128, 127);
    }
  });
  return [y];
};

/**
 * L2_NORMALIZATION. int8 (output fixed at scale 1/128, zero point 0): the sum of squared
 * (q - zp) of the row gives 1 / sqrt as an integer multiplier and shift
 * (GetInvSqrtQuantizedMultiplierExp), applied to each q - zp with 7 more bits of shift.
 * float32: x / max(sqrt(sum of squares), 1e-6).
 */
const L2_NORMALIZATION: Kernel = (args) => {
  const x = input(args, 0).value;
  const out = output(args);
  const dt = input(args, 0).tensor.dtype;
  if (dt !== out.dtype) unsupported(args, `input ${dt}, output ${out.dtype}`);
  if (fusedActivation(args.node) !== 'NONE') unsupported(args, 'a fused activation (TFLite refuses it)');
  if (x.shape.length > 4) unsupported(args, 'more than 4 dimensions (TFLite refuses them)');
  const y = allocOutput(args, out, x.shape);
  if (dt === 'float32') {
    const xs = x.data as Float32Array;
    const epsilon = Math.fround(1e-6);
    rows(x, (s, d) => {
      let sum = 0;
      for (let c = 0; c < d; c++) sum += xs[s + c]! * xs[s + c]!;
      const norm = Math.max(Math.fround(Math.sqrt(Math.fround(sum))), epsilon);
      for (let c = 0; c < d; c++) y.data[s + c] = xs[s + c]! / norm;
    });
    return [y];
  }
  if (dt !== 'int8') unsupported(args, `dtype ${dt} (TFLite has float32, uint8 and int8 kernels)`);
  const q = quant(out);
  if (q.zeroPoint !== 0 || q.scale !== Math.fround(1 / 128)) unsupported(args, 'int8 output quantization other than scale 1/128, zero point 0 (TFLite refuses it)');
  const zp = quant(input(args, 0).tensor).zeroPoint;
  const fx = fixedPoint(args);
  const xs = x.data as Int8Array;
  rows(x, (s, d) => {
    let acc = 0;
    for (let c = 0; c < d; c++) acc = toInt32(acc + (xs[s + c]! - zp) ** 2);
    const inv = invSqrtQuantizedMultiplierExp(acc, -1);
    const m = { multiplier: inv.multiplier, shift: inv.shift + 7 };
    for (let c = 0; c < d; c++) y.data[s + c] = clamp(fx.apply(xs[s + c]! - zp, m), -128, 127);
  });
  return [y];
};

export const SOFTMAX_OPS = { SOFTMAX, LOG_SOFTMAX, L2_NORMALIZATION };
