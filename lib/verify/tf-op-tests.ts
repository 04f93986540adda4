/**
 * TF.js op coverage: for every op in tfjs-converter's op list, a tiny graph model (model.json +
 * one weight shard) built in memory (tf-op-cases.ts), run by `tf.loadGraphModel` (cpu backend) for
 * the reference, and read by the studio's own reader, converted by convertTfToTflite, written and
 * run in LiteRT.js (wasm) on the same seeded inputs.
 *
 * Outcome of one case:
 *   pass             converted, every output matches (|a - b| <= rtol * max(1, |a|), rtol 1e-4,
 *                    1e-3 for transcendental ops; integer and bool outputs exactly)
 *   refused          not converted; `named` says whether the report names the op
 *   wrong            converted and ran, an output differs: must never happen
 *   failed           the case, the converter, or LiteRT.js broke (a bug somewhere)
 *   not-expressible  the op has no TFLite builtin or exact composition (a reason is listed)
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { readModel } from '../formats/registry';
import { writeTflite } from '../formats/tflite/write';
import { seededRandom } from '../runtime/host-tensor';
import { litertAdapter } from '../runtime/litert';
import type { HostTensor } from '../runtime/types';
import { convertTfToTflite } from '../transforms/tf-to-tfl/index';
import { TF_CASES, TF_NOT_EXPRESSIBLE, type TfCase } from './tf-op-cases';

export type JDType = 'float32' | 'int32' | 'bool';
const TF_DT: Record<JDType, string> = { float32: 'DT_FLOAT', int32: 'DT_INT32', bool: 'DT_BOOL' };
const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');

/** AttrValues in the proto3 JSON of a GraphDef (what model.json holds). */
export const A = {
  i: (v: number) => ({ i: String(v) }),
  f: (v: number) => ({ f: v }),
  b: (v: boolean) => ({ b: v }),
  s: (v: string) => ({ s: b64(v) }),
  ints: (v: number[]) => ({ list: { i: v.map(String) } }),
  floats: (v: number[]) => ({ list: { f: v } }),
  strs: (v: string[]) => ({ list: { s: v.map(b64) } }),
  t: (d: JDType) => ({ type: TF_DT[d] }),
  shape: (dims: number[]) => ({ shape: { dim: dims.map((d) => ({ size: String(d) })) } }),
};
type Attr = ReturnType<(typeof A)[keyof typeof A]>;

export interface InputSpec {
  dtype?: JDType;
  /** Random uniform range (default [-1, 1); ints [lo, hi)). */
  lo?: number;
  hi?: number;
  /** Floats rounded to this step (ties for comparisons, exact halves for Round...). */
  step?: number;
  /** Fixed values instead of random ones. */
  values?: number[];
}

interface NodeJson { name: string; op: string; input: string[]; attr: Record<string, unknown> }
const dims = (shape: number[]) => ({ dim: shape.map((d) => ({ size: String(d) })) });

/** A TF.js graph model under construction: Placeholders, Consts (in the shard) and op nodes. */
export class CaseGraph {
  readonly nodes: NodeJson[] = [];
  readonly weights: Array<{ name: string; shape: number[]; dtype: JDType; values: number[] }> = [];
  readonly inputs: Array<{ name: string; shape: number[]; spec: InputSpec }> = [];
  outputs: string[] = [];
  private readonly types = new Map<string, JDType>();
  private count = 0;

  x(shape: number[], spec: InputSpec = {}, name = this.inputs.length === 0 ? 'x' : `x${this.inputs.length}`): string {
    const dtype = spec.dtype ?? 'float32';
    this.nodes.push({ name, op: 'Placeholder', input: [], attr: { dtype: A.t(dtype), shape: { shape: dims(shape) } } });
    this.inputs.push({ name, shape, spec });
    this.types.set(name, dtype);
    return name;
  }

  /** A Const node (its values in the weight shard); shape defaults to a vector. */
  k(values: number[], shape: number[] = [values.length], dtype: JDType = 'int32', name = `k${this.count++}`): string {
    this.nodes.push({ name, op: 'Const', input: [], attr: { value: { tensor: { dtype: TF_DT[dtype], tensorShape: dims(shape) } }, dtype: A.t(dtype) } });
    this.weights.push({ name, shape, dtype, values });
    this.types.set(name, dtype);
    return name;
  }

