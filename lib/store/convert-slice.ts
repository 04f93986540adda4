import type { GraphView } from '../graph-view/types';
import type { ModelSummary } from '../ir/summary';
import type { GraphInfo } from '../session/session';
import type { ConversionReport, Recipe } from '../transforms/types';
import type { ErrorInfo } from '../worker/protocol';

export interface Conversion {
  converted: boolean;
  recipe: Recipe;
  reports: ConversionReport[];
  unsupportedNodes: string[];
  bytes?: number;
  summary?: ModelSummary;
  graphs?: GraphInfo[];
  ms: number;
}

export interface ConvertSlice {
  conversion: Conversion | null;
  convertJob: { phase: string; fraction: number } | null;
  convertError: ErrorInfo | null;
  /** A variant's graph (converted, quantized, pruned), shown beside the original. */
  variantView: { variant: string; label: string; view: GraphView; expanded: string[]; graphIndex: number } | null;
  split: boolean;
  /** Input dims the user fixed (input name -> full shape): shown on the graph, used to convert. */
  fixedShapes: Record<string, number[]>;
  setFixedShapes(shapes: Record<string, number[]>): void;
  setConversion(c: Conversion | null, view: ConvertSlice['variantView']): void;
  setVariantView(v: ConvertSlice['variantView']): void;
  setConvertJob(job: ConvertSlice['convertJob']): void;
  setConvertError(e: ErrorInfo | null): void;
  setSplit(split: boolean): void;
}

type Set = (fn: (s: ConvertSlice) => Partial<ConvertSlice>) => void;

export const convertSlice = (set: Set): ConvertSlice => ({
  conversion: null,
  convertJob: null,
  convertError: null,
  variantView: null,
  split: false,
  fixedShapes: {},
  setFixedShapes: (fixedShapes) => set(() => ({ fixedShapes })),
  setConversion: (conversion, variantView) => set(() => ({ conversion, variantView, split: !!variantView, convertError: null })),
  setVariantView: (variantView) => set(() => ({ variantView })),
  setConvertJob: (convertJob) => set(() => ({ convertJob })),
  setConvertError: (convertError) => set(() => ({ convertError })),
  setSplit: (split) => set(() => ({ split })),
});
