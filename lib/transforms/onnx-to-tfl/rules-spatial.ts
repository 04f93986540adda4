/** ONNX -> TFLite lowerings: pooling, transposed convolution and spatial ops (AveragePool, MaxPool, ConvTranspose, DepthToSpace, LRN, MeanVarianceNormalization). */
import type { Rule } from './context';

export const SPATIAL_RULES: Record<string, Rule> = {};
