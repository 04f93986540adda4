/**
 * The gemmlowp fixed-point functions TFLite's reference softmax, log-softmax, L2 normalisation
 * and int8 rsqrt are made of (gemmlowp/fixedpoint/fixedpoint.h: exp_on_negative_values,
 * one_over_one_plus_x_for_x_in_0_1; TFLite's common.h: GetReciprocal,
 * GetInvSqrtQuantizedMultiplierExp, log_x_for_x_greater_than_or_equal_to_1). Values are the raw int32 of a FixedPoint<int32_t, IntegerBits>,
 * i.e. real = raw / 2^(31 - IntegerBits). FixedPoint + and - wrap (gemmlowp adds int32 plainly),
 * * is SaturatingRoundingDoublingHighMul and the integer bits add up.
 */
import {
  countLeadingZeros32, roundingDivideByPOT, roundingHalfSum, saturatingRoundingDoublingHighMul as mul,
  saturatingRoundingMultiplyByPOT, toInt32,
} from './fixed-point';

const add = (a: number, b: number): number => toInt32(a + b);
const sub = (a: number, b: number): number => toInt32(a - b);

/** Rescale<dstBits>(x) of a value with srcBits integer bits. */
export const rescale = (raw: number, srcBits: number, dstBits: number): number =>
  saturatingRoundingMultiplyByPOT(raw, srcBits - dstBits);

/** FixedPoint<int32, 0>::One(): the largest raw value, just below 1.0. */
const ONE_Q0 = 0x7fffffff;

/** exp(x) for x in [-1/4, 0), Q0.31 in and out: a Taylor expansion around -1/8. */
function expOnIntervalNegativeQuarterTo0(a: number): number {
  const constantTerm = 1895147668; // exp(-1/8)
  const oneThird = 715827883;
  const x = add(a, 1 << 28); // a + 1/8
  const x2 = mul(x, x);
  const x3 = mul(x2, x);
  const x4 = mul(x2, x2);
  const x4Over4 = roundingDivideByPOT(x4, 2);
  const poly = roundingDivideByPOT(add(mul(add(x4Over4, x3), oneThird), x2), 1);
  return add(constantTerm, mul(constantTerm, add(x, poly)));
}

/** exp(-2^k) in Q0.31 for the barrel shifter, k = -2..4. */
const EXP_OF_NEG_POT: ReadonlyArray<readonly [exponent: number, multiplier: number]> = [
  [-2, 1672461947], [-1, 1302514674], [0, 790015084], [1, 290630308], [2, 39332535], [3, 720401], [4, 242],
];

/**
 * exp(a) for a <= 0 given with `integerBits` integer bits; the result is Q0.31. The input is split
 * into a part in [-1/4, 0) evaluated by the polynomial and multiples of powers of two handled by
 * multiplying constant exp(-2^k) factors.
 */
export function expOnNegativeValues(a: number, integerBits: number): number {
  const fractionalBits = 31 - integerBits;
  const oneQuarter = 1 << (fractionalBits - 2);
  const aModQuarterMinusQuarter = sub(a & (oneQuarter - 1), oneQuarter);
  let result = expOnIntervalNegativeQuarterTo0(rescale(aModQuarterMinusQuarter, integerBits, 0));
  const remainder = sub(aModQuarterMinusQuarter, a);
  for (const [exponent, multiplier] of EXP_OF_NEG_POT) {
    if (integerBits > exponent && (remainder & (1 << (fractionalBits + exponent))) !== 0) result = mul(result, multiplier);
  }
  if (integerBits > 5 && a < -(1 << (36 - integerBits))) result = 0; // below -32: exp underflows
  return a === 0 ? ONE_Q0 : result;
}

/** 1 / (1 + x) for x in [0, 1), Q0.31 in and out: Newton-Raphson on the half denominator. */
export function oneOverOnePlusXForXIn01(a: number): number {
  const halfDenominator = roundingHalfSum(a, ONE_Q0);
  const c48Over17 = 1515870810; // Q2.29
  const cNeg32Over17 = -1010580540; // Q2.29
  const oneQ2 = 1 << 29;
  let x = add(c48Over17, mul(halfDenominator, cNeg32Over17));
  for (let i = 0; i < 3; i++) {
    const oneMinusHalfDenominatorTimesX = sub(oneQ2, mul(halfDenominator, x));
    x = add(x, rescale(mul(x, oneMinusHalfDenominatorTimesX), 4, 2));
  }
  return rescale(x, 1, 0); // ExactMulByPot<-1> then Rescale<0>
}

/**
 * TFLite GetReciprocal: 1/x for x with `integerBits` integer bits, as a Q0.31 scale and the
 * number of bits above 1.0 that the caller shifts out afterwards.
 */
