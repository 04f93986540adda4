/**
 * Graph-view timing: `npx tsx bench/layout.ts`.
 *
 * Synthetic ResNet-like graphs (residual skips, squeeze-excite side branches, ONNX-style name
 * scopes, plus a flat 'node_N' variant that must fall back to chunking) of 1k, 5k and 20k ops.
 * Times: scope tree, computeView with the initial expansion policy, computeView with everything
 * expanded (nested frames), and layoutGraph over every op as one flat graph. Ratios are against
 * a floor measured in the same run: a plain topological sort of the same graph. dagre is run
 * where it survives, as a peer.
 */
import dagre from '@dagrejs/dagre';
import type { Graph } from '../lib/ir/types';
import { layoutGraph } from '../lib/graph-view/layout';
import { buildScopeTree, initialExpanded } from '../lib/graph-view/scopes';
import { resnetLike } from '../lib/graph-view/synthetic';
import { nodeAdjacency, topoRanks } from '../lib/graph-view/topo';
import { computeView } from '../lib/graph-view/visible';

function median(fn: () => void, runs: number): number {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    fn();
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

function flatEdges(g: Graph) {
  const adj = nodeAdjacency(g);
  const edges: Array<{ source: number; target: number }> = [];
  for (let v = 0; v < g.nodes.length; v++) {
    for (let k = adj.succStart[v]!; k < adj.succStart[v + 1]!; k++) edges.push({ source: v, target: adj.succ[k]! });
  }
  return edges;
}

function dagreMs(g: Graph, edges: Array<{ source: number; target: number }>): string {
  const dg = new dagre.graphlib.Graph();
  dg.setGraph({ rankdir: 'TB', nodesep: 24, ranksep: 44 });
  dg.setDefaultEdgeLabel(() => ({}));
  g.nodes.forEach((_, i) => dg.setNode(String(i), { width: 140, height: 44 }));
  for (const e of edges) dg.setEdge(String(e.source), String(e.target));
  const t = performance.now();
  try {
    dagre.layout(dg);
    return `${(performance.now() - t).toFixed(0)} ms`;
  } catch (err) {
    return `failed after ${(performance.now() - t).toFixed(0)} ms (${(err as Error).message})`;
  }
}

const fmt = (ms: number, floor: number) => `${ms.toFixed(1).padStart(8)} ms  (x${(ms / floor).toFixed(0)})`;

console.log('graph-view layout bench; ratio = time / plain topological sort of the same graph\n');
for (const n of [1000, 5000, 20000]) {
  for (const scoped of [true, false]) {
    const g = resnetLike(n, { scoped });
    const runs = n >= 20000 ? 3 : 5;
    const floor = median(() => topoRanks(g.nodes.length, nodeAdjacency(g)), runs);
    let tree = buildScopeTree(g);
    const tTree = median(() => { tree = buildScopeTree(g); }, runs);
    const open = initialExpanded(tree);
    const all = new Set(tree.order);
    let shown = 0, drawn = 0;
    const tInitial = median(() => {
      const v = computeView(g, tree, open);
      shown = v.nodes.length;
      drawn = v.visibleOps;
    }, runs);
    const tAll = median(() => computeView(g, tree, all), runs);
    const edges = flatEdges(g);
    const sizes = g.nodes.map(() => ({ width: 140, height: 44 }));
    const tRaw = median(() => layoutGraph(sizes, edges), runs);
    console.log(`${g.nodes.length} ops, ${scoped ? 'name scopes' : 'flat names'}: ${tree.groups.size} groups, initial view ${shown} nodes (${drawn} ops)`);
    console.log(`  topological sort (floor)   ${floor.toFixed(1).padStart(8)} ms`);
    console.log(`  buildScopeTree             ${fmt(tTree, floor)}`);
    console.log(`  computeView, initial       ${fmt(tInitial, floor)}`);
    console.log(`  computeView, all expanded  ${fmt(tAll, floor)}`);
    console.log(`  layoutGraph, all ops flat  ${fmt(tRaw, floor)}`);
    if (scoped && n <= 5000) console.log(`  dagre, all ops flat        ${dagreMs(g, edges)}`);
  }
}
console.log('\nNo stack overflow at 20k ops (the run above finished).');
