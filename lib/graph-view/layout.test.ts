import { describe, expect, it } from 'vitest';
import { layoutGraph, type LayoutEdge, type LayoutNode } from './layout';

function randomDag(n: number, seed: number): LayoutEdge[] {
  let s = seed;
  const r = () => { s = (s * 1103515245 + 12345) & 0x7fffffff; return s / 0x7fffffff; };
  const edges: LayoutEdge[] = [];
  for (let i = 1; i < n; i++) {
    edges.push({ source: Math.floor(r() * i), target: i });
    if (r() < 0.4) edges.push({ source: Math.max(0, i - 1 - Math.floor(r() * 6)), target: i });
  }
  return edges;
}

const sized = (n: number): LayoutNode[] => Array.from({ length: n }, (_, i) => ({ width: 80 + (i % 5) * 30, height: 30 + (i % 3) * 10 }));

function expectNoOverlaps(nodes: LayoutNode[], x: Float64Array, y: Float64Array) {
  const idx = nodes.map((_, i) => i).sort((a, b) => x[a]! - x[b]!);
  // Sweep: any two boxes that overlap on both axes are an error.
  for (let a = 0; a < idx.length; a++) {
    const i = idx[a]!;
    for (let b = a + 1; b < idx.length; b++) {
      const j = idx[b]!;
      if (x[j]! >= x[i]! + nodes[i]!.width) break;
      const overlapY = y[i]! < y[j]! + nodes[j]!.height && y[j]! < y[i]! + nodes[i]!.height;
      expect(overlapY, `nodes ${i} and ${j} overlap`).toBe(false);
    }
  }
}

describe('layoutGraph', () => {
  it('places sources above targets and never overlaps boxes', () => {
    const nodes = sized(400);
    const edges = randomDag(400, 7);
    const r = layoutGraph(nodes, edges);
    for (const e of edges) expect(r.y[e.source]! + nodes[e.source]!.height).toBeLessThan(r.y[e.target]!);
    expectNoOverlaps(nodes, r.x, r.y);
    for (let i = 0; i < nodes.length; i++) {
      expect(r.x[i]).toBeGreaterThanOrEqual(0);
      expect(r.x[i]! + nodes[i]!.width).toBeLessThanOrEqual(r.width + 1e-6);
      expect(r.y[i]! + nodes[i]!.height).toBeLessThanOrEqual(r.height + 1e-6);
    }
  });

  it('keeps a chain with skip connections narrow and bends long edges between layers', () => {
    const n = 300;
    const edges: LayoutEdge[] = [];
    for (let i = 1; i < n; i++) {
      edges.push({ source: i - 1, target: i });
      if (i % 3 === 0 && i >= 3) edges.push({ source: i - 3, target: i });
    }
    const r = layoutGraph(sized(n).map(() => ({ width: 120, height: 40 })), edges);
    expect(r.width).toBeLessThan(400);
    const long = edges.findIndex((e) => e.target - e.source === 3);
    const pts = r.points[long]!;
    expect(pts.length).toBe(4);
    const ys = pts.map((p) => p.y);
    expect(ys).toEqual([...ys].sort((a, b) => a - b));
    expect(ys[0]).toBeGreaterThan(r.y[edges[long]!.source]!);
    expect(ys[3]).toBeLessThan(r.y[edges[long]!.target]!);
  });

  it('terminates on cycles, self loops and bad edges', () => {
    const nodes = sized(6);
    const edges: LayoutEdge[] = [
      { source: 0, target: 1 }, { source: 1, target: 2 }, { source: 2, target: 0 }, { source: 3, target: 3 },
      { source: 4, target: 99 }, { source: -1, target: 2 }, { source: NaN, target: 1 }, { source: 2, target: 4 },
    ];
    const r = layoutGraph(nodes, edges);
    for (let i = 0; i < 6; i++) {
      expect(Number.isFinite(r.x[i])).toBe(true);
      expect(Number.isFinite(r.y[i])).toBe(true);
    }
    expectNoOverlaps(nodes, r.x, r.y);
    // Two of the three cycle edges still point down.
    const down = [[0, 1], [1, 2], [2, 0]].filter(([a, b]) => r.y[a!]! < r.y[b!]!).length;
    expect(down).toBe(2);
  });

  it('puts disconnected nodes in a grid instead of one endless row', () => {
    const nodes = sized(1002);
    const r = layoutGraph(nodes, [{ source: 0, target: 1 }]);
    expectNoOverlaps(nodes, r.x, r.y);
    expect(r.width).toBeLessThan(20_000);
    expect(r.y[0]).toBeLessThan(r.y[1]!);
  });

  it('lays out 20k nodes without overflowing the stack', () => {
    const n = 20_000;
    const nodes = Array.from({ length: n }, () => ({ width: 120, height: 40 }));
    const edges = randomDag(n, 3);
    // A long back edge too: the whole graph becomes one cycle.
    edges.push({ source: n - 1, target: 0 });
    const r = layoutGraph(nodes, edges);
    let finite = true;
    for (let i = 0; i < n; i++) finite &&= Number.isFinite(r.x[i]) && Number.isFinite(r.y[i]);
    expect(finite).toBe(true);
    for (const e of edges.slice(0, 2000)) expect(r.y[e.source]!).toBeLessThan(r.y[e.target]!);
  });

  it('handles an empty graph', () => {
    const r = layoutGraph([], []);
    expect(r.width).toBe(0);
    expect(r.height).toBe(0);
  });
});
