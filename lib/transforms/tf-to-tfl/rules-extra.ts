/**
 * TF -> TFLite lowerings for the rest of tfjs-converter's op list that TFLite builtins express
 * (checked op by op against tf.loadGraphModel by lib/verify/tf-op-tests.ts). Here: elementwise
 * math as exact compositions, identity-like ops, shapes and creation ops. rules-extra2.ts: the
 * shared helpers, index and shape ops; rules-extra3.ts: windows and image sampling;
 * rules-extra4.ts: reversing, scans, splits and joins. This table merges them all.
 */
import type { DType } from '../../ir/types';
import { bool, tflTensorType } from '../onnx-to-tfl/builder';
import { broadcastShape } from '../onnx-to-tfl/nd';
import { MATH_RULES } from '../onnx-to-tfl/rules-math';
import { flag, type LowerCtx, type Rule, Unsupported } from './common';
import { constInts, declare, EXTRA2_RULES, know, kv, norm, op } from './rules-extra2';
import { EXTRA3_RULES } from './rules-extra3';
import { EXTRA4_RULES } from './rules-extra4';

const prod = (v: number[]): number => v.reduce((a, b) => a * b, 1);
const x0 = (c: LowerCtx) => c.node.inputs[0]!;
const outShape = (c: LowerCtx) => c.shape(c.node.outputs[0]!);

function needFloat(c: LowerCtx): void {
  const d = c.dtype(x0(c));
  if (d !== 'float32') throw new Unsupported(`${c.node.op.slice(3)} on ${d}`);
}

/** Comparisons: the same builtins as rules-basic, with the output declared bool. */
const compare = (name: string): Rule => (c) => {
  const [a, b] = c.node.inputs as [string, string];
  c.b.emit(name, [c.v(a), c.v(b)], [declare(c, 0, outShape(c), 'bool')], {}, c.node.name);
};

/**
 * expm1 / log1p stay accurate near 0 (|x| < 0.5) by Kahan's trick: with u = exp(x) (or 1 + x)
 * rounded, (u - 1) * x / log(u) (or log(u) * x / (u - 1)) cancels the rounding of u.
 */
function nearZero(c: LowerCtx, kahan: (x: string, u: string) => string, u: (x: string) => string, naive: (u: string) => string): void {
  needFloat(c);
  const s = outShape(c), x = c.v(x0(c));
  const uu = u(x);
  const one = op(c, 'EQUAL', [uu, kv(c, 'float32', 1)], 'bool', s);
  const small = op(c, 'SELECT_V2', [one, x, kahan(x, uu)], 'float32', s);
  const near = op(c, 'LESS', [op(c, 'ABS', [x], 'float32', s), kv(c, 'float32', 0.5)], 'bool', s);
  c.b.emit('SELECT_V2', [near, small, naive(uu)], [c.out()], {}, c.node.name);
}

const f = (c: LowerCtx, name: string, ins: string[]) => op(c, name, ins, 'float32', outShape(c));
const expm1: Rule = (c) => nearZero(c,
  (x, u) => f(c, 'DIV', [f(c, 'MUL', [f(c, 'SUB', [u, kv(c, 'float32', 1)]), x]), f(c, 'LOG', [u])]),
  (x) => f(c, 'EXP', [x]), (u) => f(c, 'SUB', [u, kv(c, 'float32', 1)]));
const log1p: Rule = (c) => nearZero(c,
  (x, u) => f(c, 'DIV', [f(c, 'MUL', [f(c, 'LOG', [u]), x]), f(c, 'SUB', [u, kv(c, 'float32', 1)])]),
  (x) => f(c, 'ADD', [x, kv(c, 'float32', 1)]), (u) => f(c, 'LOG', [u]));

/** TF's DivNoNan: 0 wherever the divisor is 0 (whatever the dividend). */
const divNoNan: Rule = (c) => {
  const [a, b] = c.node.inputs as [string, string];
  const s = outShape(c), dt = c.dtype(a);
  const zero = op(c, 'EQUAL', [c.v(b), kv(c, dt, 0)], 'bool', c.shape(b));
  c.b.emit('SELECT_V2', [zero, kv(c, dt, 0), op(c, 'DIV', [c.v(a), c.v(b)], dt, s)], [c.out()], {}, c.node.name);
};

