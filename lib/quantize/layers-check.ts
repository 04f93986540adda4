/**
 * Layer-by-layer agreement of a runtime with the integer reference: the model is written with
 * every intermediate tensor as an extra output, the runtime runs it, and each quantized layer is
 * recomputed by the reference from the values the runtime itself fed that layer. Rounding
 * differences of 1 step per layer (XNNPACK requantizes in float, TFLite's reference in fixed
 * point) add up over a deep network; per layer they must stay within one step. Node only.
 */
import type { Model } from '../ir/types';
import { writeTflite } from '../formats/tflite/write';
import type { HostTensor } from '../runtime/types';
import { runOn, type VerifyRuntime } from '../verify/index';
import { lsbAgreement, type LsbAgreement } from './agreement';
import { runNode, type ReferenceOptions } from './reference/index';

export interface LayerResult { node: string; op: string; agreement: LsbAgreement }

export type LayerCheck =
  | { status: 'ran'; total: LsbAgreement; layers: LayerResult[] }
  | { status: 'unsupported' | 'error'; detail: string };

const quantized = (model: Model, name: string): boolean => {
  const t = model.graphs[0]!.tensors.get(name);
  return !!t && !t.data && !!t.quant && /^u?int(8|16)$/.test(t.dtype);
};

/** The model with every tensor a node computes as a graph output too (same arithmetic). */
export function exposeAll(model: Model): Model {
  const g = model.graphs[0]!;
  const extra = g.nodes.flatMap((n) => n.outputs).filter((o) => o && !g.outputs.includes(o));
  // The file's signature names the old outputs only (LiteRT.js rejects the mismatch): the writer
  // then makes a default one over all of them.
  const metadata = Object.fromEntries(Object.entries(model.metadata).filter(([k]) => !k.startsWith('signature.')));
  return { ...model, metadata, graphs: [{ ...g, outputs: [...g.outputs, ...extra] }, ...model.graphs.slice(1)] };
}

export async function layerAgreement(model: Model, sets: HostTensor[][], runtime: VerifyRuntime, options: ReferenceOptions = {}): Promise<LayerCheck> {
  const exposed = exposeAll(model);
  const g = exposed.graphs[0]!;
  const o = await runOn(runtime, writeTflite(exposed), sets, { timeoutMs: 120_000 + 500 * sets.length });
  if (o.status !== 'ran') return { status: o.status, detail: o.detail };
  const byNode = new Map<string, { op: string; a: HostTensor[][]; b: HostTensor[][] }>();
  o.outputSets.forEach((outs, s) => {
    const values = new Map<string, HostTensor>();
    g.inputs.forEach((n, i) => values.set(n, sets[s]![i]!));
    g.outputs.forEach((n, i) => values.set(n, outs[i]!));
    for (const node of g.nodes) {
      if (!node.outputs.some((x) => quantized(exposed, x))) continue;
      const ref = runNode(exposed, node, values, options);
      let e = byNode.get(node.name);
      if (!e) { e = { op: node.op, a: [], b: [] }; byNode.set(node.name, e); }
      const keep = node.outputs.map((x, i) => [x, i] as const).filter(([x]) => quantized(exposed, x));
      e.a.push(keep.map(([, i]) => ref[i]!));
      e.b.push(keep.map(([x]) => values.get(x)!));
    }
  });
  const layers = [...byNode].map(([node, e]) => ({ node, op: e.op, agreement: lsbAgreement(e.a, e.b) }));
  const total = layers.reduce<LsbAgreement>((t, l) => ({
    elements: t.elements + l.agreement.elements, exact: t.exact + l.agreement.exact,
    withinOne: t.withinOne + l.agreement.withinOne, maxDiff: Math.max(t.maxDiff, l.agreement.maxDiff),
  }), { elements: 0, exact: 0, withinOne: 0, maxDiff: 0 });
  return { status: 'ran', total, layers };
}
