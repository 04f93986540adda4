import type { Graph } from '../ir/types';
import { nodeAdjacency, topoRanks, type NodeAdjacency } from './topo';

/**
 * Name-scope grouping (Model Explorer's idea): '/layer1/layer1.0/conv1/Conv', 'model/conv2d/Conv2D'
 * and PyTorch-style 'layer1.0.conv1' all become nested groups, so the canvas mounts hundreds of
 * DOM nodes instead of thousands. Graphs without usable scopes are chunked in topological order.
 */

export interface ScopeGroup {
  /** 'g:<scope path>' for scopes, '<container id>//<level>.<k>' for chunks. */
  id: string;
  label: string;
  /** Parent group id; null at the top level. */
  parent: string | null;
  /** Child group ids, in topological order of their first op. */
  children: string[];
  /** Node indices directly inside (not in a child group). */
  ops: number[];
  /** Ops inside, recursively. */
  opCount: number;
  depth: number;
  /** Smallest topological rank inside: orders siblings. */
  first: number;
  chunk: boolean;
}

export interface ScopeTree {
  groups: Map<string, ScopeGroup>;
  /** Group ids, parents before children. */
  order: string[];
  rootChildren: string[];
  rootOps: number[];
  /** Innermost group of each node (by node index), null at the top level. */
  nodeGroup: Array<string | null>;
  /** Topological rank of each node. */
  rank: Int32Array;
  adjacency: NodeAdjacency;
  /** Groups the initial policy expands. */
  initialExpanded: string[];
}

export interface ScopeOptions {
  /** Graphs with at most this many ops start fully expanded. */
  flatLimit?: number;
  /** Most items the initial expansion may show. */
  visibleBudget?: number;
  /** A container with more direct items than this is chunked. */
  maxItems?: number;
  chunkSize?: number;
  /** Nodes left out of every group (constants drawn as their consumers' weights). */
  skip?: ReadonlySet<number>;
}

/** Deeper scopes than this are ignored (hostile names with thousands of '/'). */
const MAX_SCOPE_DEPTH = 24;

/**
 * The scope path of a node name (without the leaf). TFLite fuses names with ';' (the first is the
 * op's own), TF/ONNX use '/', PyTorch module paths use '.' (only considered when there is no '/',
 * so '/layer1/layer1.0/conv1/Conv' keeps 'layer1.0' as one scope).
 */
export function scopeSegments(name: string): string[] {
  let s = name;
  const semi = s.indexOf(';');
  if (semi > 0) s = s.slice(0, semi);
  const sep = s.includes('/') ? '/' : s.includes('.') ? '.' : null;
  if (sep === null) return [];
  const parts = s.split(sep).filter((p) => p.length > 0);
  parts.pop();
  return parts.length > MAX_SCOPE_DEPTH ? parts.slice(0, MAX_SCOPE_DEPTH) : parts;
}

interface Trie {
  path: string;
  seg: string;
  parent: number;
  ops: number[];
  count: number;
  owner: ScopeGroup | null;
}

