import type { LatencyStats, TensorSummary, TopK } from '../run/results';
import type { BackendId, RuntimeId } from '../runtime/types';
import type { ErrorInfo } from '../worker/protocol';

export interface RuntimeAvailability {
  backends: Partial<Record<RuntimeId, BackendId[]>>;
  errors: Partial<Record<RuntimeId, string>>;
  crossOriginIsolated: boolean;
  threads: number;
}

/** One measured run: a point on the comparison charts. */
export interface RunResult {
  id: number;
  /** Which model: 'original' or a variant id such as 'converted'. */
  variant: string;
  runtime: RuntimeId;
  backend: BackendId;
  input: string;
  loadMs: number;
  latency: LatencyStats;
  /** Untimed runs before the timed ones (older saved results lack it). */
  warmup?: number;
  outputs: TensorSummary[];
  top?: Array<TopK & { label?: string }>;
  at: number;
}

export interface RunSlice {
  availability: RuntimeAvailability | null;
  runJob: { phase: string; fraction: number } | null;
  runError: ErrorInfo | null;
  runs: RunResult[];
  setAvailability(a: RuntimeAvailability | null): void;
  setRunJob(job: RunSlice['runJob']): void;
  setRunError(e: ErrorInfo | null): void;
  addRun(r: RunResult): void;
}

type Set = (fn: (s: RunSlice) => Partial<RunSlice>) => void;

export const runSlice = (set: Set): RunSlice => ({
  availability: null,
  runJob: null,
  runError: null,
  runs: [],
  setAvailability: (availability) => set(() => ({ availability })),
  setRunJob: (runJob) => set(() => ({ runJob })),
  setRunError: (runError) => set(() => ({ runError })),
  addRun: (r) => set((s) => ({ runs: [...s.runs, r] })),
});
