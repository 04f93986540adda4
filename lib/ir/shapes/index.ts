/**
 * Shape inference over the IR: fixes the caller's input dims, then propagates dtype and shape
 * through every graph of the model. A pure transform: returns a new Model, shares every
 * unchanged tensor (and all constant data) with the input, and never throws for an op it does
 * not know (those are listed in the report).
 *
 *   const { model: fixed, report } = inferShapes(model, { inputShapes: { image: [1, 3, 224, 224] } });
 */
import type { Dialect, Dim, Graph, Model } from '../types';
import { formatShape } from '../values';
import { inferGraph, unknownTensors, type Env, type ShapeReport } from './infer';
import { kerasOps } from './keras-ops';
import { onnxOps } from './onnx-ops';
import { tfOps } from './tf-ops';
import { tflOps } from './tfl-ops';
import type { OpTable } from './types';

export type { ShapeReport } from './infer';
export type { ConstValue, OpInput, OpOutput, OpRule, OpTable, RuleContext } from './types';

export interface InferShapesOptions {
  /** Input name -> dims; -1 leaves a dimension as the file has it. */
  inputShapes?: Record<string, Array<number>>;
  /** Let a dimension the file fixes (e.g. batch 1) be changed to another number. */
  allowStaticOverride?: boolean;
}

/** The caller asked for an input shape the model cannot take. */
export class InputShapeError extends Error {
  constructor(public readonly input: string, message: string) {
    super(`input "${input}": ${message}`);
    this.name = 'InputShapeError';
  }
}

export const opTables: Record<Dialect, OpTable> = { onnx: onnxOps, tfl: tflOps, tf: tfOps, keras: kerasOps };

/** Applies the overrides to the main graph's inputs; returns the new graph and the fixed symbols. */
function applyInputShapes(g: Graph, shapes: Record<string, number[]>, allowStatic: boolean, env: Env): Graph {
  const tensors = new Map(g.tensors);
  for (const [name, dims] of Object.entries(shapes)) {
    const t = tensors.get(name);
    if (!t || !g.inputs.includes(name)) {
      throw new InputShapeError(name, `no such input; the model's inputs are ${g.inputs.map((n) => `"${n}"`).join(', ') || '(none)'}`);
    }
    if (t.shape && t.shape.length !== dims.length) {
      throw new InputShapeError(name, `rank ${dims.length} given, but the input has rank ${t.shape.length} ${formatShape(t.shape)}`);
    }
    const shape: Dim[] = dims.map((d, i) => {
      const old = t.shape ? t.shape[i]! : null;
      if (!Number.isInteger(d) || d < -1) throw new InputShapeError(name, `dimension ${i} must be a whole number >= 0 (or -1 to keep it), got ${d}`);
      if (d === -1) return old;
      if (typeof old === 'number' && old !== d) {
        if (!allowStatic) throw new InputShapeError(name, `dimension ${i} is fixed to ${old} by the model; ${d} needs allowStaticOverride`);
        env.preferInferred = true;
      }
      if (typeof old === 'string') {
        const prev = env.symbols.get(old);
        if (prev !== undefined && prev !== d) throw new InputShapeError(name, `dimension "${old}" is set to ${prev} elsewhere, here to ${d}`);
        env.symbols.set(old, d);
      }
      return d;
    });
    tensors.set(name, { ...t, shape });
    env.report.overridden.push(name);
  }
  return { ...g, tensors };
}

export function inferShapes(model: Model, options: InferShapesOptions = {}): { model: Model; report: ShapeReport } {
  const report: ShapeReport = { unknownAfter: [], overridden: [], errors: [], unknownOps: [] };
  const env: Env = {
    table: opTables[model.dialect] ?? {},
    opsets: model.opsets,
    report,
    unknownOps: new Set(),
    symbols: new Map(),
    preferInferred: false,
    graphs: model.graphs.slice(),
    done: [],
    active: new Set(),
  };
  const main = model.graphs[0];
  if (!main) return { model, report };
  if (options.inputShapes) env.graphs[0] = applyInputShapes(main, options.inputShapes, !!options.allowStaticOverride, env);
  env.active.add(0);
  env.done[0] = inferGraph(env.graphs[0]!, env, 0);
  // Subgraphs no call site reached are inferred on their own declared inputs.
  for (let i = 1; i < env.graphs.length; i++) {
    if (env.done[i]) continue;
    env.active.add(i);
    env.done[i] = inferGraph(env.graphs[i]!, env, 1, undefined, undefined, `${env.graphs[i]!.name || `subgraph${i}`}/`);
    env.active.delete(i);
  }
  const graphs = env.graphs.map((g, i) => env.done[i] ?? g);
  graphs.forEach((g, i) => report.unknownAfter.push(...unknownTensors(g, i === 0 ? '' : `${g.name || `subgraph${i}`}/`)));
  report.unknownOps = [...env.unknownOps].sort();
  return { model: { ...model, graphs }, report };
}
