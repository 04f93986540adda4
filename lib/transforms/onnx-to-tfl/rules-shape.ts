/**
 * ONNX shape-level ops whose results follow from static shapes: Shape / Size / Range as constants,
 * Expand and Tile with their factors known, Split into static sizes, Hardmax, InstanceNorm.
 */
import { type LowerCtx, type Rule, Unsupported } from './context';
import { bool, int } from './builder';

/** A constant as the value of an op's output (it may be a graph output: see Builder.materialize). */
function constOut(c: LowerCtx, values: number[], shape: number[]): void {
  const dtype = c.dtype(c.node.outputs[0]!);
  const k = c.b.constValues(`${c.node.name}/value`, dtype, shape, values);
  c.b.materialize(k, c.out());
}

const shapeOp: Rule = (c) => {
  const dims = c.shape(c.node.inputs[0]!);
  const r = dims.length;
  const norm = (v: number) => Math.min(r, Math.max(0, v < 0 ? v + r : v));
  const part = dims.slice(norm(c.int('start', 0)), norm(c.int('end', r)));
  constOut(c, part, [part.length]);
};

const sizeOp: Rule = (c) => constOut(c, [c.shape(c.node.inputs[0]!).reduce((a, d) => a * d, 1)], []);

/** Expand = BROADCAST_TO the (static) output shape. */
const expand: Rule = (c) => {
  const out = c.shape(c.node.outputs[0]!);
  c.b.emit('BROADCAST_TO', [c.v(c.node.inputs[0]!), c.b.int32(`${c.node.name}/shape`, out)], [c.out()], {}, c.node.name);
};

/** Tile with multiples = output / input dims (static), whatever computed them. */
const tile: Rule = (c) => {
  const inS = c.shape(c.node.inputs[0]!), out = c.shape(c.node.outputs[0]!);
  if (inS.some((d, i) => d === 0 || out[i]! % d !== 0)) throw new Unsupported('Tile with multiples that do not divide the output');
  c.b.emit('TILE', [c.v(c.node.inputs[0]!), c.b.int32(`${c.node.name}/multiples`, out.map((d, i) => d / inS[i]!))], [c.out()], {}, c.node.name);
};

/** Split into the outputs' static sizes: SPLIT_V along the axis. */
const split: Rule = (c) => {
  const x = c.node.inputs[0]!;
  const rank = c.shape(x).length;
  let axis = c.int('axis', 0);
  if (axis < 0) axis += rank;
  const outs = c.node.outputs.filter(Boolean);
  const sizes = outs.map((o) => c.shape(o)[axis]!);
  if (sizes.some((s) => s === 0)) throw new Unsupported('Split with an empty part (TFLite tensors cannot be empty)');
  const names = c.node.outputs.map((_, i) => c.out(i));
  c.b.emit('SPLIT_V', [c.v(x), c.b.int32(`${c.node.name}/sizes`, sizes), c.b.constValues(`${c.node.name}/axis`, 'int32', [], [axis])], names, { num_splits: int(outs.length) }, c.node.name);
};

/** Hardmax: one-hot of the first maximum along the axis (opset 13; before it, of the 2-D flattening). */
const hardmax: Rule = (c) => {
  const x = c.node.inputs[0]!;
  const shape = c.shape(x), rank = shape.length;
  let axis = c.int('axis', c.opset >= 13 ? -1 : 1);
  if (axis < 0) axis += rank;
  const b = c.b, base = c.node.name;
  let v = c.v(x), work = shape, ax = axis;
  if (c.opset < 13) {
    work = [shape.slice(0, axis).reduce((a, d) => a * d, 1), shape.slice(axis).reduce((a, d) => a * d, 1)];
    v = b.reshape(v, work);
    ax = 1;
  }
  const idxShape = work.filter((_, i) => i !== ax);
  const idx = b.tmp(`${base}/argmax`, 'int32', idxShape);
  b.emit('ARG_MAX', [v, b.int32(`${base}/axis`, [ax])], [idx], { output_type: { kind: 'string', value: 'INT32' } });
  const one = (n: number) => b.constValues(`${base}/k`, 'float32', [], [n]);
  const hot = b.tmp(`${base}/one_hot`, 'float32', work);
  b.emit('ONE_HOT', [idx, b.constValues(`${base}/depth`, 'int32', [], [work[ax]!]), one(1), one(0)], [hot], { axis: int(ax) });
  b.reshape(hot, shape, c.out());
};

/** InstanceNormalization: per sample and channel over the spatial axes, NCHW kept. */
const instanceNorm: Rule = (c) => {
  const [x, scale, bias] = c.node.inputs as [string, string, string];
  const shape = c.shape(x), rank = shape.length, b = c.b, base = c.node.name;
  if (c.dtype(x) !== 'float32') throw new Unsupported(`InstanceNormalization on ${c.dtype(x)}`);
  const axes = b.int32(`${base}/axes`, Array.from({ length: rank - 2 }, (_, i) => i + 2));
  const kept = shape.map((d, i) => (i >= 2 ? 1 : d));
  const per = [shape[1]!, ...new Array<number>(rank - 2).fill(1)];
  const t = (n: string, s: number[]) => b.tmp(`${base}/${n}`, 'float32', s);
  const mean = t('mean', kept), d = t('centered', shape), sq = t('square', shape), vr = t('var', kept), ve = t('var_eps', kept), inv = t('inv_std', kept), nrm = t('normed', shape), sc = t('scaled', shape);
  b.emit('MEAN', [c.v(x), axes], [mean], { keep_dims: bool(true) });
  b.emit('SUB', [c.v(x), mean], [d]);
  b.emit('MUL', [d, d], [sq]);
  b.emit('MEAN', [sq, axes], [vr], { keep_dims: bool(true) });
  b.emit('ADD', [vr, b.constValues(`${base}/eps`, 'float32', [], [c.float('epsilon', 1e-5)])], [ve]);
  b.emit('RSQRT', [ve], [inv]);
  b.emit('MUL', [d, inv], [nrm]);
  b.emit('MUL', [nrm, b.reshape(c.v(scale), per)], [sc]);
  b.emit('ADD', [sc, b.reshape(c.v(bias), per)], [c.out()], {}, base);
};

/** Range of constant bounds as its values; run-time bounds make its length a run-time value. */
const range: Rule = (c) => {
  const [start, limit, delta] = c.node.inputs.map((n) => c.constNumbers(n)?.[0]);
  if (start === undefined || limit === undefined || delta === undefined) {
    throw new Unsupported('Range with bounds computed at run time (its length is a run-time value; TFLite tensors need static shapes)');
  }
  const n = Math.max(Math.ceil((limit - start) / delta), 0);
  if (n === 0) throw new Unsupported('Range of no values (TFLite tensors cannot be empty)');
  constOut(c, Array.from({ length: n }, (_, i) => start + i * delta), [n]);
};

export const SHAPE_RULES: Record<string, Rule> = {
  Shape: shapeOp, Size: sizeOp, Expand: expand, Tile: tile, Split: split, Hardmax: hardmax,
  InstanceNormalization: instanceNorm, Range: range,
};
