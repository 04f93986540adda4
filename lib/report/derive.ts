/**
 * The choices the report makes from raw measurements, in one place so the table, the charts,
 * the sentences and the tests all read the same numbers.
 */
import type { ComparisonData, EvalResult, LatencyResult, VariantSummary } from '../compare/types';
import { fmtDb, fmtPct } from './format';

/** Which quality number the report ranks variants by: one kind for every variant, or the scatter would mix units. */
export type QualityKind = 'accuracy' | 'top1Agreement' | 'sqnrDb';

export const QUALITY: Record<QualityKind, { title: string; axis: string; format: (v: number) => string; toAxis: (v: number) => number }> = {
  accuracy: { title: 'Accuracy', axis: 'top-1 accuracy (%)', format: fmtPct, toAxis: (v) => v * 100 },
  top1Agreement: { title: 'Top-1 agreement', axis: 'top-1 agreement with the float model (%)', format: fmtPct, toAxis: (v) => v * 100 },
  sqnrDb: { title: 'SQNR', axis: 'output SQNR vs the float model (dB)', format: fmtDb, toAxis: (v) => v },
};

/** Labels beat agreement, agreement beats SQNR (classifiers without labels, then anything else). */
export function qualityKind(data: ComparisonData): QualityKind | undefined {
  for (const k of ['accuracy', 'top1Agreement', 'sqnrDb'] as const) {
    if (data.evals.some((e) => typeof e.metrics[k] === 'number')) return k;
  }
  return undefined;
}

/** A variant evaluated more than once (another runtime, a rerun) shows its latest result. */
export function pickEval(data: ComparisonData, variant: string, kind: QualityKind): EvalResult | undefined {
  let best: EvalResult | undefined;
  for (const e of data.evals) {
    if (e.variant !== variant || typeof e.metrics[kind] !== 'number') continue;
    if (!best || e.at >= best.at) best = e;
  }
  return best;
}

export function qualityOf(data: ComparisonData, variant: string, kind: QualityKind): number | undefined {
  return pickEval(data, variant, kind)?.metrics[kind];
}

export interface Pair { runtime: string; backend: string; key: string }

const RUNTIME_NAMES: Record<string, string> = { litert: 'LiteRT.js', ort: 'onnxruntime-web', tfjs: 'TensorFlow.js', 'tfjs-tflite': 'tfjs-tflite', armnn: 'Arm NN' };

/** The app stores runtime ids; people read product names. Unknown ids are shown as they are. */
export function runtimeName(id: string): string {
  return RUNTIME_NAMES[id] ?? id;
}

export function pairName(p: Pair): string {
  return `${runtimeName(p.runtime)} · ${p.backend}`;
}

/** Runtime x backend combinations in the order they were first measured. */
export function latencyPairs(data: ComparisonData): Pair[] {
  const out: Pair[] = [];
  for (const l of data.latencies) {
    const key = `${l.runtime}\u0000${l.backend}`;
    if (!out.some((p) => p.key === key)) out.push({ runtime: l.runtime, backend: l.backend, key });
  }
  return out;
}

export function latencyOf(data: ComparisonData, variant: string, pair: Pair): LatencyResult | undefined {
  let best: LatencyResult | undefined;
  for (const l of data.latencies) {
    if (l.variant !== variant || l.runtime !== pair.runtime || l.backend !== pair.backend) continue;
    if (!best || l.at >= best.at) best = l;
  }
  return best;
}

export function originalOf(data: ComparisonData): VariantSummary | undefined {
  return data.variants.find((v) => v.id === 'original');
}

/** Sizes relative to the opened file (the model's own byte count when it is not a listed variant). */
export function sizeRatios(data: ComparisonData, v: VariantSummary): { raw: number; gzip: number } {
  const o = originalOf(data);
  const raw = o ? o.bytes : data.model.bytes;
  return { raw: raw > 0 ? v.bytes / raw : NaN, gzip: o && o.gzipBytes > 0 ? v.gzipBytes / o.gzipBytes : NaN };
}

export const isInt8 = (v: VariantSummary): boolean => /\bint8\b/i.test(v.mode);
const isFloat = (v: VariantSummary): boolean => v.mode.trim().toLowerCase() === 'float';

/**
 * The float model an int8 variant should be timed against on one runtime: the nearest float
 * ancestor measured there (its own float model), else any float variant measured there.
 */
export function floatReference(data: ComparisonData, v: VariantSummary, pair: Pair): { float: VariantSummary; latency: LatencyResult } | undefined {
  const byId = new Map(data.variants.map((x) => [x.id, x]));
  const seen = new Set<string>([v.id]);
  for (let p = v.parent ? byId.get(v.parent) : undefined; p && !seen.has(p.id); p = p.parent ? byId.get(p.parent) : undefined) {
    seen.add(p.id);
    const latency = isFloat(p) ? latencyOf(data, p.id, pair) : undefined;
    if (latency) return { float: p, latency };
  }
  for (const f of data.variants) {
    const latency = isFloat(f) && f.id !== v.id ? latencyOf(data, f.id, pair) : undefined;
    if (latency) return { float: f, latency };
  }
  return undefined;
}

export interface Int8Finding { int8: VariantSummary; float: VariantSummary; pair: Pair; int8Ms: number; floatMs: number }

/** Every (int8 variant, runtime) measured against a float model; `slow` are those not faster. */
export function int8Findings(data: ComparisonData): { compared: Int8Finding[]; slow: Int8Finding[] } {
  const compared: Int8Finding[] = [];
  for (const v of data.variants.filter(isInt8)) {
    for (const pair of latencyPairs(data)) {
      const own = latencyOf(data, v.id, pair);
      const ref = own && floatReference(data, v, pair);
      if (own && ref) compared.push({ int8: v, float: ref.float, pair, int8Ms: own.medianMs, floatMs: ref.latency.medianMs });
    }
  }
  return { compared, slow: compared.filter((f) => f.int8Ms >= f.floatMs) };
}
