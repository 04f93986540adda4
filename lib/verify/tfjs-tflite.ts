/**
 * @tensorflow/tfjs-tflite 0.0.1-alpha.10 as an independent .tflite verifier, in Node.
 *
 * It peer-pins tfjs-core 4.9 (the app uses 4.22) and needs browser shims, so it is installed in
 * its own folder (tools/tfjs-tflite, `npm ci --prefix tools/tfjs-tflite --legacy-peer-deps`) and
 * runs in a child process (tools/tfjs-tflite/run.mjs): its globals and tfjs copy never meet the
 * caller's. Node-only; never import from app code.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { HostTensor } from '../runtime/types';
import { encodeRequest, repoRoot, runChild, type ChildResult } from './subprocess';

export const TFJS_TFLITE_INSTALL = 'npm ci --prefix tools/tfjs-tflite --legacy-peer-deps';

export interface ChildRunOptions {
  /**
   * Kills the child after this long. Default 120 s plus 2 s per extra input set: Arm NN's CpuRef
   * is a reference backend (about 0.6 s per run of openWakeWord's embedding model here).
   */
  timeoutMs?: number;
  /** Repository root holding tools/ (default: found from this file or the cwd). */
  root?: string;
  /** Arm NN: run even a model with a feature it is known to compute wrongly (to show it). */
  allowDefects?: boolean;
}

/** Null when tfjs-tflite is installed, else why not (with the command that fixes it). */
export function tfjsTfliteMissing(root = repoRoot()): string | null {
  const pkg = path.join(root, 'tools', 'tfjs-tflite', 'node_modules', '@tensorflow', 'tfjs-tflite', 'package.json');
  return fs.existsSync(pkg) ? null : `tools/tfjs-tflite/node_modules is missing: run ${TFJS_TFLITE_INSTALL}`;
}

/**
 * Runs `model` on one input set (model input order, exact dtypes and shapes) or on several
 * (`HostTensor[][]`: one process, one model load, one run per set) in tfjs-tflite.
 * Never throws for the runtime's sake: failures, crashes and timeouts come back as results;
 * a load failure that names a missing op or dtype comes back as 'unsupported'.
 */
export async function runTfjsTflite(model: Uint8Array, inputs: HostTensor[] | HostTensor[][], options: ChildRunOptions = {}): Promise<ChildResult & { op?: string }> {
  const sets = asSets(inputs);
  const root = options.root ?? repoRoot();
  const missing = tfjsTfliteMissing(root);
  if (missing) return { ok: false, kind: 'error', stage: 'install', message: missing, stderr: '', ms: 0 };
  const r = await runChild(
    { command: process.execPath, args: [path.join(root, 'tools', 'tfjs-tflite', 'run.mjs')], timeoutMs: options.timeoutMs ?? defaultTimeout(sets.length), cwd: root },
    encodeRequest(model, sets),
  );
  if (r.ok || r.stage !== 'load') return r;
  // The interpreter says why in its log ("Encountered unresolved custom op: X"), not in the error.
  const why = [...new Set(r.stderr.split('\n').filter((l) => l.startsWith('ERROR:')).map((l) => l.slice(6).trim()))].slice(0, 4);
  const message = why.length ? `${r.message} (${why.join('; ')})` : r.message;
  const op = /unresolved custom op: ([\w-]+)/.exec(message)?.[1] ?? /Node number \d+ \(([\w.-]+)\) failed/.exec(message)?.[1];
  return { ...r, kind: lacksOpOrType(message) ? 'unsupported' : 'error', message, op };
}

/** Interpreter wording for "this runtime lacks an op or a dtype" (TFLite's own messages). */
export function lacksOpOrType(message: string): boolean {
  // A dtype a runtime cannot take at the model's boundary is a missing feature, like an op.
  return /unresolved custom op|didn't find op for builtin opcode|op builtin_code out of range|not supported|unsupported (data )?type|type .* is not supported|cannot pass \w+ tensors|is unknown, got \w+/i.test(message);
}

export function defaultTimeout(runs: number): number {
  return 120_000 + 2_000 * Math.max(0, runs - 1);
}

export function asSets(inputs: HostTensor[] | HostTensor[][]): HostTensor[][] {
  return inputs.length > 0 && Array.isArray(inputs[0]) ? (inputs as HostTensor[][]) : [inputs as HostTensor[]];
}
