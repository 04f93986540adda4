/** Keras layers (TF.js layers models). Attributes are the layer config; the batch dim stays as given. */
import type { AttrValue, Dim } from '../types';
import { concatDims, nhwcWindow } from './nhwc';
import type { OpOutput, OpTable, RuleContext } from './types';
import { attrInt, attrInts, attrStr, dimMul, dtypeOf, elementwise, isNum, normAxis, product, sameAsInput, shapeOf } from './util';

/** kernel_size / strides / pool_size: an int or a list. */
function pair(attrs: Record<string, AttrValue>, name: string, def: number, n = 2): number[] {
  const v = attrInts(attrs, name);
  if (!v || v.length === 0) return new Array<number>(n).fill(def);
  return v.length === 1 ? new Array<number>(n).fill(v[0]!) : v;
}

function channelsFirst(c: RuleContext): boolean {
  return attrStr(c.attrs, 'data_format', 'channels_last') === 'channels_first';
}

/** Runs an NHWC window on a channels_first input by viewing it as NHWC. */
function window2d(c: RuleContext, k: number[], s: number[], d: number[], channels: (ch: Dim) => Dim): OpOutput[] {
  const x = shapeOf(c, 0);
  const dtype = dtypeOf(c, 0);
  if (!x || x.length !== 4) return [{ dtype, shape: null }];
  const cf = channelsFirst(c);
  const nhwc = cf ? [x[0]!, x[2]!, x[3]!, x[1]!] : x;
  const out = nhwcWindow(nhwc, k[0]!, k[1]!, s[0]!, s[1]!, d[0]!, d[1]!, attrStr(c.attrs, 'padding', 'valid'), channels(nhwc[3]!))!;
  return [{ dtype, shape: cf ? [out[0]!, out[3]!, out[1]!, out[2]!] : out }];
}

function pool(c: RuleContext): OpOutput[] {
  const k = pair(c.attrs, 'pool_size', 2);
  const s = c.attrs.strides && attrInts(c.attrs, 'strides') ? pair(c.attrs, 'strides', 1) : k;
  return window2d(c, k, s, [1, 1], (ch) => ch);
}

function globalPool(c: RuleContext): OpOutput[] {
  const x = shapeOf(c, 0);
  const keep = c.attrs.keepdims?.kind === 'bool' && c.attrs.keepdims.value;
  if (!x) return [{ dtype: dtypeOf(c, 0), shape: null }];
  const ch = channelsFirst(c) ? x[1]! : x[x.length - 1]!;
  const shape = keep ? x.map((d, i) => (i === 0 || d === ch && (channelsFirst(c) ? i === 1 : i === x.length - 1) ? d : 1)) : [x[0]!, ch];
  return [{ dtype: dtypeOf(c, 0), shape }];
}

/** ZeroPadding2D padding: int, [a, b] or [[top, bottom], [left, right]]. */
function zeroPad(c: RuleContext): OpOutput[] {
  const x = shapeOf(c, 0);
  const a = c.attrs.padding;
  let p = [1, 1, 1, 1];
  if (a?.kind === 'int') p = [a.value, a.value, a.value, a.value];
  else if (a?.kind === 'ints' && a.value.length === 2) p = [a.value[0]!, a.value[0]!, a.value[1]!, a.value[1]!];
  else if (a?.kind === 'json' && Array.isArray(a.value)) p = (a.value as unknown[]).flat().map(Number);
  if (!x || x.length !== 4) return [{ dtype: dtypeOf(c, 0), shape: null }];
  const [h, w] = channelsFirst(c) ? [2, 3] : [1, 2];
  const add = (d: Dim, n: number) => (isNum(d) ? d + n : null);
  const shape = x.slice();
  shape[h] = add(x[h]!, p[0]! + p[1]!);
  shape[w] = add(x[w]!, p[2]! + p[3]!);
  return [{ dtype: dtypeOf(c, 0), shape }];
}

function merge(c: RuleContext): OpOutput[] {
  // Only data inputs: merge layers have no weights.
  return elementwise(c);
}

const SAME = [
  'BatchNormalization', 'ReLU', 'Activation', 'Dropout', 'LeakyReLU', 'PReLU', 'ELU', 'Softmax', 'ThresholdedReLU',
  'LayerNormalization', 'GaussianNoise', 'GaussianDropout', 'SpatialDropout2D', 'AlphaDropout', 'Masking', 'InputLayer',
];

