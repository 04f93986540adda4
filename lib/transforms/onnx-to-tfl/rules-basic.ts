/** Lowering of the layout-agnostic ONNX ops: elementwise math, shapes, reductions, casts. */
import type { AttrValue, DType } from '../../ir/types';
import { type LowerCtx, type Rule, Unsupported } from './context';
import { bool, flt, int, str, tflTensorType } from './builder';
import { size } from './nd';

/** One input -> one tfl op without options (shared with tf-to-tfl). */
export function unary(op: string): Rule {
  return (c) => { c.b.emit(op, [c.v(c.node.inputs[0]!)], [c.out()], {}, c.node.name); };
}

/** Two inputs -> one tfl op without options (shared with tf-to-tfl). */
export function binary(op: string): Rule {
  return (c) => {
    const [a, b] = c.node.inputs as [string, string];
    c.b.emit(op, [c.v(a), c.v(b)], [c.out()], {}, c.node.name);
  };
}

/** Max/Min/Sum/Mean take any number of inputs in ONNX; TFLite ops take two. */
function variadic(op: 'MAXIMUM' | 'MINIMUM' | 'ADD'): Rule {
  return (c) => {
    const ins = c.node.inputs.filter(Boolean);
    if (ins.length === 1) return c.alias(c.node.outputs[0]!, c.v(ins[0]!));
    let acc = c.v(ins[0]!);
    for (let i = 1; i < ins.length; i++) {
      const last = i === ins.length - 1;
      const y = last ? c.out() : c.b.tmp(`${c.node.name}/partial`, c.dtype(ins[0]!), c.shape(c.node.outputs[0]!));
      c.b.emit(op, [acc, c.v(ins[i]!)], [y], {}, last ? c.node.name : undefined);
      acc = y;
    }
  };
}

/** Pow by a constant 2 or 0.5 is a MUL or SQRT: faster and in every runtime. */
const pow: Rule = (c) => {
  const [x, e] = c.node.inputs as [string, string];
  const ev = c.constNumbers(e);
  if (ev && ev.length === 1 && ev[0] === 2) return void c.b.emit('MUL', [c.v(x), c.v(x)], [c.out()], {}, c.node.name);
  if (ev && ev.length === 1 && ev[0] === 0.5) return void c.b.emit('SQRT', [c.v(x)], [c.out()], {}, c.node.name);
  if (ev && ev.length === 1 && ev[0] === 1) return c.alias(c.node.outputs[0]!, c.v(x));
  const bt = c.dtype(x), et = c.dtype(e);
  if (bt === et) return void c.b.emit('POW', [c.v(x), c.v(e)], [c.out()], {}, c.node.name);
  // Mixed types (ONNX allows any): compute in float32, the result in the base's type.
  const f32 = (name: string): string => {
    if (c.dtype(name) === 'float32') return c.v(name);
    const y = c.b.tmp(`${name}/float`, 'float32', c.shape(name));
    c.b.emit('CAST', [c.v(name)], [y], { in_data_type: str(tflTensorType(c.dtype(name))!), out_data_type: str('FLOAT32') });
    return y;
  };
  if (!tflTensorType(bt) || !tflTensorType(et)) throw new Unsupported(`Pow of ${bt} by ${et}`);
  if (bt === 'float32') return void c.b.emit('POW', [c.v(x), f32(e)], [c.out()], {}, c.node.name);
  const y = c.b.tmp(`${c.node.name}/float`, 'float32', c.shape(c.node.outputs[0]!));
  c.b.emit('POW', [f32(x), f32(e)], [y]);
  c.b.emit('CAST', [y], [c.out()], { in_data_type: str('FLOAT32'), out_data_type: str(tflTensorType(bt)!) }, c.node.name);
};

type Bound = { kind: 'none' } | { kind: 'const'; value: number } | { kind: 'tensor'; name: string };

