/// <reference lib="webworker" />
// One worker per open model: a hostile file that kills its worker cannot take the open model
// with it, and cancelling a parse is terminating a worker nobody else uses.
import { readModel } from '../lib/formats/registry';
import { decodeImageBlob } from '../lib/run/decode-image';
import { fetchModelFiles, readBlobs, sniffBlobs } from '../lib/session/load';
import { Workspace } from '../lib/session/workspace';
import type { ToTfliteOptions } from '../lib/transforms/to-tflite';
import { serve, type HandlerContext } from '../lib/worker/serve';

let ws: Workspace | null = null;
// Quantize / prune brings tfjs (calibration, estimates): loaded on the first such request only,
// so opening a model never waits for it.
let optimizer: Promise<import('../lib/session/optimize').Optimizer> | null = null;

function need(): Workspace {
  if (!ws) throw new Error('no model is open in this worker');
  return ws;
}

type OpenPayload = { files?: Array<{ name: string; blob: Blob }>; url?: string; showConstants?: boolean };
type On<T> = T & { variant?: string };

async function open(p: OpenPayload, ctx: HandlerContext) {
  const t0 = performance.now();
  if (p.files) await sniffBlobs(p.files);
  const files = p.url
    ? await fetchModelFiles(p.url, (u, init) => fetch(u, init), (f, phase) => ctx.progress({ fraction: f * 0.5, phase }), ctx.signal)
    : await readBlobs(p.files ?? [], (n, total) => ctx.progress({ fraction: total ? (n / total) * 0.5 : 0, phase: 'reading file' }), ctx.signal);
  const model = await readModel(files, {
    signal: ctx.signal,
    onProgress: (f, phase) => ctx.progress({ fraction: 0.5 + f * 0.45, phase }),
  });
  ctx.progress({ fraction: 0.95, phase: 'shapes and layout' });
  ws = new Workspace(model, files);
  optimizer = null;
  const s = ws.original;
  return { summary: s.summary, graphs: s.graphList(), view: s.view(0, undefined, { showConstants: p.showConstants }), parseMs: performance.now() - t0 };
}

function getOptimizer(w: Workspace) {
  optimizer ??= (async () => {
    const [{ Optimizer }, { prepareTfjsBrowser }, wasm] = await Promise.all([
      import('../lib/session/optimize'), import('../lib/runtime/browser-loaders'), import('@tensorflow/tfjs-backend-wasm'),
    ]);
    await prepareTfjsBrowser({ wasm });
    return new Optimizer(w, {
      fetchBytes: async (url) => {
        const r = await fetch(url);
        if (!r.ok) throw new Error(`${url}: HTTP ${r.status}`);
        return new Uint8Array(await r.arrayBuffer());
      },
      decodeImage: decodeImageBlob,
    });
  })();
  optimizer.catch(() => { optimizer = null; });
  return optimizer;
}

function transferAll(files: Array<{ bytes: Uint8Array }>, ctx: HandlerContext) {
  for (const f of files) ctx.transfer.push(f.bytes.buffer as ArrayBuffer);
  return files;
}

serve(self as unknown as DedicatedWorkerGlobalScope, {
  open: (p: OpenPayload, ctx) => open(p, ctx),
  /** A spare worker's warm-up while it waits for the next drop (lib/session/warm.ts). */
  warm: async () => (await import('../lib/session/warm')).warmUp(),
  view: (p: On<{ graphIndex: number; expanded?: string[]; showConstants?: boolean }>) => need().session(p.variant).view(p.graphIndex, p.expanded, { showConstants: p.showConstants }),
  node: (p: On<{ graphIndex: number; name: string }>) => need().session(p.variant).node(p.graphIndex, p.name),
  tensor: (p: On<{ graphIndex: number; name: string }>) => need().session(p.variant).tensor(p.graphIndex, p.name),
  search: (p: On<{ graphIndex: number; query: string }>) => need().session(p.variant).search(p.graphIndex, p.query),
  inputShapes: (p: { inputShapes: Record<string, number[]> }) => {
    const w = need();
    const r = w.setInputShapes(p.inputShapes);
    const s = w.original;
    return { ...r, summary: s.summary, view: s.view(0) };
  },
  convert: (p: ToTfliteOptions, ctx) => need().convert(p, (f, phase) => ctx.progress({ fraction: f, phase }), ctx.signal),
  files: (p: { variant?: string }, ctx) => transferAll(need().variantFiles(p.variant ?? 'original'), ctx),
  optimize: async (p: import('../lib/session/optimize').OptimizeSpec, ctx) => {
    const w = need();
    const opt = await getOptimizer(w);
    const r = await opt.run(p, (f, phase) => ctx.progress({ fraction: f, phase }), ctx.signal);
    const s = w.session(r.id);
    return { variant: r, summary: s.summary, view: s.view(0) };
  },
  layerErrors: async (p: { variant: string; count?: number }, ctx) => (await getOptimizer(need())).layerErrors(p.variant, p.count ?? 16, ctx.signal),
  histograms: async (p: { variant: string; node: string; count?: number }, ctx) => (await getOptimizer(need())).histograms(p.variant, p.node, p.count ?? 8, ctx.signal),
  /** The node in the other pane's graph that stands for `name` (synchronised selection). */
  counterpart: async (p: { from?: string; to?: string; name: string }) => {
    const { counterpart } = await import('../lib/compare/counterpart');
    const w = need();
    return counterpart(w.session(p.from).graphs[0]!, w.session(p.to).graphs[0]!, p.name);
  },
  /** A variant kept from an earlier visit (IndexedDB): its bytes become a session again. */
  restoreVariant: async (p: { id: string; fileName: string; bytes: Uint8Array; recipe: import('../lib/transforms/types').Recipe }) => {
    const model = await readModel([{ name: p.fileName, bytes: p.bytes }]);
    const s = need().addVariant(p.id, { ...model, name: p.fileName }, p.bytes, p.recipe);
    return { summary: s.summary };
  },
  sizes: async (p: { variant?: string }) => {
    const { gzipSync } = await import('fflate');
    const f = need().variantFiles(p.variant ?? 'original');
    const all = f.reduce((a, x) => a + x.bytes.length, 0);
    return { bytes: all, gzipBytes: f.reduce((a, x) => a + gzipSync(x.bytes, { level: 6 }).length, 0) };
  },
});
