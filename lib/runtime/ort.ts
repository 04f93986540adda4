/**
 * onnxruntime-web behind the RuntimeAdapter contract: ONNX bytes in, HostTensors in and out.
 *
 * Which bundle loads:
 * - browsers and workers, backend 'wasm': `onnxruntime-web/wasm` (half the size of the default).
 * - browsers and workers, backend 'webgpu': `onnxruntime-web/webgpu`; the JSEP path of the default
 *   bundle gave wrong outputs for quantized models (ENVIRONMENT.md).
 * - Node (CLI, tests): the package root, whose `node` export condition is a build that finds its
 *   wasm on disk. The browser bundles call `require` for Node built-ins and fail under ESM there.
 */
import type * as Ort from 'onnxruntime-web';
import type { DType } from '../ir/types';
import { AbortedError } from '../formats/errors';
import { readOnnx } from '../formats/onnx';
import type { BackendId, HostTensor, LoadOptions, RuntimeAdapter, RuntimeSession } from './types';
import { hasWebGpu } from './webgpu';

type OrtModule = typeof Ort;
type Info = RuntimeSession['inputs'][number];

// Not `typeof window`: jsdom test environments have a window but still need the Node build.
// Next's browser `process` polyfill has no versions.node.
const isNode = typeof process !== 'undefined' && typeof process.versions?.node === 'string';

// One promise per bundle: each bundle has its own `env` and wasm instance, initialised once.
const modules = new Map<string, Promise<OrtModule>>();
const initialised = new WeakSet<object>();

function importOrt(backend: BackendId): Promise<OrtModule> {
  const key = isNode ? 'node' : backend === 'webgpu' ? 'webgpu' : 'wasm';
  let p = modules.get(key);
  if (!p) {
    if (key === 'node') {
      // Hidden from bundlers: the app must never pull the Node build into a browser chunk.
      const spec = 'onnxruntime-web';
      p = import(/* webpackIgnore: true */ /* turbopackIgnore: true */ /* @vite-ignore */ spec) as Promise<OrtModule>;
    } else if (key === 'webgpu') p = import('onnxruntime-web/webgpu');
    else p = import('onnxruntime-web/wasm');
    // Depending on the loader the namespace may arrive wrapped in `default`.
    p = p.then((m) => {
      const d = (m as unknown as { default?: OrtModule }).default;
      return d?.InferenceSession ? d : m;
    });
    modules.set(key, p);
    p.catch(() => modules.delete(key));
  }
  return p;
}


const ORT_DTYPES: Partial<Record<string, DType>> = {
  float32: 'float32', float16: 'float16', float64: 'float64', int8: 'int8', uint8: 'uint8', int16: 'int16',
  uint16: 'uint16', int32: 'int32', uint32: 'uint32', int64: 'int64', uint64: 'uint64', bool: 'bool',
  string: 'string', int4: 'int4', uint4: 'uint4',
};

/** The typed array each dtype must arrive in (HostTensor has no Uint32Array / BigUint64Array). */
const HOST_ARRAY: Partial<Record<DType, string>> = {
  float32: 'Float32Array', float64: 'Float64Array', float16: 'Uint16Array', int8: 'Int8Array', uint8: 'Uint8Array',
  bool: 'Uint8Array', int16: 'Int16Array', uint16: 'Uint16Array', int32: 'Int32Array', uint32: 'Int32Array',
  int64: 'BigInt64Array', uint64: 'BigInt64Array',
};

/** HostTensor -> ort.Tensor, without copying the data. */
export function toOrtTensor(ort: OrtModule, t: HostTensor): Ort.Tensor {
  const want = HOST_ARRAY[t.dtype];
  if (!want) throw new Error(`input '${t.name}': dtype ${t.dtype} is not supported by the onnxruntime adapter`);
  if (t.data.constructor.name !== want) throw new Error(`input '${t.name}': dtype ${t.dtype} needs a ${want}, got a ${t.data.constructor.name}`);
  const d = t.data;
  const count = t.shape.reduce((a, b) => a * b, 1);
  if (count !== d.length) throw new Error(`input '${t.name}': shape [${t.shape.join(', ')}] has ${count} elements but the data has ${d.length}`);
  if (t.dtype === 'uint32') return new ort.Tensor('uint32', new Uint32Array(d.buffer, d.byteOffset, d.length), t.shape);
  if (t.dtype === 'uint64') return new ort.Tensor('uint64', new BigUint64Array(d.buffer, d.byteOffset, d.length), t.shape);
  return new ort.Tensor(t.dtype as 'float32', d as Float32Array, t.shape);
}

/** ort.Tensor -> HostTensor (a view of the tensor's CPU data). */
export function fromOrtTensor(name: string, t: Ort.Tensor): HostTensor {
  const dtype = ORT_DTYPES[t.type];
  if (!dtype || dtype === 'string' || dtype === 'int4' || dtype === 'uint4') throw new Error(`output '${name}': onnxruntime type ${t.type} has no host tensor form`);
  const d = t.data as ArrayBufferView & { length: number };
  const shape = [...t.dims];
  const view = <T>(C: new (b: ArrayBufferLike, o: number, n: number) => T): T => new C(d.buffer, d.byteOffset, d.length);
  switch (dtype) {
    // float16 may come back as a Float16Array where the JS engine has one; we pass the bits.
    case 'float16': return { name, dtype, shape, data: view(Uint16Array) };
    case 'uint32': return { name, dtype, shape, data: view(Int32Array) };
    case 'uint64': return { name, dtype, shape, data: view(BigInt64Array) };
    case 'bool': return { name, dtype, shape, data: view(Uint8Array) };
    default: return { name, dtype, shape, data: d as HostTensor['data'] };
  }
}

