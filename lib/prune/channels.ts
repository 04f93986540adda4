/**
 * Follows channels through a graph for structured pruning. Every channel of every tensor whose
 * channels we can follow is one element of a union-find; an op joins the elements that must be
 * removed together (relu: in c = out c; add: every input's c = out c; concat: input i's c = out
 * offset_i + c; flatten: every feature = its channel). A class of elements is one removable
 * channel: removing it drops a filter from each conv / dense that produces it (its sources) and
 * the matching input slice from each layer that reads it (its sinks). A class that reaches an
 * op we cannot follow, a graph output or an excluded layer is pinned with the reason.
 *
 * The walk records edits (slice this constant along this axis by the removed channels of that
 * tensor, rewrite these pads or this shape) that structured.ts applies once channels are chosen.
 */
import type { Graph, Node, Tensor } from '../ir/types';
import { topoOrder } from '../ir/shapes/infer';
import type { ChannelOp, DialectOps, LayerSpec } from './ops';
import { followChannelOp } from './channel-ops';
import { editable, layerWeights, UNREADABLE, type LayerWeight } from './weights';
import { attrNumber, constBehind, normAxis, producers, useCounts } from './util';

export interface Tracked { axis: number; count: number; base: number }

export type Edit =
  /** Slice `tensor` (and the look-through output `via`) along `axis`, dropping the removed channels of `by`. */
  | { kind: 'slice'; tensor: string; via?: string; axis: number; by: string }
  /** Shrink channel padding: `by` is the pad's output, whose first `before` channels are padding. */
  | { kind: 'pads'; node: string; input?: number; attr?: string; layout: 'pairs' | 'begins-ends'; rank: number; axis: number; before: number; count: number; by: string }
  /** Set entry `index` of a shape constant (or attribute) to the new channel count of `by`. */
  | { kind: 'shape'; node: string; input?: number; attr?: string; index: number; by: string }
  /** Set an int attribute to the new channel count of `by` (ONNX depthwise `group`). */
  | { kind: 'count'; node: string; attr: string; by: string };

export interface Source { node: string; op: string; output: string; weight: string; outAxis: number }

export class ChannelGraph {
  readonly parent: number[] = [];
  readonly pins: Array<string | undefined> = [];
  readonly tracked = new Map<string, Tracked>();
  readonly sources: Source[] = [];
  readonly depthwise: Source[] = [];
  readonly sinks: Array<{ node: string; input: string }> = [];
  readonly edits: Edit[] = [];
  /** Layers whose weight cannot be read or sliced. */
  readonly unreadable: string[] = [];
  readonly uses: Map<string, number>;
  readonly made: Map<string, Node>;
  private readonly weights = new Map<string, LayerWeight>();

  constructor(readonly g: Graph, readonly shapes: Map<string, Tensor>, readonly ops: DialectOps, readonly excluded: (n: string) => boolean) {
    this.uses = useCounts(g);
    this.made = producers(g);
    for (const w of layerWeights(g, ops)) if (w.input === ops.layers[w.node.op]?.weights[0]?.input) this.weights.set(w.node.name, w);
  }

  find(x: number): number {
    while (this.parent[x] !== x) {
      const p = this.parent[x]!;
      this.parent[x] = this.parent[p]!;
      x = p;
    }
    return x;
  }

  union(a: number, b: number): void {
    const ra = this.find(a), rb = this.find(b);
    if (ra !== rb) this.parent[rb] = ra;
  }

  track(name: string, axis: number, count: number): Tracked {
    const t = { axis, count, base: this.parent.length };
    for (let i = 0; i < count; i++) { this.parent.push(t.base + i); this.pins.push(undefined); }
    this.tracked.set(name, t);
    return t;
  }

  /** Output channel c of `out` is input channel c of `from`. */
  same(from: Tracked, out: string): Tracked {
    const t = this.track(out, from.axis, from.count);
    for (let c = 0; c < t.count; c++) this.union(t.base + c, from.base + c);
    return t;
  }

  pin(name: string, reason: string, from = 0, to?: number): void {
    const t = this.tracked.get(name);
    if (!t) return;
    for (let c = from; c < (to ?? t.count); c++) this.pins[t.base + c] ??= reason;
  }

  rank(name: string): number | undefined {
    return this.shapes.get(name)?.shape?.length;
  }

  constOf(name: string): { name: string; via?: string } | undefined {
    return constBehind(this.g, name, this.ops.lookThrough, this.made);
  }

