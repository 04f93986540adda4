/**
 * "Convert to TFLite" as the app and the CLI both mean it: pick the lowering for the model's
 * dialect, run it as a recipe, and write bytes only when every op converted.
 */
import type { Model } from '../ir/types';
import { inferShapes } from '../ir/shapes';
import { writeTflite } from '../formats/tflite/write';
import { applyRecipe, TRANSFORMS } from './index';
import type { ConversionReport, ProgressFn, Recipe } from './types';
import { emptyReport } from './types';

export interface ToTfliteOptions {
  /** Fix unknown input dims: input name -> full shape (the recipe records it). */
  inputShapes?: Record<string, number[]>;
  /** ONNX only: keep NCHW at the model's inputs and outputs (transposes inside). */
  keepLayout?: boolean;
  /** ONNX only: inputs fixed to these values at conversion (they become constants). */
  inputValues?: Record<string, number[]>;
}

export interface ToTfliteResult {
  recipe: Recipe;
  model: Model;
  reports: ConversionReport[];
  converted: boolean;
  /** The .tflite file, present only when `converted`. */
  bytes?: Uint8Array;
}

const TRANSFORM_FOR_DIALECT: Record<string, string> = { onnx: 'onnx-to-tfl', tf: 'tf-to-tfl', keras: 'keras-to-tfl' };

export function tfliteRecipe(model: Model, options: ToTfliteOptions = {}): Recipe {
  if (model.dialect === 'tfl') return options.inputShapes ? [{ transform: 'infer-shapes', options: { inputShapes: options.inputShapes } }] : [];
  const transform = TRANSFORM_FOR_DIALECT[model.dialect];
  if (!transform) throw new Error(`no conversion to TFLite from the ${model.dialect} dialect`);
  const opts: Record<string, unknown> = {};
  if (options.inputShapes) opts.inputShapes = options.inputShapes;
  if (options.keepLayout !== undefined && model.dialect === 'onnx') opts.keepLayout = options.keepLayout;
  if (options.inputValues && Object.keys(options.inputValues).length) {
    if (model.dialect !== 'onnx') throw new Error('input values can be fixed for ONNX models only');
    opts.inputValues = options.inputValues;
  }
  return [{ transform, options: opts }];
}

export function convertToTflite(model: Model, options: ToTfliteOptions = {}, onProgress?: ProgressFn, signal?: AbortSignal): ToTfliteResult {
  const recipe = tfliteRecipe(model, options);
  const missing = recipe.find((s) => s.transform !== 'infer-shapes' && !TRANSFORMS[s.transform]);
  if (missing) {
    const report = emptyReport();
    report.converted = false;
    report.notes.push(`conversion from ${model.format} (${model.dialect} dialect) to TFLite is not available yet`);
    return { recipe, model, reports: [report], converted: false };
  }
  let result: { model: Model; reports: ConversionReport[]; converted: boolean };
  if (model.dialect === 'tfl') {
    const report = emptyReport();
    const shaped = options.inputShapes ? inferShapes(model, { inputShapes: options.inputShapes }) : { model, report: null };
    if (shaped.report) report.notes.push(`input shapes fixed: ${Object.entries(options.inputShapes ?? {}).map(([k, v]) => `${k}=${v.join('x')}`).join(', ')}`);
    report.notes.push('already TFLite: written again by our writer');
    report.stats.nodesIn = report.stats.nodesOut = shaped.model.graphs[0]?.nodes.length ?? 0;
    result = { model: shaped.model, reports: [report], converted: true };
  } else {
    // Conversion steps only: their reports are ConversionReports.
    result = applyRecipe(model, recipe, onProgress, signal) as { model: Model; reports: ConversionReport[]; converted: boolean };
  }
  if (!result.converted) return { recipe, ...result };
  return { recipe, ...result, bytes: writeTflite(result.model) };
}
