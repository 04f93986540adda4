/**
 * ONNX activations, trig and reductions that TFLite has no single builtin for, as short exact
 * compositions of builtins (each written so it stays finite where the naive formula overflows).
 */
import type { DType } from '../../ir/types';
import { type LowerCtx, type Rule, Unsupported } from './context';
import { bool } from './builder';

/** A small expression builder over one node: every step a tfl op into a fresh temporary. */
class Ex {
  private readonly dtype: DType;
  private readonly shape: number[];
  constructor(private readonly c: LowerCtx, like = c.node.outputs[0]!) {
    this.dtype = c.dtype(c.node.inputs[0]!);
    this.shape = c.shape(like);
  }
  k(v: number): string {
    return this.c.b.constValues(`${this.c.node.name}/k`, this.dtype, [], [v]);
  }
  op(name: string, ins: string[], opts: { shape?: number[]; dtype?: DType; attrs?: Parameters<LowerCtx['b']['emit']>[3] } = {}): string {
    const y = this.c.b.tmp(`${this.c.node.name}/${name.toLowerCase()}`, opts.dtype ?? this.dtype, opts.shape ?? this.shape);
    this.c.b.emit(name, ins, [y], opts.attrs ?? {});
    return y;
  }
  /** The last step writes the ONNX output. */
  final(name: string, ins: string[], attrs: Parameters<LowerCtx['b']['emit']>[3] = {}): void {
    this.c.b.emit(name, ins, [this.c.out()], attrs, this.c.node.name);
  }
}

const x0 = (c: LowerCtx) => c.v(c.node.inputs[0]!);

/** y = f(x) built from a few builtins; `final` gets the last op. */
function compose(build: (e: Ex, x: string, c: LowerCtx) => [string, string[]]): Rule {
  return (c) => {
    if (c.dtype(c.node.inputs[0]!) !== 'float32') throw new Unsupported(`${c.node.op} on ${c.dtype(c.node.inputs[0]!)}`);
    const e = new Ex(c);
    const [op, ins] = build(e, x0(c), c);
    e.final(op, ins);
  };
}

/** exp(min(x, 0)) - 1: the negative branch of ELU-like ops, finite for every x. */
const expm1Neg = (e: Ex, x: string, scale = 1): string => {
  const m = e.op('MINIMUM', [scale === 1 ? x : e.op('MUL', [x, e.k(1 / scale)]), e.k(0)]);
  return e.op('SUB', [e.op('EXP', [m]), e.k(1)]);
};

/** log(1 + exp(x)) = max(x, 0) + log(1 + exp(-|x|)). */
const softplus = (e: Ex, x: string): [string, string[]] => [
  'ADD', [e.op('RELU', [x]), e.op('LOG', [e.op('ADD', [e.op('EXP', [e.op('NEG', [e.op('ABS', [x])])]), e.k(1)])])],
];

/** erf by Abramowitz & Stegun 7.1.26 (|error| < 1.5e-7), sign restored. */
function erf(e: Ex, x: string): [string, string[]] {
  const a = e.op('ABS', [x]);
  const t = e.op('DIV', [e.k(1), e.op('ADD', [e.op('MUL', [a, e.k(0.3275911)]), e.k(1)])]);
  let p = e.k(1.061405429);
  for (const coef of [-1.453152027, 1.421413741, -0.284496736, 0.254829592]) p = e.op('ADD', [e.op('MUL', [p, t]), e.k(coef)]);
  p = e.op('MUL', [p, t]);
  const g = e.op('EXP', [e.op('NEG', [e.op('MUL', [a, a])])]);
  const y = e.op('SUB', [e.k(1), e.op('MUL', [p, g])]);
  return ['MUL', [y, e.op('SIGN', [x])]];
}

