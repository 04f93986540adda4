/**
 * STRIDED_SLICE, SLICE and GATHER (kernels/strided_slice.cc with strided_slice_logic.h,
 * slice.cc, gather.cc). Element moves only; quantized tensors keep their codes.
 */
import type { HostTensor } from '../../../runtime/types';
import {
  allocAnyOutput, attrBool, attrNumber, elements, input, numbersOf, output, sizeOf, stridesOf, unsupported, type Kernel, type KernelArgs,
} from '../kernel-util';

/** Copies the elements at the given per-axis index lists (a rectangular selection) into `shape`. */
function select(args: KernelArgs, x: HostTensor, picks: number[][], shape: number[]): HostTensor {
  const y = allocAnyOutput(args, output(args), shape);
  const src = elements(x);
  const dst = elements(y);
  const inStrides = stridesOf(x.shape);
  const counts = picks.map((p) => p.length);
  const pickStrides = stridesOf(counts);
  for (let i = 0; i < dst.length; i++) {
    let from = 0;
    for (let d = 0; d < picks.length; d++) from += picks[d]![Math.floor(i / pickStrides[d]!) % counts[d]!]! * inStrides[d]!;
    dst[i] = src[from]!;
  }
  return y;
}

const clampTo = (v: number, lo: number, hi: number): number => Math.min(Math.max(v, lo), hi);

/**
 * STRIDED_SLICE without ellipsis/new-axis masks (the converter expands those): per axis the
 * start and stop as StridedSliceStartForAxis / EndForAxis resolve them, shrunk axes dropped.
 */
const STRIDED_SLICE: Kernel = (args) => {
  const x = input(args, 0).value;
  const n = args.node;
  if (attrNumber(n, 'ellipsis_mask', 0) !== 0 || attrNumber(n, 'new_axis_mask', 0) !== 0) unsupported(args, 'ellipsis_mask / new_axis_mask');
  const rank = x.shape.length;
  const begin = numbersOf(input(args, 1).value);
  const end = numbersOf(input(args, 2).value);
  const strides = args.inputs[3] ? numbersOf(args.inputs[3].value) : begin.map(() => 1);
  // StridedSlicePadIndices: missing trailing axes are taken whole.
  let beginMask = attrNumber(n, 'begin_mask', 0);
  let endMask = attrNumber(n, 'end_mask', 0);
  const shrinkMask = attrNumber(n, 'shrink_axis_mask', 0);
  const offset = attrBool(n, 'offset', false);
  for (let a = begin.length; a < rank; a++) {
    begin.push(0); end.push(0); strides.push(1);
    beginMask |= 1 << a;
    endMask |= 1 << a;
  }
  const picks: number[][] = [];
  const shape: number[] = [];
  for (let a = 0; a < rank; a++) {
    const size = x.shape[a]!;
    const stride = strides[a]!;
    if (stride === 0) throw new Error(`STRIDED_SLICE node ${n.name}: stride 0 on axis ${a}`);
    let start = begin[a]!;
    if (start < 0) start += size;
    start = stride > 0 ? clampTo(start, 0, size) : clampTo(start, -1, size - 1);
    if (beginMask & (1 << a)) start = stride > 0 ? 0 : size - 1;
    let stop: number;
    if (shrinkMask & (1 << a)) stop = start >= size ? start : start + 1;
    else {
      stop = end[a]! + (offset ? start : 0);
      if (stop < 0) stop += size;
      stop = stride > 0 ? clampTo(stop, 0, size) : clampTo(stop, -1, size - 1);
      if (endMask & (1 << a)) stop = stride > 0 ? size : -1;
    }
    const idx: number[] = [];
    for (let i = start; stride > 0 ? i < stop : i > stop; i += stride) idx.push(i);
    picks.push(idx);
    if (!(shrinkMask & (1 << a))) shape.push(idx.length);
  }
  return [select(args, x, picks, shape)];
};

const SLICE: Kernel = (args) => {
  const x = input(args, 0).value;
  const begin = numbersOf(input(args, 1).value);
  const size = numbersOf(input(args, 2).value);
  const picks = x.shape.map((d, a) => {
    const b = begin[a] ?? 0;
    const s = size[a] === undefined || size[a] === -1 ? d - b : size[a]!;
    if (b < 0 || s < 0 || b + s > d) throw new Error(`SLICE node ${args.node.name}: begin ${b} size ${s} out of range for axis ${a} of size ${d}`);
    return Array.from({ length: s }, (_, i) => b + i);
  });
  return [select(args, x, picks, picks.map((p) => p.length))];
};

/** GATHER along `axis` with `batch_dims` leading dimensions shared by params and indices. */
const GATHER: Kernel = (args) => {
  const params = input(args, 0).value;
  const indices = input(args, 1).value;
  const rank = params.shape.length;
  let axis = attrNumber(args.node, 'axis', 0);
  if (axis < 0) axis += rank;
  let batchDims = attrNumber(args.node, 'batch_dims', 0);
  if (batchDims < 0) batchDims += indices.shape.length;
  const idx = numbersOf(indices);
  const batch = sizeOf(params.shape.slice(0, batchDims));
  const outer = sizeOf(params.shape.slice(batchDims, axis));
  const axisSize = params.shape[axis]!;
  const inner = sizeOf(params.shape.slice(axis + 1));
  const perBatch = sizeOf(indices.shape.slice(batchDims));
  const shape = [...params.shape.slice(0, axis), ...indices.shape.slice(batchDims), ...params.shape.slice(axis + 1)];
  const y = allocAnyOutput(args, output(args), shape);
  const src = elements(params);
  const dst = elements(y);
  let o = 0;
  for (let b = 0; b < batch; b++) {
    for (let i = 0; i < outer; i++) {
      for (let j = 0; j < perBatch; j++) {
        const k = idx[b * perBatch + j]!;
        if (k < 0 || k >= axisSize) throw new Error(`GATHER node ${args.node.name}: index ${k} out of range [0, ${axisSize})`);
        const base = ((b * outer + i) * axisSize + k) * inner;
        for (let e = 0; e < inner; e++) dst[o++] = src[base + e]!;
      }
    }
  }
  return [y];
};

export const SLICING_OPS = { STRIDED_SLICE, SLICE, GATHER };
