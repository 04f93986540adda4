/** TensorFlow graph ops as TF.js graph models carry them (GraphDef attribute names). */
import type { Dim } from '../types';
import { arith, isIntType, mapConst, reshapeConst } from './consts';
import { concatDims, nhwcWindow, packShape, padShape, reduceShape, stridedSliceShape, unpackShape } from './nhwc';
import { matmulShape } from './onnx-nn';
import { reshapeTarget } from './onnx-shape';
import type { ConstValue, OpOutput, OpTable, RuleContext } from './types';
import {
  attrBool, attrDType, attrInt, attrInts, attrStr, broadcast, dimMul, dimsFromValues, dimsOf, dtypeOf, elementwise, intsOf, isNum,
  normAxis, sameAsInput, shapeOf,
} from './util';

function binary(op: string | null, bool = false) {
  return (c: RuleContext): OpOutput[] => {
    const out = elementwise(c, bool ? 'bool' : undefined)[0]!;
    const a = c.inputs[0]?.value, b = c.inputs[1]?.value;
    if (op && a && b && out.dtype) out.value = mapConst([a, b], out.dtype, ([x, y]) => arith(op, x!, y!, isIntType(out.dtype!)));
    return [out];
  };
}

/** NHWC or NCHW 2-D window ops (Conv2D, pools), with TF's 4-element strides/ksize/dilations. */
function window(c: RuleContext, kh: Dim, kw: Dim, channels: (x: Dim[]) => Dim): OpOutput[] {
  const x = shapeOf(c, 0);
  const dtype = dtypeOf(c, 0);
  if (!x || x.length !== 4) return [{ dtype, shape: null }];
  const nchw = attrStr(c.attrs, 'data_format', 'NHWC') === 'NCHW';
  const [h, w] = nchw ? [2, 3] : [1, 2];
  const st = attrInts(c.attrs, 'strides') ?? [1, 1, 1, 1];
  const dl = attrInts(c.attrs, 'dilations') ?? [1, 1, 1, 1];
  let padding = attrStr(c.attrs, 'padding', 'VALID');
  const nhwc = nchw ? [x[0]!, x[2]!, x[3]!, x[1]!] : x;
  let extra = [0, 0];
  if (padding === 'EXPLICIT') {
    const p = attrInts(c.attrs, 'explicit_paddings') ?? [];
    extra = [(p[2 * h] ?? 0) + (p[2 * h + 1] ?? 0), (p[2 * w] ?? 0) + (p[2 * w + 1] ?? 0)];
    padding = 'VALID';
  }
  const padded = [nhwc[0]!, isNum(nhwc[1]) ? nhwc[1] + extra[0]! : null, isNum(nhwc[2]) ? nhwc[2] + extra[1]! : null, nhwc[3]!];
  const out = nhwcWindow(padded, kh, kw, st[h] ?? 1, st[w] ?? 1, dl[h] ?? 1, dl[w] ?? 1, padding, channels(x))!;
  return [{ dtype, shape: nchw ? [out[0]!, out[3]!, out[1]!, out[2]!] : out }];
}

function conv(c: RuleContext, depthwise: boolean): OpOutput[] {
  const f = shapeOf(c, 1);
  const nchw = attrStr(c.attrs, 'data_format', 'NHWC') === 'NCHW';
  return window(c, f?.[0] ?? null, f?.[1] ?? null, (x) => {
    if (!f) return null;
    return depthwise ? dimMul(x[nchw ? 1 : 3]!, f[3]!) : f[3]!;
  });
}

function pool(c: RuleContext): OpOutput[] {
  const k = attrInts(c.attrs, 'ksize') ?? [1, 1, 1, 1];
  const nchw = attrStr(c.attrs, 'data_format', 'NHWC') === 'NCHW';
  return window(c, k[nchw ? 2 : 1] ?? 1, k[nchw ? 3 : 2] ?? 1, (x) => x[nchw ? 1 : 3]!);
}

