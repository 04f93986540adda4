/**
 * QUANTIZE and DEQUANTIZE (kernels/quantize.cc, dequantize.cc; reference_ops::AffineQuantize,
 * PerChannelQuantize, Requantize, Dequantize).
 */
import type { HostTensor } from '../../../runtime/types';
import { halfToFloat } from '../../../ir/values';
import { roundHalfAwayFromZero } from '../fixed-point';
import {
  allocOutput, channelScales, clamp, dtypeRange, fixedPoint, input, isQuantizedInt, output, quant, unsupported, type Kernel, type KernelArgs,
} from '../kernel-util';

/** Index of the quantized-axis channel of each element (per-axis tensors). */
function channelOf(shape: number[], axis: number): (i: number) => number {
  const inner = shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  const channels = shape[axis] ?? 1;
  return (i) => Math.floor(i / inner) % channels;
}

/** float32 -> int: round(x / scale) in float32 arithmetic, plus the zero point, clamped. */
function affineQuantize(args: KernelArgs, x: HostTensor): HostTensor {
  const out = output(args);
  const y = allocOutput(args, out, x.shape);
  const [lo, hi] = dtypeRange(out.dtype);
  const scales = channelScales(out);
  const zps = out.quant!.zeroPoint;
  const channel = scales.length > 1 ? channelOf(x.shape, out.quant!.axis ?? 0) : () => 0;
  for (let i = 0; i < x.data.length; i++) {
    const c = channel(i);
    const q = roundHalfAwayFromZero(Math.fround(Number(x.data[i]) / scales[c]!)) + (zps[c] ?? 0);
    y.data[i] = clamp(q, lo, hi);
  }
  return y;
}

/** int -> int with another scale/zero point: one fixed-point multiplier (Requantize). */
function requantize(args: KernelArgs, x: HostTensor): HostTensor {
  const out = output(args);
  const inQ = quant(input(args, 0).tensor);
  const outQ = quant(out);
  // Prepare divides the float32 scales in double.
  const fx = fixedPoint(args);
  const m = fx.multiplier(inQ.scale / outQ.scale);
  const [lo, hi] = dtypeRange(out.dtype);
  const y = allocOutput(args, out, x.shape);
  for (let i = 0; i < x.data.length; i++) {
    const v = fx.apply(Number(x.data[i]) - inQ.zeroPoint, m) + outQ.zeroPoint;
    y.data[i] = clamp(v, lo, hi);
  }
  return y;
}

const QUANTIZE: Kernel = (args) => {
  const x = input(args, 0);
  const out = output(args);
  if (!isQuantizedInt(out.dtype) && out.dtype !== 'int32') unsupported(args, `output dtype ${out.dtype}`);
  if (x.tensor.dtype === 'float32') return [affineQuantize(args, x.value)];
  if (isQuantizedInt(x.tensor.dtype) || x.tensor.dtype === 'int32') {
    if ((out.quant?.scale.length ?? 0) > 1) unsupported(args, 'per-axis requantization');
    return [requantize(args, x.value)];
  }
  return unsupported(args, `input dtype ${x.tensor.dtype}`);
};

const DEQUANTIZE: Kernel = (args) => {
  const x = input(args, 0);
  const out = output(args);
  if (out.dtype !== 'float32') unsupported(args, `output dtype ${out.dtype}`);
  const y = allocOutput(args, out, x.value.shape);
  const src = x.value.data;
  if (x.tensor.dtype === 'float16') {
    for (let i = 0; i < src.length; i++) y.data[i] = halfToFloat(Number(src[i]));
    return [y];
  }
  if (!isQuantizedInt(x.tensor.dtype) && x.tensor.dtype !== 'int32') unsupported(args, `input dtype ${x.tensor.dtype}`);
  const scales = channelScales(x.tensor);
  const zps = x.tensor.quant!.zeroPoint;
  const channel = scales.length > 1 ? channelOf(x.value.shape, x.tensor.quant!.axis ?? 0) : () => 0;
  // scale * (q - zp): exact in double (24-bit scale times a 17-bit integer), then one rounding
  // to float32 on store, as the float32 product does.
  for (let i = 0; i < src.length; i++) {
    const c = channel(i);
    y.data[i] = scales[c]! * (Number(src[i]) - (zps[c] ?? 0));
  }
  return [y];
};

export const QUANTIZE_OPS = { QUANTIZE, DEQUANTIZE };
