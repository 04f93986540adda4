/**
 * MaxPool with its Indices output. TFLite pools give no argmax, so the windows are spelled out:
 * one strided slice per kernel tap, stacked on a new last axis; REDUCE_MAX gives the values and
 * ARG_MAX (first maximum, ONNX's scan order) the tap, which a constant table turns into ONNX's
 * flat index into the input: base of the window (batch, channel, start) + offset of the tap.
 */
import { type LowerCtx, type Rule, Unsupported } from './context';
import { bool, int } from './builder';
import { FLOAT32_LOWEST as LOWEST } from './nd';
import { SPATIAL_RULES, poolAxes, type PoolAxis } from './rules-spatial';

const MAX_TAPS = 64;

/** Row-major (storage_order 0) or column-major (1) strides of the spatial axes. */
function spatialStrides(inS: number[], colMajor: boolean): number[] {
  const r = inS.length, st = new Array<number>(r).fill(1);
  if (colMajor) for (let i = 1; i < r; i++) st[i] = st[i - 1]! * inS[i - 1]!;
  else for (let i = r - 2; i >= 0; i--) st[i] = st[i + 1]! * inS[i + 1]!;
  return st;
}

/** Every tap of the window as per-axis offsets, the last axis fastest. */
function tapList(ax: PoolAxis[]): number[][] {
  let taps: number[][] = [[]];
  for (const a of ax) taps = taps.flatMap((t) => Array.from({ length: a.k }, (_, j) => [...t, j]));
  return taps;
}

const maxPoolWithIndices: Rule = (c) => {
  const xName = c.node.inputs[0]!;
  if (c.dtype(xName) !== 'float32') throw new Unsupported(`MaxPool indices on ${c.dtype(xName)}`);
  const inS = c.shape(xName), outS = c.shape(c.node.outputs[0]!);
  const kernel = c.ints('kernel_shape');
  if (!kernel || kernel.length !== inS.length - 2 || kernel.length > 3) throw new Unsupported(`MaxPool indices on rank ${inS.length}`);
  const ax = poolAxes(c, inS.slice(2), outS.slice(2), kernel);
  const taps = tapList(ax);
  if (taps.length > MAX_TAPS) throw new Unsupported(`MaxPool indices with ${taps.length} taps per window (at most ${MAX_TAPS} here)`);
  const [n, ch] = inS as [number, number];
  const b = c.b, base = c.node.name, r = ax.length;

  // Pad with the lowest float so that no padded cell is ever the maximum.
  const end = ax.map((a) => Math.max(0, (a.out - 1) * a.s + (a.k - 1) * a.d + 1 - a.pb - a.inn));
  let x = c.v(xName);
  if (ax.some((a, i) => a.pb > 0 || end[i]! > 0)) {
    const paddings = [[0, 0], [0, 0], ...ax.map((a, i) => [a.pb, end[i]!])];
    const padded = b.tmp(`${base}/padded`, 'float32', inS.map((d, i) => d + paddings[i]![0]! + paddings[i]![1]!));
    b.emit('PADV2', [x, b.constValues(`${base}/paddings`, 'int32', [r + 2, 2], paddings.flat()), b.constValues(`${base}/lowest`, 'float32', [], [LOWEST])], [padded]);
    x = padded;
  }
  const windowShape = [n, ch, ...ax.map((a) => a.out)];
  const slices = taps.map((t, k) => {
    const begin = [0, 0, ...t.map((j, i) => j * ax[i]!.d)];
    const stop = [n, ch, ...t.map((j, i) => j * ax[i]!.d + (ax[i]!.out - 1) * ax[i]!.s + 1)];
    const y = b.tmp(`${base}/tap${k}`, 'float32', windowShape);
    b.emit('STRIDED_SLICE', [x, b.int32(`${base}/begin`, begin), b.int32(`${base}/end`, stop), b.int32(`${base}/strides`, [1, 1, ...ax.map((a) => a.s)])], [y]);
    return y;
  });
  const last = windowShape.length;
  const stacked = b.tmp(`${base}/windows`, 'float32', [...windowShape, taps.length]);
  b.emit('PACK', slices, [stacked], { axis: int(last), values_count: int(taps.length) });
  const lastAxis = b.constValues(`${base}/axis`, 'int32', [1], [last]);
  b.emit('REDUCE_MAX', [stacked, lastAxis], [c.out(0)], { keep_dims: bool(false) }, base);

  const tap = b.tmp(`${base}/tap`, 'int32', windowShape);
  b.emit('ARG_MAX', [stacked, b.int32(`${base}/argaxis`, [last])], [tap], { output_type: { kind: 'string', value: 'INT32' } });
  const st = spatialStrides(inS.slice(2), c.int('storage_order', 0) === 1);
  const offsets = taps.map((t) => t.reduce((s, j, i) => s + j * ax[i]!.d * st[i]!, 0));
  const plane = inS.slice(2).reduce((p, d) => p * d, 1);
  const starts = new Int32Array(windowShape.reduce((p, d) => p * d, 1));
  const outPlane = ax.reduce((p, a) => p * a.out, 1);
  for (let i = 0; i < starts.length; i++) {
    let rest = i % outPlane, at = Math.floor(i / outPlane) * plane;
    for (let k = r - 1; k >= 0; k--) {
      const o = rest % ax[k]!.out;
      rest = Math.floor(rest / ax[k]!.out);
      at += (o * ax[k]!.s - ax[k]!.pb) * st[k]!;
    }
    starts[i] = at;
  }
  if (n * ch * plane >= 2 ** 31) throw new Unsupported('MaxPool indices past int32');
  const tapOffset = b.tmp(`${base}/tap_offset`, 'int32', windowShape);
  b.emit('GATHER', [b.int32(`${base}/offsets`, offsets), tap], [tapOffset], { axis: int(0) });
  const flat = b.tmp(`${base}/flat`, 'int32', windowShape);
  b.emit('ADD', [tapOffset, b.constValues(`${base}/starts`, 'int32', windowShape, starts)], [flat]);
  b.emit('CAST', [flat], [c.out(1)]);
};

const maxPool: Rule = (c) => (c.node.outputs[1] ? maxPoolWithIndices(c) : SPATIAL_RULES.MaxPool!(c));

export const POOL_INDEX_RULES: Record<string, Rule> = { MaxPool: maxPool };
