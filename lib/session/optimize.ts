/**
 * Quantize and prune variants of the open model, in its worker. Loaded on demand (it brings
 * tfjs for calibration and estimates), so opening a model never pays for it.
 *
 * What is kept between calls, so a slider move recomputes only what changed:
 * - the float `tfl` model (per conversion options) and its pruned versions (per prune options);
 * - calibration statistics (per float model and calibration data): a new range method or
 *   percentile re-selects ranges from histograms without running the model;
 * - the evaluation samples and the float model's outputs on them.
 */
import { gzipSync } from 'fflate';
import type { Model } from '../ir/types';
import { readIdx } from '../data/idx';
import { readNpy } from '../npy';
import { PRUNE, prune, weightSparsity, type PruneOptions, type PruneReport } from '../prune/index';
import { collectStats } from '../quantize/calibrate/collect';
import { methodName, type CalibrationMethod } from '../quantize/calibrate/ranges';
import { greyImageSamples, imageSamples, inputSpecs, npySamples, randomSamples, zipInputs, type DecodedImage } from '../quantize/calibrate/sources';
import type { TensorStats } from '../quantize/calibrate/stats';
import { metrics, runFloatOutputs, type Metrics } from '../quantize/estimate';
import { floatTfl, makeVariant } from '../quantize/pipeline';
import type { LayerPrecision, QuantMode, QuantizeReport } from '../quantize/types';
import { writeTflite } from '../formats/tflite/write';
import { writeOnnx } from '../formats/onnx/write';
import { imageLayout, type Normalisation } from '../run/inputs';
import type { HostTensor } from '../runtime/types';
import type { ToTfliteOptions } from '../transforms/to-tflite';
import type { ProgressFn, Recipe } from '../transforms/types';
import type { Workspace } from './workspace';
import { layerErrors } from '../compare/layer-errors';
import { nodeHistograms, type NodeHistograms } from '../compare/histograms';
import { QUANTIZE } from '../quantize/index';
import { ONNX_QDQ } from '../quantize/onnx-qdq';
import { applyRecipe } from '../transforms/index';
import type { LayerError } from '../compare/types';

export type CalibrationSpec =
  | { kind: 'bundled'; count: number }
  | { kind: 'images'; files: Blob[]; normalisation: Normalisation; count: number }
  | { kind: 'npy'; files: Blob[]; count: number }
  | { kind: 'random'; count: number };

export interface QuantizeSpec {
  mode: QuantMode;
  method?: CalibrationMethod;
  perTensor?: boolean;
  perChannelDense?: boolean;
  floatIO?: boolean;
  layers?: Array<{ match: string; precision: LayerPrecision }>;
  target?: 'tflite' | 'onnx';
  activations?: 'int8' | 'uint8';
}

export interface OptimizeSpec {
  /** Re-make this variant in place (the controls of the variant being tuned moved). */
  id?: string;
  quantize?: QuantizeSpec;
  prune?: PruneOptions;
  calibration?: CalibrationSpec;
  convert?: ToTfliteOptions;
  /** Samples for the estimate (default 200). */
  evalCount?: number;
}

export interface OptimizeEnv {
  fetchBytes(url: string): Promise<Uint8Array>;
  decodeImage(file: Blob): Promise<DecodedImage>;
}

export interface OptimizedVariant {
  id: string;
  label: string;
  target: 'tflite' | 'onnx';
  fileName: string;
  bytes: number;
  gzipBytes: number;
  float: { bytes: number; gzipBytes: number };
  quantize?: Pick<QuantizeReport, 'mode' | 'counts' | 'conversions' | 'notes' | 'weightBytes'> & { nodes: QuantizeReport['nodes'] };
  prune?: Pick<PruneReport, 'totalParams' | 'totalZeros' | 'removedChannels' | 'notes' | 'layers' | 'skipped'>;
  estimate: Metrics;
  floatEstimate: Metrics;
  /** What the estimate ran on, e.g. "200 bundled Fashion-MNIST test images (labelled)". */
  evaluation: string;
  calibration?: string;
  warnings: string[];
  recipe: Recipe;
  /** What made it: the UI re-makes a variant from this with one more precision rule. */
  spec: OptimizeSpec;
  ms: { calibrate: number; quantize: number; estimate: number };
}

const BUNDLED = '/datasets/fashion-mnist/';

/** The bundled Fashion-MNIST subsets (fetched once per worker). */
class Bundled {
  private cache = new Map<string, Promise<ReturnType<typeof readIdx>>>();
  constructor(private readonly env: OptimizeEnv) {}
  get(file: string) {
    let p = this.cache.get(file);
    if (!p) { p = this.env.fetchBytes(BUNDLED + file).then((b) => readIdx(b, file)); this.cache.set(file, p); }
    return p;
  }
}

