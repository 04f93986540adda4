/**
 * Long loops in a worker must let the event loop run now and then: a cancel request is a message,
 * and messages are only read between tasks (awaiting a resolved promise is not enough).
 */
export function yielder(everyMs = 30): () => Promise<void> {
  let last = performance.now();
  return async () => {
    const now = performance.now();
    if (now - last < everyMs) return;
    await new Promise((r) => setTimeout(r, 0));
    last = performance.now();
  };
}
