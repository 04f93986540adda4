/**
 * What pruning needs to know about ops, as data: one table per dialect (ops-tfl.ts, ops-onnx.ts,
 * ops-tf.ts, ops-keras.ts; PRUNE_OPS in tables.ts). Layers with weights say where their weight is and which weight axes
 * index output and input channels; channel ops say how channels flow from inputs to outputs, so
 * structured pruning can follow a removed channel to every tensor and constant that carries it.
 */

export interface WeightSpec {
  /** Input index of the weight; for keras layers, the Keras weight name ('kernel'). */
  input: number | string;
  /** Weight axis that indexes output channels; negative counts from the end. */
  outAxis: number;
  /** Reduction (input-channel) axis; absent when each output reads one input channel (depthwise). */
  inAxis?: number;
}

export interface LayerSpec {
  kind: 'conv' | 'depthwise' | 'dense';
  weights: WeightSpec[];
  /** When this attribute is true / non-zero, outAxis and inAxis trade places (Gemm transB). */
  transposeAttr?: string;
  /** Present when structured pruning can follow the layer's channels (tfl, onnx). */
  channels?: {
    /** Input index of the per-output-channel bias. */
    bias?: number;
    /** Channel axis of the data input (input 0) and of the output; negative counts from the end. */
    dataAxis: number;
    /** The layer is not followed when this attribute is set (Gemm transA). */
    unless?: string;
    /** ONNX Conv `group`: group = input channels makes a depthwise conv; other groups are not followed. */
    groupAttr?: string;
  };
}

/**
 * How an op maps input channels to output channels (the channel axis is that of input 0):
 * - unary: input 0 channel c -> output channel c; other inputs are scalars or shapes
 *   (`sizesInput`: a constant full output shape whose channel entry must follow);
 * - elementwise: every input joins channel for channel; constants that vary along the channel
 *   axis are sliced with it, broadcast ones are kept;
 * - params: the listed inputs are per-channel vectors (batch norm scale, bias, mean, variance);
 * - concat: inputs are stacked along `axisAttr`;
 * - pad: channel padding adds constant channels; mirrored channels (`mirror`, or `modeAttr` other
 *   than 'constant') copy real ones and are not followed. `layout` of the pads: TFLite [rank, 2]
 *   pairs or ONNX begins then ends;
 * - reduce: fine while the channel axis is not reduced;
 * - reshape: fine while the channel axis survives whole, or for a flatten to [N, features],
 *   whose features interleave (spatial, channel) as the input's layout says;
 * - transpose: the channel axis moves where the permutation puts it (default: reversed).
 */
export type ChannelOp =
  | { kind: 'unary'; sizesInput?: number }
  | { kind: 'elementwise' }
  | { kind: 'params'; inputs: number[] }
  | { kind: 'concat'; axisAttr: string; defaultAxis: number }
  | { kind: 'pad'; padsInput?: number; padsAttr?: string; layout: 'pairs' | 'begins-ends'; modeAttr?: string; mirror?: boolean }
  | { kind: 'reduce'; axesInput?: number; axesAttr?: string; keepAttr: string; keepDefault: boolean }
  | { kind: 'reshape'; shapeInput?: number; shapeAttr?: string }
  | { kind: 'transpose'; permInput?: number; permAttr?: string };

export interface DialectOps {
  layers: Record<string, LayerSpec>;
  /** Ops a weight may pass through between its constant and its layer (TFLite float16 DEQUANTIZE). */
  lookThrough: string[];
  /** Ops structured pruning follows channels through; absent for dialects it does not support. */
  channelOps?: Record<string, ChannelOp>;
}

/** A table entry for each op name. */
export function each<T>(names: string[], prefix: string, value: T): Record<string, T> {
  return Object.fromEntries(names.map((n) => [`${prefix}${n}`, value]));
}
