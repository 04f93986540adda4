/**
 * Quantization parameters and value encoding, as the TFLite quantization specification defines
 * them: real = scale * (q - zeroPoint).
 * - activations: asymmetric int8 (zero point in [-128, 127]) whose range always holds 0, so that
 *   zero padding and ReLU are exact; int16 activations are symmetric (zero point 0);
 * - weights: symmetric int8 in [-127, 127] (zero point 0), per output channel or per tensor;
 * - biases: int32 (int64 for 16x8) with scale = input scale x weight scale, zero point 0.
 */
import type { Quantization } from '../ir/types';
import { absMaxBlocks, quantizeBlocks, quantizeSymmetric, type Blocks } from './kernels/index';

export type ActivationType = 'int8' | 'int16';

/** Float ranges never collapse to a point: a constant-zero tensor still needs a scale. */
const MIN_RANGE = 1e-8;

/** TFLite rounds half away from zero (std::round), not half to even. */
export function roundHalfAway(v: number): number {
  return v < 0 ? -Math.floor(-v + 0.5) : Math.floor(v + 0.5);
}

const clamp = (v: number, lo: number, hi: number): number => (v < lo ? lo : v > hi ? hi : v);

/**
 * Activation parameters for the float range [min, max]: asymmetric int8 or symmetric int16.
 * The range is widened to include 0; the zero point is nudged to an integer as TFLite's
 * converter does (the representable range then shifts by less than one step).
 */
export function activationParams(min: number, max: number, type: ActivationType): Quantization {
  let lo = Math.min(min, 0), hi = Math.max(max, 0);
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) throw new Error(`activation range [${min}, ${max}] is not finite`);
  if (type === 'int16') {
    const m = Math.max(Math.abs(lo), Math.abs(hi), MIN_RANGE);
    return { scale: [m / 32767], zeroPoint: [0], min: [-m], max: [m] };
  }
  if (hi - lo < MIN_RANGE) hi = lo + MIN_RANGE;
  const scale = (hi - lo) / 255;
  const zp = clamp(roundHalfAway(-128 - lo / scale), -128, 127);
  return { scale: [scale], zeroPoint: [zp], min: [lo], max: [hi] };
}

/** Per-channel (or per-tensor) symmetric weight parameters from the largest |w| of each channel. */
export function weightParams(absMax: number[], axis: number | undefined, bits = 8): Quantization {
  const qmax = 2 ** (bits - 1) - 1;
  // float32, as the file stores it: the codes are computed with the scale runtimes will read.
  const scale = absMax.map((m) => Math.fround(m > 0 ? m / qmax : 1 / qmax));
  const zeroPoint = scale.map(() => 0);
  return axis !== undefined ? { scale, zeroPoint, axis } : { scale, zeroPoint };
}

function blocks(shape: number[], axis: number | undefined, length: number): Blocks {
  if (axis === undefined) return [1, 1, length];
  const channels = shape[axis]!;
  const inner = shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  return [length / (channels * inner), channels, inner];
}

/** Symmetric int8 weights and their parameters, per channel along `axis` (or per tensor). */
export function quantizePerChannel(values: Float32Array, shape: number[], axis: number | undefined, bits = 8): { codes: Int8Array; q: Quantization } {
  const { codes, scales } = quantizeSymmetric(values, blocks(shape, axis, values.length), 2 ** (bits - 1) - 1);
  const zeroPoint = scales.map(() => 0);
  return { codes, q: axis !== undefined ? { scale: scales, zeroPoint, axis } : { scale: scales, zeroPoint } };
}

/** Largest |w| per slice along `axis` (or over the whole tensor when axis is undefined). */
export function absMaxPerChannel(values: Float32Array, shape: number[], axis: number | undefined): number[] {
  return Array.from(absMaxBlocks(values, blocks(shape, axis, values.length)));
}

/**
 * Quantizes weights symmetrically with `q` (per axis when q.axis is set): int8 codes, computed as
 * TFLite's converter does (quantization_utils.cc): round(w * (1 / scale)) in float32, half away
 * from zero, clamped to [-qmax, qmax].
 */
export function quantizeWeights(values: Float32Array, shape: number[], q: Quantization, bits = 8): Int8Array {
  const qmax = 2 ** (bits - 1) - 1;
  const perAxis = q.scale.length > 1 && q.axis !== undefined;
  const inv = new Float32Array(q.scale.length);
  for (let c = 0; c < inv.length; c++) inv[c] = 1 / Math.fround(q.scale[c]!);
  return quantizeBlocks(values, blocks(shape, perAxis ? q.axis : undefined, values.length), inv, qmax);
}

/** Quantizes a float tensor with per-tensor affine parameters into `type` codes. */
export function quantizeActivation(values: ArrayLike<number>, q: Quantization, type: ActivationType): Int8Array | Int16Array {
  const [lo, hi] = type === 'int8' ? [-128, 127] : [-32768, 32767];
  const out = type === 'int8' ? new Int8Array(values.length) : new Int16Array(values.length);
  const s = q.scale[0]!, z = q.zeroPoint[0] ?? 0;
  for (let i = 0; i < values.length; i++) out[i] = clamp(roundHalfAway(values[i]! / s) + z, lo, hi);
  return out;
}

/**
 * Bias codes: round(b / (inputScale x weightScale[c])), int32 (int64 for 16x8). A bias too large
 * for int32 at that scale saturates; `saturated` counts those so the report can say so.
 */
export function quantizeBias(values: Float32Array, inputScale: number, weightScales: number[], wide: boolean): { data: Int32Array | BigInt64Array; scale: number[]; saturated: number } {
  const scale = values.length === weightScales.length ? weightScales.map((w) => inputScale * w) : [inputScale * weightScales[0]!];
  let saturated = 0;
  if (wide) {
    const data = new BigInt64Array(values.length);
    for (let i = 0; i < values.length; i++) data[i] = BigInt(roundHalfAway(values[i]! / scale[scale.length > 1 ? i : 0]!));
    return { data, scale, saturated };
  }
  const data = new Int32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = roundHalfAway(values[i]! / scale[scale.length > 1 ? i : 0]!);
    const c = clamp(v, -2147483647, 2147483647);
    if (c !== v) saturated++;
    data[i] = c;
  }
  return { data, scale, saturated };
}
