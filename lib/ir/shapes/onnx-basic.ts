/** ONNX rules: elementwise, unary, logic and reductions (with folding where shapes need it). */
import type { DType, Dim } from '../types';
import { arith, castConst, isIntType, makeConst, mapConst } from './consts';
import type { ConstValue, OpOutput, OpTable, RuleContext } from './types';
import { attrInt, attrInts, attrStr, broadcast, dtypeOf, elementwise, fail, intsOf, isNum, normAxis, sameAsInput, shapeOf } from './util';

/** ONNX TensorProto.DataType codes. */
const ONNX_TYPES: Record<number, DType> = {
  1: 'float32', 2: 'uint8', 3: 'int8', 4: 'uint16', 5: 'int16', 6: 'int32', 7: 'int64', 8: 'string', 9: 'bool',
  10: 'float16', 11: 'float64', 12: 'uint32', 13: 'uint64', 14: 'complex64', 15: 'complex128', 16: 'bfloat16',
  17: 'float8e4m3fn', 18: 'float8e4m3fnuz', 19: 'float8e5m2', 20: 'float8e5m2fnuz', 21: 'uint4', 22: 'int4',
};

export function onnxTypeAttr(c: RuleContext, name: string): DType | null {
  const a = c.attrs[name];
  if (!a) return null;
  if (a.kind === 'dtype') return a.value;
  if (a.kind === 'int') return ONNX_TYPES[a.value] ?? 'unknown';
  return null;
}

/** Every input known: evaluate with broadcasting. */
function fold(c: RuleContext, out: OpOutput, op: (xs: number[]) => number): OpOutput {
  const vals = c.inputs.filter((x) => x).map((x) => x!.value);
  if (vals.length === 0 || vals.some((v) => !v) || !out.dtype) return out;
  const value = mapConst(vals as ConstValue[], out.dtype, op);
  return value ? { ...out, value } : out;
}

function binary(name: string, result?: DType) {
  return (c: RuleContext): OpOutput[] => {
    const out = elementwise(c, result)[0]!;
    const intType = isIntType(c.inputs[0]?.dtype ?? 'float32');
    let op = name;
    if (name === 'mod' && attrInt(c.attrs, 'fmod', 0) === 1) op = 'fmod';
    return [fold(c, out, (xs) => xs.reduce((a, b) => arith(op, a, b, intType)))];
  };
}

function unary(fn?: (x: number) => number, result?: DType) {
  return (c: RuleContext): OpOutput[] => {
    const out: OpOutput = { dtype: result ?? c.inputs[0]?.dtype ?? 'unknown', shape: shapeOf(c, 0) };
    return [fn ? fold(c, out, (xs) => fn(xs[0]!)) : out];
  };
}

/** Axes from the attribute (older opsets) or input `index` (newer); null = not given. */
export function axesOf(c: RuleContext, index: number): number[] | null | 'unknown' {
  const fromAttr = attrInts(c.attrs, 'axes');
  if (fromAttr) return fromAttr;
  const x = c.inputs[index];
  if (!x) return null;
  const v = intsOf(c, index);
  return v ?? 'unknown';
}

function reduce(c: RuleContext, axesInput: number): OpOutput[] {
  const x = c.inputs[0];
  const keep = attrInt(c.attrs, 'keepdims', 1) === 1;
  const s = x?.shape ?? null;
  const dtype = x?.dtype ?? 'unknown';
  if (!s) return [{ dtype, shape: null }];
  const axes = axesOf(c, axesInput);
  if (axes === 'unknown') return [{ dtype, shape: keep ? s.map(() => null) : null }];
  if (!axes || axes.length === 0) {
    if (attrInt(c.attrs, 'noop_with_empty_axes', 0) === 1) return [{ dtype, shape: s }];
    return [{ dtype, shape: keep ? s.map(() => 1) : [] }];
  }
  const set = new Set(axes.map((a) => normAxis(a, s.length)));
  const shape: Dim[] = [];
  s.forEach((d, i) => {
    if (!set.has(i)) shape.push(d);
    else if (keep) shape.push(1);
  });
  return [{ dtype, shape }];
}

