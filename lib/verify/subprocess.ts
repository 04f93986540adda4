/**
 * The wire format and subprocess runner shared by the tfjs-tflite and Arm NN verifiers. Each
 * runtime runs in a child process (tools/tfjs-tflite/run.mjs, tools/armnn/run.py) so its globals,
 * its own tfjs-core copy or a native abort never reach the caller.
 *
 * Both directions: u32 LE header length, UTF-8 JSON header, payload.
 *   request : { modelBytes, inputs: [{ name, dtype, shape, byteLength }] } + model + input bytes
 *   response: { ok: true, outputs: [{ name, dtype, shape, byteLength }], inputs } + output bytes
 *          or { ok: false, kind: 'unsupported' | 'error', stage?, message }
 * Node-only (node:child_process); never import it from app code.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { DType } from '../ir/types';
import type { HostTensor } from '../runtime/types';

export interface TensorInfo {
  name: string;
  dtype: string;
  shape: number[];
}

export type ChildResult =
  | {
      ok: true;
      /** Outputs of the first (usually only) input set. */
      outputs: HostTensor[];
      /** Outputs of every input set, in request order. */
      outputSets: HostTensor[][];
      /** The model's inputs as the runtime sees them. */
      inputs: TensorInfo[];
      stderr: string;
      ms: number;
    }
  | { ok: false; kind: 'unsupported' | 'error'; stage?: string; message: string; stderr: string; ms: number };

/** The repository root: the nearest folder above `start` (default: this file, then cwd) holding tools/. */
export function repoRoot(): string {
  const starts = [typeof __dirname === 'string' ? __dirname : '', process.cwd()].filter(Boolean);
  for (const s of starts) {
    let dir = path.resolve(s);
    for (let i = 0; i < 12; i++) {
      if (fs.existsSync(path.join(dir, 'tools', 'armnn', 'run.py')) && fs.existsSync(path.join(dir, 'package.json'))) return dir;
      const up = path.dirname(dir);
      if (up === dir) break;
      dir = up;
    }
  }
  return process.cwd();
}

function bytesOf(t: HostTensor): Uint8Array {
  return new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
}

/** One input set, or several (the child loads the model once and runs it per set). */
export function encodeRequest(model: Uint8Array, sets: HostTensor[][]): Buffer {
  if (sets.length === 0) throw new Error('no input sets to run');
  const inputs = sets.flat();
  const header = {
    modelBytes: model.byteLength,
    runs: sets.length,
    inputs: inputs.map((t) => ({ name: t.name, dtype: t.dtype, shape: t.shape, byteLength: t.data.byteLength })),
  };
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const len = Buffer.alloc(4);
  len.writeUInt32LE(json.length, 0);
  return Buffer.concat([len, json, model, ...inputs.map(bytesOf)]);
}

const ARRAY: Partial<Record<DType, { new (b: ArrayBuffer): HostTensor['data']; BYTES_PER_ELEMENT: number }>> = {
  float32: Float32Array, float64: Float64Array, int32: Int32Array, uint32: Int32Array, int16: Int16Array, uint16: Uint16Array,
  float16: Uint16Array, int8: Int8Array, uint8: Uint8Array, bool: Uint8Array, int64: BigInt64Array,
};

