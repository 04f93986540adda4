'use client';
import { useEffect, useRef, useState } from 'react';
import { useController, useStudio } from '@/components/studio/StudioContext';
import type { CalibrationMethod } from '@/lib/quantize/calibrate/ranges';
import type { LayerPrecision, QuantMode } from '@/lib/quantize/types';
import type { CalibrationSpec, OptimizeSpec } from '@/lib/session/optimize';
import type { Normalisation } from '@/lib/run/inputs';
import { PruneControls, type PruneState } from './PruneControls';
import { VariantCard } from './VariantCard';
import { loadCalibPrefs, saveCalibPrefs } from './prefs';

type Mode = QuantMode | 'none';
type Source = CalibrationSpec['kind'];
type Method = 'minmax' | 'percentile' | 'mse';

const MODES: Array<[Mode, string]> = [
  ['int8', 'Full integer int8 (calibrated)'],
  ['dynamic', 'Dynamic range (int8 weights)'],
  ['float16', 'float16 weights'],
  ['int16x8', '16x8 (int16 activations, calibrated)'],
  ['none', 'No quantization (prune only)'],
];

export function OptimizePanel({ onRun }: { onRun(): void }) {
  const controller = useController();
  const model = useStudio((s) => s.model);
  const job = useStudio((s) => s.optimizeJob);
  const error = useStudio((s) => s.optimizeError);
  const variants = useStudio((s) => s.variants);
  const selected = useStudio((s) => s.selected);
  const loadSeq = useStudio((s) => s.loadSeq);
  const [mode, setMode] = useState<Mode>('int8');
  const [target, setTarget] = useState<'tflite' | 'onnx'>('tflite');
  const [source, setSource] = useState<Source>('bundled');
  const [count, setCount] = useState(100);
  const [norm, setNorm] = useState<Normalisation>('unit');
  const [files, setFiles] = useState<File[]>([]);
  const [method, setMethod] = useState<Method>('minmax');
  const [percentile, setPercentile] = useState(99.99);
  const [perTensor, setPerTensor] = useState(false);
  const [floatIO, setFloatIO] = useState(false);
  const [rules, setRules] = useState<Array<{ match: string; precision: LayerPrecision }>>([]);
  const [pruning, setPruning] = useState<PruneState>({ sparsity: 0, scope: 'layer', nm: false, structured: 0, exclude: '' });
  const [current, setCurrent] = useState<string | null>(null);
  const [pattern, setPattern] = useState('');
  const modelName = model?.summary.name ?? '';

  // Calibration settings are remembered per model (how its images are normalised, how many).
  useEffect(() => {
    const p = loadCalibPrefs(modelName);
    if (p) { setNorm(p.normalisation); setCount(p.count); if (p.source !== 'images' && p.source !== 'npy') setSource(p.source); }
    setCurrent(null);
    setRules([]);
    setTarget('tflite');
  }, [loadSeq]); // eslint-disable-line react-hooks/exhaustive-deps
  useEffect(() => { if (modelName) saveCalibPrefs(modelName, { normalisation: norm, count, source }); }, [modelName, norm, count, source]);

  const integer = mode === 'int8' || mode === 'int16x8';
  const calibMethod: CalibrationMethod = method === 'percentile' ? { percentile } : method;
  const spec = (id?: string): OptimizeSpec | null => {
    const calibration: CalibrationSpec | undefined = !integer ? undefined
      : source === 'images' ? { kind: 'images', files, normalisation: norm, count: Math.min(count, files.length) }
      : source === 'npy' ? { kind: 'npy', files, count }
      : { kind: source, count };
    if (calibration && (source === 'images' || source === 'npy') && files.length === 0) return null;
    const prune = pruning.sparsity > 0 || pruning.nm || pruning.structured > 0 ? {
      ...(pruning.sparsity > 0 ? { sparsity: pruning.sparsity, scope: pruning.scope } : {}),
      ...(pruning.nm ? { pattern: { n: 2, m: 4 } } : {}),
      ...(pruning.structured > 0 ? { structured: pruning.structured } : {}),
      ...(pruning.exclude.trim() ? { exclude: pruning.exclude.split(',').map((s) => s.trim()).filter(Boolean) } : {}),
    } : undefined;
    if (mode === 'none' && !prune) return null;
    return {
      ...(id ? { id } : {}),
      ...(mode !== 'none' ? { quantize: { mode, target, ...(integer ? { method: calibMethod } : {}), ...(perTensor ? { perTensor } : {}), ...(floatIO && integer ? { floatIO } : {}), ...(rules.length ? { layers: rules } : {}) } } : {}),
      ...(prune ? { prune } : {}),
      ...(calibration ? { calibration } : {}),
    };
  };
  const make = async (id?: string) => {
    const s = spec(id);
    if (!s) return;
    const v = await controller.optimize(s);
    if (v) setCurrent(v.id);
  };

  // Moving a slider re-makes the variant being tuned: the percentile re-quantizes from statistics
  // kept in the worker; pruning sliders re-prune (and re-calibrate, activations change).
  const first = useRef(true);
  useEffect(() => {
    if (first.current) { first.current = false; return; }
    if (!variants.some((x) => x.id === current)) return;
    const t = setTimeout(() => void make(current!), 250);
    return () => clearTimeout(t);
  }, [percentile, pruning.sparsity, pruning.structured]); // eslint-disable-line react-hooks/exhaustive-deps

  if (!model) return <div className="panel empty">Open a model to quantize or prune it.</div>;
  const isOnnx = model.summary.format === 'onnx';
  const node = selected?.kind === 'node' && !selected.variant ? selected.name : null;
  const addRule = (precision: LayerPrecision) => node && setRules((r) => [...r.filter((x) => x.match !== node), { match: node, precision }]);
  const latest = variants.find((v) => v.id === current) ?? variants.at(-1);

  return (
    <div className="panel optimize" data-testid="optimize-panel">
      <h2>Quantize and prune</h2>
      <div className="form">
        <label>Quantization
          <select value={mode} onChange={(e) => { setMode(e.target.value as Mode); if (e.target.value !== 'int8') setTarget('tflite'); }} data-testid="opt-mode">
            {MODES.map(([m, l]) => <option key={m} value={m}>{l}</option>)}
          </select>
        </label>
        {isOnnx && mode === 'int8' && (
          <label>Write
            <select value={target} onChange={(e) => setTarget(e.target.value as 'tflite' | 'onnx')} data-testid="opt-target">
              <option value="tflite">.tflite (converted, int8 kernels)</option>
              <option value="onnx">.onnx (QDQ, for onnxruntime)</option>
            </select>
          </label>
        )}
        {integer && (
          <>
            <h3>Calibration data</h3>
            <label>Samples from
              <select value={source} onChange={(e) => { setSource(e.target.value as Source); setFiles([]); }} data-testid="opt-calib">
                <option value="bundled">Bundled sample images</option>
                <option value="images">A folder of your images…</option>
                <option value="npy">.npy files…</option>
                <option value="random">Random data</option>
              </select>
            </label>
            {source === 'random' && <p className="warn small" data-testid="opt-random-warning">Random inputs say little about real activations: expect worse accuracy than with real samples.</p>}
            {(source === 'images' || source === 'npy') && (
              <input type="file" multiple data-testid="opt-files" accept={source === 'npy' ? '.npy' : 'image/*'}
                {...(source === 'images' ? { webkitdirectory: '' } : {})}
                onChange={(e) => setFiles(Array.from(e.target.files ?? []).filter((f) => (source === 'npy' ? /\.npy$/i.test(f.name) : /^image\//.test(f.type))))} />
            )}
            {(source === 'images' || source === 'npy') && <p className="muted small">{files.length} file(s) chosen</p>}
            {source === 'images' && (
              <label>Pixels to
                <select value={norm} onChange={(e) => setNorm(e.target.value as Normalisation)} data-testid="opt-norm">
                  <option value="unit">[0, 1]</option><option value="signed">[-1, 1]</option>
                  <option value="imagenet">ImageNet mean/std</option><option value="raw">0…255</option>
                </select>
              </label>
            )}
            <label>How many
              <input type="number" min={1} max={5000} value={count} data-testid="opt-count" onChange={(e) => setCount(Math.max(1, Math.min(5000, Number(e.target.value) || 1)))} />
            </label>
            <label>Ranges
              <select value={method} onChange={(e) => setMethod(e.target.value as Method)} data-testid="opt-method">
                <option value="minmax">min-max</option><option value="percentile">percentile</option><option value="mse">MSE-optimal</option>
              </select>
            </label>
            {method === 'percentile' && (
              <label>Percentile <span className="mono" data-testid="opt-percentile-value">{percentile.toFixed(3)}</span>
                <input type="range" min={99} max={100} step={0.001} value={percentile} data-testid="opt-percentile" onChange={(e) => setPercentile(Number(e.target.value))} />
              </label>
            )}
            <label className="check"><input type="checkbox" checked={floatIO} onChange={(e) => setFloatIO(e.target.checked)} data-testid="opt-float-io" /> float32 inputs and outputs</label>
          </>
        )}
        {mode !== 'none' && mode !== 'float16' && (
          <label className="check"><input type="checkbox" checked={perTensor} onChange={(e) => setPerTensor(e.target.checked)} /> one weight scale per tensor (default: per channel)</label>
        )}
        {integer && (
          <>
            <h3>Mixed precision</h3>
            {node ? (
              <div className="actions">
                <span className="mono small">{node}</span>
                <button type="button" onClick={() => addRule('float')} data-testid="keep-float">Keep float</button>
                {mode === 'int8' && <button type="button" onClick={() => addRule('int16')}>int16</button>}
              </div>
            ) : <p className="muted small">Select a node on the graph to keep it float or run it in 16 bits.</p>}
            <div className="actions">
              <input type="text" placeholder="/regex/ on node names" value={pattern} onChange={(e) => setPattern(e.target.value)} data-testid="rule-pattern" />
              <button type="button" disabled={!pattern.trim()} onClick={() => { const m = pattern.trim(); setRules((r) => [...r.filter((x) => x.match !== m), { match: /^\/.*\/[a-z]*$/.test(m) ? m : `/${m}/`, precision: 'float' }]); setPattern(''); }}>Keep matches float</button>
            </div>
            {rules.map((r) => (
              <div key={r.match} className="rule small" data-testid="precision-rule">
                <span className="mono">{r.match}</span> → {r.precision}
                <button type="button" onClick={() => setRules((x) => x.filter((y) => y !== r))} aria-label={`remove rule ${r.match}`}>×</button>
              </div>
            ))}
          </>
        )}
        <PruneControls value={pruning} onChange={setPruning} />
        <div className="actions">
          <button type="button" className="primary" disabled={!!job || !spec()} onClick={() => void make()} data-testid="opt-start">Make variant</button>
          {job && <button type="button" onClick={() => controller.cancelOptimize()} data-testid="opt-cancel">Cancel</button>}
        </div>
        {job && <div className="job-inline" role="status" data-testid="opt-job"><span>{job.phase}</span><progress max={1} value={job.fraction} /></div>}
        {error && <p className="warn" data-testid="opt-error">{error.message}</p>}
      </div>
      {latest && <VariantCard v={latest} onRun={onRun} />}
      {variants.length > 1 && (
        <>
          <h3>Variants</h3>
          <ul className="variant-list">
            {variants.map((v) => (
              <li key={v.id}>
                <button type="button" className={v.id === latest?.id ? 'is-current' : ''} onClick={() => { setCurrent(v.id); void controller.showVariant(v.id, v.label); }}>
                  {v.label}
                </button>
              </li>
            ))}
          </ul>
        </>
      )}
    </div>
  );
}
