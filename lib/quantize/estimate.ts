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
import { yielder } from './yield';

export interface Metrics {
  count: number;
  /** Top-1 accuracy, when labels are given. */
  accuracy?: number;
  /** Share of samples whose top-1 class equals the reference's (classifier-like outputs). */
  top1Agreement?: number;
  /** Mean cosine similarity of output 0 to the reference's. */
  cosine?: number;
  /** Signal-to-quantization-noise ratio of all outputs against the reference, in dB. */
  sqnrDb?: number;
}

const argmax = (v: ArrayLike<number>): number => { let b = 0; for (let i = 1; i < v.length; i++) if (v[i]! > v[b]!) b = i; return b; };

/** Output 0 reads as class scores: one row of at least two values. */
function looksLikeScores(t: HostTensor): boolean {
  const dims = t.shape.filter((d) => d > 1);
  return dims.length === 1 && dims[0]! >= 2;
}

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

export function metrics(outputs: HostTensor[][], reference?: HostTensor[][], labels?: ArrayLike<number>): Metrics {
  const m: Metrics = { count: outputs.length };
  if (labels) {
    let ok = 0;
    outputs.forEach((o, i) => { if (argmax(o[0]!.data as Float32Array) === labels[i]) ok++; });
    m.accuracy = outputs.length ? ok / outputs.length : 0;
  }
  if (reference && reference.length === outputs.length && outputs.length > 0) {
    let agree = 0, cos = 0, signal = 0, noise = 0;
    outputs.forEach((o, i) => {
      const r = reference[i]!;
      if (argmax(o[0]!.data as Float32Array) === argmax(r[0]!.data as Float32Array)) agree++;
      let dot = 0, na = 0, nb = 0;
      o.forEach((t, k) => {
        const a = t.data as Float32Array, b = r[k]!.data as Float32Array;
        for (let j = 0; j < a.length; j++) {
          signal += b[j]! * b[j]!;
          noise += (a[j]! - b[j]!) ** 2;
          if (k === 0) { dot += a[j]! * b[j]!; na += a[j]! * a[j]!; nb += b[j]! * b[j]!; }
        }
      });
      cos += na > 0 && nb > 0 ? dot / Math.sqrt(na * nb) : na === nb ? 1 : 0;
    });
    if (looksLikeScores(outputs[0]![0]!)) m.top1Agreement = agree / outputs.length;
    m.cosine = cos / outputs.length;
    m.sqnrDb = noise === 0 ? Infinity : 10 * Math.log10(signal / noise);
  }
  return m;
}
