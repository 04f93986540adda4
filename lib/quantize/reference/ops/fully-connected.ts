/**
 * FULLY_CONNECTED and BATCH_MATMUL (kernels/fully_connected.cc, batch_matmul.cc;
 * reference_integer_ops::FullyConnected / FullyConnectedPerChannel, reference_ops::BatchMatMul).
 *
 * Multipliers are computed the way each Prepare does, which differs in the last bit:
 * per-channel FC multiplies the scales in double, per-tensor FC and BATCH_MATMUL
 * (GetQuantizedConvolutionMultipler) multiply input and filter scale in float32 first.
 *
 * LiteRT's newest kReference per-channel and int16 FC kernels scale with round(acc * double)
 * instead; the optimized kernels (what the runtimes run) and earlier TFLite use the fixed-point
 * multiplier, which is what is done here. The two differ only on exact ties.
 */
import type { HostTensor } from '../../../runtime/types';
import { multiplyByQuantizedMultiplierInt64, toInt32, type QuantizedMultiplier } from '../fixed-point';
import {
  activationRangeFloat, activationRangeQuantized, allocOutput, attrBool, broadcastShapes, channelScales, clamp, dtypeRange, fixedPoint,
  fusedActivation, input, output, quant, sizeOf, stridesOf, unsupported, type Kernel, type KernelArgs,
} from '../kernel-util';

type Mode = 'float' | 'int8' | 'int16x8';

function modeOf(args: KernelArgs, lhsDtype: string, rhsDtype: string, outDtype: string): Mode {
  if (lhsDtype === 'float32' && rhsDtype === 'float32' && outDtype === 'float32') return 'float';
  if (lhsDtype === 'int8' && rhsDtype === 'int8' && outDtype === 'int8') return 'int8';
  if (lhsDtype === 'int16' && rhsDtype === 'int8' && outDtype === 'int16') return 'int16x8';
  return unsupported(args, `input ${lhsDtype}, weights ${rhsDtype}, output ${outDtype}`);
}

/**
 * Turns exact sums into outputs: int32 accumulation (wrapping) and the int32 multiply for int8
 * and for 16x8 with an int32 bias; int64 accumulation and the int64 multiply otherwise.
 */
function finishQuantized(
  args: KernelArgs, sums: Float64Array, channels: number, bias: HostTensor | undefined, int64: boolean,
  multipliers: (c: number) => QuantizedMultiplier, outZp: number, range: [number, number], y: HostTensor,
): void {
  const fx = fixedPoint(args);
  for (let i = 0; i < sums.length; i++) {
    const c = i % channels;
    const m = multipliers(c);
    let v: number;
    if (int64) {
      v = multiplyByQuantizedMultiplierInt64(BigInt(sums[i]!) + (bias ? BigInt(bias.data[c]!) : 0n), m.multiplier, m.shift);
    } else {
      v = fx.apply(toInt32(toInt32(sums[i]!) + (bias ? Number(bias.data[c]) : 0)), m);
    }
    y.data[i] = clamp(v + outZp, range[0], range[1]);
  }
}

const FULLY_CONNECTED: Kernel = (args) => {
  const x = input(args, 0);
  const w = input(args, 1);
  const bias = args.inputs[2];
  const out = output(args);
  const mode = modeOf(args, x.tensor.dtype, w.tensor.dtype, out.dtype);
  if (w.value.shape.length !== 2) throw new Error(`FULLY_CONNECTED node ${args.node.name}: weights must be 2-D, got [${w.value.shape.join(', ')}]`);
  const [units, depth] = w.value.shape as [number, number];
  const batches = sizeOf(x.value.shape) / depth;
  if (!Number.isInteger(batches)) throw new Error(`FULLY_CONNECTED node ${args.node.name}: input [${x.value.shape.join(', ')}] is not a multiple of depth ${depth}`);
  const shape = attrBool(args.node, 'keep_num_dims', false) ? [...x.value.shape.slice(0, -1), units] : [batches, units];
  const y = allocOutput(args, out, shape);

  let inputOffset = 0;
  let filterOffset = 0;
  if (mode !== 'float') {
    const wScales = channelScales(w.tensor);
    if (wScales.length === 1) filterOffset = -quant(w.tensor).zeroPoint;
    else if (w.tensor.quant!.zeroPoint.some((z) => z !== 0)) unsupported(args, 'per-channel weights with non-zero zero points');
    if (mode === 'int8') inputOffset = -quant(x.tensor).zeroPoint;
  }
  const xs = x.value.data as ArrayLike<number>;
  const ws = w.value.data as ArrayLike<number>;
  const sums = new Float64Array(batches * units);
  for (let b = 0; b < batches; b++) {
    for (let u = 0; u < units; u++) {
      let s = 0;
      for (let d = 0; d < depth; d++) s += (ws[u * depth + d]! + filterOffset) * (xs[b * depth + d]! + inputOffset);
      sums[b * units + u] = s;
    }
  }

  const act = fusedActivation(args.node);
  if (mode === 'float') {
    const [lo, hi] = activationRangeFloat(act);
    for (let i = 0; i < sums.length; i++) y.data[i] = clamp(Math.fround(Math.fround(sums[i]!) + (bias ? Number(bias.value.data[i % units]) : 0)), lo, hi);
    return [y];
  }
  const inS = quant(x.tensor).scale;
  const outQ = quant(out);
  const wScales = channelScales(w.tensor);
  const fx = fixedPoint(args);
  const multipliers = wScales.length > 1
    ? wScales.map((s) => fx.multiplier((inS * s) / outQ.scale))
    : [fx.multiplier(Math.fround(inS * wScales[0]!) / outQ.scale)];
  const int64 = mode === 'int16x8' && bias?.tensor.dtype !== 'int32';
  finishQuantized(args, sums, units, bias?.value, int64, (c) => multipliers[multipliers.length > 1 ? c : 0]!,
    outQ.zeroPoint, activationRangeQuantized(act, out), y);
  return [y];
};

