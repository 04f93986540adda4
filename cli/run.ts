import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { readModel } from '../lib/formats/registry';
import type { DType, Model } from '../lib/ir/types';
import { floatToHalf, halfToFloat } from '../lib/ir/values';
import { readNpy, writeNpy } from '../lib/npy';
import { allocHostData, seededRandom } from '../lib/runtime/host-tensor';
import { defaultRuntime, getRuntime, isRuntimeId, RUNTIME_IDS } from '../lib/runtime/registry';
import type { BackendId, HostTensor, RuntimeId, RuntimeSession } from '../lib/runtime/types';
import { loadInputFiles } from './files';

/** A mistake in the command line: main prints it with the usage text. */
export class UsageError extends Error {}

const BACKENDS: readonly BackendId[] = ['wasm', 'webgpu', 'webgl', 'cpu'];

/** Options shared by run and bench. */
export const SESSION_OPTIONS = {
  runtime: { type: 'string' },
  backend: { type: 'string' },
  input: { type: 'string' },
  'input-shape': { type: 'string', multiple: true },
  seed: { type: 'string' },
  threads: { type: 'string' },
} as const;

type OptionsConfig = NonNullable<ParseArgsConfig['options']>;

export function parse<const O extends OptionsConfig>(argv: string[], options: O) {
  try {
    return parseArgs<{ args: string[]; options: O; allowPositionals: true; strict: true }>({ args: argv, options, allowPositionals: true, strict: true });
  } catch (e) {
    throw new UsageError(e instanceof Error ? e.message : String(e));
  }
}

export function intFlag(v: string | undefined, name: string, dflt: number, min: number): number {
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`--${name} wants an integer >= ${min}, got '${v}'`);
  return n;
}

/** `name=1x3x224x224` flags -> name -> dims. */
export function parseInputShapes(flags: string[] | undefined): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const f of flags ?? []) {
    const m = /^(.+)=(\d+(?:x\d+)*)$/.exec(f);
    if (!m) throw new UsageError(`--input-shape wants name=1x3x224x224, got '${f}'`);
    out.set(m[1]!, m[2]!.split('x').map(Number));
  }
  return out;
}

export interface OpenedSession {
  model: Model;
  session: RuntimeSession;
  runtime: RuntimeId;
  backend: BackendId;
  file: string;
}

/** Reads the model, picks runtime and backend (checked against what this device has) and loads it. */
export async function openSession(modelPath: string, values: { runtime?: string; backend?: string; threads?: string }): Promise<OpenedSession> {
  const files = await loadInputFiles([modelPath]);
  const model = await readModel(files);
  const runtime = values.runtime ?? defaultRuntime(model.format);
  if (!isRuntimeId(runtime)) throw new UsageError(`--runtime must be one of ${RUNTIME_IDS.join(', ')}, got '${runtime}'`);
  if (values.backend !== undefined && !(BACKENDS as readonly string[]).includes(values.backend)) {
    throw new UsageError(`--backend must be one of ${BACKENDS.join(', ')}, got '${values.backend}'`);
  }
  const adapter = await getRuntime(runtime);
  const available = await adapter.availableBackends();
  const backend = (values.backend as BackendId | undefined) ?? (available.includes('wasm') ? 'wasm' : available[0]);
  if (!backend) throw new Error(`runtime '${runtime}' found no backend on this device`);
  if (!available.includes(backend)) throw new Error(`backend '${backend}' is not available for runtime '${runtime}' here (available: ${available.join(', ') || 'none'})`);
  const threads = intFlag(values.threads, 'threads', 1, 1);
  const session = await adapter.load({ bytes: files[0]!.bytes, model }, { backend, threads });
  return { model, session, runtime, backend, file: files[0]!.name };
}

/** Element values as numbers (float16 decoded, unsigned bits reinterpreted). */
export function hostNumbers(t: HostTensor): Float64Array {
  const out = new Float64Array(t.data.length);
  for (let i = 0; i < out.length; i++) {
    const v = t.data[i]!;
    out[i] = t.dtype === 'float16' ? halfToFloat(v as number) : t.dtype === 'uint32' ? (v as number) >>> 0
      : t.dtype === 'uint64' ? Number(BigInt.asUintN(64, v as bigint)) : Number(v);
  }
  return out;
}

/** A HostTensor filled from numbers, converted to `dtype`. */
function fromNumbers(name: string, dtype: DType, shape: number[], values: ArrayLike<number>): HostTensor {
  const data = allocHostData(dtype, values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (data instanceof BigInt64Array) data[i] = BigInt(Math.trunc(v));
    else if (dtype === 'float16') data[i] = floatToHalf(v);
    else if (dtype === 'bool') data[i] = v ? 1 : 0;
    else (data as Float32Array)[i] = v;
  }
  return { name, dtype, shape, data };
}

/** Numpy saves float64 and int64 by default; models mostly want float32 / int32. */
function castTo(t: HostTensor, dtype: DType): HostTensor {
  if (t.dtype === dtype) return t;
  if (t.dtype === 'int64' && dtype === 'uint64') return { ...t, dtype };
  return fromNumbers(t.name, dtype, t.shape, hostNumbers(t));
}

