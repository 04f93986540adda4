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
import { findPerm, transpose } from '../run/layout';
import type { HostTensor } from '../runtime/types';
import { collectStats, type SampleSource } from './calibrate/collect';
import { methodName, selectRanges, type CalibrationMethod } from './calibrate/ranges';
import type { TensorStats } from './calibrate/stats';
import { QUANTIZE, quantize } from './index';
import { writeOnnx } from '../formats/onnx/write';
import { ONNX_QDQ, onnxQdq, type OnnxQdqOptions, type OnnxQdqReport } from './onnx-qdq';
import { prepareFloat } from './prepare';
import type { QuantizeOptions, QuantizeReport } from './types';

export interface CalibrationData {
  samples: SampleSource;
  count: number;
  /** e.g. "500 bundled Fashion-MNIST training images" (goes into the recipe and metadata). */
  description: string;
}

export interface VariantRequest extends Omit<QuantizeOptions, 'ranges' | 'calibration'> {
  /** 'onnx': a QDQ .onnx from an ONNX source (int8 only); default a .tflite. */
  target?: 'tflite' | 'onnx';
  /** QDQ activations: uint8 (default, onnxruntime's fast path) or int8. */
  activations?: 'int8' | 'uint8';
  method?: CalibrationMethod;
  /** Statistics of an earlier calibration of the same float model (skips running it again). */
  stats?: Map<string, TensorStats>;
  calibration?: CalibrationData;
  convert?: ToTfliteOptions;
}

export interface Variant {
  /** The float model the variant was quantized from (`tfl` converted with float32 weights, or the ONNX source). */
  float: Model;
  model: Model;
  bytes: Uint8Array;
  recipe: Recipe;
  report: QuantizeReport | OnnxQdqReport;
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

/**
 * Samples in the layout of `model`'s inputs: data prepared for the ONNX original (NCHW) feeds
 * the converted model (NHWC) and the other way round, transposed where the shapes say so.
 */
async function* inLayoutOf(model: Model, samples: SampleSource): AsyncGenerator<HostTensor[]> {
  const g = model.graphs[0]!;
  const want = g.inputs.map((n) => (g.tensors.get(n)?.shape ?? []).map((d) => (typeof d === 'number' ? d : 1)));
  for await (const set of samples) {
    yield set.map((t, i) => {
      const w = want[i];
      if (!w || t.shape.join() === w.join()) return t;
      const perm = findPerm(t.shape, w);
      if (!perm) throw new Error(`calibration sample for input ${g.inputs[i]}: shape [${t.shape.join(', ')}] does not fit [${w.join(', ')}]`);
      return { ...transpose(t, perm), name: t.name };
    });
  }
}

async function calibrated(float: Model, req: VariantRequest, onProgress?: ProgressFn, signal?: AbortSignal): Promise<Map<string, TensorStats>> {
  if (req.stats) return req.stats;
  if (!req.calibration) throw new Error(`${req.mode} needs calibration data`);
  const cal = req.calibration;
  return collectStats(float, inLayoutOf(float, cal.samples), cal.count, {
    histogram: (req.method ?? 'minmax') !== 'minmax',
    signal,
    onProgress: (done, total) => onProgress?.(0.05 + 0.85 * (done / Math.max(total, 1)), `calibrating ${done}/${total}`),
  });
}

/** int8 QDQ ONNX from an ONNX model, calibrated on the ONNX model itself (its own layout). */
async function makeOnnxVariant(source: Model, req: VariantRequest, onProgress?: ProgressFn, signal?: AbortSignal): Promise<Variant> {
  if (source.dialect !== 'onnx') throw new Error(`a QDQ .onnx needs an ONNX model; ${source.name} is ${source.format}`);
  if (req.mode !== 'int8') throw new Error(`ONNX output supports int8 (QDQ) quantization, not ${req.mode}`);
  const method = req.method ?? 'minmax';
  const stats = await calibrated(source, req, onProgress, signal);
  signal?.throwIfAborted();
  const options: OnnxQdqOptions = {
    ranges: selectRanges(stats, method),
    ...(req.activations ? { activations: req.activations } : {}),
    ...(req.perTensor ? { perTensor: true } : {}),
    ...(req.layers?.some((l) => l.precision === 'float') ? { keepFloat: req.layers.filter((l) => l.precision === 'float').map((l) => l.match) } : {}),
    ...(req.calibration ? { calibration: `${methodName(method)} over ${req.calibration.description}` } : {}),
  };
  onProgress?.(0.92, 'quantizing (QDQ)');
  const { model, report } = onnxQdq(source, options);
  const bytes = writeOnnx(model);
  onProgress?.(1, 'done');
  return { float: source, model, bytes, recipe: [{ transform: ONNX_QDQ, options: options as unknown as Record<string, unknown> }], report, stats };
}

export async function makeVariant(source: Model, req: VariantRequest, onProgress?: ProgressFn, signal?: AbortSignal): Promise<Variant> {
  if (req.target === 'onnx') return makeOnnxVariant(source, req, onProgress, signal);
  onProgress?.(0, 'converting');
  const { model: float, recipe } = floatTfl(source, req.convert);
  const needsRanges = req.mode === 'int8' || req.mode === 'int16x8';
  const method = req.method ?? 'minmax';
  const stats = needsRanges ? await calibrated(float, req, onProgress, signal) : undefined;
  signal?.throwIfAborted();
  const type = req.mode === 'int16x8' ? 'int16' : 'int8';
  const { method: _m, stats: _s, calibration: cal, convert: _c, target: _t, activations: _a, ...rest } = req;
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
