import type { InputFile } from '../formats/types';
import { pickPrimary, sniffFormat } from '../formats/registry';
import { throwIfAborted } from '../formats/errors';

/** Browsers cannot hold a single ArrayBuffer much past 2 GB; refuse early with a clear reason. */
export const MAX_FILE_BYTES = 2 ** 31 - 1;

export class LoadError extends Error {
  readonly file: string;
  constructor(file: string, reason: string) {
    super(`${file}: ${reason}`);
    this.name = 'LoadError';
    this.file = file;
  }
}

type OnBytes = (loaded: number, total: number) => void;

/** Reads a stream into one buffer, reporting bytes as they arrive (no second copy at the end). */
async function readStream(name: string, stream: ReadableStream<Uint8Array>, size: number | null, onBytes: OnBytes, signal?: AbortSignal): Promise<Uint8Array> {
  let buf = new Uint8Array(size ?? 1 << 20);
  let used = 0;
  const reader = stream.getReader();
  for (;;) {
    throwIfAborted(signal);
    const { done, value } = await reader.read();
    if (done) break;
    if (used + value.length > MAX_FILE_BYTES) {
      await reader.cancel();
      throw new LoadError(name, `file is larger than ${MAX_FILE_BYTES} bytes, the most a browser can hold in one buffer`);
    }
    if (used + value.length > buf.length) {
      const grown = new Uint8Array(Math.min(MAX_FILE_BYTES, Math.max(buf.length * 2, used + value.length)));
      grown.set(buf.subarray(0, used));
      buf = grown;
    }
    buf.set(value, used);
    used += value.length;
    onBytes(used, size ?? used);
  }
  return used === buf.length ? buf : buf.subarray(0, used);
}

/**
 * Looks only at the first bytes of each file: a drop of nothing we can read (a 2 GB video, say)
 * is refused at once instead of after reading it all. Throws ModelFormatError.
 */
export async function sniffBlobs(blobs: Array<{ name: string; blob: Blob }>): Promise<void> {
  const heads = await Promise.all(
    blobs.map(async (b) => ({ name: b.name, bytes: new Uint8Array(await b.blob.slice(0, 64 * 1024).arrayBuffer()) })),
  );
  pickPrimary(heads);
}

/** Dropped or picked files (File objects survive postMessage without copying their bytes). */
export async function readBlobs(blobs: Array<{ name: string; blob: Blob }>, onBytes: OnBytes, signal?: AbortSignal): Promise<InputFile[]> {
  const total = blobs.reduce((s, b) => s + b.blob.size, 0);
  for (const b of blobs) {
    if (b.blob.size > MAX_FILE_BYTES) throw new LoadError(b.name, `file is ${b.blob.size} bytes; the most a browser can hold in one buffer is ${MAX_FILE_BYTES}`);
  }
  let before = 0;
  const out: InputFile[] = [];
  for (const b of blobs) {
    const bytes = await readStream(b.name, b.blob.stream(), b.blob.size, (n) => onBytes(before + n, total), signal);
    before += b.blob.size;
    out.push({ name: b.name, bytes });
  }
  return out;
}

export type FetchLike = (url: string, init?: { signal?: AbortSignal }) => Promise<Response>;

async function fetchOne(url: string, fetcher: FetchLike, onBytes: OnBytes, signal?: AbortSignal): Promise<InputFile> {
  const name = decodeURIComponent(new URL(url).pathname.split('/').pop() || url);
  let res: Response;
  try {
    res = await fetcher(url, { signal });
  } catch (e) {
    if (signal?.aborted) throw e;
    throw new LoadError(url, `could not fetch (${(e as Error).message}); is the address right, and does the server allow cross-origin requests (CORS)?`);
  }
  if (!res.ok) throw new LoadError(url, `the server answered HTTP ${res.status} ${res.statusText}`.trim());
  const len = Number(res.headers.get('content-length'));
  const size = Number.isFinite(len) && len > 0 && !res.headers.get('content-encoding') ? len : null;
  if (!res.body) return { name, bytes: new Uint8Array(await res.arrayBuffer()) };
  return { name, bytes: await readStream(url, res.body, size, onBytes, signal) };
}

/**
 * Opens a model from a URL. When the file is a TF.js model.json, its weight shards are fetched
 * relative to it, as the manifest names them.
 */
export async function fetchModelFiles(url: string, fetcher: FetchLike, onProgress: (fraction: number, phase: string) => void, signal?: AbortSignal): Promise<InputFile[]> {
  let abs: URL;
  try {
    abs = new URL(url);
  } catch {
    throw new LoadError(url, 'not a valid absolute URL');
  }
  const primary = await fetchOne(abs.href, fetcher, (n, t) => onProgress(t ? n / t : 0, 'download'), signal);
  const format = sniffFormat(primary.bytes);
  const companions = format?.companions?.(primary) ?? [];
  const files = [primary];
  for (let i = 0; i < companions.length; i++) {
    const rel = companions[i]!;
    const shardUrl = new URL(rel, abs).href;
    const f = await fetchOne(shardUrl, fetcher, () => onProgress((i + 0.5) / companions.length, `download ${rel}`), signal);
    // The reader finds shards by the name the manifest uses.
    files.push({ name: rel.split('/').pop() || rel, bytes: f.bytes });
  }
  return files;
}
