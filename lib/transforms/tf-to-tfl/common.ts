/**
 * What the TF.js graph (`tf.*`) and layers (`keras.*`) conversions share: static shapes with the
 * batch fixed, a rule-table driver that lowers node by node into a `tfl` graph, and the result
 * model. Both source dialects are already NHWC, so unlike ONNX no layout change happens here.
 */
import type { AttrValue, Graph, Model, Node } from '../../ir/types';
import { inferShapes, InputShapeError } from '../../ir/shapes/index';
import { formatShape } from '../../ir/values';
import { ENUMS, TABLES } from '../../formats/tflite/generated/schema-info';
import { addUnsupported, type ConversionReport } from '../types';
import { Builder, tflOptions } from '../onnx-to-tfl/builder';
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
export function staticGraph(model: Model, options: ToTflOptions, report: ConversionReport): Graph | null {
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

/** Options table of a TFLite op, by the schema's naming rule (PACK -> PackOptions). */
function tableOf(op: string): string | undefined {
  const squash = (s: string) => s.replace(/_/g, '').toLowerCase();
  return Object.keys(TABLES).find((t) => t.endsWith('Options') && squash(t.replace(/Options$/, '')) === squash(op));
}

/**
 * Every options field with its schema default, then `given` on top, for ops the ONNX builder's
 * table lacks (PACK, ARG_MAX...). Runtimes read absent option tables as all-zero, which is
 * wrong for e.g. PACK's values_count, so the table is always complete.
 */
export function fullOptions(op: string, given: Record<string, AttrValue>): Record<string, AttrValue> {
  const base = tflOptions(op, given);
  const table = tableOf(op);
  if (!table) return base;
  const out: Record<string, AttrValue> = {};
  for (const f of TABLES[table] ?? []) {
    if (f.vector || f.kind === 'table' || f.kind === 'union' || f.kind === 'string' || f.def === null) continue;
    if (f.kind === 'enum') {
      const name = ENUMS[f.ref ?? '']?.values[Number(f.def)];
      out[f.name] = name !== undefined ? { kind: 'string', value: name } : { kind: 'int', value: Number(f.def) };
    } else if (f.base === 'bool') out[f.name] = { kind: 'bool', value: Boolean(f.def) };
    else if (f.base === 'float' || f.base === 'double') out[f.name] = { kind: 'float', value: Number(f.def) };
    else out[f.name] = { kind: 'int', value: Number(f.def) };
  }
  return { ...out, ...base };
}

/** Emits a tfl op with complete options. */
export function emit(c: LowerCtx, op: string, inputs: string[], outputs: string[], attrs: Record<string, AttrValue> = {}, name?: string): Node {
  const n = c.b.emit(op, inputs, outputs, attrs, name);
  n.attrs = fullOptions(op, attrs);
  return n;
}

/**
 * Lowers every node by its dialect's rule table. A node without a rule, or whose rule throws
 * Unsupported, is reported (root causes only) and the conversion is marked failed.
 */
export function lowerByTable(g: Graph, dialect: 'tf' | 'keras', rules: Record<string, Rule>, report: ConversionReport,
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
export function finish(model: Model, lowered: Graph, report: ConversionReport, converter: string): Model {
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
