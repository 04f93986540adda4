/**
 * AVERAGE_POOL_2D, MAX_POOL_2D (kernels/pooling.cc, reference_integer_ops::AveragePool / MaxPool).
 *
 * Quantized pooling works on the stored codes: TFLite expects input and output to share scale
 * and zero point (checked only in debug builds), so the average of codes is the code of the
 * average. Padding cells are left out of the count.
 */
import {
  activationRangeFloat, activationRangeQuantized, allocOutput, attrNumber, clamp, fusedActivation, input, isQuantizedInt, output, unsupported,
  type Kernel,
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

export const POOLING_OPS = { AVERAGE_POOL_2D: pool('average'), MAX_POOL_2D: pool('max') };
