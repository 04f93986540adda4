/**
 * Which precision each node of a float `tfl` graph computes in: the user's per-layer choices
 * (mixed precision) first, then what the op's kernels support, then whether calibration gave the
 * ranges it needs. A node that cannot run integer stays float, with the reason reported.
 */
import type { Graph, Node, Tensor } from '../ir/types';
import { dataInputs, quantInfo } from './op-table';
import type { LayerPrecision, QuantizeOptions, QuantizedNode, Range } from './types';

/**
 * An exact node name, or `/regex/flags`. Converted ONNX names look like `/conv1/Conv` or
 * `/MaxPool_1_output_0/pool`, so a name always matches itself, and only real flags
 * (dgimsuvy) make a pattern: `/MaxPool_1_output_0/pool` is a name, not a regex with flags "pool".
 */
export function layerMatcher(match: string): (name: string) => boolean {
  const m = /^\/(.*)\/([dgimsuvy]*)$/s.exec(match);
  if (!m) return (name) => name === match;
  let re: RegExp;
  try {
    re = new RegExp(m[1]!, m[2]);
  } catch (e) {
    throw new Error(`layer pattern ${match} is not a valid regular expression: ${(e as Error).message}`);
  }
  return (name) => name === match || re.test(name);
}

export function userPrecision(options: QuantizeOptions): (node: Node) => LayerPrecision | undefined {
  const rules = (options.layers ?? []).map((r) => ({ test: layerMatcher(r.match), precision: r.precision }));
  return (node) => rules.find((r) => r.test(node.name))?.precision;
}

const isFloat = (t: Tensor | undefined): boolean => t?.dtype === 'float32';
const isConst = (t: Tensor | undefined): boolean => !!t && (!!t.data || !!t.isConstant);

/** Why `node` cannot run at `p`, or null when it can. */
function obstacle(node: Node, g: Graph, p: 'int8' | 'int16', ranges: Record<string, Range>): string | null {
  const info = quantInfo(node.op);
  if (!info) return `${node.op.slice(4)} has no integer kernel in TFLite`;
  if (p === 'int16' && !info.int16) return `${node.op.slice(4)} has no 16x8 kernel in TFLite`;
  if (node.custom) return 'custom op';
  const get = (n: string) => (n === '' ? undefined : g.tensors.get(n));
  for (const i of dataInputs(info, node.inputs.length)) {
    const t = get(node.inputs[i]!);
    if (!t) continue;
    if (!isFloat(t)) return `input ${t.name} is ${t.dtype}, not float32`;
    if (!isConst(t) && !ranges[t.name]) return `no calibration range for input ${t.name}`;
  }
  if (info.weight) {
    const w = get(node.inputs[info.weight.input] ?? '');
    if (!w || !w.data || !isFloat(w)) return 'weights are not a float32 constant';
    if (w.sparsity) return 'weights are stored sparse';
  }
  if (info.bias !== undefined) {
    const b = get(node.inputs[info.bias] ?? '');
    if (b && (!b.data || !isFloat(b))) return 'bias is not a float32 constant';
  }
  for (const o of node.outputs) {
    const t = get(o);
    if (!t) continue;
    if (!isFloat(t)) return `output ${o} is ${t.dtype}, not float32`;
    if (!info.output && !ranges[o]) return `no calibration range for output ${o}`;
  }
  return null;
}

/** Precision per node of graph 0 for an int8 or int16x8 model. */
export function choosePrecisions(g: Graph, options: QuantizeOptions): Map<Node, QuantizedNode> {
  const base: LayerPrecision = options.mode === 'int16x8' ? 'int16' : 'int8';
  const ranges = options.ranges ?? {};
  const pick = userPrecision(options);
  const out = new Map<Node, QuantizedNode>();
  for (const node of g.nodes) {
    const asked = pick(node);
    const entry: QuantizedNode = { node: node.name, op: node.op, precision: 'float' };
    if (asked === 'float') entry.reason = 'kept float (your choice)';
    else {
      const want = asked ?? base;
      const why = obstacle(node, g, want as 'int8' | 'int16', ranges);
      if (!why) entry.precision = want;
      else if (want === 'int16' && !obstacle(node, g, 'int8', ranges)) {
        // A sensitive layer whose op has no 16x8 kernel is better int8 than float.
        entry.precision = 'int8';
        entry.reason = `${why}; int8 instead`;
      } else entry.reason = why;
    }
    out.set(node, entry);
  }
  return out;
}
