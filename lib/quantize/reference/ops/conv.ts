/**
 * CONV_2D, DEPTHWISE_CONV_2D and TRANSPOSE_CONV (kernels/conv.cc, depthwise_conv.cc,
 * transpose_conv.cc, padding.h; reference_integer_ops::ConvPerChannel, DepthwiseConvPerChannel,
 * TransposeConv and their float versions).
 *
 * The sums are taken exactly (in doubles: int8 products are far below 2^53) and then finished per
 * dtype, which keeps one loop nest per op for all dtypes:
 * - int8: the int32 accumulator (wrapped as the C++ wraps) plus the int32 bias, scaled by the
 *   channel's fixed-point multiplier, plus the output zero point, clamped to the fused activation;
 * - int16 x int8 (16x8): no zero points; an int64 bias accumulates in 64 bits and is scaled by the
 *   int64 MultiplyByQuantizedMultiplier (15-bit multiplier), an int32 bias uses the int32 one;
 * - float32: bias added and the activation clamp applied in float.
 */
import type { Tensor } from '../../../ir/types';
import type { HostTensor } from '../../../runtime/types';
import { multiplyByQuantizedMultiplierInt64, toInt32, type QuantizedMultiplier } from '../fixed-point';
import {
  activationRangeFloat, activationRangeQuantized, allocOutput, attrNumber, attrString, channelScales, clamp, fixedPoint, fusedActivation, input,
  numbersOf, output, quant, unsupported, type Kernel, type KernelArgs, type NumericTensor, type Operand,
} from '../kernel-util';

export interface Window {
  outH: number;
  outW: number;
  padTop: number;
  padLeft: number;
  strideH: number;
  strideW: number;
  dilationH: number;
  dilationW: number;
}

/** Output size and leading padding as TFLite computes them (ComputePaddingHeightWidth). */
export function windowOf(args: KernelArgs, inH: number, inW: number, kH: number, kW: number, dilated = true): Window {
  const n = args.node;
  const strideH = attrNumber(n, 'stride_h', 0);
  const strideW = attrNumber(n, 'stride_w', 0);
  const dilationH = dilated ? attrNumber(n, 'dilation_h_factor', 1) : 1;
  const dilationW = dilated ? attrNumber(n, 'dilation_w_factor', 1) : 1;
  if (strideH <= 0 || strideW <= 0 || dilationH <= 0 || dilationW <= 0) {
    throw new Error(`${n.op} node ${n.name}: strides and dilations must be positive`);
  }
  const same = attrString(n, 'padding', 'SAME') === 'SAME';
  const dim = (size: number, k: number, stride: number, dilation: number): [number, number] => {
    const effective = (k - 1) * dilation + 1;
    const out = same ? Math.floor((size + stride - 1) / stride) : Math.floor((size + stride - effective) / stride);
    const total = Math.max(0, (out - 1) * stride + effective - size);
    return [out, Math.floor(total / 2)];
  };
  const [outH, padTop] = dim(inH, kH, strideH, dilationH);
  const [outW, padLeft] = dim(inW, kW, strideW, dilationW);
  return { outH, outW, padTop, padLeft, strideH, strideW, dilationH, dilationW };
}

const dims4 = (v: HostTensor, what: string, args: KernelArgs): [number, number, number, number] => {
  if (v.shape.length !== 4) throw new Error(`${args.node.op} node ${args.node.name}: ${what} must be 4-D, got [${v.shape.join(', ')}]`);
  return v.shape as [number, number, number, number];
};

/** How accumulators become output values for the node's dtypes. */
interface Finisher {
  /** Offset added to every input value before the multiply (-input zero point, or 0). */
  inputOffset: number;
  finish(acc: Float64Array, channels: number, out: NumericTensor): void;
}

