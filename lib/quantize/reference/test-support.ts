/**
 * Test support for the reference interpreter (tests only, Node only): a small builder for
 * quantized `tfl` models with seeded weights, and a harness that runs one model in the reference
 * and in the real runtimes (LiteRT.js, tfjs-tflite, Arm NN) and measures agreement in LSBs.
 */
import { expect } from 'vitest';
import type { AttrValue, DType, Model, Node, Quantization, Tensor } from '../../ir/types';
import { writeTflite } from '../../formats/tflite/write';
import { seededRandom } from '../../runtime/host-tensor';
import { litertAdapter } from '../../runtime/litert';
import type { HostTensor } from '../../runtime/types';
import { tflOptions } from '../../transforms/onnx-to-tfl/builder';
import { runArmnn } from '../../verify/armnn';
import { runTfjsTflite } from '../../verify/tfjs-tflite';
import { runReference } from './index';

export const int = (value: number): AttrValue => ({ kind: 'int', value });
export const str = (value: string): AttrValue => ({ kind: 'string', value });
export const flt = (value: number): AttrValue => ({ kind: 'float', value });
export const bool = (value: boolean): AttrValue => ({ kind: 'bool', value });

const bytes = (a: ArrayBufferView): Uint8Array => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

/** Builds a one-graph `tfl` model; every random draw comes from one seeded stream. */
export class ModelBuilder {
  readonly rnd: () => number;
  private readonly tensors = new Map<string, Tensor>();
  private readonly nodes: Node[] = [];
  private readonly inputs: string[] = [];
  private readonly outputs: string[] = [];

  constructor(seed: number) {
    this.rnd = seededRandom(seed);
  }

