'use client';
import type { StudioStore } from '@/lib/store/studio-store';
import { WorkerClient, WorkerError } from '@/lib/worker/client';
import type { ModelSummary } from '@/lib/ir/summary';
import type { GraphInfo, ViewResult } from '@/lib/session/session';
import type { NodeDetails, TensorDetails } from '@/lib/ir/details';
import type { SearchHit } from '@/lib/graph-view/types';
import { RunController } from './run-controller';
import type { ToTfliteOptions } from '@/lib/transforms/to-tflite';
import type { ConvertResult } from '@/lib/session/workspace';
import type { OptimizedVariant, OptimizeSpec } from '@/lib/session/optimize';
import { CompareController } from './compare-controller';
import { Keeper } from './keeper';
import { download as saveFile } from '@/components/compare/download';

export type ModelSource =
  | { kind: 'files'; files: Array<{ name: string; blob: Blob }>; label: string }
  | { kind: 'url'; url: string; label: string; /** JSON with class `labels`, for gallery samples. */ infoUrl?: string };

interface OpenResult {
  summary: ModelSummary;
  graphs: GraphInfo[];
  view: ViewResult;
  parseMs: number;
}

function makeWorker(): Worker {
  return new Worker(new URL('../../workers/model.worker.ts', import.meta.url), { type: 'module' });
}

/**
 * Owns the model workers and writes results into the store. The open model keeps its worker
 * until another model has opened successfully, so a bad file never costs the user what they had.
 */
export class StudioController {
  private current: { client: WorkerClient; source: ModelSource } | null = null;
  /**
   * A model worker started ahead of the next open: loading and compiling the worker's code is
   * ~100 ms that an open would otherwise wait for. Still one fresh worker per model.
   */
  private spare: WorkerClient | null = null;
  private disposed = false;
  private opening: { client: WorkerClient; abort: AbortController } | null = null;
  private seq = 0;
  private optimizing: AbortController | null = null;
  readonly runs: RunController;

  readonly compare: CompareController;
  private readonly keeper: Keeper;

  constructor(private store: StudioStore) {
    this.runs = new RunController(store, (variant) => this.variantFiles(variant));
    this.compare = new CompareController(store, (type, payload, options) => this.call(type, payload, options), (v) => this.variantFiles(v), this.runs);
    this.keeper = new Keeper(store, (v) => this.variantFiles(v), async (p) => !!(await this.call('restoreVariant', p, {})));
  }

  /** Copies of a variant's files, for the runtime worker. */
  private async variantFiles(variant: string): Promise<Array<{ name: string; bytes: Uint8Array }> | null> {
    return this.call<Array<{ name: string; bytes: Uint8Array }>>('files', { variant });
  }

  private get s() {
    return this.store.getState();
  }

  /**
   * Opens what was open before the page reloaded, with its variants and measurements; false when
   * nothing was kept (the caller then opens the default sample).
   */
  async openKept(key?: string): Promise<boolean> {
    void this.keeper.refreshRecent();
    const w = await this.keeper.saved(key);
    if (!w) return false;
    return this.open(w.source);
  }

  /** Drops a kept model (its files, variants and results) from the browser's storage. */
  forgetKept(key: string): Promise<void> {
    return this.keeper.forget(key);
  }

