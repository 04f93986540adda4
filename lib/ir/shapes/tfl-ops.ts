/** TFLite builtin (and common custom) ops. Attribute names are the schema's snake_case fields. */
import type { DType, Dim } from '../types';
import { slice, stridedSlice } from './tf-ops';
import { arith, isIntType, mapConst, reshapeConst } from './consts';
import { concatDims, nhwcWindow, packShape, padShape, reduceShape, unpackShape } from './nhwc';
import { matmulShape } from './onnx-nn';
import { reshapeTarget } from './onnx-shape';
import type { ConstValue, OpOutput, OpTable, RuleContext } from './types';
import {
  attrBool, attrInt, attrInts, attrStr, broadcast, dimMul, dimsFromValues, dtypeOf, elementwise, intsOf, isNum,
  normAxis, product, sameAsInput, shapeOf,
} from './util';

function binary(op: string | null, dtype?: DType) {
  return (c: RuleContext): OpOutput[] => {
    const out = elementwise(c, dtype)[0]!;
    const a = c.inputs[0]?.value, b = c.inputs[1]?.value;
    if (op && a && b && out.dtype) {
      const int = isIntType(out.dtype);
      out.value = mapConst([a, b], out.dtype, ([x, y]) => arith(op, x!, y!, int));
    }
    return [out];
  };
}

function conv(c: RuleContext, depthwise: boolean): OpOutput[] {
  const x = shapeOf(c, 0), w = shapeOf(c, 1);
  const o = w ? (depthwise ? w[3]! : w[0]!) : null;
  const shape = nhwcWindow(x, w?.[1] ?? null, w?.[2] ?? null, attrInt(c.attrs, 'stride_h', 1), attrInt(c.attrs, 'stride_w', 1),
    attrInt(c.attrs, 'dilation_h_factor', 1), attrInt(c.attrs, 'dilation_w_factor', 1), attrStr(c.attrs, 'padding', 'SAME'), o);
  return [{ dtype: dtypeOf(c, 0), shape }];
}

function pool(c: RuleContext): OpOutput[] {
  const x = shapeOf(c, 0);
  const shape = nhwcWindow(x, attrInt(c.attrs, 'filter_height', 1), attrInt(c.attrs, 'filter_width', 1),
    attrInt(c.attrs, 'stride_h', 1), attrInt(c.attrs, 'stride_w', 1), 1, 1, attrStr(c.attrs, 'padding', 'SAME'), x?.[3] ?? null);
  return [{ dtype: dtypeOf(c, 0), shape }];
}

function reshape(c: RuleContext): OpOutput[] {
  const x = c.inputs[0];
  const raw = (c.inputs[1] ? c.inputs[1].value?.values : null) ?? attrInts(c.attrs, 'new_shape');
  if (!raw) return [{ dtype: x?.dtype ?? 'unknown', shape: null }];
  const shape = reshapeTarget(x?.shape ?? null, raw, true);
  return [{ dtype: x?.dtype ?? 'unknown', shape, value: reshapeConst(x?.value, shape) }];
}

function concat(c: RuleContext): OpOutput[] {
  const shapes = c.inputs.map((x) => x?.shape ?? null);
  const first = shapes.find((s) => s);
  const dtype = dtypeOf(c, 0);
  if (!first) return [{ dtype, shape: null }];
  return [{ dtype, shape: concatDims(first, shapes, normAxis(attrInt(c.attrs, 'axis', 0), first.length)) }];
}

function fullyConnected(c: RuleContext): OpOutput[] {
  const x = shapeOf(c, 0), w = shapeOf(c, 1);
  const units = w?.[0] ?? null;
  const k = w?.[1] ?? null;
  const dtype = dtypeOf(c, 0);
  if (!x) return [{ dtype, shape: null }];
  if (attrBool(c.attrs, 'keep_num_dims', false)) return [{ dtype, shape: [...x.slice(0, -1), units] }];
  const total = product(x);
  return [{ dtype, shape: [isNum(total) && isNum(k) && k > 0 ? total / k : x.length === 2 ? x[0]! : null, units] }];
}

