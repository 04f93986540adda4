import type { Dim } from '@/lib/ir/types';
import { shapeTitle, shortDim } from '@/lib/graph-view/ops';

export function fmtBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MB`;
  return `${(n / 1024 ** 3).toFixed(2)} GB`;
}

export function fmtCount(n: number): string {
  if (n < 1e3) return String(n);
  if (n < 1e6) return `${(n / 1e3).toFixed(1)}k`;
  return `${(n / 1e6).toFixed(2)}M`;
}

/** '1×3×224×224', long symbolic dims shortened (fmtShapeFull has them whole, for a title). */
export function fmtShape(shape: Dim[] | null): string {
  if (shape === null) return '?';
  if (shape.length === 0) return 'scalar';
  return shape.map(shortDim).join('×');
}

export const fmtShapeFull = (shape: Dim[] | null): string => shapeTitle(shape, '×');

export const FORMAT_LABEL: Record<string, string> = {
  onnx: 'ONNX',
  tflite: 'TFLite',
  'tfjs-graph': 'TF.js graph model',
  'tfjs-layers': 'TF.js layers model',
};