function argReduce(c: RuleContext): OpOutput[] {
  const s = shapeOf(c, 0);
  if (!s) return [{ dtype: 'int64', shape: null }];
  const axis = normAxis(attrInt(c.attrs, 'axis', 0), s.length);
  const keep = attrInt(c.attrs, 'keepdims', 1) === 1;
  const shape = keep ? s.map((d, i) => (i === axis ? 1 : d)) : s.filter((_, i) => i !== axis);
  return [{ dtype: 'int64', shape }];
}

const UNARY_PLAIN = [
  'Relu', 'Sigmoid', 'Tanh', 'Exp', 'Log', 'Sin', 'Cos', 'Tan', 'Asin', 'Acos', 'Atan', 'Sinh', 'Cosh', 'Asinh', 'Acosh',
  'Atanh', 'Erf', 'Softplus', 'Softsign', 'Elu', 'Selu', 'LeakyRelu', 'HardSigmoid', 'HardSwish', 'ThresholdedRelu',
  'Celu', 'Mish', 'Gelu', 'Softmax', 'LogSoftmax', 'Hardmax', 'LpNormalization', 'Shrink', 'InstanceNormalization',
  'MeanVarianceNormalization', 'LRN', 'Trilu', 'CumSum', 'Round', 'Sign', 'Clip', 'BitwiseNot', 'Det',
  'GroupNormalization', 'ReverseSequence',
];

function randomLike(c: RuleContext): OpOutput[] {
  return [{ dtype: onnxTypeAttr(c, 'dtype') ?? dtypeOf(c, 0), shape: shapeOf(c, 0) }];
}

/** Einsum: letters name dims; '...' stands for broadcast leading dims; implicit output = letters used once. */
function einsum(c: RuleContext): OpOutput[] {
  const eq = attrStr(c.attrs, 'equation', '').replace(/\s/g, '');
  const dtype = dtypeOf(c, 0);
  const [lhs = '', rhsGiven] = eq.split('->');
  const terms = lhs.split(',');
  const sizes = new Map<string, Dim>();
  const uses = new Map<string, number>();
  const ellipses: Dim[][] = [];
  for (let i = 0; i < terms.length; i++) {
    const s = shapeOf(c, i);
    const term = terms[i]!;
    const letters = term.replace('...', '').split('').filter((l) => l);
    for (const l of letters) uses.set(l, (uses.get(l) ?? 0) + 1);
    if (!s) return [{ dtype, shape: null }];
    const k = term.indexOf('...');
    const ellLen = s.length - letters.length;
    if (ellLen < 0 || (k < 0 && ellLen !== 0)) fail(`term "${term}" does not match rank ${s.length}`);
    const before = k < 0 ? letters.length : term.slice(0, k).length;
    if (k >= 0) ellipses.push(s.slice(before, before + ellLen));
    letters.forEach((l, j) => {
      const d = s[j < before ? j : j + ellLen]!;
      const prev = sizes.get(l);
      sizes.set(l, isNum(prev) && prev !== 1 ? prev : d);
    });
  }
  const ell = ellipses.length > 0 ? broadcast(ellipses) ?? [] : [];
  const rhs = rhsGiven ?? (ellipses.length > 0 ? '...' : '') + [...uses].filter(([, n]) => n === 1).map(([l]) => l).sort().join('');
  const shape: Dim[] = [];
  const k = rhs.indexOf('...');
  const letters = rhs.replace('...', '').split('').filter((l) => l);
  const before = k < 0 ? letters.length : k;
  letters.forEach((l, j) => {
    if (j === before) shape.push(...ell);
    shape.push(sizes.get(l) ?? null);
  });
  if (k >= 0 && before >= letters.length) shape.push(...ell);
  return [{ dtype, shape }];
}

