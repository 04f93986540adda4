/** The ONNX op table: one rule per op type (domain ai.onnx), assembled from the themed files. */
import { onnxBasicOps } from './onnx-basic';
import { onnxNnOps } from './onnx-nn';
import { onnxShapeOps } from './onnx-shape';
import type { OpTable } from './types';

export const onnxOps: OpTable = { ...onnxBasicOps, ...onnxShapeOps, ...onnxNnOps };
