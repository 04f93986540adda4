/**
 * Loads LiteRT.js (@litertjs/core) in Node, for the CLI and the tests. The Node built-ins are
 * imported dynamically and hidden from bundlers, so litert.ts can import this file statically
 * without pulling node:fs into browser chunks (it is only ever called in Node).
 *
 * LiteRT.js is written for browsers: its emscripten glue is a classic script that it pulls in
 * with `importScripts` (workers) and that expects `self`, and in Node mode it looks for its
 * .wasm next to `__dirname` and loads fs/path with `require`. ESM in Node has none of these,
 * so they are provided as globals before loadLiteRt runs; `importScripts` evaluates the glue in
 * this context, which is what a worker does.
 */
import type * as Fs from 'node:fs';
import type * as NodeModule from 'node:module';
import type * as Path from 'node:path';
import type * as Url from 'node:url';
import type * as Vm from 'node:vm';
import type { LiteRtModule } from './litert';

function hidden<T>(spec: string): Promise<T> {
  return import(/* webpackIgnore: true */ /* turbopackIgnore: true */ /* @vite-ignore */ spec) as Promise<T>;
}

interface NodeApis {
  fs: typeof Fs; path: typeof Path; vm: typeof Vm;
  createRequire: typeof NodeModule.createRequire; pathToFileURL: typeof Url.pathToFileURL;
}

async function nodeApis(): Promise<NodeApis> {
  const [fs, path, vm, mod, url] = await Promise.all([
    hidden<typeof Fs>('node:fs'), hidden<typeof Path>('node:path'), hidden<typeof Vm>('node:vm'),
    hidden<typeof NodeModule>('node:module'), hidden<typeof Url>('node:url'),
  ]);
  // CJS interop: the namespace of a built-in may carry the API on `default` only.
  const pick = <T>(m: T): T => ((m as { default?: T }).default ?? m);
  return { fs: pick(fs), path: pick(path), vm: pick(vm), createRequire: pick(mod).createRequire, pathToFileURL: pick(url).pathToFileURL };
}

/** node_modules/<name>, found through Node's resolution from this file or the cwd. */
export async function nodePackageDir(name: string): Promise<string> {
  const { fs, path, createRequire } = await nodeApis();
  const bases = [typeof __filename === 'string' ? __filename : '', path.join(process.cwd(), 'index.js')].filter(Boolean);
  for (const base of bases) {
    try {
      return path.dirname(createRequire(base).resolve(`${name}/package.json`));
    } catch {
      // try the next base
    }
  }
  const fallback = path.join(process.cwd(), 'node_modules', ...name.split('/'));
  if (fs.existsSync(path.join(fallback, 'package.json'))) return fallback;
  throw new Error(`${name} not found: is it installed?`);
}

const packageDir = () => nodePackageDir('@litertjs/core');

/** The folder of LiteRT.js's .wasm and glue files (node_modules/@litertjs/core/wasm). */
export async function liteRtWasmDir(): Promise<string> {
  const { path } = await nodeApis();
  return path.join(await packageDir(), 'wasm');
}

let loading: Promise<LiteRtModule> | null = null;

/** Installs the shims, imports @litertjs/core and loads its wasm once per process. */
export function loadLiteRtNode(dir?: string): Promise<LiteRtModule> {
  if (!loading) {
    loading = (async () => {
      const { fs, path, vm, createRequire, pathToFileURL } = await nodeApis();
      const wasmDir = dir ?? (await liteRtWasmDir());
      const g = globalThis as Record<string, unknown>;
      g.self ??= globalThis;
      g.require ??= createRequire(path.join(wasmDir, 'index.js'));
      g.__dirname = wasmDir;
      g.importScripts ??= (...urls: string[]) => {
        for (const u of urls) {
          const file = u.startsWith('file:') ? new URL(u).pathname : u;
          vm.runInThisContext(fs.readFileSync(file, 'utf8'), { filename: file });
        }
      };
      // By file URL: a bare specifier fails when a loader (tsx) evaluates this module from a data: URL.
      const pkgDir = await packageDir();
      const main = (JSON.parse(fs.readFileSync(path.join(pkgDir, 'package.json'), 'utf8')) as { main?: string }).main ?? 'dist/index.js';
      const lrt = await hidden<LiteRtModule>(pathToFileURL(path.join(pkgDir, main)).href);
      // Node has no navigator: LiteRT's WebGPU probe fails and warns with a stack trace. Wasm
      // is unaffected, so that one warning is dropped.
      const warn = console.warn;
      console.warn = (...args: unknown[]) => {
        if (typeof args[0] === 'string' && args[0].startsWith('Failed to create default WebGPU device')) return;
        warn(...args);
      };
      try {
        await lrt.loadLiteRt(wasmDir.endsWith('/') ? wasmDir : `${wasmDir}/`);
      } finally {
        console.warn = warn;
      }
      return lrt;
    })();
    loading.catch(() => {
      loading = null;
    });
  }
  return loading;
}