function clipBound(c: LowerCtx, k: 1 | 2, attr: string): Bound {
  if (c.opset < 11) {
    const a = c.attr(attr);
    return a && (a.kind === 'float' || a.kind === 'int') ? { kind: 'const', value: a.value } : { kind: 'none' };
  }
  const name = c.node.inputs[k];
  if (!name) return { kind: 'none' };
  const v = c.constNumbers(name);
  if (!v) return { kind: 'tensor', name };
  return Number.isFinite(v[0]) ? { kind: 'const', value: v[0]! } : { kind: 'none' };
}

const clip: Rule = (c) => {
  const x = c.node.inputs[0]!;
  const lo = clipBound(c, 1, 'min'), hi = clipBound(c, 2, 'max');
  const lv = lo.kind === 'const' ? lo.value : lo.kind === 'none' ? '-' : '?';
  const hv = hi.kind === 'const' ? hi.value : hi.kind === 'none' ? '-' : '?';
  const fused: Record<string, string> = { '0,-': 'RELU', '0,6': 'RELU6', '-1,1': 'RELU_N1_TO_1' };
  const f = fused[`${lv},${hv}`];
  if (f && c.dtype(x) === 'float32') return void c.b.emit(f, [c.v(x)], [c.out()], {}, c.node.name);
  const dtype = c.dtype(x);
  const shape = c.shape(c.node.outputs[0]!);
  let acc = c.v(x);
  for (const [op, b] of [['MAXIMUM', lo], ['MINIMUM', hi]] as const) {
    if (b.kind === 'none') continue;
    const operand = b.kind === 'const' ? c.b.constValues(`${c.node.name}/${op === 'MAXIMUM' ? 'min' : 'max'}`, dtype, [], [b.value]) : c.v(b.name);
    const y = c.b.tmp(`${c.node.name}/${op.toLowerCase()}`, dtype, shape);
    c.b.emit(op, [acc, operand], [y]);
    acc = y;
  }
  if (acc === c.v(x)) return c.alias(c.node.outputs[0]!, acc);
  rename(c, acc);
};

/** Gives the last emitted tensor the ONNX output's name (so graph outputs keep their names). */
function rename(c: LowerCtx, tmp: string): void {
  const out = c.out();
  const last = c.b.nodes[c.b.nodes.length - 1]!;
  last.outputs = last.outputs.map((o) => (o === tmp ? out : o));
  c.b.tensors.delete(tmp);
}

function softmax(op: 'SOFTMAX' | 'LOG_SOFTMAX'): Rule {
  return (c) => {
    const x = c.node.inputs[0]!;
    const shape = c.shape(x);
    const rank = shape.length;
    let axis = c.int('axis', c.opset >= 13 ? -1 : 1);
    if (axis < 0) axis += rank;
    const attrs: Record<string, AttrValue> = op === 'SOFTMAX' ? { beta: flt(1) } : {};
    if (axis === rank - 1) return void c.b.emit(op, [c.v(x)], [c.out()], attrs, c.node.name);
    if (c.opset < 13) {
      // Before opset 13 Softmax works on the input flattened to 2-D at `axis`.
      const flat = c.b.reshape(c.v(x), [size(shape.slice(0, axis)), size(shape.slice(axis))]);
      const y = c.b.tmp(`${c.node.name}/flat`, c.dtype(x), [size(shape.slice(0, axis)), size(shape.slice(axis))]);
      c.b.emit(op, [flat], [y], attrs, c.node.name);
      return void c.b.reshape(y, shape, c.out());
    }
    const perm = shape.map((_, i) => i);
    perm[axis] = rank - 1;
    perm[rank - 1] = axis;
    const t = c.b.transpose(c.v(x), perm);
    const y = c.b.tmp(`${c.node.name}/last_axis`, c.dtype(x), perm.map((p) => shape[p]!));
    c.b.emit(op, [t], [y], attrs, c.node.name);
    c.b.transpose(y, perm, c.out());
  };
}

