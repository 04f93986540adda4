/// <reference lib="webworker" />
// One worker per open model: a hostile file that kills its worker cannot take the open model
// with it, and cancelling a parse is terminating a worker nobody else uses.
import { readModel } from '../lib/formats/registry';
import { fetchModelFiles, readBlobs } from '../lib/session/load';
import { ModelSession } from '../lib/session/session';
import { inferShapes } from '../lib/ir/shapes';
import { serve, type HandlerContext } from '../lib/worker/serve';
import type { InputFile } from '../lib/formats/types';

let session: ModelSession | null = null;
/** The files the model was read from; its constant tensors are views into them. */
let sourceFiles: InputFile[] = [];

function need(): ModelSession {
  if (!session) throw new Error('no model is open in this worker');
  return session;
}

type OpenPayload = { files?: Array<{ name: string; blob: Blob }>; url?: string };

async function open(p: OpenPayload, ctx: HandlerContext) {
  const t0 = performance.now();
  const files = p.url
    ? await fetchModelFiles(p.url, (u, init) => fetch(u, init), (f, phase) => ctx.progress({ fraction: f * 0.5, phase }), ctx.signal)
    : await readBlobs(p.files ?? [], (n, total) => ctx.progress({ fraction: total ? (n / total) * 0.5 : 0, phase: 'reading file' }), ctx.signal);
  const model = await readModel(files, {
    signal: ctx.signal,
    onProgress: (f, phase) => ctx.progress({ fraction: 0.5 + f * 0.45, phase }),
  });
  ctx.progress({ fraction: 0.95, phase: 'shapes' });
  // Fill in the shapes the file leaves out, so edges and the inspector show them. A model our
  // rules cannot follow is still shown as read.
  let shaped = model;
  try {
    shaped = inferShapes(model).model;
  } catch {
    shaped = model;
  }
  session = new ModelSession(shaped);
  sourceFiles = files;
  ctx.progress({ fraction: 0.97, phase: 'layout' });
  const view = session.view(0);
  return { summary: session.summary, graphs: session.graphList(), view, parseMs: performance.now() - t0 };
}

serve(self as unknown as DedicatedWorkerGlobalScope, {
  open: (p: OpenPayload, ctx) => open(p, ctx),
  view: (p: { graphIndex: number; expanded?: string[] }) => need().view(p.graphIndex, p.expanded),
  node: (p: { graphIndex: number; name: string }) => need().node(p.graphIndex, p.name),
  tensor: (p: { graphIndex: number; name: string }) => need().tensor(p.graphIndex, p.name),
  search: (p: { graphIndex: number; query: string }) => need().search(p.graphIndex, p.query),
  // Copies for a runtime worker: this worker keeps its own (the IR's weights are views into them).
  files: (_p: unknown, ctx) => {
    need();
    return sourceFiles.map((f) => {
      const bytes = f.bytes.slice();
      ctx.transfer.push(bytes.buffer);
      return { name: f.name, bytes };
    });
  },
});