export class Optimizer {
  private readonly floats = new Map<string, { model: Model; recipe: Recipe }>();
  private readonly pruned = new Map<string, { model: Model; report: PruneReport }>();
  private readonly stats = new Map<string, Map<string, TensorStats>>();
  private readonly references = new Map<string, HostTensor[][]>();
  /** Variant id -> the float model it was quantized from, and what made it (for per-layer errors). */
  private readonly made = new Map<string, { base: Model; model: Model; spec: OptimizeSpec }>();
  private readonly bundled: Bundled;
  private count = 0;

  constructor(private readonly ws: Workspace, private readonly env: OptimizeEnv) {
    this.bundled = new Bundled(env);
  }

  private float(convert: ToTfliteOptions = {}, target: 'tflite' | 'onnx'): { model: Model; recipe: Recipe } {
    if (target === 'onnx') return { model: this.ws.raw, recipe: [] };
    const key = JSON.stringify(convert);
    let f = this.floats.get(key);
    if (!f) { f = floatTfl(this.ws.raw, convert); this.floats.set(key, f); }
    return f;
  }

  private base(spec: OptimizeSpec, target: 'tflite' | 'onnx'): { model: Model; recipe: Recipe; key: string; report?: PruneReport } {
    const f = this.float(spec.convert, target);
    const fkey = `${target}|${JSON.stringify(spec.convert ?? {})}`;
    if (!spec.prune) return { ...f, key: fkey };
    const key = `${fkey}|${JSON.stringify(spec.prune)}`;
    let p = this.pruned.get(key);
    if (!p) { p = prune(f.model, spec.prune); this.pruned.set(key, p); }
    return { model: p.model, recipe: [...f.recipe, { transform: PRUNE, options: spec.prune as Record<string, unknown> }], key, report: p.report };
  }

  /** Sample sets for `model` from the calibration spec; `skip` leaves out the first ones (held-out evaluation). */
  private async samples(model: Model, spec: CalibrationSpec, count: number, skip = 0): Promise<{ sets: HostTensor[][]; description: string; warning?: string }> {
    const specs = inputSpecs(model.graphs[0]!);
    const take = (it: Iterable<HostTensor[]>): HostTensor[][] => {
      const out: HostTensor[][] = [];
      let i = 0;
      for (const s of it) { if (i++ >= skip) out.push(s); if (out.length >= count) break; }
      return out;
    };
    if (spec.kind === 'random') {
      return { sets: take(zipInputs(specs.map((s, k) => randomSamples(s, count + skip, 1 + 1000 * k)))), description: `${count} seeded random inputs`, warning: 'calibrated on random inputs: their ranges need not match real data, so accuracy may suffer' };
    }
    const one = specs.length === 1 ? specs[0]! : null;
    if (spec.kind === 'bundled') {
      if (!one || !imageLayout(one.shape)) throw new Error('the bundled samples are images; this model does not take one image input');
      const idx = await this.bundled.get('calibration-images.idx');
      const n = Math.min(idx.dims[0]!, count + skip);
      return { sets: take(zipInputs([greyImageSamples(idx.data, idx.dims[2]!, idx.dims[1]!, n, one)])), description: `${Math.min(count, n - skip)} bundled Fashion-MNIST training images` };
    }
    if (spec.kind === 'images') {
      if (!one || !imageLayout(one.shape)) throw new Error('image calibration needs a model with one image input');
      const files = spec.files.slice(skip, skip + count);
      const images: DecodedImage[] = [];
      for (const f of files) images.push(await this.env.decodeImage(f));
      return { sets: [...zipInputs([imageSamples(images, one, spec.normalisation)])], description: `${images.length} of your images (${spec.normalisation})` };
    }
    if (!one) throw new Error('.npy calibration takes one input; this model has several');
    const arrays = await Promise.all(spec.files.map(async (f) => readNpy(new Uint8Array(await f.arrayBuffer()), (f as File).name ?? 'array.npy')));
    const it = (function* () { for (const [k, a] of arrays.entries()) yield* npySamples(a, one, (spec.files[k] as File).name ?? 'array.npy'); })();
    return { sets: take(zipInputs([it])), description: `${count} samples from your .npy files` };
  }

