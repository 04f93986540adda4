'use client';
import { useEffect, useState } from 'react';
import { WorkerClient } from '@/lib/worker/client';

export interface StudioRuntimeHook {
  /** Calls the runtime worker (backends / load / run / bench / dispose); progress goes to `progress`. */
  call<T = unknown>(type: string, payload: unknown, transfer?: Transferable[]): Promise<T>;
  /** Progress messages of every call so far, for tests that check streaming. */
  progress: Array<{ fraction: number; phase: string }>;
  /** Calls `type` and aborts it after `afterMs`, returning what the call settled with. */
  callAndCancel(type: string, payload: unknown, afterMs: number): Promise<{ ok: boolean; error?: string }>;
  /** Replaces the worker with a fresh one (first-load timings need a cold worker). */
  restart(): void;
}

function makeClient(): WorkerClient {
  const w = new Worker(new URL('../../../workers/runtime.worker.ts', import.meta.url), { type: 'module' });
  return new WorkerClient(w, 'runtime worker');
}

export default function RuntimeHook() {
  const [ready, setReady] = useState(false);
  useEffect(() => {
    let client = makeClient();
    const progress: StudioRuntimeHook['progress'] = [];
    const hook: StudioRuntimeHook = {
      progress,
      call: (type, payload, transfer) => client.call(type, payload, { transfer, onProgress: (p) => progress.push(p) }),
      async callAndCancel(type, payload, afterMs) {
        const ac = new AbortController();
        setTimeout(() => ac.abort(), afterMs);
        try {
          await client.call(type, payload, { signal: ac.signal, onProgress: (p) => progress.push(p) });
          return { ok: true };
        } catch (e) {
          return { ok: false, error: `${(e as Error).name}: ${(e as Error).message}` };
        }
      },
      restart() {
        client.terminate();
        client = makeClient();
      },
    };
    (window as unknown as { __studioRuntime?: StudioRuntimeHook }).__studioRuntime = hook;
    setReady(true);
    return () => client.terminate();
  }, []);
  return <p data-testid="runtime-hook">{ready ? 'runtime worker ready' : 'starting…'}</p>;
}
