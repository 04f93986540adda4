/**
 * TFLite's 16-bit lookup tables (LUTPopulate<int16_t> / LUTPopulateInt16 and LUTLookup in
 * kernels/internal/common.h): 512 samples of f over the input range plus the end point, each
 * biased by half the error linear interpolation makes at the segment's midpoint, looked up with
 * 9 index bits and 7 interpolation bits.
 *
 * The table is built in the kernel's FloatT: double for softmax (kept for backward
 * compatibility), float for the newer users (int16 RSQRT); the precision decides the last bit
 * of some entries, so both are reproduced.
 */
import { roundHalfAwayFromZero } from './fixed-point';
import { clamp } from './kernel-util';

export type LutPrecision = 'double' | 'float32';

export function int16Table(
  inputScale: number, inputZp: number, outputScale: number, outputZp: number, f: (x: number) => number, precision: LutPrecision,
): Int32Array {
  const t = precision === 'float32' ? Math.fround : (x: number) => x;
  const g = (x: number) => t(f(x));
  const r = roundHalfAwayFromZero;
  const inputMin = t(inputScale * (-32768 - inputZp));
  const inputMax = t(inputScale * (32767 - inputZp));
  const outputMin = t(outputScale * (-32768 - outputZp));
  const outputMax = t(outputScale * (32767 - outputZp));
  const steps = 512;
  const step = t(t(inputMax - inputMin) / steps);
  const halfStep = t(step / 2);
  const inv = t(65536 / t(outputMax - outputMin));
  const lut = new Int32Array(steps + 1);
  for (let i = 0; i < steps; i++) {
    const x = t(inputMin + t(i * step));
    const val = g(x);
    const mid = g(t(x + halfStep));
    const next = g(t(inputMin + t((i + 1) * step)));
    const sample = r(t(val * inv));
    const interpolated = r(t(t(t(next * inv) + sample) / 2));
    const bias = r(t(t(interpolated - r(t(mid * inv))) / 2));
    lut[i] = clamp(sample - bias, -32768, 32767);
  }
  lut[steps] = clamp(r(t(g(inputMax) * inv)), -32768, 32767);
  return lut;
}

/** LUTLookup for int16 inputs. */
export function lookup16(value: number, lut: Int32Array): number {
  const index = 256 + (value >> 7);
  const base = lut[index]!;
  const slope = lut[index + 1]! - base;
  return ((base + ((slope * (value & 0x7f) + 64) >> 7)) << 16) >> 16;
}
