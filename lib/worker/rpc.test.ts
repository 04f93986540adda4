import { describe, expect, it } from 'vitest';
import { MessageChannel, Worker } from 'node:worker_threads';
import { WorkerClient } from './client';
import { serve } from './serve';

/** Adapts a Node MessagePort / Worker to the browser Worker shape the client expects. */
function adapt(target: { postMessage(m: unknown): void; on(ev: string, f: (x: unknown) => void): void }, terminate: () => void) {
  const w = {
    onmessage: null as ((e: MessageEvent) => void) | null,
    onerror: null as ((e: ErrorEvent) => void) | null,
    postMessage: (m: unknown) => target.postMessage(m),
    terminate,
  };
  target.on('message', (data) => w.onmessage?.({ data } as MessageEvent));
  target.on('error', (err) => w.onerror?.({ message: (err as Error).message, preventDefault() {} } as ErrorEvent));
  return w;
}

function pair(handlers: Parameters<typeof serve>[1]) {
  const { port1, port2 } = new MessageChannel();
  serve({
    postMessage: (m) => port1.postMessage(m),
    addEventListener: (_t, f) => port1.on('message', (data) => f({ data } as MessageEvent)),
  }, handlers);
  const client = new WorkerClient(adapt(port2, () => { port1.close(); port2.close(); }));
  return { client, close: () => { port1.close(); port2.close(); } };
}

describe('worker protocol', () => {
  it('matches replies by id, not by order', async () => {
    const { client, close } = pair({
      wait: async (p: { ms: number; v: string }) => {
        await new Promise((r) => setTimeout(r, p.ms));
        return p.v;
      },
    });
    const slow = client.call<string>('wait', { ms: 60, v: 'slow' });
    const fast = client.call<string>('wait', { ms: 1, v: 'fast' });
    const order: string[] = [];
    await Promise.all([slow.then((v) => order.push(v)), fast.then((v) => order.push(v))]);
    expect(order).toEqual(['fast', 'slow']);
    close();
  });

  it('streams progress and carries errors with file and format', async () => {
    const { client, close } = pair({
      work: async (_p: unknown, ctx) => {
        ctx.progress({ fraction: 0.5, phase: 'half' });
        ctx.progress({ fraction: 1, phase: 'done' });
        const e = new Error('m.onnx: cannot read as ONNX: truncated') as Error & { file: string; format: string };
        e.name = 'ModelFormatError';
        e.file = 'm.onnx';
        e.format = 'ONNX';
        throw e;
      },
    });
    const seen: string[] = [];
    const err = await client.call('work', null, { onProgress: (p) => seen.push(p.phase) }).catch((e: unknown) => e);
    expect(seen).toContain('done');
    expect(err).toMatchObject({ name: 'ModelFormatError', file: 'm.onnx', format: 'ONNX' });
    close();
  });

  it('cancels by id and settles at once even if the handler never looks at its signal', async () => {
    let sawAbort = false;
    const { client, close } = pair({
      long: async (_p: unknown, ctx) => {
        await new Promise((r) => setTimeout(r, 200));
        sawAbort = ctx.signal.aborted;
        return 'finished';
      },
    });
    const ac = new AbortController();
    const p = client.call('long', null, { signal: ac.signal });
    setTimeout(() => ac.abort(), 10);
    await expect(p).rejects.toMatchObject({ name: 'AbortedError' });
    await new Promise((r) => setTimeout(r, 250));
    expect(sawAbort).toBe(true);
    close();
  });

  it('rejects every pending call when a real worker dies, and refuses later calls', async () => {
    const worker = new Worker(
      "const { parentPort } = require('node:worker_threads'); parentPort.on('message', () => { throw new Error('wasm abort'); });",
      { eval: true },
    );
    const client = new WorkerClient(adapt(worker as never, () => void worker.terminate()), 'model reader');
    const a = client.call('x', null);
    const b = client.call('y', null);
    await expect(a).rejects.toMatchObject({ name: 'WorkerDied' });
    await expect(b).rejects.toMatchObject({ name: 'WorkerDied' });
    expect(client.alive).toBe(false);
    await expect(client.call('z', null)).rejects.toThrow(/stopped unexpectedly/);
    await worker.terminate();
  });
});
