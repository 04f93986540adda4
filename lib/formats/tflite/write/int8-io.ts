/**
 * int8 graph inputs/outputs -> uint8, for runtimes whose host API has no int8 tensors.
 *
 * LiteRT.js 2.5 maps element types to JS arrays through a table of float32, int32 and uint8
 * only: a model with an int8 input or output fails already in loadAndCompile ("Element type
 * INT8 is not supported"), although int8 ops inside a model run. Declaring the I/O tensor
 * uint8 in place would make the ops that consume it see uint8, which most int8 kernels reject.
 * So each int8 input X becomes a uint8 input X followed by QUANTIZE(uint8 -> int8) into the
 * original int8 tensor (renamed X/int8), and each int8 output Y becomes QUANTIZE(int8 ->
 * uint8) after it. With the same scale and zero_point_u8 = zero_point_i8 + 128 the requantize
 * is exact (q_u8 = q_i8 + 128; TFLite computes it with a multiplier of exactly 1.0), so the
 * host side only flips the top bit (x ^ 0x80) of each byte going in and coming out.
 */
import type { Graph, Model, Node, Tensor } from '../../../ir/types';

export interface Int8IoRewrite {
  model: Model;
  /** Graph 0 input/output names that were int8 and are now uint8 (same names). */
  inputs: string[];
  outputs: string[];
}

function uniqueName(graph: Graph, wanted: string): string {
  let name = wanted;
  for (let k = 1; graph.tensors.has(name); k++) name = `${wanted}_${k}`;
  return name;
}

function perTensorQuant(t: Tensor): { scale: number; zeroPoint: number } {
  const q = t.quant;
  if (!q || q.scale.length === 0) return { scale: 1, zeroPoint: 0 }; // plain int8 data: q_u8 = q_i8 + 128 still holds
  if (q.scale.length > 1) throw new Error(`int8 graph input/output ${t.name} is quantized per axis; LiteRT.js cannot feed it`);
  return { scale: q.scale[0]!, zeroPoint: q.zeroPoint[0] ?? 0 };
}

function rename(nodes: Node[], from: string, to: string, where: 'inputs' | 'outputs'): void {
  for (const n of nodes) n[where] = n[where].map((x) => (x === from ? to : x));
}

/** A copy of `model` with graph 0's int8 inputs/outputs turned uint8 (the model is not modified). */
export function int8IoToUint8(model: Model): Int8IoRewrite {
  const g0 = model.graphs[0];
  if (!g0) return { model, inputs: [], outputs: [] };
  const ins = g0.inputs.filter((n) => g0.tensors.get(n)?.dtype === 'int8');
  const outs = g0.outputs.filter((n) => g0.tensors.get(n)?.dtype === 'int8' && !ins.includes(n));
  if (ins.length === 0 && outs.length === 0) return { model, inputs: [], outputs: [] };

  const tensors = new Map(g0.tensors);
  const g: Graph = { ...g0, tensors, nodes: g0.nodes.map((n) => ({ ...n, inputs: [...n.inputs], outputs: [...n.outputs] })) };
  const head: Node[] = [];
  const tail: Node[] = [];
  const bridge = (name: string): { inner: string; outer: Tensor } => {
    const t = g0.tensors.get(name)!;
    const { scale, zeroPoint } = perTensorQuant(t);
    const inner = uniqueName(g, `${name}/int8`);
    tensors.set(inner, { ...t, name: inner, quant: { ...t.quant, scale: [scale], zeroPoint: [zeroPoint] } });
    const outer: Tensor = { name, dtype: 'uint8', shape: t.shape, quant: { scale: [scale], zeroPoint: [zeroPoint + 128] } };
    tensors.set(name, outer);
    return { inner, outer };
  };
  for (const name of ins) {
    const { inner } = bridge(name);
    rename(g.nodes, name, inner, 'inputs');
    head.push({ name: inner, op: 'tfl.QUANTIZE', inputs: [name], outputs: [inner], attrs: {}, version: 2 });
  }
  for (const name of outs) {
    const { inner } = bridge(name);
    rename(g.nodes, name, inner, 'inputs');
    rename(g.nodes, name, inner, 'outputs');
    tail.push({ name, op: 'tfl.QUANTIZE', inputs: [inner], outputs: [name], attrs: {}, version: 2 });
  }
  g.nodes = [...head, ...g.nodes, ...tail];
  return { model: { ...model, graphs: [g, ...model.graphs.slice(1)] }, inputs: ins, outputs: outs };
}

/** int8 <-> uint8 with zero point + 128: flips the top bit; a new array. */
export function flipSign(data: Uint8Array | Int8Array): Uint8Array {
  const src = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  const out = new Uint8Array(src.length);
  for (let i = 0; i < src.length; i++) out[i] = src[i]! ^ 0x80;
  return out;
}
