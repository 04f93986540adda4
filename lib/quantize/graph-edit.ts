/** Small helpers the quantization transforms share to build a new graph from an old one. */
import type { DType, Graph, Node, Quantization, Tensor } from '../ir/types';
import { tensorFloats } from '../ir/values';
import { tflOptions } from '../transforms/onnx-to-tfl/builder';

export class GraphEdit {
  readonly tensors: Map<string, Tensor>;
  readonly nodes: Node[] = [];
  private readonly taken: Set<string>;
  conversions = 0;

  constructor(readonly source: Graph) {
    this.tensors = new Map(source.tensors);
    this.taken = new Set([...source.tensors.keys(), ...source.nodes.map((n) => n.name)]);
  }

  unique(base: string): string {
    let name = base;
    for (let k = 1; this.taken.has(name); k++) name = `${base}_${k}`;
    this.taken.add(name);
    return name;
  }

  put(t: Tensor): string {
    this.taken.add(t.name);
    this.tensors.set(t.name, t);
    return t.name;
  }

  /** A QUANTIZE or DEQUANTIZE node (counted as a conversion in the report). */
  convert(op: 'QUANTIZE' | 'DEQUANTIZE', input: string, output: string): void {
    this.nodes.push({ name: this.unique(output), op: `tfl.${op}`, inputs: [input], outputs: [output], attrs: tflOptions(op, {}) });
    this.conversions++;
  }

  graph(): Graph {
    // Drop tensors no node or graph edge mentions any more (replaced float weights).
    const used = new Set<string>([...this.source.inputs, ...this.source.outputs]);
    for (const n of this.nodes) for (const x of [...n.inputs, ...n.outputs]) used.add(x);
    const tensors = new Map<string, Tensor>();
    for (const [k, t] of this.tensors) if (used.has(k)) tensors.set(k, t);
    return { ...this.source, nodes: this.nodes, tensors };
  }
}

/** A float constant's values as float32 (float16 / dequantized constants decoded). */
export function floats32(t: Tensor): Float32Array {
  if (t.dtype === 'float32' && t.data) {
    const b = t.data;
    if (b.byteOffset % 4 === 0) return new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4);
    return new Float32Array(b.slice().buffer);
  }
  const v = tensorFloats(t);
  if (!v) throw new Error(`tensor ${t.name} has no numeric data`);
  return Float32Array.from(v);
}

export const bytes = (a: ArrayBufferView): Uint8Array => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

export function staticShape(t: Tensor): number[] {
  return (t.shape ?? []).map((d) => (typeof d === 'number' ? d : 1));
}

export function quantTensor(t: Tensor, name: string, dtype: DType, data: ArrayBufferView, quant: Quantization): Tensor {
  return { name, dtype, shape: t.shape, data: bytes(data), isConstant: true, quant };
}

/** Sum of constant bytes of a graph. */
export function constantBytes(g: Graph): number {
  let n = 0;
  for (const t of g.tensors.values()) if (t.data) n += t.data.byteLength;
  return n;
}
