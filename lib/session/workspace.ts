import type { InputFile } from '../formats/types';
import type { Model } from '../ir/types';
import { inferShapes } from '../ir/shapes';
import { convertToTflite, type ToTfliteOptions } from '../transforms/to-tflite';
import type { ConversionReport, ProgressFn, Recipe, TransformReport } from '../transforms/types';
import { ModelSession, type GraphInfo, type ViewResult } from './session';
import type { ModelSummary } from '../ir/summary';

export interface Variant {
  id: string;
  session: ModelSession;
  bytes: Uint8Array;
  recipe: Recipe;
  reports: TransformReport[];
}

export interface ConvertResult {
  variant: string;
  converted: boolean;
  recipe: Recipe;
  reports: ConversionReport[];
  /** Nodes of the original that could not be converted, to mark on its graph. */
  unsupportedNodes: string[];
  bytes?: number;
  summary?: ModelSummary;
  graphs?: GraphInfo[];
  view?: ViewResult;
}

/**
 * One opened model and the variants made from it (a converted .tflite today; quantized and
 * pruned ones later). Lives in the model's worker; the page gets summaries and views.
 */
export class Workspace {
  original: ModelSession;
  private readonly variants = new Map<string, Variant>();

  constructor(readonly raw: Model, readonly files: InputFile[]) {
    // Missing shapes filled in for display; conversions start again from what the file says.
    let shaped = raw;
    try {
      shaped = inferShapes(raw).model;
    } catch {
      shaped = raw;
    }
    this.original = new ModelSession(shaped);
  }

  /**
   * Shows the original graph with some input dims fixed, shapes propagated downstream. The file's
   * model is untouched; conversions take the same shapes as part of their recipe.
   */
  setInputShapes(inputShapes: Record<string, number[]>): { report: { unknownAfter: number; errors: string[] } } {
    const r = inferShapes(this.raw, { inputShapes });
    this.original = new ModelSession(r.model);
    return { report: { unknownAfter: r.report.unknownAfter.length, errors: r.report.errors.map((e) => `${e.node}: ${e.message}`) } };
  }

  session(variant = 'original'): ModelSession {
    if (variant === 'original') return this.original;
    const v = this.variants.get(variant);
    if (!v) throw new Error(`no variant '${variant}' of ${this.raw.name}`);
    return v.session;
  }

  convert(options: ToTfliteOptions, onProgress?: ProgressFn, signal?: AbortSignal): ConvertResult {
    const id = 'converted';
    this.variants.delete(id);
    const r = convertToTflite(this.raw, options, onProgress, signal);
    const unsupportedNodes = r.reports.flatMap((rep) => rep.unsupported.flatMap((u) => u.nodes));
    const base = { variant: id, converted: r.converted, recipe: r.recipe, reports: r.reports, unsupportedNodes };
    if (!r.converted || !r.bytes) return base;
    const name = this.raw.name.replace(/\.(onnx|json|tflite|lite)$/i, '') + '.tflite';
    const model: Model = { ...r.model, name, format: 'tflite', dialect: 'tfl', files: [{ name, bytes: r.bytes.length }] };
    const session = new ModelSession(model);
    this.variants.set(id, { id, session, bytes: r.bytes, recipe: r.recipe, reports: r.reports });
    return { ...base, bytes: r.bytes.length, summary: session.summary, graphs: session.graphList(), view: session.view(0) };
  }

  /** A variant made elsewhere (quantized, pruned: lib/session/optimize.ts), replacing one with the same id. */
  addVariant(id: string, model: Model, bytes: Uint8Array, recipe: Recipe): ModelSession {
    const session = new ModelSession(model);
    this.variants.set(id, { id, session, bytes, recipe, reports: [] });
    return session;
  }

  hasVariant(id: string): boolean {
    return this.variants.has(id);
  }

  /** A variant's model and the recipe that made it from the file. */
  variant(id: string): { model: Model; recipe: Recipe } {
    const v = this.variants.get(id);
    if (!v) throw new Error(`no variant '${id}' of ${this.raw.name}`);
    return { model: v.session.model, recipe: v.recipe };
  }

  /** The files a runtime needs for a variant (copies: this side keeps its own). */
  variantFiles(variant: string): InputFile[] {
    if (variant === 'original') return this.files.map((f) => ({ name: f.name, bytes: f.bytes.slice() }));
    const v = this.variants.get(variant);
    if (!v) throw new Error(`no variant '${variant}' of ${this.raw.name}`);
    return [{ name: v.session.model.name, bytes: v.bytes.slice() }];
  }
}