  /** A uniform draw in [lo, hi). */
  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.rnd();
  }

  /** An integer draw in [lo, hi]. */
  integer(lo: number, hi: number): number {
    return lo + Math.floor(this.rnd() * (hi - lo + 1));
  }

  tensor(name: string, dtype: DType, shape: number[], quant?: Quantization, data?: ArrayBufferView): string {
    this.tensors.set(name, { name, dtype, shape, ...(quant ? { quant } : {}), ...(data ? { data: bytes(data), isConstant: true } : {}) });
    return name;
  }

  /** An activation tensor with per-tensor quantization. */
  q(name: string, dtype: DType, shape: number[], scale: number, zeroPoint = 0): string {
    return this.tensor(name, dtype, shape, { scale: [scale], zeroPoint: [zeroPoint] });
  }

  /**
   * Symmetric int8 weights, random in [-127, 127], with one random scale per channel along
   * `axis` (or one scale when axis is undefined). Returns the tensor name and its scales.
   */
  weights(name: string, shape: number[], axis: number | undefined, scaleRange: [number, number] = [0.002, 0.02]): { name: string; scales: number[] } {
    const n = shape.reduce((a, b) => a * b, 1);
    const data = Int8Array.from({ length: n }, () => this.integer(-127, 127));
    const channels = axis === undefined ? 1 : shape[axis]!;
    const scales = Array.from({ length: channels }, () => Math.fround(this.uniform(...scaleRange)));
    const quant: Quantization = { scale: scales, zeroPoint: scales.map(() => 0), ...(axis !== undefined ? { axis } : {}) };
    return { name: this.tensor(name, 'int8', shape, quant, data), scales };
  }

  /** An int32 (or int64) bias with scale input_scale * weight_scale per channel, random values. */
  bias(name: string, inputScale: number, weightScales: number[], channels: number, dtype: 'int32' | 'int64' = 'int32', range = 2000): string {
    const values = Array.from({ length: channels }, () => this.integer(-range, range));
    const scales = Array.from({ length: channels }, (_, c) => Math.fround(inputScale) * weightScales[weightScales.length > 1 ? c : 0]!);
    const data = dtype === 'int32' ? Int32Array.from(values) : BigInt64Array.from(values, (v) => BigInt(v));
    const perChannel = weightScales.length > 1;
    return this.tensor(name, dtype, [channels], { scale: perChannel ? scales : [scales[0]!], zeroPoint: (perChannel ? scales : [0]).map(() => 0), ...(perChannel ? { axis: 0 } : {}) }, data);
  }

  /** A constant quantized tensor with random codes over the dtype's range. */
  constQ(name: string, dtype: 'int8' | 'int16', shape: number[], scale: number, zeroPoint = 0): string {
    const n = shape.reduce((a, b) => a * b, 1);
    const data = dtype === 'int8' ? Int8Array.from({ length: n }, () => this.integer(-128, 127)) : Int16Array.from({ length: n }, () => this.integer(-32768, 32767));
    return this.tensor(name, dtype, shape, { scale: [scale], zeroPoint: [zeroPoint] }, data);
  }

  int32(name: string, values: number[], shape = [values.length]): string {
    return this.tensor(name, 'int32', shape, undefined, Int32Array.from(values));
  }

  float(name: string, shape: number[], values?: ArrayLike<number>): string {
    return this.tensor(name, 'float32', shape, undefined, values ? Float32Array.from(values) : undefined);
  }

  op(op: string, inputs: string[], outputs: string[], attrs: Record<string, AttrValue> = {}): void {
    this.nodes.push({ name: outputs[0] ?? op, op: `tfl.${op}`, inputs, outputs, attrs: tflOptions(op, attrs) });
  }

  input(name: string): string {
    this.inputs.push(name);
    return name;
  }

  output(name: string): string {
    this.outputs.push(name);
    return name;
  }

  build(): Model {
    return {
      format: 'tflite', dialect: 'tfl', name: 'reference-case.tflite', files: [], metadata: {}, opsets: { tflite: 3 },
      graphs: [{ name: 'main', inputs: this.inputs, outputs: this.outputs, nodes: this.nodes, tensors: this.tensors }],
    };
  }

  /** Random feeds for the model's inputs: int codes over the dtype's range, floats in [lo, hi). */
  feeds(model: Model, floatRange: [number, number] = [-1, 1]): HostTensor[] {
    const g = model.graphs[0]!;
    return g.inputs.map((name) => {
      const t = g.tensors.get(name)!;
      const shape = t.shape as number[];
      const n = shape.reduce((a, b) => a * b, 1);
      switch (t.dtype) {
        case 'int8': return { name, dtype: t.dtype, shape, data: Int8Array.from({ length: n }, () => this.integer(-128, 127)) };
        case 'int16': return { name, dtype: t.dtype, shape, data: Int16Array.from({ length: n }, () => this.integer(-32768, 32767)) };
        case 'float32': return { name, dtype: t.dtype, shape, data: Float32Array.from({ length: n }, () => this.uniform(...floatRange)) };
        default: throw new Error(`no random feed for ${t.dtype}`);
      }
    });
  }
}

/**
 * An output scale that spreads a dot product of `depth` terms over the int8 range: about four
 * standard deviations of the real result of uniform codes times uniform weights.
 */
export function dotOutputScale(inputScale: number, inputZeroPoint: number, weightScale: number, depth: number, levels = 128): number {
  const x2 = inputScale ** 2 * (256 ** 2 / 12 + (inputZeroPoint + 0.5) ** 2);
  const w2 = weightScale ** 2 * (255 ** 2 / 12);
  return Math.fround((4 * Math.sqrt(depth * x2 * w2)) / levels);
}

// ---- running and comparing ---------------------------------------------------------------------

export type RuntimeName = 'litert' | 'tfjs-tflite' | 'armnn';
export const RUNTIMES: RuntimeName[] = ['litert', 'tfjs-tflite', 'armnn'];

export interface Agreement {
  runtime: RuntimeName;
  status: 'ok' | 'unsupported' | 'error';
  message?: string;
  elements: number;
  /** Elements equal to the reference (same code). */
  exact: number;
  /** Elements equal to the reference run with rounding 'single' (TFLITE_SINGLE_ROUNDING). */
  exactSingle: number;
  /** Elements within one code of the reference. */
  withinOne: number;
  /** Largest difference in codes. */
  maxDiff: number;
  /** Number of elements at each difference in codes. */
  histogram: Map<number, number>;
}

