/**
 * Recipes from files for `optimize`: a bare array of steps, `{ recipe: [...] }` (what
 * `quantize --json` prints), or a comparison report with `variants[].recipe` (picked with
 * --variant). Recipes are untrusted: every step's options are checked against what its transform
 * takes before anything runs, so a wrong type is an error naming the step rather than a crash
 * deep in a transform, and sizes are bounded so a hostile recipe cannot make a transform spin.
 */
import type { Dialect } from '../lib/ir/types';
import type { Recipe, RecipeStep } from '../lib/transforms/types';
import { TRANSFORMS } from '../lib/transforms/index';
import { QUANT_MODES } from '../lib/quantize/index';

/** A recipe that cannot be used as given: the message names the step. */
export class RecipeError extends Error {}

type Check = (v: unknown, at: string) => void;

const fail = (at: string, want: string, v: unknown): never => {
  throw new RecipeError(`${at} must be ${want}, got ${JSON.stringify(v)?.slice(0, 80) ?? String(v)}`);
};
const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

const bool: Check = (v, at) => { if (typeof v !== 'boolean') fail(at, 'true or false', v); };
const str: Check = (v, at) => { if (typeof v !== 'string') fail(at, 'a string', v); };
const oneOf = (xs: readonly string[]): Check => (v, at) => { if (!xs.includes(v as string)) fail(at, `one of ${xs.join(', ')}`, v); };
const fraction: Check = (v, at) => { if (typeof v !== 'number' || !(v >= 0 && v < 1)) fail(at, 'a number in [0, 1)', v); };
const int = (min: number, max: number): Check => (v, at) => { if (!Number.isInteger(v) || (v as number) < min || (v as number) > max) fail(at, `an integer in [${min}, ${max}]`, v); };
const arrayOf = (each: Check, max = 10_000): Check => (v, at) => {
  if (!Array.isArray(v) || v.length > max) fail(at, `an array (at most ${max} entries)`, v);
  (v as unknown[]).forEach((x, i) => each(x, `${at}[${i}]`));
};
const recordOf = (each: Check): Check => (v, at) => {
  if (!isObj(v)) fail(at, 'an object', v);
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) each(x, `${at}["${k}"]`);
};
const shape: Check = arrayOf(int(-1, 2 ** 31 - 1), 8);
const range: Check = (v, at) => {
  if (!Array.isArray(v) || v.length !== 2 || !v.every((x) => typeof x === 'number' && Number.isFinite(x)) || v[0] > v[1]) fail(at, 'a range [min, max] of finite numbers', v);
};
const object = (fields: Record<string, Check>): Check => (v, at) => {
  if (!isObj(v)) fail(at, 'an object', v);
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
    const c = fields[k];
    if (!c) throw new RecipeError(`${at}: unknown option "${k}" (known: ${Object.keys(fields).join(', ')})`);
    c(x, `${at}.${k}`);
  }
};
const required = (...keys: string[]): Check => (v, at) => {
  for (const k of keys) if ((v as Record<string, unknown>)[k] === undefined) throw new RecipeError(`${at}: option "${k}" is required`);
};
const both = (...cs: Check[]): Check => (v, at) => { for (const c of cs) c(v, at); };

const conversion = { inputShapes: recordOf(shape) };
const pattern: Check = both(object({ n: int(1, 63), m: int(2, 64) }), required('n', 'm'), (v, at) => {
  const p = v as { n: number; m: number };
  if (p.n >= p.m) throw new RecipeError(`${at}: n must be smaller than m, got ${p.n}:${p.m}`);
});

