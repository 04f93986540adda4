/**
 * Transforms by name, so a model variant's Recipe can be shown and re-made:
 *
 *   const { model, reports } = applyRecipe(onnxModel, [{ transform: 'onnx-to-tfl', options: { keepLayout: false } }]);
 */
import type { Model } from '../ir/types';
import { ONNX_TO_TFL, onnxToTfl } from './onnx-to-tfl/index';
import { convertTfToTflite, TF_TO_TFL } from './tf-to-tfl/index';
import { convertKerasToTflite, KERAS_TO_TFL } from './keras-to-tfl/index';
import type { ConversionReport, ProgressFn, Recipe, Transform } from './types';

export const TRANSFORMS: Record<string, Transform<never>> = {
  [ONNX_TO_TFL]: onnxToTfl as Transform<never>,
  [TF_TO_TFL]: convertTfToTflite as Transform<never>,
  [KERAS_TO_TFL]: convertKerasToTflite as Transform<never>,
};

export interface RecipeResult {
  model: Model;
  reports: ConversionReport[];
  /** False as soon as one step could not convert everything; later steps are not run. */
  converted: boolean;
}

export function applyRecipe(model: Model, recipe: Recipe, onProgress?: ProgressFn, signal?: AbortSignal): RecipeResult {
  const reports: ConversionReport[] = [];
  let current = model;
  for (const [i, step] of recipe.entries()) {
    const t = TRANSFORMS[step.transform];
    if (!t) throw new Error(`unknown transform "${step.transform}" (known: ${Object.keys(TRANSFORMS).join(', ')})`);
    const progress = onProgress && ((f: number, phase: string) => onProgress((i + f) / recipe.length, `${step.transform}: ${phase}`));
    const { model: next, report } = (t as Transform<Record<string, unknown>>)(current, step.options, progress, signal);
    reports.push(report);
    current = next;
    if (!report.converted) return { model: current, reports, converted: false };
  }
  return { model: current, reports, converted: true };
}

export type { ConversionReport, Recipe, RecipeStep, Transform, TransformResult, UnsupportedOp } from './types';
export { onnxToTfl, supportedOnnxOps, type OnnxToTflOptions } from './onnx-to-tfl/index';
