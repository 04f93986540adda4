'use client';
import { useEffect, useMemo, useState } from 'react';
import { useController, useStudio, useStudioStore } from '@/components/studio/StudioContext';
import { fmtBytes } from '@/components/panels/format';
import type { EvalDataSpec } from '@/lib/compare/eval-data';
import type { Metrics } from '@/lib/compare/metrics';
import type { Normalisation } from '@/lib/run/inputs';
import { renderReport, reportCsv, reportJson } from '@/lib/report/index';
import { AccuracySizeChart, LatencyMatrixChart, LayerErrorChart, type SizePoint } from './CompareCharts';
import { comparisonData, deviceString, latencyRows, latestEval, variantRows } from './comparison';
import { download } from './download';
import { notFasterNotes } from './notes';
import { NodeHistogramsChart } from './NodeHistogramsChart';

type DataKind = EvalDataSpec['kind'];

const pct = (x: number | undefined) => (x === undefined ? '-' : `${(100 * x).toFixed(2)}%`);

/** Accuracy with labels, else agreement with the original, else SQNR. */
export function score(m: Metrics | undefined): { value: number; text: string } | null {
  if (!m) return null;
  if (m.accuracy !== undefined) return { value: m.accuracy, text: `${pct(m.accuracy)} accuracy` };
  if (m.top1Agreement !== undefined) return { value: m.top1Agreement, text: `${pct(m.top1Agreement)} top-1 agreement` };
  if (m.sqnrDb !== undefined) return { value: Number.isFinite(m.sqnrDb) ? m.sqnrDb / 100 : 1, text: `SQNR ${Number.isFinite(m.sqnrDb) ? m.sqnrDb.toFixed(1) : '∞'} dB` };
  return null;
}

