/**
 * ONNX ops built from several TFLite builtins: the losses (NegativeLogLikelihoodLoss,
 * SoftmaxCrossEntropyLoss), GatherElements and LayerNormalization.
 */
import type { DType } from '../../ir/types';
import { type LowerCtx, type Rule, Unsupported } from './context';
import { bool, int } from './builder';

type B = LowerCtx['b'];

function op(b: B, name: string, base: string, ins: string[], dtype: DType, shape: number[], attrs = {}): string {
  const y = b.tmp(`${base}/${name.toLowerCase()}`, dtype, shape);
  b.emit(name, ins, [y], attrs);
  return y;
}

const k = (b: B, base: string, dtype: DType, v: number) => b.constValues(`${base}/k`, dtype, [], [v]);

/** Moves `axis` last (for LOG_SOFTMAX, which works on the last axis) and back. */
function perm(rank: number, axis: number): number[] {
  const p = Array.from({ length: rank }, (_, i) => i);
  p[axis] = rank - 1;
  p[rank - 1] = axis;
  return p;
}

/**
 * -input[n, t, d...] * weight[t] over targets t (0 where t is ignore_index), reduced by
 * `reduction`; mean divides by the summed weights of the counted targets, as ONNX does.
 */
function nll(c: LowerCtx, logp: string, shape: number[], target: Target, weight: string | undefined, out: string): void {
  const b = c.b, base = c.node.name;
  const C = shape[1]!;
  const { t, shape: tshape, dtype: tt } = target;
  const ignore = c.attr('ignore_index');
  let mask: string | null = null, idx = t;
  if (ignore && ignore.kind === 'int') {
    mask = op(b, 'NOT_EQUAL', base, [t, k(b, base, tt, ignore.value)], 'bool', tshape);
    idx = op(b, 'SELECT_V2', base, [mask, t, k(b, base, tt, 0)], tt, tshape);
  }
  const hot = op(b, 'ONE_HOT', base, [idx, b.constValues(`${base}/depth`, 'int32', [], [C]), k(b, base, 'float32', 1), k(b, base, 'float32', 0)], 'float32', shape, { axis: int(1) });
  const picked = op(b, 'SUM', base, [op(b, 'MUL', base, [logp, hot], 'float32', shape), b.int32(`${base}/class_axis`, [1])], 'float32', tshape, { keep_dims: bool(false) });
  let w: string | null = weight ? op(b, 'GATHER', base, [c.v(weight), idx], 'float32', tshape, { axis: int(0) }) : null;
  if (mask) {
    const m = op(b, 'CAST', base, [mask], 'float32', tshape, { in_data_type: { kind: 'string', value: 'BOOL' }, out_data_type: { kind: 'string', value: 'FLOAT32' } });
    w = w ? op(b, 'MUL', base, [w, m], 'float32', tshape) : m;
  }
  const loss = op(b, 'NEG', base, [w ? op(b, 'MUL', base, [picked, w], 'float32', tshape) : picked], 'float32', tshape);
  const reduction = c.string('reduction', 'mean');
  const all = b.int32(`${base}/all_axes`, tshape.map((_, i) => i));
  if (reduction === 'none') return void b.reshape(loss, c.shape(c.node.outputs[0]!), out);
  if (reduction === 'sum') return void b.emit('SUM', [loss, all], [out], { keep_dims: bool(false) }, base);
  if (reduction !== 'mean') throw new Unsupported(`reduction ${reduction}`);
  const total = op(b, 'SUM', base, [loss, all], 'float32', [], { keep_dims: bool(false) });
  const count = w ? op(b, 'SUM', base, [w, all], 'float32', [], { keep_dims: bool(false) }) : k(b, base, 'float32', tshape.reduce((a, x) => a * x, 1));
  b.emit('DIV', [total, count], [out], {}, base);
}

interface Target { t: string; shape: number[]; dtype: DType }

/**
 * The scores [N, C, d1..dk] and target [N, d1..dk], with the spatial dims flattened to one when
 * k > 1: the losses are per position, and 7-D (NCd1..d5) tensors are beyond TFLite kernels.
 */
function flatInputs(c: LowerCtx, x: string, target: string): { x: string; shape: number[]; target: Target } {
  const shape = c.shape(x), tshape = c.shape(target), dtype = c.dtype(target);
  if (shape.length <= 3) return { x: c.v(x), shape, target: { t: c.v(target), shape: tshape, dtype } };
  const d = shape.slice(2).reduce((a, v) => a * v, 1);
  const flat = [shape[0]!, shape[1]!, d];
  return { x: c.b.reshape(c.v(x), flat), shape: flat, target: { t: c.b.reshape(c.v(target), [shape[0]!, d]), shape: [shape[0]!, d], dtype } };
}

const nllLoss: Rule = (c) => {
  const [x, target, weight] = c.node.inputs as [string, string, string | undefined];
  if (c.dtype(x) !== 'float32') throw new Unsupported(`NegativeLogLikelihoodLoss on ${c.dtype(x)}`);
  const f = flatInputs(c, x, target);
  nll(c, f.x, f.shape, f.target, weight || undefined, c.out());
};

