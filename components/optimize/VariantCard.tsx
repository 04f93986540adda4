'use client';
import { useController } from '@/components/studio/StudioContext';
import { fmtBytes } from '@/components/panels/format';
import type { Metrics } from '@/lib/quantize/estimate';
import type { OptimizedVariant } from '@/lib/session/optimize';

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

/** The headline number: accuracy with labels, else top-1 agreement, else SQNR. */
export function headline(m: Metrics): string {
  if (m.accuracy !== undefined) return `accuracy ${pct(m.accuracy)}`;
  if (m.top1Agreement !== undefined) return `top-1 agreement ${pct(m.top1Agreement)}`;
  if (m.sqnrDb !== undefined) return `SQNR ${Number.isFinite(m.sqnrDb) ? m.sqnrDb.toFixed(1) : '∞'} dB`;
  return '-';
}

export function VariantCard({ v, onRun }: { v: OptimizedVariant; onRun(): void }) {
  const controller = useController();
  const e = v.estimate, f = v.floatEstimate;
  const delta = e.accuracy !== undefined && f.accuracy !== undefined ? e.accuracy - f.accuracy : undefined;
  const q = v.quantize;
  return (
    <div className="variant-card" data-testid="opt-result" data-variant={v.id}>
      <h3>{v.label}</h3>
      <p data-testid="opt-size">
        {fmtBytes(v.bytes)} ({fmtBytes(v.gzipBytes)} gzipped) vs float {fmtBytes(v.float.bytes)} ({fmtBytes(v.float.gzipBytes)}):{' '}
        <b>{(v.float.bytes / v.bytes).toFixed(2)}x</b> smaller, {(v.float.gzipBytes / v.gzipBytes).toFixed(2)}x compressed
      </p>
      <p data-testid="opt-estimate" data-accuracy={e.accuracy ?? ''} data-sqnr={e.sqnrDb ?? ''}>
        Estimate: <b>{headline(e)}</b>
        {delta !== undefined && <> ({delta >= 0 ? '+' : ''}{(100 * delta).toFixed(1)} points vs float {pct(f.accuracy!)})</>}
        {e.sqnrDb !== undefined && e.accuracy !== undefined && <>, SQNR {Number.isFinite(e.sqnrDb) ? e.sqnrDb.toFixed(1) : '∞'} dB vs float</>}
      </p>
      <p className="muted small">On {v.evaluation}; simulated in the tfjs executor (the downloaded file runs the real kernels: Run it to measure).{v.calibration ? ` Calibration: ${v.calibration}.` : ''}</p>
      {q && (
        <p className="small" data-testid="opt-counts">
          {q.counts.int8} int8, {q.counts.int16} int16, {q.counts.float} float nodes{q.conversions ? `; ${q.conversions} quantize/dequantize inserted` : ''}
        </p>
      )}
      {v.prune && (
        <p className="small" data-testid="opt-prune">
          {pct(v.prune.totalZeros / Math.max(1, v.prune.totalParams))} of {v.prune.totalParams.toLocaleString()} weights are zero
          {v.prune.removedChannels ? `; ${v.prune.removedChannels} filters removed` : ''}
        </p>
      )}
      {[...v.warnings, ...(q?.notes ?? []), ...(v.prune?.notes ?? [])].map((n) => <p key={n} className="warn small">{n}</p>)}
      <div className="actions">
        <button type="button" className="primary" onClick={() => void controller.download(v.id)} data-testid="opt-export">Export .{v.target}</button>
        <button type="button" onClick={() => void controller.showVariant(v.id, v.label)}>Show graph</button>
        <button type="button" onClick={onRun}>Run it…</button>
      </div>
      <details>
        <summary className="small">Recipe</summary>
        <pre className="small mono recipe" data-testid="opt-recipe">{JSON.stringify(v.recipe.map((s) => ({ ...s, options: { ...s.options, ...(s.options.ranges ? { ranges: `${Object.keys(s.options.ranges as object).length} tensors` } : {}) } })), null, 1)}</pre>
      </details>
    </div>
  );
}