const table: OpTable = {
  Conv2D: (c) => window2d(c, pair(c.attrs, 'kernel_size', 1), pair(c.attrs, 'strides', 1), pair(c.attrs, 'dilation_rate', 1),
    () => attrInt(c.attrs, 'filters', 0) || null),
  DepthwiseConv2D: (c) => window2d(c, pair(c.attrs, 'kernel_size', 1), pair(c.attrs, 'strides', 1), pair(c.attrs, 'dilation_rate', 1),
    (ch) => dimMul(ch, attrInt(c.attrs, 'depth_multiplier', 1))),
  SeparableConv2D: (c) => window2d(c, pair(c.attrs, 'kernel_size', 1), pair(c.attrs, 'strides', 1), pair(c.attrs, 'dilation_rate', 1),
    () => attrInt(c.attrs, 'filters', 0) || null),
  Conv2DTranspose: (c) => {
    const x = shapeOf(c, 0);
    const k = pair(c.attrs, 'kernel_size', 1), s = pair(c.attrs, 'strides', 1);
    const same = attrStr(c.attrs, 'padding', 'valid') === 'same';
    if (!x || x.length !== 4 || channelsFirst(c)) return [{ dtype: dtypeOf(c, 0), shape: null }];
    const up = (d: Dim, i: number) => (!isNum(d) ? null : same ? d * s[i]! : d * s[i]! + Math.max(k[i]! - s[i]!, 0));
    return [{ dtype: dtypeOf(c, 0), shape: [x[0]!, up(x[1]!, 0), up(x[2]!, 1), attrInt(c.attrs, 'filters', 0) || null] }];
  },
  MaxPooling2D: pool, AveragePooling2D: pool,
  GlobalAveragePooling2D: globalPool, GlobalMaxPooling2D: globalPool,
  Dense: (c) => {
    const x = shapeOf(c, 0);
    return [{ dtype: dtypeOf(c, 0), shape: x ? [...x.slice(0, -1), attrInt(c.attrs, 'units', 0) || null] : null }];
  },
  Flatten: (c) => {
    const x = shapeOf(c, 0);
    return [{ dtype: dtypeOf(c, 0), shape: x ? [x[0]!, product(x.slice(1))] : null }];
  },
  Reshape: (c) => {
    const x = shapeOf(c, 0);
    const t = attrInts(c.attrs, 'target_shape');
    if (!x || !t) return [{ dtype: dtypeOf(c, 0), shape: null }];
    const total = product(x.slice(1));
    const known = t.filter((d) => d >= 0).reduce((a, b) => a * b, 1);
    return [{ dtype: dtypeOf(c, 0), shape: [x[0]!, ...t.map((d) => (d >= 0 ? d : isNum(total) && known > 0 ? total / known : null))] }];
  },
  ZeroPadding2D: zeroPad,
  Add: merge, Subtract: merge, Multiply: merge, Average: merge, Maximum: merge, Minimum: merge,
  Concatenate: (c) => {
    const shapes = c.inputs.map((x) => x?.shape ?? null);
    const first = shapes.find((s) => s);
    if (!first) return [{ dtype: dtypeOf(c, 0), shape: null }];
    return [{ dtype: dtypeOf(c, 0), shape: concatDims(first, shapes, normAxis(attrInt(c.attrs, 'axis', -1), first.length)) }];
  },
  UpSampling2D: (c) => {
    const x = shapeOf(c, 0);
    const s = pair(c.attrs, 'size', 2);
    if (!x || x.length !== 4) return [{ dtype: dtypeOf(c, 0), shape: null }];
    const [h, w] = channelsFirst(c) ? [2, 3] : [1, 2];
    const shape = x.slice();
    shape[h] = dimMul(x[h]!, s[0]!);
    shape[w] = dimMul(x[w]!, s[1]!);
    return [{ dtype: dtypeOf(c, 0), shape }];
  },
  Permute: (c) => {
    const x = shapeOf(c, 0), dims = attrInts(c.attrs, 'dims');
    return [{ dtype: dtypeOf(c, 0), shape: x && dims ? [x[0]!, ...dims.map((d) => x[d] ?? null)] : null }];
  },
  RepeatVector: (c) => {
    const x = shapeOf(c, 0);
    return [{ dtype: dtypeOf(c, 0), shape: x ? [x[0]!, attrInt(c.attrs, 'n', 0) || null, ...x.slice(1)] : null }];
  },
};
for (const op of SAME) table[op] ??= sameAsInput;

export const kerasOps = table;
