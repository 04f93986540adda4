/**
 * What the comparison of variants is made of, as plain JSON-able data: the app's store, its
 * IndexedDB copy, the exported report and the CLI's `eval --json` all use these shapes.
 */
import type { Recipe } from '../transforms/types';
import type { Metrics } from './metrics';

export interface VariantSummary {
  /** 'original' for the opened file; v1, v2... for variants. */
  id: string;
  label: string;
  /** The variant it was made from ('original' for first-generation variants). */
  parent?: string;
  /** File format of the variant's bytes. */
  format: 'onnx' | 'tflite' | 'tfjs-graph' | 'tfjs-layers';
  /** 'float', 'float16', 'dynamic', 'int8', 'int16x8', 'int8 QDQ', plus pruning, e.g. 'int8 + pruned 50%'. */
  mode: string;
  fileName: string;
  bytes: number;
  gzipBytes: number;
  recipe: Recipe;
  /** Did the export load and run in the independent runtimes (LiteRT.js / tfjs-tflite / Arm NN, or onnxruntime)? */
  exportCheck?: { ok: boolean; detail: string };
}

/** Where evaluation data came from, e.g. "1000 bundled Fashion-MNIST test images (labelled)". */
export interface EvalResult {
  variant: string;
  runtime: string;
  backend: string;
  dataset: string;
  metrics: Metrics;
  /** ms since epoch */
  at: number;
}

export interface LatencyResult {
  variant: string;
  runtime: string;
  backend: string;
  runs: number;
  warmup: number;
  medianMs: number;
  p90Ms: number;
  /** Browser and device as the page reports them (user agent, cores, GPU adapter if any). */
  device: string;
  at: number;
}

/** Per-node error of a quantized variant against its float model (activations captured in both). */
export interface LayerError {
  node: string;
  op: string;
  /** The node's first output compared with the float model's tensor of the same name. */
  sqnrDb: number;
}

export interface ComparisonData {
  model: { name: string; format: string; bytes: number };
  device: string;
  variants: VariantSummary[];
  evals: EvalResult[];
  latencies: LatencyResult[];
  /** variant id -> per-node errors */
  layerErrors: Record<string, LayerError[]>;
  generatedAt: string;
}
