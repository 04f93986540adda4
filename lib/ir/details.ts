import type { AttrValue, Dim, DType, Graph, Node, Sparsity, StorageNote, Tensor } from './types';
import { tensorStats, type TensorStats } from './stats';
import { formatShape } from './values';
import { opType } from './summary';
import { constantOf, constantProducers } from './constants';

export interface TensorDetails {
  name: string;
  dtype: DType;
  shape: Dim[] | null;
  constant: boolean;
  /** Quantization with long per-channel arrays shortened; `channels` tells the full count. */
  quant?: { scale: number[]; zeroPoint: number[]; axis?: number; channels: number };
  storage?: StorageNote;
  sparsity?: Sparsity;
  stats?: TensorStats;
  /** Omitted optional input ('' in the IR). */
  omitted?: boolean;
  /** The node that holds this constant (an ONNX Constant, a TFLite DEQUANTIZE of a weight). */
  heldBy?: { node: string; op: string };
}

export interface AttrDetails {
  name: string;
  kind: AttrValue['kind'];
  /** Display text; long lists are shortened. */
  text: string;
}

export interface NodeDetails {
  name: string;
  op: string;
  type: string;
  domain?: string;
  version?: number;
  custom: boolean;
  doc?: string;
  attrs: AttrDetails[];
  inputs: TensorDetails[];
  outputs: TensorDetails[];
}

const SHOW = 16;

function short(values: readonly unknown[]): string {
  const head = values.slice(0, SHOW).map((v) => (typeof v === 'number' ? fmtNum(v) : String(v))).join(', ');
  return values.length > SHOW ? `[${head}, ... ${values.length} values]` : `[${head}]`;
}

export function fmtNum(v: number): string {
  if (Number.isInteger(v)) return String(v);
  const a = Math.abs(v);
  return a !== 0 && (a < 1e-3 || a >= 1e6) ? v.toExponential(4) : String(Number(v.toPrecision(6)));
}

export function attrText(a: AttrValue): string {
  switch (a.kind) {
    case 'int': case 'float': return fmtNum(a.value);
    case 'string': return a.value.length > 200 ? a.value.slice(0, 200) + '...' : a.value;
    case 'bool': return String(a.value);
    case 'ints': case 'floats': case 'strings': return short(a.value);
    case 'dtype': return a.value;
    case 'shape': return formatShape(a.value);
    case 'tensor': return `tensor ${a.value.dtype} ${formatShape(a.value.shape)}`;
    case 'tensors': return `${a.value.length} tensors`;
    case 'graph': return `graph '${a.value.name}' (${a.value.nodes.length} nodes)`;
    case 'graphs': return `${a.value.length} graphs`;
    case 'subgraph': return `subgraph #${a.value}`;
    case 'bytes': return `${a.value.length} bytes`;
    case 'json': {
      const s = JSON.stringify(a.value) ?? 'null';
      return s.length > 200 ? s.slice(0, 200) + '...' : s;
    }
  }
}

export function tensorDetails(graph: Graph, name: string, withStats: boolean): TensorDetails {
  if (name === '') return { name: '(omitted)', dtype: 'unknown', shape: null, constant: false, omitted: true };
  const t = graph.tensors.get(name);
  if (!t) return { name, dtype: 'unknown', shape: null, constant: false };
  return detailsOf(t, name, withStats);
}

function detailsOf(t: Tensor, name: string, withStats: boolean): TensorDetails {
  const d: TensorDetails = { name, dtype: t.dtype, shape: t.shape, constant: !!(t.isConstant || t.data) };
  if (t.quant && t.quant.scale.length > 0) {
    d.quant = {
      scale: t.quant.scale.slice(0, SHOW),
      zeroPoint: t.quant.zeroPoint.slice(0, SHOW),
      channels: t.quant.scale.length,
      ...(t.quant.axis !== undefined ? { axis: t.quant.axis } : {}),
    };
  }
  if (t.storage) d.storage = t.storage;
  if (t.sparsity) d.sparsity = t.sparsity;
  if (withStats && t.data) d.stats = tensorStats(t) ?? undefined;
  return d;
}

export function nodeDetails(graph: Graph, node: Node): NodeDetails {
  return {
    name: node.name,
    op: node.op,
    type: opType(node.op),
    domain: node.domain,
    version: node.version,
    custom: !!node.custom,
    doc: node.doc,
    attrs: Object.entries(node.attrs).map(([name, a]) => ({ name, kind: a.kind, text: attrText(a) })),
    inputs: node.inputs.map((n) => inputDetails(graph, n)),
    outputs: node.outputs.map((n) => tensorDetails(graph, n, false)),
  };
}

/** An input; one a constant-holding node produces is described by the constant it holds. */
function inputDetails(graph: Graph, name: string): TensorDetails {
  const at = name ? constantProducers(graph).get(name) : undefined;
  const producer = at === undefined ? undefined : graph.nodes[at];
  const c = producer ? constantOf(graph, producer) : null;
  if (!producer || !c) return tensorDetails(graph, name, true);
  const d = detailsOf(c.tensor, name, true);
  if (!c.held) {
    // The consumer sees the float values the DEQUANTIZE gives; the file stores them smaller.
    d.dtype = graph.tensors.get(name)?.dtype ?? 'float32';
    d.storage = { dtype: c.tensor.dtype, detail: `${c.tensor.dtype} weight ${c.tensor.name}, dequantized by ${producer.name}` };
  }
  return { ...d, constant: true, heldBy: { node: producer.name, op: producer.op } };
}