function finisherFor(args: KernelArgs, x: Tensor, w: Tensor, bias: Operand | undefined, channels: number): Finisher {
  const out = output(args);
  const biasData = bias?.value.data;
  const act = fusedActivation(args.node);
  if (x.dtype === 'float32' && w.dtype === 'float32') {
    const [lo, hi] = activationRangeFloat(act);
    return {
      inputOffset: 0,
      finish(acc, c, y) {
        for (let i = 0; i < acc.length; i++) y.data[i] = clamp(Math.fround(Math.fround(acc[i]!) + (biasData ? Number(biasData[i % c]) : 0)), lo, hi);
      },
    };
  }
  const int8 = x.dtype === 'int8' && w.dtype === 'int8' && out.dtype === 'int8';
  const int16 = x.dtype === 'int16' && w.dtype === 'int8' && out.dtype === 'int16';
  if (!int8 && !int16) unsupported(args, `input ${x.dtype}, filter ${w.dtype}, output ${out.dtype}`);
  if (w.quant?.zeroPoint.some((z) => z !== 0)) unsupported(args, 'filters with non-zero zero points (TFLite requires symmetric weights)');
  const inQ = quant(x);
  const outQ = quant(out);
  const filterScales = channelScales(w);
  // PopulateConvolutionQuantizationParams: input * filter / output in double, per channel.
  const fx = fixedPoint(args);
  const multipliers: QuantizedMultiplier[] = Array.from({ length: channels }, (_, c) =>
    fx.multiplier((inQ.scale * filterScales[filterScales.length > 1 ? c : 0]!) / outQ.scale));
  const [lo, hi] = activationRangeQuantized(act, out);
  const int64 = int16 && bias?.tensor.dtype !== 'int32';
  return {
    inputOffset: int8 ? -inQ.zeroPoint : 0,
    finish(acc, c, y) {
      for (let i = 0; i < acc.length; i++) {
        const ch = i % c;
        const m = multipliers[ch]!;
        let v: number;
        if (int64) {
          const sum = BigInt(acc[i]!) + (biasData ? BigInt(biasData[ch]!) : 0n);
          v = multiplyByQuantizedMultiplierInt64(sum, m.multiplier, m.shift);
        } else {
          const sum = toInt32(toInt32(acc[i]!) + (biasData ? Number(biasData[ch]) : 0));
          v = fx.apply(sum, m);
        }
        y.data[i] = clamp(v + (int8 ? outQ.zeroPoint : 0), lo, hi);
      }
    },
  };
}

const CONV_2D: Kernel = (args) => {
  const x = input(args, 0).value;
  const w = input(args, 1);
  const bias = args.inputs[2];
  const [n, inH, inW, inC] = dims4(x, 'input', args);
  const [outC, kH, kW, filterC] = dims4(w.value, 'filter', args);
  if (inC % filterC !== 0 || outC % (inC / filterC) !== 0) throw new Error(`CONV_2D node ${args.node.name}: ${inC} input channels do not split into groups of ${filterC}`);
  const groups = inC / filterC;
  const perGroup = outC / groups;
  const win = windowOf(args, inH, inW, kH, kW);
  const f = finisherFor(args, input(args, 0).tensor, w.tensor, bias, outC);
  const acc = new Float64Array(n * win.outH * win.outW * outC);
  const xs = x.data as ArrayLike<number>;
  const ws = w.value.data as ArrayLike<number>;
  let o = 0;
  for (let b = 0; b < n; b++) {
    for (let oy = 0; oy < win.outH; oy++) {
      const y0 = oy * win.strideH - win.padTop;
      for (let ox = 0; ox < win.outW; ox++) {
        const x0 = ox * win.strideW - win.padLeft;
        for (let oc = 0; oc < outC; oc++, o++) {
          const c0 = Math.floor(oc / perGroup) * filterC;
          let sum = 0;
          for (let ky = 0; ky < kH; ky++) {
            const iy = y0 + win.dilationH * ky;
            if (iy < 0 || iy >= inH) continue;
            for (let kx = 0; kx < kW; kx++) {
              const ix = x0 + win.dilationW * kx;
              if (ix < 0 || ix >= inW) continue;
              const xBase = ((b * inH + iy) * inW + ix) * inC + c0;
              const wBase = ((oc * kH + ky) * kW + kx) * filterC;
              for (let ic = 0; ic < filterC; ic++) sum += ws[wBase + ic]! * (xs[xBase + ic]! + f.inputOffset);
            }
          }
          acc[o] = sum;
        }
      }
    }
  }
  const y = allocOutput(args, output(args), [n, win.outH, win.outW, outC]);
  f.finish(acc, outC, y);
  return [y];
};

