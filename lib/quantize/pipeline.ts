/**
 * A quantized variant from any model, as the app's worker and the CLI both make it: convert to
 * `tfl` if needed, calibrate the float model (int8 / int16x8), select ranges, quantize, write.
 * The statistics are returned so that a new range method or percentile re-quantizes without
 * running the model again.
 */
import type { Model } from '../ir/types';
import { writeTflite } from '../formats/tflite/write';
import { convertToTflite, type ToTfliteOptions } from '../transforms/to-tflite';
import type { ProgressFn, Recipe } from '../transforms/types';
import { collectStats, type SampleSource } from './calibrate/collect';
import { methodName, selectRanges, type CalibrationMethod } from './calibrate/ranges';
import type { TensorStats } from './calibrate/stats';
import { QUANTIZE, quantize } from './index';
import { prepareFloat } from './prepare';
import type { QuantizeOptions, QuantizeReport } from './types';

export interface CalibrationData {
  samples: SampleSource;
  count: number;
  /** e.g. "500 bundled Fashion-MNIST training images" (goes into the recipe and metadata). */
  description: string;
}

export interface VariantRequest extends Omit<QuantizeOptions, 'ranges' | 'calibration'> {
  method?: CalibrationMethod;
  /** Statistics of an earlier calibration of the same float model (skips running it again). */
  stats?: Map<string, TensorStats>;
  calibration?: CalibrationData;
  convert?: ToTfliteOptions;
}

export interface Variant {
  /** The float `tfl` model the variant was quantized from (converted, weights float32). */
  float: Model;
  model: Model;
  bytes: Uint8Array;
  recipe: Recipe;
  report: QuantizeReport;
  stats?: Map<string, TensorStats>;
}

/** The float `tfl` model quantization starts from (a conversion when the source is not TFLite). */
export function floatTfl(source: Model, convert: ToTfliteOptions = {}): { model: Model; recipe: Recipe } {
  if (source.dialect === 'tfl' && !convert.inputShapes) return { model: prepareFloat(source), recipe: [] };
  const r = convertToTflite(source, convert);
  if (!r.converted) {
    const ops = r.reports.flatMap((x) => x.unsupported.map((u) => `${u.op} x${u.count}`));
    throw new Error(`cannot quantize ${source.name}: it does not convert to TFLite (${ops.join(', ') || r.reports.flatMap((x) => x.notes).join('; ')})`);
  }
  return { model: prepareFloat(r.model), recipe: r.recipe };
}

export async function makeVariant(source: Model, req: VariantRequest, onProgress?: ProgressFn, signal?: AbortSignal): Promise<Variant> {
  onProgress?.(0, 'converting');
  const { model: float, recipe } = floatTfl(source, req.convert);
  const needsRanges = req.mode === 'int8' || req.mode === 'int16x8';
  let stats = req.stats;
  const method = req.method ?? 'minmax';
  if (needsRanges && !stats) {
    if (!req.calibration) throw new Error(`${req.mode} needs calibration data`);
    const cal = req.calibration;
    stats = await collectStats(float, cal.samples, cal.count, {
      histogram: method !== 'minmax',
      signal,
      onProgress: (done, total) => onProgress?.(0.05 + 0.85 * (done / Math.max(total, 1)), `calibrating ${done}/${total}`),
    });
  }
  signal?.throwIfAborted();
  const type = req.mode === 'int16x8' ? 'int16' : 'int8';
  const { method: _m, stats: _s, calibration: cal, convert: _c, ...rest } = req;
  const options: QuantizeOptions = {
    ...rest,
    ...(needsRanges ? { ranges: selectRanges(stats!, method, () => type) } : {}),
    ...(needsRanges && cal ? { calibration: `${methodName(method)} over ${cal.description}` } : {}),
  };
  onProgress?.(0.92, 'quantizing');
  const { model, report } = quantize(float, options);
  const bytes = writeTflite(model);
  onProgress?.(1, 'done');
  return { float, model, bytes, recipe: [...recipe, { transform: QUANTIZE, options: options as unknown as Record<string, unknown> }], report, ...(stats ? { stats } : {}) };
}
