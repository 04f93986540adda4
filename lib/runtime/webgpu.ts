interface GpuNavigator { gpu?: { requestAdapter(): Promise<unknown> } }

/** True when this context can get a WebGPU adapter (a software one counts: it runs, slowly). */
export async function hasWebGpu(): Promise<boolean> {
  const nav = (globalThis as { navigator?: GpuNavigator }).navigator;
  if (!nav?.gpu) return false;
  try {
    return (await nav.gpu.requestAdapter()) != null;
  } catch {
    return false;
  }
}