const softmaxCrossEntropy: Rule = (c) => {
  const [x, target, weight] = c.node.inputs as [string, string, string | undefined];
  if (c.dtype(x) !== 'float32') throw new Unsupported(`SoftmaxCrossEntropyLoss on ${c.dtype(x)}`);
  const f = flatInputs(c, x, target);
  const shape = f.shape, rank = shape.length, b = c.b, base = c.node.name;
  const p = perm(rank, 1);
  const moved = p.map((i) => shape[i]!);
  const t = rank === 2 ? f.x : b.transpose(f.x, p);
  const ls = op(b, 'LOG_SOFTMAX', base, [t], 'float32', rank === 2 ? shape : moved);
  const logp = b.tmp(`${base}/log_prob`, 'float32', shape);
  if (rank === 2) b.reshape(ls, shape, logp);
  else b.transpose(ls, p, logp);
  if (c.node.outputs[1]) b.reshape(logp, c.shape(c.node.outputs[1]), c.out(1));
  nll(c, logp, shape, f.target, weight || undefined, c.out(0));
};

/** GatherElements: GATHER_ND with the full coordinate of every output element. */
const gatherElements: Rule = (c) => {
  const [x, idxName] = c.node.inputs as [string, string];
  const shape = c.shape(x), ishape = c.shape(idxName), rank = shape.length, b = c.b, base = c.node.name;
  let axis = c.int('axis', 0);
  if (axis < 0) axis += rank;
  const n = ishape.reduce((a, d) => a * d, 1);
  // Index along `axis` (negative counts from the end), as int32.
  let idx = c.v(idxName);
  if (c.dtype(idxName) !== 'int32') idx = op(b, 'CAST', base, [idx], 'int32', ishape, { in_data_type: { kind: 'string', value: c.dtype(idxName).toUpperCase() }, out_data_type: { kind: 'string', value: 'INT32' } });
  const neg = op(b, 'LESS', base, [idx, k(b, base, 'int32', 0)], 'bool', ishape);
  idx = op(b, 'SELECT_V2', base, [neg, op(b, 'ADD', base, [idx, k(b, base, 'int32', shape[axis]!)], 'int32', ishape), idx], 'int32', ishape);
  const parts: string[] = [];
  for (let a = 0; a < rank; a++) {
    if (a === axis) { parts.push(b.reshape(idx, [...ishape, 1])); continue; }
    // The element's own coordinate on axis a: a constant of the output's shape.
    const coord = new Array<number>(n);
    const stride = ishape.slice(a + 1).reduce((p, d) => p * d, 1);
    for (let i = 0; i < n; i++) coord[i] = Math.floor(i / stride) % ishape[a]!;
    parts.push(b.constValues(`${base}/coord${a}`, 'int32', [...ishape, 1], coord));
  }
  const coords = op(b, 'CONCATENATION', base, parts, 'int32', [...ishape, rank], { axis: int(rank) });
  b.emit('GATHER_ND', [c.v(x), coords], [c.out()], {}, base);
};

/** LayerNormalization over axes [axis, rank): (x - mean) / sqrt(var + eps) * scale + bias. */
const layerNorm: Rule = (c) => {
  const [x, scale, bias] = c.node.inputs as [string, string, string | undefined];
  if (c.dtype(x) !== 'float32') throw new Unsupported(`LayerNormalization on ${c.dtype(x)}`);
  const shape = c.shape(x), rank = shape.length, b = c.b, base = c.node.name;
  let axis = c.int('axis', -1);
  if (axis < 0) axis += rank;
  const axes = b.int32(`${base}/axes`, Array.from({ length: rank - axis }, (_, i) => axis + i));
  const kept = shape.map((d, i) => (i >= axis ? 1 : d));
  const v = c.v(x);
  const mean = c.node.outputs[1] ? c.out(1) : b.tmp(`${base}/mean`, 'float32', kept);
  b.emit('MEAN', [v, axes], [mean], { keep_dims: bool(true) });
  const d = op(b, 'SUB', base, [v, mean], 'float32', shape);
  const vr = op(b, 'MEAN', base, [op(b, 'MUL', base, [d, d], 'float32', shape), axes], 'float32', kept, { keep_dims: bool(true) });
  const inv = c.node.outputs[2] ? c.out(2) : b.tmp(`${base}/inv_std`, 'float32', kept);
  b.emit('RSQRT', [op(b, 'ADD', base, [vr, k(b, base, 'float32', c.float('epsilon', 1e-5))], 'float32', kept)], [inv]);
  const normed = op(b, 'MUL', base, [op(b, 'MUL', base, [d, inv], 'float32', shape), c.v(scale)], 'float32', shape);
  if (bias) b.emit('ADD', [normed, c.v(bias)], [c.out(0)], {}, base);
  else b.reshape(normed, c.shape(c.node.outputs[0]!), c.out(0));
};

export const LOSS_RULES: Record<string, Rule> = {
  NegativeLogLikelihoodLoss: nllLoss,
  SoftmaxCrossEntropyLoss: softmaxCrossEntropy,
  GatherElements: gatherElements,
  LayerNormalization: layerNorm,
};
