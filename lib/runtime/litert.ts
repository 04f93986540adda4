/**
 * LiteRT.js (@litertjs/core 2.5) behind the RuntimeAdapter contract: .tflite bytes (or a `tfl`
 * IR model, written with the TFLite writer) in, HostTensors in and out, on 'wasm' (XNNPACK) and
 * 'webgpu' where the device has it.
 *
 * Loading is the environment's job and is injected: LiteRT.js loads its emscripten glue with
 * `importScripts` (classic workers only) or a script tag, and in Node it needs shims.
 * - Node (CLI, tests): nothing to do; the first load imports ./litert-node, which shims and
 *   loads the wasm from node_modules/@litertjs/core/wasm.
 * - Browser: a classic worker calls
 *   `setLiteRtLoader(async () => { const m = await import('@litertjs/core'); await m.loadLiteRt('/litert/'); return m; })`
 *   (or returns a module it loaded with importScripts) before the first load.
 *
 * Two gaps of LiteRT.js are bridged here:
 * - its JS dtype table knows only float32, int32 and uint8, so a model with int8 or int16 graph
 *   inputs/outputs fails in loadAndCompile ("Element type INT8 is not supported"). Such a model
 *   is rewritten to take and give float32 through exact QUANTIZE / DEQUANTIZE bridges, and the
 *   adapter converts codes on the host (../formats/tflite/write/float-io.ts), so callers still
 *   see int8 / int16 inputs and outputs with the original values. int8 tensors quantized per
 *   axis go through exact uint8 <-> int8 bridges instead, the host flipping the sign bit
 *   (../formats/tflite/write/int8-io.ts).
 * Inputs with unknown dims (shape_signature -1) are not resizable in LiteRT.js 2.5: it runs them
 * at the sizes in the file's `shape` (1 for an unknown dim when the TFLite writer wrote it), and
 * the session reports those sizes.
 */
import { castIoToInt32, fromInt32, toInt32 } from '../formats/tflite/write/cast-io';
import type * as LiteRtCore from '@litertjs/core';
import type { DType, Model } from '../ir/types';
import { AbortedError } from '../formats/errors';
import { tfliteFormat } from '../formats/tflite/index';
import { writeTflite } from '../formats/tflite/write';
import { flipSign, int8IoToUint8 } from '../formats/tflite/write/int8-io';
import { codesToFloat, floatToCodes, quantizedIoToFloat, type BridgedIo } from '../formats/tflite/write/float-io';
import { metadataSpec } from '../formats/tflite/write/metadata';
import { loadLiteRtNode } from './litert-node';
import type { BackendId, HostTensor, LoadOptions, RuntimeAdapter, RuntimeSession } from './types';
import { hasWebGpu } from './webgpu';

export type LiteRtModule = typeof LiteRtCore;
export type LiteRtLoader = () => Promise<LiteRtModule>;

type Info = RuntimeSession['inputs'][number];

const isNode = typeof process !== 'undefined' && typeof process.versions?.node === 'string' && typeof window === 'undefined';

let injected: LiteRtLoader | null = null;

/** Sets how this environment loads LiteRT.js (a browser worker must call it before loading a model). */
export function setLiteRtLoader(loader: LiteRtLoader): void {
  injected = loader;
}

async function getLiteRt(): Promise<LiteRtModule> {
  if (injected) return injected();
  if (isNode) {
    return loadLiteRtNode();
  }
  throw new Error('LiteRT.js is not loaded in this context: call setLiteRtLoader() first (it needs a classic worker with importScripts, or a page script)');
}


/** What LiteRT.js can take and give: its DATATYPES table. int8 is bridged (see above). */
const NATIVE: ReadonlySet<DType> = new Set<DType>(['float32', 'int32', 'uint8']);
/** What the adapter bridges: int8 / int16 (quantized codes), int64 and bool (through int32). */
const BRIDGED: ReadonlySet<DType> = new Set<DType>(['int8', 'int16', 'int64', 'bool']);

interface Prepared {
  bytes: Uint8Array;
  /** Tensor names (graph 0) whose host data is int8 while LiteRT sees uint8. */
  flipped: Set<string>;
  /** Tensor names (graph 0) whose host data is int8 / int16 codes while LiteRT sees float32. */
  widened: Map<string, BridgedIo>;
  /** Tensor names (graph 0) whose host data is int64 / bool while LiteRT sees int32. */
  cast: Map<string, 'int64' | 'bool'>;
  /** LiteRT's I/O names (signature aliases) -> tensor names. */
  aliases: Map<string, string>;
}

