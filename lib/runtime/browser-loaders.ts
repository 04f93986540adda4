/**
 * What only a browser (page or Web Worker) needs to start each runtime; the adapters themselves
 * (ort.ts, tfjs/, litert.ts) stay environment-neutral. Node has its own: litert-node.ts.
 *
 * - onnxruntime-web: nothing to load by hand. In a module worker the bundler resolves the wasm
 *   from `new URL(..., import.meta.url)` inside the package; threads need crossOriginIsolated.
 * - tfjs: webgl and cpu come with @tensorflow/tfjs. The wasm backend must run single-threaded
 *   here (its threaded build hangs under our COOP/COEP headers) and find its .wasm files.
 * - LiteRT.js: its emscripten glue is a classic script pulled in with `importScripts`, which
 *   module workers do not have. `installImportScriptsShim` provides it (sync XHR + global eval),
 *   and `Module.locateFile` points the glue at the .wasm served by app/litert-wasm/[file].
 */
import type * as LiteRtNs from '@litertjs/core';

export type LiteRtModule = typeof LiteRtNs;

/** Where app/litert-wasm/[file]/route.ts serves node_modules/@litertjs/core/wasm/*. */
export const LITERT_WASM_BASE = '/litert-wasm/';

type Scope = typeof globalThis & {
  importScripts?: (...urls: Array<string | URL>) => void;
  document?: unknown;
  WorkerGlobalScope?: unknown;
  location?: { href: string };
  Module?: Record<string, unknown>;
  crossOriginIsolated?: boolean;
};

const scope = globalThis as Scope;

/** Wasm threads worth asking for: 1 unless SharedArrayBuffer is allowed (cross-origin isolated). */
export function browserThreads(max = 4): number {
  if (!scope.crossOriginIsolated) return 1;
  const cores = (globalThis.navigator as { hardwareConcurrency?: number } | undefined)?.hardwareConcurrency ?? 1;
  return Math.max(1, Math.min(max, cores));
}

/**
 * Gives a module worker the classic-worker `importScripts`: each URL is fetched synchronously
 * (same-origin, so COEP is satisfied) and evaluated in global scope, so its top-level `var`s
 * become globals exactly as with importScripts. No-op where importScripts already exists.
 */
export function installImportScriptsShim(): void {
  if (typeof scope.importScripts === 'function') return;
  if (typeof XMLHttpRequest === 'undefined') throw new Error('importScripts shim: no XMLHttpRequest in this context');
  scope.importScripts = (...urls: Array<string | URL>) => {
    for (const url of urls) {
      const abs = new URL(url, scope.location?.href).href;
      const xhr = new XMLHttpRequest();
      xhr.open('GET', abs, false);
      xhr.send();
      if (xhr.status !== 200) throw new Error(`importScripts shim: GET ${abs} gave HTTP ${xhr.status}`);
      // Indirect eval runs in global scope, as importScripts does; `//# sourceURL` names it in traces.
      (0, eval)(`${xhr.responseText}\n//# sourceURL=${abs}`);
    }
  };
}

let liteRt: Promise<LiteRtModule> | null = null;

/**
 * Imports @litertjs/core and loads its wasm once per worker (LiteRT keeps one global instance).
 * `base` is the folder URL holding litert_wasm_*.js/.wasm.
 */
export function loadLiteRtBrowser(base = LITERT_WASM_BASE): Promise<LiteRtModule> {
  if (!liteRt) {
    liteRt = (async () => {
      const href = scope.location?.href ?? 'http://localhost/';
      const dir = new URL(base.endsWith('/') ? base : `${base}/`, href).href;
      const inWorker = typeof scope.document === 'undefined';
      if (inWorker) installImportScriptsShim();
      // The glue takes its folder from the worker's own URL; the .wasm lives elsewhere.
      scope.Module = { ...(scope.Module ?? {}), locateFile: (file: string) => dir + file };
      const mod = (await import('@litertjs/core')) as LiteRtModule;
      await mod.loadLiteRt(dir);
      return mod;
    })();
    liteRt.catch(() => {
      liteRt = null;
    });
  }
  return liteRt;
}

/** The optional tfjs backend packages, imported by the caller (importing registers the backend). */
export interface TfjsBackendModules {
  /** `await import('@tensorflow/tfjs-backend-wasm')` */
  wasm?: { setWasmPaths(prefix: string): void };
  /** `await import('@tensorflow/tfjs-backend-webgpu')` (nothing to configure; registration is the point). */
  webgpu?: unknown;
}

/** Where app/litert-wasm/[file]/route.ts also serves tfjs-backend-wasm*.wasm. */
export const TFJS_WASM_BASE = LITERT_WASM_BASE;

/**
 * Browser settings for tfjs, applied before any backend starts. webgl and cpu need nothing.
 * The wasm backend must run single-threaded (its threaded build hangs under our COOP/COEP
 * headers) and load its .wasm from our origin. The backend packages are passed in rather than
 * imported here so this file builds whether or not they are installed.
 */
export async function prepareTfjsBrowser(backends: TfjsBackendModules = {}): Promise<void> {
  const tf = await import('@tensorflow/tfjs');
  if (backends.wasm) {
    // The flag is registered by the wasm backend package's import.
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
    backends.wasm.setWasmPaths(new URL(TFJS_WASM_BASE, scope.location?.href ?? 'http://localhost/').href);
  }
}
