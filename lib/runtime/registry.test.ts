import { describe, expect, it } from 'vitest';
import { ortAdapter } from './ort';
import { defaultRuntime, getRuntime, RUNTIME_IDS, RuntimeUnavailableError } from './registry';
import type { RuntimeId } from './types';

describe('runtime registry', () => {
  it('gives the onnxruntime adapter for ort, once', async () => {
    expect(await getRuntime('ort')).toBe(ortAdapter);
    expect(await getRuntime('ort')).toBe(await getRuntime('ort'));
  });

  it('gives every runtime either its adapter or a clear "not available yet" error', async () => {
    for (const id of RUNTIME_IDS) {
      const r = await getRuntime(id).then((a) => a, (e: unknown) => (e instanceof Error ? e : new Error(String(e))));
      if (r instanceof Error) {
        expect(r).toBeInstanceOf(RuntimeUnavailableError);
        expect(r.message).toMatch(new RegExp(`runtime '${id}' is not available yet: `));
      } else {
        expect(r.id).toBe(id);
        expect(typeof r.load).toBe('function');
      }
    }
  });

  it('rejects an unknown id', async () => {
    await expect(getRuntime('coreml' as RuntimeId)).rejects.toThrow(/unknown runtime 'coreml'/);
  });

  it("picks each format's native runtime", () => {
    expect(defaultRuntime('onnx')).toBe('ort');
    expect(defaultRuntime('tflite')).toBe('litert');
    expect(defaultRuntime('tfjs-graph')).toBe('tfjs');
    expect(defaultRuntime('tfjs-layers')).toBe('tfjs');
  });
});
