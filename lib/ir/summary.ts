import type { Dim, DType, Graph, Model, ModelFormat } from './types';
import { elementCount } from './values';
import { constantOf } from './constants';

export interface IoSummary {
  name: string;
  dtype: DType;
  shape: Dim[] | null;
}

/** What the summary panel and `cli inspect --json` show. Plain JSON. */
export interface ModelSummary {
  name: string;
  format: ModelFormat;
  dialect: string;
  /** Operators of the main graph as the file declares them (see README: node counts). */
  nodeCount: number;
  /** Op type as the file spells it (no dialect prefix) -> count, main graph only, most common first. */
  ops: Record<string, number>;
  inputs: IoSummary[];
  outputs: IoSummary[];
  /** Elements of every constant (weights, initializers, buffers, ONNX Constant-node values) in all graphs. */
  parameters: number;
  /** Bytes of all files that make the model. */
  bytes: number;
  files: Array<{ name: string; bytes: number }>;
  /** Graphs in the file: 1 + TFLite subgraphs; nested ONNX bodies are counted in `nestedGraphs`. */
  graphs: number;
  nestedGraphs: number;
  customOps: string[];
  metadata: Record<string, string>;
  opsets: Record<string, number>;
}

/** `onnx.Conv` -> `Conv`, `tfl.CONV_2D` -> `CONV_2D`. */
export function opType(op: string): string {
  const dot = op.indexOf('.');
  return dot < 0 ? op : op.slice(dot + 1);
}

/**
 * Every graph of a model with where it comes from: 'main', 'subgraph' (TFLite), or
 * 'node . attribute' for a nested ONNX body. Iterative, so nesting depth is no limit.
 */
export function graphsWithOrigin(model: Model): Array<{ graph: Graph; origin: string }> {
  const out: Array<{ graph: Graph; origin: string }> = [];
  const stack = model.graphs.map((graph, i) => ({ graph, origin: i === 0 ? 'main' : 'subgraph' })).reverse();
  while (stack.length) {
    const e = stack.pop()!;
    out.push(e);
    for (const n of e.graph.nodes) {
      for (const [attr, a] of Object.entries(n.attrs)) {
        const bodies = a.kind === 'graph' ? [a.value] : a.kind === 'graphs' ? a.value : [];
        for (const graph of bodies) stack.push({ graph, origin: `${n.name} . ${attr}` });
      }
    }
  }
  return out;
}

/** Every graph of a model, nested ONNX bodies included. */
export function allGraphs(model: Model): Graph[] {
  return graphsWithOrigin(model).map((e) => e.graph);
}

function io(graph: Graph, names: string[]): IoSummary[] {
  return names.map((name) => {
    const t = graph.tensors.get(name);
    return { name, dtype: t?.dtype ?? 'unknown', shape: t?.shape ?? null };
  });
}

export function summarize(model: Model, graphs: Graph[] = allGraphs(model)): ModelSummary {
  const main = model.graphs[0];
  const counts = new Map<string, number>();
  const custom = new Set<string>();
  for (const n of main?.nodes ?? []) {
    const t = opType(n.op);
    counts.set(t, (counts.get(t) ?? 0) + 1);
    if (n.custom) custom.add(t);
  }
  const ops: Record<string, number> = {};
  for (const [k, v] of [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))) ops[k] = v;

  let parameters = 0;
  for (const g of graphs) {
    for (const t of g.tensors.values()) {
      if (!t.isConstant && !t.data) continue;
      parameters += elementCount(t.shape) ?? 0;
    }
    for (const n of g.nodes) {
      if (n.op !== 'onnx.Constant') continue;
      const c = constantOf(g, n);
      if (c?.held) parameters += elementCount(c.tensor.shape) ?? 0;
    }
  }
  return {
    name: model.name,
    format: model.format,
    dialect: model.dialect,
    nodeCount: main?.nodes.length ?? 0,
    ops,
    inputs: main ? io(main, main.inputs) : [],
    outputs: main ? io(main, main.outputs) : [],
    parameters,
    bytes: model.files.reduce((s, f) => s + f.bytes, 0),
    files: model.files,
    graphs: model.graphs.length,
    nestedGraphs: graphs.length - model.graphs.length,
    customOps: [...custom].sort(),
    metadata: model.metadata,
    opsets: model.opsets,
  };
}