  async open(source: ModelSource): Promise<boolean> {
    this.cancelOpen();
    const client = this.spare?.alive ? this.spare : new WorkerClient(makeWorker(), 'model reader');
    this.spare = null;
    const abort = new AbortController();
    this.opening = { client, abort };
    this.s.setError(null);
    this.s.setJob({ label: `Opening ${source.label}`, fraction: 0, phase: 'starting' });
    const payload = { ...(source.kind === 'url' ? { url: source.url } : { files: source.files }), showConstants: this.s.showConstants };
    try {
      const res = await client.call<OpenResult>('open', payload, {
        signal: abort.signal,
        onProgress: (p) => this.s.setJob({ label: `Opening ${source.label}`, fraction: p.fraction, phase: p.phase }),
      });
      this.current?.client.terminate();
      this.current = { client, source };
      this.runs.reset();
      const labels = source.kind === 'url' && source.infoUrl ? await fetchLabels(source.infoUrl) : undefined;
      this.s.setModel(
        { summary: res.summary, graphs: res.graphs, parseMs: res.parseMs, source: source.label, ...(labels ? { labels } : {}) },
        res.view.view,
        res.view.expanded,
      );
      // The graph shows first; a kept workspace of this model then refills its variants.
      void this.keeper.opened(source);
      return true;
    } catch (e) {
      client.terminate();
      if (!(e instanceof WorkerError && e.name === 'AbortedError')) this.s.setError(errorInfo(e, source.label));
      return false;
    } finally {
      if (this.opening?.client === client) {
        this.opening = null;
        this.s.setJob(null);
      }
      // Warm the next worker once this open has settled (off the main thread's busy frame).
      setTimeout(() => this.warmSpare(), 0);
    }
  }

  /** Starts the next model worker and runs the open path once in it on tiny models (V8 compiles on first call). */
  private warmSpare(): void {
    if (this.disposed || this.spare?.alive) return;
    const spare = new WorkerClient(makeWorker(), 'model reader');
    this.spare = spare;
    // A warm-up that fails costs nothing but its speed-up.
    spare.call('warm', {}).catch(() => {});
  }

  cancelOpen(): void {
    if (!this.opening) return;
    this.opening.abort.abort();
    // A reader stuck on a hostile file may never look at its signal: terminate is the backstop.
    this.opening.client.terminate('cancelled');
    this.opening = null;
    this.s.setJob(null);
  }

  /** Calls the open model's worker; if that worker died, reopens the model and says so. */
  private async call<T>(type: string, payload: unknown, options?: { signal?: AbortSignal; onProgress?: (p: { fraction: number; phase: string }) => void }): Promise<T | null> {
    const cur = this.current;
    if (!cur) return null;
    try {
      return await cur.client.call<T>(type, payload, options ?? {});
    } catch (e) {
      if (e instanceof WorkerError && e.name === 'WorkerDied' && this.current === cur) {
        this.s.setError({ name: 'WorkerDied', message: `${e.message}. Reopening ${cur.source.label}.` });
        this.current = null;
        void this.open(cur.source);
        return null;
      }
      if (!(e instanceof WorkerError && e.name === 'AbortedError')) this.s.setError(errorInfo(e, cur.source.label));
      return null;
    }
  }

  /** Constant-holding nodes as nodes or as weights: both panes are drawn again. */
  async setShowConstants(show: boolean): Promise<void> {
    this.s.setShowConstants(show);
    await this.setExpanded(this.s.expanded);
    if (this.s.variantView) await this.setExpanded(this.s.variantView.expanded, this.s.variantView.variant);
  }

  async setGraph(graphIndex: number): Promise<void> {
    const r = await this.call<ViewResult>('view', { graphIndex, showConstants: this.s.showConstants });
    if (r) {
      this.s.setView(r.graphIndex, r.view, r.expanded);
      this.s.select(null, null);
    }
  }

  async setExpanded(expanded: string[], variant = 'original'): Promise<void> {
    const seq = ++this.seq;
    if (variant !== 'original') {
      const vv = this.s.variantView;
      if (!vv) return;
      const r = await this.call<ViewResult>('view', { graphIndex: vv.graphIndex, expanded, variant, showConstants: this.s.showConstants });
      if (r && seq === this.seq) this.s.setVariantView({ ...vv, view: r.view, expanded: r.expanded, graphIndex: r.graphIndex });
      return;
    }
    const r = await this.call<ViewResult>('view', { graphIndex: this.s.graphIndex, expanded, showConstants: this.s.showConstants });
    if (r && seq === this.seq) this.s.setView(r.graphIndex, r.view, r.expanded);
  }

