import type { Graph } from '../ir/types';

/**
 * Node-level adjacency of an IR graph: for each node, the nodes that consume its outputs.
 * Built once per graph; shared by the scope tree (chunking order) and search.
 */
export interface NodeAdjacency {
  /** tensor name -> index of the node that produces it */
  producer: Map<string, number>;
  /** CSR successor lists: succ[succStart[i] .. succStart[i+1]) */
  succStart: Int32Array;
  succ: Int32Array;
  indegree: Int32Array;
}

export function nodeAdjacency(graph: Graph): NodeAdjacency {
  const n = graph.nodes.length;
  const producer = new Map<string, number>();
  graph.nodes.forEach((node, i) => {
    for (const t of node.outputs) if (t && !producer.has(t)) producer.set(t, i);
  });
  const from: number[] = [];
  const to: number[] = [];
  const counts = new Int32Array(n + 1);
  graph.nodes.forEach((node, i) => {
    let last = -1;
    for (const t of node.inputs) {
      if (!t) continue;
      const p = producer.get(t);
      // Repeated inputs from one producer (x*x) add nothing to ordering.
      if (p === undefined || p === i || p === last) continue;
      last = p;
      from.push(p);
      to.push(i);
      counts[p + 1]!++;
    }
  });
  for (let i = 0; i < n; i++) counts[i + 1]! += counts[i]!;
  const succStart = counts.slice();
  const fill = counts.slice(0, n);
  const succ = new Int32Array(from.length);
  const indegree = new Int32Array(n);
  for (let e = 0; e < from.length; e++) {
    succ[fill[from[e]!]!++] = to[e]!;
    indegree[to[e]!]!++;
  }
  return { producer, succStart, succ, indegree };
}

/**
 * Topological rank of every node (0-based). Among ready nodes the lowest file index goes first,
 * so a file already in topological order keeps its order. Cycles (hostile files) are broken by
 * releasing the lowest unvisited index, so this always terminates in O((V + E) log V).
 */
export function topoRanks(n: number, adj: NodeAdjacency): Int32Array {
  const indeg = adj.indegree.slice();
  const rank = new Int32Array(n).fill(-1);
  const heap: number[] = [];
  const push = (v: number) => {
    heap.push(v);
    let i = heap.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (heap[p]! <= v) break;
      heap[i] = heap[p]!;
      i = p;
    }
    heap[i] = v;
  };
  const pop = (): number => {
    const top = heap[0]!;
    const last = heap.pop()!;
    if (heap.length > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= heap.length) break;
        const r = l + 1;
        const c = r < heap.length && heap[r]! < heap[l]! ? r : l;
        if (heap[c]! >= last) break;
        heap[i] = heap[c]!;
        i = c;
      }
      heap[i] = last;
    }
    return top;
  };
  for (let i = 0; i < n; i++) if (indeg[i] === 0) push(i);
  let next = 0;
  let scan = 0;
  while (next < n) {
    if (heap.length === 0) {
      while (scan < n && rank[scan] !== -1) scan++;
      indeg[scan] = 0;
      push(scan);
    }
    const v = pop();
    if (rank[v] !== -1) continue;
    rank[v] = next++;
    for (let k = adj.succStart[v]!; k < adj.succStart[v + 1]!; k++) {
      const w = adj.succ[k]!;
      if (rank[w] === -1 && --indeg[w]! === 0) push(w);
    }
  }
  return rank;
}