function split(c: RuleContext, dataIndex: number, axisIndex: number, sizesIndex: number): OpOutput[] {
  const s = shapeOf(c, dataIndex);
  const dtype = dtypeOf(c, dataIndex);
  const axisV = intsOf(c, axisIndex);
  const n = c.outputCount;
  if (!s || !axisV) return Array.from({ length: n }, () => ({ dtype, shape: s ? s.map(() => null) : null }));
  const axis = normAxis(axisV[0]!, s.length);
  let sizes: Dim[];
  if (sizesIndex >= 0) {
    const v = intsOf(c, sizesIndex);
    if (!v) sizes = new Array<Dim>(n).fill(null);
    else {
      const known = v.filter((x) => x >= 0).reduce((a, b) => a + b, 0);
      const d = s[axis]!;
      sizes = v.map((x) => (x >= 0 ? x : isNum(d) ? d - known : null));
    }
  } else {
    const d = s[axis]!;
    sizes = new Array<Dim>(n).fill(isNum(d) ? d / n : null);
  }
  return sizes.map((k) => ({ dtype, shape: s.map((d, i) => (i === axis ? k : d)) }));
}

function resize(c: RuleContext): OpOutput[] {
  const x = shapeOf(c, 0);
  const size = intsOf(c, 1);
  if (!x) return [{ dtype: dtypeOf(c, 0), shape: null }];
  return [{ dtype: dtypeOf(c, 0), shape: [x[0]!, size?.[0] ?? null, size?.[1] ?? null, x[3]!] }];
}

/** MediaPipe's custom transposed conv: options are TfLiteTransposeConvParams {padding, stride_w, stride_h}. */
function transposeConvBias(c: RuleContext): OpOutput[] {
  const x = shapeOf(c, 0), w = shapeOf(c, 1);
  const opt = c.attrs.custom_options;
  const dtype = dtypeOf(c, 0);
  if (!x || !w || opt?.kind !== 'bytes' || opt.value.length < 12) return [{ dtype, shape: null }];
  const v = new DataView(opt.value.buffer, opt.value.byteOffset, 12);
  const padding = v.getInt32(0, true), sw = v.getInt32(4, true), sh = v.getInt32(8, true);
  const up = (d: Dim, k: Dim, s: number) => (!isNum(d) ? null : padding === 1 ? d * s : isNum(k) ? (d - 1) * s + k : null);
  return [{ dtype, shape: [x[0]!, up(x[1]!, w[1]!, sh), up(x[2]!, w[2]!, sw), w[0]!] }];
}

const UNARY = [
  'RELU', 'RELU6', 'RELU_N1_TO_1', 'RELU_0_TO_1', 'LOGISTIC', 'TANH', 'HARD_SWISH', 'LEAKY_RELU', 'ELU', 'GELU', 'EXP',
  'LOG', 'SQRT', 'RSQRT', 'ABS', 'NEG', 'SIN', 'COS', 'SQUARE', 'FLOOR', 'CEIL', 'ROUND', 'SOFTMAX', 'LOG_SOFTMAX',
  'L2_NORMALIZATION', 'LOCAL_RESPONSE_NORMALIZATION', 'DENSIFY', 'SIGN', 'ZEROS_LIKE', 'ONES_LIKE', 'REVERSE_V2',
  'CUMSUM', 'MATRIX_DIAG',
];

