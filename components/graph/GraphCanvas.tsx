'use client';
import '@xyflow/react/dist/style.css';
import './graph.css';
import {
  Background, BackgroundVariant, Controls, MarkerType, MiniMap, Position, ReactFlow, ReactFlowProvider, useReactFlow, useStore,
  type EdgeTypes, type NodeMouseHandler, type NodeTypes,
} from '@xyflow/react';
import { useEffect, useMemo, useRef, useState, type RefObject } from 'react';
import type { GraphView, ViewNode } from '@/lib/graph-view/types';
import { startViewport } from '@/lib/graph-view/viewport';
import { GraphActionsContext, type GraphActions } from './context';
import type { FlowNode, ShapeFlowEdge } from './flow-types';
import { GroupNode } from './GroupNode';
import { IoNode } from './IoNode';
import { KeyboardWalker, useActiveCanvas } from './KeyboardWalker';
import { OpNode } from './OpNode';
import { ShapeEdge } from './ShapeEdge';

export interface GraphCanvasProps {
  view: GraphView;
  selected?: string | null;
  highlighted?: string[];
  onSelectNode(name: string): void;
  onToggleGroup(groupId: string): void;
  /** Clicking a graph input or output node selects its tensor. */
  onSelectTensor?(name: string): void;
  /** Per-node error (SQNR dB) of a quantized variant: colours the ops as a heat map. */
  heat?: Record<string, number>;
}

/** Below 20 dB a layer visibly hurts; above 35 dB it is about as good as 8 bits get. */
function withHeat(v: ViewNode, db: number | undefined): ViewNode {
  if (db === undefined) return v;
  const tone = db < 20 ? 'heat-bad' : db < 35 ? 'heat-mid' : 'heat-good';
  return { ...v, tone, badge: `${Number.isFinite(db) ? db.toFixed(0) : '∞'} dB` };
}

// Module level so React Flow never sees new type maps (it would remount every node).
const nodeTypes: NodeTypes = { gvop: OpNode, scope: GroupNode, gvio: IoNode };
const edgeTypes: EdgeTypes = { shape: ShapeEdge };
const MARKER = { type: MarkerType.ArrowClosed, width: 14, height: 14, color: '#9aa3af' } as const;
const PRO = { hideAttribution: false } as const;
const MIN_ZOOM = 0.03;
/** Below this zoom 13 px labels are unreadable: show the graph's start instead of all of it. */
const READABLE_ZOOM = 0.7;

const CATEGORY_COLOURS: Record<string, string> = {
  conv: '#3b82f6', matmul: '#8b5cf6', activation: '#f59e0b', pooling: '#10b981', norm: '#14b8a6',
  shape: '#94a3b8', elementwise: '#64748b', quant: '#ec4899', control: '#ef4444', reduce: '#0ea5e9',
  constant: '#a3a3a3', custom: '#dc2626', other: '#6b7280',
};
function miniMapColour(node: FlowNode): string {
  const v = node.data.v;
  if (v.kind === 'group') return v.expanded ? 'transparent' : '#cbd5e1';
  if (v.kind !== 'op') return '#111827';
  return CATEGORY_COLOURS[v.category ?? 'other'] ?? '#6b7280';
}

/** SSR-style handle geometry, so edges draw before (or without) the node being measured. */
function handlesOf(v: ViewNode): NonNullable<FlowNode['handles']> {
  const mid = v.width / 2 - 1;
  return [
    { type: 'target', position: Position.Top, x: mid, y: -1, width: 2, height: 2 },
    { type: 'source', position: Position.Bottom, x: mid, y: v.height - 1, width: 2, height: 2 },
  ];
}

