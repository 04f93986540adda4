/**
 * Structured (channel) pruning: score every removable channel class (channels.ts) by the L1 / L2
 * norms of the filters that produce it, remove the weakest within each layer's budget
 * (floor(fraction * channels), at least one channel kept), and apply the edits the channel walk
 * recorded so weights, biases, pads, shapes and tensor shapes all shrink.
 */
import type { Graph, Node, Tensor } from '../ir/types';
import { ChannelGraph, type Edit } from './channels';
import type { DialectOps } from './ops';
import { resized, sliceAxis } from './slice';
import { attrInts, constInts, withInts, type Skip } from './util';
import { realValues, UNREADABLE } from './weights';

export interface ChannelOptions {
  /** Fraction of each layer's output channels to remove. */
  fraction: number;
  perLayer?: Record<string, number>;
  criterion: 'l1' | 'l2';
}

export interface LayerChannels {
  node: string; op: string; weight: string; before: number; after: number;
  /** 'filters': a conv / dense layer that loses filters; 'follows': a depthwise layer that loses the channels it reads. */
  role: 'filters' | 'follows';
}

export interface ChannelPlan {
  cg: ChannelGraph;
  /** Removed channel indices of each followed tensor, ascending. */
  removed: Map<string, number[]>;
  layers: LayerChannels[];
  skipped: Skip[];
}

/** Norm of each output-channel filter of a weight. */
function filterNorms(t: Tensor, outAxis: number, l2: boolean): Float64Array {
  const v = realValues(t);
  const shape = t.shape as number[];
  const len = shape[outAxis]!;
  const inner = shape.slice(outAxis + 1).reduce((a, b) => a * b, 1);
  const norms = new Float64Array(len);
  for (let i = 0; i < v.length; i++) {
    const c = Math.floor(i / inner) % len;
    norms[c] = norms[c]! + (l2 ? v[i]! * v[i]! : Math.abs(v[i]!));
  }
  return l2 ? norms.map(Math.sqrt) : norms;
}

function bump<K>(m: Map<K, number>, k: K, n = 1): void {
  m.set(k, (m.get(k) ?? 0) + n);
}

/** Channel classes keyed by union-find root: summed scores, and how many channels of each layer and tensor they hold. */
interface Classes {
  pinned: Map<number, string>;
  score: Map<number, number>;
  layers: Map<number, Map<number, number>>;
  tensors: Map<number, Map<string, number>>;
}

function classes(g: Graph, cg: ChannelGraph, l2: boolean): Classes {
  const c: Classes = { pinned: new Map(), score: new Map(), layers: new Map(), tensors: new Map() };
  cg.pins.forEach((p, e) => p && !c.pinned.has(cg.find(e)) && c.pinned.set(cg.find(e), p));
  cg.sources.forEach((s, i) => {
    const t = cg.tracked.get(s.output)!;
    const norms = filterNorms(g.tensors.get(s.weight)!, s.outAxis, l2);
    // Norms relative to the layer's mean filter, so layers of different scale weigh alike in a class.
    const scale = norms.reduce((a, b) => a + b, 0) / norms.length || 1;
    for (let ch = 0; ch < t.count; ch++) {
      const r = cg.find(t.base + ch);
      bump(c.score, r, norms[ch]! / scale);
      if (!c.layers.has(r)) c.layers.set(r, new Map());
      bump(c.layers.get(r)!, i);
    }
  });
  for (const [name, t] of cg.tracked) {
    for (let ch = 0; ch < t.count; ch++) {
      const r = cg.find(t.base + ch);
      if (!c.tensors.has(r)) c.tensors.set(r, new Map());
      bump(c.tensors.get(r)!, name);
    }
  }
  return c;
}

/**
 * Layer by layer in graph order, weakest class first (mean relative norm over the filters that
 * produce it: the summed norm's ranking when a group's classes all have the same producers, and
 * fair to the classes channel padding gives fewer). A class joins when every layer it spans has
 * budget left and no tensor would lose its last channel, so a class spanning a residual chain is
 * chosen by the chain's first layer, and later layers fill their own budgets with their own.
 */
function choose(cg: ChannelGraph, c: Classes, budget: number[]): { chosen: Set<number>; taken: number[] } {
  const chosen = new Set<number>();
  const taken = cg.sources.map(() => 0);
  const left = new Map([...cg.tracked].map(([n, t]) => [n, t.count]));
  const own = cg.sources.map(() => [] as number[]);
  for (const [r, layers] of c.layers) for (const i of layers.keys()) own[i]!.push(r);
  const mean = (r: number) => c.score.get(r)! / [...c.layers.get(r)!.values()].reduce((a, b) => a + b, 0);
  own.forEach((roots, li) => {
    const open = roots.filter((r) => !c.pinned.has(r) && !chosen.has(r)).sort((a, b) => mean(a) - mean(b) || a - b);
    for (const r of open) {
      if (taken[li]! >= budget[li]!) break;
      const layers = [...c.layers.get(r)!], tensors = [...c.tensors.get(r)!];
      if (layers.some(([i, n]) => taken[i]! + n > budget[i]!) || tensors.some(([name, n]) => left.get(name)! - n < 1)) continue;
      chosen.add(r);
      for (const [i, n] of layers) taken[i] = taken[i]! + n;
      for (const [name, n] of tensors) bump(left, name, -n);
    }
  });
  return { chosen, taken };
}

