/**
 * Element-wise activations (kernels/activations.cc): RELU, RELU6, RELU_N1_TO_1 (ReluX with a
 * requantizing multiplier), LEAKY_RELU, HARD_SWISH, and int8 LOGISTIC / TANH.
 *
 * int8 LOGISTIC and TANH: TFLite's Prepare fills a 256-entry table from the float function
 * (LUTPopulate: dequantize in float32, apply, multiply by 1 / output scale, round) for its
 * reference and optimized kernels alike; only the fixed-point-optimized registration uses
 * gemmlowp's polynomial. The table is what runtimes compute, so it is the reference here.
 */
import type { HostTensor } from '../../../runtime/types';
import { quantizeMultiplier, roundHalfAwayFromZero, roundingDivideByPOT, saturatingRoundingDoublingHighMul16, toInt16 } from '../fixed-point';
import {
  allocOutput, attrNumber, clamp, dtypeRange, fixedPoint, input, isQuantizedInt, output, quant, unsupported, type Kernel, type KernelArgs,
} from '../kernel-util';
import { INT16_LOGISTIC_OPS } from './activations-int16';

function map(args: KernelArgs, f: (x: number) => number): HostTensor {
  const x = input(args, 0).value;
  const y = allocOutput(args, output(args), x.shape);
  const xs = x.data as ArrayLike<number>;
  for (let i = 0; i < xs.length; i++) y.data[i] = f(xs[i]!);
  return y;
}

function sameDtype(args: KernelArgs): string {
  const d = input(args, 0).tensor.dtype;
  if (d !== output(args).dtype) unsupported(args, `input ${d}, output ${output(args).dtype}`);
  if (d !== 'float32' && !isQuantizedInt(d)) unsupported(args, `dtype ${d}`);
  return d;
}

/** QuantizedReluX: requantize by input/output scale (divided in float32), clamp to the bounds. */
function reluX(min: number, max: number): Kernel {
  return (args) => {
    if (sameDtype(args) === 'float32') return [map(args, (v) => clamp(v, min, max))];
    const qi = quant(input(args, 0).tensor);
    const qo = quant(output(args));
    const fx = fixedPoint(args);
    const m = fx.multiplier(Math.fround(qi.scale / qo.scale));
    const [lo, hi] = dtypeRange(output(args).dtype);
    const bound = (f: number) => qo.zeroPoint + roundHalfAwayFromZero(Math.fround(f / qo.scale));
    const actMin = Math.max(lo, bound(min));
    const actMax = max === Infinity ? hi : Math.min(hi, bound(max));
    return [map(args, (v) => clamp(qo.zeroPoint + fx.apply(v - qi.zeroPoint, m), actMin, actMax))];
  };
}

const LEAKY_RELU: Kernel = (args) => {
  const alpha = Math.fround(attrNumber(args.node, 'alpha', 0.2));
  if (sameDtype(args) === 'float32') return [map(args, (v) => (v > 0 ? v : Math.fround(v * alpha)))];
  const qi = quant(input(args, 0).tensor);
  const qo = quant(output(args));
  // Both multipliers are formed in float32 arithmetic; a negative alpha gives a negative
  // multiplier, which the kernel applies to |alpha| and negates.
  const fx = fixedPoint(args);
  const alphaM = fx.multiplier(Math.fround(Math.fround(qi.scale * alpha) / qo.scale));
  const identityM = fx.multiplier(Math.fround(qi.scale / qo.scale));
  const [lo, hi] = dtypeRange(output(args).dtype);
  return [map(args, (v) => {
    const x = v - qi.zeroPoint;
    let y = qo.zeroPoint;
    if (x >= 0) y += fx.apply(x, identityM);
    else {
      const scaled = fx.apply(x, { multiplier: Math.abs(alphaM.multiplier), shift: alphaM.shift });
      y += alphaM.multiplier < 0 ? -scaled : scaled;
    }
    return clamp(y, lo, hi);
  })];
};

/** Q0.31 -> Q0.15 multiplier with rounding (DownScaleInt32ToInt16Multiplier). */
const toInt16Multiplier = (m: number): number => (m >= 0x7fffffff - (1 << 15) ? 32767 : (m + (1 << 15)) >> 16);

/**
 * HARD_SWISH int8 (reference_ops::HardSwish): x * relu6(x + 3) / 6 in int16 fixed point; the
 * input is moved to a 2^7 finer "hires" scale, a "reluish" factor in [0, 1] is formed at scale
 * 3/32768 and multiplied in.
 */
