/**
 * Activation statistics of a float model over calibration samples: the model runs in the tfjs IR
 * executor with every intermediate tensor observed as it is made, one sample set at a time (only
 * the current sample and the running statistics are held), so a large calibration set streams.
 */
import type { Model } from '../../ir/types';
import { acquireBackend, availableTfjsBackends, releaseBackend } from '../../runtime/tfjs/backend';
import { createExecutor } from '../../runtime/tfjs/index';
import { hostToTf } from '../../runtime/tfjs/util';
import type { BackendId, HostTensor } from '../../runtime/types';
import { yielder } from '../yield';
import { TensorStats } from './stats';

export interface CollectOptions {
  /** Histograms for percentile / MSE selection (min-max needs none). Default true. */
  histogram?: boolean;
  backend?: BackendId;
  onProgress?: (done: number, total: number) => void;
  signal?: AbortSignal;
}

export type SampleSource = Iterable<HostTensor[]> | AsyncIterable<HostTensor[]>;

async function pickBackend(wanted?: BackendId): Promise<BackendId> {
  if (wanted) return wanted;
  const ok = await availableTfjsBackends();
  return ok.includes('wasm') ? 'wasm' : 'cpu';
}

/** Statistics of every float tensor graph 0 computes (inputs included), by tensor name. */
export async function collectStats(model: Model, samples: SampleSource, total: number, options: CollectOptions = {}): Promise<Map<string, TensorStats>> {
  const withHist = options.histogram ?? true;
  const g = model.graphs[0];
  if (!g) throw new Error(`calibration: model ${model.name} has no graph`);
  // Constants are not activations; everything else the executor computes in float32 is.
  const constant = new Set<string>();
  for (const [name, t] of g.tensors) if (t.data || t.isConstant) constant.add(name);
  const backend = await pickBackend(options.backend);
  await acquireBackend(backend);
  let exec;
  try {
    exec = createExecutor(model);
  } catch (e) {
    releaseBackend();
    throw new Error(`calibration runs the float model in the tfjs executor, which cannot run it: ${(e as Error).message.replace(/^tfjs executor: /, '')} (float16 and dynamic range need no calibration)`);
  }
  const stats = new Map<string, TensorStats>();
  let done = 0;
  const breathe = yielder();
  try {
    for await (const feeds of samples) {
      await breathe();
      options.signal?.throwIfAborted();
      if (feeds.length !== g.inputs.length) throw new Error(`calibration: sample ${done} has ${feeds.length} input(s), the model takes ${g.inputs.length} (${g.inputs.join(', ')})`);
      const inputs = feeds.map((h) => hostToTf(h));
      try {
        const outs = exec.run(inputs, (name, t) => {
          if (constant.has(name) || t.dtype !== 'float32') return;
          let s = stats.get(name);
          if (!s) { s = new TensorStats(withHist); stats.set(name, s); }
          s.add(t.dataSync() as Float32Array);
        });
        outs.forEach((t) => t.dispose());
      } finally {
        inputs.forEach((t) => t.dispose());
      }
      done++;
      options.onProgress?.(done, total);
    }
  } finally {
    exec.dispose();
    releaseBackend();
  }
  if (done === 0) throw new Error('calibration: no samples');
  return stats;
}