const DEPTHWISE_CONV_2D: Kernel = (args) => {
  const x = input(args, 0).value;
  const w = input(args, 1);
  const bias = args.inputs[2];
  const [n, inH, inW, inC] = dims4(x, 'input', args);
  const [one, kH, kW, outC] = dims4(w.value, 'filter', args);
  // The runtime derives the multiplier from the shapes (ComputeDepthMultiplier), not the option.
  if (one !== 1 || outC % inC !== 0) throw new Error(`DEPTHWISE_CONV_2D node ${args.node.name}: filter [${w.value.shape.join(', ')}] does not fit ${inC} input channels`);
  const multiplier = outC / inC;
  const win = windowOf(args, inH, inW, kH, kW);
  const f = finisherFor(args, input(args, 0).tensor, w.tensor, bias, outC);
  const acc = new Float64Array(n * win.outH * win.outW * outC);
  const xs = x.data as ArrayLike<number>;
  const ws = w.value.data as ArrayLike<number>;
  let o = 0;
  for (let b = 0; b < n; b++) {
    for (let oy = 0; oy < win.outH; oy++) {
      const y0 = oy * win.strideH - win.padTop;
      for (let ox = 0; ox < win.outW; ox++) {
        const x0 = ox * win.strideW - win.padLeft;
        for (let oc = 0; oc < outC; oc++, o++) {
          const ic = Math.floor(oc / multiplier);
          let sum = 0;
          for (let ky = 0; ky < kH; ky++) {
            const iy = y0 + win.dilationH * ky;
            if (iy < 0 || iy >= inH) continue;
            for (let kx = 0; kx < kW; kx++) {
              const ix = x0 + win.dilationW * kx;
              if (ix < 0 || ix >= inW) continue;
              sum += ws[(ky * kW + kx) * outC + oc]! * (xs[((b * inH + iy) * inW + ix) * inC + ic]! + f.inputOffset);
            }
          }
          acc[o] = sum;
        }
      }
    }
  }
  const y = allocOutput(args, output(args), [n, win.outH, win.outW, outC]);
  f.finish(acc, outC, y);
  return [y];
};

/**
 * TRANSPOSE_CONV: inputs (output shape, OHWI filter, input, optional bias). Each input element
 * scatters filter * (x - zp) into the outputs it reaches; the padding is the one a convolution
 * with this stride and filter would need on an input of the output's size. Sums are finished as
 * CONV_2D's (per-channel multipliers, int32 bias, int64 for 16x8).
 */
const TRANSPOSE_CONV: Kernel = (args) => {
  const outShape = numbersOf(input(args, 0).value);
  const w = input(args, 1);
  const x = input(args, 2);
  const bias = args.inputs[3];
  const [n, inH, inW, inC] = dims4(x.value, 'input', args);
  const [outC, kH, kW, filterC] = dims4(w.value, 'filter', args);
  const [outN, outH, outW, shapeC] = outShape as [number, number, number, number];
  if (outShape.length !== 4 || outN !== n || shapeC !== outC || filterC !== inC) {
    throw new Error(`TRANSPOSE_CONV node ${args.node.name}: output shape [${outShape.join(', ')}], filter [${w.value.shape.join(', ')}] and input [${x.value.shape.join(', ')}] do not fit`);
  }
  const win = windowOf(args, outH, outW, kH, kW, false);
  const f = finisherFor(args, x.tensor, w.tensor, bias, outC);
  const acc = new Float64Array(n * outH * outW * outC);
  const xs = x.value.data as ArrayLike<number>;
  const ws = w.value.data as ArrayLike<number>;
  for (let b = 0; b < n; b++) {
    for (let iy = 0; iy < inH; iy++) {
      for (let ix = 0; ix < inW; ix++) {
        for (let ic = 0; ic < inC; ic++) {
          const v = xs[((b * inH + iy) * inW + ix) * inC + ic]! + f.inputOffset;
          for (let ky = 0; ky < kH; ky++) {
            const oy = iy * win.strideH - win.padTop + ky;
            if (oy < 0 || oy >= outH) continue;
            for (let kx = 0; kx < kW; kx++) {
              const ox = ix * win.strideW - win.padLeft + kx;
              if (ox < 0 || ox >= outW) continue;
              const base = ((b * outH + oy) * outW + ox) * outC;
              for (let oc = 0; oc < outC; oc++) acc[base + oc]! += v * ws[((oc * kH + ky) * kW + kx) * inC + ic]!;
            }
          }
        }
      }
    }
  }
  const y = allocOutput(args, output(args), outShape);
  f.finish(acc, outC, y);
  return [y];
};

export const CONV_OPS = { CONV_2D, DEPTHWISE_CONV_2D, TRANSPOSE_CONV };
