import { latencyStats as runLatencyStats, type LatencyStats as RunLatencyStats } from '../lib/run/results';
import { buildInputs, intFlag, openSession, parse, SESSION_OPTIONS, UsageError } from './run';

type LatencyStats = Omit<RunLatencyStats, 'runs'>;

/** The studio's latency statistics (numpy-style percentiles), without the run count bench prints itself. */
export function latencyStats(times: number[]): LatencyStats {
  if (times.length === 0) throw new Error('no timings');
  const { runs: _runs, ...stats } = runLatencyStats(times);
  return stats;
}

export async function bench(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, {
    ...SESSION_OPTIONS,
    runs: { type: 'string' },
    warmup: { type: 'string' },
    json: { type: 'boolean' },
  });
  if (positionals.length !== 1) throw new UsageError(`give exactly one model file${positionals.length ? ` (got ${positionals.join(' ')})` : ''}`);
  const runs = intFlag(values.runs, 'runs', 50, 1);
  const warmup = intFlag(values.warmup, 'warmup', 5, 0);
  // With --json stdout is only the JSON; notes go to stderr either way.
  const note = (s: string) => console.error(`note: ${s}`);
  const { session, runtime, backend, file } = await openSession(positionals[0]!, values);
  try {
    const feeds = await buildInputs(session, values, note);
    for (let i = 0; i < warmup; i++) await session.run(feeds);
    const times: number[] = [];
    for (let i = 0; i < runs; i++) {
      const t0 = performance.now();
      await session.run(feeds);
      times.push(performance.now() - t0);
    }
    const stats = latencyStats(times);
    if (values.json) {
      console.log(JSON.stringify({ model: file, runtime, backend, runs, warmup, ...stats }, null, 2));
    } else {
      const f = (ms: number) => `${ms.toFixed(3)} ms`;
      console.log(`${file} on ${runtime}/${backend}, ${runs} runs after ${warmup} warm-up`);
      console.log(`  median ${f(stats.medianMs)}  p90 ${f(stats.p90Ms)}  min ${f(stats.minMs)}  mean ${f(stats.meanMs)}`);
    }
    return 0;
  } finally {
    session.dispose();
  }
}