  f(values: number[], shape: number[] = [values.length]): string {
    return this.k(values, shape, 'float32');
  }

  /** An op node; T is the first input's dtype unless given (null: no T). Returns its name. */
  n(op: string, inputs: string[], attr: Record<string, Attr> = {}, opts: { name?: string; T?: JDType | null; dtype?: JDType } = {}): string {
    const name = opts.name ?? (this.nodes.some((n) => n.name === 'y') ? `n${this.count++}` : 'y');
    const T = opts.T === undefined ? this.types.get(inputs[0]?.split(':')[0] ?? '') : opts.T;
    this.nodes.push({ name, op, input: inputs, attr: { ...(T ? { T: A.t(T) } : {}), ...attr } });
    this.types.set(name, opts.dtype ?? T ?? 'float32');
    return name;
  }

  out(...names: string[]): void {
    this.outputs = names;
  }

  /** model.json and the shard, as tfjs and the studio's reader take them. */
  artifacts(): { json: Record<string, unknown>; weightSpecs: tf.io.WeightsManifestEntry[]; weightData: ArrayBuffer } {
    const parts = this.weights.map((w) => (w.dtype === 'float32' ? new Uint8Array(Float32Array.from(w.values).buffer)
      : w.dtype === 'int32' ? new Uint8Array(Int32Array.from(w.values).buffer) : Uint8Array.from(w.values, (v) => (v ? 1 : 0))));
    const data = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
    let off = 0;
    for (const p of parts) { data.set(p, off); off += p.length; }
    const weightSpecs = this.weights.map((w) => ({ name: w.name, shape: w.shape, dtype: w.dtype }));
    const outputs = this.outputs.length > 0 ? this.outputs : [this.nodes[this.nodes.length - 1]!.name];
    const ref = (n: string) => (n.includes(':') ? n : `${n}:0`);
    const json = {
      format: 'graph-model', generatedBy: 'tf-op-cases', convertedBy: null,
      modelTopology: { node: this.nodes, library: {}, versions: { producer: 1 } },
      weightsManifest: [{ paths: ['group1-shard1of1.bin'], weights: weightSpecs }],
      signature: {
        inputs: Object.fromEntries(this.inputs.map((x) => [ref(x.name), { name: ref(x.name), dtype: TF_DT[x.spec.dtype ?? 'float32'], tensorShape: dims(x.shape) }])),
        outputs: Object.fromEntries(outputs.map((o) => [ref(o), { name: ref(o) }])),
      },
    };
    return { json, weightSpecs, weightData: data.buffer };
  }
}

export type Outcome = 'pass' | 'refused' | 'wrong' | 'failed' | 'not-expressible';

export interface CaseResult {
  op: string;
  /** op or op/label: the key in docs/tf-op-coverage.json. */
  id: string;
  outcome: Outcome;
  detail: string;
  /** Refusals: the report names the op under test. */
  named?: boolean;
}

/** Every tfOpName in tfjs-converter's op list, in file order. */
export function tfjsOpList(root = process.cwd()): string[] {
  const dir = path.join(root, 'node_modules/@tensorflow/tfjs-converter/dist/operations/op_list');
  if (!existsSync(dir)) return [];
  const ops: string[] = [];
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.js')).sort()) {
    for (const m of readFileSync(path.join(dir, f), 'utf8').matchAll(/'tfOpName': '([^']+)'/g)) if (!ops.includes(m[1]!)) ops.push(m[1]!);
  }
  return ops;
}

function inputData(x: CaseGraph['inputs'][number], rnd: () => number): number[] {
  const s = x.spec;
  const n = x.shape.reduce((a, b) => a * b, 1);
  if (s.values) return s.values;
  const dtype = s.dtype ?? 'float32';
  if (dtype === 'bool') return Array.from({ length: n }, () => (rnd() < 0.5 ? 1 : 0));
  const lo = s.lo ?? (dtype === 'int32' ? 0 : -1), hi = s.hi ?? (dtype === 'int32' ? 10 : 1);
  return Array.from({ length: n }, () => {
    const v = lo + rnd() * (hi - lo);
    if (dtype === 'int32') return Math.floor(v);
    return s.step ? Math.round(v / s.step) * s.step : Math.fround(v);
  });
}

