/// <reference lib="webworker" />
// Runs models for the Run panel, off the page's thread. A runtime that aborts (out of memory,
// a wasm trap) kills only this worker; the page makes a new one and the open model is untouched.
import type { Model } from '../lib/ir/types';
import { readModel } from '../lib/formats/registry';
import { AbortedError } from '../lib/formats/errors';
import { browserThreads, loadLiteRtBrowser, prepareTfjsBrowser } from '../lib/runtime/browser-loaders';
import { setLiteRtLoader } from '../lib/runtime/litert';
import { getRuntime, RUNTIME_IDS } from '../lib/runtime/registry';
import type { BackendId, HostTensor, RuntimeAdapter, RuntimeId, RuntimeSession } from '../lib/runtime/types';
import { serve, type HandlerContext } from '../lib/worker/serve';
import { evalData, type EvalDataSpec } from '../lib/compare/eval-data';
import { runSamples } from '../lib/compare/evaluate';
import { alignOutputs } from '../lib/compare/datasets';
import { metrics } from '../lib/compare/metrics';
import { decodeImageBlob } from '../lib/run/decode-image';

const sessions = new Map<number, RuntimeSession>();
let nextSession = 1;
let tfjsReady: Promise<void> | null = null;

// litert.ts takes its loader from outside: Node and browsers load LiteRT.js differently.
setLiteRtLoader(() => loadLiteRtBrowser());

/** The adapter, with the browser-side preparation its runtime needs done first. */
async function adapter(id: RuntimeId): Promise<RuntimeAdapter> {
  if (id === 'tfjs') {
    tfjsReady ??= (async () => prepareTfjsBrowser({ wasm: await import('@tensorflow/tfjs-backend-wasm'), webgpu: await import('@tensorflow/tfjs-backend-webgpu') }))();
    await tfjsReady;
  }
  return getRuntime(id);
}

function need(id: number): RuntimeSession {
  const s = sessions.get(id);
  if (!s) throw new Error(`no runtime session ${id} in this worker (disposed, or the worker restarted)`);
  return s;
}

/** Copies outputs out of runtime-owned memory (wasm heaps cannot be transferred) and lists their buffers. */
function detach(outputs: HostTensor[], ctx: HandlerContext): HostTensor[] {
  return outputs.map((t) => {
    const data = t.data.slice() as HostTensor['data'];
    ctx.transfer.push(data.buffer as ArrayBuffer);
    return { name: t.name, dtype: t.dtype, shape: [...t.shape], data };
  });
}

async function backends() {
  const out: Partial<Record<RuntimeId, BackendId[]>> = {};
  const errors: Partial<Record<RuntimeId, string>> = {};
  for (const id of RUNTIME_IDS) {
    try {
      out[id] = await (await adapter(id)).availableBackends();
    } catch (e) {
      errors[id] = e instanceof Error ? e.message : String(e);
    }
  }
  return { backends: out, errors, crossOriginIsolated: self.crossOriginIsolated, threads: browserThreads() };
}

interface LoadPayload {
  runtime: RuntimeId;
  backend: BackendId;
  /** Model files (ORT / LiteRT need the bytes; tfjs reads them into the IR when `model` is absent). */
  files?: Array<{ name: string; bytes: Uint8Array }>;
  model?: Model;
  threads?: number;
}

async function load(p: LoadPayload, ctx: HandlerContext) {
  const t0 = performance.now();
  ctx.progress({ fraction: 0.05, phase: `starting ${p.runtime}` });
  const a = await adapter(p.runtime);
  let model = p.model;
  const bytes = p.files?.[0]?.bytes;
  if (p.runtime === 'tfjs' && !model) {
    if (!p.files?.length) throw new Error('tfjs needs the model (IR) or its files');
    ctx.progress({ fraction: 0.2, phase: 'reading model' });
    model = await readModel(p.files, { signal: ctx.signal });
  }
  ctx.progress({ fraction: 0.4, phase: `loading on ${p.backend}` });
  const session = await a.load({ bytes, model }, { backend: p.backend, threads: p.threads ?? browserThreads(), signal: ctx.signal });
  const id = nextSession++;
  sessions.set(id, session);
  return { session: id, runtime: session.runtime, backend: session.backend, inputs: session.inputs, outputs: session.outputs, loadMs: performance.now() - t0 };
}

async function run(p: { session: number; inputs: HostTensor[] }, ctx: HandlerContext) {
  const s = need(p.session);
  const t0 = performance.now();
  const outputs = await s.run(p.inputs);
  const ms = performance.now() - t0;
  return { outputs: detach(outputs, ctx), ms };
}