/** Decodes a child's response; throws with the reason when it is malformed. */
export function decodeResponse(buf: Buffer): { header: Record<string, unknown>; outputs: HostTensor[] } {
  if (buf.length < 4) throw new Error(`response is ${buf.length} bytes, shorter than its header length`);
  const hlen = buf.readUInt32LE(0);
  if (4 + hlen > buf.length) throw new Error(`response header (${hlen} bytes) runs past the end (${buf.length} bytes)`);
  const header = JSON.parse(buf.subarray(4, 4 + hlen).toString('utf8')) as Record<string, unknown>;
  let at = 4 + hlen;
  const outputs: HostTensor[] = [];
  const list = Array.isArray(header.outputs) ? (header.outputs as Array<TensorInfo & { byteLength: number }>) : [];
  for (const o of list) {
    const C = ARRAY[o.dtype as DType];
    if (!C) throw new Error(`output ${o.name} has dtype ${o.dtype}, which has no host array type`);
    if (!Number.isInteger(o.byteLength) || o.byteLength < 0 || at + o.byteLength > buf.length) {
      throw new Error(`output ${o.name} (${o.byteLength} bytes) runs past the end of the response at byte ${at}`);
    }
    if (o.byteLength % C.BYTES_PER_ELEMENT !== 0) throw new Error(`output ${o.name}: ${o.byteLength} bytes is not whole ${o.dtype} elements`);
    // Copy into a fresh buffer: the typed array must start at an aligned offset.
    const copy = new ArrayBuffer(o.byteLength);
    new Uint8Array(copy).set(buf.subarray(at, at + o.byteLength));
    at += o.byteLength;
    outputs.push({ name: o.name, dtype: o.dtype as DType, shape: o.shape, data: new C(copy) });
  }
  return { header, outputs };
}

export interface SpawnOptions {
  command: string;
  args: string[];
  timeoutMs: number;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
}

/**
 * Runs a verifier child with the request on stdin. Never rejects for the child's sake: a crash,
 * a signal, a timeout or garbage on stdout all come back as { ok: false, kind: 'error' }.
 */
export function runChild(opts: SpawnOptions, request: Buffer): Promise<ChildResult> {
  const t0 = performance.now();
  return new Promise((resolve) => {
    let settled = false;
    const done = (r: ChildResult) => {
      if (!settled) {
        settled = true;
        resolve(r);
      }
    };
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let errBytes = 0;
    let timedOut = false;
    const child = spawn(opts.command, opts.args, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['pipe', 'pipe', 'pipe'] });
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, opts.timeoutMs);
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => {
      // Keep the tail only: a runtime that logs per op could otherwise fill memory.
      err.push(c);
      errBytes += c.length;
      while (errBytes > 64_000 && err.length > 1) errBytes -= err.shift()!.length;
    });
    const stderrText = () => Buffer.concat(err).toString('utf8').trim();
    child.on('error', (e) => {
      clearTimeout(timer);
      done({ ok: false, kind: 'error', stage: 'spawn', message: `could not start ${opts.command}: ${e.message}`, stderr: '', ms: performance.now() - t0 });
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const ms = performance.now() - t0;
      const stderr = stderrText();
      const tail = stderr ? `; stderr: ${stderr.slice(-600)}` : '';
      if (timedOut) return done({ ok: false, kind: 'error', stage: 'timeout', message: `timed out after ${opts.timeoutMs} ms${tail}`, stderr, ms });
      const buf = Buffer.concat(out);
      if (signal) return done({ ok: false, kind: 'error', stage: 'crash', message: `the runtime process died with ${signal}${tail}`, stderr, ms });
      try {
        const { header, outputs } = decodeResponse(buf);
        if (header.ok === true) {
          const runs = typeof header.runs === 'number' && header.runs >= 1 ? header.runs : 1;
          if (outputs.length % runs !== 0) throw new Error(`${outputs.length} outputs do not split into ${runs} runs`);
          const per = outputs.length / runs;
          const outputSets = Array.from({ length: runs }, (_, r) => outputs.slice(r * per, (r + 1) * per));
          return done({ ok: true, outputs: outputSets[0] ?? [], outputSets, inputs: (header.inputs as TensorInfo[]) ?? [], stderr, ms });
        }
        const kind = header.kind === 'unsupported' ? 'unsupported' : 'error';
        return done({ ok: false, kind, stage: header.stage as string | undefined, message: String(header.message ?? 'no message'), stderr, ms });
      } catch (e) {
        return done({ ok: false, kind: 'error', stage: 'protocol', message: `exit code ${code}, unreadable response: ${(e as Error).message}${tail}`, stderr, ms });
      }
    });
    child.stdin.on('error', () => {
      // The child may exit before reading everything (e.g. a crash); 'close' reports that.
    });
    child.stdin.end(request);
  });
}
