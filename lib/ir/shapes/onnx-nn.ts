/** ONNX rules for layers: convolutions, pooling, matrix products, recurrences, quantization, control flow. */
import type { DType, Dim } from '../types';
import { onnxTypeAttr } from './onnx-basic';
import type { OpInput, OpOutput, OpTable, RuleContext } from './types';
import {
  attrInt, attrInts, attrStr, broadcast, ceilDiv, dimMul, dtypeOf, fail, intsOf, isNum, normAxis, shapeOf, unifyDim,
  windowOut,
} from './util';

/** Spatial output sizes of a sliding window (Conv, pools) per ONNX auto_pad / pads rules. */
export function spatialOut(c: RuleContext, inDims: Dim[], kernel: number[]): Dim[] {
  const n = inDims.length;
  const strides = attrInts(c.attrs, 'strides') ?? new Array<number>(n).fill(1);
  const dil = attrInts(c.attrs, 'dilations') ?? new Array<number>(n).fill(1);
  const pads = attrInts(c.attrs, 'pads') ?? new Array<number>(2 * n).fill(0);
  const autoPad = attrStr(c.attrs, 'auto_pad', 'NOTSET');
  const ceil = attrInt(c.attrs, 'ceil_mode', 0) === 1;
  return inDims.map((d, i) => {
    const s = strides[i] ?? 1;
    if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') return ceilDiv(d, s);
    if (autoPad === 'VALID') return windowOut(d, kernel[i]!, s, dil[i] ?? 1, 0, ceil);
    return windowOut(d, kernel[i]!, s, dil[i] ?? 1, (pads[i] ?? 0) + (pads[i + n] ?? 0), ceil, pads[i] ?? 0);
  });
}

function conv(c: RuleContext, xi: number, wi: number, dtype: DType): OpOutput[] {
  const x = shapeOf(c, xi), w = shapeOf(c, wi);
  const rank = x?.length ?? w?.length;
  if (!rank) return [{ dtype, shape: null }];
  const kernel = attrInts(c.attrs, 'kernel_shape') ?? (w ? w.slice(2) : null);
  const m = w ? w[0]! : null;
  if (!x || !kernel || !kernel.every(isNum)) return [{ dtype, shape: [x?.[0] ?? null, m, ...new Array<Dim>(rank - 2).fill(null)] }];
  if (kernel.length !== rank - 2) fail(`kernel of rank ${kernel.length} for input of rank ${rank}`);
  return [{ dtype, shape: [x[0]!, m, ...spatialOut(c, x.slice(2), kernel as number[])] }];
}

function convTranspose(c: RuleContext): OpOutput[] {
  const x = shapeOf(c, 0), w = shapeOf(c, 1);
  const dtype = dtypeOf(c, 0);
  if (!x || !w) return [{ dtype, shape: x ? x.map(() => null) : null }];
  const n = x.length - 2;
  const group = attrInt(c.attrs, 'group', 1);
  const m = dimMul(w[1]!, group);
  const given = attrInts(c.attrs, 'output_shape');
  if (given) return [{ dtype, shape: [x[0]!, m, ...given.slice(-n)] }];
  const kernel = attrInts(c.attrs, 'kernel_shape') ?? w.slice(2);
  const strides = attrInts(c.attrs, 'strides') ?? new Array<number>(n).fill(1);
  const dil = attrInts(c.attrs, 'dilations') ?? new Array<number>(n).fill(1);
  const pads = attrInts(c.attrs, 'pads') ?? new Array<number>(2 * n).fill(0);
  const outPad = attrInts(c.attrs, 'output_padding') ?? new Array<number>(n).fill(0);
  const autoPad = attrStr(c.attrs, 'auto_pad', 'NOTSET');
  const spatial = x.slice(2).map((d, i) => {
    const k = kernel[i];
    if (!isNum(d) || !isNum(k)) return null;
    const s = strides[i] ?? 1;
    if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') return d * s;
    const p = autoPad === 'VALID' ? 0 : (pads[i] ?? 0) + (pads[i + n] ?? 0);
    return s * (d - 1) + (outPad[i] ?? 0) + (k - 1) * (dil[i] ?? 1) + 1 - p;
  });
  return [{ dtype, shape: [x[0]!, m, ...spatial] }];
}

