/**
 * TF.js layers model (`keras.*`) -> TFLite (`tfl.*`), a pure transform:
 *
 *   const { model: tfl, report } = convertKerasToTflite(layersModel, { batch: 1 });
 *   if (report.converted) bytes = writeTflite(tfl);
 *
 * Phases: shapes (open batch -> `batch`) -> BatchNorm folding plan -> lowering by the layer
 * table (kernels re-laid-out for TFLite, channels_last kept) -> clean-up and activation fusion.
 */
import type { Model } from '../../ir/types';
import { throwIfAborted } from '../../formats/errors';
import { addUnsupported, emptyReport, type ProgressFn, type TransformResult } from '../types';
import { finish, lowerByTable, staticGraph, type ToTflOptions } from '../tf-to-tfl/common';
import { foldTargets, KERAS_RULES, setFolds } from './rules';

export type KerasToTflOptions = ToTflOptions;
export const KERAS_TO_TFL = 'keras-to-tfl';
export { KERAS_RULES };

export const supportedKerasLayers = (): string[] => Object.keys(KERAS_RULES).sort();

export function convertKerasToTflite(model: Model, options: KerasToTflOptions = {}, onProgress?: ProgressFn, signal?: AbortSignal): TransformResult {
  const report = emptyReport();
  const main = model.graphs[0];
  if (model.dialect !== 'keras' || !main) {
    addUnsupported(report, `${model.dialect} model`, model.name, 'keras-to-tfl converts TF.js layers models (keras.*) only');
    return { model, report };
  }
  report.stats.nodesIn = main.nodes.length;
  onProgress?.(0.05, 'shapes');
  throwIfAborted(signal);
  const g = staticGraph(model, options, report);
  if (!g) return { model, report };
  onProgress?.(0.3, 'lower');
  throwIfAborted(signal);
  const folds = foldTargets(g);
  const lowered = lowerByTable(g, 'keras', KERAS_RULES, report, (c) => setFolds(c, folds));
  // Only folds whose producer actually lowered count (a failed producer leaves its BN unfolded).
  report.stats.foldedBatchNorms = [...folds.keys()].filter((p) => lowered.nodes.some((n) => n.name === p)).length;
  onProgress?.(0.8, 'optimize');
  throwIfAborted(signal);
  const out = finish(model, lowered, report, KERAS_TO_TFL);
  onProgress?.(1, 'done');
  return { model: out, report };
}
