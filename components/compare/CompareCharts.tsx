'use client';
import { Bar, BarChart, CartesianGrid, Cell, ErrorBar, LabelList, Legend, ResponsiveContainer, Scatter, ScatterChart, Tooltip, XAxis, YAxis, ZAxis } from 'recharts';
import { paretoFrontier } from '@/lib/compare/pareto';
import type { LatencyResult, LayerError } from '@/lib/compare/types';

export interface SizePoint { id: string; label: string; size: number; accuracy: number }

/** Accuracy (or agreement) vs size, one point per variant, the Pareto frontier as a line. */
export function AccuracySizeChart({ points, metric }: { points: SizePoint[]; metric: string }) {
  const frontier = paretoFrontier(points);
  const data = points.map((p) => ({ ...p, kb: p.size / 1024, pct: 100 * p.accuracy }));
  const line = frontier.map((p) => ({ kb: p.size / 1024, pct: 100 * p.accuracy }));
  // Variants often differ by tenths of a percent: pad the range so points and labels sit inside,
  // and give ticks enough decimals that no two read the same.
  const pcts = data.map((d) => d.pct);
  const lo = Math.min(...pcts), hi = Math.max(...pcts);
  const pad = Math.max(0.1, (hi - lo) * 0.25);
  const decimals = hi - lo < 0.5 ? 2 : hi - lo < 5 ? 1 : 0;
  return (
    <div className="compare-chart" data-testid="chart-accuracy-size" data-points={points.length} data-frontier={frontier.map((p) => p.id).join(',')}>
      <ResponsiveContainer width="100%" height={190}>
        <ScatterChart margin={{ top: 14, right: 24, bottom: 8, left: 0 }}>
          <CartesianGrid strokeDasharray="3 3" />
          <XAxis type="number" dataKey="kb" name="size" unit=" KB" fontSize={10} domain={[0, 'auto']} tickFormatter={(v: number) => v.toFixed(0)} />
          <YAxis type="number" dataKey="pct" name={metric} unit="%" fontSize={10} width={52} domain={[Math.max(0, lo - pad), Math.min(100, hi + pad)]} tickCount={5} tickFormatter={(v: number) => v.toFixed(decimals)} />
          <ZAxis range={[60, 60]} />
          <Tooltip formatter={(v, n) => [n === 'size' ? `${Number(v).toFixed(1)} KB` : `${Number(v).toFixed(2)} %`, String(n)]} labelFormatter={() => ''} />
          <Scatter data={line} line={{ stroke: '#16a34a', strokeWidth: 1.5 }} shape={() => <g />} isAnimationActive={false} name="Pareto frontier" />
          <Scatter data={data} fill="#4f6bed" isAnimationActive={false} name="variants">
            <LabelList dataKey="label" position="top" fontSize={9} />
          </Scatter>
        </ScatterChart>
      </ResponsiveContainer>
      <ul className="chart-legend small">
        {data.map((p) => <li key={p.id} className={frontier.some((f) => f.id === p.id) ? 'on-frontier' : ''}>{p.label}: {p.kb.toFixed(0)} KB, {p.pct.toFixed(2)}%</li>)}
      </ul>
    </div>
  );
}

/** Median latency (p90 whisker) per variant and runtime x backend. */
export function LatencyMatrixChart({ rows, labelOf }: { rows: LatencyResult[]; labelOf: (id: string) => string }) {
  const latest = new Map<string, LatencyResult>();
  for (const r of rows) latest.set(`${r.variant}|${r.runtime}|${r.backend}`, r);
  const data = [...latest.values()].map((r) => ({
    name: `${labelOf(r.variant)} · ${r.runtime}/${r.backend}`,
    median: Number(r.medianMs.toFixed(3)),
    spread: [0, Number((r.p90Ms - r.medianMs).toFixed(3))],
  }));
  return (
    <div className="compare-chart" data-testid="chart-latency">
      <ResponsiveContainer width="100%" height={Math.max(120, 22 * data.length + 40)}>
        <BarChart data={data} layout="vertical" margin={{ top: 4, right: 48, bottom: 4, left: 4 }}>
          <CartesianGrid strokeDasharray="3 3" horizontal={false} />
          <XAxis type="number" unit=" ms" fontSize={10} />
          <YAxis type="category" dataKey="name" width={140} fontSize={9} />
          <Tooltip formatter={(v) => [`${v} ms`, 'median']} />
          <Bar dataKey="median" fill="#4f6bed" isAnimationActive={false}>
            <ErrorBar dataKey="spread" width={3} stroke="#1d2330" direction="x" />
            <LabelList dataKey="median" position="right" fontSize={9} formatter={(v: unknown) => `${Number(v).toFixed(1)} ms`} />
          </Bar>
        </BarChart>
      </ResponsiveContainer>
    </div>
  );
}

/** SQNR per node in graph order; the worst bars red. Clicking a bar selects that node. */
export function LayerErrorChart({ errors, onPick }: { errors: LayerError[]; onPick(node: string): void }) {
  const data = errors.map((e) => ({ node: e.node, op: e.op.replace(/^\w+\./, ''), db: Number.isFinite(e.sqnrDb) ? Number(e.sqnrDb.toFixed(1)) : 99 }));
  return (
    <div className="compare-chart" data-testid="chart-layer-error">
      <ResponsiveContainer width="100%" height={170}>
        <BarChart data={data} margin={{ top: 4, right: 6, bottom: 0, left: 0 }}>
          <CartesianGrid strokeDasharray="3 3" vertical={false} />
          <XAxis dataKey="op" fontSize={8} interval={0} angle={-40} textAnchor="end" height={48} />
          <YAxis unit=" dB" fontSize={10} width={44} />
          <Tooltip formatter={(v) => [`${v} dB`, 'SQNR']} labelFormatter={(_l, p) => (p?.[0]?.payload as { node?: string } | undefined)?.node ?? ''} />
          <Legend wrapperStyle={{ display: 'none' }} />
          <Bar dataKey="db" isAnimationActive={false} onClick={(d) => { const n = (d as unknown as { payload?: { node?: string } }).payload?.node; if (n) onPick(n); }}>
            {data.map((d) => <Cell key={d.node} fill={d.db < 20 ? '#dc2626' : d.db < 35 ? '#d97706' : '#16a34a'} cursor="pointer" />)}
          </Bar>
        </BarChart>
      </ResponsiveContainer>
    </div>
  );
}
