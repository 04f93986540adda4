'use client';
import { useReactFlow } from '@xyflow/react';
import { useEffect, useRef, type RefObject } from 'react';
import type { GraphView, ViewNode } from '@/lib/graph-view/types';
import { walk, type Move } from '@/lib/graph-view/walk';
import type { FlowNode, ShapeFlowEdge } from './flow-types';

const MOVES: Record<string, Move> = { ArrowUp: 'up', ArrowDown: 'down', ArrowLeft: 'left', ArrowRight: 'right' };

// With two canvases side by side, keys go to the one the user last pointed at.
let activeCanvas: symbol | null = null;
export function useActiveCanvas(): { token: symbol; activate: () => void } {
  const token = useRef(Symbol('canvas')).current;
  useEffect(() => {
    activeCanvas ??= token;
    return () => { if (activeCanvas === token) activeCanvas = null; };
  }, [token]);
  return { token, activate: () => { activeCanvas = token; } };
}

function firstItem(view: GraphView): ViewNode | undefined {
  const roots = view.nodes.filter((n) => !n.parentId && !n.expanded);
  return roots.find((n) => n.kind === 'input') ?? [...roots].sort((a, b) => a.y - b.y || a.x - b.x)[0];
}

interface Props {
  view: GraphView;
  token: symbol;
  focus: string | null;
  setFocus(id: string | null): void;
  selectOp: RefObject<(name: string) => void>;
  selectTensor: RefObject<((name: string) => void) | undefined>;
  toggleGroup(id: string): void;
}

/**
 * Arrow keys walk the drawn graph (up: producer, down: consumer, left / right: same row), Enter
 * opens or closes the focused group. An op walked to is selected (the inspector follows); a
 * group or graph input / output gets the focus ring and is brought into view.
 */
export function KeyboardWalker({ view, token, focus, setFocus, selectOp, selectTensor, toggleGroup }: Props) {
  const flow = useReactFlow<FlowNode, ShapeFlowEdge>();
  const state = useRef({ view, focus });
  state.current = { view, focus };

  const go = (v: ViewNode) => {
    setFocus(v.id);
    if (v.kind === 'op' && v.name !== undefined) { selectOp.current(v.name); return; }
    if (v.kind === 'input' || v.kind === 'output') selectTensor.current?.(v.id.slice(2));
    const n = flow.getInternalNode(v.id);
    if (n) void flow.setCenter(n.internals.positionAbsolute.x + v.width / 2, n.internals.positionAbsolute.y + v.height / 2, { zoom: Math.max(flow.getZoom(), 0.8), duration: 200 });
  };
  const goRef = useRef(go);
  goRef.current = go;

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (activeCanvas !== token || e.altKey || e.ctrlKey || e.metaKey) return;
      const t = e.target as HTMLElement | null;
      if (t?.closest?.('input, textarea, select, [contenteditable="true"]')) return;
      const { view: v, focus: f } = state.current;
      const here = f ? v.nodes.find((n) => n.id === f) : undefined;
      if (e.key === 'Enter') {
        // Enter on a focused button or link is that control's, not the graph's.
        if (t?.closest?.('button, a[href], summary, [role="button"]')) return;
        if (here?.kind === 'group') { e.preventDefault(); toggleGroup(here.id); }
        return;
      }
      const move = MOVES[e.key];
      if (!move) return;
      e.preventDefault();
      // Walking takes the keyboard: a button focused before (a search hit) must not catch the next Enter.
      if (document.activeElement instanceof HTMLElement && document.activeElement !== document.body) document.activeElement.blur();
      const next = here ? walk(v, here.id, move) : firstItem(v)?.id ?? null;
      const node = next ? v.nodes.find((n) => n.id === next) : undefined;
      if (node) goRef.current(node);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [token, toggleGroup]);

  // A group just opened by Enter is a frame now: the walk goes on from its first item.
  useEffect(() => {
    const f = state.current.focus;
    const frame = f ? view.nodes.find((n) => n.id === f && n.expanded) : undefined;
    if (!frame) return;
    const first = view.nodes.filter((n) => n.parentId === frame.id && !n.expanded).sort((a, b) => a.y - b.y || a.x - b.x)[0];
    if (first) goRef.current(first);
  }, [view]);
  return null;
}
