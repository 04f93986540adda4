import { describe, expect, it } from 'vitest';
import { buildScopeTree, initialExpanded } from './scopes';
import { graphOf, resnetLike } from './synthetic';
import type { GraphView, ViewNode } from './types';
import { computeView } from './visible';

// x -> a/Conv -> a/Relu -> b/Add(+ a/Relu) -> y ; a/Conv also reads constant weight w.
const small = () => graphOf([
  ['a/Conv', 'onnx.Conv', ['x', 'w'], ['t1']],
  ['a/Relu', 'onnx.Relu', ['t1'], ['t2']],
  ['a/Sig', 'onnx.Sigmoid', ['t1'], ['t3']],
  ['b/Add', 'onnx.Add', ['t2', 't3'], ['y']],
], ['x'], ['y'], ['w']);

function absolute(view: GraphView): Map<string, ViewNode & { ax: number; ay: number }> {
  const out = new Map<string, ViewNode & { ax: number; ay: number }>();
  for (const v of view.nodes) {
    const p = v.parentId ? out.get(v.parentId) : undefined;
    if (v.parentId) expect(p, `parent ${v.parentId} listed before ${v.id}`).toBeDefined();
    out.set(v.id, { ...v, ax: (p?.ax ?? 0) + v.x, ay: (p?.ay ?? 0) + v.y });
  }
  return out;
}

describe('computeView', () => {
  it('draws ops, inputs and outputs but not constants', () => {
    const g = small();
    const tree = buildScopeTree(g);
    const view = computeView(g, tree, new Set(['g:a']));
    const ids = view.nodes.map((n) => n.id).sort();
    expect(ids).toEqual(['g:a', 'i:x', 'n:a/Conv', 'n:a/Relu', 'n:a/Sig', 'n:b/Add', 'o:y']);
    expect(view.edges.some((e) => e.tensor === 'w')).toBe(false);
    expect(view.totalOps).toBe(4);
    expect(view.visibleOps).toBe(4);
    const conv = view.nodes.find((n) => n.id === 'n:a/Conv')!;
    expect(conv).toMatchObject({ kind: 'op', label: 'Conv', op: 'onnx.Conv', name: 'a/Conv', parentId: 'g:a', category: 'conv' });
  });

  it('aggregates edges out of a collapsed group', () => {
    const g = small();
    const view = computeView(g, buildScopeTree(g), new Set());
    expect(view.visibleOps).toBe(1);
    const byId = new Map(view.edges.map((e) => [e.id, e]));
    expect([...byId.keys()].sort()).toEqual(['g:a->n:b/Add', 'i:x->g:a', 'n:b/Add->o:y']);
    expect(byId.get('g:a->n:b/Add')!).toMatchObject({ label: '2 tensors', count: 2 });
    // Single-tensor edges are labelled with the tensor's shape.
    const shape = g.tensors.get('x')!.shape!.join('x');
    expect(byId.get('i:x->g:a')!).toMatchObject({ label: shape, tensor: 'x', dtype: 'float32' });
    const group = view.nodes.find((n) => n.id === 'g:a')!;
    expect(group).toMatchObject({ kind: 'group', childCount: 3, expanded: false });
  });

  it('nests expanded frames around their children and keeps edges pointing down', () => {
    const g = resnetLike(400);
    const tree = buildScopeTree(g);
    const view = computeView(g, tree, new Set(tree.order));
    const abs = absolute(view);
    for (const v of abs.values()) {
      if (!v.parentId) continue;
      const p = abs.get(v.parentId)!;
      expect(p.expanded).toBe(true);
      expect(v.ax).toBeGreaterThanOrEqual(p.ax);
      expect(v.ay).toBeGreaterThan(p.ay);
      expect(v.ax + v.width).toBeLessThanOrEqual(p.ax + p.width + 0.5);
      expect(v.ay + v.height).toBeLessThanOrEqual(p.ay + p.height + 0.5);
    }
    expect(view.visibleOps).toBe(g.nodes.length);
    for (const e of view.edges) {
      const s = abs.get(e.source)!, t = abs.get(e.target)!;
      expect(s.ay + s.height, e.id).toBeLessThan(t.ay);
    }
  });

  it('keeps the initial view of a big graph to a few hundred items', () => {
    for (const scoped of [true, false]) {
      const g = resnetLike(5000, { scoped });
      const tree = buildScopeTree(g);
      const view = computeView(g, tree, initialExpanded(tree));
      const drawn = view.nodes.filter((n) => !n.expanded).length;
      expect(drawn).toBeLessThanOrEqual(310);
      expect(view.totalOps).toBe(g.nodes.length);
      // Every op is visible or inside exactly one visible collapsed group.
      const hidden = view.nodes.filter((n) => n.kind === 'group' && !n.expanded).reduce((s, n) => s + n.childCount!, 0);
      expect(hidden + view.visibleOps).toBe(g.nodes.length);
    }
  });

  it('survives a cyclic graph', () => {
    const g = graphOf([
      ['p', 'onnx.Add', ['x', 'c'], ['a']],
      ['q', 'onnx.Relu', ['a'], ['b']],
      ['r', 'onnx.Relu', ['b'], ['c']],
    ], ['x'], ['b']);
    const view = computeView(g, buildScopeTree(g), new Set());
    expect(view.nodes.length).toBe(5);
    expect(view.edges.length).toBe(5);
  });
});
