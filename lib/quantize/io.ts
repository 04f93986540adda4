/**
 * Float data in and out of a quantized model with integer I/O: inputs are quantized with the
 * input tensor's parameters (as the application on the device must do), outputs dequantized.
 * Float I/O tensors pass through, so the same evaluation code serves every variant.
 */
import type { Model, Tensor } from '../ir/types';
import type { HostTensor } from '../runtime/types';
import { quantizeActivation } from './params';

function isIntQuant(t: Tensor | undefined): t is Tensor & { quant: NonNullable<Tensor['quant']> } {
  return !!t?.quant && t.quant.scale.length === 1 && (t.dtype === 'int8' || t.dtype === 'int16' || t.dtype === 'uint8');
}

export function toModelInputs(model: Model, feeds: HostTensor[]): HostTensor[] {
  const g = model.graphs[0]!;
  return feeds.map((f, i) => {
    const t = g.tensors.get(g.inputs[i] ?? '');
    if (!isIntQuant(t) || f.dtype === t.dtype) return f;
    if (t.dtype === 'uint8') {
      const s = t.quant.scale[0]!, z = t.quant.zeroPoint[0] ?? 0;
      return { ...f, dtype: 'uint8', data: Uint8Array.from(f.data as Float32Array, (v) => Math.max(0, Math.min(255, Math.round(v / s) + z))) };
    }
    return { ...f, dtype: t.dtype, data: quantizeActivation(f.data as Float32Array, t.quant, t.dtype as 'int8' | 'int16') };
  });
}

export function toFloatOutputs(model: Model, outs: HostTensor[]): HostTensor[] {
  const g = model.graphs[0]!;
  return outs.map((o, i) => {
    const t = g.tensors.get(g.outputs[i] ?? '');
    if (!isIntQuant(t) || o.dtype === 'float32') return o;
    const s = t.quant.scale[0]!, z = t.quant.zeroPoint[0] ?? 0;
    return { ...o, dtype: 'float32', data: Float32Array.from(o.data as ArrayLike<number>, (v) => (Number(v) - z) * s) };
  });
}
