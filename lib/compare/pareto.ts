/**
 * The Pareto frontier of variants over (size, accuracy): the points no other point beats on both
 * (smaller or equal size and higher or equal accuracy, strictly better on one). Sorted by size.
 */
export interface Point { id: string; size: number; accuracy: number }

export function paretoFrontier<T extends Point>(points: T[]): T[] {
  const sorted = [...points].sort((a, b) => a.size - b.size || b.accuracy - a.accuracy);
  const out: T[] = [];
  let best = -Infinity;
  for (const p of sorted) {
    if (p.accuracy > best) { out.push(p); best = p.accuracy; }
  }
  return out;
}

/** True when `p` is dominated: another point is no larger, no less accurate, and better on one. */
export function dominated(p: Point, all: Point[]): boolean {
  return all.some((q) => q !== p && q.size <= p.size && q.accuracy >= p.accuracy && (q.size < p.size || q.accuracy > p.accuracy));
}
