'use client';
import type { StudioStore } from '@/lib/store/studio-store';
import type { RuntimeAvailability } from '@/lib/store/run-slice';
import { WorkerClient, WorkerError } from '@/lib/worker/client';
import { toErrorInfo } from '@/lib/worker/protocol';
import type { BackendId, HostTensor, RuntimeId } from '@/lib/runtime/types';
import { randomHostTensor } from '@/lib/runtime/host-tensor';
import { imageToTensor, type InputSpec, type Normalisation } from '@/lib/run/inputs';
import { isClassVector, latencyStats, summariseTensor, topK } from '@/lib/run/results';
import { readNpy } from '@/lib/npy';

export type InputChoice =
  | { kind: 'random'; seed: number }
  | { kind: 'image'; label: string; rgba: Uint8ClampedArray; width: number; height: number; normalisation: Normalisation }
  | { kind: 'npy'; files: Array<{ name: string; bytes: Uint8Array }> };

export interface RunRequest {
  variant: string;
  runtime: RuntimeId;
  backend: BackendId;
  input: InputChoice;
  runs: number;
  warmup: number;
}

interface Loaded {
  key: string;
  session: number;
  inputs: InputSpec[];
  loadMs: number;
}

function makeWorker(): Worker {
  return new Worker(new URL('../../workers/runtime.worker.ts', import.meta.url), { type: 'module' });
}

/**
 * Runs the open model (or a variant of it) in the runtime worker: load once per
 * variant x runtime x backend, run once for the outputs, then time N runs after warm-up.
 */
export class RunController {
  private client: WorkerClient | null = null;
  private loaded: Loaded | null = null;
  private abort: AbortController | null = null;
  private nextId = 1;

  constructor(
    private store: StudioStore,
    /** The files of a variant, copied out of the model worker. */
    private files: (variant: string) => Promise<Array<{ name: string; bytes: Uint8Array }> | null>,
  ) {}

  private get s() {
    return this.store.getState();
  }

  private worker(): WorkerClient {
    if (!this.client || !this.client.alive) {
      this.client = new WorkerClient(makeWorker(), 'runtime worker');
      this.loaded = null;
    }
    return this.client;
  }

  async availability(): Promise<RuntimeAvailability | null> {
    if (this.s.availability) return this.s.availability;
    try {
      const a = await this.worker().call<RuntimeAvailability>('backends', null);
      this.s.setAvailability(a);
      return a;
    } catch (e) {
      this.s.setRunError(toErrorInfo(e));
      return null;
    }
  }

  /** A new model: sessions of the old one are useless. */
  reset(): void {
    this.cancel();
    if (this.loaded && this.client?.alive) void this.client.call('dispose', {}).catch(() => undefined);
    this.loaded = null;
  }

  reportError(e: unknown): void {
    this.s.setRunError(toErrorInfo(e));
  }

  cancel(): void {
    this.abort?.abort();
    this.abort = null;
    this.s.setRunJob(null);
  }

  async run(req: RunRequest): Promise<void> {
    this.cancel();
    const abort = new AbortController();
    this.abort = abort;
    const signal = abort.signal;
    const job = (phase: string, fraction: number) => this.s.setRunJob({ phase, fraction });
    this.s.setRunError(null);
    try {
      const key = `${req.variant}|${req.runtime}|${req.backend}`;
      let loaded = this.loaded;
      if (!loaded || loaded.key !== key || !this.client?.alive) {
        job('preparing model', 0);
        const files = await this.files(req.variant);
        if (!files) throw new Error('no model is open');
        const w = this.worker();
        if (this.loaded) await w.call('dispose', {}).catch(() => undefined);
        this.loaded = null;
        const r = await w.call<{ session: number; inputs: InputSpec[]; loadMs: number }>(
          'load',
          { runtime: req.runtime, backend: req.backend, files },
          { signal, transfer: files.map((f) => f.bytes.buffer as ArrayBuffer), onProgress: (p) => job(p.phase, p.fraction * 0.3) },
        );
        loaded = { key, session: r.session, inputs: r.inputs, loadMs: r.loadMs };
        this.loaded = loaded;
      }
      const inputs = buildInputs(loaded.inputs, req.input);
      job('running', 0.3);
      const first = await this.worker().call<{ outputs: HostTensor[]; ms: number }>('run', { session: loaded.session, inputs }, { signal });
      const b = await this.worker().call<{ latencies: number[] }>(
        'bench',
        { session: loaded.session, inputs, runs: req.runs, warmup: req.warmup },
        { signal, onProgress: (p) => job(p.phase, 0.3 + 0.7 * p.fraction) },
      );
      const labels = this.s.model?.labels;
      const cls = first.outputs.find(isClassVector);
      this.s.addRun({
        id: this.nextId++,
        variant: req.variant,
        runtime: req.runtime,
        backend: req.backend,
        input: describeInput(req.input),
        loadMs: loaded.loadMs,
        latency: latencyStats(b.latencies),
        // One untimed first run, then the warm-up runs.
        warmup: req.warmup + 1,
        outputs: first.outputs.map(summariseTensor),
        ...(cls ? { top: topK(cls, 5).map((t) => ({ ...t, ...(labels?.[t.index] ? { label: labels[t.index] } : {}) })) } : {}),
        at: Date.now(),
      });
    } catch (e) {
      if (!(e instanceof WorkerError && e.name === 'AbortedError')) this.s.setRunError(toErrorInfo(e));
      // A runtime stuck in a wasm call cannot see the signal: a new worker is the backstop.
      if (signal.aborted) {
        this.client?.terminate('cancelled');
        this.client = null;
        this.loaded = null;
      }
    } finally {
      if (this.abort === abort) {
        this.abort = null;
        this.s.setRunJob(null);
      }
    }
  }

  dispose(): void {
    this.cancel();
    this.client?.terminate();
    this.client = null;
  }
}

function buildInputs(specs: InputSpec[], choice: InputChoice): HostTensor[] {
  if (choice.kind === 'random') return specs.map((s, i) => randomHostTensor(s, { seed: choice.seed + i, min: 0, max: 1 }));
  if (choice.kind === 'image') {
    if (specs.length !== 1) throw new Error(`an image fills one input, but the model has ${specs.length}`);
    return [imageToTensor(choice.rgba, choice.width, choice.height, specs[0]!, choice.normalisation)];
  }
  if (choice.files.length !== specs.length) {
    throw new Error(`the model has ${specs.length} input(s) (${specs.map((s) => s.name).join(', ')}), ${choice.files.length} .npy file(s) given`);
  }
  return choice.files.map((f, i) => {
    const t = readNpy(f.bytes, f.name, specs[i]!.name);
    const want = specs[i]!;
    if (t.dtype !== want.dtype) throw new Error(`${f.name}: dtype ${t.dtype}, but input '${want.name}' takes ${want.dtype}`);
    const bad = want.shape.length !== t.shape.length || want.shape.some((d, k) => d !== null && d !== t.shape[k]);
    if (bad) throw new Error(`${f.name}: shape [${t.shape.join(', ')}] does not fit input '${want.name}' [${want.shape.map((d) => d ?? '?').join(', ')}]`);
    return t;
  });
}

function describeInput(c: InputChoice): string {
  if (c.kind === 'random') return `random (seed ${c.seed})`;
  if (c.kind === 'image') return `${c.label} (${c.normalisation})`;
  return c.files.map((f) => f.name).join(', ');
}

