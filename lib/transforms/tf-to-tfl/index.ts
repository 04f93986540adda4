/**
 * TF.js graph model (`tf.*`) -> TFLite (`tfl.*`), a pure transform:
 *
 *   const { model: tfl, report } = convertTfToTflite(graphModel, { batch: 1 });
 *   if (report.converted) bytes = writeTflite(tfl);
 *
 * Phases: shapes (open batch -> `batch`) -> lowering by the op table (weights re-laid-out for
 * TFLite; no layout change, TF is NHWC already) -> clean-up and activation fusion.
 */
import type { Model } from '../../ir/types';
import type { ProgressFn, TransformResult } from '../types';
import { convertByTable, type Rule, type ToTflOptions } from './common';
import { BASIC_RULES } from './rules-basic';
import { NN_RULES } from './rules-nn';
import { EXTRA_RULES } from './rules-extra';

export type TfToTflOptions = ToTflOptions;
export const TF_TO_TFL = 'tf-to-tfl';

/** TF op type -> lowering. Data: adding an op is one line. */
export const TF_RULES: Record<string, Rule> = { ...BASIC_RULES, ...NN_RULES, ...EXTRA_RULES };

export const supportedTfOps = (): string[] => Object.keys(TF_RULES).sort();

export function convertTfToTflite(model: Model, options: TfToTflOptions = {}, onProgress?: ProgressFn, signal?: AbortSignal): TransformResult {
  return convertByTable({ dialect: 'tf', name: TF_TO_TFL, accepts: 'TF.js graph models (tf.*)', rules: TF_RULES, noteExtraGraphs: true },
    model, options, onProgress, signal);
}
