/**
 * Broadcasting binary ops: ADD, SUB, MUL, MAXIMUM, MINIMUM, SQUARED_DIFFERENCE, PRELU, and float
 * DIV and POW (kernels/add.cc, sub.cc, mul.cc, maximum_minimum.cc, squared_difference.cc,
 * activations.cc PreluEval, div.cc, pow.cc; reference_integer_ops::AddFunc / BroadcastAdd6DSlow,
 * reference_ops::Sub, reference_integer_ops::MulElementwise, reference_ops::BroadcastPrelu4DSlow).
 *
 * Quantized ADD/SUB bring both inputs to a common scale first: each (q - zp) is shifted left by
 * 20 bits (15 for int16), scaled by input_scale / (2 * max input scale), summed, then scaled by
 * 2 * max input scale / (2^shift * output scale). int16 with power-of-two scales and
 * pot_scale_int16 (the schema default) takes TFLite's shift-only path instead.
 */
import type { HostTensor } from '../../../runtime/types';
import { roundingDivideByPOT, type QuantizedMultiplier } from '../fixed-point';
import {
  activationRangeFloat, activationRangeQuantized, allocOutput, attrBool, broadcastIndex, broadcastShapes, clamp, fixedPoint, fusedActivation, input,
  output, quant, unsupported, type Kernel, type KernelArgs,
} from '../kernel-util';

type Combine = (a: number, b: number) => number;

/** out[i] = f(a[ia[i]], b[ib[i]]) over the broadcast shape. */
function broadcastApply(args: KernelArgs, f: Combine): HostTensor {
  const a = input(args, 0).value;
  const b = input(args, 1).value;
  const shape = broadcastShapes(a.shape, b.shape, `${args.node.op} node ${args.node.name}`);
  const y = allocOutput(args, output(args), shape);
  const ia = broadcastIndex(a.shape, shape);
  const ib = broadcastIndex(b.shape, shape);
  const ad = a.data as ArrayLike<number>;
  const bd = b.data as ArrayLike<number>;
  for (let i = 0; i < y.data.length; i++) y.data[i] = f(ad[ia[i]!]!, bd[ib[i]!]!);
  return y;
}

function dtypes(args: KernelArgs): string {
  const a = input(args, 0).tensor.dtype;
  const b = input(args, 1).tensor.dtype;
  const o = output(args).dtype;
  if (a !== b || a !== o) unsupported(args, `mixed dtypes ${a}, ${b} -> ${o}`);
  if (!['float32', 'int8', 'int16', 'int32'].includes(a)) unsupported(args, `dtype ${a}`);
  return a;
}

/** log2 of a power-of-two scale, as CheckedLog2 accepts it (within 1e-3), else null. */
function checkedLog2(x: number): number | null {
  const l = Math.log2(x);
  const r = Math.round(l);
  return Math.abs(l - r) < 1e-3 ? r : null;
}

/** int16 ADD/SUB shift-only path (pot_scale_int16): returns null when it does not apply. */
function potInt16(args: KernelArgs, sign: 1 | -1): HostTensor | null {
  if (!attrBool(args.node, 'pot_scale_int16', true)) return null;
  const logs = [input(args, 0).tensor, input(args, 1).tensor, output(args)].map((t) => checkedLog2(quant(t).scale));
  if (logs.some((l) => l === null)) return null;
  const [l1, l2, lo] = logs as [number, number, number];
  const shift1 = l1 - lo;
  const shift2 = l2 - lo;
  if ((shift1 !== 0 && shift2 !== 0) || shift1 > 0 || shift2 > 0) throw new Error(`${args.node.op} node ${args.node.name}: int16 power-of-two scales need one input at the output scale and the other finer`);
  const [min, max] = activationRangeQuantized(fusedActivation(args.node), output(args));
  return broadcastApply(args, (a, b) => {
    // The reference ADD saturates the int16 sum first, then applies the activation.
    const sum = clamp(roundingDivideByPOT(a, -shift1) + sign * roundingDivideByPOT(b, -shift2), -32768, 32767);
    return clamp(sum, min, max);
  });
}

function addOrSub(sign: 1 | -1): Kernel {
  return (args) => {
    const dt = dtypes(args);
    const act = fusedActivation(args.node);
    if (dt === 'float32' || dt === 'int32') {
      const [lo, hi] = activationRangeFloat(act);
      const f: Combine = dt === 'float32' ? (a, b) => Math.fround(a + sign * b) : (a, b) => (a + sign * b) | 0;
      return [broadcastApply(args, (a, b) => clamp(f(a, b), lo, hi))];
    }
    if (dt === 'int16') {
      const pot = potInt16(args, sign);
      if (pot) return [pot];
    }
    const q1 = quant(input(args, 0).tensor);
    const q2 = quant(input(args, 1).tensor);
    const qo = quant(output(args));
    const leftShift = dt === 'int16' ? 15 : 20;
    const twiceMax = 2 * Math.max(q1.scale, q2.scale);
    const fx = fixedPoint(args);
    const m1 = fx.multiplier(q1.scale / twiceMax);
    const m2 = fx.multiplier(q2.scale / twiceMax);
    const mo = fx.multiplier(twiceMax / (2 ** leftShift * qo.scale));
    const [lo, hi] = activationRangeQuantized(act, output(args));
    const scaled = (q: number, zp: number, m: QuantizedMultiplier) => fx.apply((q - zp) * 2 ** leftShift, m);
    return [broadcastApply(args, (a, b) => {
      const raw = scaled(a, q1.zeroPoint, m1) + sign * scaled(b, q2.zeroPoint, m2);
      return clamp(fx.apply(raw, mo) + qo.zeroPoint, lo, hi);
    })];
  };
}

