/**
 * `convert <in> -o <out.tflite>`: convertToTflite on the CLI, and `--verify`, which runs the
 * original in its native runtime and the written .tflite in LiteRT.js, tfjs-tflite and Arm NN on
 * the same seeded inputs. verifyConversion is also what the fixture tests and
 * scripts/runtime-matrix.ts use, so the table in docs/ and the CLI say the same thing.
 */
import { writeFile } from 'node:fs/promises';
import { readModel } from '../lib/formats/registry';
import type { DType, Model } from '../lib/ir/types';
import { allocHostData, seededRandom } from '../lib/runtime/host-tensor';
import { defaultRuntime, getRuntime } from '../lib/runtime/registry';
import type { HostTensor, RuntimeId } from '../lib/runtime/types';
import { convertToTflite, type ToTfliteResult } from '../lib/transforms/to-tflite';
import type { ConversionReport } from '../lib/transforms/types';
import { verifyTflite, type VerifyOptions, type VerifyResult } from '../lib/verify/index';
import { findPerm, transpose } from '../lib/run/layout';
import { loadInputFiles } from './files';
import { hostNumbers, parse, parseInputShapes, UsageError } from './run';

const inverse = (p: number[]) => p.map((_, i) => p.indexOf(i));

/** Same numbers in another dtype (int64 <-> int32 across the conversion, float16 inputs). */
function castHost(t: HostTensor, dtype: DType): HostTensor {
  if (t.dtype === dtype) return t;
  const v = hostNumbers(t);
  const data = allocHostData(dtype, v.length);
  for (let i = 0; i < v.length; i++) {
    if (data instanceof BigInt64Array) data[i] = BigInt(Math.trunc(v[i]!));
    else (data as Float32Array)[i] = v[i]!;
  }
  return { ...t, dtype, data };
}

/** Seeded inputs in the converted model's shapes: floats in [0, 1), integers in [0, 3), bools 0/1. */
export function seededInputs(model: Model, seed: number): HostTensor[] {
  const g = model.graphs[0]!;
  const next = seededRandom(seed);
  return g.inputs.map((name) => {
    const t = g.tensors.get(name);
    const shape = (t?.shape ?? []).map((d) => (typeof d === 'number' ? d : 1));
    const dtype = t?.dtype && t.dtype !== 'unknown' ? t.dtype : 'float32';
    const n = shape.reduce((a, b) => a * b, 1);
    const data = allocHostData(dtype, n);
    for (let i = 0; i < n; i++) {
      const r = next();
      if (data instanceof BigInt64Array) data[i] = BigInt(Math.floor(r * 3));
      else if (/float/.test(dtype)) (data as Float32Array)[i] = dtype === 'float16' || dtype === 'bfloat16' ? 0 : r;
      else (data as Uint8Array)[i] = dtype === 'bool' ? (r < 0.5 ? 0 : 1) : Math.floor(r * 3);
    }
    return { name, dtype, shape, data };
  });
}

// ---------------------------------------------------------------------------------------------

export interface ReferenceRun {
  runtime: RuntimeId;
  status: 'ok' | 'error';
  detail: string;
  ms?: number;
}

export interface ConversionCheck {
  reference: ReferenceRun;
  results: VerifyResult[];
  /** True when a runtime ran the .tflite and disagreed with the reference. */
  mismatch: boolean;
  /** Inputs fed to the .tflite (converted layout). */
  inputs: HostTensor[];
}

/** The input values the conversion's recipe fixed (ONNX inputValues), by input name. */
function fixedInputValues(converted: ToTfliteResult): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  for (const step of converted.recipe) Object.assign(out, (step.options as { inputValues?: Record<string, number[]> }).inputValues ?? {});
  return out;
}

/** The original's outputs, permuted into the converted model's output layout. */
async function runReference(runtime: RuntimeId, source: { model: Model; bytes: Uint8Array }, feeds: HostTensor[], out: Model['graphs'][number]): Promise<HostTensor[]> {
  const adapter = await getRuntime(runtime);
  const session = await adapter.load(runtime === 'tfjs' ? { model: source.model } : { bytes: source.bytes, model: source.model }, { backend: runtime === 'tfjs' ? 'cpu' : 'wasm' });
  try {
    const outs = await session.run(feeds);
    return outs.map((t, i) => {
      const want = out.tensors.get(out.outputs[i] ?? '');
      const shape = (want?.shape ?? []).map((d) => (typeof d === 'number' ? d : -1));
      const p = findPerm(t.shape, shape);
      return { ...(p ? transpose(t, p) : t), name: out.outputs[i] ?? t.name };
    });
  } finally {
    session.dispose();
  }
}

/**
 * Runs `source` in its native runtime (ort / tfjs / litert; for TF.js layers models, which no
 * runtime here executes, there is no reference and the .tflite runtimes are compared with each
 * other) and `converted.bytes` in the TFLite runtimes, on the same seeded inputs.
 */
