/**
 * RuntimeId -> adapter, loaded lazily: each runtime drags in megabytes of wasm glue, and a
 * runtime that fails to load (or is not written yet) must not break the others.
 */
import type { ModelFormat } from '../ir/types';
import type { RuntimeAdapter, RuntimeId } from './types';

export class RuntimeUnavailableError extends Error {
  constructor(readonly runtime: RuntimeId, cause: string) {
    super(`runtime '${runtime}' is not available yet: ${cause}`);
    this.name = 'RuntimeUnavailableError';
  }
}

export const RUNTIME_IDS: readonly RuntimeId[] = ['ort', 'litert', 'tfjs'];

const factories: Record<RuntimeId, () => Promise<RuntimeAdapter>> = {
  ort: async () => (await import('./ort')).ortAdapter,
  litert: async () => (await import('./litert')).litertAdapter,
  tfjs: async () => (await import('./tfjs/index')).tfjsAdapter,
};

const cache = new Map<RuntimeId, Promise<RuntimeAdapter>>();

/** The adapter for `id`; rejects with RuntimeUnavailableError when its module cannot be loaded. */
export function getRuntime(id: RuntimeId): Promise<RuntimeAdapter> {
  const make = factories[id];
  if (!make) return Promise.reject(new Error(`unknown runtime '${String(id)}' (${RUNTIME_IDS.join(', ')})`));
  let p = cache.get(id);
  if (!p) {
    p = make().catch((e: unknown) => {
      cache.delete(id);
      throw new RuntimeUnavailableError(id, e instanceof Error ? e.message.split('\n')[0]! : String(e));
    });
    cache.set(id, p);
  }
  return p;
}

export function isRuntimeId(s: string): s is RuntimeId {
  return (RUNTIME_IDS as readonly string[]).includes(s);
}

/** Each format's native runtime: onnxruntime for ONNX, LiteRT.js for TFLite, the tfjs executor for TF.js. */
export function defaultRuntime(format: ModelFormat): RuntimeId {
  return format === 'onnx' ? 'ort' : format === 'tflite' ? 'litert' : 'tfjs';
}
