/** TF -> TFLite lowerings, continued: reversing, cumulative sums and products, splits, joins, tiles, SparseReshape. */
import { bool, int, str } from '../onnx-to-tfl/builder';
import { flag, type LowerCtx, type Rule, Unsupported } from './common';
import { constInts, declare, kv, norm, op, outputsOf } from './rules-extra2';

const x0 = (c: LowerCtx) => c.node.inputs[0]!;
const identity: Rule = (c) => c.alias(c.node.outputs[0]!, c.v(x0(c)));

function needFloat(c: LowerCtx): void {
  const d = c.dtype(x0(c));
  if (d !== 'float32') throw new Unsupported(`${c.node.op.slice(3)} on ${d}`);
}

/** REVERSE_V2 one axis at a time (older kernels take a single axis). */
function reverse(c: LowerCtx, axes: number[]): void {
  const s = c.shape(x0(c)), dt = c.dtype(x0(c));
  if (axes.length === 0) return identity(c);
  let v = c.v(x0(c));
  axes.forEach((a, k) => {
    const last = k === axes.length - 1;
    const y = last ? declare(c, 0, s, dt) : c.b.tmp(`${c.node.name}/reversed`, dt, s);
    c.b.emit('REVERSE_V2', [v, c.b.int32(`${c.node.name}/axis`, [a])], [y], {}, last ? c.node.name : undefined);
    v = y;
  });
}
const reverseV1: Rule = (c) => reverse(c, constInts(c, c.node.inputs[1], 'Reverse dims').map((d, i) => (d ? i : -1)).filter((i) => i >= 0));
const reverseV2: Rule = (c) => {
  const r = c.shape(x0(c)).length;
  reverse(c, [...new Set(constInts(c, c.node.inputs[1], 'ReverseV2 axes').map((a) => norm(a, r)))]);
};

/** Cumulative product by doubling (Hillis-Steele): log2(n) steps of shift-with-1s and MUL. */
const cumprod: Rule = (c) => {
  needFloat(c);
  const s = c.shape(x0(c));
  const axis = norm(constInts(c, c.node.inputs[1], 'Cumprod axis')[0]!, s.length);
  const n = s[axis]!;
  const rev = flag(c, 'reverse'), ex = flag(c, 'exclusive');
  const revAxis = c.b.int32(`${c.node.name}/axis`, [axis]);
  let v = c.v(x0(c));
  if (rev) v = op(c, 'REVERSE_V2', [v, revAxis], 'float32', s);
  const shift = (t: string, by: number): string => {
    const pads = s.flatMap((_, i) => (i === axis ? [by, 0] : [0, 0]));
    const padded = op(c, 'PADV2', [t, c.b.constValues(`${c.node.name}/pads`, 'int32', [s.length, 2], pads), kv(c, 'float32', 1)], 'float32',
      s.map((d, i) => (i === axis ? d + by : d)));
    return op(c, 'SLICE', [padded, c.b.int32(`${c.node.name}/begin`, s.map(() => 0)), c.b.int32(`${c.node.name}/size`, s)], 'float32', s);
  };
  if (ex && n > 1) v = shift(v, 1);
  else if (ex) v = kv(c, 'float32', 1, s);
  const steps: number[] = [];
  for (let k = 1; k < n; k *= 2) steps.push(k);
  const out = declare(c, 0, s);
  if (steps.length === 0 && !rev) return ex ? void c.b.materialize(v, out) : identity(c);
  steps.forEach((k, i) => {
    const last = i === steps.length - 1 && !rev;
    const y = last ? out : c.b.tmp(`${c.node.name}/partial`, 'float32', s);
    c.b.emit('MUL', [v, shift(v, k)], [y], {}, last ? c.node.name : undefined);
    v = y;
  });
  if (rev) c.b.emit('REVERSE_V2', [v, revAxis], [out], {}, c.node.name);
};

const cumsum: Rule = (c) => {
  const s = c.shape(x0(c));
  const axis = norm(constInts(c, c.node.inputs[1], 'Cumsum axis')[0]!, s.length);
  c.b.emit('CUMSUM', [c.v(x0(c)), c.b.int32(`${c.node.name}/axis`, [axis])], [declare(c, 0, s)],
    { exclusive: bool(flag(c, 'exclusive')), reverse: bool(flag(c, 'reverse')) }, c.node.name);
};

