/** How each kind of channel op joins its inputs' channels to its output's (see ops.ts ChannelOp). */
import type { Node } from '../ir/types';
import type { ChannelGraph, Tracked } from './channels';
import type { ChannelOp } from './ops';
import { attrInts, attrNumber, constInts, normAxis } from './util';

type Follow<K extends ChannelOp['kind']> = (cg: ChannelGraph, node: Node, op: Extract<ChannelOp, { kind: K }>, x: Tracked) => void;

const why = (node: Node, text: string) => `${text} (${node.name})`;

/** A constant integer input (shape, pads, axes) this node alone reads, or null. */
function ownInts(cg: ChannelGraph, node: Node, input: number | undefined): number[] | null {
  const name = input === undefined ? '' : node.inputs[input] ?? '';
  if (!name || (cg.uses.get(name) ?? 0) > 1) return null;
  return constInts(cg.g.tensors.get(name));
}

const unary: Follow<'unary'> = (cg, node, op, x) => {
  const out = node.outputs[0] ?? '';
  if (cg.rank(out) !== cg.rank(node.inputs[0]!)) return cg.pin(node.inputs[0]!, why(node, 'rank changes'));
  cg.same(x, out);
  if (op.sizesInput !== undefined && node.inputs[op.sizesInput]) {
    if (!ownInts(cg, node, op.sizesInput)) return cg.pin(out, why(node, 'output sizes are not a constant of its own'));
    cg.edits.push({ kind: 'shape', node: node.name, input: op.sizesInput, index: x.axis, by: out });
  }
};

const params: Follow<'params'> = (cg, node, op, x) => {
  const out = node.outputs[0] ?? '';
  cg.same(x, out);
  for (const i of op.inputs) {
    const name = node.inputs[i];
    if (!name) continue;
    const ref = cg.constOf(name);
    const shape = ref && cg.g.tensors.get(ref.name)?.shape;
    if (!ref || shape?.length !== 1 || shape[0] !== x.count) cg.pin(out, why(node, `${name} is not a per-channel constant`));
    else cg.slice(ref, 0, out, node);
  }
};

/** Every input joins channel for channel; per-channel constants are sliced, broadcast ones kept. */
function elementwise(cg: ChannelGraph, node: Node): void {
  const out = node.outputs[0] ?? '';
  const inputs = node.inputs.filter((n) => n);
  const tracked = inputs.map((n) => cg.tracked.get(n));
  const first = tracked.find((t) => t);
  const rank = cg.rank(out);
  if (!first) return;
  if (rank === undefined || inputs.some((n, i) => tracked[i] && (cg.rank(n) !== rank || tracked[i]!.axis !== first.axis || tracked[i]!.count !== first.count))) {
    return cg.unknown(node, 'inputs broadcast across channels');
  }
  const t = cg.same(first, out);
  inputs.forEach((name, i) => {
    const it = tracked[i];
    if (it) {
      for (let c = 0; c < t.count; c++) cg.union(t.base + c, it.base + c);
      return;
    }
    const shape = cg.shapes.get(name)?.shape;
    if (!shape) return cg.pin(out, why(node, `${name} has an unknown shape`));
    const at = shape.length - (rank - first.axis);
    const dim = at >= 0 ? shape[at] : 1;
    if (dim === 1) return;
    const ref = cg.constOf(name);
    if (dim !== first.count || !ref) cg.pin(out, why(node, `joined with ${name}, whose channels are not followed`));
    else cg.slice(ref, at, out, node);
  });
}

function concat(cg: ChannelGraph, node: Node, op: Extract<ChannelOp, { kind: 'concat' }>): void {
  const out = node.outputs[0] ?? '';
  const rank = cg.rank(out);
  const first = node.inputs.map((n) => cg.tracked.get(n)).find((t) => t);
  if (!first) return;
  if (rank === undefined) return cg.unknown(node, 'unknown rank');
  const axis = normAxis(attrNumber(node, op.axisAttr) ?? op.defaultAxis, rank);
  if (axis !== first.axis) return elementwise(cg, node);
  const parts = node.inputs.filter((n) => n).map((n) => {
    const dim = cg.shapes.get(n)?.shape?.[axis];
    return { name: n, t: cg.tracked.get(n), count: cg.tracked.get(n)?.count ?? (typeof dim === 'number' ? dim : -1) };
  });
  if (parts.some((p) => p.count < 0 || (p.t && p.t.axis !== axis))) return cg.unknown(node, 'inputs with unknown channels');
  const t = cg.track(out, axis, parts.reduce((n, p) => n + p.count, 0));
  let at = 0;
  for (const p of parts) {
    if (p.t) for (let c = 0; c < p.count; c++) cg.union(t.base + at + c, p.t.base + c);
    else cg.pin(out, why(node, `channels from ${p.name} are not followed`), at, at + p.count);
    at += p.count;
  }
}

const pad: Follow<'pad'> = (cg, node, op, x) => {
  const out = node.outputs[0] ?? '';
  const rank = cg.rank(node.inputs[0]!) ?? 0;
  const fromInput = op.padsInput !== undefined && !!node.inputs[op.padsInput];
  const pads = fromInput ? constInts(cg.g.tensors.get(node.inputs[op.padsInput!]!)) : op.padsAttr ? attrInts(node, op.padsAttr) ?? null : null;
  if (!pads || pads.length !== 2 * rank || node.inputs[3]) return cg.pin(node.inputs[0]!, why(node, 'pads are not constant'));
  const [before, after] = op.layout === 'pairs' ? [pads[2 * x.axis]!, pads[2 * x.axis + 1]!] : [pads[x.axis]!, pads[rank + x.axis]!];
  if (before === 0 && after === 0) return void cg.same(x, out);
  const mode = op.modeAttr ? node.attrs[op.modeAttr] : undefined;
  if (op.mirror || (mode?.kind === 'string' && mode.value !== 'constant')) return cg.pin(node.inputs[0]!, why(node, 'channels padded by reflection'));
  // Channel padding is rewritten when channels go, so its pads must be this node's own.
  if (fromInput && !ownInts(cg, node, op.padsInput)) return cg.pin(node.inputs[0]!, why(node, 'channel pads shared with another node'));
  const t = cg.track(out, x.axis, before + x.count + after);
  for (let c = 0; c < x.count; c++) cg.union(t.base + before + c, x.base + c);
  const where = fromInput ? { input: op.padsInput! } : { attr: op.padsAttr! };
  cg.edits.push({ kind: 'pads', node: node.name, ...where, layout: op.layout, rank, axis: x.axis, before, count: x.count, by: out });
};

