import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../runtime/host-tensor';
import { activationParams, quantizeActivation } from '../params';
import { parseMethod, selectRange } from './ranges';
import { BINS, TensorStats } from './stats';

const gaussian = (rnd: () => number) => Math.sqrt(-2 * Math.log(rnd() + 1e-12)) * Math.cos(2 * Math.PI * rnd());

describe('TensorStats', () => {
  it('keeps exact min / max and counts over batches', () => {
    const s = new TensorStats(true);
    s.add(Float32Array.of(0.5, -0.25));
    s.add(Float32Array.of(3, 1, NaN));
    expect([s.min, s.max, s.count]).toEqual([-0.25, 3, 5]);
  });

  it('widening the histogram merges bins exactly: same result as one pass over the wide range', () => {
    const rnd = seededRandom(3);
    const a = Float32Array.from({ length: 5000 }, () => rnd() - 0.5); // |v| < 0.5
    const b = Float32Array.from({ length: 5000 }, () => 7 * (rnd() - 0.5)); // |v| < 3.5
    const streamed = new TensorStats(true);
    streamed.add(a);
    streamed.add(b);
    const once = new TensorStats(true);
    once.add(Float32Array.from([...a, ...b]));
    expect(streamed.edge).toBe(4);
    expect(once.edge).toBe(4);
    expect(Array.from(streamed.hist!)).toEqual(Array.from(once.hist!));
    expect(streamed.hist!.reduce((x, y) => x + y, 0)).toBe(10000);
  });

  it('zeros seen before any other value still count (a ReLU output that starts all zero)', () => {
    const s = new TensorStats(true);
    s.add(new Float32Array(100));
    s.add(Float32Array.of(1, 2, 3));
    expect(s.hist!.reduce((a, b) => a + b, 0)).toBe(103);
    expect(s.hist![BINS / 2]).toBe(100);
  });

  it('round-trips through JSON (kept between slider moves and reloads)', () => {
    const s = new TensorStats(true);
    s.add(Float32Array.of(1, 2, -3));
    const back = TensorStats.fromJSON(JSON.parse(JSON.stringify(s.toJSON())));
    expect(back.toJSON()).toEqual(s.toJSON());
    expect(back.hist!.length).toBe(BINS);
  });
});

describe('range selection', () => {
  // 100k standard normal values plus 10 outliers at +-50: min-max is dominated by the outliers.
  const rnd = seededRandom(7);
  const values = Float32Array.from({ length: 100_000 }, () => gaussian(rnd));
  values.set([50, -50, 49, -49, 48, -48, 47, -47, 46, -46], 0);
  const s = new TensorStats(true);
  s.add(values);

  it('minmax gives the extremes', () => {
    expect(selectRange(s, 'minmax')).toEqual([s.min, s.max]);
  });

  it('percentile clips the tails at the requested quantile', () => {
    const [lo, hi] = selectRange(s, { percentile: 99 });
    // Normal quantile z(0.99) = 2.326; the histogram's resolution here is 64 / 1024 = 0.0625.
    expect(hi).toBeGreaterThan(2.326 - 0.1);
    expect(hi).toBeLessThan(2.326 + 0.1);
    expect(lo).toBeLessThan(-2.326 + 0.1);
    expect(lo).toBeGreaterThan(-2.326 - 0.1);
    const [, hi999] = selectRange(s, { percentile: 99.9 });
    expect(hi999).toBeGreaterThan(hi);
  });

  it('mse finds the range with the lowest real quantize-dequantize error (heavy-tailed data)', () => {
    const r2 = seededRandom(11);
    // Laplace: a long tail, where clipping a little pays for finer steps everywhere else.
    const lap = Float32Array.from({ length: 50_000 }, () => { const u = r2() - 0.5; return -Math.sign(u) * Math.log(1 - 2 * Math.abs(u)); });
    const st = new TensorStats(true);
    st.add(lap);
    const realError = ([lo, hi]: [number, number]) => {
      const q = activationParams(lo, hi, 'int8');
      const codes = quantizeActivation(lap, q, 'int8');
      let e = 0;
      for (let i = 0; i < lap.length; i++) e += ((codes[i]! - q.zeroPoint[0]!) * q.scale[0]! - lap[i]!) ** 2;
      return e;
    };
    const mse = selectRange(st, 'mse');
    expect(mse[1]).toBeLessThan(st.max); // it does clip
    const errMse = realError(mse);
    expect(errMse).toBeLessThan(realError([st.min, st.max]));
    // No joint shrink of the min-max range does better (by more than the histogram's resolution).
    const grid = Array.from({ length: 40 }, (_, k) => 1 - k / 50).map((f) => realError([st.min * f, st.max * f]));
    expect(errMse).toBeLessThan(Math.min(...grid) * 1.02);
    expect(errMse).toBeLessThan(realError(selectRange(st, { percentile: 99 })));
    expect(errMse).toBeLessThan(realError(selectRange(st, { percentile: 99.99 })));
  });

  it('ranges always hold zero (ReLU outputs start at 0)', () => {
    const r = new TensorStats(true);
    r.add(Float32Array.from({ length: 1000 }, (_, i) => (i % 3 === 0 ? 0 : i / 100)));
    for (const m of ['minmax', 'mse', { percentile: 99.9 }] as const) {
      const [lo, hi] = selectRange(r, m);
      expect(lo).toBeLessThanOrEqual(0);
      expect(hi).toBeGreaterThan(0);
    }
  });

  it('parses the CLI spelling of methods', () => {
    expect(parseMethod('minmax')).toBe('minmax');
    expect(parseMethod('mse')).toBe('mse');
    expect(parseMethod('percentile:99.99')).toEqual({ percentile: 99.99 });
    expect(() => parseMethod('percentile:20')).toThrow(/must be in/);
    expect(() => parseMethod('kl')).toThrow(/unknown calibration method/);
  });
});
