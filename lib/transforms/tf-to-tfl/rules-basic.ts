/** TF ops without weights: elementwise math, reductions, shape ops, slicing, casts, gathers. */
import type { DType } from '../../ir/types';
import { bool, flt, int, str, tflTensorType } from '../onnx-to-tfl/builder';
import { binary, unary } from '../onnx-to-tfl/rules-basic';
import { activation } from './rules-nn';
import { flag, type LowerCtx, type Rule, Unsupported } from './common';

/** A constant int input (axes, sizes...) as numbers, or Unsupported. */
function constInts(c: LowerCtx, name: string | undefined, what: string): number[] {
  const v = c.constNumbers(name);
  if (!v) throw new Unsupported(`${what} computed at run time`);
  return v;
}

const norm = (a: number, rank: number): number => (a < 0 ? a + rank : a);

function reduce(op: string): Rule {
  return (c) => {
    const [x, ax] = c.node.inputs as [string, string];
    const rank = c.shape(x).length;
    const axes = [...new Set(constInts(c, ax, 'reduction axes').map((a) => norm(a, rank)))].sort((a, b) => a - b);
    c.b.emit(op, [c.v(x), c.b.int32(`${c.node.name}/axes`, axes)], [c.out()], { keep_dims: bool(flag(c, 'keep_dims')) }, c.node.name);
  };
}

/** Reshape / Squeeze / ExpandDims: one RESHAPE to the static output shape. */
const reshape: Rule = (c) => { c.b.reshape(c.v(c.node.inputs[0]!), c.shape(c.node.outputs[0]!), c.out()); };

const identity: Rule = (c) => c.alias(c.node.outputs[0]!, c.v(c.node.inputs[0]!));

const concat: Rule = (c) => {
  const ins = c.node.inputs.slice(0, -1);
  const axis = norm(constInts(c, c.node.inputs[c.node.inputs.length - 1], 'concat axis')[0]!, c.shape(ins[0]!).length);
  c.b.emit('CONCATENATION', ins.map((i) => c.v(i)), [c.out()], { axis: int(axis), fused_activation_function: str('NONE') }, c.node.name);
};

const pad: Rule = (c) => {
  const [x, p, v] = c.node.inputs as [string, string, string | undefined];
  const rank = c.shape(x).length;
  const paddings = constInts(c, p, 'paddings');
  if (paddings.length !== 2 * rank || paddings.some((q) => q < 0)) throw new Unsupported('paddings of the wrong size or negative');
  const pp = c.b.constValues(`${c.node.name}/paddings`, 'int32', [rank, 2], paddings);
  const op = c.node.op.slice(3);
  if (op === 'MirrorPad') {
    const mode = c.string('mode', 'REFLECT');
    return void c.b.emit('MIRROR_PAD', [c.v(x), pp], [c.out()], { mode: str(mode === 'SYMMETRIC' ? 'SYMMETRIC' : 'REFLECT') }, c.node.name);
  }
  const fill = v ? c.constNumbers(v) : [0];
  if (!fill) throw new Unsupported('pad value computed at run time');
  if (fill[0] === 0) return void c.b.emit('PAD', [c.v(x), pp], [c.out()], {}, c.node.name);
  c.b.emit('PADV2', [c.v(x), pp, c.v(v!)], [c.out()], {}, c.node.name);
};

function resize(op: 'RESIZE_BILINEAR' | 'RESIZE_NEAREST_NEIGHBOR'): Rule {
  return (c) => {
    const [x, size] = c.node.inputs as [string, string];
    const hw = constInts(c, size, 'resize size');
    c.b.emit(op, [c.v(x), c.b.int32(`${c.node.name}/size`, hw)], [c.out()], {
      align_corners: bool(flag(c, 'align_corners')), half_pixel_centers: bool(flag(c, 'half_pixel_centers')),
    }, c.node.name);
  };
}

const stridedSlice: Rule = (c) => {
  const [x, b, e, s] = c.node.inputs as [string, string, string, string];
  const [begin, end, strides] = [b, e, s].map((n) => constInts(c, n, 'slice bounds'));
  const name = c.node.name;
  c.b.emit('STRIDED_SLICE', [c.v(x), c.b.int32(`${name}/begin`, begin!), c.b.int32(`${name}/end`, end!), c.b.int32(`${name}/strides`, strides!)], [c.out()], {
    begin_mask: int(c.int('begin_mask', 0)), end_mask: int(c.int('end_mask', 0)), ellipsis_mask: int(c.int('ellipsis_mask', 0)),
    new_axis_mask: int(c.int('new_axis_mask', 0)), shrink_axis_mask: int(c.int('shrink_axis_mask', 0)),
  }, name);
};

