/**
 * TF.js graph model (`tf.*`) -> TFLite (`tfl.*`), a pure transform:
 *
 *   const { model: tfl, report } = convertTfToTflite(graphModel, { batch: 1 });
 *   if (report.converted) bytes = writeTflite(tfl);
 *
 * Phases: shapes (open batch -> `batch`) -> lowering by the op table (weights re-laid-out for
 * TFLite; no layout change, TF is NHWC already) -> clean-up and activation fusion.
 */
import { throwIfAborted } from '../../formats/errors';
import { addUnsupported, emptyReport, type ProgressFn, type TransformResult } from '../types';
import { finish, lowerByTable, staticGraph, type Rule, type ToTflOptions } from './common';
import { BASIC_RULES } from './rules-basic';
import { NN_RULES } from './rules-nn';

export type TfToTflOptions = ToTflOptions;
export const TF_TO_TFL = 'tf-to-tfl';

/** TF op type -> lowering. Data: adding an op is one line. */
export const TF_RULES: Record<string, Rule> = { ...BASIC_RULES, ...NN_RULES };

export const supportedTfOps = (): string[] => Object.keys(TF_RULES).sort();

export function convertTfToTflite(model: import('../../ir/types').Model, options: TfToTflOptions = {}, onProgress?: ProgressFn, signal?: AbortSignal): TransformResult {
  const report = emptyReport();
  const main = model.graphs[0];
  if (model.dialect !== 'tf' || !main) {
    addUnsupported(report, `${model.dialect} model`, model.name, 'tf-to-tfl converts TF.js graph models (tf.*) only');
    return { model, report };
  }
  report.stats.nodesIn = main.nodes.length;
  if (model.graphs.length > 1) report.notes.push(`${model.graphs.length - 1} library function / initializer graph(s) are not converted; only the main graph is`);
  onProgress?.(0.05, 'shapes');
  throwIfAborted(signal);
  const g = staticGraph(model, options, report);
  if (!g) return { model, report };
  onProgress?.(0.3, 'lower');
  throwIfAborted(signal);
  const lowered = lowerByTable(g, 'tf', TF_RULES, report);
  onProgress?.(0.8, 'optimize');
  throwIfAborted(signal);
  const out = finish(model, lowered, report, TF_TO_TFL);
  onProgress?.(1, 'done');
  return { model: out, report };
}