const table: OpTable = {
  CONV_2D: (c) => conv(c, false),
  DEPTHWISE_CONV_2D: (c) => conv(c, true),
  TRANSPOSE_CONV: (c) => [{ dtype: dtypeOf(c, 2), shape: c.inputs[0]?.value ? dimsFromValues(c.inputs[0].value.values) : null }],
  Convolution2DTransposeBias: transposeConvBias,
  AVERAGE_POOL_2D: pool, MAX_POOL_2D: pool, L2_POOL_2D: pool,
  FULLY_CONNECTED: fullyConnected,
  BATCH_MATMUL: (c) => {
    const adj = (s: Dim[] | null, t: boolean) => (s && t && s.length >= 2 ? [...s.slice(0, -2), s[s.length - 1]!, s[s.length - 2]!] : s);
    return [{ dtype: dtypeOf(c, 0), shape: matmulShape(adj(shapeOf(c, 0), attrBool(c.attrs, 'adj_x', false)), adj(shapeOf(c, 1), attrBool(c.attrs, 'adj_y', false))) }];
  },
  RESHAPE: reshape,
  CONCATENATION: concat,
  ADD: binary('add'), SUB: binary('sub'), MUL: binary('mul'), DIV: binary('div'), MAXIMUM: binary('max'),
  MINIMUM: binary('min'), POW: binary('pow'), SQUARED_DIFFERENCE: binary(null), FLOOR_DIV: binary('floordiv'),
  FLOOR_MOD: binary('mod'), PRELU: binary(null),
  LESS: binary('lt', 'bool'), LESS_EQUAL: binary('le', 'bool'), GREATER: binary('gt', 'bool'),
  GREATER_EQUAL: binary('ge', 'bool'), EQUAL: binary('eq', 'bool'), NOT_EQUAL: binary(null, 'bool'),
  LOGICAL_AND: binary('and', 'bool'), LOGICAL_OR: binary('or', 'bool'),
  LOGICAL_NOT: (c) => [{ dtype: 'bool', shape: shapeOf(c, 0) }],
  SELECT: (c) => [{ dtype: dtypeOf(c, 1), shape: broadcast(c.inputs.map((x) => x?.shape)) }],
  SELECT_V2: (c) => [{ dtype: dtypeOf(c, 1), shape: broadcast(c.inputs.map((x) => x?.shape)) }],
  DEQUANTIZE: (c) => [{ dtype: 'float32', shape: shapeOf(c, 0) }],
  // The output tensor carries its own (quantized) type in every TFLite file.
  QUANTIZE: (c) => [{ shape: shapeOf(c, 0) }],
  CAST: (c) => [{ shape: shapeOf(c, 0) }],
  PAD: (c) => [{ dtype: dtypeOf(c, 0), shape: padShape(shapeOf(c, 0), intsOf(c, 1)) }],
  PADV2: (c) => [{ dtype: dtypeOf(c, 0), shape: padShape(shapeOf(c, 0), intsOf(c, 1)) }],
  MIRROR_PAD: (c) => [{ dtype: dtypeOf(c, 0), shape: padShape(shapeOf(c, 0), intsOf(c, 1)) }],
  TRANSPOSE: (c) => {
    const s = shapeOf(c, 0), perm = intsOf(c, 1);
    return [{ dtype: dtypeOf(c, 0), shape: s && perm ? perm.map((p) => s[normAxis(p, s.length)]!) : s ? s.map(() => null) : null }];
  },
  MEAN: reduceShape, SUM: reduceShape, REDUCE_MAX: reduceShape, REDUCE_MIN: reduceShape, REDUCE_PROD: reduceShape, REDUCE_ANY: reduceShape, REDUCE_ALL: reduceShape,
  RESIZE_BILINEAR: resize, RESIZE_NEAREST_NEIGHBOR: resize,
  STRIDED_SLICE: stridedSlice, SLICE: slice,
  GATHER: (c) => {
    const s = shapeOf(c, 0), idx = shapeOf(c, 1);
    if (!s || !idx) return [{ dtype: dtypeOf(c, 0), shape: null }];
    const axis = normAxis(attrInt(c.attrs, 'axis', 0), s.length);
    const bd = attrInt(c.attrs, 'batch_dims', 0);
    return [{ dtype: dtypeOf(c, 0), shape: [...s.slice(0, axis), ...idx.slice(bd), ...s.slice(axis + 1)] }];
  },
  GATHER_ND: (c) => {
    const s = shapeOf(c, 0), idx = shapeOf(c, 1);
    const last = idx?.[idx.length - 1];
    if (!s || !idx || !isNum(last)) return [{ dtype: dtypeOf(c, 0), shape: null }];
    return [{ dtype: dtypeOf(c, 0), shape: [...idx.slice(0, -1), ...s.slice(last)] }];
  },
  SQUEEZE: (c) => {
    const s = shapeOf(c, 0);
    const dims = attrInts(c.attrs, 'squeeze_dims');
    if (!s) return [{ dtype: dtypeOf(c, 0), shape: null }];
    if (!dims || dims.length === 0) return [{ dtype: dtypeOf(c, 0), shape: s.every(isNum) ? s.filter((d) => d !== 1) : null }];
    const set = new Set(dims.map((a) => normAxis(a, s.length)));
    return [{ dtype: dtypeOf(c, 0), shape: s.filter((_, i) => !set.has(i)) }];
  },
  EXPAND_DIMS: (c) => {
    const s = shapeOf(c, 0), a = intsOf(c, 1);
    if (!s || !a) return [{ dtype: dtypeOf(c, 0), shape: null }];
    const axis = normAxis(a[0]!, s.length + 1);
    return [{ dtype: dtypeOf(c, 0), shape: [...s.slice(0, axis), 1, ...s.slice(axis)] }];
  },
  SPLIT: (c) => split(c, 1, 0, -1),
  SPLIT_V: (c) => split(c, 0, 2, 1),
  PACK: (c) => packShape(c, 'axis'),
  UNPACK: (c) => unpackShape(c, 'axis'),
  ARG_MAX: argReduce, ARG_MIN: argReduce,
  SHAPE: (c) => {
    const s = shapeOf(c, 0);
    const value: ConstValue | null = s ? { dtype: 'int32', shape: [s.length], values: s.map((d) => (isNum(d) ? d : NaN)) } : null;
    return [{ shape: [s ? s.length : null], value }];
  },
  TILE: (c) => {
    const s = shapeOf(c, 0), r = intsOf(c, 1);
    return [{ dtype: dtypeOf(c, 0), shape: s ? s.map((d, i) => (r ? dimMul(d, r[i] ?? 1) : null)) : null }];
  },
  BROADCAST_TO: (c) => [{ dtype: dtypeOf(c, 0), shape: c.inputs[1]?.value ? broadcast([shapeOf(c, 0), dimsFromValues(c.inputs[1].value.values)]) : null }],
  FILL: (c) => [{ dtype: dtypeOf(c, 1), shape: c.inputs[0]?.value ? dimsFromValues(c.inputs[0].value.values) : null }],
  DEPTH_TO_SPACE: (c) => {
    const s = shapeOf(c, 0), b = attrInt(c.attrs, 'block_size', 1);
    return [{ dtype: dtypeOf(c, 0), shape: s ? [s[0]!, dimMul(s[1]!, b), dimMul(s[2]!, b), isNum(s[3]) ? s[3] / (b * b) : null] : null }];
  },
  SPACE_TO_DEPTH: (c) => {
    const s = shapeOf(c, 0), b = attrInt(c.attrs, 'block_size', 1);
    const div = (d: Dim) => (isNum(d) ? Math.floor(d / b) : null);
    return [{ dtype: dtypeOf(c, 0), shape: s ? [s[0]!, div(s[1]!), div(s[2]!), dimMul(s[3]!, b * b)] : null }];
  },
  IF: (c) => {
    const ins = c.inputs.slice(1);
    const t = c.attrs.then_subgraph_index, e = c.attrs.else_subgraph_index;
    const ra = t?.kind === 'subgraph' && c.subgraph ? c.subgraph(t.value, ins) : null;
    const rb = e?.kind === 'subgraph' && c.subgraph ? c.subgraph(e.value, ins) : null;
    if (!ra || !rb) return [];
    c.report?.([...ra.errors, ...rb.errors]);
    const a = ra.outputs, b = rb.outputs;
    return a.map((x, i) => {
      const y = b[i];
      if (!x.shape || !y?.shape || x.shape.length !== y.shape.length) return { dtype: x.dtype, shape: null };
      return { dtype: x.dtype, shape: x.shape.map((d, k) => (d === y.shape![k] ? d : null)) };
    });
  },
  WHILE: (c) => {
    const body = c.attrs.body_subgraph_index;
    const cond = c.attrs.cond_subgraph_index;
    const rc = cond?.kind === 'subgraph' && c.subgraph ? c.subgraph(cond.value, c.inputs) : null;
    const rb = body?.kind === 'subgraph' && c.subgraph ? c.subgraph(body.value, c.inputs) : null;
    c.report?.([...(rc?.errors ?? []), ...(rb?.errors ?? [])]);
    const out = rb?.outputs;
    return c.inputs.map((x, i) => {
      const y = out?.[i];
      if (!x?.shape || !y?.shape || x.shape.length !== y.shape.length) return { dtype: x?.dtype ?? 'unknown', shape: null };
      return { dtype: x.dtype, shape: x.shape.map((d, k) => (d === y.shape![k] ? d : null)) };
    });
  },
};
for (const op of UNARY) table[op] ??= sameAsInput;

function argReduce(c: RuleContext): OpOutput[] {
  const s = shapeOf(c, 0), a = intsOf(c, 1);
  if (!s || !a) return [{ shape: null }];
  const axis = normAxis(a[0]!, s.length);
  return [{ shape: s.filter((_, i) => i !== axis) }];
}

export const tflOps = table;