  /**
   * The estimate's data: the bundled labelled test images for a model shaped like the bundled
   * classifier (one 28x28 grey input, 10 outputs); otherwise unlabelled samples compared with the
   * float model: bundled test images for image models, fresh random inputs, or the user's own.
   */
  private async evaluationSets(model: Model, cal: CalibrationSpec, count: number): Promise<{ sets: HostTensor[][]; labels?: Uint8Array; description: string }> {
    const specs = inputSpecs(model.graphs[0]!);
    const out = model.graphs[0]!.tensors.get(model.graphs[0]!.outputs[0] ?? '');
    const l = specs.length === 1 ? imageLayout(specs[0]!.shape) : null;
    const classes = (out?.shape ?? []).map((d) => (typeof d === 'number' ? d : 1)).reduce((a, b) => a * b, 1);
    if (l && (cal.kind === 'bundled' || cal.kind === 'random' || (l.channels === 1 && l.height === 28 && l.width === 28))) {
      const [img, lab] = await Promise.all([this.bundled.get('test-images.idx'), this.bundled.get('test-labels.idx')]);
      const n = Math.min(count, img.dims[0]!);
      const sets = [...zipInputs([greyImageSamples(img.data, 28, 28, n, specs[0]!)])];
      if (l.channels === 1 && l.height === 28 && l.width === 28 && classes === 10) {
        return { sets, labels: lab.data.subarray(0, n), description: `${n} bundled Fashion-MNIST test images (labelled)` };
      }
      return { sets, description: `${n} bundled test images, against the float model (no labels)` };
    }
    if (cal.kind === 'random' || cal.kind === 'bundled') {
      const n = Math.min(count, 50);
      return { sets: [...zipInputs(specs.map((s, k) => randomSamples(s, n, 7777 + 1000 * k)))], description: `${n} random inputs, against the float model (no labels)` };
    }
    const own = await this.samples(model, cal, Math.min(count, cal.count));
    return { sets: own.sets, description: `${own.sets.length} of your calibration samples, against the float model (no labels)` };
  }

  async run(spec: OptimizeSpec, onProgress: ProgressFn, signal?: AbortSignal): Promise<OptimizedVariant> {
    const q = spec.quantize;
    const target = q?.target ?? 'tflite';
    if (!q && !spec.prune) throw new Error('nothing to do: choose a quantization mode or pruning');
    onProgress(0.02, spec.prune ? 'pruning' : 'converting');
    const base = this.base(spec, target);
    signal?.throwIfAborted();
    const warnings: string[] = [];
    const integer = q?.mode === 'int8' || q?.mode === 'int16x8';
    let stats: Map<string, TensorStats> | undefined;
    let calibration: string | undefined;
    let data: Awaited<ReturnType<Optimizer['samples']>> | undefined;
    const t1 = performance.now();
    if (integer) {
      const cal = spec.calibration ?? { kind: 'random', count: 100 };
      const key = `${base.key}|${JSON.stringify({ ...cal, files: 'files' in cal ? cal.files.map((f) => `${(f as File).name}:${f.size}`) : undefined })}`;
      data = await this.samples(base.model, cal, cal.count);
      calibration = `${methodName(q.method ?? 'minmax')} over ${data.description}`;
      if (data.warning) warnings.push(data.warning);
      stats = this.stats.get(key);
      if (!stats) {
        stats = await collectStats(base.model, data.sets, data.sets.length, { histogram: true, signal, onProgress: (d, n) => onProgress(0.05 + 0.6 * (d / n), `calibrating ${d}/${n}`) });
        this.stats.set(key, stats);
      }
    }
    const t2 = performance.now();
    onProgress(0.68, 'quantizing');
    let model = base.model;
    let bytes: Uint8Array;
    let recipe = base.recipe;
    let quantReport: QuantizeReport | undefined;
    if (q) {
      // The statistics are at hand: the pipeline only needs the data's description for the recipe.
      const v = await makeVariant(base.model, { ...q, ...(stats && data ? { stats, calibration: { samples: [], count: 0, description: data.description } } : {}) }, undefined, signal);
      model = v.model;
      bytes = v.bytes;
      recipe = [...base.recipe, ...v.recipe];
      quantReport = v.report;
    } else {
      bytes = target === 'onnx' ? writeOnnx(model) : writeTflite(model);
    }
    const t3 = performance.now();
    onProgress(0.75, 'estimating');
    const evalCount = spec.evalCount ?? 200;
    const floatModel = this.float(spec.convert, target).model;
    const ev = await this.evaluationSets(floatModel, spec.calibration ?? { kind: 'random', count: 100 }, evalCount);
    const evalSets = ev.sets;
    const evaluation = ev.description;
    const refKey = `${target}|${JSON.stringify(spec.convert ?? {})}|${evaluation}`;
    let reference = this.references.get(refKey);
    if (!reference) { reference = await runFloatOutputs(floatModel, evalSets, signal); this.references.set(refKey, reference); }
    const outs = await runFloatOutputs(model, evalSets, signal, (d) => onProgress(0.75 + 0.24 * (d / evalSets.length), `estimating ${d}/${evalSets.length}`));
    const labels = ev.labels;
    const t4 = performance.now();
    const floatBytes = target === 'onnx' ? this.ws.files[0]!.bytes : writeTflite(floatModel);
    let id = spec.id;
    // Variants restored from an earlier visit keep their ids: new ones go after them.
    while (!id || (!spec.id && this.ws.hasVariant(id))) id = `v${++this.count}`;
    const label = variantLabel(q, spec.prune);
    const fileName = `${this.ws.raw.name.replace(/\.(onnx|json|tflite|lite)$/i, '')}.${label.replace(/[^\w.-]+/g, '-')}.${target}`;
    const outModel: Model = { ...model, name: fileName, files: [{ name: fileName, bytes: bytes.length }] };
    this.ws.addVariant(id, outModel, bytes, recipe);
    this.made.set(id, { base: base.model, model, spec });
    return {
      spec: { ...spec, id },
      id, label, target, fileName,
      bytes: bytes.length, gzipBytes: gzipSync(bytes, { level: 6 }).length,
      float: { bytes: floatBytes.length, gzipBytes: gzipSync(floatBytes, { level: 6 }).length },
      ...(quantReport ? { quantize: { mode: quantReport.mode, counts: quantReport.counts, conversions: quantReport.conversions, notes: quantReport.notes, weightBytes: quantReport.weightBytes, nodes: quantReport.nodes } } : {}),
      ...(base.report ? { prune: { totalParams: base.report.totalParams, totalZeros: base.report.totalZeros, removedChannels: base.report.removedChannels, notes: base.report.notes, layers: base.report.layers, skipped: base.report.skipped } } : {}),
      estimate: metrics(outs, reference, labels),
      floatEstimate: metrics(reference, reference, labels),
      evaluation, ...(calibration ? { calibration } : {}), warnings, recipe,
      ms: { calibrate: t2 - t1, quantize: t3 - t2, estimate: t4 - t3 },
    };
  }

