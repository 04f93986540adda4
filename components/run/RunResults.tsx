'use client';
import { useStudio } from '@/components/studio/StudioContext';
import { fmtNum } from '@/lib/ir/details';
import { LatencyChart } from './LatencyChart';

export function RunResults() {
  const runs = useStudio((s) => s.runs);
  if (runs.length === 0) return null;
  const last = runs[runs.length - 1]!;
  return (
    <div className="run-results" data-testid="run-results">
      <h3>Latest: {last.runtime} / {last.backend}</h3>
      <dl className="grid">
        <dt>median</dt><dd data-testid="run-median">{last.latency.medianMs.toFixed(2)} ms</dd>
        <dt>p90</dt><dd>{last.latency.p90Ms.toFixed(2)} ms</dd>
        <dt>runs</dt><dd>{last.latency.runs} after 3 warm-up</dd>
        <dt>load</dt><dd>{last.loadMs.toFixed(0)} ms</dd>
        <dt>input</dt><dd>{last.input}</dd>
      </dl>
      {last.top && (
        <>
          <h3>Top {last.top.length}</h3>
          <ol className="topk" data-testid="run-topk">
            {last.top.map((t) => (
              <li key={t.index}>
                <span className="topk-label">{t.label ?? `class ${t.index}`}</span>
                <span className="topk-bar"><span style={{ width: `${(t.prob * 100).toFixed(1)}%` }} /></span>
                <span className="num">{(t.prob * 100).toFixed(1)}%</span>
              </li>
            ))}
          </ol>
        </>
      )}
      <h3>Outputs</h3>
      <ul className="tensors">
        {last.outputs.map((o) => (
          <li key={o.name} className="tensor">
            <div className="tensor-name">{o.name}</div>
            <div className="mono">{o.dtype} [{o.shape.join('×')}] min {fmtNum(o.min)} max {fmtNum(o.max)} mean {fmtNum(o.mean)}</div>
          </li>
        ))}
      </ul>
      {runs.length > 1 && (
        <>
          <h3>All runs (median, whisker to p90)</h3>
          <LatencyChart runs={runs} />
          <table className="runs-table" data-testid="runs-table">
            <thead><tr><th>model</th><th>runtime</th><th>median</th><th>p90</th><th>top-1</th></tr></thead>
            <tbody>
              {runs.map((r) => (
                <tr key={r.id}>
                  <td>{r.variant}</td><td>{r.runtime}/{r.backend}</td>
                  <td className="num">{r.latency.medianMs.toFixed(2)}</td><td className="num">{r.latency.p90Ms.toFixed(2)}</td>
                  <td>{r.top?.[0] ? (r.top[0].label ?? r.top[0].index) : '-'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </div>
  );
}