  /** Records a slice edit; pins `by` instead when the constant is shared or cannot be sliced. */
  slice(ref: { name: string; via?: string }, axis: number, by: string, node: Node): boolean {
    const t = this.g.tensors.get(ref.name);
    const shared = (this.uses.get(ref.name) ?? 0) > 1 || (ref.via !== undefined && (this.uses.get(ref.via) ?? 0) > 1);
    if (!editable(t) || shared) {
      this.pin(by, `${ref.name} ${shared ? 'is shared with another node' : 'cannot be sliced'} (${node.name})`);
      return false;
    }
    this.edits.push({ kind: 'slice', tensor: ref.name, ...(ref.via ? { via: ref.via } : {}), axis, by });
    return true;
  }

  /** A node we do not follow: whatever channels it reads stay. */
  unknown(node: Node, why = `${node.op} is not followed`): void {
    for (const x of node.inputs) this.pin(x, `${why} (${node.name})`);
  }

  walk(): this {
    for (const node of topoOrder(this.g.nodes)) {
      const spec = this.ops.layers[node.op];
      const op: ChannelOp | undefined = this.ops.channelOps?.[node.op];
      if (spec?.channels) this.layer(node, spec);
      else if (op) followChannelOp(this, node, op);
      else this.unknown(node);
      if (Object.values(node.attrs).some((a) => a.kind === 'graph' || a.kind === 'graphs')) this.unknown(node, 'read by a nested graph');
    }
    for (const o of this.g.outputs) this.pin(o, 'reaches a graph output');
    return this;
  }

  private layer(node: Node, spec: LayerSpec): void {
    const ch = spec.channels!;
    const w = this.weights.get(node.name);
    const [data = '', out = ''] = [node.inputs[0], node.outputs[0]];
    const outRank = this.rank(out), inRank = this.rank(data);
    if (!w) {
      this.unreadable.push(node.name);
      return this.unknown(node, UNREADABLE);
    }
    if (outRank === undefined || (ch.unless && attrNumber(node, ch.unless))) return this.unknown(node);
    node.inputs.forEach((x, i) => i > 0 && this.pin(x, `read as a parameter by ${node.name}`));
    const inT = this.tracked.get(data);
    const group = ch.groupAttr ? attrNumber(node, ch.groupAttr) ?? 1 : 1;
    if (group > 1 && w.shape[1] !== 1) return this.unknown(node, `grouped convolution (group ${group})`);
    const outAxis = normAxis(ch.dataAxis, outRank);
    const count = w.shape[w.outAxis]!;
    if (spec.kind === 'depthwise' || group > 1) {
      if (!inT) return;
      const mult = count / inT.count;
      if (!Number.isInteger(mult) || (group > 1 && group !== inT.count) || normAxis(ch.dataAxis, inRank ?? 0) !== inT.axis) return this.unknown(node, 'depthwise channels do not line up');
      const t = this.track(out, outAxis, count);
      for (let c = 0; c < count; c++) this.union(t.base + c, inT.base + Math.floor(c / mult));
      if (group > 1) this.edits.push({ kind: 'count', node: node.name, attr: ch.groupAttr!, by: data });
      this.depthwise.push({ node: node.name, op: node.op, output: out, weight: w.name, outAxis: w.outAxis });
    } else {
      if (inT) {
        const fits = w.inAxis !== undefined && normAxis(ch.dataAxis, inRank ?? 0) === inT.axis && w.shape[w.inAxis] === inT.count;
        if (!fits) this.pin(data, `${node.name} reads its channels in another layout`);
        else if (this.slice(w, w.inAxis!, data, node)) this.sinks.push({ node: node.name, input: data });
      }
      if (spec.kind === 'dense' && w.shape.length !== 2) return;
      this.track(out, outAxis, count);
      this.sources.push({ node: node.name, op: node.op, output: out, weight: w.name, outAxis: w.outAxis });
    }
    if (this.excluded(node.name)) this.pin(out, `excluded (${node.name})`);
    this.slice(w, w.outAxis, out, node);
    this.bias(node, ch.bias, out, count);
  }

  /** A per-output-channel bias follows its layer; a broadcast (size 1) bias stays. */
  private bias(node: Node, input: number | undefined, out: string, count: number): void {
    const name = input === undefined ? '' : node.inputs[input] ?? '';
    if (!name) return;
    const ref = this.constOf(name);
    const shape = ref && this.g.tensors.get(ref.name)?.shape;
    const last = shape && shape.length > 0 ? shape[shape.length - 1] : 1;
    if (!ref || !shape) this.pin(out, `bias ${name} is not a constant (${node.name})`);
    else if (last === count) this.slice(ref, shape.length - 1, out, node);
    else if (last !== 1) this.pin(out, `bias ${name} does not match the channels (${node.name})`);
  }
}