/** Each transform's options, the dialect its input must be in (undefined: any) and the one it makes. */
const STEPS: Record<string, { options: Check; dialect?: Dialect; makes?: Dialect }> = {
  'onnx-to-tfl': { options: object({ ...conversion, keepLayout: bool }), dialect: 'onnx', makes: 'tfl' },
  'tf-to-tfl': { options: object({ ...conversion, batch: int(1, 1 << 16) }), dialect: 'tf', makes: 'tfl' },
  'keras-to-tfl': { options: object({ ...conversion, batch: int(1, 1 << 16) }), dialect: 'keras', makes: 'tfl' },
  'infer-shapes': { options: both(object(conversion), required('inputShapes')) },
  quantize: {
    dialect: 'tfl',
    options: both(object({
      mode: oneOf(QUANT_MODES), ranges: recordOf(range), perTensor: bool, perChannelDense: bool, floatIO: bool,
      layers: arrayOf(both(object({ match: str, precision: oneOf(['float', 'int8', 'int16']) }), required('match', 'precision'))),
      minElements: int(0, 2 ** 31 - 1), calibration: str,
    }), required('mode')),
  },
  'onnx-qdq': {
    dialect: 'onnx',
    options: both(object({ ranges: recordOf(range), activations: oneOf(['int8', 'uint8']), perTensor: bool, keepFloat: arrayOf(str), calibration: str }), required('ranges')),
  },
  prune: {
    options: object({
      sparsity: fraction, scope: oneOf(['global', 'layer']), perLayer: recordOf(fraction), exclude: arrayOf(str),
      pattern, structured: fraction, criterion: oneOf(['l1', 'l2']),
    }),
  },
};

export function stepName(i: number, step: { transform?: unknown }): string {
  return `step ${i + 1}${typeof step?.transform === 'string' ? ` (${step.transform})` : ''}`;
}

/** The steps in `doc`, checked; `variant` picks one of a report's variants. */
export function recipeFrom(doc: unknown, variant?: string): Recipe {
  let steps: unknown = doc;
  if (isObj(doc) && Array.isArray(doc.variants)) {
    const vs = doc.variants as Array<{ id?: unknown; recipe?: unknown }>;
    const ids = vs.map((v) => String(v?.id));
    if (variant === undefined) throw new RecipeError(`the file is a report with ${vs.length} variant(s): pick one with --variant <id> (${ids.join(', ')})`);
    const v = vs.find((x) => x?.id === variant);
    if (!v) throw new RecipeError(`no variant "${variant}" in the report (variants: ${ids.join(', ')})`);
    steps = v.recipe;
  } else if (variant !== undefined) {
    throw new RecipeError('--variant picks a variant of a report (a JSON object with "variants"); this file is a single recipe');
  } else if (isObj(doc) && 'recipe' in doc) {
    steps = doc.recipe;
  }
  if (!Array.isArray(steps)) throw new RecipeError('a recipe is a JSON array of { "transform", "options" } steps (or { "recipe": [...] }, or a report with "variants")');
  if (steps.length > 64) throw new RecipeError(`${steps.length} steps: a recipe has at most 64`);
  return steps.map((s: unknown, i): RecipeStep => {
    const at = stepName(i, s as { transform?: unknown });
    if (!isObj(s) || typeof s.transform !== 'string') throw new RecipeError(`${at}: a step is { "transform": "<name>", "options": {...} }`);
    const spec = STEPS[s.transform];
    if (!spec || !TRANSFORMS[s.transform]) throw new RecipeError(`${at}: unknown transform "${s.transform}" (known: ${Object.keys(TRANSFORMS).filter((k) => STEPS[k]).join(', ')})`);
    const extra = Object.keys(s).filter((k) => k !== 'transform' && k !== 'options');
    if (extra.length) throw new RecipeError(`${at}: unknown field(s) ${extra.join(', ')}`);
    const options = s.options ?? {};
    spec.options(options, `${at}: options`);
    return { transform: s.transform, options: options as Record<string, unknown> };
  });
}

/**
 * The dialect the recipe leaves a `start` model in, checking each step's input dialect on the
 * way, so a recipe for another kind of model fails before any work (and before -o is written).
 */
export function resultDialect(start: Dialect, recipe: Recipe): Dialect {
  let d = start;
  for (const [i, step] of recipe.entries()) {
    const spec = STEPS[step.transform];
    if (spec?.dialect && spec.dialect !== d) throw new RecipeError(`${stepName(i, step)}: needs a model in the ${spec.dialect} dialect; the model is ${d} at this point`);
    d = spec?.makes ?? d;
  }
  return d;
}