/** Every ONNX shape op becomes one RESHAPE to the (statically known) output shape. */
const reshape: Rule = (c) => {
  const out = c.node.outputs[0]!;
  c.b.reshape(c.v(c.node.inputs[0]!), c.shape(out), c.out());
};

const transpose: Rule = (c) => {
  const x = c.node.inputs[0]!;
  const rank = c.shape(x).length;
  const perm = c.ints('perm') ?? Array.from({ length: rank }, (_, i) => rank - 1 - i);
  c.b.transpose(c.v(x), perm, c.out());
};

const concat: Rule = (c) => {
  const ins = c.node.inputs.filter(Boolean);
  const rank = c.shape(ins[0]!).length;
  let axis = c.int('axis', 0);
  if (axis < 0) axis += rank;
  c.b.emit('CONCATENATION', ins.map((i) => c.v(i)), [c.out()], { axis: int(axis) }, c.node.name);
};

function reduce(op: string): Rule {
  return (c) => {
    const x = c.node.inputs[0]!;
    const rank = c.shape(x).length;
    let axes = c.ints('axes') ?? (c.node.inputs[1] ? c.constNumbers(c.node.inputs[1]) : null);
    if (c.node.inputs[1] && !axes) throw new Unsupported('reduction axes computed at run time');
    if (!axes || axes.length === 0) {
      if (c.int('noop_with_empty_axes', 0)) return c.alias(c.node.outputs[0]!, c.v(x));
      axes = Array.from({ length: rank }, (_, i) => i);
    }
    axes = axes.map((a) => (a < 0 ? a + rank : a)).sort((a, b) => a - b);
    const keep = c.int('keepdims', 1) === 1;
    c.b.emit(op, [c.v(x), c.b.int32(`${c.node.name}/axes`, axes)], [c.out()], { keep_dims: bool(keep) }, c.node.name);
  };
}

const ONNX_TYPE: Record<number, DType> = { 1: 'float32', 2: 'uint8', 3: 'int8', 5: 'int16', 6: 'int32', 7: 'int64', 9: 'bool', 10: 'float16', 11: 'float64' };

const cast: Rule = (c) => {
  const x = c.node.inputs[0]!;
  const to = c.attr('to');
  const dtype = to?.kind === 'dtype' ? to.value : to?.kind === 'int' ? ONNX_TYPE[to.value] : undefined;
  const from = c.dtype(x);
  if (!dtype || !tflTensorType(dtype) || !tflTensorType(from)) throw new Unsupported(`Cast to ${dtype ?? 'an unknown type'}`);
  if (dtype === from) return c.alias(c.node.outputs[0]!, c.v(x));
  c.b.emit('CAST', [c.v(x)], [c.out()], { in_data_type: str(tflTensorType(from)!), out_data_type: str(tflTensorType(dtype)!) }, c.node.name);
};

const identity: Rule = (c) => c.alias(c.node.outputs[0]!, c.v(c.node.inputs[0]!));

const leakyRelu: Rule = (c) => {
  c.b.emit('LEAKY_RELU', [c.v(c.node.inputs[0]!)], [c.out()], { alpha: flt(c.float('alpha', 0.01)) }, c.node.name);
};

