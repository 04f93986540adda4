import type { GraphView } from './types';

/**
 * Where the first view looks when the whole graph is too big to read: the graph's inputs (or
 * its top row) at a readable zoom, centred on them, or on the first one when they are spread
 * wider than the pane - never an empty stretch of a wide graph.
 */
export function startViewport(view: GraphView, w: number, zoom: number): { x: number; y: number; zoom: number } {
  const roots = view.nodes.filter((n) => !n.parentId);
  if (roots.length === 0) return { x: 0, y: 24, zoom };
  let top = roots.filter((n) => n.kind === 'input');
  if (top.length === 0) {
    const minY = Math.min(...roots.map((n) => n.y));
    top = roots.filter((n) => n.y <= minY + 1);
  }
  top.sort((a, b) => a.x - b.x);
  const left = top[0]!.x, right = Math.max(...top.map((n) => n.x + n.width));
  const minY = Math.min(...top.map((n) => n.y));
  const cx = (right - left) * zoom <= w - 48 ? (left + right) / 2 : left + top[0]!.width / 2;
  return { x: w / 2 - cx * zoom, y: 24 - minY * zoom, zoom };
}
