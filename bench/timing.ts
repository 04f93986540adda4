/** Timing helpers the benches share. */
import { latencyStats } from '../lib/run/results';

export const median = (xs: number[]): number => latencyStats(xs).medianMs;

/** Medians of `a` and `b` timed alternately, so drift and the other core's load hit both alike. */
export async function timePair(a: () => Promise<unknown>, b: () => Promise<unknown>, runs: number, warmup = 10): Promise<[number, number]> {
  for (let i = 0; i < warmup; i++) { await a(); await b(); }
  const ta: number[] = [], tb: number[] = [];
  for (let i = 0; i < runs; i++) {
    for (const [f, out] of (i % 2 ? [[a, ta], [b, tb]] : [[b, tb], [a, ta]]) as Array<[() => Promise<unknown>, number[]]>) {
      const t = performance.now();
      await f();
      out.push(performance.now() - t);
    }
  }
  return [median(ta), median(tb)];
}
