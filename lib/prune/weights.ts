/**
 * Finding the prunable weights of a graph through the dialect's op table, reading their real
 * (dequantized) values, and writing zeros back in the weight's own storage.
 */
import type { Graph, Node, Tensor } from '../ir/types';
import { tensorFloats, tensorValues } from '../ir/values';
import type { DialectOps, LayerSpec } from './ops';
import { attrNumber, constBehind, normAxis, producers, staticShape } from './util';

export interface LayerWeight {
  node: Node;
  spec: LayerSpec;
  /** The constant holding the weight; `via` is the look-through op's output the layer reads. */
  name: string;
  via?: string;
  /** Input index of the weight in `node.inputs`. */
  input: number;
  shape: number[];
  /** Normalised against the weight's rank, the layer's transpose attribute applied. */
  outAxis: number;
  inAxis?: number;
}

const SLICEABLE = /^(float(16|32|64)|bfloat16|u?int(8|16|32|64))$/;

/** Whether a constant can be read and rewritten element by element. */
export function editable(t: Tensor | undefined): t is Tensor {
  return !!t?.data && !t.sparsity && SLICEABLE.test(t.dtype) && staticShape(t) !== null;
}

function inputIndex(g: Graph, node: Node, input: number | string): number {
  if (typeof input === 'number') return input;
  const role = new RegExp(`(^|/)${input}(:\\d+)?$`);
  return node.inputs.findIndex((x) => role.test(x) && !!g.tensors.get(x)?.data);
}

/** Every weight of every layer the table knows, in node order. */
export function layerWeights(g: Graph, ops: DialectOps): LayerWeight[] {
  const made = producers(g);
  const out: LayerWeight[] = [];
  for (const node of g.nodes) {
    const spec = ops.layers[node.op];
    if (!spec) continue;
    for (const w of spec.weights) {
      const input = inputIndex(g, node, w.input);
      const ref = input >= 0 ? constBehind(g, node.inputs[input] ?? '', ops.lookThrough, made) : undefined;
      const t = ref && g.tensors.get(ref.name);
      if (!ref || !editable(t)) continue;
      const shape = staticShape(t)!;
      let outAxis = normAxis(w.outAxis, shape.length);
      let inAxis = w.inAxis === undefined ? undefined : normAxis(w.inAxis, shape.length);
      if (spec.transposeAttr && attrNumber(node, spec.transposeAttr) && inAxis !== undefined) [outAxis, inAxis] = [inAxis, outAxis];
      out.push({ node, spec, name: ref.name, ...(ref.via ? { via: ref.via } : {}), input, shape, outAxis, ...(inAxis === undefined ? {} : { inAxis }) });
    }
  }
  return out;
}

export const UNREADABLE = 'its weight is not a plain constant (stored sparse, packed int4, or computed)';

/** Real values (dequantized for quantized integers, decoded for float16). */
export function realValues(t: Tensor): Float64Array {
  return tensorFloats(t) ?? new Float64Array(0);
}

/**
 * Elements and zeros of a float32 / float16 weight straight from its bits (both signed zeros),
 * without decoding: the graph counts every weight's zeros when a model opens. Null for other
 * dtypes (quantized zeros are the zero point: decode those).
 */
export function zeroBits(t: Tensor): { count: number; zeros: number } | null {
  const b = t.data;
  if (!b || t.quant?.scale.length || (t.dtype !== 'float32' && t.dtype !== 'float16')) return null;
  const v = tensorValues(t) as Float32Array | Uint16Array;
  let zeros = 0;
  if (t.dtype === 'float16') {
    for (let i = 0; i < v.length; i++) if ((v[i]! & 0x7fff) === 0) zeros++;
  } else {
    for (let i = 0; i < v.length; i++) if (v[i] === 0) zeros++;
  }
  return { count: v.length, zeros };
}

export function countZeros(values: Float64Array): number {
  let n = 0;
  for (const v of values) if (v === 0) n++;
  return n;
}

/** A copy of the weight with the marked elements set to real zero (the zero point when quantized). */
export function withZeros(t: Tensor, zero: Uint8Array): Tensor {
  const data = t.data!.slice();
  const view = tensorValues({ ...t, data })!;
  const q = t.quant;
  const perAxis = q && q.scale.length > 1 && q.axis !== undefined && /^u?int/.test(t.dtype);
  const shape = staticShape(t)!;
  const inner = perAxis ? shape.slice(q.axis! + 1).reduce((a, b) => a * b, 1) : 1;
  const channels = perAxis ? shape[q.axis!]! : 1;
  for (let i = 0; i < zero.length; i++) {
    if (!zero[i]) continue;
    const zp = q && /^u?int/.test(t.dtype) ? q.zeroPoint[perAxis ? Math.floor(i / inner) % channels : 0] ?? 0 : 0;
    if (view instanceof BigInt64Array || view instanceof BigUint64Array) view[i] = BigInt(zp);
    else view[i] = zp;
  }
  return { ...t, data: new Uint8Array(view.buffer, view.byteOffset, view.byteLength) };
}