/** TF1 Select: a rank-1 condition picks whole rows of rank > 1 operands. */
const select: Rule = (c) => {
  const [s, a, b] = c.node.inputs as [string, string, string];
  const cs = c.shape(s), as = c.shape(a);
  let cond = c.v(s);
  if (cs.length === 1 && as.length > 1) cond = c.b.reshape(cond, [cs[0]!, ...as.slice(1).map(() => 1)]);
  c.b.emit('SELECT_V2', [cond, c.v(a), c.v(b)], [declare(c, 0, as, c.dtype(a))], {}, c.node.name);
};

/**
 * a & b from a + b = (a ^ b) + 2 (a & b), on 16-bit halves so no sum overflows int32: the high
 * halves (floor division, sign kept) and the low ones (floor mod, 0..65535) each give their AND.
 */
const bitwiseAnd: Rule = (c) => {
  const [a, b] = c.node.inputs as [string, string];
  if (c.dtype(a) !== 'int32' || c.dtype(b) !== 'int32') throw new Unsupported(`BitwiseAnd of ${c.dtype(a)} (int32 only)`);
  const s = outShape(c);
  const i = (name: string, ins: string[]) => op(c, name, ins, 'int32', s);
  const k = (v: number) => kv(c, 'int32', v);
  const and = (p: string, q: string) => i('FLOOR_DIV', [i('SUB', [i('ADD', [p, q]), i('BITWISE_XOR', [p, q])]), k(2)]);
  const [va, vb] = [full(c, a), full(c, b)];
  const hi = and(i('FLOOR_DIV', [va, k(65536)]), i('FLOOR_DIV', [vb, k(65536)]));
  const lo = and(i('FLOOR_MOD', [va, k(65536)]), i('FLOOR_MOD', [vb, k(65536)]));
  c.b.emit('ADD', [i('MUL', [hi, k(65536)]), lo], [declare(c, 0, s, 'int32')], {}, c.node.name);
};

/** An operand broadcast to the output's shape, for kernels that do not broadcast (ATAN2, BITWISE_XOR). */
function full(c: LowerCtx, name: string): string {
  const s = c.shape(name), o = outShape(c);
  if (s.join() === o.join()) return c.v(name);
  return op(c, 'BROADCAST_TO', [c.v(name), c.b.int32(`${c.node.name}/shape`, o)], c.dtype(name), o);
}

const clip: Rule = (c) => {
  const [x, lo, hi] = c.node.inputs as [string, string, string];
  const m = op(c, 'MAXIMUM', [c.v(x), c.v(lo)], c.dtype(x), outShape(c));
  c.b.emit('MINIMUM', [m, c.v(hi)], [c.out()], {}, c.node.name);
};

const isFinite: Rule = (c) => {
  needFloat(c);
  const a = op(c, 'ABS', [c.v(x0(c))], 'float32', c.shape(x0(c)));
  c.b.emit('LESS', [a, kv(c, 'float32', Infinity)], [declare(c, 0, c.shape(x0(c)), 'bool')], {}, c.node.name);
};

/** Identity-like ops, their outputs' shapes made known for what follows (no shape rule has them). */
const passThrough: Rule = (c) => c.node.outputs.forEach((o, i) => {
  const x = c.node.inputs[i]!;
  know(c, i, c.shape(x), c.dtype(x));
  c.alias(o, c.v(x));
});

/** A value known from static shapes, as the output of an op (see Builder.materialize). */
function constOut(c: LowerCtx, i: number, values: number[], shape: number[], dtype: DType): void {
  const k = c.b.constValues(`${c.node.name}/value`, dtype, shape, values);
  c.b.materialize(k, declare(c, i, shape, dtype));
}

