/**
 * SPLIT, SPLIT_V, PACK, UNPACK, TILE and BROADCAST_TO (kernels/split.cc, split_v.cc, pack.cc,
 * unpack.cc, tile.cc, broadcast_to.cc): element moves, quantized tensors keep their codes.
 */
import type { HostTensor } from '../../../runtime/types';
import {
  allocAnyOutput, attrNumber, broadcastIndex, elements, input, isQuantizedInt, numbersOf, output, quant, sizeOf, stridesOf, unsupported,
  type Kernel, type KernelArgs,
} from '../kernel-util';

const axisOf = (args: KernelArgs, axis: number, rank: number): number => {
  const a = axis < 0 ? axis + rank : axis;
  if (a < 0 || a >= rank) throw new Error(`${args.node.op} node ${args.node.name}: axis ${axis} out of range for rank ${rank}`);
  return a;
};

/**
 * Cuts `x` along `axis` into consecutive pieces of the given sizes, one per node output;
 * `dropAxis` (UNPACK's pieces of size 1) leaves the axis out of the output shapes.
 */
function splitAlong(args: KernelArgs, x: HostTensor, axis: number, sizes: number[], dropAxis = false): HostTensor[] {
  if (sizes.length !== args.outputs.length) throw new Error(`${args.node.op} node ${args.node.name}: ${sizes.length} pieces for ${args.outputs.length} outputs`);
  const outer = sizeOf(x.shape.slice(0, axis));
  const inner = sizeOf(x.shape.slice(axis + 1));
  const rowLength = x.shape[axis]! * inner;
  const src = elements(x);
  let start = 0;
  return sizes.map((size, k) => {
    const shape = [...x.shape];
    shape[axis] = size;
    if (dropAxis) shape.splice(axis, 1);
    const y = allocAnyOutput(args, output(args, k), shape);
    const dst = elements(y);
    const n = size * inner;
    for (let o = 0; o < outer; o++) for (let j = 0; j < n; j++) dst[o * n + j] = src[o * rowLength + start + j]!;
    start += n;
    return y;
  });
}

/** SPLIT: inputs (axis, value), num_splits equal pieces. */
const SPLIT: Kernel = (args) => {
  const x = input(args, 1).value;
  const axis = axisOf(args, numbersOf(input(args, 0).value)[0] ?? 0, x.shape.length);
  const n = attrNumber(args.node, 'num_splits', args.outputs.length);
  if (x.shape[axis]! % n !== 0) throw new Error(`SPLIT node ${args.node.name}: axis ${axis} of size ${x.shape[axis]} does not split into ${n}`);
  return splitAlong(args, x, axis, new Array<number>(n).fill(x.shape[axis]! / n));
};

/** SPLIT_V: inputs (value, size_splits, axis); one size may be -1, the rest of the axis. */
const SPLIT_V: Kernel = (args) => {
  const x = input(args, 0).value;
  const axis = axisOf(args, numbersOf(input(args, 2).value)[0] ?? 0, x.shape.length);
  const sizes = numbersOf(input(args, 1).value);
  const known = sizes.filter((s) => s !== -1).reduce((a, b) => a + b, 0);
  const resolved = sizes.map((s) => (s === -1 ? x.shape[axis]! - known : s));
  if (resolved.reduce((a, b) => a + b, 0) !== x.shape[axis]) throw new Error(`SPLIT_V node ${args.node.name}: sizes [${sizes.join(', ')}] do not add up to ${x.shape[axis]}`);
  return splitAlong(args, x, axis, resolved);
};

/** PACK: stacks equal-shaped inputs along a new axis; TFLite wants one quantization for all. */
const PACK: Kernel = (args) => {
  const parts = args.inputs.map((_, i) => input(args, i));
  const out = output(args);
  if (isQuantizedInt(out.dtype)) {
    const qo = quant(out);
    if (parts.some((p) => { const q = quant(p.tensor); return q.scale !== qo.scale || q.zeroPoint !== qo.zeroPoint; })) {
      unsupported(args, 'inputs with other quantization than the output (TFLite refuses them)');
    }
  }
  const first = parts[0]!.value.shape;
  const axis = axisOf(args, attrNumber(args.node, 'axis', 0), first.length + 1);
  const shape = [...first.slice(0, axis), parts.length, ...first.slice(axis)];
  const y = allocAnyOutput(args, out, shape);
  const dst = elements(y);
  const outer = sizeOf(first.slice(0, axis));
  const inner = sizeOf(first.slice(axis));
  parts.forEach((p, k) => {
    const src = elements(p.value);
    for (let o = 0; o < outer; o++) for (let j = 0; j < inner; j++) dst[(o * parts.length + k) * inner + j] = src[o * inner + j]!;
  });
  return [y];
};

/** UNPACK: the slices along `axis`, each without that axis. */
const UNPACK: Kernel = (args) => {
  const x = input(args, 0).value;
  const axis = axisOf(args, attrNumber(args.node, 'axis', 0), x.shape.length);
  return splitAlong(args, x, axis, new Array<number>(x.shape[axis]!).fill(1), true);
};

/** Copies the input element `source(i)` to each output element i. */
function gather(args: KernelArgs, x: HostTensor, shape: number[], source: ArrayLike<number>): HostTensor {
  const y = allocAnyOutput(args, output(args), shape);
  const [src, dst] = [elements(x), elements(y)];
  for (let i = 0; i < dst.length; i++) dst[i] = src[source[i]!]!;
  return y;
}

/** TILE: output dimension d repeats the input's multiples[d] times. */
const TILE: Kernel = (args) => {
  const x = input(args, 0).value;
  const multiples = numbersOf(input(args, 1).value);
  if (multiples.length !== x.shape.length) throw new Error(`TILE node ${args.node.name}: ${multiples.length} multiples for rank ${x.shape.length}`);
  const shape = x.shape.map((d, i) => d * multiples[i]!);
  const inStrides = stridesOf(x.shape);
  const outStrides = stridesOf(shape);
  const source = new Int32Array(sizeOf(shape));
  for (let i = 0; i < source.length; i++) {
    let from = 0;
    for (let d = 0; d < shape.length; d++) from += ((Math.floor(i / outStrides[d]!) % shape[d]!) % x.shape[d]!) * inStrides[d]!;
    source[i] = from;
  }
  return [gather(args, x, shape, source)];
};

/** BROADCAST_TO: NumPy broadcasting of the input to the given shape. */
const BROADCAST_TO: Kernel = (args) => {
  const x = input(args, 0).value;
  const shape = numbersOf(input(args, 1).value);
  const rank = shape.length;
  if (x.shape.length > rank || x.shape.some((d, i) => d !== 1 && d !== shape[rank - x.shape.length + i])) {
    throw new Error(`BROADCAST_TO node ${args.node.name}: [${x.shape.join(', ')}] does not broadcast to [${shape.join(', ')}]`);
  }
  return [gather(args, x, shape, broadcastIndex(x.shape, shape))];
};

export const SPLIT_TILE_OPS = { SPLIT, SPLIT_V, PACK, UNPACK, TILE, BROADCAST_TO };
