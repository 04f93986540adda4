/** Drives the op table over an ONNX graph (already folded and shape-inferred) into a tfl graph. */
import type { Graph, Node } from '../../ir/types';
import { addUnsupported, type ConversionReport } from '../types';
import { Builder } from './builder';
import { LowerCtx, type Rule, Unsupported } from './context';
import { BASIC_RULES } from './rules-basic';
import { NN_RULES } from './rules-nn';
import { RNN_RULES } from './rules-rnn';
import { MATH_RULES, REDUCE_RULES } from './rules-math';
import { LOSS_RULES } from './rules-loss';
import { SHAPE_RULES } from './rules-shape';
import { RESIZE_RULES } from './rules-resize';
import { INDEX_RULES } from './rules-index';
import { SPATIAL_RULES } from './rules-spatial';
import { EINSUM_RULES } from './rules-einsum';
import { POOL_INDEX_RULES } from './rules-pool-index';
import { QUANT_RULES } from './rules-quant';

const MAX_RANK = 6;

/** ONNX op type -> lowering. Data, so adding an op is one line here. */
export const RULES: Record<string, Rule> = { ...BASIC_RULES, ...NN_RULES, ...RNN_RULES, ...MATH_RULES, ...REDUCE_RULES, ...LOSS_RULES, ...SHAPE_RULES,
  // Later tables override earlier ones for the same op.
  ...RESIZE_RULES, ...INDEX_RULES, ...SPATIAL_RULES, ...EINSUM_RULES, ...POOL_INDEX_RULES, ...QUANT_RULES };

const LAYOUT_OPS = new Set(['Conv', 'MaxPool', 'AveragePool', 'GlobalAveragePool', 'GlobalMaxPool', 'BatchNormalization',
  'ConvTranspose', 'Resize', 'Upsample', 'DepthToSpace', 'SpaceToDepth', 'InstanceNormalization', 'LpNormalization']);
const PASS_THROUGH = new Set(['Relu', 'Clip', 'Sigmoid', 'Tanh', 'LeakyRelu', 'Add', 'Sub', 'Mul', 'Div', 'Max', 'Min',
  'HardSwish', 'PRelu', 'Elu', 'Identity', 'Dropout', 'Neg', 'Abs', 'Exp', 'Log', 'Sqrt', 'Pow', 'Cast', 'Concat', 'Pad']);

/**
 * A rank-4 graph input or output is an image (NCHW) when it reaches a layout op through
 * elementwise ops only. A rank-4 tensor that is first reshaped (tf2onnx's NHWC inputs) is not.
 */
function isImage(g: Graph, name: string, direction: 'down' | 'up'): boolean {
  const shape = g.tensors.get(name)?.shape;
  if (!shape || shape.length !== 4) return false;
  const seen = new Set<string>();
  let frontier = [name];
  for (let depth = 0; depth < 16 && frontier.length > 0; depth++) {
    const next: string[] = [];
    for (const t of frontier) {
      if (seen.has(t)) continue;
      seen.add(t);
      const nodes = direction === 'down' ? g.nodes.filter((n) => n.inputs.includes(t)) : g.nodes.filter((n) => n.outputs.includes(t));
      for (const n of nodes) {
        const op = n.op.replace(/^onnx\./, '');
        if (LAYOUT_OPS.has(op) && (direction === 'up' || n.inputs[0] === t)) return true;
        if (PASS_THROUGH.has(op)) next.push(...(direction === 'down' ? n.outputs : n.inputs.filter(Boolean)));
      }
    }
    frontier = next;
  }
  return false;
}

export interface LowerResult {
  graph: Graph;
  transposesInserted: number;
  nhwcInputs: string[];
  nhwcOutputs: string[];
}

