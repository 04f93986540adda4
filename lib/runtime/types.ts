import type { DType, Model } from '../ir/types';

/** A concrete tensor passed to or returned from a runtime: static shape, dense row-major data. */
export interface HostTensor {
  name: string;
  dtype: DType;
  shape: number[];
  data: Float32Array | Float64Array | Int32Array | Int8Array | Uint8Array | Int16Array | Uint16Array | BigInt64Array;
}

export type RuntimeId = 'tfjs' | 'ort' | 'litert';
export type BackendId = 'wasm' | 'webgpu' | 'webgl' | 'cpu';

export interface LoadOptions {
  backend: BackendId;
  /** Wasm threads, when the page is cross-origin isolated. Default 1. */
  threads?: number;
  signal?: AbortSignal;
}

export interface RuntimeSession {
  readonly runtime: RuntimeId;
  readonly backend: BackendId;
  /** Input and output names, dtypes and shapes as the runtime sees them. */
  readonly inputs: Array<{ name: string; dtype: DType; shape: Array<number | null> }>;
  readonly outputs: Array<{ name: string; dtype: DType; shape: Array<number | null> }>;
  /** Feeds in input order (names are informative). Returns outputs in output order. */
  run(feeds: HostTensor[]): Promise<HostTensor[]>;
  dispose(): void;
}

/**
 * One interface over tfjs (IR executor), onnxruntime-web and LiteRT.js, usable in a worker and
 * in Node. `source` carries what the runtime needs: file bytes for ORT / LiteRT, the IR for tfjs.
 */
export interface RuntimeAdapter {
  readonly id: RuntimeId;
  readonly label: string;
  /** Backends this runtime can use on this device, checked for real (not just listed). */
  availableBackends(): Promise<BackendId[]>;
  load(source: { bytes?: Uint8Array; model?: Model }, options: LoadOptions): Promise<RuntimeSession>;
}
