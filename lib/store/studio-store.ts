import { createStore } from 'zustand/vanilla';
import type { ModelSummary } from '../ir/summary';
import type { NodeDetails, TensorDetails } from '../ir/details';
import type { GraphView, SearchHit } from '../graph-view/types';
import type { GraphInfo } from '../session/session';
import type { ErrorInfo } from '../worker/protocol';
import { runSlice, type RunSlice } from './run-slice';
import { convertSlice, type ConvertSlice } from './convert-slice';
import { optimizeSlice, type OptimizeSlice } from './optimize-slice';
import { compareSlice, type CompareSlice } from './compare-slice';

/**
 * The page's state: ids, summaries, job state and results. Never React Flow objects, never
 * tensors (those stay in the model's worker).
 */
export interface ModelSlice {
  model: { summary: ModelSummary; graphs: GraphInfo[]; parseMs: number; source: string; labels?: string[] } | null;
  graphIndex: number;
  view: GraphView | null;
  expanded: string[];
  /** Constant-holding nodes drawn as nodes (true) or as their consumers' weights (default). */
  showConstants: boolean;
  setShowConstants(v: boolean): void;
  setModel(model: ModelSlice['model'], view: GraphView, expanded: string[]): void;
  setView(graphIndex: number, view: GraphView, expanded: string[]): void;
}

export interface JobSlice {
  /** Bumped whenever an open ends (model shown or error shown): lets tests and effects wait on it. */
  loadSeq: number;
  /** The open/parse job in flight, if any (one at a time). */
  job: { label: string; fraction: number; phase: string } | null;
  error: (ErrorInfo & { at: number }) | null;
  setJob(job: JobSlice['job']): void;
  setError(error: ErrorInfo | null): void;
}

export interface SelectionSlice {
  /** `variant` is set when the selection is in a variant's graph (e.g. the converted one). */
  selected: { kind: 'node' | 'tensor'; name: string; variant?: string } | null;
  details: { kind: 'node'; node: NodeDetails } | { kind: 'tensor'; tensor: TensorDetails } | null;
  /** The node standing for the selection in the other pane of a split view. */
  peer: string | null;
  query: string;
  hits: SearchHit[];
  select(sel: SelectionSlice['selected'], details: SelectionSlice['details']): void;
  setSearch(query: string, hits: SearchHit[]): void;
  setPeer(peer: string | null): void;
}

export type StudioState = ModelSlice & JobSlice & SelectionSlice & RunSlice & ConvertSlice & OptimizeSlice & CompareSlice;

type Set = (partial: Partial<StudioState>) => void;

let counter = 0;
const seq = () => ++counter;

const modelSlice = (set: Set): ModelSlice => ({
  model: null,
  graphIndex: 0,
  view: null,
  expanded: [],
  showConstants: false,
  setShowConstants: (showConstants) => set({ showConstants }),
  setModel: (model, view, expanded) =>
    set({ model, view, expanded, graphIndex: 0, selected: null, details: null, peer: null, query: '', hits: [], loadSeq: seq(), runs: [], runError: null,
      conversion: null, variantView: null, split: false, convertError: null, convertJob: null, fixedShapes: {},
      variants: [], optimizeJob: null, optimizeError: null,
      evals: [], layerErrors: {}, heatVariant: null, compareJob: null, compareError: null, originalSize: null }),
  setView: (graphIndex, view, expanded) => set({ graphIndex, view, expanded }),
});

const jobSlice = (set: Set): JobSlice => ({
  job: null,
  error: null,
  loadSeq: 0,
  setJob: (job) => set({ job }),
  setError: (error) => set(error ? { error: { ...error, at: Date.now() }, loadSeq: seq() } : { error: null }),
});

const selectionSlice = (set: Set): SelectionSlice => ({
  selected: null,
  details: null,
  query: '',
  hits: [],
  peer: null,
  // A new selection drops the old peer; selectNode then looks the new one up.
  select: (selected, details) => set(details ? { selected, details } : { selected, details, peer: null }),
  setPeer: (peer) => set({ peer }),
  setSearch: (query, hits) => set({ query, hits }),
});

export function createStudioStore() {
  return createStore<StudioState>()((set) => ({
    ...modelSlice(set),
    ...jobSlice(set),
    ...selectionSlice(set),
    ...runSlice((fn) => set((s) => fn(s))),
    ...convertSlice((fn) => set((s) => fn(s))),
    ...optimizeSlice((fn) => set((s) => fn(s))),
    ...compareSlice((fn) => set((s) => fn(s))),
  }));
}

export type StudioStore = ReturnType<typeof createStudioStore>;
