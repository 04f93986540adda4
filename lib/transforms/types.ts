/**
 * The contract of every transform: a pure function from one IR model to another plus a report.
 * Transforms never mutate their input; constant data is shared by reference unless transformed.
 */
import type { Model } from '../ir/types';

export interface UnsupportedOp {
  /** Source op type, e.g. 'onnx.NonMaxSuppression'. */
  op: string;
  /** Names of the nodes that could not be converted (graph nodes, so the UI can mark them). */
  nodes: string[];
  count: number;
  reason?: string;
}

export interface ConversionStats {
  nodesIn: number;
  nodesOut: number;
  transposesInserted: number;
  transposesRemoved: number;
  foldedConstants: number;
  foldedBatchNorms: number;
}

/** What every transform reports (conversion, quantization, pruning each add their own fields). */
export interface TransformReport {
  /** False when any op could not be handled: the model is then partial and must not be written. */
  converted: boolean;
  unsupported: UnsupportedOp[];
  notes: string[];
}

export interface ConversionReport extends TransformReport {
  stats: ConversionStats;
}

export type ProgressFn = (fraction: number, phase: string) => void;

export interface TransformResult<R extends TransformReport = ConversionReport> {
  model: Model;
  report: R;
}

export type Transform<O, R extends TransformReport = ConversionReport> =
  (model: Model, options: O, onProgress?: ProgressFn, signal?: AbortSignal) => TransformResult<R>;

/** One step of how a model variant was made, so the variant can be re-made or shown. */
export interface RecipeStep {
  transform: string;
  options: Record<string, unknown>;
}

export type Recipe = RecipeStep[];

export function emptyReport(): ConversionReport {
  return {
    converted: true,
    unsupported: [],
    notes: [],
    stats: { nodesIn: 0, nodesOut: 0, transposesInserted: 0, transposesRemoved: 0, foldedConstants: 0, foldedBatchNorms: 0 },
  };
}

/** Adds a node to the report's unsupported list, grouped by op type. */
export function addUnsupported(report: TransformReport, op: string, node: string, reason?: string): void {
  report.converted = false;
  let entry = report.unsupported.find((u) => u.op === op && u.reason === reason);
  if (!entry) {
    entry = { op, nodes: [], count: 0, ...(reason ? { reason } : {}) };
    report.unsupported.push(entry);
  }
  entry.nodes.push(node);
  entry.count++;
}
