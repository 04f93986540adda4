/**
 * Brings a `tfl` model to plain float32 weights before it is quantized: a DEQUANTIZE of a
 * constant (float16 weights, as MediaPipe ships them, or int8 weight-only models) is folded into
 * a float32 constant, so every mode starts from the same float graph and calibration sees it.
 */
import type { Graph, Model } from '../ir/types';
import { tensorFloats } from '../ir/values';
import { bytes } from './graph-edit';

export class AlreadyQuantizedError extends Error {}

function foldConstantDequantize(g: Graph): Graph {
  const tensors = new Map(g.tensors);
  const nodes = g.nodes.filter((n) => {
    if (n.op !== 'tfl.DEQUANTIZE') return true;
    const src = g.tensors.get(n.inputs[0] ?? '');
    const out = g.tensors.get(n.outputs[0] ?? '');
    if (!src?.data || !out || out.dtype !== 'float32') return true;
    const v = tensorFloats(src);
    if (!v) return true;
    tensors.set(out.name, { ...out, data: bytes(Float32Array.from(v)), isConstant: true, quant: undefined });
    return false;
  });
  if (nodes.length === g.nodes.length) return g;
  const used = new Set<string>([...g.inputs, ...g.outputs]);
  for (const n of nodes) for (const x of [...n.inputs, ...n.outputs]) used.add(x);
  for (const k of [...tensors.keys()]) if (!used.has(k)) tensors.delete(k);
  return { ...g, nodes, tensors };
}

/** Throws when graph 0 already computes in integers: quantizing twice would compound errors. */
function checkFloat(model: Model): void {
  const g = model.graphs[0];
  if (!g) throw new Error(`quantize: model ${model.name} has no graph`);
  for (const t of g.tensors.values()) {
    if (!t.data && !t.isConstant && t.quant && /^u?int(8|16)$/.test(t.dtype)) {
      throw new AlreadyQuantizedError(`quantize: ${model.name} is already quantized (tensor ${t.name} is ${t.dtype}); start from the float model`);
    }
  }
}

export function prepareFloat(model: Model): Model {
  if (model.dialect !== 'tfl') throw new Error(`quantize: the model is in the ${model.dialect} dialect; convert it to TFLite first`);
  checkFloat(model);
  const g0 = foldConstantDequantize(model.graphs[0]!);
  if (g0 === model.graphs[0]) return model;
  return { ...model, graphs: [g0, ...model.graphs.slice(1)] };
}
