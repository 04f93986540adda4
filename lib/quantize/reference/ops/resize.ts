/**
 * RESIZE_BILINEAR and RESIZE_NEAREST_NEIGHBOR on NHWC (kernels/resize_bilinear.cc,
 * resize_nearest_neighbor.cc; reference_ops::ResizeBilinearInteger, ResizeBilinear,
 * ResizeNearestNeighbor). Quantized tensors are resized as codes (same quantization in and out).
 *
 * int8/int16 bilinear uses TFLite's integer kernel: source coordinates in 1/1024 steps, weights
 * multiplied out in 64 bits, rounded half away from zero by 2^20. The optimized int8 kernel
 * interpolates in float instead, so runtimes may differ by one step.
 */
import { roundHalfAwayFromZero } from '../fixed-point';
import {
  allocAnyOutput, allocOutput, attrBool, elements, input, numbersOf, output, unsupported, type Kernel, type KernelArgs,
} from '../kernel-util';

interface Geometry {
  n: number; inH: number; inW: number; c: number; outH: number; outW: number;
  alignCorners: boolean; halfPixel: boolean;
}

function geometry(args: KernelArgs): Geometry {
  const x = input(args, 0).value;
  if (x.shape.length !== 4) throw new Error(`${args.node.op} node ${args.node.name}: input must be 4-D`);
  const [n, inH, inW, c] = x.shape as [number, number, number, number];
  const [outH, outW] = numbersOf(input(args, 1).value) as [number, number];
  const alignCorners = attrBool(args.node, 'align_corners', false);
  const halfPixel = attrBool(args.node, 'half_pixel_centers', false);
  if (alignCorners && halfPixel) throw new Error(`${args.node.op} node ${args.node.name}: align_corners and half_pixel_centers are exclusive`);
  return { n, inH, inW, c, outH, outW, alignCorners, halfPixel };
}

/** Integer source coordinate in 1/1024 units and its two neighbours (ComputeInterpolationValuesInteger). */
function integerAxis(value: number, scale10: number, halfPixel: boolean, size: number): [number, number, number] {
  const scaled = halfPixel ? value * scale10 + Math.trunc(scale10 / 2) - (1 << 9) : value * scale10;
  const lower = Math.max(Math.trunc(scaled / 1024), 0);
  const upper = Math.min(Math.trunc((scaled + 1023) / 1024), size - 1);
  return [scaled, lower, upper];
}

/** Float source coordinate and neighbours (ComputeInterpolationValues, float32 arithmetic). */
function floatAxis(value: number, scale: number, halfPixel: boolean, size: number): [number, number, number] {
  const scaled = halfPixel ? Math.fround(Math.fround(Math.fround(value + 0.5) * scale) - 0.5) : Math.fround(value * scale);
  return [scaled, Math.max(Math.floor(scaled), 0), Math.min(Math.ceil(scaled), size - 1)];
}

