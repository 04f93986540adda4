/**
 * What a variant costs in accuracy, measured the same way for every variant: with labels, top-1
 * accuracy; without, agreement with the float model (top-1 match, cosine similarity, SQNR in dB).
 * Models run in the tfjs IR executor, which computes quantized `tfl` tensors on their integer
 * grid (dequantize -> float op -> requantize): an estimate within a step of the real kernels,
 * cheap enough to follow a slider. The downloaded file's own numbers come from LiteRT.js.
 */
import type { Model } from '../ir/types';
import { tfjsAdapter } from '../runtime/tfjs/index';
import { availableTfjsBackends } from '../runtime/tfjs/backend';
import type { HostTensor } from '../runtime/types';
import { toFloatOutputs, toModelInputs } from './io';
export { metrics, type Metrics } from '../compare/metrics';
import { yielder } from './yield';

/** Float outputs of `model` for every input set (inputs given as float; quantized I/O handled). */
export async function runFloatOutputs(model: Model, sets: HostTensor[][], signal?: AbortSignal, onProgress?: (done: number) => void): Promise<HostTensor[][]> {
  const backends = await availableTfjsBackends();
  const session = await tfjsAdapter.load({ model }, { backend: backends.includes('wasm') ? 'wasm' : 'cpu' });
  try {
    const out: HostTensor[][] = [];
    const breathe = yielder();
    for (const [i, set] of sets.entries()) {
      await breathe();
      signal?.throwIfAborted();
      out.push(toFloatOutputs(model, await session.run(toModelInputs(model, set))));
      onProgress?.(i + 1);
    }
    return out;
  } finally {
    session.dispose();
  }
}
