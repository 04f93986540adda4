/**
 * Per-node notes for quantized and pruned graphs: the precision each op computes in (from its
 * output's dtype, so it holds for files from any converter) and the share of zeros in its
 * weights. Shown on the graph so mixed precision and sparsity are visible where they are.
 */
import type { Graph, Model } from '../ir/types';
import { weightSparsity } from '../prune/index';
import type { ViewNode } from './types';

export type Annotation = Pick<ViewNode, 'badge' | 'tone'>;

const CONVERT = new Set(['tfl.QUANTIZE', 'tfl.DEQUANTIZE', 'onnx.QuantizeLinear', 'onnx.DequantizeLinear']);

export function annotations(model: Model, g: Graph): Map<string, Annotation> {
  const out = new Map<string, Annotation>();
  const isQuant = (name: string) => { const t = g.tensors.get(name); return !!t && !t.data && !!t.quant && /^u?int(8|16)$/.test(t.dtype); };
  const mixed = [...g.tensors.keys()].some(isQuant) || g.nodes.some((n) => CONVERT.has(n.op) && !g.tensors.get(n.inputs[0] ?? '')?.data);
  if (mixed) {
    for (const n of g.nodes) {
      if (CONVERT.has(n.op)) { out.set(n.name, { tone: 'convert' }); continue; }
      const t = g.tensors.get(n.outputs[0] ?? '');
      const tone = t && isQuant(t.name) ? (t.dtype === 'int16' ? 'int16' : 'int8') : 'float';
      out.set(n.name, { tone, badge: tone });
    }
  }
  if (g === model.graphs[0]) {
    for (const l of weightSparsity(model)) {
      if (l.sparsity < 0.05) continue;
      const prev = out.get(l.node);
      const zeros = `${Math.round(l.sparsity * 100)}% zeros`;
      out.set(l.node, { ...prev, badge: prev?.badge ? `${prev.badge} · ${zeros}` : zeros });
    }
  }
  return out;
}
