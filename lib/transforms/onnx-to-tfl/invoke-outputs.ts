/**
 * TFLite evaluates a RESHAPE / SQUEEZE / EXPAND_DIMS of a constant at Prepare, into memory that
 * LiteRT.js never copies to a bound output: such a graph output reads back as garbage for
 * int32 (verified; float32 reads back right), whatever the converter meant. Such outputs are rebuilt as a
 * BROADCAST_TO of the constant, which runs at Invoke (rank 0 through [1] and a SQUEEZE of a
 * computed tensor).
 */
import type { Graph, Node } from '../../ir/types';
import { tflOptions } from './builder';

const PREPARE_TIME = new Set(['tfl.RESHAPE', 'tfl.SQUEEZE', 'tfl.EXPAND_DIMS']);

function unique(g: Graph, base: string): string {
  let n = base;
  for (let k = 1; g.tensors.has(n); k++) n = `${base}_${k}`;
  return n;
}

export function outputsAtInvoke(g: Graph): void {
  for (const out of g.outputs) {
    const at = g.nodes.findIndex((n) => n.outputs.includes(out));
    const p = at >= 0 ? g.nodes[at]! : undefined;
    const src = p && PREPARE_TIME.has(p.op) ? g.tensors.get(p.inputs[0] ?? '') : undefined;
    const t = g.tensors.get(out);
    // float32 reads back right, and the RESHAPE keeps the file loadable in Arm NN 20.08.
    if (!p || !src?.data || src.dtype === 'float32' || !t?.shape || !t.shape.every((d) => typeof d === 'number')) continue;
    const shape = t.shape as number[];
    const wide = shape.length === 0 ? [1] : shape;
    const k = unique(g, `${out}/value`), s = unique(g, `${out}/shape`);
    g.tensors.set(k, { name: k, dtype: src.dtype, shape: wide, data: src.data, isConstant: true });
    g.tensors.set(s, { name: s, dtype: 'int32', shape: [wide.length], data: new Uint8Array(Int32Array.from(wide).buffer), isConstant: true });
    const nodes: Node[] = [];
    if (shape.length > 0) nodes.push({ name: p.name, op: 'tfl.BROADCAST_TO', inputs: [k, s], outputs: [out], attrs: tflOptions('BROADCAST_TO', {}) });
    else {
      const w = unique(g, `${out}/wide`);
      g.tensors.set(w, { name: w, dtype: src.dtype, shape: [1] });
      nodes.push({ name: `${p.name}/wide`, op: 'tfl.BROADCAST_TO', inputs: [k, s], outputs: [w], attrs: tflOptions('BROADCAST_TO', {}) });
      nodes.push({ name: p.name, op: 'tfl.SQUEEZE', inputs: [w], outputs: [out], attrs: tflOptions('SQUEEZE', { squeeze_dims: { kind: 'ints', value: [0] } }) });
    }
    g.nodes.splice(at, 1, ...nodes);
  }
}