export function lowerGraph(g: Graph, opset: number, keepLayout: boolean, report: ConversionReport): LowerResult {
  const reserved = new Set<string>(g.tensors.keys());
  for (const n of g.nodes) for (const o of n.outputs) reserved.add(o);
  const b = new Builder(reserved);
  const values = new Map<string, string>();
  const c = new LowerCtx(b, g, opset, values);
  const nhwcInputs: string[] = [], nhwcOutputs: string[] = [];

  for (const name of g.inputs) {
    const t = g.tensors.get(name)!;
    const shape = t.shape;
    if (!shape || !shape.every((d) => typeof d === 'number')) {
      addUnsupported(report, 'input', name, `input shape ${JSON.stringify(shape)} is not static: set it with inputShapes`);
      b.put(t);
      values.set(name, name);
      continue;
    }
    if (!keepLayout && isImage(g, name, 'down')) {
      const nhwc = [shape[0]!, shape[2]!, shape[3]!, shape[1]!];
      b.put({ ...t, shape: nhwc });
      values.set(name, b.transpose(name, [0, 3, 1, 2]));
      nhwcInputs.push(name);
    } else {
      b.put({ ...t, shape: [...shape] });
      values.set(name, name);
    }
  }

  // Outputs of nodes kept unconverted: their consumers stay unconverted too, but only the root
  // causes go into the report.
  const failed = new Set<string>();
  for (const n of g.nodes) {
    const op = n.op.replace(/^onnx\./, '');
    const rule = n.op.startsWith('onnx.') && (!n.domain || n.domain === 'ai.onnx') ? RULES[op] : undefined;
    const noRule = n.custom || (n.domain && n.domain !== 'ai.onnx') ? `custom op of domain ${n.domain}` : 'no TFLite lowering for this op';
    if (n.inputs.some((i) => failed.has(i))) {
      // Downstream of a failure: ops with no lowering at all are still worth naming.
      if (!rule) addUnsupported(report, n.op, n.name, noRule);
      keepAsIs(b, g, n, values);
      for (const o of n.outputs) failed.add(o);
      continue;
    }
    const mark = b.nodes.length;
    try {
      if (!rule) throw new Unsupported(noRule);
      c.node = n;
      rule(c);
      // TFLite kernels index at most 6 dims; past that LiteRT computes garbage without an error.
      for (let i = mark; i < b.nodes.length; i++) {
        for (const o of b.nodes[i]!.outputs) {
          const shape = b.tensors.get(o)?.shape ?? [];
          if (shape.length > MAX_RANK) throw new Unsupported(`a rank-${shape.length} tensor (TFLite kernels handle at most ${MAX_RANK} dims)`);
          // LiteRT.js cannot bind a zero-size buffer; an empty result is refused rather than failing at run time.
          if (shape.includes(0)) throw new Unsupported(`an empty tensor (shape [${shape.join(', ')}]): TFLite runtimes cannot hand one back`);
        }
      }
    } catch (e) {
      if (!(e instanceof Unsupported)) throw e;
      addUnsupported(report, n.op, n.name, e.message);
      b.nodes.length = mark; // drop a half-lowered node's pieces
      keepAsIs(b, g, n, values);
      for (const o of n.outputs) failed.add(o);
    }
  }

  const outputs: string[] = [];
  for (const name of g.outputs) {
    let t = values.get(name) ?? name;
    if (!b.tensors.has(t)) {
      const src = g.tensors.get(name);
      if (src?.data) t = c.v(name);
      else { addUnsupported(report, 'output', name, 'the graph output is never computed'); continue; }
    }
    // A graph output must be produced by a node, and under its own name.
    const producer = b.nodes.find((n) => n.outputs.includes(t));
    if (!producer || outputs.includes(t) || g.inputs.includes(t)) {
      const src = b.tensors.get(t)!;
      t = b.reshape(t, (src.shape ?? []) as number[], b.unique(`${name}/copy`));
    }
    if (!keepLayout && isImage(g, name, 'up') && b.tensors.get(t)?.shape?.length === 4) {
      t = b.transpose(t, [0, 2, 3, 1]);
      nhwcOutputs.push(name);
    }
    if (t !== name) b.renameTensor(t, name, 'nchw');
    outputs.push(name);
  }
  const inputs = g.inputs.filter((i) => b.tensors.has(i));
  return { graph: { name: g.name, nodes: b.nodes, inputs, outputs, tensors: b.tensors }, transposesInserted: b.transposesInserted, nhwcInputs, nhwcOutputs };
}

/** An unconvertible node stays in the partial graph unchanged, so the UI can point at it. */
function keepAsIs(b: Builder, g: Graph, n: Node, values: Map<string, string>): void {
  const inputs = n.inputs.map((i) => {
    if (!i) return i;
    const v = values.get(i);
    if (v) return v;
    const t = g.tensors.get(i);
    if (t) b.put(t);
    return i;
  });
  for (const o of n.outputs) {
    if (!o) continue;
    const t = g.tensors.get(o);
    b.put(t ? { ...t } : { name: o, dtype: 'unknown', shape: null });
    values.set(o, o);
  }
  b.nodes.push({ ...n, inputs });
}

