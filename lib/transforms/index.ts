/**
 * Transforms by name, so a model variant's Recipe can be shown and re-made:
 *
 *   const { model, reports } = applyRecipe(onnxModel, [{ transform: 'onnx-to-tfl', options: { keepLayout: false } }]);
 */
import type { Model } from '../ir/types';
import { ONNX_TO_TFL, onnxToTfl } from './onnx-to-tfl/index';
import { convertTfToTflite, TF_TO_TFL } from './tf-to-tfl/index';
import { convertKerasToTflite, KERAS_TO_TFL } from './keras-to-tfl/index';
import { QUANTIZE, quantize } from '../quantize/index';
import { ONNX_QDQ, onnxQdq } from '../quantize/onnx-qdq';
import { PRUNE, prune } from '../prune/index';
import { INFER_SHAPES, inferShapesStep } from './infer-shapes';
import type { ProgressFn, Recipe, Transform, TransformReport } from './types';

type AnyTransform = Transform<never, TransformReport>;

export const TRANSFORMS: Record<string, AnyTransform> = {
  [ONNX_TO_TFL]: onnxToTfl as AnyTransform,
  [TF_TO_TFL]: convertTfToTflite as AnyTransform,
  [KERAS_TO_TFL]: convertKerasToTflite as AnyTransform,
  [QUANTIZE]: quantize as AnyTransform,
  [ONNX_QDQ]: onnxQdq as unknown as AnyTransform,
  [PRUNE]: prune as AnyTransform,
  [INFER_SHAPES]: inferShapesStep as AnyTransform,
};

export interface RecipeResult {
  model: Model;
  reports: TransformReport[];
  /** False as soon as one step could not convert everything; later steps are not run. */
  converted: boolean;
}

export function applyRecipe(model: Model, recipe: Recipe, onProgress?: ProgressFn, signal?: AbortSignal): RecipeResult {
  const reports: TransformReport[] = [];
  let current = model;
  for (const [i, step] of recipe.entries()) {
    const t = TRANSFORMS[step.transform];
    if (!t) throw new Error(`unknown transform "${step.transform}" (known: ${Object.keys(TRANSFORMS).join(', ')})`);
    const progress = onProgress && ((f: number, phase: string) => onProgress((i + f) / recipe.length, `${step.transform}: ${phase}`));
    const { model: next, report } = (t as Transform<Record<string, unknown>, TransformReport>)(current, step.options, progress, signal);
    reports.push(report);
    current = next;
    if (!report.converted) return { model: current, reports, converted: false };
  }
  return { model: current, reports, converted: true };
}

export type { ConversionReport, Recipe, RecipeStep, Transform, TransformReport, TransformResult, UnsupportedOp } from './types';
export { onnxToTfl, supportedOnnxOps, type OnnxToTflOptions } from './onnx-to-tfl/index';