const slice: Rule = (c) => {
  const [x, b, s] = c.node.inputs as [string, string, string];
  const begin = constInts(c, b, 'slice begin'), size = constInts(c, s, 'slice size');
  c.b.emit('SLICE', [c.v(x), c.b.int32(`${c.node.name}/begin`, begin), c.b.int32(`${c.node.name}/size`, size)], [c.out()], {}, c.node.name);
};

const transpose: Rule = (c) => {
  const [x, p] = c.node.inputs as [string, string];
  c.b.transpose(c.v(x), constInts(c, p, 'transpose perm'), c.out());
};

function dtypeAttr(c: LowerCtx, key: string): DType | undefined {
  const a = c.attr(key);
  return a?.kind === 'dtype' ? a.value : undefined;
}

const cast: Rule = (c) => {
  const x = c.node.inputs[0]!;
  const from = c.dtype(x), to = dtypeAttr(c, 'DstT') ?? c.dtype(c.node.outputs[0]!);
  if (!tflTensorType(from) || !tflTensorType(to)) throw new Unsupported(`Cast from ${from} to ${to}`);
  if (from === to) return c.alias(c.node.outputs[0]!, c.v(x));
  c.b.emit('CAST', [c.v(x)], [c.out()], { in_data_type: str(tflTensorType(from)!), out_data_type: str(tflTensorType(to)!) }, c.node.name);
};

const softmax = (op: 'SOFTMAX' | 'LOG_SOFTMAX'): Rule => (c) => {
  c.b.emit(op, [c.v(c.node.inputs[0]!)], [c.out()], op === 'SOFTMAX' ? { beta: flt(1) } : {}, c.node.name);
};

const pack: Rule = (c) => {
  const rank = c.shape(c.node.outputs[0]!).length;
  const ins = c.node.inputs;
  c.b.emit('PACK', ins.map((i) => c.v(i)), [c.out()], { values_count: int(ins.length), axis: int(norm(c.int('axis', 0), rank)) }, c.node.name);
};

/** Unpack has `num` outputs; the graph lists only the used ones ('n', 'n:1'...). */
const unpack: Rule = (c) => {
  const x = c.node.inputs[0]!;
  const shape = c.shape(x);
  const axis = norm(c.int('axis', 0), shape.length);
  const num = c.int('num', shape[axis]!);
  const outShape = shape.filter((_, i) => i !== axis);
  const outs = Array.from({ length: num }, (_, k) => {
    const name = k === 0 ? c.node.name : `${c.node.name}:${k}`;
    const i = c.node.outputs.indexOf(name);
    return i >= 0 ? c.out(i) : c.b.tmp(`${c.node.name}/unused`, c.dtype(x), outShape);
  });
  c.b.emit('UNPACK', [c.v(x)], outs, { num: int(num), axis: int(axis) }, c.node.name);
};

function argReduce(op: 'ARG_MAX' | 'ARG_MIN'): Rule {
  return (c) => {
    const [x, a] = c.node.inputs as [string, string];
    const axis = norm(constInts(c, a, 'axis')[0]!, c.shape(x).length);
    // The reader guesses output dtypes from 'T' (the input's); output_type is the real one.
    const out = dtypeAttr(c, 'output_type') ?? 'int64';
    if (out !== 'int32' && out !== 'int64') throw new Unsupported(`${op} to ${out}`);
    const y = c.node.outputs[0]!;
    c.b.put({ name: y, dtype: out, shape: c.shape(y) });
    c.alias(y, y);
    c.b.emit(op, [c.v(x), c.b.int32(`${c.node.name}/axis`, [axis])], [y], { output_type: str(tflTensorType(out)!) }, c.node.name);
  };
}

const gather: Rule = (c) => {
  const [x, idx, a] = c.node.inputs as [string, string, string];
  const axis = norm(constInts(c, a, 'gather axis')[0]!, c.shape(x).length);
  c.b.emit('GATHER', [c.v(x), c.v(idx)], [c.out()], { axis: int(axis), batch_dims: int(c.int('batch_dims', 0)) }, c.node.name);
};