/** Seeded random values for each input: [0, 1) for floats, small non-negative integers otherwise. */
export function randomInputs(session: RuntimeSession, shapes: Map<string, number[]>, seed: number): HostTensor[] {
  for (const name of shapes.keys()) {
    if (!session.inputs.some((i) => i.name === name)) throw new UsageError(`--input-shape names '${name}', but the model's inputs are ${session.inputs.map((i) => i.name).join(', ')}`);
  }
  const next = seededRandom(seed);
  return session.inputs.map((info) => {
    const given = shapes.get(info.name);
    if (given && (given.length !== info.shape.length || given.some((d, k) => info.shape[k] !== null && info.shape[k] !== d))) {
      throw new UsageError(`--input-shape ${info.name}=${given.join('x')} does not fit the model's [${info.shape.map((d) => d ?? '?').join(', ')}]`);
    }
    const shape = given ?? info.shape;
    if (shape.some((d) => d === null)) {
      throw new UsageError(`input '${info.name}' has dynamic dims [${info.shape.map((d) => d ?? '?').join(', ')}]: give --input-shape ${info.name}=${info.shape.map((d) => d ?? 1).join('x')} (or --input ${info.name}.npy)`);
    }
    const dims = shape as number[];
    const n = dims.reduce((a, b) => a * b, 1);
    const vals = new Float64Array(n);
    const isFloat = /float/.test(info.dtype);
    const span = info.dtype === 'bool' ? 2 : info.dtype === 'uint8' ? 256 : 10;
    for (let i = 0; i < n; i++) vals[i] = isFloat ? next() : Math.floor(next() * span);
    return fromNumbers(info.name, info.dtype, dims, vals);
  });
}

/** Inputs from --input .npy files (comma separated, in input order) or seeded random ones. */
export async function buildInputs(session: RuntimeSession, values: { input?: string; 'input-shape'?: string[]; seed?: string }, note: (s: string) => void): Promise<HostTensor[]> {
  const seed = intFlag(values.seed, 'seed', 0, 0);
  if (values.input === undefined) {
    const feeds = randomInputs(session, parseInputShapes(values['input-shape']), seed);
    note(`no --input given: seeded random inputs (seed ${seed}; floats uniform in [0, 1)): ${feeds.map((f) => `${f.name} ${f.dtype} [${f.shape.join(', ')}]`).join(', ')}`);
    return feeds;
  }
  const paths = values.input.split(',').filter((p) => p !== '');
  if (paths.length !== session.inputs.length) {
    throw new UsageError(`the model takes ${session.inputs.length} input(s) (${session.inputs.map((i) => i.name).join(', ')}); --input gave ${paths.length} file(s)`);
  }
  if (values['input-shape']?.length) note('--input-shape is ignored when --input gives the arrays');
  return Promise.all(session.inputs.map(async (info, i) => {
    const p = paths[i]!;
    const t = readNpy(new Uint8Array(await readFile(p)), path.basename(p), info.name);
    if (info.dtype === 'unknown' || info.dtype === t.dtype) return t;
    note(`input '${info.name}': converted ${path.basename(p)} from ${t.dtype} to ${info.dtype}`);
    return castTo(t, info.dtype);
  }));
}

/** One line per output: dtype, shape, range, and the top classes of a [1, N] vector. */
export function describeOutput(t: HostTensor): string {
  const v = hostNumbers(t);
  let min = Infinity, max = -Infinity, sum = 0;
  for (const x of v) { if (x < min) min = x; if (x > max) max = x; sum += x; }
  const fmt = (x: number) => (Number.isInteger(x) ? String(x) : x.toPrecision(5));
  let s = `${t.name}: ${t.dtype} [${t.shape.join(', ')}]`;
  if (v.length) s += `  min ${fmt(min)}  max ${fmt(max)}  mean ${fmt(sum / v.length)}`;
  const classes = t.shape.filter((d) => d !== 1).length === 1 && v.length > 1 && v.length <= 100000;
  if (classes) {
    const top = [...v.keys()].sort((a, b) => v[b]! - v[a]!).slice(0, 5);
    s += `  top: ${top.map((k) => `${k} (${fmt(v[k]!)})`).join(', ')}`;
  }
  return s;
}

function outputPaths(pattern: string, count: number): string[] {
  if (count > 1 && !pattern.includes('%d')) throw new UsageError(`the model has ${count} outputs: give --output with %d, e.g. --output out_%d.npy`);
  return Array.from({ length: count }, (_, i) => pattern.replace(/%d/g, String(i)));
}

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, { ...SESSION_OPTIONS, output: { type: 'string', short: 'o' } });
  if (positionals.length !== 1) throw new UsageError(`give exactly one model file${positionals.length ? ` (got ${positionals.join(' ')})` : ''}`);
  const note = (s: string) => console.error(`note: ${s}`);
  const { session, runtime, backend, file } = await openSession(positionals[0]!, values);
  try {
    const feeds = await buildInputs(session, values, note);
    const t0 = performance.now();
    const outs = await session.run(feeds);
    const ms = performance.now() - t0;
    console.log(`${file} on ${runtime}/${backend}: ${outs.length} output(s) in ${ms.toFixed(2)} ms (first run, includes warm-up)`);
    const paths = values.output === undefined ? [] : outputPaths(values.output, outs.length);
    for (let i = 0; i < outs.length; i++) {
      const o = outs[i]!;
      const p = paths[i];
      if (p) await writeFile(p, writeNpy(o));
      console.log(`  ${describeOutput(o)}${p ? `  -> ${p}` : ''}`);
    }
    return 0;
  } finally {
    session.dispose();
  }
}