function pool(c: RuleContext): OpOutput[] {
  const x = shapeOf(c, 0);
  const dtype = dtypeOf(c, 0);
  const kernel = attrInts(c.attrs, 'kernel_shape');
  if (!x || !kernel) return [{ dtype, shape: null }, { dtype: 'int64', shape: null }];
  const shape = [x[0]!, x[1]!, ...spatialOut(c, x.slice(2), kernel)];
  return [{ dtype, shape }, { dtype: 'int64', shape }];
}

function globalPool(c: RuleContext): OpOutput[] {
  const x = shapeOf(c, 0);
  return [{ dtype: dtypeOf(c, 0), shape: x ? x.map((d, i) => (i < 2 ? d : 1)) : null }];
}

/** numpy.matmul shapes, 1-D operands promoted and then dropped. */
export function matmulShape(a: Dim[] | null, b: Dim[] | null): Dim[] | null {
  if (!a || !b) return null;
  if (a.length === 0 || b.length === 0) fail('matmul of a scalar');
  const a2 = a.length === 1 ? [1, a[0]!] : a;
  const b2 = b.length === 1 ? [b[0]!, 1] : b;
  unifyDim(a2[a2.length - 1]!, b2[b2.length - 2]!);
  const batch = broadcast([a2.slice(0, -2), b2.slice(0, -2)])!;
  const out = [...batch];
  if (a.length > 1) out.push(a2[a2.length - 2]!);
  if (b.length > 1) out.push(b2[b2.length - 1]!);
  return out;
}

function gemm(c: RuleContext): OpOutput[] {
  const a = shapeOf(c, 0), b = shapeOf(c, 1);
  const dtype = dtypeOf(c, 0);
  const ta = attrInt(c.attrs, 'transA', 0) === 1, tb = attrInt(c.attrs, 'transB', 0) === 1;
  const m = a ? (ta ? a[1] : a[0]) ?? null : null;
  const n = b ? (tb ? b[0] : b[1]) ?? null : null;
  if (a && b) unifyDim((ta ? a[0] : a[1]) ?? null, (tb ? b[1] : b[0]) ?? null);
  return [{ dtype, shape: [m, n] }];
}

function rnn(c: RuleContext, cells: number): OpOutput[] {
  const x = shapeOf(c, 0);
  const dtype = dtypeOf(c, 0);
  const hidden = attrInt(c.attrs, 'hidden_size', 0) || null;
  const dirs = attrStr(c.attrs, 'direction', 'forward') === 'bidirectional' ? 2 : 1;
  const layout = attrInt(c.attrs, 'layout', 0);
  const [seq, batch] = x ? (layout === 0 ? [x[0]!, x[1]!] : [x[1]!, x[0]!]) : [null, null];
  const y: Dim[] = layout === 0 ? [seq, dirs, batch, hidden] : [batch, seq, dirs, hidden];
  const h: Dim[] = layout === 0 ? [dirs, batch, hidden] : [batch, dirs, hidden];
  const out: OpOutput[] = [{ dtype, shape: y }, { dtype, shape: h }];
  if (cells > 1) out.push({ dtype, shape: h });
  return out;
}

function resize(c: RuleContext): OpOutput[] {
  const x = shapeOf(c, 0);
  const dtype = dtypeOf(c, 0);
  if (!x) return [{ dtype, shape: null }];
  const old = c.node.op.endsWith('Upsample') || (c.opset > 0 && c.opset < 11);
  const axes = (attrInts(c.attrs, 'axes') ?? x.map((_, i) => i)).map((a) => normAxis(a, x.length));
  const sizes = !old && c.inputs[3] ? c.inputs[3].value?.values ?? null : null;
  const scaleIn = old ? 1 : 2;
  const scales = attrInts(c.attrs, 'scales') ?? (c.inputs[scaleIn]?.value?.values.length ? c.inputs[scaleIn]!.value!.values : null);
  const shape = x.slice();
  const policy = attrStr(c.attrs, 'keep_aspect_ratio_policy', 'stretch');
  if (sizes && policy !== 'stretch') {
    // One scale for every axis (opset 18): the smallest or largest of the size ratios.
    const ratios = axes.map((a, k) => (isNum(x[a]) ? sizes[k]! / (x[a] as number) : NaN));
    const s = policy === 'not_larger' ? Math.min(...ratios) : Math.max(...ratios);
    axes.forEach((a) => (shape[a] = Number.isFinite(s) ? Math.floor(s * (x[a] as number) + 0.5) : null));
  } else if (sizes) axes.forEach((a, k) => (shape[a] = sizes[k] ?? null));
  else if (scales) axes.forEach((a, k) => {
    const d = x[a]!;
    shape[a] = isNum(d) ? Math.floor(d * (scales[k] ?? 1) + 1e-6) : null;
  });
  else return [{ dtype, shape: x.map(() => null) }];
  return [{ dtype, shape }];
}

