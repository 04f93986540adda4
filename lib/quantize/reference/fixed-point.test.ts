/** The fixed-point helpers against values worked out by hand from the TFLite/gemmlowp definitions. */
import { describe, expect, it } from 'vitest';
import {
  frexp, multiplierValue, multiplyByQuantizedMultiplier, multiplyByQuantizedMultiplierInt64, quantizeMultiplier, roundHalfAwayFromZero,
  roundingDivideByPOT, saturatingRoundingDoublingHighMul, saturatingRoundingMultiplyByPOT,
} from './fixed-point';
import { expOnNegativeValues, getReciprocal, oneOverOnePlusXForXIn01 } from './gemmlowp';

describe('quantizeMultiplier', () => {
  it.each([
    // real, multiplier = round(frac * 2^31), shift = exponent (real = frac * 2^exponent)
    [0.5, 1073741824, 0], // 0.5 * 2^0
    [1 / 3, 1431655765, -1], // 0.666... * 2^-1; 0.666...*2^31 = 1431655765.33
    [1e-6, 1125899907, -19], // 0.524288 * 2^-19; 0.524288*2^31 = 1125899906.84
    [2.5, 1342177280, 2], // 0.625 * 2^2
    [1, 1073741824, 1], // 0.5 * 2^1
    [0.75, 1610612736, 0],
    [1 - 2 ** -33, 1073741824, 1], // the significand rounds up to 2^31: halved, shift raised
    [2 ** -40, 0, 0], // below 2^-31: flushed to zero
    [0, 0, 0],
  ])('%s -> multiplier %i, shift %i', (real, multiplier, shift) => {
    expect(quantizeMultiplier(real)).toEqual({ multiplier, shift });
  });

  it('keeps a negative sign in the multiplier (LEAKY_RELU with a negative alpha uses it)', () => {
    expect(quantizeMultiplier(-0.5)).toEqual({ multiplier: -1073741824, shift: 0 });
  });

  it('stands for the real value within 2^-31 relative error', () => {
    for (const real of [0.0123, 0.999, 1.7, 123.456, 3e-9]) {
      const m = quantizeMultiplier(real);
      expect(Math.abs(multiplierValue(m) - real) / real).toBeLessThan(2 ** -30);
      expect(m.multiplier).toBeGreaterThanOrEqual(2 ** 30);
      expect(m.multiplier).toBeLessThan(2 ** 31);
    }
  });

  it('frexp is exact at and around powers of two', () => {
    expect(frexp(8)).toEqual({ fraction: 0.5, exponent: 4 });
    expect(frexp(8 - 2 ** -40)).toEqual({ fraction: (8 - 2 ** -40) / 8, exponent: 3 });
    expect(frexp(-0.375)).toEqual({ fraction: -0.75, exponent: -1 });
  });
});

describe('saturatingRoundingDoublingHighMul (VQRDMULH)', () => {
  it.each([
    [1, 1 << 30, 1], // 0.5 rounds up
    [3, 1 << 30, 2], // 1.5 -> 2
    [-1, 1 << 30, 0], // -0.5 -> 0: the nudge rounds halves toward +inf
    [-3, 1 << 30, -1], // -1.5 -> -1
    [100, 1073741824, 50],
    [2147483647, 2147483647, 2147483646], // (2^31-1)^2 / 2^31: needs the exact 64-bit product
    [-2147483648, 2147483647, -2147483647],
    [-2147483648, -2147483648, 2147483647], // the one overflow: saturates
  ])('(%i, %i) = %i', (a, b, want) => {
    expect(saturatingRoundingDoublingHighMul(a, b)).toBe(want);
  });
});

describe('roundingDivideByPOT', () => {
  it.each([
    [1, 1, 1], [-1, 1, -1], [3, 1, 2], [-3, 1, -2], // halves away from zero
    [5, 2, 1], [-5, 2, -1], [6, 2, 2], [-6, 2, -2], // 1.25 -> 1, 1.5 -> 2
    [7, 0, 7],
    [2147483647, 31, 1], [-2147483648, 31, -1],
  ])('%i / 2^%i = %i', (x, e, want) => {
    expect(roundingDivideByPOT(x, e)).toBe(want);
  });
});

