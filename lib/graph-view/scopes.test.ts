import { describe, expect, it } from 'vitest';
import { buildScopeTree, groupPath, initialExpanded, scopeSegments } from './scopes';
import { graphOf, resnetLike } from './synthetic';

const chain = (names: string[]) =>
  graphOf(names.map((n, i) => [n, 'onnx.Relu', [`t${i}`], [`t${i + 1}`]]), ['t0'], [`t${names.length}`]);

describe('scopeSegments', () => {
  it('splits ONNX, TF, TFLite and PyTorch style names', () => {
    expect(scopeSegments('/layer1/layer1.0/conv1/Conv')).toEqual(['layer1', 'layer1.0', 'conv1']);
    expect(scopeSegments('model/conv2d/BiasAdd;model/conv2d/Conv2D')).toEqual(['model', 'conv2d']);
    expect(scopeSegments('layer1.0.conv1')).toEqual(['layer1', '0']);
    expect(scopeSegments('node_12')).toEqual([]);
    expect(scopeSegments('/Add')).toEqual([]);
  });
  it('caps absurd depths', () => {
    expect(scopeSegments('a/'.repeat(5000) + 'x').length).toBeLessThanOrEqual(24);
  });
});

describe('buildScopeTree', () => {
  it('groups scopes with two or more ops and dissolves single-op scopes', () => {
    const tree = buildScopeTree(chain(['/a/x/Conv', '/a/y/Relu', '/b/Conv', '/c/Relu']));
    expect([...tree.groups.keys()]).toEqual(['g:a']);
    expect(tree.groups.get('g:a')!.ops).toEqual([0, 1]);
    expect(tree.rootOps).toEqual([2, 3]);
    expect(tree.nodeGroup).toEqual(['g:a', 'g:a', null, null]);
  });

  it('collapses single-child chains and opens a scope that holds the whole graph', () => {
    const tree = buildScopeTree(chain([
      'model/enc/l1/Conv', 'model/enc/l1/Relu', 'model/enc/l2/Conv', 'model/enc/l2/Relu',
      'model/head/Add', 'model/head/Relu',
    ]));
    const labels = [...tree.groups.values()].map((g) => g.label).sort();
    // 'model' held everything (dropped); 'enc' held only l1 and l2 so it stays; 'head' is a group.
    expect(labels).toEqual(['enc', 'head', 'l1', 'l2']);
    const deep = buildScopeTree(chain(['m/a/b/c/X', 'm/a/b/c/Y', 'm/z/Q', 'm/z/R']));
    expect([...deep.groups.values()].map((g) => g.label).sort()).toEqual(['a/b/c', 'z']);
  });

  it('names numbered PyTorch blocks with their parent', () => {
    const tree = buildScopeTree(chain(['layer1.0.conv1', 'layer1.0.relu', 'layer1.1.conv1', 'layer1.1.relu', 'fc']));
    expect([...tree.groups.values()].map((g) => g.label).sort()).toEqual(['layer1', 'layer1.0', 'layer1.1']);
  });

  it('chunks graphs without scopes in topological order', () => {
    const n = 2000;
    // File order reversed so chunking must follow data flow, not file order.
    const rows: Array<[string, string, string[], string[]]> = [];
    for (let i = n - 1; i >= 0; i--) rows.push([`node_${i}`, 'onnx.Relu', [`t${i}`], [`t${i + 1}`]]);
    const tree = buildScopeTree(graphOf(rows, ['t0'], [`t${n}`]));
    expect(tree.rootChildren.length + tree.rootOps.length).toBeLessThanOrEqual(150);
    const seen = new Set<number>();
    for (const g of tree.groups.values()) {
      expect(g.chunk).toBe(true);
      expect(g.ops.length + g.children.length).toBeLessThanOrEqual(100);
      // Direct ops of a chunk are consecutive in data-flow order.
      const ranks = g.ops.map((i) => tree.rank[i]!);
      for (let k = 1; k < ranks.length; k++) expect(ranks[k]).toBe(ranks[k - 1]! + 1);
      for (const i of g.ops) { expect(seen.has(i)).toBe(false); seen.add(i); }
    }
    expect(seen.size).toBe(n);
    // node_0 (last in the file) comes first in data flow.
    expect(tree.rank[n - 1]).toBe(0);
    const first = tree.groups.get(tree.nodeGroup[n - 1]!)!;
    expect(first.label).toBe('ops 1-100');
  });

  it('expands small graphs fully and big ones within the visible budget', () => {
    const small = buildScopeTree(resnetLike(200));
    expect(initialExpanded(small).size).toBe(small.groups.size);
    const big = buildScopeTree(resnetLike(3000));
    const open = initialExpanded(big);
    expect(open.size).toBeLessThan(big.groups.size);
    let visible = big.rootChildren.length + big.rootOps.length;
    for (const id of open) {
      const g = big.groups.get(id)!;
      expect(g.parent === null || open.has(g.parent)).toBe(true);
      visible += g.children.length + g.ops.length - 1;
    }
    expect(visible).toBeLessThanOrEqual(300);
  });

  it('gives the path of groups above a node, outermost first', () => {
    const tree = buildScopeTree(resnetLike(300));
    const i = tree.nodeGroup.findIndex((g) => g !== null && tree.groups.get(g)!.depth === 2);
    const path = groupPath(tree, i);
    expect(path.length).toBe(2);
    expect(tree.groups.get(path[1]!)!.parent).toBe(path[0]);
    expect(path[1]).toBe(tree.nodeGroup[i]);
  });
});
