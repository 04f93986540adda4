/**
 * SPACE_TO_BATCH_ND and BATCH_TO_SPACE_ND (kernels/space_to_batch_nd.cc, batch_to_space_nd.cc;
 * reference_ops::SpaceToBatchND / BatchToSpaceND), for the M spatial dimensions after the batch.
 * A batch index is (block offset) * batch + b, block offsets numbered row-major over the block
 * shape. Quantized tensors keep their codes; SPACE_TO_BATCH_ND pads with the output zero point.
 */
import {
  allocAnyOutput, allocOutput, elements, input, isQuantizedInt, numbersOf, output, quant, sizeOf, stridesOf, type Kernel, type KernelArgs,
} from '../kernel-util';

/** Block shape and the [M, 2] paddings or crops, checked against the input rank. */
function blockParams(args: KernelArgs, rank: number): { block: number[]; edges: number[] } {
  const block = numbersOf(input(args, 1).value);
  const edges = numbersOf(input(args, 2).value);
  if (block.length < 1 || block.length > rank - 1 || edges.length !== 2 * block.length || block.some((b) => b < 1)) {
    throw new Error(`${args.node.op} node ${args.node.name}: block shape [${block.join(', ')}] and [${edges.join(', ')}] do not fit rank ${rank}`);
  }
  return { block, edges };
}

const SPACE_TO_BATCH_ND: Kernel = (args) => {
  const x = input(args, 0).value;
  const out = output(args);
  const { block, edges } = blockParams(args, x.shape.length);
  const m = block.length;
  const batch = x.shape[0]!;
  const padded = block.map((_, i) => x.shape[1 + i]! + edges[2 * i]! + edges[2 * i + 1]!);
  if (padded.some((p, i) => p % block[i]! !== 0)) throw new Error(`SPACE_TO_BATCH_ND node ${args.node.name}: padded sizes [${padded.join(', ')}] are not multiples of the block`);
  const shape = [batch * sizeOf(block), ...padded.map((p, i) => p / block[i]!), ...x.shape.slice(1 + m)];
  const y = allocOutput(args, out, shape);
  const src = x.data as ArrayLike<number>;
  const dst = y.data;
  const pad = isQuantizedInt(out.dtype) ? quant(out).zeroPoint : 0;
  const inStrides = stridesOf(x.shape);
  const outStrides = stridesOf(shape);
  const blockStrides = stridesOf(block);
  const inner = sizeOf(x.shape.slice(1 + m));
  for (let i = 0; i < dst.length; i += inner) {
    const ob = Math.floor(i / outStrides[0]!);
    const offset = Math.floor(ob / batch);
    let from = (ob % batch) * inStrides[0]!;
    let inside = true;
    for (let d = 0; d < m; d++) {
      const p = (Math.floor(i / outStrides[1 + d]!) % shape[1 + d]!) * block[d]! + (Math.floor(offset / blockStrides[d]!) % block[d]!) - edges[2 * d]!;
      if (p < 0 || p >= x.shape[1 + d]!) inside = false;
      from += p * inStrides[1 + d]!;
    }
    for (let j = 0; j < inner; j++) dst[i + j] = inside ? src[from + j]! : pad;
  }
  return [y];
};

const BATCH_TO_SPACE_ND: Kernel = (args) => {
  const x = input(args, 0).value;
  const { block, edges } = blockParams(args, x.shape.length);
  const m = block.length;
  const blocks = sizeOf(block);
  if (x.shape[0]! % blocks !== 0) throw new Error(`BATCH_TO_SPACE_ND node ${args.node.name}: batch ${x.shape[0]} is not a multiple of ${blocks}`);
  const batch = x.shape[0]! / blocks;
  const shape = [batch, ...block.map((b, i) => x.shape[1 + i]! * b - edges[2 * i]! - edges[2 * i + 1]!), ...x.shape.slice(1 + m)];
  const y = allocAnyOutput(args, output(args), shape);
  const [src, dst] = [elements(x), elements(y)];
  const inStrides = stridesOf(x.shape);
  const outStrides = stridesOf(shape);
  const blockStrides = stridesOf(block);
  const inner = sizeOf(x.shape.slice(1 + m));
  for (let i = 0; i < dst.length; i += inner) {
    let offset = 0;
    let from = 0;
    for (let d = 0; d < m; d++) {
      const full = (Math.floor(i / outStrides[1 + d]!) % shape[1 + d]!) + edges[2 * d]!;
      offset += (full % block[d]!) * blockStrides[d]!;
      from += Math.floor(full / block[d]!) * inStrides[1 + d]!;
    }
    from += (offset * batch + Math.floor(i / outStrides[0]!)) * inStrides[0]!;
    for (let j = 0; j < inner; j++) dst[i + j] = src[from + j]!;
  }
  return [y];
};

export const BATCH_SPACE_OPS = { SPACE_TO_BATCH_ND, BATCH_TO_SPACE_ND };