function host(name: string, dtype: JDType, shape: number[], v: number[]): HostTensor {
  const data = dtype === 'float32' ? Float32Array.from(v) : dtype === 'int32' ? Int32Array.from(v) : Uint8Array.from(v);
  return { name, dtype, shape, data };
}

async function reference(g: CaseGraph, feeds: HostTensor[], outputs: string[], ref?: TfCase['ref']): Promise<HostTensor[]> {
  if (tf.getBackend() !== 'cpu') await tf.setBackend('cpu');
  await tf.ready();
  const { json, weightSpecs, weightData } = g.artifacts();
  const gm = await tf.loadGraphModel(tf.io.fromMemory({ modelTopology: json.modelTopology as object, weightSpecs, weightData }));
  const ins: Record<string, tf.Tensor> = {};
  for (const f of feeds) ins[f.name] = tf.tensor(f.data as Float32Array, f.shape, f.dtype as JDType);
  try {
    let res: tf.Tensor | tf.Tensor[];
    try {
      res = ref ? ref(tf, Object.values(ins)) : gm.execute(ins, outputs);
    } catch (e) {
      // Ops tfjs runs asynchronously (NonMaxSuppression...) need executeAsync.
      if (!String(e).includes('executeAsync')) throw e;
      const warn = console.warn;
      console.warn = () => {}; // tfjs then warns that the graph has no dynamic op
      try { res = await gm.executeAsync(ins, outputs); } finally { console.warn = warn; }
    }
    const list = Array.isArray(res) ? res : [res];
    const out = await Promise.all(list.map(async (t, i) => ({ name: outputs[i]!, dtype: t.dtype as JDType, shape: t.shape, data: (await t.data()) as Float32Array })));
    tf.dispose(list);
    return out;
  } finally {
    tf.dispose(Object.values(ins));
    gm.dispose();
  }
}

/** Describes the first value outside tolerance, or '' when all match. */
export function compareHost(i: number, want: HostTensor, got: HostTensor, rtol: number): string {
  const n = want.shape.reduce((a, b) => a * b, 1);
  if (got.data.length !== n) return `output ${i}: ${got.data.length} values (shape ${JSON.stringify(got.shape)}), want ${n} (${JSON.stringify(want.shape)})`;
  if (JSON.stringify(got.shape) !== JSON.stringify(want.shape) && !(n === 1 && got.shape.length + want.shape.length <= 1)) {
    return `output ${i}: shape ${JSON.stringify(got.shape)}, want ${JSON.stringify(want.shape)}`;
  }
  const exact = want.dtype !== 'float32';
  for (let k = 0; k < n; k++) {
    const a = Number(want.data[k]!), b = Number(got.data[k]!);
    if (a === b || (Number.isNaN(a) && Number.isNaN(b))) continue;
    if (exact || !(Math.abs(a - b) <= rtol * Math.max(1, Math.abs(a)))) return `output ${i}[${k}] = ${b}, want ${a}`;
  }
  return '';
}

const firstLine = (e: unknown): string => (e instanceof Error ? e.message : String(e)).split('\n')[0]!.slice(0, 200);

/** Each case runs on two seeded input sets (one when its inputs are all fixed); TF_OP_SEEDS=n for more. */
const SEEDS = Array.from({ length: Number(process.env.TF_OP_SEEDS) || 2 }, (_, i) => i + 1);