  /** Per-layer sparsity of a model's weights, for the graph. */
  static sparsity(model: Model) {
    return weightSparsity(model);
  }

  /**
   * The float model variant `id` was quantized from. A variant restored after a reload was not
   * made here: its recipe without the quantization step rebuilds that model (conversion and
   * pruning replay to the same graph).
   */
  private origin(id: string): { base: Model; model: Model; calibration: CalibrationSpec } {
    const m = this.made.get(id);
    if (m) return { base: m.base, model: m.model, calibration: m.spec.calibration ?? { kind: 'random', count: 100 } };
    const v = this.ws.variant(id);
    const steps = v.recipe.filter((s) => s.transform !== QUANTIZE && s.transform !== ONNX_QDQ);
    const r = applyRecipe(this.ws.raw, steps);
    if (!r.converted) throw new Error(`variant ${id}: its recipe's steps before quantization did not replay`);
    const made = { base: r.model, model: v.model, spec: { id } };
    this.made.set(id, made);
    return { base: made.base, model: made.model, calibration: { kind: 'random', count: 100 } };
  }

  /** SQNR per node of variant `id` against the float model it was made from, on `count` samples. */
  async layerErrors(id: string, count: number, signal?: AbortSignal): Promise<LayerError[]> {
    const m = this.origin(id);
    const ev = await this.evaluationSets(m.base, m.calibration, count);
    return layerErrors(m.base, m.model, ev.sets, signal);
  }

  /** Float vs quantized weights and activation of one node of variant `id`. */
  async histograms(id: string, node: string, count: number, signal?: AbortSignal): Promise<NodeHistograms> {
    const m = this.origin(id);
    const ev = await this.evaluationSets(m.base, m.calibration, count);
    return nodeHistograms(m.base, m.model, node, ev.sets, signal);
  }
}

export function variantLabel(q: QuantizeSpec | undefined, p: PruneOptions | undefined): string {
  const parts: string[] = [];
  if (p?.structured) parts.push(`structured ${Math.round(p.structured * 100)}%`);
  if (p?.pattern) parts.push(`${p.pattern.n}:${p.pattern.m}`);
  if (p?.sparsity) parts.push(`pruned ${Math.round(p.sparsity * 100)}%`);
  if (q) parts.push(q.target === 'onnx' ? 'int8 QDQ' : q.mode + (q.floatIO ? ' float-io' : ''));
  return parts.join(' + ') || 'variant';
}
