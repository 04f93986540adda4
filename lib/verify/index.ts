/**
 * Independent checks that a .tflite is real: run it in LiteRT.js (in process), in
 * @tensorflow/tfjs-tflite and in Arm NN (each in a child process), and compare the outputs with
 * a reference (the original model's outputs) or, without one, with each other.
 * Node-only (child processes, node:fs): for the CLI and the tests, never for app code.
 */
import type { HostTensor } from '../runtime/types';
import { runArmnn } from './armnn';
import { compareOutputs, type CompareOptions } from './compare';
import { asSets, lacksOpOrType, runTfjsTflite, type ChildRunOptions } from './tfjs-tflite';

export type VerifyRuntime = 'litert' | 'tfjs-tflite' | 'armnn';
export type VerifyStatus = 'ok' | 'mismatch' | 'unsupported' | 'error';
export const VERIFY_RUNTIMES: readonly VerifyRuntime[] = ['litert', 'tfjs-tflite', 'armnn'];

export interface VerifyResult {
  runtime: VerifyRuntime;
  status: VerifyStatus;
  detail: string;
  /** Largest |difference| against the reference (or, without one, against the other runtimes). */
  maxAbs?: number;
  outputs?: HostTensor[];
  /** The op a runtime lacks, when it says so ('unsupported'). */
  op?: string;
  /** The runtimes this one was compared with ('reference' for the given outputs). */
  comparedWith?: string[];
  ms?: number;
}

export interface VerifyOptions extends CompareOptions, ChildRunOptions {
  /** Which runtimes to try; default all three. */
  runtimes?: readonly VerifyRuntime[];
}

/** What one runtime did with one or more input sets, before any comparison. */
export type RunOutcome =
  | { runtime: VerifyRuntime; status: 'ran'; outputSets: HostTensor[][]; ms: number; detail: string }
  | { runtime: VerifyRuntime; status: 'unsupported' | 'error'; detail: string; op?: string; ms: number };

interface LiteRtAdapterLike {
  load(source: { bytes?: Uint8Array }, options: { backend: 'wasm' }): Promise<{ run(feeds: HostTensor[]): Promise<HostTensor[]>; dispose(): void }>;
}

async function runLiteRt(bytes: Uint8Array, sets: HostTensor[][]): Promise<RunOutcome> {
  const t0 = performance.now();
  let adapter: LiteRtAdapterLike;
  try {
    // Imported lazily: this module stays usable (tfjs-tflite, Arm NN) when LiteRT.js is not there.
    const mod = (await import('../runtime/litert')) as { litertAdapter?: LiteRtAdapterLike };
    if (!mod.litertAdapter) throw new Error('lib/runtime/litert has no litertAdapter export');
    adapter = mod.litertAdapter;
  } catch (e) {
    return { runtime: 'litert', status: 'error', detail: `not available: ${(e as Error).message}`, ms: performance.now() - t0 };
  }
  let session;
  try {
    session = await adapter.load({ bytes }, { backend: 'wasm' });
  } catch (e) {
    const msg = (e as Error).message ?? String(e);
    return { runtime: 'litert', status: lacksOpOrType(msg) ? 'unsupported' : 'error', detail: `load failed: ${msg}`, ms: performance.now() - t0 };
  }
  try {
    const outputSets: HostTensor[][] = [];
    for (const set of sets) outputSets.push(await session.run(set));
    return { runtime: 'litert', status: 'ran', outputSets, ms: performance.now() - t0, detail: 'LiteRT.js wasm' };
  } catch (e) {
    return { runtime: 'litert', status: 'error', detail: `run failed: ${(e as Error).message ?? e}`, ms: performance.now() - t0 };
  } finally {
    session.dispose();
  }
}

/** Runs one .tflite in one runtime on one input set or several. Never throws for the runtime's sake. */
export async function runOn(
  runtime: VerifyRuntime,
  bytes: Uint8Array,
  inputs: HostTensor[] | HostTensor[][],
  options: ChildRunOptions = {},
): Promise<RunOutcome> {
  const sets = asSets(inputs);
  if (runtime === 'litert') return runLiteRt(bytes, sets);
  const r = runtime === 'armnn' ? await runArmnn(bytes, sets, options) : await runTfjsTflite(bytes, sets, options);
  if (r.ok) return { runtime, status: 'ran', outputSets: r.outputSets, ms: r.ms, detail: runtime === 'armnn' ? 'Arm NN CpuRef' : 'tfjs-tflite wasm' };
  const op = 'op' in r ? (r as { op?: string }).op : undefined;
  const stage = r.stage ? `${r.stage}: ` : '';
  return { runtime, status: r.kind, detail: `${stage}${r.message}`, op, ms: r.ms };
}

/**
 * Runs `bytes` on `inputs` in each runtime and compares. With `reference` (the original model's
 * outputs), every runtime that ran is compared with it; without, each is compared with the others
 * that ran, and is 'ok' only when it agrees with all of them.
 */
export async function verifyTflite(
  bytes: Uint8Array,
  inputs: HostTensor[],
  reference?: HostTensor[],
  options: VerifyOptions = {},
): Promise<VerifyResult[]> {
  // One runtime at a time: two-core machines, and LiteRT runs in this process.
  const outcomes: RunOutcome[] = [];
  for (const rt of options.runtimes ?? VERIFY_RUNTIMES) outcomes.push(await runOn(rt, bytes, inputs, options));
  const ran = outcomes.filter((o): o is Extract<RunOutcome, { status: 'ran' }> => o.status === 'ran');

  return outcomes.map((o): VerifyResult => {
    if (o.status !== 'ran') return { runtime: o.runtime, status: o.status, detail: o.detail, op: o.op, ms: o.ms };
    const outputs = o.outputSets[0]!;
    const against = reference
      ? [{ name: 'reference', outputs: reference }]
      : ran.filter((p) => p !== o).map((p) => ({ name: p.runtime, outputs: p.outputSets[0]! }));
    if (against.length === 0) {
      return { runtime: o.runtime, status: 'ok', detail: 'ran; no reference and no other runtime to compare with', outputs, comparedWith: [], ms: o.ms };
    }
    let maxAbs = 0;
    const bad: string[] = [];
    const notes: string[] = [];
    for (const a of against) {
      const c = compareOutputs(outputs, a.outputs, options);
      maxAbs = Math.max(maxAbs, c.maxAbs);
      (c.ok ? notes : bad).push(`vs ${a.name}: ${c.detail}`);
    }
    return {
      runtime: o.runtime,
      status: bad.length ? 'mismatch' : 'ok',
      detail: (bad.length ? bad : notes).join(' | '),
      maxAbs,
      outputs,
      comparedWith: against.map((a) => a.name),
      ms: o.ms,
    };
  });
}

export { compareOutputs, compareTensor, isClassifierShaped, hostValues } from './compare';
export { runArmnn, armnnMissing } from './armnn';
export { runTfjsTflite, tfjsTfliteMissing, TFJS_TFLITE_INSTALL } from './tfjs-tflite';