const reduce: Follow<'reduce'> = (cg, node, op, x) => {
  const fromInput = op.axesInput !== undefined && !!node.inputs[op.axesInput];
  const axes = fromInput ? constInts(cg.g.tensors.get(node.inputs[op.axesInput!]!)) : op.axesAttr ? attrInts(node, op.axesAttr) ?? null : null;
  const rank = cg.rank(node.inputs[0]!) ?? 0;
  const norm = axes?.map((a) => normAxis(a, rank));
  if (!norm || norm.length === 0 || norm.includes(x.axis)) return cg.pin(node.inputs[0]!, why(node, 'reduces over channels'));
  const keep = attrNumber(node, op.keepAttr) ?? (op.keepDefault ? 1 : 0);
  const axis = keep ? x.axis : x.axis - norm.filter((a) => a < x.axis).length;
  cg.same({ ...x, axis }, node.outputs[0] ?? '');
};

const product = (dims: number[]) => dims.reduce((a, b) => a * b, 1);

/** Keeps the channel axis whole (squeeze, [1,1,1,C] -> [1,C]) or flattens to [N, features]. */
const reshape: Follow<'reshape'> = (cg, node, op, x) => {
  const out = node.outputs[0] ?? '';
  const src = cg.shapes.get(node.inputs[0]!)?.shape, dst = cg.shapes.get(out)?.shape;
  const hasShapeInput = op.shapeInput !== undefined && !!node.inputs[op.shapeInput];
  if (!src || !dst || (hasShapeInput && !ownInts(cg, node, op.shapeInput))) return cg.pin(node.inputs[0]!, why(node, 'reshape to a run-time or shared shape'));
  const lead = src[0] !== null && src[0] === dst[0] && x.axis > 0 ? 1 : 0;
  const rin = src.slice(lead), rout = dst.slice(lead);
  if (!rin.every((d): d is number => typeof d === 'number') || !rout.every((d): d is number => typeof d === 'number')) {
    return cg.pin(node.inputs[0]!, why(node, 'reshape with unknown dims'));
  }
  const a = x.axis - lead;
  const pre = product(rin.slice(0, a)), post = product(rin.slice(a + 1));
  const b = rout.findIndex((d, i) => d === x.count && product(rout.slice(0, i)) === pre && product(rout.slice(i + 1)) === post);
  const edit = (index: number) => {
    if (hasShapeInput) cg.edits.push({ kind: 'shape', node: node.name, input: op.shapeInput!, index, by: out });
    if (op.shapeAttr && node.attrs[op.shapeAttr]) cg.edits.push({ kind: 'shape', node: node.name, attr: op.shapeAttr, index, by: out });
  };
  if (b >= 0) {
    cg.same({ ...x, axis: lead + b }, out);
    return edit(lead + b);
  }
  if (lead !== 1 || rout.length !== 1 || rout[0] !== pre * x.count * post) return cg.pin(node.inputs[0]!, why(node, 'reshape mixes channels'));
  // Flatten: feature f of the output is channel (f / post) % C of the input, in the input's layout.
  const t = cg.track(out, 1, rout[0]!);
  for (let f = 0; f < t.count; f++) cg.union(t.base + f, x.base + (Math.floor(f / post) % x.count));
  edit(1);
};

const transpose: Follow<'transpose'> = (cg, node, op, x) => {
  const rank = cg.rank(node.inputs[0]!)!;
  const fromInput = op.permInput !== undefined && !!node.inputs[op.permInput];
  const perm = fromInput ? constInts(cg.g.tensors.get(node.inputs[op.permInput!]!)) : op.permAttr ? attrInts(node, op.permAttr) : undefined;
  const order = perm ?? Array.from({ length: rank }, (_, i) => rank - 1 - i);
  if (order.length !== rank) return cg.pin(node.inputs[0]!, why(node, 'permutation not known'));
  cg.same({ ...x, axis: order.map((a) => normAxis(a, rank)).indexOf(x.axis) }, node.outputs[0] ?? '');
};

export function followChannelOp(cg: ChannelGraph, node: Node, op: ChannelOp): void {
  if (op.kind === 'elementwise') return elementwise(cg, node);
  if (op.kind === 'concat') return concat(cg, node, op);
  const x = cg.tracked.get(node.inputs[0] ?? '');
  node.inputs.forEach((n, i) => i > 0 && cg.pin(n, why(node, `read as a parameter by ${node.op}`)));
  if (!x) return;
  if (cg.rank(node.inputs[0]!) === undefined) return cg.pin(node.inputs[0]!, why(node, 'unknown rank'));
  switch (op.kind) {
    case 'unary': return unary(cg, node, op, x);
    case 'params': return params(cg, node, op, x);
    case 'pad': return pad(cg, node, op, x);
    case 'reduce': return reduce(cg, node, op, x);
    case 'reshape': return reshape(cg, node, op, x);
    case 'transpose': return transpose(cg, node, op, x);
  }
}
