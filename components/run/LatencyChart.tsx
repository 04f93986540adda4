'use client';
import { Bar, BarChart, CartesianGrid, ErrorBar, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { RunResult } from '@/lib/store/run-slice';

/** Every measured run is one bar: median latency, whisker up to p90. */
export function LatencyChart({ runs }: { runs: RunResult[] }) {
  const data = runs.map((r) => ({
    name: `#${r.id} ${r.variant === 'original' ? '' : 'tflite '}${r.runtime}/${r.backend}`,
    median: Number(r.latency.medianMs.toFixed(3)),
    spread: [0, Number((r.latency.p90Ms - r.latency.medianMs).toFixed(3))],
  }));
  return (
    <div className="latency-chart" data-testid="latency-chart">
      <ResponsiveContainer width="100%" height={160}>
        <BarChart data={data} margin={{ top: 6, right: 6, bottom: 0, left: 0 }}>
          <CartesianGrid strokeDasharray="3 3" vertical={false} />
          <XAxis dataKey="name" fontSize={9} interval={0} angle={-20} textAnchor="end" height={44} />
          <YAxis fontSize={10} width={40} unit=" ms" />
          <Tooltip formatter={(v) => [`${v} ms`, 'median']} />
          <Bar dataKey="median" fill="#4f6bed" isAnimationActive={false}>
            <ErrorBar dataKey="spread" width={4} stroke="#1d2330" direction="y" />
          </Bar>
        </BarChart>
      </ResponsiveContainer>
    </div>
  );
}
