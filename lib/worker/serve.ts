import { CANCEL, type Progress, type ReplyMessage, type RequestMessage, toErrorInfo } from './protocol';

export interface HandlerContext {
  signal: AbortSignal;
  progress(p: Progress): void;
  /** Buffers to transfer with the result instead of copying them. */
  transfer: Transferable[];
}

export type Handler = (payload: never, ctx: HandlerContext) => unknown | Promise<unknown>;

interface Port {
  postMessage(message: unknown, transfer?: Transferable[]): void;
  addEventListener(type: 'message', listener: (e: MessageEvent) => void): void;
}

/**
 * The worker side of the protocol: a thin adapter that dispatches requests to handlers
 * (plain lib/ functions), streams their progress and reports errors by id.
 */
export function serve(port: Port, handlers: Record<string, Handler>): void {
  const running = new Map<number, AbortController>();
  port.addEventListener('message', async (e: MessageEvent) => {
    const msg = e.data as RequestMessage;
    if (msg.type === CANCEL) {
      running.get((msg.payload as { target: number }).target)?.abort();
      return;
    }
    const handler = handlers[msg.type];
    const reply = (m: ReplyMessage, transfer: Transferable[] = []) => port.postMessage(m, transfer);
    if (!handler) {
      reply({ id: msg.id, error: { name: 'Error', message: `unknown request type '${msg.type}'` } });
      return;
    }
    const controller = new AbortController();
    running.set(msg.id, controller);
    let lastSent = 0;
    const ctx: HandlerContext = {
      signal: controller.signal,
      transfer: [],
      progress(p) {
        // Throttle: progress is for eyes, not a per-node event stream.
        const now = Date.now();
        if (now - lastSent < 50 && p.fraction < 1) return;
        lastSent = now;
        reply({ id: msg.id, progress: p });
      },
    };
    try {
      const result = await handler(msg.payload as never, ctx);
      reply({ id: msg.id, result }, ctx.transfer);
    } catch (err) {
      reply({ id: msg.id, error: toErrorInfo(err) });
    } finally {
      running.delete(msg.id);
    }
  });
}