function toFlowNode(v: ViewNode): FlowNode {
  const type = v.kind === 'op' ? 'gvop' : v.kind === 'group' ? 'scope' : 'gvio';
  return {
    id: v.id, type, position: { x: v.x, y: v.y }, data: { v }, width: v.width, height: v.height,
    parentId: v.parentId, handles: v.expanded ? [] : handlesOf(v),
    draggable: false, connectable: false, selectable: false,
    className: v.expanded ? 'gv-rf-frame' : undefined,
  } as FlowNode;
}

export function GraphCanvas(props: GraphCanvasProps) {
  return (
    <ReactFlowProvider>
      <Canvas {...props} />
    </ReactFlowProvider>
  );
}

function Canvas({ view, selected, highlighted, onSelectNode, onToggleGroup, onSelectTensor, heat }: GraphCanvasProps) {
  // Parents pass fresh closures each render; route them through refs so nothing downstream changes.
  const selectRef = useRef(onSelectNode);
  const toggleRef = useRef(onToggleGroup);
  const lastToggled = useRef<string | null>(null);
  const lastClicked = useRef<string | null>(null);
  const tensorRef = useRef(onSelectTensor);
  useEffect(() => { selectRef.current = onSelectNode; toggleRef.current = onToggleGroup; tensorRef.current = onSelectTensor; });
  const actions = useMemo<GraphActions>(() => ({
    toggleGroup: (id) => { lastToggled.current = id; toggleRef.current(id); },
  }), []);

  const baseNodes = useMemo(() => view.nodes.map((v) => toFlowNode(heat && v.name ? withHeat(v, heat[v.name]) : v)), [view, heat]);
  const edges = useMemo<ShapeFlowEdge[]>(() => view.edges.map((e) => ({
    id: e.id, source: e.source, target: e.target, type: 'shape', markerEnd: MARKER,
    data: { label: e.label, title: e.title, points: e.points, many: (e.count ?? 1) > 1 }, selectable: false, focusable: false,
  })), [view]);

  const { token, activate } = useActiveCanvas();
  const [focus, setFocus] = useState<string | null>(null);
  useEffect(() => { if (selected) setFocus('n:' + selected); }, [selected]);

  // Only nodes whose selection/highlight state differs get new objects; React Flow keeps the rest.
  const hitKey = (highlighted ?? []).join('\u0000');
  const nodes = useMemo(() => {
    const hits = new Set(hitKey ? hitKey.split('\u0000') : []);
    const ring = focus && !focus.startsWith('n:') ? focus : null;
    if (!selected && hits.size === 0 && !ring) return baseNodes;
    return baseNodes.map((n) => {
      const name = n.data.v.name;
      const isSel = name !== undefined && name === selected;
      const isHit = name !== undefined && hits.has(name);
      const isFocus = n.id === ring;
      return isSel || isHit || isFocus ? ({ ...n, data: { ...n.data, selected: isSel, highlighted: isHit, focused: isFocus } } as FlowNode) : n;
    });
  }, [baseNodes, selected, hitKey, focus]);

  const onNodeClick = useMemo<NodeMouseHandler<FlowNode>>(() => (_e, node) => {
    const v = node.data.v;
    setFocus(v.id);
    if (v.kind === 'op' && v.name !== undefined) {
      lastClicked.current = v.name;
      selectRef.current(v.name);
    } else if (v.kind === 'group' && !v.expanded) actions.toggleGroup(v.id);
    else if (v.kind === 'input' || v.kind === 'output') tensorRef.current?.(v.id.slice(2));
  }, [actions]);

  return (
    <GraphActionsContext.Provider value={actions}>
      <div className="gv-canvas" data-testid="graph-canvas" data-total-ops={view.totalOps} data-visible-ops={view.visibleOps} data-focus={focus ?? ''} onPointerDown={activate}>
        <ReactFlow<FlowNode, ShapeFlowEdge>
          nodes={nodes}
          edges={edges}
          nodeTypes={nodeTypes}
          edgeTypes={edgeTypes}
          onNodeClick={onNodeClick}
          onlyRenderVisibleElements
          nodesDraggable={false}
          nodesConnectable={false}
          elementsSelectable={false}
          nodesFocusable={false}
          edgesFocusable={false}
          minZoom={MIN_ZOOM}
          maxZoom={2.5}
          proOptions={PRO}
        >
          <Background variant={BackgroundVariant.Dots} gap={20} size={1} color="#d6dae1" />
          <MiniMap<FlowNode> nodeColor={miniMapColour} pannable zoomable className="gv-minimap" />
          <Controls showInteractive={false} />
          <ViewportFollower view={view} selected={selected ?? null} lastToggled={lastToggled} lastClicked={lastClicked} />
          <KeyboardWalker view={view} token={token} focus={focus} setFocus={setFocus} selectOp={selectRef} selectTensor={tensorRef} toggleGroup={actions.toggleGroup} />
        </ReactFlow>
      </div>
    </GraphActionsContext.Provider>
  );
}