export function buildScopeTree(graph: Graph, options: ScopeOptions = {}): ScopeTree {
  const flatLimit = options.flatLimit ?? 300;
  const budget = options.visibleBudget ?? 300;
  const maxItems = options.maxItems ?? 150;
  const chunkSize = Math.max(2, options.chunkSize ?? 100);
  const n = graph.nodes.length;
  const adjacency = nodeAdjacency(graph);
  const rank = topoRanks(n, adjacency);

  // 1. A trie of scope paths; creation order puts parents before children.
  const trie: Trie[] = [{ path: '', seg: '', parent: -1, ops: [], count: 0, owner: null }];
  const byPath = new Map<string, number>([['', 0]]);
  for (let i = 0; i < n; i++) {
    if (options.skip?.has(i)) continue;
    let cur = 0;
    let path = '';
    for (const seg of scopeSegments(graph.nodes[i]!.name)) {
      path = path ? path + '/' + seg : seg;
      let t = byPath.get(path);
      if (t === undefined) {
        t = trie.length;
        trie.push({ path, seg, parent: cur, ops: [], count: 0, owner: null });
        byPath.set(path, t);
      }
      cur = t;
    }
    trie[cur]!.ops.push(i);
  }
  for (let t = trie.length - 1; t >= 0; t--) {
    const node = trie[t]!;
    node.count += node.ops.length;
    if (node.parent >= 0) trie[node.parent]!.count += node.count;
  }

  // 2. Scopes with >= 2 ops become groups; smaller ones dissolve into their nearest group.
  const groups = new Map<string, ScopeGroup>();
  const root: ScopeGroup = {
    id: 'g:', label: '', parent: null, children: [], ops: [], opCount: n, depth: 0, first: 0, chunk: false,
  };
  const parentOf = (g: ScopeGroup) => (g.parent === null ? root : groups.get(g.parent)!);
  for (let t = 0; t < trie.length; t++) {
    const node = trie[t]!;
    const up = node.parent >= 0 ? trie[node.parent]!.owner! : root;
    if (t === 0) node.owner = root;
    else if (node.count >= 2) {
      const parentLabel = node.parent > 0 ? trie[node.parent]!.seg : '';
      // PyTorch 'layer1.0.conv1': call the numbered block 'layer1.0', not '0'.
      const label = /^\d+$/.test(node.seg) && parentLabel ? `${parentLabel}.${node.seg}` : node.seg;
      const g: ScopeGroup = {
        id: 'g:' + node.path, label, parent: up === root ? null : up.id, children: [], ops: [],
        opCount: node.count, depth: 0, first: 0, chunk: false,
      };
      groups.set(g.id, g);
      up.children.push(g.id);
      node.owner = g;
    } else node.owner = up;
    for (const op of node.ops) node.owner.ops.push(op);
  }

  // 3. Collapse single-child chains: a group holding nothing but one group merges into it.
  for (const g of [...groups.values()]) {
    if (!groups.has(g.id) || g.parent === null) continue;
    const p = groups.get(g.parent)!;
    if (p.ops.length === 0 && p.children.length === 1) {
      g.label = `${p.label}/${g.label}`;
      g.parent = p.parent;
      const gp = parentOf(p);
      gp.children[gp.children.indexOf(p.id)] = g.id;
      groups.delete(p.id);
    }
  }
  // A single group holding the whole graph ('model/...') is noise: open it up.
  while (root.ops.length === 0 && root.children.length === 1) {
    const only = groups.get(root.children[0]!)!;
    root.children = only.children;
    root.ops = only.ops;
    for (const c of only.children) groups.get(c)!.parent = null;
    groups.delete(only.id);
  }

  // 4. Order items topologically and chunk containers with too many direct items.
  const firstOf = (id: string) => groups.get(id)!.first;
  const setFirst = (g: ScopeGroup) => {
    let f = Number.MAX_SAFE_INTEGER;
    for (const op of g.ops) f = Math.min(f, rank[op]!);
    for (const c of g.children) f = Math.min(f, firstOf(c));
    g.first = f;
  };
  const postOrder = (): ScopeGroup[] => {
    const pre: ScopeGroup[] = [];
    const stack = [root];
    while (stack.length) {
      const g = stack.pop()!;
      pre.push(g);
      for (const c of g.children) stack.push(groups.get(c)!);
    }
    return pre.reverse();
  };
  for (const g of postOrder()) {
    setFirst(g);
    g.ops.sort((a, b) => rank[a]! - rank[b]!);
    g.children.sort((a, b) => firstOf(a) - firstOf(b));
    chunkContainer(g, groups, rank, maxItems, chunkSize);
  }

  // 5. Depths, parents-first order, innermost group per node.
  const order: string[] = [];
  const nodeGroup: Array<string | null> = new Array<string | null>(n).fill(null);
  const queue: ScopeGroup[] = [root];
  for (let q = 0; q < queue.length; q++) {
    const g = queue[q]!;
    if (g !== root) {
      order.push(g.id);
      g.depth = g.parent === null ? 1 : groups.get(g.parent)!.depth + 1;
      for (const op of g.ops) nodeGroup[op] = g.id;
    }
    for (const c of g.children) queue.push(groups.get(c)!);
  }

  const tree: ScopeTree = {
    groups, order, rootChildren: root.children, rootOps: root.ops, nodeGroup, rank, adjacency,
    initialExpanded: [],
  };
  tree.initialExpanded = n <= flatLimit ? [...order] : expandWithinBudget(tree, budget);
  return tree;
}

/** Replace a container's direct items by chunks of `size`, level after level, until few remain. */
function chunkContainer(
  g: ScopeGroup, groups: Map<string, ScopeGroup>, rank: Int32Array, maxItems: number, size: number,
): void {
  if (g.ops.length + g.children.length <= maxItems) return;
  type Item = { op: number } | { group: string };
  const firstOf = (it: Item) => ('op' in it ? rank[it.op]! : groups.get(it.group)!.first);
  const countOf = (it: Item) => ('op' in it ? 1 : groups.get(it.group)!.opCount);
  let items: Item[] = [...g.ops.map((op) => ({ op })), ...g.children.map((group) => ({ group }))];
  items.sort((a, b) => firstOf(a) - firstOf(b));
  for (let level = 1; items.length > maxItems; level++) {
    const next: Item[] = [];
    let before = 0;
    for (let k = 0; k * size < items.length; k++) {
      const part = items.slice(k * size, (k + 1) * size);
      const count = part.reduce((s, it) => s + countOf(it), 0);
      const chunk: ScopeGroup = {
        id: `${g.id}//${level}.${k}`, label: `ops ${before + 1}-${before + count}`, parent: g.id === 'g:' ? null : g.id,
        children: [], ops: [], opCount: count, depth: 0, first: firstOf(part[0]!), chunk: true,
      };
      for (const it of part) {
        if ('op' in it) chunk.ops.push(it.op);
        else {
          chunk.children.push(it.group);
          groups.get(it.group)!.parent = chunk.id;
        }
      }
      groups.set(chunk.id, chunk);
      next.push({ group: chunk.id });
      before += count;
    }
    items = next;
  }
  g.ops = [];
  g.children = items.map((it) => ('group' in it ? it.group : ''));
}

/** Breadth-first: open groups while the number of visible items stays within budget. */
function expandWithinBudget(tree: ScopeTree, budget: number): string[] {
  const expanded: string[] = [];
  let visible = tree.rootChildren.length + tree.rootOps.length;
  const queue = [...tree.rootChildren];
  for (let q = 0; q < queue.length; q++) {
    const g = tree.groups.get(queue[q]!)!;
    const cost = g.children.length + g.ops.length - 1;
    if (visible + cost > budget) continue;
    visible += cost;
    expanded.push(g.id);
    queue.push(...g.children);
  }
  return expanded;
}

/** Group ids (outermost first) that must be expanded for node `index` to be visible. */
export function groupPath(tree: ScopeTree, index: number): string[] {
  const path: string[] = [];
  let g = tree.nodeGroup[index] ?? null;
  while (g !== null && path.length <= tree.groups.size) {
    path.push(g);
    g = tree.groups.get(g)?.parent ?? null;
  }
  return path.reverse();
}

/** The initial expansion policy's set (everything for small graphs, a budget otherwise). */
export function initialExpanded(tree: ScopeTree): Set<string> {
  return new Set(tree.initialExpanded);
}
