/**
 * ONNX -> TFLite (`onnx.*` -> `tfl.*`), a pure transform:
 *
 *   const { model: tfl, report } = onnxToTfl(onnxModel, { inputShapes: { image: [1, 1, 28, 28] } });
 *   if (report.converted) bytes = writeTflite(tfl);
 *
 * Phases: If inlining -> shape inference -> constant folding -> BatchNorm folding -> lowering by
 * the op table (NHWC for spatial ops, weights permuted) -> transpose elimination and fusions.
 */
import type { Graph, Model, Tensor } from '../../ir/types';
import { inferShapes } from '../../ir/shapes/index';
import { formatShape } from '../../ir/values';
import { throwIfAborted } from '../../formats/errors';
import { addUnsupported, emptyReport, type Transform } from '../types';
import { foldBatchNorms, foldConstants, inlineIfs } from './fold';
import { lowerGraph, RULES } from './lower';
import { encode } from './nd';
import { optimize } from './optimize';

export interface OnnxToTflOptions {
  /** Keep NCHW at the model's boundary (TRANSPOSE inside the model) instead of NHWC image I/O. */
  keepLayout?: boolean;
  /** Input name -> static dims, for inputs whose dims the file leaves open (batch, length...). */
  inputShapes?: Record<string, number[]>;
  /**
   * Input name -> a value fixed at conversion time (the input becomes a constant): for inputs
   * a static-shape runtime needs to know, e.g. a sample rate, Resize scales or Slice bounds that
   * the exporter left as graph inputs. Plain numbers take the input's dtype and static shape.
   */
  inputValues?: Record<string, number[] | Tensor>;
}

/** The graph with the given inputs turned into constants (names and sizes checked). */
export function fixInputs(g: Graph, values: Record<string, number[] | Tensor>): Graph {
  const names = Object.keys(values);
  if (names.length === 0) return g;
  const tensors = new Map(g.tensors);
  for (const name of names) {
    if (!g.inputs.includes(name)) throw new Error(`inputValues: ${name} is not an input of the graph (inputs: ${g.inputs.join(', ')})`);
    const v = values[name]!;
    tensors.set(name, { ...(Array.isArray(v) ? valueTensor(g, name, v) : v), name, isConstant: true });
  }
  return { ...g, inputs: g.inputs.filter((i) => !names.includes(i)), tensors };
}

function valueTensor(g: Graph, name: string, values: number[]): Tensor {
  const decl = g.tensors.get(name);
  const dtype = decl?.dtype ?? 'float32';
  const declared = decl?.shape?.every((d) => typeof d === 'number') ? (decl.shape as number[]) : null;
  const n = declared ? declared.reduce((a, d) => a * d, 1) : values.length;
  if (n !== values.length) throw new Error(`inputValues: ${name} has shape [${declared!.join(', ')}] (${n} values), ${values.length} given`);
  const data = encode(dtype, values);
  if (!data) throw new Error(`inputValues: ${name} is ${dtype}, which cannot be given as numbers`);
  return { name, dtype, shape: declared ?? (values.length === 1 ? [] : [values.length]), data };
}

export const ONNX_TO_TFL = 'onnx-to-tfl';

/** ONNX op types with a lowering (for the UI and docs). */
export const supportedOnnxOps = (): string[] => Object.keys(RULES).sort();

export const onnxToTfl: Transform<OnnxToTflOptions> = (model, options, onProgress, signal) => {
  const report = emptyReport();
  const main = model.graphs[0];
  if (model.dialect !== 'onnx' || !main) {
    addUnsupported(report, `${model.dialect} model`, model.name, 'onnx-to-tfl converts ONNX models only');
    return { model, report };
  }
  report.stats.nodesIn = main.nodes.length;
  let g = fixInputs(main, options.inputValues ?? {});
  // Shapes make Shape/If conditions constant, folding makes them values, inlining exposes more:
  // a few rounds reach the fixpoint for real models (If nests are shallow).
  for (let round = 0; ; round++) {
    onProgress?.(0.05 + round * 0.08, 'shapes');
    throwIfAborted(signal);
    const shaped = inferShapes({ ...model, graphs: [g] }, { inputShapes: options.inputShapes });
    g = shaped.model.graphs[0]!;
    if (round === 0) for (const e of shaped.report.errors.slice(0, 5)) report.notes.push(`shape inference: ${e.node}: ${e.message}`);
    const open = g.inputs.filter((i) => !g.tensors.get(i)?.shape?.every((d) => typeof d === 'number'));
    if (open.length > 0) {
      for (const i of open) {
        addUnsupported(report, 'input', i, `input shape ${formatShape(g.tensors.get(i)?.shape ?? null)} is not static: set it with inputShapes`);
      }
      return { model, report };
    }
    const folded = foldConstants(g);
    g = folded.graph;
    report.stats.foldedConstants += folded.folded;
    if (round >= 5 || !g.nodes.some((n) => n.op === 'onnx.If')) break;
    const inlined = inlineIfs(g, report.notes);
    // Nothing folded or inlined (only Ifs without graph branches left): another round is the same.
    if (inlined === g && folded.folded === 0) break;
    g = inlined;
  }
  onProgress?.(0.45, 'fold');
  const bn = foldBatchNorms(g);
  g = bn.graph;
  report.stats.foldedBatchNorms = bn.folded;

  onProgress?.(0.5, 'lower');
  throwIfAborted(signal);
  const opset = model.opsets[''] ?? model.opsets['ai.onnx'] ?? 13;
  const lowered = lowerGraph(g, opset, !!options.keepLayout, report);
  if (lowered.nhwcInputs.length) report.notes.push(`NHWC inputs (were NCHW): ${lowered.nhwcInputs.join(', ')}`);
  if (lowered.nhwcOutputs.length) report.notes.push(`NHWC outputs (were NCHW): ${lowered.nhwcOutputs.join(', ')}`);

  onProgress?.(0.8, 'optimize');
  throwIfAborted(signal);
  const out = report.converted ? optimize(lowered.graph) : lowered.graph;
  const remaining = out.nodes.filter((n) => n.op === 'tfl.TRANSPOSE').length;
  report.stats.transposesInserted = lowered.transposesInserted;
  report.stats.transposesRemoved = Math.max(0, lowered.transposesInserted - remaining);
  report.stats.nodesOut = out.nodes.length;
  for (const [name, t] of out.tensors) {
    if (!t.shape || !t.shape.every((d) => typeof d === 'number')) {
      if (report.converted) addUnsupported(report, 'shape', name, 'tensor shape is not static');
    }
  }
  onProgress?.(1, 'done');
  const result: Model = {
    format: 'tflite',
    dialect: 'tfl',
    name: model.name.replace(/\.onnx$/i, '') + '.tflite',
    files: [],
    graphs: [out],
    metadata: { ...model.metadata, converted_from: model.name, converter: 'edge-model-studio onnx-to-tfl' },
    opsets: { tflite: 3 },
  };
  return { model: result, report };
};