/** Two facts about one value from different branches: what both guarantee. */
function agree(a: OpInput | undefined, b: OpInput | undefined): OpOutput {
  if (!a || !b) return {};
  const dtype = a.dtype !== 'unknown' ? a.dtype : b.dtype;
  if (!a.shape || !b.shape || a.shape.length !== b.shape.length) return { dtype, shape: null };
  return { dtype, shape: a.shape.map((d, i) => (d === b.shape![i] ? d : null)) };
}

function ifOp(c: RuleContext): OpOutput[] {
  const t = c.attrs.then_branch, e = c.attrs.else_branch;
  if (t?.kind !== 'graph' || e?.kind !== 'graph' || !c.subgraph) return [];
  const cond = c.inputs[0]?.value?.values[0];
  const a = c.subgraph(t.value, []);
  const b = c.subgraph(e.value, []);
  if (!a || !b) return [];
  const pick = (r: typeof a) => {
    c.report?.(r.errors);
    return r.outputs.map((o) => ({ dtype: o.dtype, shape: o.shape }));
  };
  // A condition known at inference time picks its branch; the other one is dead code.
  if (cond !== undefined && !Number.isNaN(cond)) return pick(cond ? a : b);
  // A branch the given shapes cannot run through (e.g. the 8 kHz path fed a 16 kHz frame)
  // is not the one the model takes.
  if (a.errors.length > 0 && b.errors.length === 0) return pick(b);
  if (b.errors.length > 0 && a.errors.length === 0) return pick(a);
  c.report?.([...a.errors, ...b.errors]);
  return Array.from({ length: c.outputCount }, (_, i) => agree(a.outputs[i], b.outputs[i]));
}

function loop(c: RuleContext): OpOutput[] {
  const body = c.attrs.body;
  if (body?.kind !== 'graph' || !c.subgraph) return [];
  const carried = c.inputs.slice(2);
  const facts: Array<OpInput | undefined> = [
    { name: 'iter', dtype: 'int64', shape: [], value: null },
    { name: 'cond', dtype: 'bool', shape: [], value: null },
    ...carried.map((x) => (x ? { ...x, value: null } : undefined)),
  ];
  const r = c.subgraph(body.value, facts);
  if (r) c.report?.(r.errors);
  const out = r?.outputs ?? [];
  const n = carried.length;
  const trip = c.inputs[1] ? null : intsOf(c, 0)?.[0] ?? null;
  const result: OpOutput[] = [];
  for (let i = 0; i < n; i++) result.push(agree(carried[i], out[i + 1]));
  for (let i = n + 1; i < out.length; i++) {
    const o = out[i]!;
    result.push({ dtype: o.dtype, shape: o.shape ? [trip, ...o.shape] : null });
  }
  return result;
}

function quantOutType(c: RuleContext, zpIndex: number, fallback: DType): DType {
  return onnxTypeAttr(c, 'output_dtype') || c.inputs[zpIndex]?.dtype || fallback;
}

