import type { Dim } from '@/lib/ir/types';

/** '1x3x224x224' -> [1, 3, 224, 224]; null when it is not a list of positive integers. */
export function parseShape(text: string): number[] | null {
  const parts = text.trim().split(/\s*[x×,]\s*/);
  if (parts.length === 0 || parts.some((p) => !/^\d+$/.test(p))) return null;
  const dims = parts.map(Number);
  return dims.every((d) => d > 0 && d < 1e7) ? dims : null;
}

/** The shape as the user would type it, unknown dims filled with 1. */
export function defaultShapeText(shape: Dim[] | null): string {
  return (shape ?? [1]).map((d) => (typeof d === 'number' ? d : 1)).join('x');
}

export function hasUnknownDims(shape: Dim[] | null): boolean {
  return shape === null || shape.some((d) => typeof d !== 'number');
}
