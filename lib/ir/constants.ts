/**
 * Nodes that only hold a constant: ONNX `Constant` (its value in an attribute, as PP-OCR-style
 * exports keep every weight) and TFLite `DEQUANTIZE` of a constant float16 / int8 weight. To
 * an engineer they are weights of their consumer, so the graph view draws them as such, and the
 * summary and inspector count and describe their values like initializers.
 * (TF.js `Const` nodes are read as constant tensors already.)
 */
import type { AttrValue, Graph, Node, Tensor } from './types';

/** Little-endian bytes of numbers as float32 or int64, for the scalar / list Constant forms. */
function encodeList(values: number[], dtype: 'float32' | 'int64'): Uint8Array {
  if (dtype === 'float32') return new Uint8Array(Float32Array.from(values).buffer);
  return new Uint8Array(BigInt64Array.from(values.map((v) => BigInt(Math.trunc(v)))).buffer);
}

function fromAttr(name: string, a: AttrValue): Tensor | null {
  switch (a.kind) {
    case 'tensor': return { ...a.value, name, isConstant: true };
    case 'float': return { name, dtype: 'float32', shape: [], data: encodeList([a.value], 'float32'), isConstant: true };
    case 'int': return { name, dtype: 'int64', shape: [], data: encodeList([a.value], 'int64'), isConstant: true };
    case 'floats': return { name, dtype: 'float32', shape: [a.value.length], data: encodeList(a.value, 'float32'), isConstant: true };
    case 'ints': return { name, dtype: 'int64', shape: [a.value.length], data: encodeList(a.value, 'int64'), isConstant: true };
    case 'string': return { name, dtype: 'string', shape: [], isConstant: true };
    case 'strings': return { name, dtype: 'string', shape: [a.value.length], isConstant: true };
    default: return null;
  }
}

const CONSTANT_ATTRS = ['value', 'sparse_value', 'value_float', 'value_floats', 'value_int', 'value_ints', 'value_string', 'value_strings'];

/**
 * The constant `node` stands for, named after its output, or null when it computes something.
 * `held` is true when the value lives in the node (ONNX Constant): the summary counts it then;
 * a DEQUANTIZE's stored weight is an ordinary constant tensor, counted already.
 */
export function constantOf(graph: Graph, node: Node): { tensor: Tensor; held: boolean } | null {
  if (node.outputs.length !== 1 || !node.outputs[0]) return null;
  const out = node.outputs[0];
  if (node.op === 'onnx.Constant' && node.inputs.length === 0) {
    for (const k of CONSTANT_ATTRS) {
      const a = node.attrs[k];
      const t = a && fromAttr(out, a);
      if (t) return { tensor: t, held: true };
    }
    return null;
  }
  if (node.op === 'tfl.DEQUANTIZE' && node.inputs.length === 1) {
    const src = graph.tensors.get(node.inputs[0]!);
    if (src?.data) return { tensor: src, held: false };
  }
  return null;
}

const cache = new WeakMap<Graph, Map<string, number>>();

/** Output tensor -> index of the constant-holding node that produces it (graph outputs excluded). */
export function constantProducers(graph: Graph): Map<string, number> {
  let m = cache.get(graph);
  if (m) return m;
  m = new Map();
  const outputs = new Set(graph.outputs);
  graph.nodes.forEach((n, i) => {
    const out = n.outputs[0];
    if (out && !outputs.has(out) && constantOf(graph, n)) m!.set(out, i);
  });
  cache.set(graph, m);
  return m;
}