const gather: Rule = (c) => {
  const [x, idx] = c.node.inputs as [string, string];
  const rank = c.shape(x).length;
  let axis = c.int('axis', 0);
  if (axis < 0) axis += rank;
  const iv = c.constNumbers(idx);
  const dim = c.shape(x)[axis]!;
  let indices = iv ? c.b.constValues(`${c.node.name}/indices`, 'int32', c.shape(idx), iv.map((k) => (k < 0 ? k + dim : k))) : c.v(idx);
  if (!iv) {
    // Run-time indices may be negative (ONNX counts from the end); TFLite's GATHER may not.
    const it = c.dtype(idx), ishape = c.shape(idx);
    const neg = c.b.tmp(`${c.node.name}/negative`, 'bool', ishape);
    c.b.emit('LESS', [indices, c.b.constValues(`${c.node.name}/zero`, it, [], [0])], [neg]);
    const wrapped = c.b.tmp(`${c.node.name}/wrapped`, it, ishape);
    c.b.emit('ADD', [indices, c.b.constValues(`${c.node.name}/dim`, it, [], [dim])], [wrapped]);
    const fixed = c.b.tmp(`${c.node.name}/indices`, it, ishape);
    c.b.emit('SELECT_V2', [neg, wrapped, indices], [fixed]);
    indices = fixed;
  }
  c.b.emit('GATHER', [c.v(x), indices], [c.out()], { axis: int(axis) }, c.node.name);
};

const padOp: Rule = (c) => {
  const x = c.node.inputs[0]!;
  const rank = c.shape(x).length;
  const pads = c.ints('pads') ?? c.constNumbers(c.node.inputs[1]);
  if (!pads || pads.length !== 2 * rank || pads.some((p) => p < 0)) throw new Unsupported('Pad with computed or negative pads');
  const mode = c.string('mode', 'constant');
  if (mode === 'reflect') {
    const paddings = Array.from({ length: rank }, (_, i) => [pads[i]!, pads[i + rank]!]).flat();
    const p = c.b.constValues(`${c.node.name}/paddings`, 'int32', [rank, 2], paddings);
    return void c.b.emit('MIRROR_PAD', [c.v(x), p], [c.out()], { mode: str('REFLECT') }, c.node.name);
  }
  if (mode !== 'constant') throw new Unsupported(`Pad mode ${mode}`);
  const value = c.node.inputs[2] ? c.constNumbers(c.node.inputs[2])?.[0] : c.float('value', 0);
  if (value === undefined) throw new Unsupported('Pad value computed at run time');
  const paddings = Array.from({ length: rank }, (_, i) => [pads[i]!, pads[i + rank]!]).flat();
  const p = c.b.constValues(`${c.node.name}/paddings`, 'int32', [rank, 2], paddings);
  if (value === 0) c.b.emit('PAD', [c.v(x), p], [c.out()], {}, c.node.name);
  else c.b.emit('PADV2', [c.v(x), p, c.b.constValues(`${c.node.name}/value`, c.dtype(x), [], [value])], [c.out()], {}, c.node.name);
};

/** Slice with constant starts/ends/axes/steps -> STRIDED_SLICE over every axis. */
const slice: Rule = (c) => {
  const x = c.node.inputs[0]!;
  const shape = c.shape(x);
  const rank = shape.length;
  const old = c.opset < 10;
  const starts = old ? c.ints('starts') : c.constNumbers(c.node.inputs[1]);
  const ends = old ? c.ints('ends') : c.constNumbers(c.node.inputs[2]);
  if (!starts || !ends) throw new Unsupported('Slice bounds computed at run time');
  const axesIn = old ? c.ints('axes') : c.node.inputs[3] ? c.constNumbers(c.node.inputs[3]) : null;
  const steps = !old && c.node.inputs[4] ? c.constNumbers(c.node.inputs[4]) : null;
  if ((!old && c.node.inputs[3] && !axesIn) || (c.node.inputs[4] && !steps)) throw new Unsupported('Slice axes or steps computed at run time');
  const axes = (axesIn ?? starts.map((_, i) => i)).map((a) => (a < 0 ? a + rank : a));
  const begin = shape.map(() => 0), end = [...shape], stride = shape.map(() => 1);
  let endMask = 0;
  axes.forEach((a, i) => {
    const d = shape[a]!, st = steps?.[i] ?? 1;
    if (st === 0) throw new Unsupported('Slice with step 0');
    const norm = (v: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, v < 0 ? v + d : v));
    stride[a] = st;
    begin[a] = st > 0 ? norm(starts[i]!, 0, d) : norm(starts[i]!, -1, d - 1);
    end[a] = st > 0 ? norm(ends[i]!, 0, d) : norm(ends[i]!, -1, d - 1);
    if (st < 0 && end[a] === -1) endMask |= 1 << a; // "through index 0", which -1 cannot say
  });
  const name = c.node.name;
  c.b.emit('STRIDED_SLICE', [c.v(x), c.b.int32(`${name}/begin`, begin), c.b.int32(`${name}/end`, end), c.b.int32(`${name}/strides`, stride)],
    [c.out()], { end_mask: int(endMask) }, name);
};

