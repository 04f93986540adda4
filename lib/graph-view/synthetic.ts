import type { Graph, Node, Tensor } from '../ir/types';

/**
 * Synthetic, realistic-looking graphs for tests and bench/layout.ts: a ResNet-like stack of
 * residual blocks (skip connections), some with a squeeze-excite branch, named like an ONNX export
 * from PyTorch ('/layer1/layer1.0/conv1/Conv'), or with flat 'node_123' names.
 */
export function resnetLike(targetOps: number, options: { scoped?: boolean } = {}): Graph {
  const scoped = options.scoped ?? true;
  const nodes: Node[] = [];
  const tensors = new Map<string, Tensor>();
  let t = 0;
  const tensor = (shape: number[], constant = false): string => {
    const name = constant ? `w${t++}` : `t${t++}`;
    tensors.set(name, { name, dtype: 'float32', shape, ...(constant ? { isConstant: true } : {}) });
    return name;
  };
  const op = (scope: string, type: string, inputs: string[], shape: number[], attrs: Node['attrs'] = {}): string => {
    const out = tensor(shape);
    const name = scoped ? `${scope}/${type}` : `node_${nodes.length}`;
    nodes.push({ name: uniqueName(name), op: `onnx.${type}`, inputs, outputs: [out], attrs });
    return out;
  };
  const used = new Set<string>();
  const uniqueName = (name: string) => {
    let n = name, k = 1;
    while (used.has(n)) n = `${name}_${k++}`;
    used.add(n);
    return n;
  };
  const conv = (scope: string, x: string, c: number, hw: number, k: number) =>
    op(scope, 'Conv', [x, tensor([c, c, k, k], true), tensor([c], true)], [1, c, hw, hw], {
      kernel_shape: { kind: 'ints', value: [k, k] }, strides: { kind: 'ints', value: [1, 1] },
    });

  tensors.set('input', { name: 'input', dtype: 'float32', shape: [1, 3, 224, 224] });
  let x = conv('/conv1', 'input', 64, 112, 7);
  x = op('/relu', 'Relu', [x], [1, 64, 112, 112]);
  let layer = 0;
  while (nodes.length < targetOps - 3) {
    layer++;
    const c = 64 * Math.min(8, 2 ** Math.min(3, layer - 1)), hw = Math.max(7, 56 >> Math.min(3, layer - 1));
    for (let b = 0; b < 6 && nodes.length < targetOps - 3; b++) {
      const s = `/layer${layer}/layer${layer}.${b}`;
      const skip = x;
      let y = conv(`${s}/conv1`, x, c, hw, 1);
      y = op(`${s}/relu`, 'Relu', [y], [1, c, hw, hw]);
      y = conv(`${s}/conv2`, y, c, hw, 3);
      y = op(`${s}/relu_1`, 'Relu', [y], [1, c, hw, hw]);
      y = conv(`${s}/conv3`, y, c, hw, 1);
      if (b % 2 === 1) {
        // Squeeze-excite branch: a side path that rejoins with Mul.
        let e = op(`${s}/se/pool`, 'GlobalAveragePool', [y], [1, c, 1, 1]);
        e = conv(`${s}/se/fc1`, e, c, 1, 1);
        e = op(`${s}/se/act`, 'Sigmoid', [e], [1, c, 1, 1]);
        y = op(`${s}/se`, 'Mul', [y, e], [1, c, hw, hw]);
      }
      y = op(s, 'Add', [y, skip], [1, c, hw, hw]);
      x = op(`${s}/relu_2`, 'Relu', [y], [1, c, hw, hw]);
    }
  }
  x = op('/avgpool', 'GlobalAveragePool', [x], [1, 512, 1, 1]);
  x = op('', 'Flatten', [x], [1, 512], { axis: { kind: 'int', value: 1 } });
  x = op('/fc', 'Gemm', [x, tensor([1000, 512], true), tensor([1000], true)], [1, 1000]);
  return { name: 'synthetic', nodes, inputs: ['input'], outputs: [x], tensors };
}

/** A small graph from (name, op, inputs, outputs) rows; tensors get shape [1, n]. */
export function graphOf(
  rows: Array<[name: string, op: string, inputs: string[], outputs: string[]]>,
  inputs: string[], outputs: string[], constants: string[] = [],
): Graph {
  const tensors = new Map<string, Tensor>();
  const add = (name: string, extra: Partial<Tensor> = {}) => {
    if (name && !tensors.has(name)) tensors.set(name, { name, dtype: 'float32', shape: [1, tensors.size + 1], ...extra });
  };
  for (const c of constants) add(c, { isConstant: true, data: new Uint8Array(4) });
  for (const i of inputs) add(i);
  for (const [, , ins, outs] of rows) for (const n of [...ins, ...outs]) add(n);
  return {
    name: 'g', inputs, outputs, tensors,
    nodes: rows.map(([name, op, ins, outs]) => ({ name, op, inputs: ins, outputs: outs, attrs: {} })),
  };
}
