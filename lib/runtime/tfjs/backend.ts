/**
 * tfjs backends are process-global: one is active at a time and every tensor lives in it.
 * This module probes which backends really start here and switches only when no session of
 * this adapter is alive (switching under a live session would move its weights between backends).
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendId } from '../types';

let live = 0;
let probed: Promise<BackendId[]> | null = null;

/** Module names kept in variables so bundlers do not try to resolve optional packages. */
const WASM_PKG = '@tensorflow/tfjs-backend-wasm';
const WEBGPU_PKG = '@tensorflow/tfjs-backend-webgpu';

async function tryImport(name: string): Promise<boolean> {
  try {
    const mod = (await import(/* webpackIgnore: true */ /* turbopackIgnore: true */ name)) as { setWasmPaths?: (prefix: string) => void };
    if (name === WASM_PKG && !inBrowser()) await pointAtPackage(mod);
    return true;
  } catch {
    return false;
  }
}

/**
 * In Node the wasm backend finds its .wasm through emscripten's `__dirname`, which LiteRT.js's
 * Node loader repoints at its own folder: once LiteRT has loaded, tfjs wasm would fail to start.
 * An absolute path to the package's dist folder works whatever ran before.
 */
async function pointAtPackage(mod: { setWasmPaths?: (prefix: string) => void }): Promise<void> {
  const { nodePackageDir } = await import('../litert-node');
  const dir = await nodePackageDir(WASM_PKG);
  mod.setWasmPaths?.(`${dir}/dist/`);
}

const inBrowser = () => typeof (globalThis as { document?: unknown }).document !== 'undefined'
  || typeof (globalThis as { WorkerGlobalScope?: unknown }).WorkerGlobalScope !== 'undefined';

/** Registers the optional backends that can exist here (without activating them). */
async function register(id: BackendId): Promise<boolean> {
  if (tf.findBackendFactory(id)) return true;
  if (id === 'wasm') return (await tryImport(WASM_PKG)) && !!tf.findBackendFactory('wasm');
  if (id === 'webgpu') return inBrowser() && (await tryImport(WEBGPU_PKG)) && !!tf.findBackendFactory('webgpu');
  return false;
}

/** Activates `id`; resolves false when it cannot start (tf.setBackend resolves false, it does not throw). */
async function activate(id: BackendId): Promise<boolean> {
  if (tf.getBackend() === id) return true;
  if ((id === 'webgl' || id === 'webgpu') && !inBrowser()) return false;
  if (!(await register(id))) return false;
  try {
    return await tf.setBackend(id);
  } catch {
    return false;
  }
}

/** Backends that start on this device, checked for real once per process. */
export function availableTfjsBackends(): Promise<BackendId[]> {
  if (!probed) {
    probed = (async () => {
      const before = tf.getBackend();
      const ok: BackendId[] = [];
      for (const id of ['wasm', 'webgpu', 'webgl', 'cpu'] as BackendId[]) {
        // A backend already in use by a live session cannot be switched away from to probe others.
        if (live > 0 && id !== before) {
          if (await register(id)) ok.push(id);
          continue;
        }
        if (await activate(id)) ok.push(id);
      }
      if (before && tf.getBackend() !== before) await tf.setBackend(before);
      return ok;
    })();
  }
  return probed;
}

/** Makes `id` the active backend for a new session; call `release()` when the session ends. */
export async function acquireBackend(id: BackendId): Promise<void> {
  const current = tf.getBackend();
  const hint = id === 'wasm' ? ` (${WASM_PKG} is not installed)` : id === 'webgl' || id === 'webgpu' ? ' (browser only)' : '';
  const startable = id === 'cpu' || id === current || (((id !== 'webgl' && id !== 'webgpu') || inBrowser()) && (await register(id)));
  if (!startable) throw new Error(`tfjs: backend "${id}" is not available here${hint}`);
  if (current !== id && live > 0) {
    throw new Error(`tfjs: backend "${current}" is in use by ${live} open session(s); dispose them before switching to "${id}" (tfjs backends are global)`);
  }
  if (!(await activate(id))) {
    throw new Error(`tfjs: backend "${id}" is not available here${hint}`);
  }
  await tf.ready();
  live++;
}

export function releaseBackend(): void {
  live = Math.max(0, live - 1);
}
