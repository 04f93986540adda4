/**
 * TFLite's integer rescaling arithmetic, bit for bit: QuantizeMultiplier
 * (tensorflow/lite/kernels/internal/quantization_util.cc), MultiplyByQuantizedMultiplier
 * (kernels/internal/common.cc) and the gemmlowp primitives under them
 * (SaturatingRoundingDoublingHighMul, RoundingDivideByPOT).
 *
 * TFLite builds these in "double rounding" mode by default (TFLITE_SINGLE_ROUNDING unset): a
 * rounding high multiply, then a rounding right shift, which can round a value just below a half
 * up (about 0.1% of conv outputs). `Rounding` 'single' is the TFLITE_SINGLE_ROUNDING build: one
 * rounding shift of the exact 64-bit product, i.e. round(x * M) with the 31-bit M. Runtimes that
 * requantize in float (XNNPACK, Arm NN) round once as well, so 'single' is how to explain them.
 *
 * A real multiplier M is stored as an int32 `multiplier` in [2^30, 2^31) (Q0.31) and a power
 * of two `shift`: M = multiplier / 2^31 * 2^shift. Values are plain JS numbers holding int32s;
 * products that need 64 bits are exact (doubles below 2^52, BigInt above).
 */

export const INT32_MIN = -2147483648;
export const INT32_MAX = 2147483647;

/** std::round (TfLiteRound): halves away from zero; exact for every double. */
export function roundHalfAwayFromZero(x: number): number {
  const t = Math.trunc(x);
  return Math.abs(x - t) >= 0.5 ? t + Math.sign(x) : t;
}

/** std::frexp: x = fraction * 2^exponent with |fraction| in [0.5, 1) (0 -> 0, 0). */
export function frexp(x: number): { fraction: number; exponent: number } {
  if (x === 0 || !Number.isFinite(x)) return { fraction: x, exponent: 0 };
  let exponent = Math.ceil(Math.log2(Math.abs(x))) | 0; // | 0: no -0 exponent
  let fraction = x / 2 ** exponent;
  // log2 is not exact near powers of two: settle the last step by exact halving/doubling.
  while (Math.abs(fraction) >= 1) { fraction /= 2; exponent++; }
  while (Math.abs(fraction) < 0.5) { fraction *= 2; exponent--; }
  return { fraction, exponent };
}

export type Rounding = 'double' | 'single';

export interface QuantizedMultiplier {
  /** Q0.31 significand: |multiplier| in [2^30, 2^31), or 0. */
  multiplier: number;
  /** Power of two: positive shifts left, negative shifts right. */
  shift: number;
}

/**
 * QuantizeMultiplier(double): the significand rounded to 31 fractional bits; a significand that
 * rounds up to 1.0 becomes 0.5 with the shift raised; multipliers below about 2^-31 flush to 0.
 * Callers pass the real multiplier the way the kernel's Prepare computes it (in float or double,
 * see each kernel), since that decides the last bit.
 */
export function quantizeMultiplier(real: number, rounding: Rounding = 'double'): QuantizedMultiplier {
  if (real === 0) return { multiplier: 0, shift: 0 };
  const { fraction, exponent } = frexp(real);
  let shift = exponent;
  let q = roundHalfAwayFromZero(fraction * 2 ** 31);
  if (q === 2 ** 31) {
    q /= 2;
    shift++;
  }
  if (shift < -31) return { multiplier: 0, shift: 0 };
  // The single-rounding multiply shifts by 31 - shift >= 1: larger multipliers saturate.
  if (rounding === 'single' && shift > 30) return { multiplier: 2 ** 31 - 1, shift: 30 };
  return { multiplier: q, shift };
}

/** The real number a quantized multiplier stands for (for reports and explanations). */
export function multiplierValue(m: QuantizedMultiplier): number {
  return (m.multiplier / 2 ** 31) * 2 ** m.shift;
}

/**
 * gemmlowp SaturatingRoundingDoublingHighMul (ARM VQRDMULH): (a * b + nudge) / 2^31 with C's
 * truncating division, where the nudge rounds to nearest; INT32_MIN * INT32_MIN saturates.
 */
export function saturatingRoundingDoublingHighMul(a: number, b: number): number {
  if (a === INT32_MIN && b === INT32_MIN) return INT32_MAX;
  const product = a * b;
  // Below 2^52 the double product and the nudged sum are exact integers.
  if (Math.abs(product) < 2 ** 52) {
    const nudge = product >= 0 ? 2 ** 30 : 1 - 2 ** 30;
    return Math.trunc((product + nudge) / 2 ** 31) | 0; // | 0 turns -0 into 0
  }
  const ab = BigInt(a) * BigInt(b);
  const nudge = ab >= 0n ? 1n << 30n : 1n - (1n << 30n);
  return Number((ab + nudge) / (1n << 31n)); // BigInt division truncates like C's
}

