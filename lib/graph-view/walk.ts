/**
 * Keyboard walk over a drawn view: up to a producer, down to a consumer, left / right to the
 * neighbour in the same row. Pure, on the view's ids and absolute positions, so the canvas only
 * maps keys to moves.
 */
import type { GraphView, ViewNode } from './types';

export type Move = 'up' | 'down' | 'left' | 'right';

/** Absolute top-left of every view node (children are placed relative to their frame). */
export function absolutePositions(view: GraphView): Map<string, { x: number; y: number; node: ViewNode }> {
  const out = new Map<string, { x: number; y: number; node: ViewNode }>();
  // Parents come before children in view.nodes.
  for (const n of view.nodes) {
    const p = n.parentId ? out.get(n.parentId) : undefined;
    out.set(n.id, { x: n.x + (p?.x ?? 0), y: n.y + (p?.y ?? 0), node: n });
  }
  return out;
}

const centreX = (a: { x: number; node: ViewNode }) => a.x + a.node.width / 2;

/** The id to move to from `from`, or null when there is nothing that way. Frames are skipped. */
export function walk(view: GraphView, from: string, move: Move, pos = absolutePositions(view)): string | null {
  const here = pos.get(from);
  if (!here) return null;
  const drawn = (id: string) => { const p = pos.get(id); return p && !p.node.expanded ? p : undefined; };
  const nearest = (ids: string[]) => {
    let best: string | null = null, d = Infinity;
    for (const id of ids) {
      const p = drawn(id);
      if (!p) continue;
      const dx = Math.abs(centreX(p) - centreX(here));
      if (dx < d) { d = dx; best = id; }
    }
    return best;
  };
  if (move === 'up') return nearest(view.edges.filter((e) => e.target === from).map((e) => e.source));
  if (move === 'down') return nearest(view.edges.filter((e) => e.source === from).map((e) => e.target));
  // Same row: overlapping vertically, the closest centre on that side.
  let best: string | null = null, d = Infinity;
  for (const [id, p] of pos) {
    if (id === from || p.node.expanded) continue;
    if (p.y > here.y + here.node.height || p.y + p.node.height < here.y) continue;
    const dx = centreX(p) - centreX(here);
    if ((move === 'right' ? dx > 0 : dx < 0) && Math.abs(dx) < d) { d = Math.abs(dx); best = id; }
  }
  return best;
}
