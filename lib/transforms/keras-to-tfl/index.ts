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
import type { ProgressFn, TransformResult } from '../types';
import { convertByTable, type ToTflOptions } from '../tf-to-tfl/common';
import { foldTargets, KERAS_RULES, setFolds } from './rules';

export type KerasToTflOptions = ToTflOptions;
export const KERAS_TO_TFL = 'keras-to-tfl';
export { KERAS_RULES };

export const supportedKerasLayers = (): string[] => Object.keys(KERAS_RULES).sort();

export function convertKerasToTflite(model: Model, options: KerasToTflOptions = {}, onProgress?: ProgressFn, signal?: AbortSignal): TransformResult {
  return convertByTable({
    dialect: 'keras', name: KERAS_TO_TFL, accepts: 'TF.js layers models (keras.*)', rules: KERAS_RULES,
    plan: (g, report) => {
      const folds = foldTargets(g);
      return {
        setup: (c) => setFolds(c, folds),
        // Only folds whose producer actually lowered count (a failed producer leaves its BN unfolded).
        lowered: (out) => { report.stats.foldedBatchNorms = [...folds.keys()].filter((p) => out.nodes.some((n) => n.name === p)).length; },
      };
    },
  }, model, options, onProgress, signal);
}
