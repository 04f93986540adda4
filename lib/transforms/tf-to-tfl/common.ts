/**
 * What the TF.js graph (`tf.*`) and layers (`keras.*`) conversions share: static shapes with the
 * batch fixed, a rule-table driver that lowers node by node into a `tfl` graph, and the result
 * model. Both source dialects are already NHWC, so unlike ONNX no layout change happens here.
 */
import type { Graph, Model } from '../../ir/types';
import { inferShapes, InputShapeError } from '../../ir/shapes/index';
import { formatShape } from '../../ir/values';
import { throwIfAborted } from '../../formats/errors';
import { addUnsupported, emptyReport, type ConversionReport, type ProgressFn, type TransformResult } from '../types';
import { Builder } from '../onnx-to-tfl/builder';
import { LowerCtx, type Rule, Unsupported } from '../onnx-to-tfl/context';
import { optimize } from '../onnx-to-tfl/optimize';

export { LowerCtx, Unsupported, type Rule };

export interface ToTflOptions {
  /** Size for an open batch dimension (dim 0 of an input), default 1. */
  batch?: number;
  /** Input name -> full dims, for other open dims (height, width...). -1 keeps a dim. */
  inputShapes?: Record<string, number[]>;
}

/** Shape-inferred main graph with static inputs, or null (report filled) when it cannot be. */
function staticGraph(model: Model, options: ToTflOptions, report: ConversionReport): Graph | null {
  const main = model.graphs[0]!;
  const batch = options.batch ?? 1;
  if (!Number.isInteger(batch) || batch < 1) {
    addUnsupported(report, 'input', main.inputs[0] ?? model.name, `batch must be a whole number >= 1, got ${batch}`);
    return null;
  }
  const shapes: Record<string, number[]> = {};
  for (const name of main.inputs) {
    const given = options.inputShapes?.[name];
    const s = main.tensors.get(name)?.shape;
    if (given) shapes[name] = given;
    else if (s && s[0] === null) shapes[name] = s.map((d, i) => (i === 0 ? batch : -1));
  }
  let g: Graph;
  try {
    const r = inferShapes(model, { inputShapes: shapes });
    g = r.model.graphs[0]!;
    for (const e of r.report.errors.slice(0, 5)) report.notes.push(`shape inference: ${e.node}: ${e.message}`);
  } catch (e) {
    if (!(e instanceof InputShapeError)) throw e;
    addUnsupported(report, 'input', e.input, e.message);
    return null;
  }
  let ok = true;
  for (const name of g.inputs) {
    const s = g.tensors.get(name)?.shape ?? null;
    if (!s || !s.every((d) => typeof d === 'number')) {
      addUnsupported(report, 'input', name, `input shape ${formatShape(s)} is not static: set it with inputShapes`);
      ok = false;
    }
  }
  return ok ? g : null;
}

/**
 * Lowers every node by its dialect's rule table. A node without a rule, or whose rule throws
 * Unsupported, is reported (root causes only) and the conversion is marked failed.
 */
function lowerByTable(g: Graph, dialect: 'tf' | 'keras', rules: Record<string, Rule>, report: ConversionReport,
  setup?: (c: LowerCtx) => void): Graph {
  const reserved = new Set<string>(g.tensors.keys());
  for (const n of g.nodes) for (const o of n.outputs) reserved.add(o);
  const b = new Builder(reserved);
  const values = new Map<string, string>();
  const c = new LowerCtx(b, g, 0, values);
  setup?.(c);
  for (const name of g.inputs) {
    const t = g.tensors.get(name)!;
    b.put({ ...t, shape: [...(t.shape ?? [])] });
    values.set(name, name);
  }
  const failed = new Set<string>();
  const prefix = `${dialect}.`;
  for (const n of g.nodes) {
    const op = n.op.startsWith(prefix) ? n.op.slice(prefix.length) : n.op;
    const rule = n.op.startsWith(prefix) ? rules[op] : undefined;
    if (n.inputs.some((i) => failed.has(i))) {
      if (!rule) addUnsupported(report, n.op, n.name, 'no TFLite lowering for this op');
      for (const o of n.outputs) failed.add(o);
      continue;
    }
    const mark = b.nodes.length;
    try {
      if (!rule) throw new Unsupported('no TFLite lowering for this op');
      c.node = n;
      rule(c);
    } catch (e) {
      if (!(e instanceof Unsupported)) throw e;
      addUnsupported(report, n.op, n.name, e.message);
      b.nodes.length = mark;
      for (const o of n.outputs) failed.add(o);
    }
  }
  const outputs: string[] = [];
  for (const name of g.outputs) {
    if (failed.has(name)) continue;
    let t = values.get(name) ?? name;
    if (!b.tensors.has(t)) {
      if (g.tensors.get(name)?.data) t = c.v(name);
      else { addUnsupported(report, 'output', name, 'the graph output is never computed'); continue; }
    }
    // A graph output is produced by a node, under its own name, once.
    const producer = b.nodes.find((n) => n.outputs.includes(t));
    if (!producer || outputs.includes(t) || g.inputs.includes(t)) {
      const src = b.tensors.get(t)!;
      t = b.reshape(t, (src.shape ?? []) as number[], b.unique(`${name}/copy`));
    }
    if (t !== name) b.renameTensor(t, name, 'inner');
    outputs.push(name);
  }
  return { name: g.name, nodes: b.nodes, inputs: g.inputs.filter((i) => b.tensors.has(i)), outputs, tensors: b.tensors };
}