const table: OpTable = {
  Add: binary('add'), Sub: binary('sub'), Mul: binary('mul'), Div: binary('div'), Pow: binary('pow'),
  Mod: binary('mod'), Max: binary('max'), Min: binary('min'), Sum: binary('add'),
  Mean: (c) => elementwise(c),
  Equal: binary('eq', 'bool'), Less: binary('lt', 'bool'), LessOrEqual: binary('le', 'bool'),
  Greater: binary('gt', 'bool'), GreaterOrEqual: binary('ge', 'bool'),
  And: binary('and', 'bool'), Or: binary('or', 'bool'), Xor: (c) => elementwise(c, 'bool'),
  BitShift: (c) => elementwise(c), BitwiseAnd: (c) => elementwise(c), BitwiseOr: (c) => elementwise(c),
  BitwiseXor: (c) => elementwise(c),
  // The slope broadcasts to X (opset 6 allowed a channel-shaped slope numpy rules reject).
  PRelu: sameAsInput,
  Where: (c) => {
    const out = elementwise(c, c.inputs[1]?.dtype ?? c.inputs[2]?.dtype ?? 'unknown')[0]!;
    return [fold(c, out, (xs) => (xs[0] ? xs[1]! : xs[2]!))];
  },
  Identity: (c) => [{ ...sameAsInput(c)[0]!, value: c.inputs[0]?.value ?? null }],
  Neg: unary((x) => -x), Abs: unary(Math.abs), Floor: unary(Math.floor), Ceil: unary(Math.ceil),
  Sqrt: unary(Math.sqrt), Reciprocal: unary((x) => 1 / x), Not: unary((x) => (x ? 0 : 1), 'bool'),
  IsNaN: unary(undefined, 'bool'), IsInf: unary(undefined, 'bool'),
  Cast: (c) => {
    const to = onnxTypeAttr(c, 'to') ?? 'unknown';
    const v = c.inputs[0]?.value;
    return [{ dtype: to, shape: shapeOf(c, 0), value: v && to !== 'unknown' ? castConst(v, to) : null }];
  },
  CastLike: (c) => {
    const to = c.inputs[1]?.dtype ?? 'unknown';
    const v = c.inputs[0]?.value;
    return [{ dtype: to, shape: shapeOf(c, 0), value: v && to !== 'unknown' ? castConst(v, to) : null }];
  },
  Dropout: (c) => [sameAsInput(c)[0]!, { dtype: 'bool', shape: shapeOf(c, 0) }],
  BatchNormalization: (c) => {
    const x = sameAsInput(c)[0]!;
    const s = shapeOf(c, 0);
    const ch: Dim[] = [s && s.length > 1 ? s[1]! : null];
    return [x, { dtype: x.dtype, shape: ch }, { dtype: x.dtype, shape: ch }, { dtype: x.dtype, shape: ch }, { dtype: x.dtype, shape: ch }];
  },
  LayerNormalization: (c) => {
    const x = sameAsInput(c)[0]!;
    const s = shapeOf(c, 0);
    if (!s) return [x, { dtype: 'float32', shape: null }, { dtype: 'float32', shape: null }];
    const axis = normAxis(attrInt(c.attrs, 'axis', -1), s.length);
    const stat = s.map((d, i) => (i < axis ? d : 1));
    const st = onnxTypeAttr(c, 'stash_type') ?? 'float32';
    return [x, { dtype: st, shape: stat }, { dtype: st, shape: stat }];
  },
  ArgMax: argReduce, ArgMin: argReduce,
  Size: (c) => {
    const s = shapeOf(c, 0);
    const n = s && s.every(isNum) ? s.reduce((a, b) => a * b, 1) : null;
    return [{ dtype: 'int64', shape: [], value: n === null ? null : makeConst('int64', [], [n]) }];
  },
  Einsum: einsum,
  Det: (c) => [{ dtype: dtypeOf(c, 0), shape: shapeOf(c, 0)?.slice(0, -2) ?? null }],
  Bernoulli: randomLike, RandomNormalLike: randomLike, RandomUniformLike: randomLike,
};
for (const op of UNARY_PLAIN) table[op] ??= unary();
for (const op of ['ReduceSum', 'ReduceMean', 'ReduceMax', 'ReduceMin', 'ReduceProd', 'ReduceL1', 'ReduceL2',
  'ReduceLogSum', 'ReduceLogSumExp', 'ReduceSumSquare']) {
  table[op] = (c) => reduce(c, 1);
}

export const onnxBasicOps = table;