export const BASIC_RULES: Record<string, Rule> = {
  Relu: unary('RELU'), Sigmoid: unary('LOGISTIC'), Tanh: unary('TANH'), Exp: unary('EXP'), Log: unary('LOG'),
  Sqrt: unary('SQRT'), Abs: unary('ABS'), Neg: unary('NEG'), Floor: unary('FLOOR'), Ceil: unary('CEIL'),
  Sin: unary('SIN'), Cos: unary('COS'), Not: unary('LOGICAL_NOT'), HardSwish: unary('HARD_SWISH'),
  Round: unary('ROUND'), Sign: unary('SIGN'), Elu: unary('ELU'),
  Add: binary('ADD'), Sub: binary('SUB'), Mul: binary('MUL'), Div: binary('DIV'), Pow: pow,
  Equal: binary('EQUAL'), Greater: binary('GREATER'), GreaterOrEqual: binary('GREATER_EQUAL'),
  Less: binary('LESS'), LessOrEqual: binary('LESS_EQUAL'), And: binary('LOGICAL_AND'), Or: binary('LOGICAL_OR'),
  PRelu: binary('PRELU'),
  Max: variadic('MAXIMUM'), Min: variadic('MINIMUM'), Sum: variadic('ADD'),
  Where: (c) => {
    const [cond, a, b] = c.node.inputs as [string, string, string];
    c.b.emit('SELECT_V2', [c.v(cond), c.v(a), c.v(b)], [c.out()], {}, c.node.name);
  },
  Clip: clip, LeakyRelu: leakyRelu,
  Softmax: softmax('SOFTMAX'), LogSoftmax: softmax('LOG_SOFTMAX'),
  Reshape: reshape, Flatten: reshape, Squeeze: reshape, Unsqueeze: reshape, Transpose: transpose,
  Concat: concat, Gather: gather, Pad: padOp, Slice: slice,
  ReduceMean: reduce('MEAN'), ReduceSum: reduce('SUM'), ReduceMax: reduce('REDUCE_MAX'),
  ReduceMin: reduce('REDUCE_MIN'), ReduceProd: reduce('REDUCE_PROD'),
  Cast: cast, Identity: identity,
  Dropout: (c) => {
    // Inference is the identity; training mode (an input since opset 12) drops at random, unless
    // the ratio is 0, where both modes are the identity with an all-true mask.
    const [x, ratioIn, mode] = c.node.inputs;
    const ratio = ratioIn ? c.constNumbers(ratioIn)?.[0] : c.opset < 12 ? c.float('ratio', 0.5) : 0.5;
    const training = mode ? c.constNumbers(mode)?.[0] : 0;
    if (training !== 0 && ratio !== 0) throw new Unsupported('Dropout in training mode (training_mode is not a constant false and the ratio is not 0)');
    const mask = c.node.outputs[1];
    if (mask) {
      const shape = c.shape(mask);
      const ones = c.b.constValues(`${c.node.name}/mask`, c.dtype(mask), shape, new Array<number>(shape.reduce((a, d) => a * d, 1)).fill(1));
      c.b.reshape(ones, shape, c.out(1));
    }
    c.alias(c.node.outputs[0]!, c.v(x!));
  },
};