/** Clean-up (identity reshapes, activation fusion, dead code) and the final checks and model. */
function finish(model: Model, lowered: Graph, report: ConversionReport, converter: string): Model {
  const out = report.converted ? optimize(lowered) : lowered;
  report.stats.nodesOut = out.nodes.length;
  if (report.converted) {
    for (const n of out.nodes) if (!n.op.startsWith('tfl.')) addUnsupported(report, n.op, n.name, 'left unconverted');
    for (const [name, t] of out.tensors) {
      if (!t.shape || !t.shape.every((d) => typeof d === 'number')) addUnsupported(report, 'shape', name, 'tensor shape is not static');
    }
  }
  return {
    format: 'tflite',
    dialect: 'tfl',
    name: model.name.replace(/\.json$/i, '') + '.tflite',
    files: [],
    graphs: [out],
    metadata: { ...model.metadata, converted_from: model.name, converter: `edge-model-studio ${converter}` },
    opsets: { tflite: 3 },
  };
}

export const flag = (c: LowerCtx, key: string, def = false): boolean => {
  const a = c.attr(key);
  return a?.kind === 'bool' ? a.value : a?.kind === 'int' ? a.value !== 0 : def;
};

/** One rule-table conversion (tf-to-tfl, keras-to-tfl), run by `convertByTable`. */
export interface TableConverter {
  dialect: 'tf' | 'keras';
  /** The transform's name (messages, the result's metadata). */
  name: string;
  /** What it converts, for the wrong-dialect message. */
  accepts: string;
  rules: Record<string, Rule>;
  /** Note that graphs other than the main one are not converted. */
  noteExtraGraphs?: boolean;
  /** After shapes, before lowering: a LowerCtx setup, and a look at the lowered graph. */
  plan?: (g: Graph, report: ConversionReport) => { setup: (c: LowerCtx) => void; lowered: (out: Graph) => void };
}

/** The driver both TF.js conversions share: shapes -> lowering by the rule table -> clean-up. */
export function convertByTable(conv: TableConverter, model: Model, options: ToTflOptions, onProgress?: ProgressFn, signal?: AbortSignal): TransformResult {
  const report = emptyReport();
  const main = model.graphs[0];
  if (model.dialect !== conv.dialect || !main) {
    addUnsupported(report, `${model.dialect} model`, model.name, `${conv.name} converts ${conv.accepts} only`);
    return { model, report };
  }
  report.stats.nodesIn = main.nodes.length;
  if (conv.noteExtraGraphs && model.graphs.length > 1) {
    report.notes.push(`${model.graphs.length - 1} library function / initializer graph(s) are not converted; only the main graph is`);
  }
  onProgress?.(0.05, 'shapes');
  throwIfAborted(signal);
  const g = staticGraph(model, options, report);
  if (!g) return { model, report };
  onProgress?.(0.3, 'lower');
  throwIfAborted(signal);
  const plan = conv.plan?.(g, report);
  const lowered = lowerByTable(g, conv.dialect, conv.rules, report, plan?.setup);
  plan?.lowered(lowered);
  onProgress?.(0.8, 'optimize');
  throwIfAborted(signal);
  const out = finish(model, lowered, report, conv.name);
  onProgress?.(1, 'done');
  return { model: out, report };
}
