/** ONNX -> TFLite lowerings: Resize / Upsample. */
import type { Rule } from './context';

export const RESIZE_RULES: Record<string, Rule> = {};