function dims(shape: ReadonlyArray<number | string> | undefined | null): Array<number | null> {
  // onnxruntime-web reports an unnamed open dim as -1 read unsigned (4294967295): open, too.
  return (shape ?? []).map((x) => (typeof x === 'number' && x >= 0 && x < 2 ** 31 ? x : null));
}

/** Names, dtypes and shapes from the session, or from our own reader when the build lacks metadata. */
function describe(session: Ort.InferenceSession, bytes: Uint8Array): { inputs: Info[]; outputs: Info[] } {
  const meta = (list: readonly Ort.InferenceSession.ValueMetadata[] | undefined, names: readonly string[]): Info[] | null => {
    if (!list || list.length !== names.length) return null;
    return list.map((m, i) => ({
      name: names[i]!,
      dtype: m.isTensor ? (ORT_DTYPES[m.type] ?? 'unknown') : 'unknown',
      shape: m.isTensor ? dims(m.shape) : [],
    }));
  };
  const fromSession = { inputs: meta(session.inputMetadata, session.inputNames), outputs: meta(session.outputMetadata, session.outputNames) };
  if (fromSession.inputs && fromSession.outputs) return { inputs: fromSession.inputs, outputs: fromSession.outputs };
  const g = readOnnx(bytes, 'model.onnx').graphs[0]!;
  const info = (name: string): Info => {
    const t = g.tensors.get(name);
    return { name, dtype: t?.dtype ?? 'unknown', shape: (t?.shape ?? []).map((x) => (typeof x === 'number' ? x : null)) };
  };
  return { inputs: session.inputNames.map(info), outputs: session.outputNames.map(info) };
}

class OrtSession implements RuntimeSession {
  readonly runtime = 'ort' as const;
  readonly inputs: Info[];
  readonly outputs: Info[];
  private disposed = false;

  constructor(private readonly ort: OrtModule, private readonly session: Ort.InferenceSession, readonly backend: BackendId, bytes: Uint8Array) {
    ({ inputs: this.inputs, outputs: this.outputs } = describe(session, bytes));
  }

  async run(feeds: HostTensor[]): Promise<HostTensor[]> {
    if (this.disposed) throw new Error('onnxruntime session was disposed');
    if (feeds.length !== this.inputs.length) {
      throw new Error(`the model takes ${this.inputs.length} input(s) (${this.inputs.map((i) => i.name).join(', ')}), got ${feeds.length}`);
    }
    const map: Record<string, Ort.Tensor> = {};
    this.inputs.forEach((info, i) => {
      const t = feeds[i]!;
      const bad = info.shape.length !== t.shape.length || info.shape.some((d, k) => d !== null && d !== t.shape[k]);
      if (bad) throw new Error(`input '${info.name}' wants shape [${info.shape.map((d) => d ?? '?').join(', ')}], got [${t.shape.join(', ')}]`);
      if (info.dtype !== 'unknown' && info.dtype !== t.dtype) throw new Error(`input '${info.name}' wants ${info.dtype}, got ${t.dtype}`);
      map[info.name] = toOrtTensor(this.ort, { ...t, name: info.name });
    });
    const result = await this.session.run(map);
    return this.outputs.map((o) => {
      const t = result[o.name];
      if (!t) throw new Error(`onnxruntime returned no output '${o.name}'`);
      return fromOrtTensor(o.name, t);
    });
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.session.release().catch(() => undefined);
  }
}

export const ortAdapter: RuntimeAdapter = {
  id: 'ort',
  label: 'ONNX Runtime Web',

  async availableBackends(): Promise<BackendId[]> {
    const out: BackendId[] = [];
    if (typeof WebAssembly === 'object') out.push('wasm');
    if (!isNode && (await hasWebGpu())) out.push('webgpu');
    return out;
  },

  async load(source: { bytes?: Uint8Array }, options: LoadOptions): Promise<RuntimeSession> {
    const { backend, signal } = options;
    if (!source.bytes) throw new Error('onnxruntime needs the .onnx file bytes');
    if (backend !== 'wasm' && backend !== 'webgpu') throw new Error(`onnxruntime-web has no '${backend}' backend here (wasm, webgpu)`);
    if (backend === 'webgpu' && (isNode || !(await hasWebGpu()))) throw new Error('webgpu is not available on this device (navigator.gpu gave no adapter)');
    if (signal?.aborted) throw new AbortedError();
    const ort = await importOrt(backend);
    // Thread count is fixed when the wasm module starts: the first session decides it.
    if (!initialised.has(ort)) {
      ort.env.wasm.numThreads = Math.max(1, options.threads ?? 1);
      initialised.add(ort);
    }
    let session: Ort.InferenceSession;
    try {
      session = await ort.InferenceSession.create(source.bytes, { executionProviders: [backend], graphOptimizationLevel: 'all' });
    } catch (e) {
      throw new Error(`onnxruntime-web (${backend}) could not load the model: ${e instanceof Error ? e.message : String(e)}`);
    }
    if (signal?.aborted) {
      await session.release().catch(() => undefined);
      throw new AbortedError();
    }
    return new OrtSession(ort, session, backend, source.bytes);
  },
};