async function runtimeOutputs(runtime: RuntimeName, model: Model, sets: HostTensor[][]): Promise<{ ok: true; outputs: HostTensor[][] } | { ok: false; kind: 'unsupported' | 'error'; message: string }> {
  if (runtime === 'litert') {
    try {
      const session = await litertAdapter.load({ model }, { backend: 'wasm' });
      try {
        const outputs: HostTensor[][] = [];
        for (const s of sets) outputs.push(await session.run(s));
        return { ok: true, outputs };
      } finally {
        session.dispose();
      }
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      return { ok: false, kind: /not supported|cannot pass|unsupported/i.test(message) ? 'unsupported' : 'error', message };
    }
  }
  const bytesOfModel = writeTflite(model);
  // The reference's own tests measure what Arm NN really computes, its known defects included.
  const r = runtime === 'armnn' ? await runArmnn(bytesOfModel, sets, { allowDefects: true }) : await runTfjsTflite(bytesOfModel, sets);
  return r.ok ? { ok: true, outputs: r.outputSets } : { ok: false, kind: r.kind, message: r.message };
}

/**
 * How an output element is compared: integer outputs by code; a float output that dequantizes an
 * integer tensor by its code again (round(value / scale): exact, since value = float32(scale * q));
 * float outputs without a scale are counted in steps of 1e-6.
 */
function codeOf(dtype: string, lsb: number | undefined): (v: number | bigint) => number {
  if (dtype !== 'float32') return (v) => Number(v);
  const step = lsb ?? 1e-6;
  return (v) => Math.round(Number(v) / step);
}

/**
 * Runs `model` on each feed set in the reference and in each runtime, and counts per runtime
 * how many output elements match. `lsb` gives, per float graph output, the step it is compared
 * in (the scale of the integer tensor it dequantizes, or a float tolerance); integer outputs
 * count codes.
 */
export async function agreement(model: Model, sets: HostTensor[][], options: { runtimes?: RuntimeName[]; lsb?: number[] } = {}): Promise<{ reference: HostTensor[][]; results: Agreement[] }> {
  const reference = sets.map((s) => runReference(model, s));
  const single = sets.map((s) => runReference(model, s, { rounding: 'single' }));
  const results: Agreement[] = [];
  for (const runtime of options.runtimes ?? RUNTIMES) {
    const r = await runtimeOutputs(runtime, model, sets);
    if (!r.ok) {
      results.push({ runtime, status: r.kind, message: r.message.slice(0, 300), elements: 0, exact: 0, exactSingle: 0, withinOne: 0, maxDiff: NaN, histogram: new Map() });
      continue;
    }
    const a: Agreement = { runtime, status: 'ok', elements: 0, exact: 0, exactSingle: 0, withinOne: 0, maxDiff: 0, histogram: new Map() };
    reference.forEach((outs, k) => outs.forEach((ref, j) => {
      const got = r.outputs[k]?.[j];
      if (!got || got.data.length !== ref.data.length) throw new Error(`${runtime}: output ${j} of set ${k} has ${got?.data.length ?? 'no'} elements, the reference ${ref.data.length}`);
      const code = codeOf(ref.dtype, options.lsb?.[j]);
      const refSingle = single[k]![j]!;
      for (let i = 0; i < ref.data.length; i++) {
        const d = Math.abs(code(ref.data[i]!) - code(got.data[i]!));
        a.elements++;
        if (d === 0) a.exact++;
        if (code(refSingle.data[i]!) === code(got.data[i]!)) a.exactSingle++;
        if (d <= 1) a.withinOne++;
        a.maxDiff = Math.max(a.maxDiff, d);
        a.histogram.set(d, (a.histogram.get(d) ?? 0) + 1);
      }
    }));
    results.push(a);
  }
  return { reference, results };
}