const table: OpTable = {
  Conv: (c) => conv(c, 0, 1, dtypeOf(c, 0)),
  ConvInteger: (c) => conv(c, 0, 1, 'int32'),
  QLinearConv: (c) => conv(c, 0, 3, quantOutType(c, 7, dtypeOf(c, 0))),
  ConvTranspose: convTranspose,
  MaxPool: pool, AveragePool: pool, LpPool: pool,
  GlobalAveragePool: globalPool, GlobalMaxPool: globalPool, GlobalLpPool: globalPool,
  Gemm: gemm,
  MatMul: (c) => [{ dtype: dtypeOf(c, 0), shape: matmulShape(shapeOf(c, 0), shapeOf(c, 1)) }],
  MatMulInteger: (c) => [{ dtype: 'int32', shape: matmulShape(shapeOf(c, 0), shapeOf(c, 1)) }],
  QLinearMatMul: (c) => [{ dtype: quantOutType(c, 7, dtypeOf(c, 0)), shape: matmulShape(shapeOf(c, 0), shapeOf(c, 3)) }],
  LSTM: (c) => rnn(c, 2), GRU: (c) => rnn(c, 1), RNN: (c) => rnn(c, 1),
  QuantizeLinear: (c) => [{ dtype: quantOutType(c, 2, 'uint8'), shape: shapeOf(c, 0) }],
  DequantizeLinear: (c) => [{ dtype: c.opset >= 19 ? dtypeOf(c, 1) : 'float32', shape: shapeOf(c, 0) }],
  DynamicQuantizeLinear: (c) => [
    { dtype: 'uint8', shape: shapeOf(c, 0) }, { dtype: 'float32', shape: [] }, { dtype: 'uint8', shape: [] },
  ],
  Resize: resize, Upsample: resize,
  If: ifOp,
  Loop: loop,
  RoiAlign: (c) => {
    const x = shapeOf(c, 0), r = shapeOf(c, 1);
    return [{ dtype: dtypeOf(c, 0), shape: [r?.[0] ?? null, x?.[1] ?? null, attrInt(c.attrs, 'output_height', 1), attrInt(c.attrs, 'output_width', 1)] }];
  },
  MaxRoiPool: (c) => {
    const x = shapeOf(c, 0), r = shapeOf(c, 1);
    const p = attrInts(c.attrs, 'pooled_shape') ?? [null, null];
    return [{ dtype: dtypeOf(c, 0), shape: [r?.[0] ?? null, x?.[1] ?? null, p[0] ?? null, p[1] ?? null] }];
  },
  NonMaxSuppression: () => [{ dtype: 'int64', shape: [null, 3] }],
  NegativeLogLikelihoodLoss: (c) => [loss(c)],
  SoftmaxCrossEntropyLoss: (c) => [loss(c), { dtype: dtypeOf(c, 0), shape: shapeOf(c, 0) }],
  GridSample: (c) => {
    const x = shapeOf(c, 0), grid = shapeOf(c, 1);
    if (!x || !grid) return [{ dtype: dtypeOf(c, 0), shape: null }];
    return [{ dtype: dtypeOf(c, 0), shape: [x[0]!, x[1]!, ...grid.slice(1, -1)] }];
  },
  HannWindow: windowOp, HammingWindow: windowOp, BlackmanWindow: windowOp,
  MaxUnpool: (c) => {
    const x = shapeOf(c, 0);
    const given = c.inputs[2] ? intsOf(c, 2) : null;
    if (given) return [{ dtype: dtypeOf(c, 0), shape: given }];
    const k = attrInts(c.attrs, 'kernel_shape');
    if (!x || !k) return [{ dtype: dtypeOf(c, 0), shape: null }];
    const n = k.length;
    const st = attrInts(c.attrs, 'strides') ?? new Array<number>(n).fill(1);
    const pads = attrInts(c.attrs, 'pads') ?? new Array<number>(2 * n).fill(0);
    const sp = x.slice(2).map((d, i) => (isNum(d) ? (d - 1) * (st[i] ?? 1) + k[i]! - (pads[i] ?? 0) - (pads[i + n] ?? 0) : null));
    return [{ dtype: dtypeOf(c, 0), shape: [x[0]!, x[1]!, ...sp] }];
  },
};

/** NLL / softmax cross-entropy: per-element [N, d1, ...] with reduction 'none', else a scalar. */
function loss(c: RuleContext): OpOutput {
  const x = shapeOf(c, 0);
  const dtype = dtypeOf(c, 0);
  if (attrStr(c.attrs, 'reduction', 'mean') !== 'none') return { dtype, shape: [] };
  return { dtype, shape: x ? [x[0]!, ...x.slice(2)] : null };
}

function windowOp(c: RuleContext): OpOutput[] {
  const size = intsOf(c, 0)?.[0];
  return [{ dtype: onnxTypeAttr(c, 'output_datatype') ?? 'float32', shape: [size ?? null] }];
}

export const onnxNnOps = table;
