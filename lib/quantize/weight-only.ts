/**
 * The two modes that change weights only, activations stay float:
 * - float16: every float32 constant becomes float16 behind a DEQUANTIZE node (what TFLite's
 *   converter writes; XNNPACK and GPU delegates fold it back, CPU kernels dequantize once);
 * - dynamic range: conv / depthwise / fully-connected weights become symmetric int8 (per output
 *   channel unless per-tensor is asked) and run in TFLite's hybrid kernels, which quantize the
 *   float activations on the fly. Other constants stay float32.
 */
import type { Graph, Node, Tensor } from '../ir/types';
import { floatToHalf } from '../ir/values';
import { GraphEdit, bytes, floats32, quantTensor, staticShape } from './graph-edit';
import { quantInfo, weightAxis } from './op-table';
import { quantizePerChannel } from './params';
import type { QuantizedNode, QuantizeOptions } from './types';

export interface WeightOnlyResult { graph: Graph; nodes: QuantizedNode[]; conversions: number }

const isFloatConst = (t: Tensor | undefined): t is Tensor & { data: Uint8Array } => !!t?.data && t.dtype === 'float32' && !t.sparsity;
const elements = (t: Tensor): number => t.data!.byteLength / 4;

export function float16Graph(g: Graph, options: QuantizeOptions): WeightOnlyResult {
  const min = options.minElements ?? 1;
  const edit = new GraphEdit(g);
  const done = new Set<string>();
  const floatOutputs = new Set(g.outputs);
  const nodes: QuantizedNode[] = [];
  for (const n of g.nodes) {
    const inputs = n.inputs.map((x) => {
      const t = g.tensors.get(x);
      if (!isFloatConst(t) || elements(t) < min || floatOutputs.has(x)) return x;
      if (!done.has(x)) {
        const half = Uint16Array.from(floats32(t), floatToHalf);
        const name = edit.put({ name: edit.unique(`${x}/fp16`), dtype: 'float16', shape: t.shape, data: bytes(half), isConstant: true });
        // The float32 tensor keeps its name and becomes DEQUANTIZE's output, so consumers are unchanged.
        edit.put({ name: x, dtype: 'float32', shape: t.shape });
        edit.convert('DEQUANTIZE', name, x);
        done.add(x);
      }
      return x;
    });
    edit.nodes.push({ ...n, inputs });
    nodes.push({ node: n.name, op: n.op, precision: 'float' });
  }
  return { graph: edit.graph(), nodes, conversions: edit.conversions };
}

export function dynamicRangeGraph(g: Graph, options: QuantizeOptions, keepFloat: (n: Node) => boolean): WeightOnlyResult {
  const min = options.minElements ?? 1024;
  const edit = new GraphEdit(g);
  const readers = new Map<string, number>();
  for (const n of g.nodes) for (const x of n.inputs) if (x) readers.set(x, (readers.get(x) ?? 0) + 1);
  const nodes: QuantizedNode[] = [];
  for (const n of g.nodes) {
    const info = quantInfo(n.op);
    const w = info?.hybrid && info.weight ? g.tensors.get(n.inputs[info.weight.input] ?? '') : undefined;
    const x = g.tensors.get(n.inputs[0] ?? '');
    let why: string | undefined;
    if (!info?.hybrid) why = `${n.op.slice(4)} has no hybrid kernel`;
    else if (keepFloat(n)) why = 'kept float (your choice)';
    else if (!isFloatConst(w)) why = 'weights are not a float32 constant';
    else if (elements(w) < min) why = `weights have fewer than ${min} elements`;
    else if (x?.dtype !== 'float32') why = 'input is not float32';
    if (why || !w || !info?.weight) {
      edit.nodes.push(n);
      nodes.push({ node: n.name, op: n.op, precision: 'float', ...(why ? { reason: why } : {}) });
      continue;
    }
    const shape = staticShape(w);
    const axis = weightAxis(info.weight, options);
    const v = floats32(w);
    const { codes, q } = quantizePerChannel(v, shape, axis);
    const name = readers.get(w.name) === 1 ? w.name : edit.unique(`${w.name}/int8`);
    edit.put(quantTensor(w, name, 'int8', codes, q));
    const inputs = [...n.inputs];
    inputs[info.weight.input] = name;
    const { version: _dropped, ...rest } = n;
    edit.nodes.push({ ...rest, inputs });
    nodes.push({ node: n.name, op: n.op, precision: 'int8', reason: 'int8 weights, float activations (hybrid kernel)' });
  }
  return { graph: edit.graph(), nodes, conversions: edit.conversions };
}
