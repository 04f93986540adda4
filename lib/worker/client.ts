import { CANCEL, type ErrorInfo, type Progress, type ReplyMessage } from './protocol';

export class WorkerError extends Error {
  readonly file?: string;
  readonly format?: string;
  constructor(info: ErrorInfo) {
    super(info.message);
    this.name = info.name;
    this.file = info.file;
    this.format = info.format;
  }
}

export interface CallOptions {
  onProgress?: (p: Progress) => void;
  signal?: AbortSignal;
  transfer?: Transferable[];
}

interface Pending {
  resolve(v: unknown): void;
  reject(e: Error): void;
  onProgress?: (p: Progress) => void;
}

interface WorkerLike {
  postMessage(message: unknown, transfer?: Transferable[]): void;
  terminate(): void;
  onmessage: ((e: MessageEvent) => void) | null;
  onerror: ((e: ErrorEvent) => void) | null;
  onmessageerror?: ((e: MessageEvent) => void) | null;
}

/**
 * The page side of the protocol. Every call settles: with the result, the worker's error, a
 * cancellation, or - when the worker dies (out of memory, a runtime abort) - a WorkerError
 * that says so. A dead client rejects further calls; the owner makes a new one.
 */
export class WorkerClient {
  private nextId = 1;
  private pending = new Map<number, Pending>();
  private deadReason: string | null = null;

  constructor(private worker: WorkerLike, private label = 'worker') {
    worker.onmessage = (e) => this.onReply(e.data as ReplyMessage);
    worker.onerror = (e) => {
      e.preventDefault?.();
      this.die(`the ${this.label} stopped unexpectedly${e.message ? `: ${e.message}` : ''} (out of memory?)`);
    };
    worker.onmessageerror = () => this.die(`the ${this.label} sent a message that could not be read`);
  }

  get alive(): boolean {
    return this.deadReason === null;
  }

  call<T>(type: string, payload: unknown, options: CallOptions = {}): Promise<T> {
    if (this.deadReason) return Promise.reject(new WorkerError({ name: 'WorkerDied', message: this.deadReason }));
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const { signal } = options;
      if (signal?.aborted) {
        reject(new WorkerError({ name: 'AbortedError', message: 'cancelled' }));
        return;
      }
      const onAbort = () => {
        this.worker.postMessage({ id: 0, type: CANCEL, payload: { target: id } });
        // Settle now: the UI must not wait on a worker that may be stuck in a tight loop.
        this.settle(id, undefined, new WorkerError({ name: 'AbortedError', message: 'cancelled' }));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.pending.set(id, {
        resolve: (v) => { signal?.removeEventListener('abort', onAbort); resolve(v as T); },
        reject: (e) => { signal?.removeEventListener('abort', onAbort); reject(e); },
        onProgress: options.onProgress,
      });
      try {
        this.worker.postMessage({ id, type, payload }, options.transfer ?? []);
      } catch (e) {
        this.settle(id, undefined, e instanceof Error ? e : new Error(String(e)));
      }
    });
  }

  terminate(reason = 'closed'): void {
    this.worker.terminate();
    this.die(reason);
  }

  private onReply(msg: ReplyMessage): void {
    const p = this.pending.get(msg.id);
    if (!p) return; // cancelled or unknown: ignore
    if ('progress' in msg) p.onProgress?.(msg.progress);
    else if ('error' in msg) this.settle(msg.id, undefined, new WorkerError(msg.error));
    else this.settle(msg.id, msg.result);
  }

  private settle(id: number, result: unknown, error?: Error): void {
    const p = this.pending.get(id);
    if (!p) return;
    this.pending.delete(id);
    if (error) p.reject(error);
    else p.resolve(result);
  }

  private die(reason: string): void {
    if (this.deadReason) return;
    this.deadReason = reason;
    for (const id of [...this.pending.keys()]) {
      this.settle(id, undefined, new WorkerError({ name: 'WorkerDied', message: reason }));
    }
  }
}
