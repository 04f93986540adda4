/** Options and reports of the post-training quantization transforms (`tfl` dialect). */
import type { TransformReport } from '../transforms/types';

export type QuantMode = 'float16' | 'dynamic' | 'int8' | 'int16x8';
/** What a node computes in: the mode's integer type, float (kept), or int16 for sensitive layers. */
export type LayerPrecision = 'float' | 'int8' | 'int16';

/** Float range of one tensor as calibration measured it. */
export type Range = [min: number, max: number];

export interface QuantizeOptions {
  mode: QuantMode;
  /**
   * int8 / int16x8: the calibrated float range of every activation tensor of the float `tfl`
   * model, by tensor name. Part of the recipe, so replaying it needs no calibration data.
   */
  ranges?: Record<string, Range>;
  /** Weights per output channel (default) or one scale per tensor. */
  perTensor?: boolean;
  /** Fully-connected weights per output channel too (default per tensor: see op-table.ts). */
  perChannelDense?: boolean;
  /** int8 / int16x8: keep the model's inputs and outputs float32 (QUANTIZE / DEQUANTIZE inside). */
  floatIO?: boolean;
  /**
   * Per-node precision, by node name or `/regex/` on node names, first match wins: mixed precision
   * from the graph ('float' keeps a node float, 'int16' runs it 16x8).
   */
  layers?: Array<{ match: string; precision: LayerPrecision }>;
  /** dynamic / float16: constants with fewer elements stay float32 (TFLite's default is 1024 for dynamic). */
  minElements?: number;
  /** Free text on how `ranges` were obtained (method, data), recorded in the file's metadata. */
  calibration?: string;
}

export interface QuantizedNode {
  node: string;
  op: string;
  precision: LayerPrecision;
  /** Why a node stayed float (no integer kernel, user choice, no range...). */
  reason?: string;
}

export interface QuantizeReport extends TransformReport {
  mode: QuantMode;
  nodes: QuantizedNode[];
  /** Nodes by precision. */
  counts: Record<LayerPrecision, number>;
  /** QUANTIZE / DEQUANTIZE nodes the transform inserted. */
  conversions: number;
  /** Bias values that did not fit int32 at input scale x weight scale (saturated). */
  saturatedBiases: number;
  /** Constant bytes before and after. */
  weightBytes: { before: number; after: number };
}