const pct = (n: number, of: number): string => `${(100 * n / of).toFixed(2)}%`;

/** One line per runtime, for the test log and the report. */
export function describeAgreement(label: string, results: Agreement[]): string {
  return results.map((a) => a.status === 'ok'
    ? `${label} | ${a.runtime} | exact ${pct(a.exact, a.elements)} | <=1 LSB ${pct(a.withinOne, a.elements)} | max ${+a.maxDiff.toFixed(3)} LSB | exact vs single rounding ${pct(a.exactSingle, a.elements)} | ${a.elements} elements`
    : `${label} | ${a.runtime} | ${a.status}: ${a.message}`).join('\n');
}

/** Distinct values among the reference outputs: a case whose output saturates tests nothing. */
export function distinctValues(outputs: HostTensor[][]): number {
  const seen = new Set<number>();
  for (const set of outputs) for (const t of set) for (let i = 0; i < t.data.length; i++) seen.add(Number(t.data[i]));
  return seen.size;
}

/** What a case expects of the runtimes besides agreeing. */
export interface RuntimeExpectations {
  /** Runtimes that reject the case, with the reason they give. */
  rejects?: Partial<Record<RuntimeName, RegExp>>;
  /** Runtimes known to compute something else (why), checked to still disagree. */
  wrong?: Partial<Record<RuntimeName, string>>;
  /**
   * Runtimes that compute the op another way on purpose (e.g. in float where TFLite uses a
   * table), with the measured bound in codes they stay within on 99.9% of the elements.
   */
  tolerance?: Partial<Record<RuntimeName, { codes: number; why: string }>>;
}

/** Share of the elements within `codes` of the reference. */
export function shareWithin(a: Agreement, codes: number): number {
  let n = 0;
  for (const [d, count] of a.histogram) if (d <= codes) n += count;
  return n / a.elements;
}

/**
 * The acceptance rule: every runtime not listed runs the case and agrees with the reference
 * within one LSB on at least 99.9% of the elements; listed ones still fail the way they did.
 */
export function expectAgreement(results: Agreement[], expectations: RuntimeExpectations = {}): void {
  for (const a of results) {
    const wrong = expectations.wrong?.[a.runtime];
    const rejected = expectations.rejects?.[a.runtime];
    const tolerance = expectations.tolerance?.[a.runtime];
    if (tolerance) {
      expect(a.status, `${a.runtime}: ${a.message}`).toBe('ok');
      expect(shareWithin(a, tolerance.codes), tolerance.why).toBeGreaterThanOrEqual(0.999);
    } else if (wrong) {
      expect(a.status, `${a.runtime}: ${a.message}`).toBe('ok');
      expect(a.withinOne / a.elements, wrong).toBeLessThan(0.99);
    } else if (rejected) {
      expect(a.status, `${a.runtime} was expected to reject this case`).not.toBe('ok');
      expect(a.message).toMatch(rejected);
    } else {
      expect(a.status, `${a.runtime}: ${a.message}`).toBe('ok');
      expect(a.withinOne / a.elements, `${a.runtime}: share within one LSB`).toBeGreaterThanOrEqual(0.999);
    }
  }
}

/**
 * The explanation check for kernels whose only difference is rounding: runtimes that requantize
 * once (XNNPACK in LiteRT.js and tfjs-tflite, Arm NN in float) match the reference run in
 * TFLITE_SINGLE_ROUNDING mode on 99.9% of the elements or more.
 */
export function expectSingleRoundingExplains(results: Agreement[], expectations: RuntimeExpectations = {}, except: RuntimeName[] = []): void {
  for (const a of results) {
    const excused = except.includes(a.runtime) || expectations.wrong?.[a.runtime] || expectations.tolerance?.[a.runtime];
    if (excused || a.status !== 'ok') continue;
    expect(a.exactSingle / a.elements, `${a.runtime}: share equal to the single-rounding reference`).toBeGreaterThanOrEqual(0.999);
  }
}
