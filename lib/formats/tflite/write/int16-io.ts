/**
 * int16 graph inputs/outputs -> float32, for runtimes whose host API has no int16 tensors
 * (LiteRT.js 2.5: float32, int32 and uint8 only). 16x8 models have symmetric int16 I/O, so each
 * int16 input X becomes a float32 input X followed by QUANTIZE into the original tensor (renamed
 * X/int16), and each int16 output Y is DEQUANTIZEd into a float32 Y. The host converts codes with
 * the same scale and zero point: q -> (q - z) * s going in, x -> round(x / s) + z coming out.
 * Both are exact: for |q| <= 32767 the float32 error of (q - z) * s is far below half a step.
 */
import type { Graph, Model, Node, Tensor } from '../../../ir/types';

export interface QuantIo { scale: number; zeroPoint: number }

export interface Int16IoRewrite {
  model: Model;
  /** Graph 0 input/output names that were int16 and are now float32, with their parameters. */
  bridged: Map<string, QuantIo>;
}

function uniqueName(graph: Graph, wanted: string): string {
  let name = wanted;
  for (let k = 1; graph.tensors.has(name); k++) name = `${wanted}_${k}`;
  return name;
}

function params(t: Tensor): QuantIo {
  const q = t.quant;
  if (!q || q.scale.length !== 1) throw new Error(`int16 graph input/output ${t.name} needs one scale to be passed as float32`);
  return { scale: q.scale[0]!, zeroPoint: q.zeroPoint[0] ?? 0 };
}

export function int16IoToFloat(model: Model): Int16IoRewrite {
  const g0 = model.graphs[0];
  const bridged = new Map<string, QuantIo>();
  if (!g0) return { model, bridged };
  const ins = g0.inputs.filter((n) => g0.tensors.get(n)?.dtype === 'int16');
  const outs = g0.outputs.filter((n) => g0.tensors.get(n)?.dtype === 'int16' && !ins.includes(n));
  if (ins.length === 0 && outs.length === 0) return { model, bridged };
  const tensors = new Map(g0.tensors);
  const g: Graph = { ...g0, tensors, nodes: g0.nodes.map((n) => ({ ...n, inputs: [...n.inputs], outputs: [...n.outputs] })) };
  const head: Node[] = [];
  const tail: Node[] = [];
  const rename = (from: string, to: string, where: 'inputs' | 'outputs') => { for (const n of g.nodes) n[where] = n[where].map((x) => (x === from ? to : x)); };
  for (const name of [...ins, ...outs]) {
    const t = g0.tensors.get(name)!;
    bridged.set(name, params(t));
    const inner = uniqueName(g, `${name}/int16`);
    tensors.set(inner, { ...t, name: inner });
    tensors.set(name, { name, dtype: 'float32', shape: t.shape });
    rename(name, inner, 'inputs');
    if (ins.includes(name)) head.push({ name: inner, op: 'tfl.QUANTIZE', inputs: [name], outputs: [inner], attrs: {} });
    else {
      rename(name, inner, 'outputs');
      tail.push({ name, op: 'tfl.DEQUANTIZE', inputs: [inner], outputs: [name], attrs: {} });
    }
  }
  g.nodes = [...head, ...g.nodes, ...tail];
  return { model: { ...model, graphs: [g, ...model.graphs.slice(1)] }, bridged };
}

export function int16ToFloat(codes: Int16Array, q: QuantIo): Float32Array {
  return Float32Array.from(codes, (v) => (v - q.zeroPoint) * q.scale);
}

export function floatToInt16(values: Float32Array, q: QuantIo): Int16Array {
  return Int16Array.from(values, (v) => Math.max(-32768, Math.min(32767, Math.round(v / q.scale) + q.zeroPoint)));
}
