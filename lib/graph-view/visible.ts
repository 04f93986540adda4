import type { Graph } from '../ir/types';
import { constantOf, constantProducers } from '../ir/constants';
import { layoutGraph, type LayoutOptions, type Point } from './layout';
import { opCategory, opDetail, opLabel, shapeLabel, shapeTitle } from './ops';
import type { ScopeTree } from './scopes';
import type { GraphView, ViewEdge, ViewNode } from './types';

/** Frame padding of an expanded group: sides/bottom and the header band with its title. */
export const FRAME_PAD = 16;
export const FRAME_HEADER = 36;

const ROOT = '';

/** View id of an op node. */
export const opId = (name: string) => 'n:' + name;

/**
 * The drawable view of `graph` with the groups in `expanded` open: collapsed groups are one node,
 * expanded groups are frames (React Flow parent nodes) laid out from the inside out, edges between
 * visible items are aggregated, constants are left out (the inspector shows them).
 */
export interface ViewOptions {
  /** Draw ONNX Constant / TFLite DEQUANTIZE-of-weight nodes as nodes instead of as their consumers' weights. */
  showConstants?: boolean;
}

/** Node indices a view folds into their consumers (none when constants are shown). */
export function foldedNodes(graph: Graph, options: ViewOptions = {}): Set<number> {
  return options.showConstants ? new Set() : new Set(constantProducers(graph).values());
}

