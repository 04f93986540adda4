/**
 * Brings a `tfl` model to the float graph every mode starts from, and calibration sees:
 * - a DENSIFY of a sparse constant is expanded to the dense constant;
 * - a DEQUANTIZE of a constant (float16 weights, as MediaPipe ships them, or int8 weight-only
 *   models) is folded into a float32 constant;
 * - a RELU / RELU6 / RELU_N1_TO_1 right after an op with a fused activation slot becomes that
 *   op's fused activation (TFLite's converter does the same). In int8 this matters: the fused
 *   clamp is free, while a standalone int8 RELU is not delegated to XNNPACK and measured 5x
 *   slower than its float version in LiteRT.js.
 */
import type { Graph, Model, Node } from '../ir/types';
import { tensorFloats } from '../ir/values';
import { densify } from './densify';
import { bytes } from './graph-edit';

export class AlreadyQuantizedError extends Error {}

/** DENSIFY of a sparse constant becomes the dense constant (the DEQUANTIZE after it then folds too). */
function foldDensify(g: Graph): Graph {
  const tensors = new Map(g.tensors);
  const nodes = g.nodes.filter((n) => {
    if (n.op !== 'tfl.DENSIFY') return true;
    const src = g.tensors.get(n.inputs[0] ?? '');
    const out = g.tensors.get(n.outputs[0] ?? '');
    const dense = src ? densify(src) : null;
    if (!dense || !out) return true;
    tensors.set(out.name, { ...out, dtype: src!.dtype, data: dense, isConstant: true, sparsity: undefined });
    return false;
  });
  return nodes.length === g.nodes.length ? g : { ...g, nodes, tensors };
}

function foldConstantDequantize(g: Graph): Graph {
  const tensors = new Map(g.tensors);
  const nodes = g.nodes.filter((n) => {
    if (n.op !== 'tfl.DEQUANTIZE') return true;
    const src = g.tensors.get(n.inputs[0] ?? '');
    const out = g.tensors.get(n.outputs[0] ?? '');
    // Sparse-stored weights keep their DEQUANTIZE: their bytes are the compressed values only.
    if (!src?.data || src.sparsity || !out || out.dtype !== 'float32') return true;
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

const FUSABLE = new Set(['tfl.CONV_2D', 'tfl.DEPTHWISE_CONV_2D', 'tfl.FULLY_CONNECTED', 'tfl.ADD', 'tfl.SUB', 'tfl.MUL',
  'tfl.CONCATENATION', 'tfl.AVERAGE_POOL_2D', 'tfl.MAX_POOL_2D', 'tfl.TRANSPOSE_CONV']);
const ACTIVATIONS: Record<string, string> = { 'tfl.RELU': 'RELU', 'tfl.RELU6': 'RELU6', 'tfl.RELU_N1_TO_1': 'RELU_N1_TO_1' };

function fuseActivations(g: Graph): Graph {
  const readers = new Map<string, number>();
  for (const n of g.nodes) for (const x of n.inputs) if (x) readers.set(x, (readers.get(x) ?? 0) + 1);
  const producer = new Map<string, Node>();
  for (const n of g.nodes) for (const o of n.outputs) producer.set(o, n);
  const fused = new Map<Node, Node>();
  const dropped = new Set<Node>();
  for (const act of g.nodes) {
    const kind = ACTIVATIONS[act.op];
    const x = act.inputs[0];
    const p = x ? producer.get(x) : undefined;
    if (!kind || !p || !FUSABLE.has(p.op) || fused.has(p) || p.outputs.length !== 1) continue;
    const slot = p.attrs.fused_activation_function;
    if (slot?.kind !== 'string' || slot.value !== 'NONE' || readers.get(x!) !== 1 || g.outputs.includes(x!)) continue;
    const { version: _v, ...rest } = p;
    fused.set(p, { ...rest, outputs: [act.outputs[0]!], attrs: { ...p.attrs, fused_activation_function: { kind: 'string', value: kind } } });
    dropped.add(act);
  }
  if (dropped.size === 0) return g;
  const nodes = g.nodes.filter((n) => !dropped.has(n)).map((n) => fused.get(n) ?? n);
  const tensors = new Map(g.tensors);
  for (const a of dropped) tensors.delete(a.inputs[0]!);
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
  const g0 = fuseActivations(foldConstantDequantize(foldDensify(model.graphs[0]!)));
  if (g0 === model.graphs[0]) return model;
  return { ...model, graphs: [g0, ...model.graphs.slice(1)] };
}