interface FollowerProps {
  view: GraphView;
  selected: string | null;
  lastToggled: RefObject<string | null>;
  lastClicked: RefObject<string | null>;
}

/**
 * Fits the viewport when the view changes: onto the group just toggled if there is one, else onto
 * the whole graph, or its top at a readable zoom when the whole graph would be too small to read.
 * Also centres a node selected from outside (search), not one the user just clicked.
 */
function ViewportFollower({ view, selected, lastToggled, lastClicked }: FollowerProps) {
  const flow = useReactFlow<FlowNode, ShapeFlowEdge>();
  const paneW = useStore((s) => s.width);
  const paneH = useStore((s) => s.height);
  const size = useRef({ w: paneW, h: paneH });
  size.current = { w: paneW, h: paneH };

  useEffect(() => {
    const raf = requestAnimationFrame(() => {
      const toggled = lastToggled.current;
      lastToggled.current = null;
      if (toggled && view.nodes.some((n) => n.id === toggled)) {
        void flow.fitView({ nodes: [{ id: toggled }], padding: 0.15, maxZoom: 1, minZoom: MIN_ZOOM, duration: 250 });
        return;
      }
      const { w, h } = size.current;
      const fitZoom = w > 0 && h > 0 && view.width > 0 ? Math.min(w / (view.width + 80), h / (view.height + 80)) : 1;
      if (fitZoom >= READABLE_ZOOM || w === 0) {
        void flow.fitView({ padding: 0.08, maxZoom: 1.1, minZoom: MIN_ZOOM });
        return;
      }
      const zoom = Math.max(READABLE_ZOOM, Math.min(1, w / (view.width + 80)));
      void flow.setViewport(startViewport(view, w, zoom));
    });
    return () => cancelAnimationFrame(raf);
  }, [view, flow, lastToggled]);

  // A selection made outside the canvas (search) is centred, once its node is in the view; the
  // view may only arrive on the next render, after the groups on its path were expanded.
  const pending = useRef<{ name: string; tries: number } | null>(null);
  const prevSelected = useRef<string | null>(null);
  useEffect(() => {
    if (selected !== prevSelected.current) {
      prevSelected.current = selected;
      pending.current = selected && selected !== lastClicked.current ? { name: selected, tries: 2 } : null;
      lastClicked.current = null;
    }
    const want = pending.current;
    if (!want) return;
    const raf = requestAnimationFrame(() => {
      const node = flow.getInternalNode('n:' + want.name);
      if (!node) {
        if (--want.tries <= 0) pending.current = null;
        return;
      }
      pending.current = null;
      const p = node.internals.positionAbsolute;
      const w = node.measured.width ?? node.width ?? 0, h = node.measured.height ?? node.height ?? 0;
      void flow.setCenter(p.x + w / 2, p.y + h / 2, { zoom: Math.max(flow.getZoom(), 0.9), duration: 300 });
    });
    return () => cancelAnimationFrame(raf);
  }, [selected, view, flow, lastClicked]);
  return null;
}
