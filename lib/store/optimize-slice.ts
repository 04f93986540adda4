import type { OptimizedVariant } from '../session/optimize';
import type { ErrorInfo } from '../worker/protocol';

/** Quantized and pruned variants of the open model (made in its worker), newest last. */
export interface OptimizeSlice {
  variants: OptimizedVariant[];
  optimizeJob: { phase: string; fraction: number } | null;
  optimizeError: ErrorInfo | null;
  upsertVariant(v: OptimizedVariant): void;
  setOptimizeJob(job: OptimizeSlice['optimizeJob']): void;
  setOptimizeError(e: ErrorInfo | null): void;
}

type Set = (fn: (s: OptimizeSlice) => Partial<OptimizeSlice>) => void;

export const optimizeSlice = (set: Set): OptimizeSlice => ({
  variants: [],
  optimizeJob: null,
  optimizeError: null,
  upsertVariant: (v) => set((s) => {
    const i = s.variants.findIndex((x) => x.id === v.id);
    return { variants: i < 0 ? [...s.variants, v] : s.variants.map((x, k) => (k === i ? v : x)), optimizeError: null };
  }),
  setOptimizeJob: (optimizeJob) => set(() => ({ optimizeJob })),
  setOptimizeError: (optimizeError) => set(() => ({ optimizeError })),
});