/** Latency of `runs` timed runs after `warmup` untimed ones; cancellable between runs. */
async function bench(p: { session: number; inputs: HostTensor[]; runs: number; warmup?: number }, ctx: HandlerContext) {
  const s = need(p.session);
  const runs = Math.max(1, Math.min(10_000, Math.floor(p.runs)));
  const warmup = Math.max(0, Math.min(1_000, Math.floor(p.warmup ?? 1)));
  const total = runs + warmup;
  const latencies: number[] = [];
  for (let i = 0; i < total; i++) {
    if (ctx.signal.aborted) throw new AbortedError();
    const t0 = performance.now();
    await s.run(p.inputs);
    const ms = performance.now() - t0;
    if (i >= warmup) latencies.push(ms);
    ctx.progress({ fraction: (i + 1) / total, phase: i < warmup ? 'warm-up' : `run ${i + 1 - warmup} of ${runs}` });
  }
  return { latencies, runs, warmup };
}

interface EvalPayload {
  /** The model to measure, and the one to compare with (the float original), each in its own runtime. */
  model: LoadPayload;
  reference?: LoadPayload & { key: string };
  dataset: EvalDataSpec;
  /** Identifies the dataset for caching the reference's outputs. */
  datasetKey: string;
}

const referenceOutputs = new Map<string, HostTensor[][]>();

async function loadFor(p: LoadPayload, ctx: HandlerContext): Promise<{ session: RuntimeSession; model: Model }> {
  const a = await adapter(p.runtime);
  const model = p.model ?? (await readModel(p.files ?? [], { signal: ctx.signal }));
  const session = await a.load({ bytes: p.files?.[0]?.bytes, model }, { backend: p.backend, threads: p.threads ?? browserThreads(), signal: ctx.signal });
  return { session, model };
}

/** Accuracy and agreement of a model on a dataset, measured in the runtime the user picked. */
async function evaluate(p: EvalPayload, ctx: HandlerContext) {
  const env = { fetchBytes: async (u: string) => new Uint8Array(await (await fetch(u)).arrayBuffer()), decodeImage: decodeImageBlob };
  ctx.progress({ fraction: 0.02, phase: 'loading' });
  const { session, model } = await loadFor(p.model, ctx);
  try {
    const data = await evalData(model, p.dataset, env);
    let reference: HostTensor[][] | undefined;
    if (p.reference) {
      const key = `${p.reference.key}|${p.datasetKey}`;
      reference = referenceOutputs.get(key);
      if (!reference) {
        const r = await loadFor(p.reference, ctx);
        try {
          const refData = await evalData(r.model, p.dataset, env);
          reference = await runSamples(r.session, r.model, refData.sets, (d, n) => ctx.progress({ fraction: 0.05 + 0.45 * (d / n), phase: `reference ${d}/${n}` }), ctx.signal);
          referenceOutputs.set(key, reference);
        } finally {
          r.session.dispose();
        }
      }
    }
    const outputs = await runSamples(session, model, data.sets, (d, n) => ctx.progress({ fraction: 0.5 + 0.5 * (d / n), phase: `evaluating ${d}/${n}` }), ctx.signal);
    // A converted variant may hold its outputs in another layout (NHWC) than the float original.
    const aligned = reference?.map((r, i) => alignOutputs(r, outputs[i] ?? [], 'the float original'));
    return { metrics: metrics(outputs, aligned, data.labels), dataset: data.description, classes: data.classes, runtime: session.runtime, backend: session.backend };
  } finally {
    session.dispose();
  }
}

function dispose(p: { session?: number }) {
  const ids = p.session === undefined ? [...sessions.keys()] : [p.session];
  for (const id of ids) {
    sessions.get(id)?.dispose();
    sessions.delete(id);
  }
  return { disposed: ids.length };
}

serve(self as unknown as DedicatedWorkerGlobalScope, {
  backends: () => backends(),
  load: (p: LoadPayload, ctx) => load(p, ctx),
  run: (p: { session: number; inputs: HostTensor[] }, ctx) => run(p, ctx),
  bench: (p: { session: number; inputs: HostTensor[]; runs: number; warmup?: number }, ctx) => bench(p, ctx),
  dispose: (p: { session?: number }) => dispose(p),
  evaluate: (p: EvalPayload, ctx) => evaluate(p, ctx),
});
