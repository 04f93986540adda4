import RuntimeHook from './RuntimeHook';

export const metadata = { title: 'Runtime worker (dev)' };

/** Dev-only page: exposes the runtime worker to e2e tests as window.__studioRuntime. */
export default function RuntimeDevPage() {
  return (
    <main style={{ padding: 16, fontFamily: 'system-ui, sans-serif' }}>
      <h1>Runtime worker</h1>
      <RuntimeHook />
    </main>
  );
}
