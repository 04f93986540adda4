'use client';
import type { EvalDataSpec } from '@/lib/compare/eval-data';
import type { LayerError } from '@/lib/compare/types';
import type { NodeHistograms } from '@/lib/compare/histograms';
import type { Metrics } from '@/lib/compare/metrics';
import type { StudioStore } from '@/lib/store/studio-store';
import type { BackendId, RuntimeId } from '@/lib/runtime/types';
import { WorkerClient, WorkerError } from '@/lib/worker/client';
import { toErrorInfo } from '@/lib/worker/protocol';
import type { RunController } from './run-controller';

type Files = Array<{ name: string; bytes: Uint8Array }>;
export type ModelCall = <T>(type: string, payload: unknown, options?: { signal?: AbortSignal; onProgress?: (p: { fraction: number; phase: string }) => void }) => Promise<T | null>;

/** The runtime that reads a format's files natively (and so measures the downloaded file). */
export function nativeRuntime(format: string): RuntimeId {
  return format === 'onnx' ? 'ort' : format === 'tflite' ? 'litert' : 'tfjs';
}

function makeWorker(): Worker {
  return new Worker(new URL('../../workers/runtime.worker.ts', import.meta.url), { type: 'module' });
}

/**
 * Measures variants the same way: evaluation in the runtime that runs the exported file, against
 * the float original in its own runtime; latency through the Run panel's protocol for every
 * runtime x backend the device has; per-layer error from the model worker.
 */
export class CompareController {
  private client: WorkerClient | null = null;
  private abort: AbortController | null = null;

  constructor(
    private readonly store: StudioStore,
    private readonly model: ModelCall,
    private readonly files: (variant: string) => Promise<Files | null>,
    private readonly runs: RunController,
  ) {}

  private get s() {
    return this.store.getState();
  }

  private worker(): WorkerClient {
    if (!this.client || !this.client.alive) this.client = new WorkerClient(makeWorker(), 'evaluation worker');
    return this.client;
  }

  private formatOf(variant: string): string {
    if (variant === 'original') return this.s.model?.summary.format ?? 'onnx';
    if (variant === 'converted') return 'tflite';
    return this.s.variants.find((v) => v.id === variant)?.target ?? 'tflite';
  }

  private begin(): AbortSignal {
    this.cancel();
    this.abort = new AbortController();
    this.s.setCompareError(null);
    return this.abort.signal;
  }

  private end(signal: AbortSignal): void {
    if (this.abort?.signal === signal) { this.abort = null; this.s.setCompareJob(null); }
  }

  cancel(): void {
    if (this.abort) this.runs.cancel();
    this.abort?.abort();
    this.abort = null;
    this.s.setCompareJob(null);
  }

  /** Accuracy (with labels) and agreement with the original of each variant, in its native runtime on wasm. */
  async evaluate(variants: string[], dataset: EvalDataSpec, datasetKey: string): Promise<void> {
    const signal = this.begin();
    try {
      const original = await this.files('original');
      if (!original) return;
      const refRuntime = nativeRuntime(this.formatOf('original'));
      for (const [k, v] of variants.entries()) {
        const files = v === 'original' ? original.map((f) => ({ ...f, bytes: f.bytes.slice() })) : await this.files(v);
        if (!files) continue;
        const runtime = nativeRuntime(this.formatOf(v));
        const label = `Evaluating ${v} (${k + 1}/${variants.length})`;
        const r = await this.worker().call<{ metrics: Metrics; dataset: string; runtime: string; backend: string }>('evaluate', {
          model: { runtime, backend: 'wasm' as BackendId, files },
          ...(v === 'original' ? {} : { reference: { runtime: refRuntime, backend: 'wasm', files: original.map((f) => ({ ...f, bytes: f.bytes.slice() })), key: 'original' } }),
          dataset, datasetKey,
        }, { signal, onProgress: (p) => this.s.setCompareJob({ phase: `${label}: ${p.phase}`, fraction: (k + p.fraction) / variants.length }) });
        this.s.addEval({ variant: v, runtime: r.runtime, backend: r.backend, dataset: r.dataset, metrics: r.metrics, at: Date.now() });
      }
    } catch (e) {
      if (!(e instanceof WorkerError && e.name === 'AbortedError')) this.s.setCompareError(toErrorInfo(e));
      if (signal.aborted) { this.client?.terminate('cancelled'); this.client = null; }
    } finally {
      this.end(signal);
    }
  }

  /** The same latency protocol for every variant on every runtime x backend that takes its format here. */
  async latency(variants: string[], runs = 30, warmup = 5): Promise<void> {
    const signal = this.begin();
    try {
      const a = await this.runs.availability();
      if (!a) return;
      const plan = variants.flatMap((v) => {
        const format = this.formatOf(v);
        const runtimes: RuntimeId[] = format === 'onnx' ? ['ort', 'tfjs'] : format === 'tflite' ? ['litert', 'tfjs'] : ['tfjs'];
        return runtimes.flatMap((runtime) => (a.backends[runtime] ?? [])
          // tfjs cpu is a reference, not a deployment target; webgl only runs tfjs's own formats.
          .filter((backend) => backend !== 'cpu' && !(backend === 'webgl' && runtime === 'tfjs' && format !== 'tfjs-graph' && format !== 'tfjs-layers'))
          .map((backend) => ({ variant: v, runtime, backend })));
      });
      for (const [k, p] of plan.entries()) {
        if (signal.aborted) return;
        this.s.setCompareJob({ phase: `latency ${k + 1} of ${plan.length}: ${p.variant} on ${p.runtime}/${p.backend}`, fraction: k / plan.length });
        await this.runs.run({ ...p, input: { kind: 'random', seed: 1 }, runs, warmup });
        if (this.s.runError) return;
      }
    } finally {
      this.end(signal);
    }
  }

  async layerErrors(variant: string): Promise<LayerError[] | null> {
    const signal = this.begin();
    try {
      this.s.setCompareJob({ phase: `per-layer error of ${variant}`, fraction: 0 });
      const r = await this.model<LayerError[]>('layerErrors', { variant, count: 16 }, { signal });
      if (r) { this.s.setLayerErrors(variant, r); this.s.setHeatVariant(variant); }
      return r;
    } finally {
      this.end(signal);
    }
  }

  /** Float vs quantized weights and activation of one node (null when the worker could not). */
  histograms(variant: string, node: string): Promise<NodeHistograms | null> {
    return this.model<NodeHistograms>('histograms', { variant, node, count: 8 });
  }

  async originalSize(): Promise<void> {
    const r = await this.model<{ bytes: number; gzipBytes: number }>('sizes', { variant: 'original' });
    if (r) this.s.setOriginalSize(r);
  }

  dispose(): void {
    this.cancel();
    this.client?.terminate();
    this.client = null;
  }
}