const addN: Rule = (c) => {
  const ins = c.node.inputs;
  if (ins.length === 1) return c.alias(c.node.outputs[0]!, c.v(ins[0]!));
  let acc = c.v(ins[0]!);
  for (let i = 1; i < ins.length; i++) {
    const last = i === ins.length - 1;
    const y = last ? c.out() : c.b.tmp(`${c.node.name}/partial`, c.dtype(ins[0]!), c.shape(c.node.outputs[0]!));
    c.b.emit('ADD', [acc, c.v(ins[i]!)], [y], {}, last ? c.node.name : undefined);
    acc = y;
  }
};

const act = (name: string): Rule => (c) => activation(c, name, c.v(c.node.inputs[0]!), c.out(), c.node.inputs.slice(1));

/**
 * Control-flow-only nodes: NoOp and Assert have no data outputs and only order execution
 * through ^control edges (which the reader keeps as an attribute, never as data), so they are
 * dropped, as TensorFlow's own TFLite converter does.
 */
const dropped: Rule = (c) => {
  if (c.node.outputs.length > 0) throw new Unsupported('a control-only op with data outputs');
};

export const BASIC_RULES: Record<string, Rule> = {
  NoOp: dropped, Assert: dropped,
  Relu: act('Relu'), Relu6: act('Relu6'), Elu: act('Elu'), LeakyRelu: act('LeakyRelu'), Sigmoid: act('Sigmoid'), Tanh: act('Tanh'),
  Prelu: binary('PRELU'),
  Sqrt: unary('SQRT'), Rsqrt: unary('RSQRT'), Exp: unary('EXP'), Log: unary('LOG'), Neg: unary('NEG'), Abs: unary('ABS'),
  Square: unary('SQUARE'), Floor: unary('FLOOR'), Ceil: unary('CEIL'), Round: unary('ROUND'), Sin: unary('SIN'), Cos: unary('COS'),
  Sign: unary('SIGN'), LogicalNot: unary('LOGICAL_NOT'),
  Add: binary('ADD'), AddV2: binary('ADD'), BiasAdd: binary('ADD'), Sub: binary('SUB'), Mul: binary('MUL'),
  RealDiv: binary('DIV'), Div: binary('DIV'), FloorDiv: binary('FLOOR_DIV'), FloorMod: binary('FLOOR_MOD'),
  Maximum: binary('MAXIMUM'), Minimum: binary('MINIMUM'), Pow: binary('POW'), SquaredDifference: binary('SQUARED_DIFFERENCE'),
  Less: binary('LESS'), LessEqual: binary('LESS_EQUAL'), Greater: binary('GREATER'), GreaterEqual: binary('GREATER_EQUAL'),
  Equal: binary('EQUAL'), NotEqual: binary('NOT_EQUAL'), LogicalAnd: binary('LOGICAL_AND'), LogicalOr: binary('LOGICAL_OR'),
  AddN: addN,
  SelectV2: (c) => {
    const [s, a, b] = c.node.inputs as [string, string, string];
    c.b.emit('SELECT_V2', [c.v(s), c.v(a), c.v(b)], [c.out()], {}, c.node.name);
  },
  Softmax: softmax('SOFTMAX'), LogSoftmax: softmax('LOG_SOFTMAX'),
  Mean: reduce('MEAN'), Sum: reduce('SUM'), Max: reduce('REDUCE_MAX'), Min: reduce('REDUCE_MIN'), Prod: reduce('REDUCE_PROD'),
  ArgMax: argReduce('ARG_MAX'), ArgMin: argReduce('ARG_MIN'),
  Reshape: reshape, Squeeze: reshape, ExpandDims: reshape,
  Identity: identity, StopGradient: identity, Snapshot: identity, IdentityN: (c) => {
    c.node.outputs.forEach((o, i) => c.alias(o, c.v(c.node.inputs[i]!)));
  },
  ConcatV2: concat, Pack: pack, Unpack: unpack,
  Pad: pad, PadV2: pad, MirrorPad: pad,
  ResizeBilinear: resize('RESIZE_BILINEAR'), ResizeNearestNeighbor: resize('RESIZE_NEAREST_NEIGHBOR'),
  StridedSlice: stridedSlice, Slice: slice, Transpose: transpose, Cast: cast,
  GatherV2: gather, GatherNd: binary('GATHER_ND'),
};
