'use client';
import { useEffect, useState } from 'react';
import { useController, useStudio } from '@/components/studio/StudioContext';
import type { BackendId, RuntimeId } from '@/lib/runtime/types';
import type { Normalisation } from '@/lib/run/inputs';
import type { InputChoice } from '@/components/studio/run-controller';
import { decodeImage, loadSampleImages, type SampleImage } from './sample-images';
import { RunResults } from './RunResults';

const RUNTIME_LABEL: Record<RuntimeId, string> = { ort: 'onnxruntime-web', litert: 'LiteRT.js', tfjs: 'TensorFlow.js (IR executor)' };

/** Which runtimes can take a model of this format (ORT reads ONNX, LiteRT reads .tflite, tfjs runs our IR). */
function runtimesFor(format: string): RuntimeId[] {
  if (format === 'onnx') return ['ort', 'tfjs'];
  if (format === 'tflite') return ['litert', 'tfjs'];
  return ['tfjs'];
}

export function RunPanel() {
  const controller = useController();
  const model = useStudio((s) => s.model);
  const availability = useStudio((s) => s.availability);
  const job = useStudio((s) => s.runJob);
  const error = useStudio((s) => s.runError);
  const [runtime, setRuntime] = useState<RuntimeId>('ort');
  const [backend, setBackend] = useState<BackendId>('wasm');
  const [source, setSource] = useState<'random' | 'sample' | 'image' | 'npy'>('random');
  const [sampleIndex, setSampleIndex] = useState(0);
  const [samples, setSamples] = useState<SampleImage[]>([]);
  const [image, setImage] = useState<SampleImage | null>(null);
  const [npy, setNpy] = useState<Array<{ name: string; bytes: Uint8Array }>>([]);
  const [norm, setNorm] = useState<Normalisation>('unit');
  const [runs, setRuns] = useState(20);
  const converted = useStudio((s) => s.conversion?.converted === true);
  const variants = useStudio((s) => s.variants);
  const [variant, setVariant] = useState<string>('original');
  // The newest model made (converted, then each quantized / pruned variant) is the one to run next.
  useEffect(() => {
    setVariant(variants.at(-1)?.id ?? (converted ? 'converted' : 'original'));
  }, [converted, variants.length]); // eslint-disable-line react-hooks/exhaustive-deps

  const made = variants.find((v) => v.id === variant);
  const format = variant === 'converted' ? 'tflite' : made ? made.target : model?.summary.format ?? 'onnx';
  const runtimes = runtimesFor(format);
  useEffect(() => {
    void controller.runs.availability();
    void loadSampleImages().then(setSamples);
  }, [controller]);
  useEffect(() => {
    if (!runtimes.includes(runtime)) setRuntime(runtimes[0]!);
  }, [format, variant]); // eslint-disable-line react-hooks/exhaustive-deps
  const backends = availability?.backends[runtime] ?? [];
  useEffect(() => {
    if (backends.length && !backends.includes(backend)) setBackend(backends[0]!);
  }, [runtime, availability]); // eslint-disable-line react-hooks/exhaustive-deps

  if (!model) return <div className="panel empty">Open a model to run it.</div>;

  const input = (): InputChoice | null => {
    if (source === 'random') return { kind: 'random', seed: 1 };
    if (source === 'sample') {
      const s = samples[sampleIndex];
      return s ? { kind: 'image', label: s.label, rgba: s.rgba, width: s.width, height: s.height, normalisation: norm } : null;
    }
    if (source === 'image') return image ? { kind: 'image', label: image.label, rgba: image.rgba, width: image.width, height: image.height, normalisation: norm } : null;
    return npy.length ? { kind: 'npy', files: npy } : null;
  };
  const start = () => {
    const i = input();
    if (i) void controller.runs.run({ variant, runtime, backend, input: i, runs, warmup: 3 });
  };

  return (
    <div className="panel run" data-testid="run-panel">
      <h2>Run on this device</h2>
      <div className="form">
        {(converted || variants.length > 0) && (
          <label>Model
            <select value={variant} onChange={(e) => setVariant(e.target.value)} data-testid="run-variant">
              <option value="original">original ({model.summary.format})</option>
              {converted && <option value="converted">converted (.tflite)</option>}
              {variants.map((v) => <option key={v.id} value={v.id}>{v.label} (.{v.target})</option>)}
            </select>
          </label>
        )}
        <label>Runtime
          <select value={runtime} onChange={(e) => setRuntime(e.target.value as RuntimeId)} data-testid="run-runtime">
            {runtimes.map((r) => <option key={r} value={r}>{RUNTIME_LABEL[r]}</option>)}
          </select>
        </label>
        <label>Backend
          <select value={backend} onChange={(e) => setBackend(e.target.value as BackendId)} data-testid="run-backend">
            {backends.map((b) => <option key={b} value={b}>{b}</option>)}
          </select>
        </label>
        {availability && (
          <p className="muted small">
            Found: {Object.entries(availability.backends).map(([r, b]) => `${r} ${b.join('/')}`).join('; ')}
            {availability.crossOriginIsolated ? `; ${availability.threads} wasm threads` : '; single-threaded (not cross-origin isolated)'}
          </p>
        )}
        <label>Input
          <select value={source} onChange={(e) => setSource(e.target.value as typeof source)} data-testid="run-input">
            <option value="random">Random (seeded)</option>
            <option value="sample">Bundled sample image</option>
            <option value="image">Upload an image…</option>
            <option value="npy">.npy file(s)…</option>
          </select>
        </label>
        {source === 'sample' && (
          <select value={sampleIndex} onChange={(e) => setSampleIndex(Number(e.target.value))} data-testid="run-sample">
            {samples.map((s, i) => <option key={i} value={i}>{s.label}</option>)}
          </select>
        )}
        {source === 'image' && (
          <input type="file" accept="image/*" onChange={(e) => {
            const f = e.target.files?.[0];
            if (f) void decodeImage(f).then(setImage, (err: Error) => controller.runs.reportError(err));
          }} />
        )}
        {source === 'npy' && (
          <input type="file" accept=".npy" multiple data-testid="run-npy" onChange={(e) => {
            void Promise.all(Array.from(e.target.files ?? [], async (f) => ({ name: f.name, bytes: new Uint8Array(await f.arrayBuffer()) }))).then(setNpy);
          }} />
        )}
        {(source === 'sample' || source === 'image') && (
          <label>Pixels to
            <select value={norm} onChange={(e) => setNorm(e.target.value as Normalisation)}>
              <option value="unit">[0, 1]</option>
              <option value="signed">[-1, 1]</option>
              <option value="imagenet">ImageNet mean/std</option>
              <option value="raw">0…255</option>
            </select>
          </label>
        )}
        <label>Timed runs
          <input type="number" min={1} max={1000} value={runs} onChange={(e) => setRuns(Math.max(1, Math.min(1000, Number(e.target.value) || 1)))} />
        </label>
        <div className="actions">
          <button type="button" onClick={start} disabled={!!job || !backends.includes(backend)} data-testid="run-start">Run</button>
          {job && <button type="button" onClick={() => controller.runs.cancel()} data-testid="run-cancel">Cancel</button>}
        </div>
        {job && (
          <div className="job-inline" role="status" data-testid="run-job">
            <span>{job.phase}</span>
            <progress max={1} value={job.fraction} />
          </div>
        )}
        {error && <p className="warn" data-testid="run-error">{error.message}</p>}
      </div>
      <RunResults />
    </div>
  );
}