const RESIZE_BILINEAR: Kernel = (args) => {
  const g = geometry(args);
  const x = input(args, 0);
  const dt = x.tensor.dtype;
  if (dt !== output(args).dtype) unsupported(args, `input ${dt}, output ${output(args).dtype}`);
  const y = allocOutput(args, output(args), [g.n, g.outH, g.outW, g.c]);
  const xs = x.value.data as ArrayLike<number>;
  const at = (b: number, yy: number, xx: number, ch: number) => xs[((b * g.inH + yy) * g.inW + xx) * g.c + ch]!;
  let o = 0;
  if (dt === 'int8' || dt === 'int16') {
    const scale10 = (inSize: number, outSize: number) => (g.alignCorners && outSize > 1
      ? Math.trunc((1024 * (inSize - 1) + Math.trunc((outSize - 1) / 2)) / (outSize - 1))
      : Math.trunc((1024 * inSize + Math.trunc(outSize / 2)) / outSize));
    const sH = scale10(g.inH, g.outH);
    const sW = scale10(g.inW, g.outW);
    const single = args.rounding === 'single';
    for (let b = 0; b < g.n; b++) {
      for (let oy = 0; oy < g.outH; oy++) {
        const [iy, y0, y1] = integerAxis(oy, sH, g.halfPixel, g.inH);
        const wy = iy - 1024 * y0;
        for (let ox = 0; ox < g.outW; ox++) {
          const [ix, x0, x1] = integerAxis(ox, sW, g.halfPixel, g.inW);
          const wx = ix - 1024 * x0;
          for (let ch = 0; ch < g.c; ch++, o++) {
            const sum = at(b, y0, x0, ch) * (1024 - wy) * (1024 - wx) + at(b, y1, x0, ch) * wy * (1024 - wx)
              + at(b, y0, x1, ch) * (1024 - wy) * wx + at(b, y1, x1, ch) * wy * wx;
            y.data[o] = single ? Math.floor((sum + (1 << 19)) / 2 ** 20) : Math.trunc((sum + (sum > 0 ? 1 << 19 : -(1 << 19))) / 2 ** 20);
          }
        }
      }
    }
    return [y];
  }
  if (dt !== 'float32' && dt !== 'uint8') unsupported(args, `dtype ${dt}`);
  const scale = (inSize: number, outSize: number) => Math.fround(g.alignCorners && outSize > 1 ? (inSize - 1) / (outSize - 1) : inSize / outSize);
  const sH = scale(g.inH, g.outH);
  const sW = scale(g.inW, g.outW);
  // The float kernel on uint8 adds 0.5 before truncating to the integer type.
  const finish = dt === 'uint8' ? (v: number) => Math.trunc(v + 0.5) : (v: number) => v;
  for (let b = 0; b < g.n; b++) {
    for (let oy = 0; oy < g.outH; oy++) {
      const [fy, y0, y1] = floatAxis(oy, sH, g.halfPixel, g.inH);
      const dy = fy - y0;
      for (let ox = 0; ox < g.outW; ox++) {
        const [fx, x0, x1] = floatAxis(ox, sW, g.halfPixel, g.inW);
        const dx = fx - x0;
        for (let ch = 0; ch < g.c; ch++, o++) {
          const v = at(b, y0, x0, ch) * (1 - dy) * (1 - dx) + at(b, y1, x0, ch) * dy * (1 - dx)
            + at(b, y0, x1, ch) * (1 - dy) * dx + at(b, y1, x1, ch) * dy * dx;
          y.data[o] = finish(v);
        }
      }
    }
  }
  return [y];
};

/** GetNearestNeighbor: floor (or round with align_corners) of the scaled coordinate, in float32. */
function nearest(value: number, inSize: number, outSize: number, alignCorners: boolean, halfPixel: boolean): number {
  const scale = Math.fround(alignCorners && outSize > 1 ? (inSize - 1) / (outSize - 1) : inSize / outSize);
  const pos = Math.fround(Math.fround(value + (halfPixel ? 0.5 : 0)) * scale);
  let v = Math.min(alignCorners ? roundHalfAwayFromZero(pos) : Math.floor(pos), inSize - 1);
  if (halfPixel) v = Math.max(0, v);
  return v;
}

const RESIZE_NEAREST_NEIGHBOR: Kernel = (args) => {
  const g = geometry(args);
  const x = input(args, 0).value;
  const y = allocAnyOutput(args, output(args), [g.n, g.outH, g.outW, g.c]);
  const src = elements(x);
  const dst = elements(y);
  let o = 0;
  for (let b = 0; b < g.n; b++) {
    for (let oy = 0; oy < g.outH; oy++) {
      const iy = nearest(oy, g.inH, g.outH, g.alignCorners, g.halfPixel);
      for (let ox = 0; ox < g.outW; ox++) {
        const ix = nearest(ox, g.inW, g.outW, g.alignCorners, g.halfPixel);
        for (let ch = 0; ch < g.c; ch++) dst[o++] = src[((b * g.inH + iy) * g.inW + ix) * g.c + ch]!;
      }
    }
  }
  return [y];
};

export const RESIZE_OPS = { RESIZE_BILINEAR, RESIZE_NEAREST_NEIGHBOR };
