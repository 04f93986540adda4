/**
 * Serves the runtimes' wasm files from node_modules on our own origin: LiteRT.js's glue and
 * binaries (@litertjs/core/wasm/*) and, once installed, @tensorflow/tfjs-backend-wasm's
 * binaries (tfjs's setWasmPaths takes one prefix, so they share this folder). Under COEP
 * require-corp every script and wasm a worker loads must be same-origin (or CORP-marked), and
 * no install step copies them into public/. Only allowlisted names are served.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';

export const runtime = 'nodejs';

const LITERT_DIR = ['@litertjs', 'core', 'wasm'];
const TFJS_WASM_DIR = ['@tensorflow', 'tfjs-backend-wasm', 'dist'];

/** File name -> its folder under node_modules. */
const FILES = new Map<string, string[]>([
  ...['litert_wasm_internal', 'litert_wasm_compat_internal', 'litert_wasm_threaded_internal', 'litert_wasm_jspi_internal']
    .flatMap((base) => [[`${base}.js`, LITERT_DIR], [`${base}.wasm`, LITERT_DIR]] as Array<[string, string[]]>),
  ...['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm']
    .map((f) => [f, TFJS_WASM_DIR] as [string, string[]]),
]);

export async function GET(_req: Request, ctx: { params: Promise<{ file: string }> }): Promise<Response> {
  const { file } = await ctx.params;
  const dir = FILES.get(file);
  if (!dir) return new Response('not found', { status: 404 });
  const full = path.join(process.cwd(), 'node_modules', ...dir, file);
  let size: number;
  try {
    size = (await stat(full)).size;
  } catch {
    return new Response(`${file} is missing: is ${dir[0]}/${dir[1]} installed?`, { status: 404 });
  }
  const body = Readable.toWeb(createReadStream(full)) as ReadableStream<Uint8Array>;
  return new Response(body, {
    headers: {
      'Content-Type': file.endsWith('.wasm') ? 'application/wasm' : 'text/javascript; charset=utf-8',
      'Content-Length': String(size),
      'Cross-Origin-Resource-Policy': 'same-origin',
      // The package version pins the bytes; a reinstall changes them rarely, so revalidate daily.
      'Cache-Control': 'public, max-age=86400',
    },
  });
}