describe('multiplyByQuantizedMultiplier', () => {
  it('rounds twice: high multiply (ties up), then the right shift (ties away from zero)', () => {
    // x * 0.25 as multiplier 0.5, shift -1.
    expect(multiplyByQuantizedMultiplier(1, 1 << 30, -1)).toBe(1); // 0.25: 0.5 -> 1, then 0.5 -> 1
    expect(multiplyByQuantizedMultiplier(2, 1 << 30, -1)).toBe(1); // 0.5 -> 1
    expect(multiplyByQuantizedMultiplier(-2, 1 << 30, -1)).toBe(-1); // -0.5 -> -1
    expect(multiplyByQuantizedMultiplier(-1, 1 << 30, -1)).toBe(0); // -0.25: -0.5 -> 0, then 0
    expect(multiplyByQuantizedMultiplier(6, 1 << 30, -1)).toBe(2); // 1.5 -> 2
  });

  it('shifts left before multiplying for multipliers above one', () => {
    const m = quantizeMultiplier(2.5);
    expect(multiplyByQuantizedMultiplier(10, m.multiplier, m.shift)).toBe(25);
    expect(multiplyByQuantizedMultiplier(-7, m.multiplier, m.shift)).toBe(-17); // -17.5 -> -17 (ties up)
  });

  it('matches x * M rounded for a realistic conv rescale', () => {
    const real = (0.02 * 0.0031) / 0.047;
    const m = quantizeMultiplier(real);
    for (const acc of [0, 1, -1, 12345, -12345, 987654, -2000000]) {
      expect(Math.abs(multiplyByQuantizedMultiplier(acc, m.multiplier, m.shift) - acc * real)).toBeLessThanOrEqual(0.5 + 1e-6);
    }
  });

  it('saturates only in the high multiply', () => {
    expect(multiplyByQuantizedMultiplier(2147483647, 2147483647, 0)).toBe(2147483646);
  });

  it('int64 variant: a 15-bit multiplier and a single rounding shift (ties up)', () => {
    expect(multiplyByQuantizedMultiplierInt64(1000, 1 << 30, 0)).toBe(500);
    expect(multiplyByQuantizedMultiplierInt64(1001, 1 << 30, 0)).toBe(501); // 500.5 -> 501
    expect(multiplyByQuantizedMultiplierInt64(-1001, 1 << 30, 0)).toBe(-500); // -500.5 -> -500
    expect(multiplyByQuantizedMultiplierInt64(2n ** 40n, 1 << 30, -10)).toBe(2 ** 29);
  });
});

describe('helpers', () => {
  it('roundHalfAwayFromZero is std::round', () => {
    expect([0.5, 1.5, 2.5, -0.5, -2.5, 0.49999999999999994, 2.4999].map(roundHalfAwayFromZero)).toEqual([1, 2, 3, -1, -3, 0, 2]);
  });

  it('saturatingRoundingMultiplyByPOT saturates left shifts and rounds right shifts', () => {
    expect(saturatingRoundingMultiplyByPOT(1 << 29, 2)).toBe(2147483647);
    expect(saturatingRoundingMultiplyByPOT(-(1 << 29), 2)).toBe(-2147483648);
    expect(saturatingRoundingMultiplyByPOT(3, 2)).toBe(12);
    expect(saturatingRoundingMultiplyByPOT(6, -2)).toBe(2);
  });
});

describe('gemmlowp exp and reciprocal', () => {
  it('exp_on_negative_values in Q5.26 follows exp within 5e-7', () => {
    for (const x of [-0.001, -0.2, -1, -2.5, -7.3, -15.9, -31]) {
      const raw = expOnNegativeValues(Math.round(x * 2 ** 26), 5);
      expect(Math.abs(raw / 2 ** 31 - Math.exp(x))).toBeLessThan(5e-7);
    }
    expect(expOnNegativeValues(0, 5)).toBe(2147483647);
  });

  it('one_over_one_plus_x and GetReciprocal', () => {
    expect(Math.abs(oneOverOnePlusXForXIn01(1 << 30) / 2 ** 31 - 2 / 3)).toBeLessThan(1e-8);
    // 3.0 in Q12.19 = 1.5 * 2^1: the reciprocal is 1/1.5 with one bit over unit (1/3 = (2/3) * 2^-1).
    const { scale, bitsOverUnit } = getReciprocal(3 * 2 ** 19, 12);
    expect(bitsOverUnit).toBe(1);
    expect(Math.abs(scale / 2 ** 31 - 2 / 3)).toBeLessThan(1e-8);
  });
});
