/**
 * `optimize <model> --recipe <recipe.json> -o <out.tflite|out.onnx> [--variant <id>] [--json]`:
 * replays a recipe the app or `quantize --json` printed, without the calibration data, and
 * writes the same bytes they wrote. Steps run one at a time through applyRecipe so a failure
 * names the step it happened in.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { gzipSync } from 'fflate';
import { writeOnnx } from '../lib/formats/onnx/write';
import { readModel } from '../lib/formats/registry';
import { writeTflite } from '../lib/formats/tflite/write';
import type { Model } from '../lib/ir/types';
import { applyRecipe } from '../lib/transforms/index';
import type { Recipe, TransformReport } from '../lib/transforms/types';
import { loadInputFiles } from './files';
import { recipeFrom, RecipeError, resultDialect, stepName } from './recipe';
import { parse, UsageError } from './run';

async function readRecipe(file: string, variant: string | undefined): Promise<Recipe> {
  const text = await readFile(file, 'utf8').catch((e: NodeJS.ErrnoException) => {
    throw new UsageError(`--recipe ${file}: ${e.code === 'ENOENT' ? 'no such file' : e.message}`);
  });
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new Error(`--recipe ${file}: not JSON (${(e as Error).message.replace(/\s+/g, ' ')})`);
  }
  try {
    return recipeFrom(doc, variant);
  } catch (e) {
    // The recipe's content, not the command line, is wrong: an error without the usage text.
    if (e instanceof RecipeError) throw new Error(`--recipe ${file}: ${e.message}`);
    throw e;
  }
}

function unsupported(r: TransformReport): string {
  const ops = r.unsupported.map((u) => `${u.op} x${u.count}${u.reason ? ` (${u.reason})` : ''}`);
  return [...ops, ...r.notes].join('; ') || 'no reason given';
}

/** The recipe applied step by step; errors carry the step's number and transform. */
function replay(model: Model, recipe: Recipe): { model: Model; reports: TransformReport[] } {
  let current = model;
  const reports: TransformReport[] = [];
  for (const [i, step] of recipe.entries()) {
    const at = stepName(i, step);
    let r;
    try {
      r = applyRecipe(current, [step]);
    } catch (e) {
      throw new Error(`${at}: ${e instanceof Error ? e.message : String(e)}`);
    }
    reports.push(...r.reports);
    if (!r.converted) throw new Error(`${at}: did not complete, nothing written: ${unsupported(r.reports[r.reports.length - 1]!)}`);
    current = r.model;
  }
  return { model: current, reports };
}

export async function optimizeCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, {
    recipe: { type: 'string' },
    variant: { type: 'string' },
    output: { type: 'string', short: 'o' },
    json: { type: 'boolean' },
  });
  if (positionals.length !== 1) throw new UsageError(`give exactly one model file${positionals.length ? ` (got ${positionals.join(' ')})` : ''}`);
  if (!values.recipe) throw new UsageError('give the recipe: --recipe recipe.json');
  const out = values.output;
  const ext = out && /\.(tflite|onnx)$/i.exec(out)?.[1]?.toLowerCase();
  if (!out || !ext) throw new UsageError('give the output file: -o out.tflite (or out.onnx when the recipe ends in ONNX, e.g. onnx-qdq)');
  const recipe = await readRecipe(values.recipe, values.variant);
  const files = await loadInputFiles([positionals[0]!]);
  const source = await readModel(files);
  let planned;
  try {
    planned = resultDialect(source.dialect, recipe);
  } catch (e) {
    if (e instanceof RecipeError) throw new Error(`--recipe ${values.recipe}: ${e.message} (${files[0]!.name} is ${source.format})`);
    throw e;
  }
  const want = planned === 'tfl' ? 'tflite' : planned === 'onnx' ? 'onnx' : null;
  if (!want) throw new Error(`--recipe ${values.recipe}: the recipe leaves the model in the ${planned} dialect, which has no writer: add a conversion step (${planned}-to-tfl)`);
  if (want !== ext) throw new UsageError(`-o ${out}: the recipe makes ${want === 'tflite' ? 'a TFLite' : 'an ONNX'} model; name the output .${want}`);
  const t0 = performance.now();
  const { model, reports } = replay(source, recipe);
  // The plan is the registry's promise; a transform that broke it must not be written under the wrong name.
  if (model.dialect !== planned) throw new Error(`the recipe made a ${model.dialect} model, not the ${planned} model its steps promise`);
  const bytes = want === 'tflite' ? writeTflite(model) : writeOnnx(model);
  const ms = performance.now() - t0;
  await writeFile(out, bytes);
  const gz = gzipSync(bytes, { level: 9 }).length;
  const notes = reports.flatMap((r) => r.notes);
  if (values.json) {
    console.log(JSON.stringify({ file: files[0]!.name, output: out, format: want, bytes: bytes.length, gzipBytes: gz, ms, steps: recipe.map((s) => s.transform), notes }, null, 2));
    return 0;
  }
  console.log(`${files[0]!.name} (${source.format}) -> ${out}: ${recipe.length} step(s) [${recipe.map((s) => s.transform).join(', ') || 'none'}], ${bytes.length} bytes (${gz} gzipped), ${ms.toFixed(0)} ms`);
  for (const n of notes) console.log(`  note: ${n}`);
  return 0;
}