export function planChannels(g: Graph, shapes: Map<string, Tensor>, ops: DialectOps, opts: ChannelOptions, excluded: (n: string) => boolean): ChannelPlan {
  const cg = new ChannelGraph(g, shapes, ops, excluded).walk();
  const c = classes(g, cg, opts.criterion === 'l2');
  const budget = cg.sources.map((s) => {
    const count = cg.tracked.get(s.output)!.count;
    return Math.max(0, Math.min(count - 1, Math.floor((opts.perLayer?.[s.node] ?? opts.fraction) * count)));
  });
  const { chosen, taken } = choose(cg, c, budget);
  const removed = new Map<string, number[]>();
  for (const [name, t] of cg.tracked) {
    const gone: number[] = [];
    for (let ch = 0; ch < t.count; ch++) if (chosen.has(cg.find(t.base + ch))) gone.push(ch);
    if (gone.length) removed.set(name, gone);
  }
  const layers = [...cg.sources, ...cg.depthwise].map((s, i): LayerChannels => {
    const before = cg.tracked.get(s.output)!.count;
    const role = i < cg.sources.length ? 'filters' : 'follows';
    return { node: s.node, op: s.op, weight: s.weight, before, after: before - (removed.get(s.output)?.length ?? 0), role };
  });
  const skipped: Skip[] = cg.unreadable.map((node) => ({ node, reason: UNREADABLE }));
  cg.sources.forEach((s, i) => {
    if (taken[i]! > 0) return;
    const t = cg.tracked.get(s.output)!;
    const reasons = Array.from({ length: t.count }, (_, ch) => c.pinned.get(cg.find(t.base + ch)));
    const reason = reasons.every((x) => x) ? reasons[0]! : budget[i] === 0 ? 'too few channels' : 'its channels are tied to layers with no budget left';
    skipped.push({ node: s.node, reason });
  });
  return { cg, removed, layers, skipped };
}

/** The graph with the plan's channels removed; untouched tensors and nodes are shared. */
export function applyPlan(g: Graph, plan: ChannelPlan): Graph {
  const tensors = new Map(g.tensors);
  const nodes = new Map<string, Node>();
  const gone = (by: string) => plan.removed.get(by) ?? [];
  const kept = (by: string) => plan.cg.tracked.get(by)!.count - gone(by).length;
  /** Rewrites a node's integer input or attribute through `f`. */
  const rewrite = (e: { node: string; input?: number; attr?: string }, f: (v: number[]) => number[]) => {
    const node = nodes.get(e.node) ?? g.nodes.find((n) => n.name === e.node)!;
    if (e.input !== undefined) {
      const t = tensors.get(node.inputs[e.input]!)!;
      tensors.set(t.name, withInts(t, f(constInts(t)!)));
    } else {
      nodes.set(node.name, { ...node, attrs: { ...node.attrs, [e.attr!]: { kind: 'ints', value: f(attrInts(node, e.attr!)!) } } });
    }
  };
  const apply: { [K in Edit['kind']]: (e: Extract<Edit, { kind: K }>) => void } = {
    slice: (e) => {
      const drop = new Set(gone(e.by));
      const keep = Array.from({ length: plan.cg.tracked.get(e.by)!.count }, (_, c) => c).filter((c) => !drop.has(c));
      tensors.set(e.tensor, sliceAxis(tensors.get(e.tensor)!, e.axis, keep));
      if (e.via) tensors.set(e.via, { ...tensors.get(e.via)!, shape: resized(tensors.get(e.via)!.shape, e.axis, keep.length) });
    },
    pads: (e) => {
      const after = plan.cg.tracked.get(e.by)!.count - e.before - e.count;
      const lost = gone(e.by);
      const before = e.before - lost.filter((c) => c < e.before).length;
      const end = after - lost.filter((c) => c >= e.before + e.count).length;
      const [bi, ei] = e.layout === 'pairs' ? [2 * e.axis, 2 * e.axis + 1] : [e.axis, e.rank + e.axis];
      rewrite(e, (v) => v.map((x, i) => (i === bi ? before : i === ei ? end : x)));
    },
    shape: (e) => rewrite(e, (v) => v.map((x, i) => (i === e.index && x > 0 ? kept(e.by) : x))),
    count: (e) => {
      const node = nodes.get(e.node) ?? g.nodes.find((n) => n.name === e.node)!;
      nodes.set(node.name, { ...node, attrs: { ...node.attrs, [e.attr]: { kind: 'int', value: kept(e.by) } } });
    },
  };
  for (const e of plan.cg.edits) if (gone(e.by).length) (apply[e.kind] as (e: Edit) => void)(e);
  for (const name of plan.removed.keys()) {
    const t = tensors.get(name)!;
    tensors.set(name, { ...t, shape: resized(t.shape, plan.cg.tracked.get(name)!.axis, kept(name)) });
  }
  return { ...g, nodes: g.nodes.map((n) => nodes.get(n.name) ?? n), tensors };
}
