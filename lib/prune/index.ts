/**
 * Pruning as a pure transform over the IR, for every dialect with weights:
 *
 *   const { model: pruned, report } = prune(model, { sparsity: 0.5 });          // magnitude, one global threshold
 *   prune(model, { sparsity: 0.7, scope: 'layer', exclude: ['/^conv1/'] });     // each layer 70%
 *   prune(model, { pattern: { n: 2, m: 4 } });                                  // 2:4 along the reduction axis
 *   prune(model, { structured: 0.25, criterion: 'l2' });                        // remove 25% of filters (tfl, onnx)
 *
 * Steps run in that order when combined: structured, then N:M, then magnitude. Only the main
 * graph is pruned. Unstructured zeros pay off compressed: see `sizeReport`.
 */
import type { Model } from '../ir/types';
import { throwIfAborted } from '../formats/errors';
import { inferShapes } from '../ir/shapes';
import type { ProgressFn, TransformReport } from '../transforms/types';
import { magnitudePrune, patternPrune } from './magnitude';
import { applyPlan, planChannels, type LayerChannels } from './structured';
import { PRUNE_OPS } from './tables';
import { countZeros, layerWeights, realValues, zeroBits } from './weights';
import { matcher, type Skip } from './util';

export { sizeReport } from './size';

export interface PruneOptions {
  /** Fraction of weights to zero, 0..1 (unstructured). */
  sparsity?: number;
  /**
   * 'global' (default): one magnitude threshold over all layers not in `perLayer`, so small
   * sensitive layers (a first conv with 144 weights) lose little; 'layer': each layer reaches
   * `sparsity` (on the Fashion-MNIST sample, 50% per layer costs 37 points, 50% global none).
   */
  scope?: 'global' | 'layer';
  /** Node name -> its own fraction (of weights, or of channels with `structured`). */
  perLayer?: Record<string, number>;
  /** Node names or '/regex/' strings left untouched. */
  exclude?: string[];
  /** N:M: keep the n largest of every m consecutive weights along the reduction axis. */
  pattern?: { n: number; m: number };
  /** Fraction of output channels to remove per prunable layer, 0..1 (tfl and onnx dialects). */
  structured?: number;
  /** Filter score for structured pruning, default 'l1'. */
  criterion?: 'l1' | 'l2';
}

export interface LayerSparsity {
  node: string;
  op: string;
  /** The constant holding the weight. */
  weight: string;
  params: number;
  zeros: number;
  sparsity: number;
  channelsBefore?: number;
  channelsAfter?: number;
}

export interface PruneReport extends TransformReport {
  layers: LayerSparsity[];
  totalParams: number;
  totalZeros: number;
  /** Filters removed from conv / dense layers (depthwise layers that follow them not counted). */
  removedChannels: number;
  skipped: Array<{ node: string; reason: string }>;
}

export const PRUNE = 'prune';

/** Sparsity of every prunable weight of the main graph (each shared weight once). */
export function weightSparsity(model: Model): LayerSparsity[] {
  const g = model.graphs[0];
  if (!g) return [];
  const seen = new Set<string>();
  const out: LayerSparsity[] = [];
  for (const w of layerWeights(g, PRUNE_OPS[model.dialect])) {
    if (seen.has(w.name)) continue;
    seen.add(w.name);
    const t = g.tensors.get(w.name)!;
    const fast = zeroBits(t);
    const values = fast ? null : realValues(t);
    const params = fast ? fast.count : values!.length;
    const zeros = fast ? fast.zeros : countZeros(values!);
    out.push({ node: w.node.name, op: w.node.op, weight: w.name, params, zeros, sparsity: params ? zeros / params : 0 });
  }
  return out;
}

function check(options: PruneOptions): void {
  const fraction = (name: string, v: number | undefined) => {
    if (v !== undefined && !(v >= 0 && v <= 1)) throw new RangeError(`prune: ${name} must be between 0 and 1, got ${v}`);
  };
  fraction('sparsity', options.sparsity);
  fraction('structured', options.structured);
  for (const [k, v] of Object.entries(options.perLayer ?? {})) fraction(`perLayer["${k}"]`, v);
  const p = options.pattern;
  if (p && !(Number.isInteger(p.n) && Number.isInteger(p.m) && p.n >= 0 && p.m >= 1 && p.n < p.m)) {
    throw new RangeError(`prune: pattern must be n:m with whole numbers 0 <= n < m, got ${p.n}:${p.m}`);
  }
}

export function prune(model: Model, options: PruneOptions, onProgress?: ProgressFn, signal?: AbortSignal): { model: Model; report: PruneReport } {
  check(options);
  const ops = PRUNE_OPS[model.dialect];
  const excluded = matcher(options.exclude);
  const skipped: Skip[] = [];
  const notes: string[] = [];
  let g = model.graphs[0];
  if (!g) throw new Error('prune: the model has no graph');
  // perLayer refines `structured` when it is set, the magnitude sparsity otherwise.
  const magnitude = options.sparsity !== undefined || (options.perLayer !== undefined && options.structured === undefined);
  const steps = [options.structured !== undefined, !!options.pattern, magnitude].filter(Boolean).length;
  if (steps === 0) notes.push('nothing to prune: set sparsity, perLayer, pattern or structured');
  let step = 0;
  const progress = (phase: string): ProgressFn | undefined => {
    const at = step++;
    return onProgress && ((f, what) => onProgress((at + f) / steps, `${phase}: ${what}`));
  };
  let channels: LayerChannels[] = [];
  if (options.structured !== undefined) {
    progress('structured')?.(0, 'following channels');
    throwIfAborted(signal);
    if (!ops.channelOps) {
      notes.push(`structured pruning follows channels in the tfl and onnx dialects; convert this ${model.dialect} model to TFLite first`);
    } else {
      const shapes = inferShapes(model).model.graphs[0]!.tensors;
      const plan = planChannels(g, shapes, ops, { fraction: options.structured, perLayer: options.perLayer, criterion: options.criterion ?? 'l1' }, excluded);
      throwIfAborted(signal);
      g = applyPlan(g, plan);
      channels = plan.layers;
      skipped.push(...plan.skipped);
    }
  }
  if (options.pattern) g = patternPrune(g, ops, options.pattern, excluded, skipped, progress('pattern'), signal);
  if (magnitude) g = magnitudePrune(g, ops, options, excluded, skipped, progress('magnitude'), signal);
  onProgress?.(1, 'done');
  const pruned: Model = { ...model, graphs: [g, ...model.graphs.slice(1)] };
  const byWeight = new Map(channels.map((c) => [c.weight, c]));
  const layers = weightSparsity(pruned).map((l) => {
    const c = byWeight.get(l.weight);
    return c ? { ...l, channelsBefore: c.before, channelsAfter: c.after } : l;
  });
  if (layers.length === 0) notes.push(`no prunable layers (${Object.keys(ops.layers).join(', ')}) in the main graph`);
  const report: PruneReport = {
    converted: true, unsupported: [], notes, layers, skipped: dedupe(skipped),
    removedChannels: channels.filter((c) => c.role === 'filters').reduce((n, c) => n + c.before - c.after, 0),
    totalParams: layers.reduce((n, l) => n + l.params, 0), totalZeros: layers.reduce((n, l) => n + l.zeros, 0),
  };
  return { model: pruned, report };
}

function dedupe(skipped: Skip[]): Skip[] {
  const seen = new Set<string>();
  return skipped.filter((s) => !seen.has(`${s.node}\0${s.reason}`) && !!seen.add(`${s.node}\0${s.reason}`));
}
