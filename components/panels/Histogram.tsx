'use client';
import { Bar, BarChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { HistogramBin } from '@/lib/ir/stats';
import { fmtNum } from '@/lib/ir/details';

export function Histogram({ bins }: { bins: HistogramBin[] }) {
  const data = bins.map((b) => ({ x: (b.x0 + b.x1) / 2, count: b.count, range: `${fmtNum(b.x0)} … ${fmtNum(b.x1)}` }));
  return (
    <div className="histogram" data-testid="histogram">
      <ResponsiveContainer width="100%" height={120}>
        <BarChart data={data} margin={{ top: 4, right: 4, bottom: 0, left: 0 }} barCategoryGap={0}>
          <XAxis dataKey="x" tickFormatter={(v: number) => fmtNum(Number(v.toPrecision(2)))} fontSize={10} minTickGap={20} />
          <YAxis fontSize={10} width={36} />
          <Tooltip formatter={(v) => [v, 'values']} labelFormatter={(_, p) => (p?.[0]?.payload as { range?: string })?.range ?? ''} />
          <Bar dataKey="count" fill="#4f6bed" isAnimationActive={false} />
        </BarChart>
      </ResponsiveContainer>
    </div>
  );
}
