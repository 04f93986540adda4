'use client';
import type { Conversion } from '@/lib/store/convert-slice';

export function ConversionReportView({ conversion, onPick }: { conversion: Conversion; onPick(node: string): void }) {
  const unsupported = conversion.reports.flatMap((r) => r.unsupported);
  const stats = conversion.reports.at(-1)?.stats;
  const notes = conversion.reports.flatMap((r) => r.notes);
  return (
    <div className="report" data-testid="convert-report">
      {unsupported.length > 0 && (
        <>
          <h3>Unsupported ops</h3>
          <table className="attrs" data-testid="unsupported">
            <tbody>
              {unsupported.map((u) => (
                <tr key={`${u.op}-${u.reason ?? ''}`}>
                  <td className="mono">{u.op}</td>
                  <td>
                    {u.count}× {u.reason ? <span className="muted">({u.reason})</span> : null}
                    <div className="node-links">
                      {u.nodes.slice(0, 8).map((n) => <button key={n} type="button" className="link" onClick={() => onPick(n)}>{n}</button>)}
                      {u.nodes.length > 8 && <span className="muted"> … {u.nodes.length - 8} more</span>}
                    </div>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
      {stats && (
        <>
          <h3>What changed</h3>
          <dl className="grid">
            <dt>ops</dt><dd>{stats.nodesIn} → {stats.nodesOut}</dd>
            <dt>BatchNorm folded</dt><dd>{stats.foldedBatchNorms}</dd>
            <dt>constants folded</dt><dd>{stats.foldedConstants}</dd>
            <dt>transposes</dt><dd>{stats.transposesInserted} inserted, {stats.transposesRemoved} removed</dd>
          </dl>
        </>
      )}
      {notes.length > 0 && (
        <>
          <h3>Notes</h3>
          <ul className="notes">{notes.map((n, i) => <li key={i}>{n}</li>)}</ul>
        </>
      )}
      <h3>Recipe</h3>
      <pre className="recipe mono">{JSON.stringify(conversion.recipe, null, 1)}</pre>
    </div>
  );
}
