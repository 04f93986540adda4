/**
 * AVERAGE_POOL_2D, MAX_POOL_2D (kernels/pooling.cc, reference_integer_ops::AveragePool / MaxPool)
 * and MEAN (kernels/reduce.cc, reference_ops::QuantizedMeanOrSum).
 *
 * Quantized pooling works on the stored codes: TFLite expects input and output to share scale
 * and zero point (checked only in debug builds), so the average of codes is the code of the
 * average. Padding cells are left out of the count.
 */
import {
  activationRangeFloat, activationRangeQuantized, allocOutput, attrBool, attrNumber, clamp, dtypeRange, fixedPoint, fusedActivation, input,
  isQuantizedInt, numbersOf, output, quant, sizeOf, stridesOf, unsupported, type Kernel, type KernelArgs,
} from '../kernel-util';
import { windowOf } from './conv';

function pool(kind: 'average' | 'max'): Kernel {
  return (args) => {
    const x = input(args, 0);
    const out = output(args);
    const dt = x.tensor.dtype;
    if (dt !== out.dtype || (dt !== 'float32' && !isQuantizedInt(dt))) unsupported(args, `input ${dt}, output ${out.dtype}`);
    if (x.value.shape.length !== 4) throw new Error(`${args.node.op} node ${args.node.name}: input must be 4-D`);
    const [n, inH, inW, c] = x.value.shape as [number, number, number, number];
    const kH = attrNumber(args.node, 'filter_height', 0);
    const kW = attrNumber(args.node, 'filter_width', 0);
    const win = windowOf(args, inH, inW, kH, kW, false);
    const act = fusedActivation(args.node);
    const [lo, hi] = dt === 'float32' ? activationRangeFloat(act) : activationRangeQuantized(act, out);
    const y = allocOutput(args, out, [n, win.outH, win.outW, c]);
    const xs = x.value.data as ArrayLike<number>;
    let o = 0;
    for (let b = 0; b < n; b++) {
      for (let oy = 0; oy < win.outH; oy++) {
        const y0 = oy * win.strideH - win.padTop;
        const ky0 = Math.max(0, -y0);
        const ky1 = Math.min(kH, inH - y0);
        for (let ox = 0; ox < win.outW; ox++) {
          const x0 = ox * win.strideW - win.padLeft;
          const kx0 = Math.max(0, -x0);
          const kx1 = Math.min(kW, inW - x0);
          for (let ch = 0; ch < c; ch++, o++) {
            let acc = kind === 'max' ? -Infinity : 0;
            let count = 0;
            for (let ky = ky0; ky < ky1; ky++) {
              for (let kx = kx0; kx < kx1; kx++) {
                const v = xs[((b * inH + y0 + ky) * inW + x0 + kx) * c + ch]!;
                acc = kind === 'max' ? Math.max(acc, v) : acc + v;
                count++;
              }
            }
            if (count === 0) throw new Error(`${args.node.op} node ${args.node.name}: a window covers no input`);
            let v: number;
            if (kind === 'max') v = acc;
            else if (dt === 'float32') v = Math.fround(acc / count);
            // Rounded integer division, halves away from zero (C's truncating division).
            else v = Math.trunc((acc > 0 ? acc + Math.floor(count / 2) : acc - Math.floor(count / 2)) / count);
            y.data[o] = clamp(v, lo, hi);
          }
        }
      }
    }
    return [y];
  };
}

/** MEAN over the given axes; int8/uint8/int16 with TFLite's integer rescaling. */
const MEAN: Kernel = (args) => {
  const x = input(args, 0);
  const out = output(args);
  const dt = x.tensor.dtype;
  if (dt !== out.dtype || (dt !== 'float32' && !isQuantizedInt(dt))) unsupported(args, `input ${dt}, output ${out.dtype}`);
  const shape = x.value.shape;
  const axes = [...new Set(numbersOf(input(args, 1).value).map((a) => (a < 0 ? a + shape.length : a)))];
  const keep = attrBool(args.node, 'keep_dims', false);
  const reduced = shape.map((d, i) => (axes.includes(i) ? 1 : d));
  const outShape = keep ? reduced : shape.filter((_, i) => !axes.includes(i));
  const y = allocOutput(args, out, outShape);
  const sums = new Float64Array(sizeOf(reduced));
  const inStrides = stridesOf(shape);
  const redStrides = stridesOf(reduced);
  const xs = x.value.data as ArrayLike<number>;
  for (let i = 0; i < xs.length; i++) {
    let r = 0;
    for (let d = 0; d < shape.length; d++) {
      if (!axes.includes(d)) r += (Math.floor(i / inStrides[d]!) % shape[d]!) * redStrides[d]!;
    }
    sums[r]! += xs[i]!;
  }
  const count = sizeOf(shape) / sizeOf(reduced);
  if (dt === 'float32') {
    for (let i = 0; i < sums.length; i++) y.data[i] = Math.fround(sums[i]! / count);
    return [y];
  }
  const qi = quant(x.tensor);
  const qo = quant(out);
  // Prepare's multiplier is input/output scale; Eval folds 1/count into it: it shifts the
  // multiplier left by floor(log2(count)) (at most 32, keeping the shift >= -31) and divides
  // by count in 64-bit integers.
  const fx = fixedPoint(args);
  const base = fx.multiplier(qi.scale / qo.scale);
  const pre = Math.min(31 - Math.clz32(count), 32, 31 + base.shift);
  const multiplier = Number((BigInt(base.multiplier) << BigInt(pre)) / BigInt(count));
  const shift = base.shift - pre;
  const [lo, hi] = dtypeRange(dt);
  for (let i = 0; i < sums.length; i++) {
    const shifted = sums[i]! - qi.zeroPoint * count;
    y.data[i] = clamp(fx.apply(shifted, { multiplier, shift }) + qo.zeroPoint, lo, hi);
  }
  return [y];
};

export const POOLING_OPS = { AVERAGE_POOL_2D: pool('average'), MAX_POOL_2D: pool('max'), MEAN };