const outType = (c: LowerCtx): DType => { const a = c.attr('out_type'); return a?.kind === 'dtype' && a.value === 'int64' ? 'int64' : 'int32'; };
const shapeOf: Rule = (c) => { const s = c.shape(x0(c)); constOut(c, 0, s, [s.length], outType(c)); };
const shapeN: Rule = (c) => c.node.outputs.forEach((_, i) => { const s = c.shape(c.node.inputs[i]!); constOut(c, i, s, [s.length], outType(c)); });

/** FILL of a constant size with `value` (an input, or a constant of the output's dtype). */
function fill(c: LowerCtx, dims: number[], value: string, dtype: DType): void {
  if (dims.some((d) => d <= 0)) throw new Unsupported('an empty output');
  c.b.emit('FILL', [c.b.int32(`${c.node.name}/dims`, dims), value], [declare(c, 0, dims, dtype)], {}, c.node.name);
}
const tDtype = (c: LowerCtx, key = 'T'): DType => { const a = c.attr(key); return a?.kind === 'dtype' ? a.value : 'float32'; };
const fillRule: Rule = (c) => fill(c, constInts(c, x0(c), 'Fill dims'), c.v(c.node.inputs[1]!), c.dtype(c.node.inputs[1]!));
const filled = (v: number, like: boolean): Rule => (c) => {
  const dtype = like ? c.dtype(x0(c)) : tDtype(c, c.attr('dtype') ? 'dtype' : 'T');
  fill(c, like ? c.shape(x0(c)) : constInts(c, x0(c), 'shape'), kv(c, dtype, v), dtype);
};

/** Range of constant bounds: the values themselves (tfjs steps from start by delta). */
const range: Rule = (c) => {
  const [s, l, d] = c.node.inputs.map((n) => constInts(c, n, 'Range bounds')) as [number[], number[], number[]];
  const [start, limit, delta] = [s[0]!, l[0]!, d[0]!];
  const n = Math.max(0, Math.ceil((limit - start) / delta));
  if (n === 0 || n > 1 << 20) throw new Unsupported(`Range of ${n} values`);
  const dtype = tDtype(c, 'Tidx');
  constOut(c, 0, Array.from({ length: n }, (_, i) => start + i * delta), [n], dtype);
};

/** start + (stop - start) / (num - 1) * i, as tfjs computes it; num must be a constant. */
const linSpace: Rule = (c) => {
  const [start, stop, numName] = c.node.inputs as [string, string, string];
  const num = constInts(c, numName, 'LinSpace num')[0]!;
  if (num < 1) throw new Unsupported('LinSpace of no values');
  const out = declare(c, 0, [num], 'float32');
  const step = op(c, 'DIV', [op(c, 'SUB', [c.v(stop), c.v(start)], 'float32', []), kv(c, 'float32', Math.max(1, num - 1))], 'float32', []);
  const iota = c.b.constValues(`${c.node.name}/iota`, 'float32', [num], Array.from({ length: num }, (_, i) => i));
  c.b.emit('ADD', [c.v(start), op(c, 'MUL', [step, iota], 'float32', [num])], [out], {}, c.node.name);
};

/** Reductions the basic table lacks: All / Any (bool), EuclideanNorm (sqrt of a sum of squares). */
function reduceAxes(c: LowerCtx): { axes: number[]; keep: boolean; shape: number[] } {
  const x = c.shape(x0(c));
  const axes = [...new Set(constInts(c, c.node.inputs[1], 'reduction axes').map((a) => norm(a, x.length)))].sort((a, b) => a - b);
  const keep = flag(c, 'keep_dims');
  return { axes, keep, shape: keep ? x.map((d, i) => (axes.includes(i) ? 1 : d)) : x.filter((_, i) => !axes.includes(i)) };
}
const reduceBool = (name: string): Rule => (c) => {
  const { axes, keep, shape } = reduceAxes(c);
  c.b.emit(name, [c.v(x0(c)), c.b.int32(`${c.node.name}/axes`, axes)], [declare(c, 0, shape, 'bool')], { keep_dims: bool(keep) }, c.node.name);
};
const euclideanNorm: Rule = (c) => {
  needFloat(c);
  const { axes, keep, shape } = reduceAxes(c);
  const x = c.v(x0(c));
  const sq = op(c, 'SUM', [op(c, 'MUL', [x, x], 'float32', c.shape(x0(c))), c.b.int32(`${c.node.name}/axes`, axes)], 'float32', shape, { keep_dims: bool(keep) });
  c.b.emit('SQRT', [sq], [declare(c, 0, shape)], {}, c.node.name);
};

