import { describe, expect, it } from 'vitest';
import type { Graph, Tensor } from '../ir/types';
import { shapeLabel, shortDim } from './ops';
import { buildScopeTree } from './scopes';
import { computeView, foldedNodes } from './visible';
import { startViewport } from './viewport';
import { walk } from './walk';
import type { GraphView } from './types';

const t = (name: string, shape: Tensor['shape'], extra: Partial<Tensor> = {}): Tensor => ({ name, dtype: 'float32', shape, ...extra });

/** x -> Conv(w from a Constant node, b initializer) -> Relu -> y, plus a shape Constant for Reshape. */
function graph(): Graph {
  const tensors = new Map<string, Tensor>([
    ['x', t('x', [1, 'p2o.DynamicDimension.0', 8, 8])], ['w', t('w', [4, 2, 3, 3])], ['b', t('b', [4], { isConstant: true })],
    ['c', t('c', [1, 'p2o.DynamicDimension.0', 8, 8])], ['r', t('r', [1, 4, 8, 8])], ['s', t('s', [2])], ['y', t('y', [1, 256])],
  ]);
  return {
    name: 'g', inputs: ['x'], outputs: ['y'], tensors,
    nodes: [
      { name: 'Constant_0', op: 'onnx.Constant', inputs: [], outputs: ['w'], attrs: { value: { kind: 'tensor', value: t('', [4, 2, 3, 3], { data: new Uint8Array(288) }) } } },
      { name: 'Conv_0', op: 'onnx.Conv', inputs: ['x', 'w', 'b'], outputs: ['c'], attrs: {} },
      { name: 'Relu_0', op: 'onnx.Relu', inputs: ['c'], outputs: ['r'], attrs: {} },
      { name: 'Constant_1', op: 'onnx.Constant', inputs: [], outputs: ['s'], attrs: { value_ints: { kind: 'ints', value: [1, 256] } } },
      { name: 'Reshape_0', op: 'onnx.Reshape', inputs: ['r', 's'], outputs: ['y'], attrs: {} },
    ],
  };
}

/** A hand-placed view of op (or input) nodes, no edges. */
function placed(nodes: GraphView['nodes']): GraphView {
  return { nodes, edges: [], width: 400, height: 240, totalOps: nodes.length, visibleOps: nodes.length, constantNodes: 0, showConstants: false };
}

function view(showConstants: boolean): GraphView {
  const g = graph();
  return computeView(g, buildScopeTree(g, { skip: foldedNodes(g, { showConstants }) }), new Set(), undefined, { showConstants });
}

describe('constants as weights', () => {
  it('draws Constant nodes as their consumers\' weights by default', () => {
    const v = view(false);
    expect(v.nodes.filter((n) => n.kind === 'op').map((n) => n.name)).toEqual(['Conv_0', 'Relu_0', 'Reshape_0']);
    expect(v.nodes.find((n) => n.name === 'Conv_0')!.weights).toBe('4x2x3x3 · 4');
    expect(v.nodes.find((n) => n.name === 'Reshape_0')!.weights).toBe('2');
    expect(v.edges.map((e) => e.id).sort()).toEqual(['i:x->n:Conv_0', 'n:Conv_0->n:Relu_0', 'n:Relu_0->n:Reshape_0', 'n:Reshape_0->o:y']);
    expect(v).toMatchObject({ constantNodes: 2, showConstants: false, visibleOps: 3, totalOps: 5 });
  });

  it('the switch draws them as nodes with their edges', () => {
    const v = view(true);
    expect(v.nodes.filter((n) => n.kind === 'op')).toHaveLength(5);
    expect(v.edges.map((e) => e.id)).toContain('n:Constant_0->n:Conv_0');
    expect(v.nodes.find((n) => n.name === 'Conv_0')!.weights).toBe('4');
  });
});

describe('long symbolic dims', () => {
  it('keep their head and number, the full text kept for the hover', () => {
    expect(shortDim('p2o.DynamicDimension.0')).toBe('p2o.…0');
    expect(shortDim('batch_size')).toBe('batch_size');
    expect(shortDim(12345678901)).toBe('12345678901');
    expect(shapeLabel([1, 'p2o.DynamicDimension.1', 8])).toBe('1xp2o.…1x8');
    const edge = view(false).edges.find((e) => e.id === 'i:x->n:Conv_0')!;
    expect(edge.label).toBe('1xp2o.…0x8x8');
    expect(edge.title).toBe('1xp2o.DynamicDimension.0x8x8');
  });
});

describe('keyboard walk and first view', () => {
  it('walks producer / consumer along the drawn edges', () => {
    const v = view(false);
    expect(walk(v, 'n:Relu_0', 'up')).toBe('n:Conv_0');
    expect(walk(v, 'n:Conv_0', 'up')).toBe('i:x');
    expect(walk(v, 'n:Conv_0', 'down')).toBe('n:Relu_0');
    expect(walk(v, 'o:y', 'down')).toBeNull();
  });

  it('walks sideways within a row', () => {
    const v = placed([
      { id: 'n:a', kind: 'op', label: 'A', x: 0, y: 0, width: 100, height: 40 },
      { id: 'n:b', kind: 'op', label: 'B', x: 300, y: 5, width: 100, height: 40 },
      { id: 'n:c', kind: 'op', label: 'C', x: 150, y: 200, width: 100, height: 40 },
    ]);
    expect(walk(v, 'n:a', 'right')).toBe('n:b');
    expect(walk(v, 'n:b', 'left')).toBe('n:a');
    expect(walk(v, 'n:a', 'left')).toBeNull();
  });

  it('starts a wide graph on its input, never on an empty stretch', () => {
    const wide = { ...placed([
      { id: 'i:x', kind: 'input', label: 'x', x: 9000, y: 0, width: 100, height: 36 },
      ...Array.from({ length: 50 }, (_, i) => ({ id: `n:${i}`, kind: 'op' as const, label: 'Add', x: i * 400, y: 120, width: 120, height: 44 })),
    ]), width: 20000, height: 300 };
    const w = 1000, vp = startViewport(wide, w, 0.7);
    const screenX = 9000 * vp.zoom + vp.x;
    expect(screenX).toBeGreaterThan(0);
    expect(screenX + 100 * vp.zoom).toBeLessThan(w);
    expect(vp.y).toBeGreaterThanOrEqual(0);
  });
});