export function ComparePanel() {
  const controller = useController();
  const store = useStudioStore();
  const state = useStudio((s) => s);
  const [kind, setKind] = useState<DataKind>('bundled');
  const [count, setCount] = useState(1000);
  const [norm, setNorm] = useState<Normalisation>('unit');
  const [files, setFiles] = useState<File[]>([]);
  const [labels, setLabels] = useState<File | null>(null);
  const [layerVariant, setLayerVariant] = useState<string>('');
  useEffect(() => { void controller.compare.originalSize(); }, [controller, state.loadSeq]);
  const rows = useMemo(() => variantRows(state), [state]);
  if (!state.model) return <div className="panel empty">Open a model to compare its variants.</div>;
  const job = state.compareJob ?? state.runJob;
  const quantized = state.variants.filter((v) => v.quantize && v.quantize.mode !== 'float16');
  const errors = layerVariant ? state.layerErrors[layerVariant] : undefined;
  const labelOf = (id: string) => rows.find((r) => r.id === id)?.label ?? id;
  const points: SizePoint[] = rows.flatMap((r) => { const sc = score(latestEval(state, r.id)?.metrics); return sc ? [{ id: r.id, label: r.label, size: r.bytes, accuracy: sc.value }] : []; });
  const lat = latencyRows(state);
  const notes = notFasterNotes(rows, lat);
  // The newest measurement per variant and runtime/backend; columns in the order first measured.
  const latest = new Map(lat.map((l) => [`${l.variant}|${l.runtime}/${l.backend}`, l]));
  const pairs = [...new Set(lat.map((l) => `${l.runtime}/${l.backend}`))];

  const dataset = async (): Promise<{ spec: EvalDataSpec; key: string } | null> => {
    if (kind === 'bundled') return { spec: { kind, count }, key: `bundled:${count}` };
    if (kind === 'images') {
      if (!files.length) return null;
      const list = files.map((f) => ({ blob: f as Blob, path: (f as File & { webkitRelativePath?: string }).webkitRelativePath || f.name }));
      return { spec: { kind, files: list, normalisation: norm, count }, key: `images:${files.length}:${files[0]!.name}:${norm}:${count}` };
    }
    const x = files[0];
    if (!x) return null;
    const spec: EvalDataSpec = { kind: 'npy', inputs: { name: x.name, bytes: new Uint8Array(await x.arrayBuffer()) }, count, ...(labels ? { labels: { name: labels.name, bytes: new Uint8Array(await labels.arrayBuffer()) } } : {}) };
    return { spec, key: `npy:${x.name}:${x.size}:${labels?.name ?? ''}:${count}` };
  };
  const evaluateAll = async () => { const d = await dataset(); if (d) await controller.compare.evaluate(rows.map((r) => r.id), d.spec, d.key); };
  const keep = (precision: 'float' | 'int16') => {
    const v = state.variants.find((x) => x.id === layerVariant);
    const node = state.selected?.variant === layerVariant ? state.selected.name : null;
    if (!v?.spec.quantize || !node) return;
    const layers = [...(v.spec.quantize.layers ?? []).filter((l) => l.match !== node), { match: node, precision }];
    void controller.optimize({ ...v.spec, id: undefined, quantize: { ...v.spec.quantize, layers } } as typeof v.spec);
  };
  const exportAs = (what: 'html' | 'json' | 'csv') => {
    const data = comparisonData(store.getState());
    const base = state.model!.summary.name.replace(/\.\w+$/, '');
    if (what === 'html') download(`${base}-report.html`, renderReport(data), 'text/html');
    else if (what === 'json') download(`${base}-report.json`, reportJson(data), 'application/json');
    else download(`${base}-report.csv`, reportCsv(data), 'text/csv');
  };

  return (
    <div className="panel compare" data-testid="compare-panel">
      <h2>Compare variants</h2>
      <div className="form">
        <label>Evaluate on
          <select value={kind} onChange={(e) => { setKind(e.target.value as DataKind); setFiles([]); }} data-testid="cmp-data">
            <option value="bundled">Bundled labelled test images</option>
            <option value="images">Folder of images (labels = sub-folders)</option>
            <option value="npy">.npy inputs (+ labels .npy)</option>
          </select>
        </label>
        {kind !== 'bundled' && (
          <input type="file" multiple data-testid="cmp-files" accept={kind === 'npy' ? '.npy' : 'image/*'} {...(kind === 'images' ? { webkitdirectory: '' } : {})}
            onChange={(e) => setFiles(Array.from(e.target.files ?? []).filter((f) => (kind === 'npy' ? /\.npy$/i.test(f.name) : /^image\//.test(f.type))))} />
        )}
        {kind === 'npy' && <label>Labels <input type="file" accept=".npy" onChange={(e) => setLabels(e.target.files?.[0] ?? null)} /></label>}
        {kind === 'images' && (
          <label>Pixels to
            <select value={norm} onChange={(e) => setNorm(e.target.value as Normalisation)}>
              <option value="unit">[0, 1]</option><option value="signed">[-1, 1]</option><option value="imagenet">ImageNet mean/std</option><option value="raw">0…255</option>
            </select>
          </label>
        )}
        <label>How many <input type="number" min={1} max={100000} value={count} onChange={(e) => setCount(Math.max(1, Number(e.target.value) || 1))} data-testid="cmp-count" /></label>
        <div className="actions">
          <button type="button" className="primary" disabled={!!job} onClick={() => void evaluateAll()} data-testid="cmp-evaluate">Evaluate all</button>
          <button type="button" disabled={!!job} onClick={() => void controller.compare.latency(rows.map((r) => r.id))} data-testid="cmp-latency">Measure latency</button>
          {job && <button type="button" onClick={() => { controller.compare.cancel(); controller.runs.cancel(); }} data-testid="cmp-cancel">Cancel</button>}
        </div>
        {job && <div className="job-inline" role="status" data-testid="cmp-job"><span>{job.phase}</span><progress max={1} value={job.fraction} /></div>}
        {state.compareError && <p className="warn" data-testid="cmp-error">{state.compareError.message}</p>}
        {state.runError && <p className="warn" data-testid="cmp-run-error">Latency: {state.runError.message}</p>}
      </div>

      <div className="table-scroll">
      <table className="variants-table small" data-testid="variants-table">
        <thead><tr><th>variant</th><th>size (gzip)</th><th>score</th>{pairs.map((p) => <th key={p}>{p}<div className="muted">median (p90)</div></th>)}<th>file check</th></tr></thead>
        <tbody>
          {rows.map((r) => {
            const e = latestEval(state, r.id);
            return (
              <tr key={r.id} data-testid="variant-row" data-variant={r.id} data-accuracy={e?.metrics.accuracy ?? ''} data-scored={e ? 'true' : 'false'}>
                <td><button type="button" className="link" onClick={() => r.id !== 'original' && void controller.showVariant(r.id, r.label)}>{r.label}</button><div className="muted">{r.format}</div></td>
                <td>{fmtBytes(r.bytes)}{r.gzipBytes ? <div className="muted">{fmtBytes(r.gzipBytes)}</div> : null}</td>
                <td>{score(e?.metrics)?.text ?? '-'}{e && r.id !== 'original' && e.metrics.sqnrDb !== undefined && e.metrics.accuracy !== undefined ? <div className="muted">SQNR {Number.isFinite(e.metrics.sqnrDb) ? e.metrics.sqnrDb.toFixed(1) : '∞'} dB</div> : null}</td>
                {pairs.map((p) => {
                  const l = latest.get(`${r.id}|${p}`);
                  return <td key={p} data-testid="latency-cell" data-pair={p}>{l ? <>{l.medianMs.toFixed(2)} ms<div className="muted">{l.p90Ms.toFixed(2)}</div></> : '-'}</td>;
                })}
                <td>{r.exportCheck ? <span className="ok" title={r.exportCheck.detail}>ran</span> : '-'}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
      </div>

      {points.length > 0 && <><h3>Accuracy vs size</h3><AccuracySizeChart points={points} metric={points.some((p) => latestEval(state, p.id)?.metrics.accuracy !== undefined) ? 'accuracy' : 'agreement'} /></>}
      {lat.length > 0 && <><h3>Latency by runtime and backend</h3><LatencyMatrixChart rows={lat} labelOf={labelOf} /><p className="muted small" data-testid="latency-device">Measured here: {deviceString(state)}.</p></>}
      {notes.map((n) => <p key={n} className="warn small" data-testid="not-faster">{n}</p>)}

      <h3>Per-layer error</h3>
      <div className="actions">
        <select value={layerVariant} onChange={(e) => setLayerVariant(e.target.value)} data-testid="cmp-layer-variant">
          <option value="">choose a quantized variant</option>
          {quantized.map((v) => <option key={v.id} value={v.id}>{v.label}</option>)}
        </select>
        <button type="button" disabled={!layerVariant || !!job} onClick={() => void controller.compare.layerErrors(layerVariant).then(() => controller.showVariant(layerVariant, labelOf(layerVariant)))} data-testid="cmp-layer-errors">Show on the graph</button>
      </div>
      {errors && (
        <>
          <LayerErrorChart errors={errors} onPick={(n) => void controller.selectNode(n, layerVariant)} />
          <p className="muted small">Worst: {[...errors].sort((a, b) => a.sqnrDb - b.sqnrDb).slice(0, 3).map((e) => `${e.node} ${e.sqnrDb.toFixed(1)} dB`).join(', ')}. Click a bar or a red node, then:</p>
          <div className="actions">
            <button type="button" disabled={state.selected?.variant !== layerVariant || !!state.optimizeJob} onClick={() => keep('float')} data-testid="cmp-keep-float">Keep selected in float</button>
            <button type="button" disabled={state.selected?.variant !== layerVariant || !!state.optimizeJob} onClick={() => keep('int16')}>Run it in 16 bits</button>
          </div>
          {state.optimizeJob && <div className="job-inline" role="status"><span>{state.optimizeJob.phase}</span><progress max={1} value={state.optimizeJob.fraction} /></div>}
          {!state.optimizeJob && state.optimizeError && <p className="warn" data-testid="cmp-keep-error">{state.optimizeError.message}</p>}
          {state.selected?.kind === 'node' && state.selected.variant === layerVariant && <NodeHistogramsChart variant={layerVariant} node={state.selected.name} />}
        </>
      )}

      <h3>Export</h3>
      <div className="actions">
        <button type="button" onClick={() => exportAs('html')} data-testid="export-report">Report (HTML)</button>
        <button type="button" onClick={() => exportAs('json')} data-testid="export-json">Numbers (JSON)</button>
        <button type="button" onClick={() => exportAs('csv')} data-testid="export-csv">CSV</button>
      </div>
      {rows.filter((r) => r.recipe.length > 0).map((r) => (
        <div key={r.id} className="actions small">
          <span>{r.label}:</span>
          <button type="button" className="link" onClick={() => void controller.download(r.id)} data-testid="export-variant" data-variant={r.id}>.{r.format}</button>
          <button type="button" className="link" onClick={() => download(`${r.fileName}.recipe.json`, JSON.stringify(r.recipe, null, 2), 'application/json')} data-testid="export-recipe" data-variant={r.id}>recipe</button>
        </div>
      ))}
      <p className="muted small" data-testid="storage" data-saving={state.saving ? 'true' : 'false'}>{state.saving ? 'Saving…' : state.storage}</p>
    </div>
  );
}