export function computeView(
  graph: Graph, tree: ScopeTree, expanded: ReadonlySet<string>, layoutOptions?: LayoutOptions, options: ViewOptions = {},
): GraphView {
  const folded = options.showConstants ? new Map<string, number>() : constantProducers(graph);
  const foldedIdx = foldedNodes(graph, options);
  const graphInputs = new Set(graph.inputs);
  const isWeight = (t: string): boolean => {
    if (folded.has(t)) return true;
    const info = graph.tensors.get(t);
    return !!info && !!(info.data || info.isConstant) && !graphInputs.has(t);
  };
  // Representative of each group: null when its contents are visible, else the id of the
  // collapsed group that stands for it.
  const repOf = new Map<string, string | null>();
  for (const id of tree.order) {
    const g = tree.groups.get(id)!;
    const up = g.parent === null ? null : repOf.get(g.parent) ?? null;
    repOf.set(id, up !== null ? up : expanded.has(id) ? null : id);
  }
  const names = graph.nodes.map((nd) => nd.name);
  const repOfNode = (i: number): string => {
    const g = tree.nodeGroup[i];
    const r = g == null ? null : repOf.get(g) ?? null;
    return r ?? opId(names[i]!);
  };

  // Containers: the root and every visible expanded group; items are laid out inside them.
  const nodes = new Map<string, ViewNode>();
  const containerOf = new Map<string, string>();
  const containerDepth = new Map<string, number>([[ROOT, 0]]);
  const items = new Map<string, string[]>([[ROOT, []]]);
  const containers: string[] = [ROOT];
  const addItem = (v: ViewNode, container: string) => {
    nodes.set(v.id, v);
    containerOf.set(v.id, container);
    items.get(container)!.push(v.id);
  };
  let visibleOps = 0;
  const addOps = (ops: number[], container: string) => {
    for (const i of ops) {
      if (foldedIdx.has(i)) continue;
      const nd = graph.nodes[i]!;
      const label = opLabel(nd.op);
      const detail = opDetail(nd, graph);
      const weights = weightLine(nd.inputs.filter((t) => t && isWeight(t)).map((t) => shapeLabel(constShape(graph, folded, t))));
      const width = clamp(Math.max(label.length * 7.6, (detail?.length ?? 0) * 6.8, (weights?.length ?? 0) * 6.4) + 32, 110, 260);
      addItem({
        id: opId(nd.name), kind: 'op', label, op: nd.op, name: nd.name, detail, category: opCategory(nd.op, nd.custom),
        custom: nd.custom || undefined, weights, x: 0, y: 0, width, height: weights ? 58 : 44,
      }, container);
      visibleOps++;
    }
  };
  const addGroups = (ids: string[], container: string) => {
    for (const id of ids) {
      const g = tree.groups.get(id)!;
      const open = repOf.get(id) === null;
      addItem({
        id, kind: 'group', label: g.label, childCount: g.opCount, expanded: open,
        x: 0, y: 0, width: clamp(g.label.length * 7.6 + 84, 160, 300), height: 52,
      }, container);
      if (open) {
        containers.push(id);
        items.set(id, []);
        containerDepth.set(id, containerDepth.get(container)! + 1);
      }
    }
  };
  const inputSet = new Set<string>();
  for (const t of graph.inputs) {
    if (inputSet.has(t)) continue;
    inputSet.add(t);
    addItem(ioNode('i:' + t, 'input', t), ROOT);
  }
  addOps(tree.rootOps, ROOT);
  addGroups(tree.rootChildren, ROOT);
  for (let c = 1; c < containers.length; c++) {
    const g = tree.groups.get(containers[c]!)!;
    addOps(g.ops, g.id);
    addGroups(g.children, g.id);
  }
  const outputSet = new Set<string>();
  for (const t of graph.outputs) {
    if (outputSet.has(t)) continue;
    outputSet.add(t);
    addItem(ioNode('o:' + t, 'output', t), ROOT);
  }

  // Aggregated edges between visible items.
  const producer = tree.adjacency.producer;
  const agg = new Map<string, { source: string; target: string; tensors: string[]; seen: Set<string> }>();
  const link = (source: string, target: string, tensor: string) => {
    if (source === target) return;
    const key = source + '\u0000' + target;
    let e = agg.get(key);
    if (!e) agg.set(key, (e = { source, target, tensors: [], seen: new Set() }));
    if (!e.seen.has(tensor)) { e.seen.add(tensor); e.tensors.push(tensor); }
  };
  const sourceOf = (t: string): string | null => {
    if (folded.has(t)) return null;
    const p = producer.get(t);
    if (p !== undefined) return repOfNode(p);
    return inputSet.has(t) ? 'i:' + t : null;
  };
  graph.nodes.forEach((nd, i) => {
    if (foldedIdx.has(i)) return;
    const target = repOfNode(i);
    for (const t of nd.inputs) {
      if (!t) continue;
      const s = sourceOf(t);
      if (s !== null) link(s, target, t);
    }
  });
  for (const t of outputSet) {
    const s = sourceOf(t);
    if (s !== null) link(s, 'o:' + t, t);
  }
  const edges: ViewEdge[] = [];
  for (const e of agg.values()) {
    const first = e.tensors[0]!;
    const info = graph.tensors.get(first);
    const count = e.tensors.length;
    const label = count === 1 ? shapeLabel(info?.shape) : `${count} tensors`;
    const title = count === 1 ? shapeTitle(info?.shape) : undefined;
    edges.push({
      id: `${e.source}->${e.target}`, source: e.source, target: e.target, tensor: first,
      label, ...(title && title !== label ? { title } : {}),
      dtype: count === 1 ? info?.dtype : undefined, count,
    });
  }

  // Lift every edge to the container where its endpoints' branches meet.
  const lifted = new Map<string, Array<{ edge: number; a: string; b: string }>>();
  for (const c of containers) lifted.set(c, []);
  edges.forEach((e, idx) => {
    let a = e.source, b = e.target;
    let ca = containerOf.get(a)!, cb = containerOf.get(b)!;
    while (containerDepth.get(ca)! > containerDepth.get(cb)!) { a = ca; ca = containerOf.get(ca)!; }
    while (containerDepth.get(cb)! > containerDepth.get(ca)!) { b = cb; cb = containerOf.get(cb)!; }
    while (ca !== cb) { a = ca; ca = containerOf.get(ca)!; b = cb; cb = containerOf.get(cb)!; }
    if (a !== b) lifted.get(ca)!.push({ edge: idx, a, b });
  });

  // Lay out innermost containers first: a frame's size is its contents' size.
  const rawPoints = new Map<number, { container: string; pts: Point[] }>();
  let width = 0, height = 0;
  for (let c = containers.length - 1; c >= 0; c--) {
    const cid = containers[c]!;
    const list = items.get(cid)!;
    const index = new Map<string, number>();
    list.forEach((id, i) => index.set(id, i));
    const le = lifted.get(cid)!;
    const res = layoutGraph(
      list.map((id) => nodes.get(id)!),
      le.map((l) => ({ source: index.get(l.a)!, target: index.get(l.b)! })),
      layoutOptions,
    );
    const dx = cid === ROOT ? 0 : FRAME_PAD, dy = cid === ROOT ? 0 : FRAME_HEADER;
    list.forEach((id, i) => {
      const v = nodes.get(id)!;
      v.x = res.x[i]! + dx;
      v.y = res.y[i]! + dy;
      if (cid !== ROOT) v.parentId = cid;
    });
    le.forEach((l, k) => {
      const pts = res.points[k];
      if (pts) rawPoints.set(l.edge, { container: cid, pts: pts.map((p) => ({ x: p.x + dx, y: p.y + dy })) });
    });
    if (cid === ROOT) { width = res.width; height = res.height; }
    else {
      const frame = nodes.get(cid)!;
      const label = frame.width;
      frame.width = Math.max(res.width + 2 * FRAME_PAD, label);
      frame.height = res.height + FRAME_HEADER + FRAME_PAD;
    }
  }

  // Absolute origins (parents come first in `containers`), then absolute bend points.
  const origin = new Map<string, Point>([[ROOT, { x: 0, y: 0 }]]);
  for (let c = 1; c < containers.length; c++) {
    const v = nodes.get(containers[c]!)!;
    const o = origin.get(containerOf.get(v.id)!)!;
    origin.set(v.id, { x: o.x + v.x, y: o.y + v.y });
  }
  for (const [idx, { container, pts }] of rawPoints) {
    const o = origin.get(container)!;
    edges[idx]!.points = pts.map((p) => ({ x: round(p.x + o.x), y: round(p.y + o.y) }));
  }

  // Parents before children, as React Flow requires.
  const ordered: ViewNode[] = [];
  for (const c of containers) for (const id of items.get(c)!) ordered.push(nodes.get(id)!);
  for (const v of ordered) { v.x = round(v.x); v.y = round(v.y); }
  return {
    nodes: ordered, edges, width: round(width), height: round(height), totalOps: graph.nodes.length, visibleOps,
    constantNodes: constantProducers(graph).size, showConstants: !!options.showConstants,
  };
}

/** The shape of a weight input: a folded producer's value when the graph does not record it. */
function constShape(graph: Graph, folded: Map<string, number>, t: string) {
  const own = graph.tensors.get(t)?.shape;
  if (own) return own;
  const at = folded.get(t);
  return at === undefined ? own : constantOf(graph, graph.nodes[at]!)?.tensor.shape ?? own;
}

/** 'w 64x3x7x7 · 64': the constant inputs of an op, as Netron lists initializers. */
function weightLine(shapes: string[]): string | undefined {
  if (shapes.length === 0) return undefined;
  const s = shapes.join(' · ');
  return s.length > 34 ? s.slice(0, 33) + '…' : s;
}

function ioNode(id: string, kind: 'input' | 'output', tensor: string): ViewNode {
  return { id, kind, label: tensor, x: 0, y: 0, width: clamp(tensor.length * 6.8 + 40, 100, 240), height: 36 };
}

function clamp(v: number, lo: number, hi: number): number {
  return Math.max(lo, Math.min(hi, Math.round(v)));
}

function round(v: number): number {
  return Math.round(v * 10) / 10;
}
