import { describe, expect, it } from 'vitest';
import type { HostTensor } from '../runtime/types';
import { metrics, sqnrDb, topIndices } from './metrics';
import { dominated, paretoFrontier } from './pareto';

const t = (v: number[]): HostTensor[] => [{ name: 'y', dtype: 'float32', shape: [1, v.length], data: Float32Array.from(v) }];

describe('metrics (hand-computed cases)', () => {
  it('accuracy counts top-1 against labels', () => {
    expect(metrics([t([0, 1, 0]), t([3, 1, 2]), t([0, 0, 9])], undefined, [1, 1, 2]).accuracy).toBeCloseTo(2 / 3, 12);
  });

  it('identical outputs: full agreement, cosine 1, infinite SQNR', () => {
    const a = [t([1, 2, 3, 4, 5, 6])];
    const m = metrics(a, a);
    expect(m).toMatchObject({ top1Agreement: 1, top5Overlap: 1, cosine: 1, sqnrDb: Infinity });
  });

  it('SQNR is 10 log10(sum ref^2 / sum err^2); cosine of orthogonal outputs is 0', () => {
    // ref [3, 4]: signal 25; variant [3, 3]: noise 1 -> 10 log10(25) = 13.98 dB.
    expect(metrics([t([3, 3])], [t([3, 4])]).sqnrDb).toBeCloseTo(10 * Math.log10(25), 10);
    expect(metrics([t([1, 0])], [t([0, 1])]).cosine).toBe(0);
    expect(sqnrDb(1, 0)).toBe(Infinity);
  });

  it('top-1 match and top-5 overlap over samples', () => {
    const ref = [t([9, 8, 7, 6, 5, 0, 0]), t([0, 1, 2, 3, 4, 5, 6])];
    // Sample 0: same top-1 (0), top 5 {0,1,2,3,4} vs {0,1,2,3,6}: 4/5. Sample 1: top-1 differs, top 5 identical.
    const out = [t([9, 8, 7, 6, 0, 0, 5]), t([0, 1, 2, 3, 4, 6, 5])];
    const m = metrics(out, ref);
    expect(m.top1Agreement).toBe(0.5);
    expect(m.top5Overlap).toBeCloseTo((4 / 5 + 1) / 2, 12);
  });

  it('no class agreement for outputs that are not class scores (a detector box tensor)', () => {
    const box = (v: number[]): HostTensor[] => [{ name: 'b', dtype: 'float32', shape: [1, 2, 4], data: Float32Array.from(v) }];
    const m = metrics([box([1, 2, 3, 4, 5, 6, 7, 8])], [box([1, 2, 3, 4, 5, 6, 7, 8])]);
    expect(m.top1Agreement).toBeUndefined();
    expect(m.sqnrDb).toBe(Infinity);
  });

  it('topIndices breaks ties by index', () => {
    expect(topIndices([1, 3, 3, 2], 3)).toEqual([1, 2, 3]);
  });
});

describe('Pareto frontier over (size, accuracy)', () => {
  const pts = [
    { id: 'float', size: 600, accuracy: 0.899 },
    { id: 'fp16', size: 300, accuracy: 0.899 },
    { id: 'int8', size: 160, accuracy: 0.898 },
    { id: 'bad', size: 400, accuracy: 0.85 },
    { id: 'pruned', size: 90, accuracy: 0.86 },
  ];
  it('keeps exactly the points nothing beats on both axes, smallest first', () => {
    expect(paretoFrontier(pts).map((p) => p.id)).toEqual(['pruned', 'int8', 'fp16']);
    expect(pts.filter((p) => dominated(p, pts)).map((p) => p.id)).toEqual(['float', 'bad']);
  });
  it('a single point is its own frontier; equal points keep one', () => {
    expect(paretoFrontier([pts[0]!]).map((p) => p.id)).toEqual(['float']);
    expect(paretoFrontier([{ id: 'a', size: 1, accuracy: 1 }, { id: 'b', size: 1, accuracy: 1 }])).toHaveLength(1);
  });
});