/** gemmlowp RoundingDivideByPOT: x / 2^exponent rounded to nearest, ties away from zero. */
export function roundingDivideByPOT(x: number, exponent: number): number {
  if (exponent === 0) return x;
  const mask = 2 ** exponent - 1;
  const remainder = x & mask;
  const threshold = Math.floor(mask / 2) + (x < 0 ? 1 : 0);
  return (x >> exponent) + (remainder > threshold ? 1 : 0);
}

/**
 * MultiplyByQuantizedMultiplier(int32 x, int32 multiplier, int shift).
 * 'double': x is shifted left first (int32 arithmetic, wrapping as the C++ does on real
 * hardware), then high-multiplied, then rounding-shifted right (the ...SmallerThanOneExp and
 * ...GreaterThanOne variants are this with shift <= 0 and >= 0).
 * 'single': (x * multiplier + 2^(30 - shift)) >> (31 - shift) on the exact product.
 */
export function multiplyByQuantizedMultiplier(x: number, multiplier: number, shift: number, rounding: Rounding = 'double'): number {
  if (rounding === 'single') {
    const totalShift = 31 - shift;
    const product = x * multiplier;
    if (Math.abs(product) < 2 ** 52 && totalShift <= 52) return Math.floor((product + 2 ** (totalShift - 1)) / 2 ** totalShift) | 0;
    return Number(BigInt.asIntN(32, (BigInt(x) * BigInt(multiplier) + (1n << BigInt(totalShift - 1))) >> BigInt(totalShift)));
  }
  const left = shift > 0 ? shift : 0;
  const right = shift > 0 ? 0 : -shift;
  return roundingDivideByPOT(saturatingRoundingDoublingHighMul(Math.imul(x, 2 ** left | 0), multiplier), right);
}

/**
 * MultiplyByQuantizedMultiplier(int64 x, ...), used by the 16x8 kernels with int64
 * accumulators, the same in both rounding modes: the multiplier is first reduced to 15 bits,
 * then one rounding shift. So a 16x8 convolution with an int64 bias rounds differently from one
 * with an int32 bias.
 */
export function multiplyByQuantizedMultiplierInt64(x: number | bigint, multiplier: number, shift: number): number {
  const reduced = multiplier < 0x7fff0000 ? (multiplier + (1 << 15)) >> 16 : 0x7fff;
  const totalShift = BigInt(15 - shift);
  const result = (BigInt(x) * BigInt(reduced) + (1n << (totalShift - 1n))) >> totalShift;
  return Number(BigInt.asIntN(32, result));
}

/** gemmlowp's Q0.31 rounding half sum (VRHADD): (a + b) / 2 rounded away from zero. */
export function roundingHalfSum(a: number, b: number): number {
  const sum = a + b;
  return Math.trunc((sum + (sum >= 0 ? 1 : -1)) / 2);
}

/**
 * gemmlowp SaturatingRoundingMultiplyByPOT: multiply by 2^exponent, saturating for a positive
 * exponent (on `bits`-bit integers) and rounding for a negative one.
 */
export function saturatingRoundingMultiplyByPOT(x: number, exponent: number, bits = 32): number {
  if (exponent === 0) return x;
  if (exponent < 0) return roundingDivideByPOT(x, -exponent);
  const min = -(2 ** (bits - 1));
  const max = 2 ** (bits - 1) - 1;
  const threshold = 2 ** (bits - 1 - exponent) - 1;
  if (x > threshold) return max;
  if (x < -threshold) return min;
  return x * 2 ** exponent;
}

/** 16-bit SaturatingRoundingDoublingHighMul (gemmlowp's int16 specialisation). */
export function saturatingRoundingDoublingHighMul16(a: number, b: number): number {
  if (a === -32768 && b === -32768) return 32767;
  const product = a * b;
  const nudge = product >= 0 ? 1 << 14 : 1 - (1 << 14);
  return Math.trunc((product + nudge) / (1 << 15));
}

/** Leading zero bits of a value read as uint32 (32 for 0). */
export const countLeadingZeros32 = (x: number): number => Math.clz32(x);

/** Wraps a number to int32 as C's int32_t arithmetic does on two's-complement hardware. */
export const toInt32 = (x: number): number => x | 0;

/** Wraps to int16 (C's static_cast<int16_t>). */
export const toInt16 = (x: number): number => (x << 16) >> 16;
