/**
 * Streaming statistics of one activation tensor over a calibration set: exact min / max and a
 * histogram of BINS bins over [-edge, edge]. The edge is a power of two that doubles (merging
 * bin pairs exactly) when a larger value arrives, so batches stream through one at a time and
 * the histogram never needs a second pass.
 */
export const BINS = 2048;
const HALF = BINS / 2;

export interface StatsJSON { min: number; max: number; count: number; edge: number; hist?: number[] }

export class TensorStats {
  min = Infinity;
  max = -Infinity;
  count = 0;
  edge = 0;
  hist: Float64Array | null;
  private pendingZeros = 0;

  constructor(withHistogram: boolean) {
    this.hist = withHistogram ? new Float64Array(BINS) : null;
  }

  /** Float32Array only: one array type keeps this loop monomorphic (it runs over every activation). */
  add(values: Float32Array): void {
    let lo = this.min, hi = this.max;
    for (let i = 0; i < values.length; i++) {
      const v = values[i]!;
      if (v !== v) continue; // NaN says nothing about the range
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    this.min = lo;
    this.max = hi;
    this.count += values.length;
    if (!this.hist) return;
    this.grow(Math.max(Math.abs(lo), Math.abs(hi)));
    const h = this.hist, scale = HALF / this.edge;
    if (!(scale < Infinity)) {
      // Only zeros so far, so no edge yet: they go to the centre bin once one is known.
      for (let i = 0; i < values.length; i++) if (values[i] === 0) this.pendingZeros++;
      return;
    }
    for (let i = 0; i < values.length; i++) {
      // |v| <= edge, so v * scale + HALF >= 0 and truncating (|0) is flooring.
      const v = values[i]!;
      if (v !== v) continue;
      let b = (v * scale + HALF) | 0;
      if (b >= BINS) b = BINS - 1;
      h[b]!++;
    }
  }

  /** Widens the histogram to cover |v| <= absMax, merging 2^k bins into one. */
  private grow(absMax: number): void {
    if (!(absMax > 0) || !Number.isFinite(absMax)) return;
    if (this.edge === 0) {
      this.edge = 2 ** Math.ceil(Math.log2(absMax));
      this.hist![HALF]! += this.pendingZeros;
      this.pendingZeros = 0;
      return;
    }
    let k = 0;
    while (this.edge * 2 ** k < absMax) k++;
    if (k === 0) return;
    const h = this.hist!, f = 2 ** k, out = new Float64Array(BINS);
    // Old bin i starts at -edge + i w; in units of the new width it lands at HALF (1 - 1/f) + i / f.
    for (let i = 0; i < BINS; i++) if (h[i]) out[Math.min(BINS - 1, Math.floor(HALF - HALF / f + i / f))]! += h[i]!;
    this.hist = out;
    this.edge *= f;
  }

  /** Lower edge of bin b. */
  binStart(b: number): number {
    return -this.edge + (b * 2 * this.edge) / BINS;
  }

  toJSON(): StatsJSON {
    return { min: this.min, max: this.max, count: this.count, edge: this.edge, ...(this.hist ? { hist: Array.from(this.hist) } : {}) };
  }

  static fromJSON(j: StatsJSON): TensorStats {
    const s = new TensorStats(!!j.hist);
    s.min = j.min; s.max = j.max; s.count = j.count; s.edge = j.edge;
    if (j.hist) s.hist = Float64Array.from(j.hist);
    return s;
  }
}
