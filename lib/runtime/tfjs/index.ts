/**
 * The tfjs IR executor behind the RuntimeAdapter contract: `load({ model }, { backend })` builds a
 * session that runs the model's main graph with @tensorflow/tfjs ops (op tables per dialect:
 * onnx-ops.ts / onnx-nn.ts, tfl-ops.ts, tf-ops.ts, keras-ops.ts for TF.js layers models).
 *
 * Limitations, by design of tfjs: int64 is computed as int32 (values clamped), float16 / float64
 * as float32; quantized TFLite tensors are computed as dequantized floats snapped to their grid.
 */
import * as tf from '@tensorflow/tfjs';
import type { Dialect, Model } from '../../ir/types';
import type { BackendId, HostTensor, LoadOptions, RuntimeAdapter, RuntimeSession } from '../types';
import { acquireBackend, availableTfjsBackends, releaseBackend } from './backend';
import { dequantizeFrom, IrExecutor, isQuantizedInt, quantizeTo } from './executor';
import { kerasOps } from './keras-ops';
import { onnxOps } from './onnx-ops';
import { tfOps } from './tf-ops';
import { tflOps } from './tfl-ops';
import { hostToTf, tfToHost, type OpTable } from './util';

export { IrExecutor } from './executor';
export { UnsupportedOpError } from './util';

const TABLES: Partial<Record<Dialect, OpTable>> = { onnx: onnxOps, tfl: tflOps, tf: tfOps, keras: kerasOps };

type Info = RuntimeSession['inputs'][number];

function describe(model: Model, names: string[]): Info[] {
  const g = model.graphs[0]!;
  return names.map((name) => {
    const t = g.tensors.get(name);
    return {
      name,
      dtype: t?.dtype ?? 'float32',
      shape: (t?.shape ?? []).map((d) => (typeof d === 'number' ? d : null)),
    };
  });
}

class TfjsSession implements RuntimeSession {
  readonly runtime = 'tfjs' as const;
  readonly inputs: Info[];
  readonly outputs: Info[];
  private open = true;

  constructor(readonly backend: BackendId, private readonly model: Model, private readonly exec: IrExecutor) {
    const g = model.graphs[0]!;
    this.inputs = describe(model, g.inputs);
    this.outputs = describe(model, g.outputs);
  }

  async run(feeds: HostTensor[]): Promise<HostTensor[]> {
    if (!this.open) throw new Error('tfjs session was disposed');
    const g = this.model.graphs[0]!;
    if (feeds.length !== g.inputs.length) {
      throw new Error(`tfjs: expected ${g.inputs.length} input(s) (${g.inputs.join(', ')}), got ${feeds.length}`);
    }
    const quant = this.model.dialect === 'tfl';
    const inputs = feeds.map((h, i) => {
      const decl = g.tensors.get(g.inputs[i]!);
      const t = hostToTf(h);
      if (quant && isQuantizedInt(decl)) {
        const real = dequantizeFrom(t, decl);
        t.dispose();
        return real;
      }
      return t;
    });
    let outs: tf.Tensor[] = [];
    try {
      outs = this.exec.run(inputs);
      // One read per output: the cpu backend reads synchronously (its values are already on the
      // host); other backends download once, asynchronously, into fresh arrays we hand out.
      const owned = this.backend !== 'cpu';
      const decls = g.outputs.map((name) => g.tensors.get(name));
      const codes = outs.map((t, i) => { const d = decls[i]; return quant && isQuantizedInt(d) ? quantizeTo(t, d) : undefined; });
      const reads = outs.map((t, i) => codes[i] ?? t);
      let raws: ArrayLike<number>[];
      try {
        raws = (owned ? await Promise.all(reads.map((t) => t.data())) : reads.map((t) => t.dataSync())) as ArrayLike<number>[];
      } finally {
        codes.forEach((t) => t?.dispose());
      }
      const results = reads.map((t, i) => tfToHost(g.outputs[i]!, t, decls[i]?.dtype ?? 'float32', raws[i], owned));
      return results;
    } finally {
      inputs.forEach((t) => t.dispose());
      outs.forEach((t) => t.dispose());
    }
  }

  dispose(): void {
    if (!this.open) return;
    this.open = false;
    this.exec.dispose();
    releaseBackend();
  }
}

/** Builds an executor for the model without touching backends (tests, tools). */
export function createExecutor(model: Model): IrExecutor {
  const table = TABLES[model.dialect];
  if (!table) throw new Error(`tfjs executor: the ${model.dialect} dialect is not supported yet`);
  return new IrExecutor(model, table, model.dialect === 'tfl');
}

export const tfjsAdapter: RuntimeAdapter = {
  id: 'tfjs',
  label: 'TensorFlow.js (IR executor)',
  availableBackends: availableTfjsBackends,
  async load(source: { bytes?: Uint8Array; model?: Model }, options: LoadOptions): Promise<RuntimeSession> {
    const model = source.model;
    if (!model) throw new Error('tfjs runtime: needs the model IR (source.model), not bytes');
    options.signal?.throwIfAborted();
    await acquireBackend(options.backend);
    try {
      options.signal?.throwIfAborted();
      return new TfjsSession(options.backend, model, createExecutor(model));
    } catch (e) {
      releaseBackend();
      throw e;
    }
  },
};