const BATCH_MATMUL: Kernel = (args) => {
  const a = input(args, 0);
  const b = input(args, 1);
  const out = output(args);
  // EvalInt16 and EvalInt16Int8: int16 x int16 and int16 x int8 both accumulate in int64.
  const mode = modeOf(args, a.tensor.dtype, b.tensor.dtype === 'int16' ? 'int8' : b.tensor.dtype, out.dtype);
  const adjX = attrBool(args.node, 'adj_x', false);
  const adjY = attrBool(args.node, 'adj_y', false);
  const as = a.value.shape;
  const bs = b.value.shape;
  if (as.length < 2 || bs.length < 2) throw new Error(`BATCH_MATMUL node ${args.node.name}: operands must be at least 2-D`);
  const [m, k] = adjX ? [as.at(-1)!, as.at(-2)!] : [as.at(-2)!, as.at(-1)!];
  const [k2, n] = adjY ? [bs.at(-1)!, bs.at(-2)!] : [bs.at(-2)!, bs.at(-1)!];
  if (k !== k2) throw new Error(`BATCH_MATMUL node ${args.node.name}: inner dimensions ${k} and ${k2} differ`);
  const batch = broadcastShapes(as.slice(0, -2), bs.slice(0, -2), `BATCH_MATMUL node ${args.node.name}`);
  const y = allocOutput(args, out, [...batch, m, n]);

  const aBatch = as.slice(0, -2);
  const bBatch = bs.slice(0, -2);
  const offsetIn = (shape: number[], pos: number[]): number => {
    const st = stridesOf(shape);
    return shape.reduce((acc, d, i) => acc + (d === 1 ? 0 : pos[pos.length - shape.length + i]!) * st[i]!, 0);
  };
  const quantized = mode !== 'float';
  const aOff = quantized ? -quant(a.tensor).zeroPoint : 0;
  const bOff = quantized ? -quant(b.tensor).zeroPoint : 0;
  const ad = a.value.data as ArrayLike<number>;
  const bd = b.value.data as ArrayLike<number>;
  const sums = new Float64Array(sizeOf(y.shape));
  const batchStrides = stridesOf(batch);
  for (let t = 0; t < sizeOf(batch); t++) {
    const pos = batchStrides.map((s, i) => Math.floor(t / s) % batch[i]!);
    const aBase = offsetIn(aBatch, pos) * m * k;
    const bBase = offsetIn(bBatch, pos) * k * n;
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let q = 0; q < k; q++) {
          const av = ad[aBase + (adjX ? q * m + i : i * k + q)]!;
          const bv = bd[bBase + (adjY ? j * k + q : q * n + j)]!;
          s += (av + aOff) * (bv + bOff);
        }
        sums[(t * m + i) * n + j] = s;
      }
    }
  }
  if (!quantized) {
    for (let i = 0; i < sums.length; i++) y.data[i] = sums[i]!;
    return [y];
  }
  const outQ = quant(out);
  const mult = fixedPoint(args).multiplier(Math.fround(quant(a.tensor).scale * quant(b.tensor).scale) / outQ.scale);
  finishQuantized(args, sums, 1, undefined, mode === 'int16x8', () => mult, outQ.zeroPoint, dtypeRange(out.dtype), y);
  return [y];
};

export const FULLY_CONNECTED_OPS = { FULLY_CONNECTED, BATCH_MATMUL };