const HARD_SWISH: Kernel = (args) => {
  const dt = sameDtype(args);
  if (dt === 'float32') {
    return [map(args, (v) => Math.fround(Math.fround(v * Math.min(6, Math.max(0, Math.fround(v + 3)))) / 6))];
  }
  if (dt === 'int16') unsupported(args, 'int16 HARD_SWISH (TFLite has no such kernel)');
  const qi = quant(input(args, 0).tensor);
  const qo = quant(output(args));
  const hiresInputScale = Math.fround(Math.fround(1 / 128) * qi.scale);
  const outM = quantizeMultiplier(Math.fround(hiresInputScale / qo.scale));
  const reluishM = quantizeMultiplier(Math.fround(hiresInputScale / Math.fround(3 / 32768)));
  if (outM.shift > 0) unsupported(args, 'output scale more than 1/128 of the input scale');
  const outMul16 = toInt16Multiplier(outM.multiplier);
  const reluishMul16 = toInt16Multiplier(reluishM.multiplier);
  const saturatingLeftShift16 = (v: number, amount: number) => clamp(v * 2 ** amount, -32768, 32767);
  const [lo, hi] = dtypeRange(output(args).dtype);
  return [map(args, (v) => {
    const hires = toInt16((v - qi.zeroPoint) * 128);
    const preshiftOutput = saturatingRoundingDoublingHighMul16(hires, outMul16);
    let reluish = hires;
    if (reluishM.shift > 0) reluish = saturatingLeftShift16(reluish, reluishM.shift - 1);
    reluish = saturatingRoundingDoublingHighMul16(reluish, reluishMul16);
    if (reluishM.shift > 0) reluish = saturatingLeftShift16(reluish, 1);
    if (reluishM.shift < 0) reluish = roundingDivideByPOT(reluish, -reluishM.shift);
    reluish = (reluish + (1 << 15)) >> 1; // [-1, 1] -> [0, 1]
    // The kernel's non-rounding doubling high multiply (SaturatingDoublingHighMul).
    const product = reluish === -32768 && preshiftOutput === -32768 ? 32767 : toInt16(Math.trunc((reluish * preshiftOutput) / (1 << 15)));
    const outValue = toInt16(roundingDivideByPOT(product, -outM.shift) + qo.zeroPoint);
    return clamp(outValue, lo, hi);
  })];
};

/** LUTPopulate<int8_t> in float32 arithmetic, indexed by code + 128. */
function int8Table(args: KernelArgs, f: (x: number) => number): Int32Array {
  const qi = quant(input(args, 0).tensor);
  const qo = quant(output(args));
  const [lo, hi] = dtypeRange(output(args).dtype);
  const inverseScale = Math.fround(1 / qo.scale);
  const table = new Int32Array(256);
  for (let v = -128; v <= 127; v++) {
    const dequantized = Math.fround(qi.scale * (v - qi.zeroPoint));
    const rescaled = roundHalfAwayFromZero(Math.fround(Math.fround(f(dequantized)) * inverseScale));
    table[v + 128] = clamp(rescaled + qo.zeroPoint, lo, hi);
  }
  return table;
}

/** `outputScale`: the int8 output scale Prepare insists on, if any. */
function tableActivation(f: (x: number) => number, int16: Kernel, outputScale?: number): Kernel {
  return (args) => {
    const dt = sameDtype(args);
    if (dt === 'float32') return [map(args, (v) => Math.fround(f(v)))];
    if (dt === 'int16') return int16(args);
    if (dt !== 'int8') unsupported(args, `dtype ${dt}`);
    if (outputScale !== undefined && quant(output(args)).scale !== Math.fround(outputScale)) {
      unsupported(args, `int8 output scale other than ${outputScale} (TFLite refuses it)`);
    }
    const table = int8Table(args, f);
    return [map(args, (v) => table[v + 128]!)];
  };
}

const sigmoid = (x: number): number => Math.fround(1 / Math.fround(1 + Math.fround(Math.exp(-x))));

export const ACTIVATION_OPS = {
  RELU: reluX(0, Infinity),
  RELU6: reluX(0, 6),
  RELU_N1_TO_1: reluX(-1, 1),
  LEAKY_RELU,
  HARD_SWISH,
  LOGISTIC: tableActivation(sigmoid, INT16_LOGISTIC_OPS.LOGISTIC, 1 / 256),
  TANH: tableActivation(Math.tanh, INT16_LOGISTIC_OPS.TANH),
};
