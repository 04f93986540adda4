/**
 * Runs a loaded runtime session over evaluation samples and measures it: the real runtime
 * (LiteRT.js for .tflite, onnxruntime for .onnx), so the accuracy the app shows is the
 * accuracy of the file it downloads. Inputs are float sample sets in the model's own input
 * layout; quantized I/O is converted with the model's parameters. Environment-neutral.
 */
import type { Model } from '../ir/types';
import { toFloatOutputs, toModelInputs } from '../quantize/io';
import { yielder } from '../quantize/yield';
import type { HostTensor, RuntimeSession } from '../runtime/types';

export interface EvalProgress { (done: number, total: number): void }

/** Float outputs of every sample set, in order. */
export async function runSamples(session: RuntimeSession, model: Model, sets: HostTensor[][], onProgress?: EvalProgress, signal?: AbortSignal): Promise<HostTensor[][]> {
  const out: HostTensor[][] = [];
  const breathe = yielder();
  for (const [i, set] of sets.entries()) {
    await breathe();
    signal?.throwIfAborted();
    const raw = await session.run(toModelInputs(model, set));
    // Keep only what metrics need: outputs copied out of runtime memory as float.
    out.push(toFloatOutputs(model, raw).map((t) => ({ ...t, data: t.data instanceof Float32Array ? t.data.slice() : Float32Array.from(t.data as ArrayLike<number>, Number) })));
    onProgress?.(i + 1, sets.length);
  }
  return out;
}