export const MATH_RULES: Record<string, Rule> = {
  Reciprocal: compose((e, x) => ['DIV', [e.k(1), x]]),
  Softsign: compose((e, x) => ['DIV', [x, e.op('ADD', [e.op('ABS', [x]), e.k(1)])]]),
  Softplus: compose((e, x) => softplus(e, x)),
  Mish: compose((e, x) => { const [op, ins] = softplus(e, x); return ['MUL', [x, e.op('TANH', [e.op(op, ins)])]]; }),
  HardSigmoid: compose((e, x, c) => {
    const lin = e.op('ADD', [e.op('MUL', [x, e.k(c.float('alpha', 0.2))]), e.k(c.float('beta', 0.5))]);
    return ['MINIMUM', [e.op('MAXIMUM', [lin, e.k(0)]), e.k(1)]];
  }),
  Elu: compose((e, x, c) => {
    const alpha = c.float('alpha', 1);
    if (alpha === 1) return ['ELU', [x]];
    return ['ADD', [e.op('RELU', [x]), e.op('MUL', [expm1Neg(e, x), e.k(alpha)])]];
  }),
  Selu: compose((e, x, c) => {
    const alpha = c.float('alpha', 1.67326319217681884765625), gamma = c.float('gamma', 1.05070102214813232421875);
    return ['MUL', [e.op('ADD', [e.op('RELU', [x]), e.op('MUL', [expm1Neg(e, x), e.k(alpha)])]), e.k(gamma)]];
  }),
  Celu: compose((e, x, c) => {
    const alpha = c.float('alpha', 1);
    return ['ADD', [e.op('RELU', [x]), e.op('MUL', [expm1Neg(e, x, alpha), e.k(alpha)])]];
  }),
  ThresholdedRelu: compose((e, x, c) => {
    const mask = e.op('GREATER', [x, e.k(c.float('alpha', 1))], { dtype: 'bool' });
    return ['SELECT_V2', [mask, x, e.k(0)]];
  }),
  Shrink: compose((e, x, c) => {
    const lambd = c.float('lambd', 0.5), bias = c.float('bias', 0);
    const lo = e.op('LESS', [x, e.k(-lambd)], { dtype: 'bool' });
    const hi = e.op('GREATER', [x, e.k(lambd)], { dtype: 'bool' });
    const inner = e.op('SELECT_V2', [hi, e.op('SUB', [x, e.k(bias)]), e.k(0)]);
    return ['SELECT_V2', [lo, e.op('ADD', [x, e.k(bias)]), inner]];
  }),
  Erf: compose((e, x) => erf(e, x)),
  Tan: compose((e, x) => ['DIV', [e.op('SIN', [x]), e.op('COS', [x])]]),
  Sinh: compose((e, x) => ['MUL', [e.op('SUB', [e.op('EXP', [x]), e.op('EXP', [e.op('NEG', [x])])]), e.k(0.5)]]),
  Cosh: compose((e, x) => ['MUL', [e.op('ADD', [e.op('EXP', [x]), e.op('EXP', [e.op('NEG', [x])])]), e.k(0.5)]]),
  Asin: compose((e, x) => ['ATAN2', [x, e.op('SQRT', [e.op('SUB', [e.k(1), e.op('MUL', [x, x])])])]]),
  Acos: compose((e, x) => ['ATAN2', [e.op('SQRT', [e.op('SUB', [e.k(1), e.op('MUL', [x, x])])]), x]]),
  Atan: compose((e, x) => ['ATAN2', [x, e.op('ADD', [e.op('MUL', [x, e.k(0)]), e.k(1)])]]),
  Asinh: compose((e, x) => ['LOG', [e.op('ADD', [x, e.op('SQRT', [e.op('ADD', [e.op('MUL', [x, x]), e.k(1)])])])]]),
  Acosh: compose((e, x) => ['LOG', [e.op('ADD', [x, e.op('SQRT', [e.op('SUB', [e.op('MUL', [x, x]), e.k(1)])])])]]),
  Atanh: compose((e, x) => ['MUL', [e.op('LOG', [e.op('DIV', [e.op('ADD', [e.k(1), x]), e.op('SUB', [e.k(1), x])])]), e.k(0.5)]]),
  IsNaN: (c) => { c.b.emit('NOT_EQUAL', [x0(c), x0(c)], [c.out()], {}, c.node.name); },
  IsInf: (c) => {
    const e = new Ex(c);
    const pos = c.int('detect_positive', 1) === 1, neg = c.int('detect_negative', 1) === 1;
    const x = x0(c);
    if (pos && neg) return e.final('EQUAL', [e.op('ABS', [x], { dtype: 'float32' }), e.k(Infinity)]);
    if (!pos && !neg) return e.final('LESS', [x, e.k(-Infinity)]); // detects nothing: always false
    e.final('EQUAL', [x, e.k(pos ? Infinity : -Infinity)]);
  },
  Mean: (c) => {
    const ins = c.node.inputs.filter(Boolean);
    const e = new Ex(c);
    let acc = c.v(ins[0]!);
    for (let i = 1; i < ins.length; i++) acc = e.op('ADD', [acc, c.v(ins[i]!)]);
    e.final('MUL', [acc, e.k(1 / ins.length)]);
  },
};