export function getReciprocal(x: number, integerBits: number): { scale: number; bitsOverUnit: number } {
  const headroomPlusOne = countLeadingZeros32(x);
  const bitsOverUnit = integerBits - headroomPlusOne;
  const shiftedSumMinusOne = toInt32(((x << headroomPlusOne) >>> 0) - 2 ** 31);
  return { scale: oneOverOnePlusXForXIn01(shiftedSumMinusOne), bitsOverUnit };
}

/**
 * TFLite GetInvSqrtQuantizedMultiplierExp: 1 / sqrt(x) for an integer x >= 0 as a Q0.31
 * multiplier and a power-of-two shift (multiplied by `reverseShift`, -1 for TFLite's kernels),
 * by five Newton-Raphson steps in Q3.28 on x normalised into [2^27, 2^29). 0 and 1 give the
 * largest multiplier with shift 0.
 */
export function invSqrtQuantizedMultiplierExp(x: number, reverseShift: number): { multiplier: number; shift: number } {
  if (x <= 1) return { multiplier: 0x7fffffff, shift: 0 };
  let input = x;
  let shift = 11;
  while (input >= 1 << 29) {
    input = Math.trunc(input / 4);
    shift++;
  }
  const leftShiftBitPairs = Math.floor((countLeadingZeros32(input) - 1) / 2) - 1;
  shift -= leftShiftBitPairs;
  input <<= 2 * leftShiftBitPairs;
  // Q3.28 values: products of two have 6 integer bits, of three 9, rescaled back to 3.
  const fixedInput = input >> 1;
  const halfInput = roundingDivideByPOT(fixedInput, 1);
  const halfThree = (1 << 28) + (1 << 27);
  let v = 1 << 28;
  for (let i = 0; i < 5; i++) {
    const v3 = rescale(mul(mul(v, v), v), 9, 3);
    v = rescale(sub(mul(halfThree, v), mul(halfInput, v3)), 6, 3);
  }
  let multiplier = mul(v, 1518500250); // * sqrt(2) / 2
  if (shift < 0) {
    multiplier = toInt32(multiplier * 2 ** -shift);
    shift = 0;
  }
  return { multiplier, shift: shift * reverseShift };
}

/** SaturatingAddNonGemmlowp / SaturatingSub on int32. */
const saturate32 = (x: number): number => Math.min(0x7fffffff, Math.max(-0x80000000, x));

/**
 * TFLite log_x_for_x_greater_than_or_equal_to_1_impl: ln(x) of a value with `inputBits`
 * integer bits, returned with `outputBits` integer bits. x is normalised to [1/2, 1) two ways
 * (with and without a sqrt(1/2) premultiply) so the polynomial sees [sqrt(1/2), 1); the power of
 * two goes in as a multiple of ln 2, accumulated with one more integer bit.
 */
export function logXForXGreaterThanOrEqualTo1(x: number, inputBits: number, outputBits: number): number {
  const accumBits = outputBits + 1;
  const log2 = 1488522236;
  const sqrtSqrtHalf = 1805811301;
  const sqrtHalf = 1518500250;
  const alphaN = 117049297;
  const alphaD = 127690142;
  const alphaI = 1057819769;
  const alphaF = 638450708;
  const shiftedQuarter = rescale(536870912, 0, accumBits);

  const zAHeadroomPlus1 = countLeadingZeros32(x);
  const rATmp = saturatingRoundingMultiplyByPOT(x, zAHeadroomPlus1 - 1);
  const rA = saturatingRoundingMultiplyByPOT(mul(rATmp, sqrtHalf), 1);
  const zAPow2Adj = saturate32(saturatingRoundingMultiplyByPOT(inputBits - zAHeadroomPlus1, 31 - accumBits) + shiftedQuarter);
  const zB = mul(x, sqrtHalf);
  const zBHeadroom = countLeadingZeros32(zB) - 1;
  const rB = saturatingRoundingMultiplyByPOT(x, zBHeadroom);
  const zBPow2Adj = saturate32(saturatingRoundingMultiplyByPOT(inputBits - zBHeadroom, 31 - accumBits) - shiftedQuarter);

  const r = Math.min(rA, rB);
  const zPow2Adj = Math.max(zAPow2Adj, zBPow2Adj);
  const p = roundingHalfSum(r, sqrtSqrtHalf);
  let q = sub(r, sqrtSqrtHalf);
  q = add(q, q);
  const commonSq = mul(q, q);
  const num = add(mul(q, r), mul(mul(q, commonSq), alphaN));
  const denomMinusOne = add(mul(p, add(add(alphaI, q), mul(alphaD, commonSq))), mul(alphaF, q));
  const recipDenom = oneOverOnePlusXForXIn01(denomMinusOne);
  const numScaled = rescale(num, 0, accumBits);
  return rescale(add(mul(zPow2Adj, log2), mul(numScaled, recipDenom)), accumBits, outputBits);
}