function concat(c: RuleContext): OpOutput[] {
  const data = c.inputs.slice(0, -1);
  const axisV = intsOf(c, c.inputs.length - 1);
  const first = data.find((x) => x?.shape)?.shape;
  const dtype = data[0]?.dtype ?? 'unknown';
  if (!first || !axisV) return [{ dtype, shape: first ? first.map(() => null) : null }];
  const axis = normAxis(axisV[0]!, first.length);
  const shape = concatDims(first, data.map((x) => x?.shape), axis);
  const vals = data.map((x) => x?.value);
  const value = axis === 0 && first.length === 1 && vals.every((v) => v)
    ? { dtype, shape: [vals.reduce((a, v) => a + v!.values.length, 0)], values: vals.flatMap((v) => v!.values) } : null;
  return [{ dtype, shape, value }];
}

function matmul(c: RuleContext, ta: string, tb: string): OpOutput[] {
  const t = (s: Dim[] | null, on: boolean) => (s && on && s.length >= 2 ? [...s.slice(0, -2), s[s.length - 1]!, s[s.length - 2]!] : s);
  return [{ dtype: dtypeOf(c, 0), shape: matmulShape(t(shapeOf(c, 0), attrBool(c.attrs, ta, false)), t(shapeOf(c, 1), attrBool(c.attrs, tb, false))) }];
}

function split(c: RuleContext, dataIndex: number, axisIndex: number, sizesIndex: number): OpOutput[] {
  const s = shapeOf(c, dataIndex), a = intsOf(c, axisIndex);
  const dtype = dtypeOf(c, dataIndex);
  const n = c.outputCount;
  if (!s || !a) return Array.from({ length: n }, () => ({ dtype, shape: null }));
  const axis = normAxis(a[0]!, s.length);
  const d = s[axis]!;
  // Equal parts of num_split, whatever number of them the graph reads (unused trailing parts
  // have no output tensor).
  const parts = attrInt(c.attrs, 'num_split', n);
  const v = sizesIndex >= 0 ? intsOf(c, sizesIndex) : null;
  const known = v ? v.filter((x) => x >= 0).reduce((p, q) => p + q, 0) : 0;
  return Array.from({ length: n }, (_, i) => {
    const k: Dim = sizesIndex < 0 ? (isNum(d) && parts > 0 ? d / parts : null) : !v ? null : v[i]! >= 0 ? v[i]! : isNum(d) ? d - known : null;
    return { dtype, shape: s.map((x, j) => (j === axis ? k : x)) };
  });
}

const UNARY = [
  'Relu', 'Relu6', 'Elu', 'Selu', 'LeakyRelu', 'Sigmoid', 'Tanh', 'Sqrt', 'Rsqrt', 'Exp', 'Log', 'Neg', 'Abs', 'Square',
  'Softmax', 'LogSoftmax', 'Softplus', 'Floor', 'Ceil', 'Round', 'Sin', 'Cos', 'Reciprocal', 'BiasAdd', 'Prelu',
  'FusedBatchNorm', 'FusedBatchNormV2', 'FusedBatchNormV3', 'LRN', 'ZerosLike', 'OnesLike', 'StopGradient', 'ClipByValue',
  'Erf', 'Sign', 'Cumsum', 'ReverseV2', 'Swish', 'HardSwish', 'Mish',
];

/** Shared with the TFLite table: STRIDED_SLICE and SLICE take the same inputs and masks. */
export const stridedSlice = (c: RuleContext): OpOutput[] => [{
    dtype: dtypeOf(c, 0),
    shape: stridedSliceShape(shapeOf(c, 0), intsOf(c, 1), intsOf(c, 2), intsOf(c, 3), {
      begin: attrInt(c.attrs, 'begin_mask', 0), end: attrInt(c.attrs, 'end_mask', 0), ellipsis: attrInt(c.attrs, 'ellipsis_mask', 0),
      newAxis: attrInt(c.attrs, 'new_axis_mask', 0), shrink: attrInt(c.attrs, 'shrink_axis_mask', 0),
    }),
  }];