/** ReduceL1 / L2 / SumSquare / LogSum / LogSumExp as SUM over a transformed input. */
function reduceWith(kind: 'L1' | 'L2' | 'SumSquare' | 'LogSum' | 'LogSumExp'): Rule {
  return (c) => {
    const x = c.node.inputs[0]!;
    const shape = c.shape(x);
    const rank = shape.length;
    let axes = c.ints('axes') ?? (c.node.inputs[1] ? c.constNumbers(c.node.inputs[1]) : null);
    if (c.node.inputs[1] && !axes) throw new Unsupported('reduction axes computed at run time');
    if (!axes || axes.length === 0) {
      if (c.int('noop_with_empty_axes', 0) && kind !== 'LogSumExp') throw new Unsupported('noop_with_empty_axes');
      axes = Array.from({ length: rank }, (_, i) => i);
    }
    axes = [...new Set(axes.map((a) => (a < 0 ? a + rank : a)))].sort((a, b) => a - b);
    const keep = c.int('keepdims', 1) === 1;
    const e = new Ex(c, x);
    const kept = shape.map((d, i) => (axes!.includes(i) ? 1 : d));
    const axesT = c.b.int32(`${c.node.name}/axes`, axes);
    const sum = (v: string, final: boolean, op = 'SUM'): string | void => {
      if (final) return void c.b.emit(op, [v, axesT], [c.out()], { keep_dims: bool(keep) }, c.node.name);
      return e.op(op, [v, axesT], { shape: kept, attrs: { keep_dims: bool(true) } });
    };
    const v = c.v(x);
    if (kind === 'L1') return void sum(e.op('ABS', [v]), true);
    if (kind === 'SumSquare') return void sum(e.op('MUL', [v, v]), true);
    const out = new Ex(c);
    if (kind === 'L2') return out.final('SQRT', [reshapeKept(c, sum(e.op('MUL', [v, v]), false) as string, keep)]);
    if (kind === 'LogSum') return out.final('LOG', [reshapeKept(c, sum(v, false) as string, keep)]);
    // log(sum(exp(x - max))) + max, with max kept for broadcasting.
    const m = e.op('REDUCE_MAX', [v, axesT], { shape: kept, attrs: { keep_dims: bool(true) } });
    const s = e.op('SUM', [e.op('EXP', [e.op('SUB', [v, m])]), axesT], { shape: kept, attrs: { keep_dims: bool(true) } });
    const l = e.op('ADD', [e.op('LOG', [s], { shape: kept }), m], { shape: kept });
    c.b.reshape(l, c.shape(c.node.outputs[0]!), c.out());
  };
}

/** A keep-dims reduction result reshaped to the ONNX output's shape when keepdims is 0. */
function reshapeKept(c: LowerCtx, y: string, keep: boolean): string {
  if (keep) return y;
  return c.b.reshape(y, c.shape(c.node.outputs[0]!));
}

/** ArgMax / ArgMin with keepdims and select_last_index (the last hit: reverse, then flip index). */
function argRule(op: 'ARG_MAX' | 'ARG_MIN'): Rule {
  return (c) => {
    const x = c.node.inputs[0]!;
    const shape = c.shape(x);
    let axis = c.int('axis', 0);
    if (axis < 0) axis += shape.length;
    const last = c.int('select_last_index', 0) === 1;
    const outShape = shape.filter((_, i) => i !== axis);
    const outType = c.dtype(c.node.outputs[0]!);
    let v = c.v(x);
    if (last) {
      const r = c.b.tmp(`${c.node.name}/reversed`, c.dtype(x), shape);
      c.b.emit('REVERSE_V2', [v, c.b.int32(`${c.node.name}/axis`, [axis])], [r]);
      v = r;
    }
    let idx = c.b.tmp(`${c.node.name}/index`, outType, outShape);
    c.b.emit(op, [v, c.b.int32(`${c.node.name}/dim`, [axis])], [idx], { output_type: { kind: 'string', value: outType === 'int64' ? 'INT64' : 'INT32' } });
    if (last) {
      const f = c.b.tmp(`${c.node.name}/flipped`, outType, outShape);
      c.b.emit('SUB', [c.b.constValues(`${c.node.name}/last`, outType, [], [shape[axis]! - 1]), idx], [f]);
      idx = f;
    }
    c.b.reshape(idx, c.shape(c.node.outputs[0]!), c.out());
  };
}

export const REDUCE_RULES: Record<string, Rule> = {
  ReduceL1: reduceWith('L1'), ReduceL2: reduceWith('L2'), ReduceSumSquare: reduceWith('SumSquare'),
  ReduceLogSum: reduceWith('LogSum'), ReduceLogSumExp: reduceWith('LogSumExp'),
  ArgMax: argRule('ARG_MAX'), ArgMin: argRule('ARG_MIN'),
};