/** tfjs runs Mod as the floored remainder (the divisor's sign), as FLOOR_MOD; TF's own Mod truncates. */
const floorMod: Rule = (c) => {
  const [a, b] = c.node.inputs as [string, string];
  if (!tflTensorType(c.dtype(a))) throw new Unsupported(`Mod of ${c.dtype(a)}`);
  c.b.emit('FLOOR_MOD', [c.v(a), c.v(b)], [c.out()], {}, c.node.name);
};

const fakeQuant: Rule = () => { throw new Unsupported('tfjs runs it as identity while TF / TFLite FAKE_QUANT quantize: converting either way changes results'); };

/** Runs `rule` with the output declared first: elementwise (broadcast) shape, dtype of input 0. */
const sized = (rule: Rule): Rule => (c) => {
  const s = c.node.inputs.slice(0, 2).map((n) => c.shape(n)).reduce<number[] | null>((a, b) => (a ? broadcastShape(a, b) : null), c.shape(x0(c)));
  if (!s) throw new Unsupported('operands that do not broadcast');
  declare(c, 0, s, c.dtype(x0(c)));
  rule(c);
};

const M = MATH_RULES;
export const EXTRA_RULES: Record<string, Rule> = {
  Equal: compare('EQUAL'), NotEqual: compare('NOT_EQUAL'), Greater: compare('GREATER'), GreaterEqual: compare('GREATER_EQUAL'),
  Less: compare('LESS'), LessEqual: compare('LESS_EQUAL'),
  Acos: sized(M.Acos!), Asin: sized(M.Asin!), Atan: sized(M.Atan!), Cosh: sized(M.Cosh!), Sinh: sized(M.Sinh!), Tan: sized(M.Tan!),
  Selu: sized(M.Selu!), Reciprocal: sized(M.Reciprocal!), Softplus: sized(M.Softplus!), Asinh: sized(M.Asinh!), Acosh: sized(M.Acosh!),
  Atanh: sized(M.Atanh!), Erf: sized(M.Erf!),
  IsNan: (c) => { const x = c.v(x0(c)); c.b.emit('NOT_EQUAL', [x, x], [declare(c, 0, c.shape(x0(c)), 'bool')], {}, c.node.name); },
  IsInf: (c) => { declare(c, 0, c.shape(x0(c)), 'bool'); M.IsInf!(c); },
  IsFinite: isFinite, Expm1: sized(expm1), Log1p: sized(log1p), DivNoNan: sized(divNoNan), Mod: sized(floorMod), ClipByValue: sized(clip),
  Atan2: sized((c) => { c.b.emit('ATAN2', [full(c, x0(c)), full(c, c.node.inputs[1]!)], [c.out()], {}, c.node.name); }),
  Select: select, BitwiseAnd: sized(bitwiseAnd),
  PlaceholderWithDefault: passThrough, Print: passThrough, EnsureShape: passThrough, Snapshot: passThrough, IdentityN: passThrough,
  FakeQuantWithMinMaxVars: fakeQuant,
  Shape: shapeOf, ShapeN: shapeN,
  Rank: (c) => constOut(c, 0, [c.shape(x0(c)).length], [], 'int32'),
  Size: (c) => constOut(c, 0, [prod(c.shape(x0(c)))], [], outType(c)),
  Fill: fillRule, Ones: filled(1, false), Zeros: filled(0, false), OnesLike: filled(1, true), ZerosLike: filled(0, true),
  Range: range, LinSpace: linSpace,
  All: reduceBool('REDUCE_ALL'), Any: reduceBool('REDUCE_ANY'), EuclideanNorm: euclideanNorm,
  ...EXTRA2_RULES, ...EXTRA3_RULES, ...EXTRA4_RULES,
};
