import { createServer, type Server } from 'node:http';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ModelFormatError } from '../formats/errors';
import { readModel } from '../formats/registry';
import { fetchModelFiles, LoadError, readBlobs, sniffBlobs } from './load';

const ROOT = path.resolve(__dirname, '..', '..');
const TFJS = path.join(ROOT, 'fixtures', 'own', 'tfjs-add');

describe('opening files', () => {
  it('refuses a large unrecognised file from its first bytes, without reading the rest', async () => {
    const big = new Blob([new Uint8Array(64 * 1024 * 1024).fill(0x42)]);
    let read = 0;
    const spy = { name: 'video.mp4', blob: new Proxy(big, { get: (t, k) => (k === 'stream' ? () => { read++; return t.stream(); } : Reflect.get(t, k).bind?.(t) ?? Reflect.get(t, k)) }) };
    const err = await sniffBlobs([spy as never]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ModelFormatError);
    expect((err as Error).message).toMatch(/video\.mp4.*not recognised/);
    expect(read).toBe(0);
  });

  it('reads blobs with byte progress', async () => {
    const bytes = readFileSync(path.join(ROOT, 'public', 'models', 'fashion-mnist-cnn.onnx'));
    const seen: number[] = [];
    const [f] = await readBlobs([{ name: 'm.onnx', blob: new Blob([bytes]) }], (n) => seen.push(n));
    expect(f!.bytes.length).toBe(bytes.length);
    expect(seen.at(-1)).toBe(bytes.length);
    expect((await readModel([f!])).graphs[0]!.nodes.length).toBe(12);
  });
});

describe('opening from a URL (a real HTTP server on loopback)', () => {
  let server: Server;
  let base = '';
  beforeAll(async () => {
    server = createServer((req, res) => {
      const file = path.join(TFJS, decodeURIComponent(new URL(req.url!, 'http://x').pathname).replace(/^\/models\//, ''));
      if (!file.startsWith(TFJS)) { res.writeHead(403).end(); return; }
      try {
        const body = readFileSync(file);
        res.writeHead(200, { 'content-length': body.length }).end(body);
      } catch {
        res.writeHead(404, 'Not Found').end();
      }
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/models/`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('fetches a TF.js model.json and its shards relative to it', async () => {
    const json = readFileSync(path.join(TFJS, 'model.json'), 'utf8');
    const shards = (JSON.parse(json) as { weightsManifest: Array<{ paths: string[] }> }).weightsManifest.flatMap((g) => g.paths);
    const phases: string[] = [];
    const files = await fetchModelFiles(`${base}model.json`, (u, init) => fetch(u, init), (_f, p) => phases.push(p));
    expect(files.map((f) => f.name)).toEqual(['model.json', ...shards.map((s) => s.split('/').pop())]);
    expect(phases.some((p) => p.startsWith('download '))).toBe(true);
    const model = await readModel(files);
    expect(model.format).toBe('tfjs-graph');
  });

  it('names the URL and the HTTP status when the server says no', async () => {
    const err = await fetchModelFiles(`${base}missing.onnx`, (u, init) => fetch(u, init), () => undefined).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LoadError);
    expect((err as Error).message).toMatch(/missing\.onnx.*HTTP 404/);
  });

  it('refuses a relative or malformed URL clearly', async () => {
    await expect(fetchModelFiles('not a url', fetch, () => undefined)).rejects.toThrow(/not a valid absolute URL/);
  });
});
