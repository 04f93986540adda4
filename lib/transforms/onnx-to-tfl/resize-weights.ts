/**
 * ONNX Resize along one axis as a matrix: output[o] = sum_i w[o][i] * input[i] (+ the
 * extrapolation value where the sample falls outside, tf_crop_and_resize only). Every mode,
 * coordinate transform, cubic coefficient, exclude_outside and antialias of the ONNX spec is a
 * fixed linear map once the sizes are known, so one matrix per axis reproduces it; the rule
 * turns it into a GATHER (nearest) or a FULLY_CONNECTED.
 */

export type ResizeMode = 'nearest' | 'linear' | 'cubic';

export interface AxisResize {
  mode: ResizeMode;
  coord: string;
  nearestMode: string;
  cubicA: number;
  excludeOutside: boolean;
  antialias: boolean;
  /** This axis' [start, end] of the ONNX roi, for tf_crop_and_resize. */
  roi: [number, number];
}

export interface AxisMatrix {
  inN: number;
  outN: number;
  /** Row-major [outN, inN]. */
  w: Float64Array;
  /** Outputs that take the extrapolation value instead. */
  outside: boolean[];
}

/** Where output index x samples the input, in input coordinates (ONNX's x_original). */
export function sourceCoord(x: number, inN: number, outN: number, scale: number, p: AxisResize): number {
  const outW = scale * inN;
  switch (p.coord) {
    case 'align_corners': return outW === 1 ? 0 : x * (inN - 1) / (outW - 1);
    case 'asymmetric': return x / scale;
    case 'tf_half_pixel_for_nn': return (x + 0.5) / scale;
    case 'tf_crop_and_resize': {
      const [r0, r1] = p.roi;
      const v = outW === 1 ? (r1 - r0) * (inN - 1) / 2 : x * (r1 - r0) * (inN - 1) / (outW - 1);
      return v + r0 * (inN - 1);
    }
    case 'pytorch_half_pixel': return outW === 1 ? -0.5 : (x + 0.5) / scale - 0.5;
    case 'half_pixel': return (x + 0.5) / scale - 0.5;
    case 'half_pixel_symmetric': {
      const offset = (inN / 2) * (1 - outN / outW);
      return offset + (x + 0.5) / scale - 0.5;
    }
    default: throw new Error(`coordinate_transformation_mode ${p.coord}`);
  }
}

function nearestCoeffs(ratio: number, mode: string): number[] {
  if (Number.isInteger(ratio)) return [0, 1];
  switch (mode) {
    case 'round_prefer_floor': return [ratio <= 0.5 ? 1 : 0, ratio > 0.5 ? 1 : 0];
    case 'round_prefer_ceil': return [ratio < 0.5 ? 1 : 0, ratio >= 0.5 ? 1 : 0];
    case 'floor': return [1, 0];
    case 'ceil': return [0, 1];
    default: throw new Error(`nearest_mode ${mode}`);
  }
}

function cubicKernel(d: number, a: number): number {
  const x = Math.abs(d);
  if (x <= 1) return ((a + 2) * x - (a + 3)) * x * x + 1;
  if (x < 2) return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a;
  return 0;
}

/** Coefficients on the n nearest input samples, left to right. */
function coeffs(ratio: number, scale: number, p: AxisResize): number[] {
  if (p.mode === 'nearest') return nearestCoeffs(ratio, p.nearestMode);
  if (p.antialias && scale < 1) {
    // Downsampling with antialias widens the kernel by 1/scale (a low-pass filter), normalised.
    const reach = p.mode === 'linear' ? 1 : 2;
    const start = Math.floor(-reach / scale) + 1;
    const cs: number[] = [];
    for (let i = start; i < 2 - start; i++) {
      const t = scale * (i - ratio);
      cs.push(p.mode === 'linear' ? Math.max(0, 1 - Math.abs(t)) : cubicKernel(t, p.cubicA));
    }
    const sum = cs.reduce((s, v) => s + v, 0);
    return cs.map((v) => v / sum);
  }
  if (p.mode === 'linear') return [1 - ratio, ratio];
  return [ratio + 1, ratio, 1 - ratio, 2 - ratio].map((d) => cubicKernel(d, p.cubicA));
}

/**
 * The n samples nearest to x on the edge-padded axis, ties to the lower index, ascending
 * (ONNX's reference picks its neighbours this way, which decides the picks at integer x).
 */
function neighbours(x: number, n: number, inN: number): number[] {
  const pad = Math.ceil(n / 2), len = inN + 2 * pad, xp = x + pad;
  let lo = Math.floor(xp), hi = lo + 1;
  const picked: number[] = [];
  while (picked.length < n && (lo >= 0 || hi < len)) {
    const dl = lo >= 0 && lo < len ? xp - lo : Infinity;
    const dh = hi >= 0 && hi < len ? hi - xp : Infinity;
    if (dl <= dh) picked.push(lo--);
    else picked.push(hi++);
  }
  return picked.sort((a, b) => a - b).map((i) => i - pad);
}

export function axisMatrix(inN: number, outN: number, scale: number, p: AxisResize): AxisMatrix {
  const w = new Float64Array(outN * inN);
  const outside: boolean[] = [];
  for (let o = 0; o < outN; o++) {
    const x = sourceCoord(o, inN, outN, scale, p);
    const off = p.coord === 'tf_crop_and_resize' && (x < 0 || x > inN - 1);
    outside.push(off);
    if (off) continue;
    const base = Math.floor(x);
    const ratio = Number.isInteger(x) ? 1 : x - base;
    const cs = coeffs(ratio, scale, p);
    const idx = neighbours(x, cs.length, inN);
    if (p.excludeOutside) {
      idx.forEach((i, k) => { if (i < 0 || i >= inN) cs[k] = 0; });
      const sum = cs.reduce((s, v) => s + v, 0);
      if (sum === 0) throw new Error('exclude_outside leaves no sample');
      for (let k = 0; k < cs.length; k++) cs[k] = cs[k]! / sum;
    }
    idx.forEach((i, k) => {
      const at = o * inN + Math.min(inN - 1, Math.max(0, i));
      w[at] = w[at]! + cs[k]!;
    });
  }
  return { inN, outN, w, outside };
}

/** The source index of each output when every row picks one sample with weight 1, else null. */
export function pickIndices(m: AxisMatrix): number[] | null {
  if (m.outside.some(Boolean)) return null;
  const picks: number[] = [];
  for (let o = 0; o < m.outN; o++) {
    let at = -1;
    for (let i = 0; i < m.inN; i++) {
      const v = m.w[o * m.inN + i]!;
      if (v === 0) continue;
      if (v !== 1 || at >= 0) return null;
      at = i;
    }
    if (at < 0) return null;
    picks.push(at);
  }
  return picks;
}

export function isIdentity(m: AxisMatrix): boolean {
  const picks = m.inN === m.outN ? pickIndices(m) : null;
  return !!picks && picks.every((p, i) => p === i);
}