export async function runCase(c: TfCase): Promise<CaseResult> {
  const id = c.label ? `${c.op}/${c.label}` : c.op;
  const res = (outcome: Outcome, detail: string, named?: boolean): CaseResult => ({ op: c.op, id, outcome, detail, ...(named === undefined ? {} : { named }) });
  const g = new CaseGraph();
  c.build(g);
  const outputs = g.outputs.length > 0 ? g.outputs : [g.nodes[g.nodes.length - 1]!.name];
  const runs: Array<{ feeds: HostTensor[]; want: HostTensor[] }> = [];
  for (const seed of g.inputs.every((x) => x.spec.values) ? [1] : SEEDS) {
    const rnd = seededRandom(seed);
    const feeds = g.inputs.map((x) => host(x.name, x.spec.dtype ?? 'float32', x.shape, inputData(x, rnd)));
    try {
      runs.push({ feeds, want: await reference(g, feeds, outputs, c.ref) });
    } catch (e) {
      return res('failed', `tf.loadGraphModel: ${firstLine(e)}`);
    }
  }
  const { json, weightData } = g.artifacts();
  const files = [{ name: 'model.json', bytes: new TextEncoder().encode(JSON.stringify(json)) }, { name: 'group1-shard1of1.bin', bytes: new Uint8Array(weightData) }];
  let bytes: Uint8Array, tg;
  try {
    const { model, report } = convertTfToTflite(await readModel(files));
    if (!report.converted) {
      const u = report.unsupported;
      const named = u.some((r) => r.op === `tf.${c.op}`) || (c.names ?? []).some((o) => u.some((r) => r.op === `tf.${o}`));
      return res('refused', u.map((r) => `${r.op.replace(/^tf\./, '')}: ${r.reason ?? ''}`).join('; ').slice(0, 200), named);
    }
    tg = model.graphs[0]!;
    bytes = writeTflite(model);
  } catch (e) {
    return res('failed', `conversion threw: ${firstLine(e)}`);
  }
  let session;
  try {
    session = await litertAdapter.load({ bytes }, { backend: 'wasm' });
  } catch (e) {
    return res('failed', `LiteRT.js did not load it: ${firstLine(e)}`);
  }
  try {
    const rtol = c.rtol ?? 1e-4;
    for (const { feeds, want } of runs) {
      const got = await session.run(tg.inputs.map((n) => feeds.find((f) => f.name === n)!));
      for (let i = 0; i < want.length; i++) {
        if (tg.outputs[i] !== want[i]!.name.replace(/:0$/, '') || !got[i]) return res('wrong', `output ${i} (${want[i]!.name}) missing`);
        const why = compareHost(i, want[i]!, got[i]!, rtol);
        if (why) return res('wrong', why);
      }
    }
    return res('pass', '');
  } catch (e) {
    return res('failed', `LiteRT.js run: ${firstLine(e)}`);
  } finally {
    session.dispose();
  }
}

/** Every op of the list: its cases' results, or one not-expressible entry; ops with no case fail. */
export async function runCoverage(opts: { only?: string; onResult?: (r: CaseResult) => void } = {}): Promise<CaseResult[]> {
  const results: CaseResult[] = [];
  const push = (r: CaseResult) => { results.push(r); opts.onResult?.(r); };
  for (const op of tfjsOpList()) {
    if (opts.only && op !== opts.only) continue;
    if (TF_NOT_EXPRESSIBLE[op]) { push({ op, id: op, outcome: 'not-expressible', detail: TF_NOT_EXPRESSIBLE[op]! }); continue; }
    const cases = TF_CASES.filter((c) => c.op === op);
    if (cases.length === 0) push({ op, id: op, outcome: 'failed', detail: 'no case in lib/verify/tf-op-cases.ts' });
    for (const c of cases) push(await runCase(c));
  }
  return results;
}

const WORST: Outcome[] = ['wrong', 'failed', 'refused', 'not-expressible', 'pass'];
/** An op's outcome: pass when every case passes, else its worst case's. */
export const opOutcome = (rs: CaseResult[]): Outcome => WORST.find((o) => rs.some((r) => r.outcome === o)) ?? 'pass';

export interface TfCoverageTotals {
  ops: number; expressible: number; pass: number; refused: number; failed: number; wrong: number; notExpressible: number;
  cases: number; casesPass: number;
  /** Refused cases whose report does not name the op. */
  unnamed: number;
}

export function tfCoverageTotals(results: CaseResult[]): TfCoverageTotals {
  const ops = new Map<string, CaseResult[]>();
  for (const r of results) ops.set(r.op, [...(ops.get(r.op) ?? []), r]);
  const per = [...ops.values()].map(opOutcome);
  const n = (o: Outcome) => per.filter((x) => x === o).length;
  const cases = results.filter((r) => r.outcome !== 'not-expressible');
  return {
    ops: ops.size, expressible: ops.size - n('not-expressible'), pass: n('pass'), refused: n('refused'), failed: n('failed'), wrong: n('wrong'),
    notExpressible: n('not-expressible'), cases: cases.length, casesPass: cases.filter((r) => r.outcome === 'pass').length,
    unnamed: results.filter((r) => r.outcome === 'refused' && !r.named).length,
  };
}