const MUL: Kernel = (args) => {
  const dt = dtypes(args);
  const act = fusedActivation(args.node);
  if (dt === 'float32' || dt === 'int32') {
    const [lo, hi] = activationRangeFloat(act);
    const f: Combine = dt === 'float32' ? (a, b) => Math.fround(a * b) : (a, b) => Math.imul(a, b);
    return [broadcastApply(args, (a, b) => clamp(f(a, b), lo, hi))];
  }
  const q1 = quant(input(args, 0).tensor);
  const q2 = quant(input(args, 1).tensor);
  const qo = quant(output(args));
  // mul.cc multiplies and divides the scales in float32 before QuantizeMultiplier.
  const fx = fixedPoint(args);
  const m = fx.multiplier(Math.fround(Math.fround(q1.scale * q2.scale) / qo.scale));
  const [lo, hi] = activationRangeQuantized(act, output(args));
  return [broadcastApply(args, (a, b) =>
    clamp(fx.apply((a - q1.zeroPoint) * (b - q2.zeroPoint), m) + qo.zeroPoint, lo, hi))];
};

/** MAXIMUM / MINIMUM compare the stored codes: TFLite expects inputs and output to share quantization. */
function extremum(pick: (a: number, b: number) => number): Kernel {
  return (args) => {
    const dt = dtypes(args);
    if (dt !== 'float32') {
      const qs = [input(args, 0).tensor, input(args, 1).tensor, output(args)].map(quant);
      if (qs.some((q) => q.scale !== qs[0]!.scale || q.zeroPoint !== qs[0]!.zeroPoint)) {
        unsupported(args, 'tensors with different quantization (TFLite compares codes without rescaling)');
      }
    }
    return [broadcastApply(args, pick)];
  };
}

/**
 * SQUARED_DIFFERENCE int8: both inputs brought to a common scale as ADD does (with a 7-bit left
 * shift instead of 20), the difference squared in int32, then scaled by
 * (2 * max input scale)^2 / (2^14 * output scale).
 */
const SQUARED_DIFFERENCE: Kernel = (args) => {
  const dt = dtypes(args);
  if (dt === 'float32') return [broadcastApply(args, (a, b) => { const d = Math.fround(a - b); return Math.fround(d * d); })];
  if (dt === 'int32') return [broadcastApply(args, (a, b) => Math.imul(a - b, a - b))];
  if (dt !== 'int8') unsupported(args, `dtype ${dt} (TFLite has float32, int32 and int8 kernels)`);
  const q1 = quant(input(args, 0).tensor);
  const q2 = quant(input(args, 1).tensor);
  const qo = quant(output(args));
  const leftShift = 7;
  const twiceMax = 2 * Math.max(q1.scale, q2.scale);
  const fx = fixedPoint(args);
  const m1 = fx.multiplier(q1.scale / twiceMax);
  const m2 = fx.multiplier(q2.scale / twiceMax);
  const mo = fx.multiplier((twiceMax * twiceMax) / (2 ** (2 * leftShift) * qo.scale));
  const scaled = (q: number, zp: number, m: QuantizedMultiplier) => fx.apply((q - zp) * 2 ** leftShift, m);
  return [broadcastApply(args, (a, b) => {
    const diff = scaled(a, q1.zeroPoint, m1) - scaled(b, q2.zeroPoint, m2);
    return clamp(fx.apply(Math.imul(diff, diff), mo) + qo.zeroPoint, -128, 127);
  })];
};

/**
 * PRELU: x where x >= 0, else x * alpha (alpha broadcast, up to 4-D). int8 keeps two
 * multipliers, input / output scale and input * alpha / output scale, both formed in float32.
 */
const PRELU: Kernel = (args) => {
  const dt = dtypes(args);
  if (dt === 'float32') return [broadcastApply(args, (x, alpha) => (x >= 0 ? x : Math.fround(x * alpha)))];
  if (dt !== 'int8') unsupported(args, `dtype ${dt} (TFLite has float32, uint8 and int8 kernels)`);
  const shape = broadcastShapes(input(args, 0).value.shape, input(args, 1).value.shape, `PRELU node ${args.node.name}`);
  if (shape.length > 4) unsupported(args, 'more than 4 dimensions');
  const qi = quant(input(args, 0).tensor);
  const qa = quant(input(args, 1).tensor);
  const qo = quant(output(args));
  const fx = fixedPoint(args);
  const identity = fx.multiplier(Math.fround(qi.scale / qo.scale));
  const scaledAlpha = fx.multiplier(Math.fround(Math.fround(qi.scale * qa.scale) / qo.scale));
  return [broadcastApply(args, (q, a) => {
    const x = q - qi.zeroPoint;
    const y = x >= 0 ? fx.apply(x, identity) : fx.apply(x * (a - qa.zeroPoint), scaledAlpha);
    return clamp(y + qo.zeroPoint, -128, 127);
  })];
};

/** A float32-only binary op with the fused activation clamp. */
function floatBinary(f: Combine): Kernel {
  return (args) => {
    const dt = dtypes(args);
    if (dt !== 'float32') unsupported(args, `dtype ${dt}`);
    const [lo, hi] = activationRangeFloat(fusedActivation(args.node));
    return [broadcastApply(args, (a, b) => clamp(Math.fround(f(a, b)), lo, hi))];
  };
}

export const ELEMENTWISE_OPS = {
  ADD: addOrSub(1),
  SUB: addOrSub(-1),
  MUL,
  MAXIMUM: extremum((a, b) => (a > b ? a : b)),
  MINIMUM: extremum((a, b) => (a < b ? a : b)),
  SQUARED_DIFFERENCE,
  PRELU,
  DIV: floatBinary((a, b) => a / b),
  POW: floatBinary(Math.pow),
};