/** Checks the model's I/O against what LiteRT.js accepts and applies the int8 bridge if needed. */
async function prepare(source: { bytes?: Uint8Array; model?: Model }): Promise<Prepared> {
  let model = source.model;
  if (source.bytes) model = await tfliteFormat.read([{ name: model?.name ?? 'model.tflite', bytes: source.bytes }]);
  if (!model) throw new Error('LiteRT.js needs .tflite bytes or a tfl model');
  const g = model.graphs[0];
  if (!g) throw new Error('LiteRT.js: the model has no graphs');
  for (const [role, names] of [['input', g.inputs], ['output', g.outputs]] as const) {
    for (const n of names) {
      const t = g.tensors.get(n);
      if (!t) continue;
      if (!NATIVE.has(t.dtype) && !BRIDGED.has(t.dtype)) {
        throw new Error(`LiteRT.js cannot pass ${t.dtype} tensors: graph ${role} ${n} is ${t.dtype} (it supports float32, int32, uint8, and int8 / int16 / int64 / bool through a bridge)`);
      }
    }
  }
  const casted = castIoToInt32(model);
  const wide = quantizedIoToFloat(casted.model);
  const widened = wide.bridged;
  const rewrite = int8IoToUint8(wide.model);
  const flipped = new Set([...rewrite.inputs, ...rewrite.outputs]);
  const bytes = flipped.size === 0 && widened.size === 0 && casted.cast.size === 0 && source.bytes ? source.bytes : writeTflite(rewrite.model);
  const aliases = new Map<string, string>();
  const sig = metadataSpec(model).signatures[0];
  for (const [alias, tensor] of [...(sig?.inputs ?? []), ...(sig?.outputs ?? [])]) aliases.set(alias, tensor);
  return { bytes, flipped, widened, cast: casted.cast, aliases };
}

function toLiteRtData(t: HostTensor, expected: Info, flip: boolean, widen?: BridgedIo, cast?: 'int64' | 'bool'): Float32Array | Int32Array | Uint8Array {
  const want = flip ? 'int8' : widen ? widen.dtype : cast ?? expected.dtype;
  if (t.dtype !== want) throw new Error(`input '${expected.name}': expected ${want}, got ${t.dtype}`);
  const n = t.shape.reduce((a, b) => a * b, 1);
  if (n !== t.data.length) throw new Error(`input '${expected.name}': shape [${t.shape.join(', ')}] has ${n} elements but the data has ${t.data.length}`);
  const size = expected.shape.reduce<number>((a, b) => a * (b ?? 1), 1);
  if (n !== size) throw new Error(`input '${expected.name}': the model wants [${expected.shape.join(', ')}] (${size} elements), got [${t.shape.join(', ')}]`);
  const d = t.data;
  if (flip) return flipSign(d as Int8Array);
  if (cast) return toInt32(expected.name, d, cast);
  if (widen) return codesToFloat(d as Int8Array | Int16Array, widen);
  if (t.dtype === 'float32' && d instanceof Float32Array) return d;
  if (t.dtype === 'int32' && d instanceof Int32Array) return d;
  if (t.dtype === 'uint8' && d instanceof Uint8Array) return d;
  throw new Error(`input '${expected.name}': dtype ${t.dtype} needs a ${t.dtype === 'float32' ? 'Float32Array' : t.dtype === 'int32' ? 'Int32Array' : 'Uint8Array'}, got a ${d.constructor.name}`);
}

class LiteRtSession implements RuntimeSession {
  readonly runtime = 'litert' as const;
  readonly inputs: Info[];
  readonly outputs: Info[];
  private readonly flipIn: boolean[];
  private readonly flipOut: boolean[];
  private readonly widenIn: Array<(BridgedIo) | undefined>;
  private readonly widenOut: Array<(BridgedIo) | undefined>;
  private readonly castIn: Array<'int64' | 'bool' | undefined>;
  private readonly castOut: Array<'int64' | 'bool' | undefined>;
  private disposed = false;