export async function verifyConversion(
  source: { model: Model; bytes: Uint8Array },
  converted: ToTfliteResult,
  options: VerifyOptions & { seed?: number; feeds?: HostTensor[] } = {},
): Promise<ConversionCheck> {
  if (!converted.bytes) throw new Error('nothing to verify: the model did not convert');
  const src = source.model.graphs[0]!;
  const out = converted.model.graphs[0]!;
  const seeded = seededInputs(converted.model, options.seed ?? 0);
  // Converted inputs are the source's minus those fixed at conversion (inputValues), by name.
  const srcIndex = out.inputs.map((name, i) => (src.inputs.includes(name) ? src.inputs.indexOf(name) : i));
  const perms = out.inputs.map((_, i) => {
    const o = src.tensors.get(src.inputs[srcIndex[i]!] ?? '')?.shape ?? null;
    return o ? findPerm(o, seeded[i]!.shape) : null;
  });
  const dtypeOf = (t: HostTensor, decl?: { dtype: DType }) => (decl?.dtype && decl.dtype !== 'unknown' ? decl.dtype : t.dtype);
  let inputs: HostTensor[];
  let feeds: HostTensor[];
  if (options.feeds) {
    // Given inputs (e.g. a test's own data) are in the original layout: permute them forward.
    feeds = options.feeds;
    inputs = out.inputs.map((name, i) => {
      const t = feeds[srcIndex[i]!]!;
      const p = perms[i];
      return castHost({ ...(p ? transpose(t, p) : t), name }, dtypeOf(t, out.tensors.get(name)));
    });
  } else {
    inputs = seeded;
    const fixed = fixedInputValues(converted);
    feeds = src.inputs.map((name) => {
      const j = srcIndex.indexOf(src.inputs.indexOf(name));
      const decl = src.tensors.get(name);
      if (j < 0) {
        const v = fixed[name];
        if (!v) throw new Error(`input ${name} is neither an input of the .tflite nor fixed by the recipe`);
        const shape = (decl?.shape ?? []).map((d) => (typeof d === 'number' ? d : 1));
        return castHost({ name, dtype: 'float32', shape: shape.length || v.length === 1 ? shape : [v.length], data: Float32Array.from(v) }, dtypeOf({ dtype: 'float32' } as HostTensor, decl));
      }
      const t = inputs[j]!;
      const p = perms[j];
      const x = p ? transpose(t, inverse(p)) : t;
      return castHost({ ...x, name }, dtypeOf(t, decl));
    });
  }

  // The native runtime first; for TFLite originals LiteRT.js refuses (open dims in
  // shape_signature), the tfjs IR executor on the original IR instead.
  const native = defaultRuntime(source.model.format);
  const candidates: RuntimeId[] = native === 'litert' ? ['litert', 'tfjs'] : native ? [native] : [];
  let reference: HostTensor[] | undefined;
  let ref: ReferenceRun = { runtime: 'tfjs', status: 'error', detail: 'no runtime ran the original: runtimes compared with each other' };
  const failures: string[] = [];
  for (const runtime of candidates) {
    const t0 = performance.now();
    try {
      reference = await runReference(runtime, source, feeds, out);
      ref = { runtime, status: 'ok', detail: `${runtime} ran the original${failures.length ? ` (${failures.join('; ')})` : ''}`, ms: performance.now() - t0 };
      break;
    } catch (e) {
      failures.push(`${runtime} failed: ${(e as Error).message?.split('\n')[0]}`);
      ref = { runtime, status: 'error', detail: `the original did not run: ${failures.join('; ')}`, ms: performance.now() - t0 };
    }
  }
  const results = await verifyTflite(converted.bytes, inputs, reference, options);
  return { reference: ref, results, mismatch: results.some((r) => r.status === 'mismatch'), inputs };
}

// ---------------------------------------------------------------------------------------------

export function reportText(r: ConversionReport): string[] {
  const s = r.stats;
  const lines = [
    `  ops: ${s.nodesIn} in -> ${s.nodesOut} out; folded batch norms: ${s.foldedBatchNorms}; folded constants: ${s.foldedConstants}; transposes removed: ${s.transposesRemoved}, inserted: ${s.transposesInserted}`,
  ];
  for (const n of r.notes) lines.push(`  note: ${n}`);
  for (const u of r.unsupported) {
    const names = u.nodes.slice(0, 8).join(', ') + (u.nodes.length > 8 ? `, ... (${u.nodes.length - 8} more)` : '');
    lines.push(`  UNSUPPORTED ${u.op} x${u.count}${u.reason ? ` (${u.reason})` : ''}: ${names}`);
  }
  return lines;
}

