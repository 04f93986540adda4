/** ONNX -> TFLite lowerings: index and scatter ops (TopK, OneHot, Scatter*, GatherND, EyeLike, ReverseSequence, Mod). */
import type { Rule } from './context';

export const INDEX_RULES: Record<string, Rule> = {};
