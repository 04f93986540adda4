'use client';
import { useEffect, useState } from 'react';
import { useController, useStudio } from '@/components/studio/StudioContext';
import { fmtBytes } from '@/components/panels/format';
import { defaultShapeText, hasUnknownDims, parseShape } from './shape-text';
import { ConversionReportView } from './ConversionReportView';

export function ConvertPanel({ onRun }: { onRun(): void }) {
  const controller = useController();
  const model = useStudio((s) => s.model);
  const conversion = useStudio((s) => s.conversion);
  const job = useStudio((s) => s.convertJob);
  const error = useStudio((s) => s.convertError);
  const split = useStudio((s) => s.split);
  const setSplit = useStudio((s) => s.setSplit);
  const [keepLayout, setKeepLayout] = useState(false);
  const [shapes, setShapes] = useState<Record<string, string>>({});
  const [preview, setPreview] = useState<string | null>(null);
  const inputs = model?.summary.inputs ?? [];
  // Reset for each newly opened model only: fixing shapes updates the summary too.
  const loadSeq = useStudio((s) => s.loadSeq);
  const fixedShapes = useStudio((s) => s.fixedShapes);
  useEffect(() => {
    setShapes(Object.fromEntries(inputs.filter((i) => hasUnknownDims(i.shape)).map((i) => [i.name, defaultShapeText(i.shape)])));
    setPreview(null);
  }, [loadSeq]); // eslint-disable-line react-hooks/exhaustive-deps
  // Shapes fixed elsewhere (the input's inspector) show here too.
  useEffect(() => {
    setShapes((s) => ({ ...s, ...Object.fromEntries(Object.entries(fixedShapes).map(([n, d]) => [n, d.join('x')])) }));
  }, [fixedShapes]);

  if (!model) return <div className="panel empty">Open a model to convert it.</div>;
  const format = model.summary.format;
  const bad = Object.entries(shapes).filter(([, t]) => !parseShape(t)).map(([n]) => n);
  const fixed = () => Object.fromEntries(Object.entries(shapes).map(([n, t]) => [n, parseShape(t)!]));
  const start = () => {
    const inputShapes = fixed();
    void controller.convert({ ...(Object.keys(inputShapes).length ? { inputShapes } : {}), ...(format === 'onnx' ? { keepLayout } : {}) });
  };

  return (
    <div className="panel convert" data-testid="convert-panel">
      <h2>Convert to TFLite</h2>
      <div className="form">
        {Object.keys(shapes).length > 0 && (
          <>
            <p className="muted small">TFLite runtimes want static shapes: fix the unknown dimensions.</p>
            {Object.entries(shapes).map(([name, text]) => (
              <label key={name}>
                <span className="mono">{name}</span>
                <input type="text" value={text} data-testid="shape-input" aria-invalid={!parseShape(text)}
                  onChange={(e) => setShapes((s) => ({ ...s, [name]: e.target.value }))} />
              </label>
            ))}
            <div className="actions">
              <button type="button" disabled={bad.length > 0} data-testid="shape-apply"
                onClick={() => void controller.previewInputShapes(fixed()).then(setPreview)}>Show shapes on the graph</button>
            </div>
            {preview && <p className="muted small" data-testid="shape-preview">{preview}</p>}
          </>
        )}
        {format === 'onnx' && (
          <label className="check">
            <input type="checkbox" checked={keepLayout} onChange={(e) => setKeepLayout(e.target.checked)} />
            Keep NCHW at the inputs and outputs (default: NHWC, as TFLite users expect)
          </label>
        )}
        <div className="actions">
          <button type="button" className="primary" disabled={!!job || bad.length > 0} onClick={start} data-testid="convert-start">Convert</button>
        </div>
        {bad.length > 0 && <p className="warn">Not a shape: {bad.join(', ')} (write e.g. 1x3x224x224)</p>}
        {job && (
          <div className="job-inline" role="status"><span>{job.phase}</span><progress max={1} value={job.fraction} /></div>
        )}
        {error && <p className="warn" data-testid="convert-error">{error.message}</p>}
      </div>
      {conversion && (
        <div className="conversion" data-testid="conversion">
          {conversion.converted ? (
            <p className="ok" data-testid="convert-ok">
              Converted in {conversion.ms.toFixed(0)} ms: {conversion.summary?.nodeCount} TFLite ops, {fmtBytes(conversion.bytes ?? 0)}
            </p>
          ) : (
            <p className="warn" data-testid="convert-failed">Stopped: the model has ops that cannot be converted. Nothing was written.</p>
          )}
          {conversion.converted && (
            <div className="actions">
              <button type="button" className="primary" onClick={() => void controller.download('converted')} data-testid="export-tflite">Export .tflite</button>
              <button type="button" onClick={() => setSplit(!split)}>{split ? 'Hide converted graph' : 'Show beside original'}</button>
              <button type="button" onClick={onRun}>Run it…</button>
            </div>
          )}
          <ConversionReportView conversion={conversion} onPick={(n) => void controller.selectNode(n)} />
        </div>
      )}
    </div>
  );
}