export function verifyTable(check: ConversionCheck): string[] {
  const fmt = (x?: number) => (x === undefined ? '-' : Number.isFinite(x) ? x.toExponential(2) : String(x));
  const rows = [['runtime', 'status', 'max |diff|', 'detail'], [`${check.reference.runtime} (original)`, check.reference.status === 'ok' ? 'reference' : 'no reference', '-', check.reference.detail]];
  for (const r of check.results) rows.push([r.runtime, r.status, fmt(r.maxAbs), r.detail.length > 160 ? `${r.detail.slice(0, 157)}...` : r.detail]);
  const w = [0, 1, 2].map((c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows.map((r) => `  ${r.slice(0, 3).map((c, i) => c.padEnd(w[i]!)).join('  ')}  ${r[3]}`);
}

/** `--input-value sr=16000` / `scales=1,1,2,2`: inputs fixed as constants at conversion. */
export function parseInputValues(flags: string[] | undefined, inputs: string[]): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  for (const f of flags ?? []) {
    const m = /^(.+?)=(-?[\d.eE+-]+(?:,-?[\d.eE+-]+)*)$/.exec(f);
    const values = m ? m[2]!.split(',').map(Number) : [];
    if (!m || values.some((v) => !Number.isFinite(v))) throw new UsageError(`--input-value wants name=v or name=v1,v2,..., got '${f}'`);
    if (!inputs.includes(m[1]!)) throw new UsageError(`--input-value names '${m[1]}', but the model's inputs are ${inputs.join(', ')}`);
    out[m[1]!] = values;
  }
  return out;
}

export async function convert(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, {
    output: { type: 'string', short: 'o' },
    'input-shape': { type: 'string', multiple: true },
    'input-value': { type: 'string', multiple: true },
    'keep-layout': { type: 'boolean' },
    verify: { type: 'boolean' },
    json: { type: 'boolean' },
    seed: { type: 'string' },
  });
  if (positionals.length !== 1) throw new UsageError(`give exactly one model file${positionals.length ? ` (got ${positionals.join(' ')})` : ''}`);
  if (!values.output) throw new UsageError('give the output file: -o out.tflite');
  const files = await loadInputFiles([positionals[0]!]);
  const model = await readModel(files);
  const inputShapes = Object.fromEntries(parseInputShapes(values['input-shape']));
  const inputs = model.graphs[0]?.inputs ?? [];
  for (const name of Object.keys(inputShapes)) {
    if (!inputs.includes(name)) throw new UsageError(`--input-shape names '${name}', but the model's inputs are ${inputs.join(', ')}`);
  }
  const inputValues = parseInputValues(values['input-value'], inputs);
  const result = convertToTflite(model, {
    inputShapes: Object.keys(inputShapes).length ? inputShapes : undefined,
    keepLayout: values['keep-layout'],
    inputValues: Object.keys(inputValues).length ? inputValues : undefined,
  });
  const unsupported = result.reports.flatMap((r) => r.unsupported);
  const json: Record<string, unknown> = { file: files[0]!.name, format: model.format, converted: result.converted, recipe: result.recipe, reports: result.reports };
  const say = (s: string) => { if (!values.json) console.log(s); };
  say(`${files[0]!.name} (${model.format}) -> TFLite: ${result.converted ? 'converted' : 'NOT converted'}`);
  for (const r of result.reports) for (const l of reportText(r)) say(l);
  if (!result.converted || !result.bytes) {
    if (values.json) console.log(JSON.stringify(json, null, 2));
    console.error(unsupported.length
      ? `convert: ${unsupported.reduce((a, u) => a + u.count, 0)} node(s) cannot be converted (${unsupported.map((u) => `${u.op} x${u.count}`).join(', ')}); nothing written`
      : `convert: the model did not convert (${result.reports.flatMap((r) => r.notes).join('; ') || 'no reason given'}); nothing written`);
    return 1;
  }
  await writeFile(values.output, result.bytes);
  json.output = values.output;
  json.bytes = result.bytes.length;
  say(`wrote ${values.output} (${result.bytes.length} bytes)`);
  let code = 0;
  if (values.verify) {
    const seed = values.seed === undefined ? 0 : Number(values.seed);
    if (!Number.isInteger(seed) || seed < 0) throw new UsageError(`--seed wants an integer >= 0, got '${values.seed}'`);
    const check = await verifyConversion({ model, bytes: files[0]!.bytes }, result, { seed });
    say(`verify (seeded random inputs, seed ${seed}: ${check.inputs.map((t) => `${t.name} ${t.dtype} [${t.shape.join(', ')}]`).join(', ')}):`);
    for (const l of verifyTable(check)) say(l);
    json.verify = { reference: check.reference, results: check.results.map(({ outputs: _o, ...r }) => r) };
    if (check.mismatch) {
      console.error('convert: the .tflite does not compute what the original computes in at least one runtime');
      code = 1;
    }
  }
  if (values.json) console.log(JSON.stringify(json, null, 2));
  return code;
}