  constructor(
    private readonly lrt: LiteRtModule,
    private readonly compiled: LiteRtCore.CompiledModel,
    readonly backend: BackendId,
    prepared: Prepared,
  ) {
    const flip = (name: string) => prepared.flipped.has(prepared.aliases.get(name) ?? name);
    const widen = (name: string) => prepared.widened.get(prepared.aliases.get(name) ?? name);
    const cast = (name: string) => prepared.cast.get(prepared.aliases.get(name) ?? name);
    const info = (d: LiteRtCore.TensorDetails): Info => ({
      name: d.name, dtype: flip(d.name) ? 'int8' : widen(d.name)?.dtype ?? cast(d.name) ?? d.dtype, shape: Array.from(d.shape, (x) => (x < 0 ? null : x)),
    });
    const ins = compiled.getInputDetails();
    const outs = compiled.getOutputDetails();
    this.inputs = ins.map(info);
    this.outputs = outs.map(info);
    this.flipIn = ins.map((d) => flip(d.name));
    this.flipOut = outs.map((d) => flip(d.name));
    this.widenIn = ins.map((d) => widen(d.name));
    this.widenOut = outs.map((d) => widen(d.name));
    this.castIn = ins.map((d) => cast(d.name));
    this.castOut = outs.map((d) => cast(d.name));
  }

  async run(feeds: HostTensor[]): Promise<HostTensor[]> {
    if (this.disposed) throw new Error('LiteRT.js session is disposed');
    if (feeds.length !== this.inputs.length) {
      throw new Error(`LiteRT.js model takes ${this.inputs.length} inputs (${this.inputs.map((i) => i.name).join(', ')}), got ${feeds.length}`);
    }
    const tensors: LiteRtCore.Tensor[] = [];
    let outs: LiteRtCore.Tensor[] = [];
    try {
      feeds.forEach((f, i) => {
        const info = this.inputs[i]!;
        const data = toLiteRtData(f, info, this.flipIn[i]!, this.widenIn[i], this.castIn[i]);
        // LiteRT copies the data into wasm memory, so a view on any buffer will do.
        tensors.push(new this.lrt.Tensor(data as LiteRtCore.TypedArray, info.shape.map((d) => d ?? 1)));
      });
      outs = await this.compiled.run(tensors);
      const results: HostTensor[] = [];
      const n = outs.length;
      for (let i = 0; i < n; i++) {
        const o = outs[i]!;
        const info = this.outputs[i]!;
        // WebGPU outputs live in GPU memory: move them to wasm memory before reading.
        const host = this.backend === 'webgpu' ? await o.moveTo('wasm') : o;
        if (host !== o) outs.push(host); // deleted in finally with the rest
        const raw = host.toTypedArray();
        const shape = Array.from(o.type.layout.dimensions);
        const widen = this.widenOut[i];
        if (this.flipOut[i]) results.push({ name: info.name, dtype: 'int8', shape, data: new Int8Array(flipSign(raw as Uint8Array).buffer) });
        else if (widen) results.push({ name: info.name, dtype: widen.dtype, shape, data: floatToCodes(raw as Float32Array, widen) });
        else if (this.castOut[i]) results.push({ name: info.name, dtype: this.castOut[i]!, shape, data: fromInt32(raw as Int32Array, this.castOut[i]!) });
        else results.push({ name: info.name, dtype: o.type.dtype, shape, data: raw } as HostTensor);
      }
      return results;
    } finally {
      for (const t of [...tensors, ...outs]) if (!t.deleted) t.delete();
    }
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.compiled.delete();
  }
}

export const litertAdapter: RuntimeAdapter = {
  id: 'litert',
  label: 'LiteRT.js',

  async availableBackends(): Promise<BackendId[]> {
    await getLiteRt(); // throws when LiteRT.js cannot load here: then no backend is available
    return (await hasWebGpu()) ? ['wasm', 'webgpu'] : ['wasm'];
  },

  async load(source, options: LoadOptions): Promise<RuntimeSession> {
    if (options.backend !== 'wasm' && options.backend !== 'webgpu') {
      throw new Error(`LiteRT.js runs on wasm or webgpu, not ${options.backend}`);
    }
    if (options.signal?.aborted) throw new AbortedError();
    const [lrt, prepared] = await Promise.all([getLiteRt(), prepare(source)]);
    if (options.signal?.aborted) throw new AbortedError();
    const compiled = await lrt.loadAndCompile(prepared.bytes, { accelerator: options.backend });
    if (options.signal?.aborted) {
      compiled.delete();
      throw new AbortedError();
    }
    return new LiteRtSession(lrt, compiled, options.backend, prepared);
  },
};