export const slice = (c: RuleContext): OpOutput[] => {
    const s = shapeOf(c, 0), b = intsOf(c, 1), size = intsOf(c, 2);
    if (!s) return [{ dtype: dtypeOf(c, 0), shape: null }];
    return [{ dtype: dtypeOf(c, 0), shape: s.map((d, i) => (!b || !size ? null : size[i]! >= 0 ? size[i]! : isNum(d) ? d - b[i]! : null)) }];
  };

const table: OpTable = {
  Conv2D: (c) => conv(c, false), _FusedConv2D: (c) => conv(c, false),
  DepthwiseConv2dNative: (c) => conv(c, true), FusedDepthwiseConv2dNative: (c) => conv(c, true),
  MaxPool: pool, AvgPool: pool,
  MatMul: (c) => matmul(c, 'transpose_a', 'transpose_b'), _FusedMatMul: (c) => matmul(c, 'transpose_a', 'transpose_b'),
  BatchMatMul: (c) => matmul(c, 'adj_x', 'adj_y'), BatchMatMulV2: (c) => matmul(c, 'adj_x', 'adj_y'),
  Add: binary('add'), AddV2: binary('add'), Sub: binary('sub'), Mul: binary('mul'), RealDiv: binary('div'),
  Div: binary('div'), FloorDiv: binary('floordiv'), FloorMod: binary('mod'), Maximum: binary('max'), Minimum: binary('min'),
  Pow: binary('pow'), SquaredDifference: binary(null), DivNoNan: binary(null),
  Less: binary('lt', true), LessEqual: binary('le', true), Greater: binary('gt', true), GreaterEqual: binary('ge', true),
  Equal: binary('eq', true), NotEqual: binary(null, true), LogicalAnd: binary('and', true), LogicalOr: binary('or', true),
  LogicalNot: (c) => [{ dtype: 'bool', shape: shapeOf(c, 0) }],
  AddN: (c) => elementwise(c),
  Identity: (c) => [{ ...sameAsInput(c)[0]!, value: c.inputs[0]?.value ?? null }],
  Cast: (c) => [{ dtype: attrDType(c.attrs, 'DstT') ?? 'unknown', shape: shapeOf(c, 0) }],
  Reshape: (c) => {
    const x = c.inputs[0];
    const raw = c.inputs[1]?.value?.values;
    if (!raw) return [{ dtype: x?.dtype ?? 'unknown', shape: dimsOf(c, 1) }];
    const shape = reshapeTarget(x?.shape ?? null, raw, true);
    return [{ dtype: x?.dtype ?? 'unknown', shape, value: reshapeConst(x?.value, shape) }];
  },
  Pad: (c) => [{ dtype: dtypeOf(c, 0), shape: padShape(shapeOf(c, 0), intsOf(c, 1)) }],
  PadV2: (c) => [{ dtype: dtypeOf(c, 0), shape: padShape(shapeOf(c, 0), intsOf(c, 1)) }],
  MirrorPad: (c) => [{ dtype: dtypeOf(c, 0), shape: padShape(shapeOf(c, 0), intsOf(c, 1)) }],
  Mean: reduceShape, Sum: reduceShape, Max: reduceShape, Min: reduceShape, Prod: reduceShape, Any: reduceShape, All: reduceShape,
  ArgMax: argReduce, ArgMin: argReduce,
  ConcatV2: concat,
  ExpandDims: (c) => {
    const s = shapeOf(c, 0), a = intsOf(c, 1);
    if (!s || !a) return [{ dtype: dtypeOf(c, 0), shape: null }];
    const axis = normAxis(a[0]!, s.length + 1);
    const shape = [...s.slice(0, axis), 1, ...s.slice(axis)];
    return [{ dtype: dtypeOf(c, 0), shape, value: reshapeConst(c.inputs[0]?.value, shape) }];
  },
  Squeeze: (c) => {
    const s = shapeOf(c, 0);
    const dims = attrInts(c.attrs, 'squeeze_dims') ?? attrInts(c.attrs, 'axis');
    if (!s) return [{ dtype: dtypeOf(c, 0), shape: null }];
    if (!dims || dims.length === 0) return [{ dtype: dtypeOf(c, 0), shape: s.every(isNum) ? s.filter((d) => d !== 1) : null }];
    const set = new Set(dims.map((a) => normAxis(a, s.length)));
    return [{ dtype: dtypeOf(c, 0), shape: s.filter((_, i) => !set.has(i)) }];
  },
  Pack: (c) => packShape(c, 'axis'),
  Unpack: (c) => unpackShape(c, 'axis'),
  GatherV2: (c) => {
    const s = shapeOf(c, 0), idx = shapeOf(c, 1), a = intsOf(c, 2);
    if (!s || !idx || !a) return [{ dtype: dtypeOf(c, 0), shape: null }];
    const axis = normAxis(a[0]!, s.length);
    const bd = attrInt(c.attrs, 'batch_dims', 0);
    return [{ dtype: dtypeOf(c, 0), shape: [...s.slice(0, axis), ...idx.slice(bd), ...s.slice(axis + 1)] }];
  },
  GatherNd: (c) => {
    const s = shapeOf(c, 0), idx = shapeOf(c, 1);
    const last = idx?.[idx.length - 1];
    if (!s || !idx || !isNum(last)) return [{ dtype: dtypeOf(c, 0), shape: null }];
    return [{ dtype: dtypeOf(c, 0), shape: [...idx.slice(0, -1), ...s.slice(last)] }];
  },
  ResizeBilinear: resize, ResizeNearestNeighbor: resize,
  StridedSlice: stridedSlice,
  Slice: slice,
  Transpose: (c) => {
    const s = shapeOf(c, 0), perm = intsOf(c, 1);
    return [{ dtype: dtypeOf(c, 0), shape: s && perm ? perm.map((p) => s[normAxis(p, s.length)]!) : s ? s.map(() => null) : null }];
  },
  Shape: (c) => {
    const s = shapeOf(c, 0);
    const dtype = attrDType(c.attrs, 'out_type') ?? 'int32';
    const value: ConstValue | null = s ? { dtype, shape: [s.length], values: s.map((d) => (isNum(d) ? d : NaN)) } : null;
    return [{ dtype, shape: [s ? s.length : null], value }];
  },
  Tile: (c) => {
    const s = shapeOf(c, 0), r = intsOf(c, 1);
    return [{ dtype: dtypeOf(c, 0), shape: s ? s.map((d, i) => (r ? dimMul(d, r[i] ?? 1) : null)) : null }];
  },
  Fill: (c) => [{ dtype: dtypeOf(c, 1), shape: c.inputs[0]?.value ? dimsFromValues(c.inputs[0].value.values) : null }],
  BroadcastTo: (c) => [{ dtype: dtypeOf(c, 0), shape: c.inputs[1]?.value ? broadcast([shapeOf(c, 0), dimsFromValues(c.inputs[1].value.values)]) : null }],
  Split: (c) => split(c, 1, 0, -1),
  SplitV: (c) => split(c, 0, 2, 1),
  Select: (c) => [{ dtype: dtypeOf(c, 1), shape: broadcast(c.inputs.map((x) => x?.shape)) }],
  SelectV2: (c) => [{ dtype: dtypeOf(c, 1), shape: broadcast(c.inputs.map((x) => x?.shape)) }],
};
for (const op of UNARY) table[op] ??= sameAsInput;

function resize(c: RuleContext): OpOutput[] {
  const x = shapeOf(c, 0), size = intsOf(c, 1);
  if (!x) return [{ dtype: dtypeOf(c, 0), shape: null }];
  return [{ dtype: dtypeOf(c, 0), shape: [x[0]!, size?.[0] ?? null, size?.[1] ?? null, x[3]!] }];
}

function argReduce(c: RuleContext): OpOutput[] {
  const s = shapeOf(c, 0), a = intsOf(c, 1);
  const dtype = attrDType(c.attrs, 'output_type') ?? 'int64';
  if (!s || !a) return [{ dtype, shape: null }];
  const axis = normAxis(a[0]!, s.length);
  return [{ dtype, shape: s.filter((_, i) => i !== axis) }];
}

export const tfOps = table;
