import type { EvalResult, LayerError } from '../compare/types';
import type { ErrorInfo } from '../worker/protocol';

/** Measurements that compare the variants: evaluations and per-layer errors (latency: run-slice). */
export interface CompareSlice {
  evals: EvalResult[];
  layerErrors: Record<string, LayerError[]>;
  /** The variant whose per-layer error colours its graph. */
  heatVariant: string | null;
  compareJob: { phase: string; fraction: number } | null;
  compareError: ErrorInfo | null;
  /** Original file sizes (raw, gzip), measured in the model worker. */
  originalSize: { bytes: number; gzipBytes: number } | null;
  /** What IndexedDB keeps across reloads, or why it could not. */
  storage: string | null;
  /** A change not yet written to IndexedDB (a reload now would lose it). */
  saving: boolean;
  /** The models kept in IndexedDB, newest first. */
  recent: Array<{ key: string; label: string; variants: number; bytes: number; savedAt: number }>;
  setRecent(r: CompareSlice['recent']): void;
  addEval(e: EvalResult): void;
  setLayerErrors(variant: string, errors: LayerError[]): void;
  setHeatVariant(v: string | null): void;
  setCompareJob(job: CompareSlice['compareJob']): void;
  setCompareError(e: ErrorInfo | null): void;
  setOriginalSize(s: CompareSlice['originalSize']): void;
  setStorage(s: string | null): void;
  setSaving(saving: boolean): void;
  /** A workspace restored from IndexedDB: its measurements at once. */
  restoreCompare(c: Pick<CompareSlice, 'evals' | 'layerErrors'>): void;
}

type Set = (fn: (s: CompareSlice) => Partial<CompareSlice>) => void;

export const compareSlice = (set: Set): CompareSlice => ({
  evals: [],
  layerErrors: {},
  heatVariant: null,
  compareJob: null,
  compareError: null,
  originalSize: null,
  storage: null,
  saving: false,
  recent: [],
  setRecent: (recent) => set(() => ({ recent })),
  // A newer evaluation of the same variant, runtime, backend and data replaces the older one.
  addEval: (e) => set((s) => ({ evals: [...s.evals.filter((x) => !(x.variant === e.variant && x.runtime === e.runtime && x.backend === e.backend && x.dataset === e.dataset)), e] })),
  setLayerErrors: (variant, errors) => set((s) => ({ layerErrors: { ...s.layerErrors, [variant]: errors } })),
  setHeatVariant: (heatVariant) => set(() => ({ heatVariant })),
  setCompareJob: (compareJob) => set(() => ({ compareJob })),
  setCompareError: (compareError) => set(() => ({ compareError })),
  setOriginalSize: (originalSize) => set(() => ({ originalSize })),
  setStorage: (storage) => set(() => ({ storage })),
  setSaving: (saving) => set(() => ({ saving })),
  restoreCompare: (c) => set(() => ({ evals: c.evals, layerErrors: c.layerErrors })),
});