  toggleGroup(id: string, variant = 'original'): Promise<void> {
    const current = variant === 'original' ? this.s.expanded : this.s.variantView?.expanded ?? [];
    const set = new Set(current);
    if (set.has(id)) {
      // Collapsing a scope also collapses everything inside it.
      for (const e of [...set]) if (e === id || e.startsWith(id + '/')) set.delete(e);
    } else set.add(id);
    return this.setExpanded([...set], variant);
  }

  async selectNode(name: string, variant?: string): Promise<void> {
    const sel = { kind: 'node' as const, name, ...(variant && variant !== 'original' ? { variant } : {}) };
    this.s.select(sel, null);
    const vv = this.s.variantView;
    if (this.s.split && vv && graphIndexOk(vv.graphIndex, this.s.graphIndex)) {
      // Selection follows in the other pane: the node that stands for this one there.
      void this.call<string | null>('counterpart', { name, from: sel.variant ?? 'original', to: sel.variant ? 'original' : vv.variant })
        .then((peer) => { if (this.s.selected === sel) this.s.setPeer(peer); });
    }
    const graphIndex = sel.variant ? this.s.variantView?.graphIndex ?? 0 : this.s.graphIndex;
    const node = await this.call<NodeDetails | null>('node', { graphIndex, name, variant: sel.variant });
    if (node && this.s.selected === sel) this.s.select(sel, { kind: 'node', node });
  }

  async selectTensor(name: string): Promise<void> {
    this.s.select({ kind: 'tensor', name }, null);
    const tensor = await this.call<TensorDetails | null>('tensor', { graphIndex: this.s.graphIndex, name });
    if (tensor && this.s.selected?.name === name) this.s.select({ kind: 'tensor', name }, { kind: 'tensor', tensor });
  }

  async search(query: string): Promise<void> {
    const q = query.trim();
    if (!q) {
      this.s.setSearch(query, []);
      return;
    }
    this.s.setSearch(query, this.s.hits);
    const hits = await this.call<SearchHit[]>('search', { graphIndex: this.s.graphIndex, query: q });
    if (hits && this.s.query === query) this.s.setSearch(query, hits);
  }

  /** Fixes input dims on the original graph and shows the shapes that follow from them. */
  async previewInputShapes(shapes: Record<string, number[]>): Promise<string | null> {
    const inputShapes = { ...this.s.fixedShapes, ...shapes };
    const r = await this.call<{ report: { unknownAfter: number; errors: string[] }; summary: ModelSummary; view: ViewResult }>('inputShapes', { inputShapes });
    if (!r) return null;
    this.s.setFixedShapes(inputShapes);
    const m = this.s.model;
    if (m) this.store.setState({ model: { ...m, summary: r.summary } });
    this.s.setView(r.view.graphIndex, r.view.view, r.view.expanded);
    const msg = `${r.report.unknownAfter} tensors still have unknown dims`;
    return r.report.errors.length ? `${msg}; ${r.report.errors.slice(0, 3).join('; ')}` : msg;
  }

  /** Converts the open model to TFLite in its worker; the result becomes the 'converted' variant. */
  async convert(options: ToTfliteOptions): Promise<void> {
    const cur = this.current;
    if (!cur) return;
    this.s.setConvertError(null);
    this.s.setConvertJob({ phase: 'starting', fraction: 0 });
    const t0 = performance.now();
    try {
      const r = await cur.client.call<ConvertResult>('convert', options, {
        onProgress: (p) => this.s.setConvertJob({ phase: p.phase, fraction: p.fraction }),
      });
      const conversion = {
        converted: r.converted, recipe: r.recipe, reports: r.reports, unsupportedNodes: r.unsupportedNodes,
        ms: performance.now() - t0,
        ...(r.bytes !== undefined ? { bytes: r.bytes } : {}),
        ...(r.summary ? { summary: r.summary } : {}),
        ...(r.graphs ? { graphs: r.graphs } : {}),
      };
      this.s.setConversion(conversion, r.view ? { variant: 'converted', label: 'Converted · TFLite', view: r.view.view, expanded: r.view.expanded, graphIndex: r.view.graphIndex } : null);
    } catch (e) {
      this.s.setConvertError(errorInfo(e, cur.source.label));
    } finally {
      this.s.setConvertJob(null);
    }
  }

