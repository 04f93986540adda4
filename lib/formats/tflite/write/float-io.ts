/**
 * Quantized (int8, int16) graph inputs/outputs -> float32, for runtimes whose host API has no
 * such tensors (LiteRT.js 2.5: float32, int32 and uint8 only). Each quantized input X becomes a
 * float32 input X followed by QUANTIZE into the original tensor (renamed X/int8, X/int16), and
 * each quantized output Y is DEQUANTIZEd into a float32 Y. The host converts codes with the same
 * scale and zero point: q -> (q - z) * s going in, x -> round(x / s) + z coming out. Both are
 * exact: for |q| <= 32768 the float32 error of (q - z) * s is far below half a step.
 *
 * Why float and not uint8 for int8 (int8-io.ts): XNNPACK delegates float <-> int8 conversion, so
 * the model runs on its fast kernels end to end; a uint8 -> int8 requantize falls back to
 * TFLite's reference kernel, which measured 40x slower than the int8 ADD after it.
 */
import type { Graph, Model, Node, Tensor } from '../../../ir/types';

export interface QuantIo { scale: number; zeroPoint: number }
export type BridgedIo = QuantIo & { dtype: 'int8' | 'int16' };

export interface FloatIoRewrite {
  model: Model;
  /** Graph 0 input/output names that were int8 / int16 and are now float32, with their parameters. */
  bridged: Map<string, BridgedIo>;
}

/** int8 / int16 with one scale (or none: plain integers, scale 1): what the float bridge carries. */
export function floatBridgeable(t: Tensor | undefined): boolean {
  return !!t && (t.dtype === 'int8' || t.dtype === 'int16') && (!t.quant || t.quant.scale.length <= 1);
}

function uniqueName(graph: Graph, wanted: string): string {
  let name = wanted;
  for (let k = 1; graph.tensors.has(name); k++) name = `${wanted}_${k}`;
  return name;
}

function params(t: Tensor): QuantIo {
  const q = t.quant;
  return q && q.scale.length === 1 ? { scale: q.scale[0]!, zeroPoint: q.zeroPoint[0] ?? 0 } : { scale: 1, zeroPoint: 0 };
}

export function quantizedIoToFloat(model: Model): FloatIoRewrite {
  const g0 = model.graphs[0];
  const bridged: FloatIoRewrite['bridged'] = new Map();
  if (!g0) return { model, bridged };
  const ins = g0.inputs.filter((n) => floatBridgeable(g0.tensors.get(n)));
  const outs = g0.outputs.filter((n) => floatBridgeable(g0.tensors.get(n)) && !ins.includes(n));
  if (ins.length === 0 && outs.length === 0) return { model, bridged };
  const tensors = new Map(g0.tensors);
  const g: Graph = { ...g0, tensors, nodes: g0.nodes.map((n) => ({ ...n, inputs: [...n.inputs], outputs: [...n.outputs] })) };
  const head: Node[] = [];
  const tail: Node[] = [];
  const rename = (from: string, to: string, where: 'inputs' | 'outputs') => { for (const n of g.nodes) n[where] = n[where].map((x) => (x === from ? to : x)); };
  for (const name of [...ins, ...outs]) {
    const t = g0.tensors.get(name)!;
    const dtype = t.dtype as 'int8' | 'int16';
    bridged.set(name, { ...params(t), dtype });
    const inner = uniqueName(g, `${name}/${dtype}`);
    // Plain integer I/O (no parameters) still needs them for QUANTIZE / DEQUANTIZE: scale 1.
    tensors.set(inner, t.quant ? { ...t, name: inner } : { ...t, name: inner, quant: { scale: [1], zeroPoint: [0] } });
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

// Plain loops: TypedArray.from with a mapping function is ~50x slower on these sizes.
export function codesToFloat(codes: Int8Array | Int16Array, q: QuantIo): Float32Array {
  const out = new Float32Array(codes.length);
  const z = q.zeroPoint, s = q.scale;
  for (let i = 0; i < codes.length; i++) out[i] = (codes[i]! - z) * s;
  return out;
}

export function floatToCodes(values: Float32Array, q: BridgedIo): Int8Array | Int16Array {
  const out = q.dtype === 'int8' ? new Int8Array(values.length) : new Int16Array(values.length);
  const lo = q.dtype === 'int8' ? -128 : -32768, hi = -lo - 1;
  const z = q.zeroPoint, inv = 1 / q.scale;
  for (let i = 0; i < values.length; i++) {
    const v = Math.round(values[i]! * inv) + z;
    out[i] = v < lo ? lo : v > hi ? hi : v;
  }
  return out;
}
