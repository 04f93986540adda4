/**
 * ONNX QuantizeLinear / DequantizeLinear as the float arithmetic they are defined by, not as
 * TFLite QUANTIZE / DEQUANTIZE: TFLite's QUANTIZE rounds halves away from zero, ONNX to even,
 * so only ROUND (banker's) reproduces ONNX bit for bit. Per-tensor and per-axis scales, given or
 * computed at run time. (Integer ops such as QLinearConv / ConvInteger are not lowered: their
 * requantization rounding has no exact TFLite form.)
 */
import type { DType } from '../../ir/types';
import { type LowerCtx, type Rule, Unsupported } from './context';
import { cast, op, scalar } from './rules-index';

const RANGE: Partial<Record<DType, [number, number]>> = {
  uint8: [0, 255], int8: [-128, 127], uint16: [0, 65535], int16: [-32768, 32767],
};

/** A scale or zero point shaped to broadcast along `axis` of a rank-`rank` tensor (float32). */
function along(c: LowerCtx, name: string, rank: number, axis: number): string {
  const shape = c.shape(name);
  let v = cast(c, c.v(name), c.dtype(name), 'float32', shape);
  if (shape.length === 1 && shape[0]! > 1 && rank > 1) {
    v = c.b.reshape(v, Array.from({ length: rank }, (_, i) => (i === axis ? shape[0]! : 1)));
  }
  return v;
}

function axisOf(c: LowerCtx, rank: number): number {
  if (c.int('block_size', 0) !== 0) throw new Unsupported(`${c.node.op.slice(5)} with block_size (blocked quantization)`);
  const a = c.int('axis', 1);
  return a < 0 ? a + rank : a;
}

const quantizeLinear: Rule = (c) => {
  const [x, s, z] = c.node.inputs as [string, string, string | undefined];
  const out = c.node.outputs[0]!, to = c.dtype(out);
  const range = RANGE[to];
  if (!range) throw new Unsupported(`QuantizeLinear to ${to}`);
  if (c.dtype(x) !== 'float32') throw new Unsupported(`QuantizeLinear of ${c.dtype(x)}`);
  const shape = c.shape(x), axis = axisOf(c, shape.length);
  let y = op(c, 'ROUND', [op(c, 'DIV', [c.v(x), along(c, s, shape.length, axis)], 'float32', shape)], 'float32', shape);
  if (z) y = op(c, 'ADD', [y, along(c, z, shape.length, axis)], 'float32', shape);
  y = op(c, 'MAXIMUM', [y, scalar(c, 'float32', range[0])], 'float32', shape);
  y = op(c, 'MINIMUM', [y, scalar(c, 'float32', range[1])], 'float32', shape);
  cast(c, y, 'float32', to, shape, c.out());
};

const dequantizeLinear: Rule = (c) => {
  const [x, s, z] = c.node.inputs as [string, string, string | undefined];
  const from = c.dtype(x);
  if (!RANGE[from] && from !== 'int32') throw new Unsupported(`DequantizeLinear of ${from}`);
  if (c.dtype(c.node.outputs[0]!) !== 'float32') throw new Unsupported(`DequantizeLinear to ${c.dtype(c.node.outputs[0]!)}`);
  const shape = c.shape(x), axis = axisOf(c, shape.length);
  let y = cast(c, c.v(x), from, 'float32', shape);
  if (z) y = op(c, 'SUB', [y, along(c, z, shape.length, axis)], 'float32', shape);
  op(c, 'MUL', [y, along(c, s, shape.length, axis)], 'float32', shape, {}, c.out());
};

/** ONNX's integer-arithmetic ops: refused with what to do instead. */
const integerOp: Rule = (c) => {
  throw new Unsupported(`${c.node.op.slice(5)} computes in integers with ONNX's requantization rounding, which no TFLite kernel reproduces exactly; convert the float model and quantize it here (Optimize tab or \`cli quantize\`)`);
};

export const QUANT_RULES: Record<string, Rule> = {
  QuantizeLinear: quantizeLinear, DequantizeLinear: dequantizeLinear,
  QLinearConv: integerOp, QLinearMatMul: integerOp, ConvInteger: integerOp, MatMulInteger: integerOp,
};