  /**
   * Quantizes and/or prunes the open model in its worker. With `spec.id`, re-makes that variant
   * (a control of the variant being tuned moved); a running job is cancelled first, so only the
   * latest settings finish.
   */
  async optimize(spec: OptimizeSpec): Promise<OptimizedVariant | null> {
    const cur = this.current;
    if (!cur) return null;
    this.optimizing?.abort();
    const abort = new AbortController();
    this.optimizing = abort;
    this.s.setOptimizeError(null);
    this.s.setOptimizeJob({ phase: 'starting', fraction: 0 });
    try {
      const r = await cur.client.call<{ variant: OptimizedVariant; view: ViewResult }>('optimize', spec, {
        signal: abort.signal,
        onProgress: (p) => { if (this.optimizing === abort) this.s.setOptimizeJob({ phase: p.phase, fraction: p.fraction }); },
      });
      if (this.current !== cur) return null;
      this.s.upsertVariant(r.variant);
      this.s.setVariantView({ variant: r.variant.id, label: `${r.variant.label} · ${r.variant.target === 'onnx' ? 'ONNX' : 'TFLite'}`, view: r.view.view, expanded: r.view.expanded, graphIndex: r.view.graphIndex });
      this.s.setSplit(true);
      return r.variant;
    } catch (e) {
      if (!(e instanceof WorkerError && e.name === 'AbortedError')) this.s.setOptimizeError(errorInfo(e, cur.source.label));
      return null;
    } finally {
      if (this.optimizing === abort) {
        this.optimizing = null;
        this.s.setOptimizeJob(null);
      }
    }
  }

  cancelOptimize(): void {
    this.optimizing?.abort();
  }

  /** Shows a variant's graph beside the original. */
  async showVariant(id: string, label: string): Promise<void> {
    const r = await this.call<ViewResult>('view', { graphIndex: 0, variant: id, showConstants: this.s.showConstants });
    if (!r) return;
    this.s.setVariantView({ variant: id, label, view: r.view, expanded: r.expanded, graphIndex: r.graphIndex });
    this.s.setSplit(true);
  }

  /** Downloads a variant's file (the converted .tflite, a quantized or pruned variant). */
  async download(variant: string): Promise<void> {
    const f = (await this.variantFiles(variant))?.[0];
    if (f) saveFile(f.name, f.bytes, 'application/octet-stream');
  }

  /** Expands the groups that hide a search hit, then selects it. */
  async reveal(hit: SearchHit): Promise<void> {
    const set = new Set(this.s.expanded);
    for (const g of hit.groupPath) set.add(g);
    await this.setExpanded([...set]);
    await this.selectNode(hit.nodeName);
  }

  dispose(): void {
    this.cancelOpen();
    this.runs.dispose();
    this.compare.dispose();
    this.keeper.dispose();
    this.current?.client.terminate();
    this.current = null;
    this.spare?.terminate();
    this.spare = null;
    this.disposed = true;
  }
}

/** Counterparts are looked up between the main graphs only (subgraphs have no twins to follow). */
function graphIndexOk(variantGraph: number, originalGraph: number): boolean {
  return variantGraph === 0 && originalGraph === 0;
}

async function fetchLabels(url: string): Promise<string[] | undefined> {
  try {
    const j = (await (await fetch(url)).json()) as { labels?: unknown };
    return Array.isArray(j.labels) && j.labels.every((l) => typeof l === 'string') ? (j.labels as string[]) : undefined;
  } catch {
    return undefined;
  }
}

function errorInfo(e: unknown, label: string) {
  if (e instanceof WorkerError) return { name: e.name, message: e.message, file: e.file ?? label, format: e.format };
  return { name: 'Error', message: `${label}: ${e instanceof Error ? e.message : String(e)}`, file: label };
}
