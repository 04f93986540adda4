/**
 * 'infer-shapes' as a recipe step: convertToTflite records it for a TFLite model whose input
 * dims were fixed (lib/transforms/to-tflite.ts), so a variant made from such a model replays
 * through applyRecipe. It must compute exactly what convertToTflite does (inferShapes with the
 * same inputShapes), or the replayed bytes would differ from the app's.
 */
import { inferShapes } from '../ir/shapes';
import { emptyReport, type Transform } from './types';

export const INFER_SHAPES = 'infer-shapes';

export interface InferShapesStepOptions {
  /** Input name -> dims (-1 keeps a dim as the file has it). */
  inputShapes: Record<string, number[]>;
}

export const inferShapesStep: Transform<InferShapesStepOptions> = (model, options) => {
  const report = emptyReport();
  const shapes = options?.inputShapes ?? {};
  const { model: out, report: shapeReport } = inferShapes(model, { inputShapes: shapes });
  const fixed = Object.entries(shapes).map(([k, v]) => `${k}=${v.join('x')}`).join(', ');
  if (fixed) report.notes.push(`input shapes fixed: ${fixed}`);
  // Rule failures leave those tensors as the file had them, as convertToTflite accepts: notes, not a failed step.
  for (const e of shapeReport.errors.slice(0, 5)) report.notes.push(`shape inference: ${e.node}: ${e.message}`);
  report.stats.nodesIn = model.graphs[0]?.nodes.length ?? 0;
  report.stats.nodesOut = out.graphs[0]?.nodes.length ?? 0;
  return { model: out, report };
};
