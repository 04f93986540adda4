/** TF -> TFLite lowerings for the rest of tfjs-converter's op list that TFLite builtins express. */
import type { Rule } from './common';

export const EXTRA_RULES: Record<string, Rule> = {};
