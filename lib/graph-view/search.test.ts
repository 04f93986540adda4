import { describe, expect, it } from 'vitest';
import { buildScopeTree } from './scopes';
import { searchGraph } from './search';
import { resnetLike } from './synthetic';
import { computeView, opId } from './visible';

describe('searchGraph', () => {
  const g = resnetLike(3000);
  const tree = buildScopeTree(g);

  it('finds a node hidden in collapsed groups, with the groups to open', () => {
    const target = g.nodes.find((n) => n.name.startsWith('/layer3/layer3.1/se/fc1'))!;
    const hits = searchGraph(g, tree, 'LAYER3.1/SE/fc1');
    expect(hits.map((h) => h.nodeName)).toEqual([target.name]);
    const hit = hits[0]!;
    expect(hit.match).toBe('node');
    expect(hit.groupPath.length).toBeGreaterThan(0);
    const closed = computeView(g, tree, new Set());
    expect(closed.nodes.some((n) => n.id === opId(target.name))).toBe(false);
    const opened = computeView(g, tree, new Set(hit.groupPath));
    expect(opened.nodes.some((n) => n.id === opId(target.name))).toBe(true);
  });

  it('matches op types and tensor names, and respects the limit', () => {
    const gemm = searchGraph(g, tree, 'gemm');
    expect(gemm.map((h) => h.op)).toEqual(['onnx.Gemm']);
    const relus = searchGraph(g, tree, 'onnx.relu', 7);
    expect(relus.length).toBe(7);
    const out = g.nodes[10]!.outputs[0]!;
    const byTensor = searchGraph(g, tree, out).find((h) => h.match === 'tensor' && h.nodeName === g.nodes[10]!.name);
    expect(byTensor?.tensor).toBe(out);
    expect(searchGraph(g, tree, '   ')).toEqual([]);
    expect(searchGraph(g, tree, 'no-such-thing')).toEqual([]);
  });
});
