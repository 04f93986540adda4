/**
 * Post-training quantization of `tfl` models, one pure transform for all modes:
 *
 *   const { model, report } = quantize(floatTfl, { mode: 'int8', ranges });   // ranges from calibrate()
 *
 * float16 and dynamic need no data; int8 / int16x8 need the activation ranges that calibration
 * measured on the float model (lib/quantize/calibrate). The options are the recipe step, so the
 * CLI replays a variant the app made without the calibration data and gets the same bytes.
 */
import type { Model } from '../ir/types';
import type { ProgressFn } from '../transforms/types';
import { constantBytes } from './graph-edit';
import { quantizeFullGraph } from './full';
import { prepareFloat } from './prepare';
import { userPrecision } from './precision';
import type { LayerPrecision, QuantizeOptions, QuantizeReport } from './types';
import { dynamicRangeGraph, float16Graph } from './weight-only';

export const QUANTIZE = 'quantize';
export const QUANT_MODES = ['float16', 'dynamic', 'int8', 'int16x8'] as const;

export type { LayerPrecision, QuantMode, QuantizeOptions, QuantizeReport, Range } from './types';
export { prepareFloat, AlreadyQuantizedError } from './prepare';

function describe(options: QuantizeOptions): string {
  const parts: string[] = [options.mode];
  if (options.mode !== 'float16') parts.push(options.perTensor ? 'per-tensor weights' : options.perChannelDense ? 'per-channel weights' : 'per-channel weights (dense layers per tensor)');
  if (options.mode === 'int8' || options.mode === 'int16x8') parts.push(options.floatIO ? 'float32 I/O' : 'integer I/O');
  if (options.calibration) parts.push(`calibration: ${options.calibration}`);
  if (options.layers?.length) parts.push(`layers: ${options.layers.map((l) => `${l.match}=${l.precision}`).join(', ')}`);
  return parts.join('; ');
}

export function quantize(model: Model, options: QuantizeOptions, onProgress?: ProgressFn, signal?: AbortSignal): { model: Model; report: QuantizeReport } {
  if (!options || !(QUANT_MODES as readonly string[]).includes(options.mode)) {
    throw new Error(`quantize: unknown mode ${String(options?.mode)} (known: ${QUANT_MODES.join(', ')})`);
  }
  if ((options.mode === 'int8' || options.mode === 'int16x8') && !options.ranges) {
    throw new Error(`quantize: ${options.mode} needs calibrated activation ranges (run calibration on sample inputs first)`);
  }
  signal?.throwIfAborted();
  onProgress?.(0, 'preparing float weights');
  const float = prepareFloat(model);
  const g = float.graphs[0]!;
  onProgress?.(0.2, `quantizing (${options.mode})`);
  const keepFloat = userPrecision(options);
  const r = options.mode === 'float16' ? float16Graph(g, options)
    : options.mode === 'dynamic' ? dynamicRangeGraph(g, options, (n) => keepFloat(n) === 'float')
    : quantizeFullGraph(float, options);
  signal?.throwIfAborted();
  const counts: Record<LayerPrecision, number> = { float: 0, int8: 0, int16: 0 };
  for (const n of r.nodes) counts[n.precision]++;
  const notes: string[] = [];
  const fallback = r.nodes.filter((n) => n.precision === 'float' && n.reason && options.mode !== 'float16');
  if (fallback.length > 0 && options.mode !== 'dynamic') {
    const byReason = new Map<string, string[]>();
    for (const n of fallback) byReason.set(n.reason!, [...(byReason.get(n.reason!) ?? []), n.node]);
    for (const [why, names] of byReason) notes.push(`${names.length} node(s) stay float: ${why} (${names.slice(0, 3).join(', ')}${names.length > 3 ? ', ...' : ''})`);
  }
  const saturated = 'saturatedBiases' in r ? (r.saturatedBiases as number) : 0;
  if (saturated > 0) notes.push(`${saturated} bias value(s) did not fit int32 at input scale x weight scale and were saturated`);
  const out: Model = {
    ...float,
    graphs: [r.graph, ...float.graphs.slice(1)],
    metadata: { ...float.metadata, quantization: describe(options) },
  };
  onProgress?.(1, 'done');
  return {
    model: out,
    report: {
      converted: true, unsupported: [], notes, mode: options.mode, nodes: r.nodes, counts,
      conversions: r.conversions, saturatedBiases: saturated,
      weightBytes: { before: constantBytes(model.graphs[0]!), after: constantBytes(r.graph) },
    },
  };
}