function splitSizes(c: LowerCtx, x: string, axisName: string, sizes: number[] | null): void {
  const s = c.shape(x);
  const axis = norm(constInts(c, axisName, 'split axis')[0]!, s.length);
  const n = c.int('num_split', sizes?.length ?? 1);
  const d = s[axis]!;
  if (!sizes) {
    if (d % n !== 0) throw new Unsupported(`Split of ${d} into ${n}`);
    sizes = new Array<number>(n).fill(d / n);
  }
  const known = sizes.filter((v) => v >= 0).reduce((a, b) => a + b, 0);
  sizes = sizes.map((v) => (v < 0 ? d - known : v));
  if (sizes.some((v) => v <= 0) || sizes.reduce((a, b) => a + b, 0) !== d) throw new Unsupported('split sizes that are empty or do not add up');
  const shapes = sizes.map((v) => s.map((q, i) => (i === axis ? v : q)));
  const names = shapes.map((_, k) => (k === 0 ? c.node.name : `${c.node.name}:${k}`));
  // TF shape inference splits into as many parts as the graph uses (not num_split): ours wins.
  if (names.some((nm) => !c.node.outputs.includes(nm))) {
    // Some parts unused: one SLICE per used part (the optimizer drops unused outputs' tensors).
    let at = 0;
    return sizes.forEach((v, k) => {
      const i = c.node.outputs.indexOf(names[k]!);
      if (i >= 0) {
        const begin = s.map((_, j) => (j === axis ? at : 0));
        c.b.emit('SLICE', [c.v(x), c.b.int32(`${c.node.name}/begin`, begin), c.b.int32(`${c.node.name}/size`, shapes[k]!)], [declare(c, i, shapes[k]!, c.dtype(x), true)]);
      }
      at += v;
    });
  }
  const outs = outputsOf(c, n, shapes, sizes.map(() => c.dtype(x)), true);
  const ax = c.b.constValues(`${c.node.name}/axis`, 'int32', [], [axis]);
  if (c.node.op === 'tf.Split') c.b.emit('SPLIT', [ax, c.v(x)], outs, { num_splits: int(n) }, c.node.name);
  else c.b.emit('SPLIT_V', [c.v(x), c.b.int32(`${c.node.name}/sizes`, sizes), ax], outs, { num_splits: int(n) }, c.node.name);
}

const concatV1: Rule = (c) => {
  const [a, ...ins] = c.node.inputs as [string, ...string[]];
  const axis = norm(constInts(c, a, 'concat axis')[0]!, c.shape(ins[0]!).length);
  const shape = c.shape(ins[0]!).map((d, i) => (i === axis ? ins.reduce((t, n) => t + c.shape(n)[i]!, 0) : d));
  c.b.emit('CONCATENATION', ins.map((i) => c.v(i)), [declare(c, 0, shape)], { axis: int(axis), fused_activation_function: str('NONE') }, c.node.name);
};

const tile: Rule = (c) => {
  const s = c.shape(x0(c)), m = constInts(c, c.node.inputs[1], 'Tile multiples');
  c.b.emit('TILE', [c.v(x0(c)), c.b.int32(`${c.node.name}/multiples`, m)], [declare(c, 0, s.map((d, i) => d * m[i]!))], {}, c.node.name);
};

/**
 * SparseReshape with constant shapes: each index row to its flat offset (times the old strides,
 * summed), then to the new coordinates (floor division by the new strides, mod the new dims).
 */
const sparseReshape: Rule = (c) => {
  const [idx, is, ns] = c.node.inputs as [string, string, string];
  const inShape = constInts(c, is, 'input shape'), target = constInts(c, ns, 'new shape');
  const size = inShape.reduce((a, b) => a * b, 1), known = target.filter((d) => d >= 0).reduce((a, b) => a * b, 1);
  const out = target.map((d) => (d < 0 ? size / known : d));
  if (target.filter((d) => d < 0).length > 1 || out.reduce((a, b) => a * b, 1) !== size || !Number.isInteger(size / known)) throw new Unsupported('shapes of different sizes');
  if (size > 2 ** 31 - 1 || c.dtype(idx) !== 'int32') throw new Unsupported('int64 indices (offsets beyond int32)');
  const strides = (s: number[]) => s.map((_, i) => s.slice(i + 1).reduce((a, b) => a * b, 1));
  const [n] = c.shape(idx) as [number];
  const flat = op(c, 'SUM', [op(c, 'MUL', [c.v(idx), c.b.int32(`${c.node.name}/strides`, strides(inShape))], 'int32', c.shape(idx)), c.b.int32(`${c.node.name}/axis`, [1])],
    'int32', [n, 1], { keep_dims: bool(true) });
  const q = op(c, 'FLOOR_DIV', [flat, c.b.int32(`${c.node.name}/new_strides`, strides(out))], 'int32', [n, out.length]);
  const outs = outputsOf(c, 2, [[n, out.length], [out.length]], ['int32', 'int32']);
  c.b.emit('FLOOR_MOD', [q, c.b.int32(`${c.node.name}/dims`, out)], [outs[0]!], {}, c.node.name);
  c.b.materialize(c.b.int32(`${c.node.name}/shape`, out), outs[1]!);
};

export const EXTRA4_RULES: Record<string, Rule> = {
  Reverse: reverseV1, ReverseV2: reverseV2, Cumsum: cumsum, Cumprod: cumprod,
  Split: (c) => splitSizes(c, c.node.inputs[1]!, x0(c), null),
  SplitV: (c) => splitSizes(c, x0(c), c.node.inputs[2]!, constInts(c, c.node.inputs[1], 'split sizes')),
  Concat: concatV1, Tile: tile, SparseReshape: sparseReshape,
  Gather: (c) => {
    const shape = [...c.shape(c.node.inputs[1]!), ...c.shape(x0(c)).slice(1)];
    c.b.emit('GATHER', [c.v(x0(c)), c.v(c.node.inputs[1]!)], [declare(c, 0, shape)], { axis: int(0), batch_dims: int(0) }, c.node.name);
  },
};
