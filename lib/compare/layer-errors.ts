/**
 * Per-layer error of a variant against its float model: both run in the tfjs executor on the
 * same samples with every tensor observed (the quantized one on its integer grid), and each
 * node of the variant whose output has a float counterpart of the same name gets the SQNR of
 * that activation. Low SQNR marks the layers worth keeping in float or 16 bits.
 */
import * as tf from '@tensorflow/tfjs';
import type { Model } from '../ir/types';
import { acquireBackend, availableTfjsBackends, releaseBackend } from '../runtime/tfjs/backend';
import { createExecutor } from '../runtime/tfjs/index';
import { hostToTf } from '../runtime/tfjs/util';
import type { HostTensor } from '../runtime/types';
import { yielder } from '../quantize/yield';
import { sqnrDb } from './metrics';
import type { LayerError } from './types';

/** Sum of squares per tensor name over all samples, of the reference and of the difference. */
interface Acc { signal: number; noise: number }

export async function capture(model: Model, sets: HostTensor[][], each: (name: string, v: Float32Array, sample: number) => void, signal?: AbortSignal): Promise<void> {
  const ok = await availableTfjsBackends();
  await acquireBackend(ok.includes('wasm') ? 'wasm' : 'cpu');
  const exec = createExecutor(model);
  const breathe = yielder();
  try {
    for (const [i, set] of sets.entries()) {
      await breathe();
      signal?.throwIfAborted();
      const ins = set.map((h) => hostToTf(h));
      try {
        exec.run(ins, (name, t) => { if (t.dtype === 'float32') each(name, t.dataSync() as Float32Array, i); }).forEach((t: tf.Tensor) => t.dispose());
      } finally {
        ins.forEach((t) => t.dispose());
      }
    }
  } finally {
    exec.dispose();
    releaseBackend();
  }
}

/** `sets`: float input sets for the float model. */
export async function layerErrors(float: Model, variant: Model, sets: HostTensor[][], signal?: AbortSignal): Promise<LayerError[]> {
  const g = variant.graphs[0]!;
  const fg = float.graphs[0]!;
  // The quantizer keeps activation names; a graph output under float I/O is written as `name/int8`.
  const floatName = (o: string) => (fg.tensors.has(o) ? o : o.replace(/\/(int8|int16)(_\d+)?$/, ''));
  const layers = g.nodes.filter((n) => n.op !== 'tfl.QUANTIZE' && n.op !== 'tfl.DEQUANTIZE' && n.outputs[0] && fg.tensors.has(floatName(n.outputs[0])));
  const wanted = new Set(layers.map((n) => floatName(n.outputs[0]!)));
  const ref: Array<Map<string, Float32Array>> = sets.map(() => new Map());
  await capture(float, sets, (name, v, i) => { if (wanted.has(name)) ref[i]!.set(name, v.slice()); }, signal);
  const acc = new Map<string, Acc>();
  // The executor holds a quantized variant's tensors as real values on their grids, so the
  // variant takes the same float inputs (its input quantization is the only error not seen).
  await capture(variant, sets, (name, v, i) => {
    const r = ref[i]?.get(floatName(name));
    if (!r || r.length !== v.length) return;
    let a = acc.get(floatName(name));
    if (!a) { a = { signal: 0, noise: 0 }; acc.set(floatName(name), a); }
    for (let k = 0; k < v.length; k++) { a.signal += r[k]! * r[k]!; a.noise += (v[k]! - r[k]!) ** 2; }
  }, signal);
  const out: LayerError[] = [];
  for (const n of layers) {
    const a = acc.get(floatName(n.outputs[0]!));
    if (a) out.push({ node: n.name, op: n.op, sqnrDb: sqnrDb(a.signal, a.noise) });
  }
  return out;
}
