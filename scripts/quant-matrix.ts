/**
 * Model x quantization mode x runtime table: every fixture model that converts to TFLite and has
 * conv / depthwise / dense weights is quantized in each mode (int8 and 16x8 calibrated on 16
 * seeded random inputs) and the written .tflite is run in LiteRT.js, tfjs-tflite and Arm NN, and,
 * for integer outputs, in the integer reference. Cells: `ok` with the SQNR against the float
 * model, `unsupported: ...` (the runtime names an op or type it lacks), `error`; the agreement
 * column is the lowest within-one-step share over every pair that ran (goal >= 99.9%).
 *
 *   npx tsx scripts/quant-matrix.ts [--out docs/quant-matrix.md] [--only <id substring>]
 *
 * lib/quantize/fixtures.test.ts runs the same quantMatrixRow on a few of them in the suite.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadInputFiles } from '../cli/files';
import { readModel } from '../lib/formats/registry';
import { writeTflite } from '../lib/formats/tflite/write';
import type { Model } from '../lib/ir/types';
import { checkVariant, floatReference, type VariantCheck } from '../lib/quantize/check';
import { inputSpecs, randomSamples, zipInputs } from '../lib/quantize/calibrate/sources';
import { makeVariant, floatTfl, type VariantRequest } from '../lib/quantize/pipeline';
import { entryPresent, fixtureEntries, inputShapesFor } from './runtime-matrix';

const ROOT = path.resolve(__dirname, '..');

export const MATRIX_MODES: Record<string, VariantRequest> = {
  float16: { mode: 'float16' },
  dynamic: { mode: 'dynamic' },
  int8: { mode: 'int8' },
  int16x8: { mode: 'int16x8' },
};

const WEIGHTED = new Set(['tfl.CONV_2D', 'tfl.DEPTHWISE_CONV_2D', 'tfl.FULLY_CONNECTED', 'tfl.TRANSPOSE_CONV']);

export interface MatrixRow { id: string; status: 'checked' | 'skipped'; reason?: string; modes: Record<string, { check?: VariantCheck; error?: string; float: number; int8: number; int16: number }> }

/** The float `tfl` model of a fixture, or why it is not quantizable. */
export async function quantizableFixture(id: string, files: string[]): Promise<{ float: Model } | { reason: string }> {
  const model = await readModel(await loadInputFiles(files.map((f) => path.resolve(ROOT, f))));
  let float: Model;
  try {
    float = floatTfl(model, { ...(inputShapesFor(id, model) ? { inputShapes: inputShapesFor(id, model) } : {}) }).model;
  } catch (e) {
    return { reason: (e as Error).message.replace(/^cannot quantize [^:]+: /, '') };
  }
  const g = float.graphs[0]!;
  if (!g.nodes.some((n) => WEIGHTED.has(n.op))) return { reason: 'no conv / depthwise / dense layer' };
  const io = [...g.inputs, ...g.outputs].map((n) => g.tensors.get(n)?.dtype);
  if (io.some((d) => d !== 'float32')) return { reason: `non-float I/O (${io.filter((d) => d !== 'float32').join(', ')})` };
  return { float };
}

export async function quantMatrixRow(id: string, float: Model, modes = Object.keys(MATRIX_MODES)): Promise<MatrixRow> {
  const specs = inputSpecs(float.graphs[0]!);
  const samples = (n: number, seed: number) => [...zipInputs(specs.map((s, k) => randomSamples(s, n, seed + 1000 * k)))];
  const inputs = samples(4, 9000);
  const reference = await floatReference(writeTflite(float), inputs);
  const row: MatrixRow = { id, status: 'checked', modes: {} };
  for (const m of modes) {
    try {
      const v = await makeVariant(float, { ...MATRIX_MODES[m]!, calibration: { samples: samples(16, 1), count: 16, description: '16 seeded random inputs' } });
      const counts = 'counts' in v.report ? v.report.counts : { float: 0, int8: 0, int16: 0 };
      row.modes[m] = { check: await checkVariant(v, reference, inputs), ...counts };
    } catch (e) {
      row.modes[m] = { error: (e as Error).message, float: 0, int8: 0, int16: 0 };
    }
  }
  return row;
}

const pct = (n: number, of: number) => `${((100 * n) / Math.max(1, of)).toFixed(2)}%`;

function cell(c: VariantCheck['cells'][number] | undefined): string {
  if (!c) return '-';
  if (c.status !== 'ran') return c.status;
  const sqnr = c.sqnrDb === undefined ? '?' : Number.isFinite(c.sqnrDb) ? `${c.sqnrDb.toFixed(0)} dB` : 'exact';
  return `ok (${sqnr}${c.layers ? `; layers ${pct(c.layers.withinOne, c.layers.elements)}` : ''})`;
}

async function main(argv: string[]): Promise<void> {
  const oi = argv.indexOf('--out');
  const out = oi >= 0 ? argv[oi + 1]! : path.join(ROOT, 'docs', 'quant-matrix.md');
  const only = argv.includes('--only') ? argv[argv.indexOf('--only') + 1] : undefined;
  const t0 = performance.now();
  const rows: MatrixRow[] = [];
  for (const e of fixtureEntries().filter(entryPresent).filter((x) => !only || x.id.includes(only))) {
    const q = await quantizableFixture(e.id, e.files);
    if ('reason' in q) { rows.push({ id: e.id, status: 'skipped', reason: q.reason, modes: {} }); continue; }
    rows.push(await quantMatrixRow(e.id, q.float));
    console.log(`${e.id}: done (${((performance.now() - t0) / 1000).toFixed(0)} s)`);
  }
  const lines = [
    '# Model x quantization x runtime results', '',
    'Generated by `npx tsx scripts/quant-matrix.ts` (do not edit by hand). Every fixture of `fixtures/manifest.json` that converts',
    'to TFLite with float I/O and has conv / depthwise / dense weights is quantized in each mode (int8 and 16x8 calibrated on',
    '16 seeded random inputs, min-max ranges, integer I/O) and the written .tflite runs on 4 other seeded inputs in LiteRT.js,',
    'tfjs-tflite, Arm NN (CpuRef) and, for integer outputs, the integer reference (`lib/quantize/reference`). A cell is `ok (SQNR',
    'against the float model; layers: share of quantized-layer elements within one step of the integer reference recomputing',
    'each layer from the inputs this runtime computed)`, `unsupported` (the runtime lacks an op or type, or is known to compute',
    'a feature wrongly; details below) or `error`. `layers within 1 LSB` is the lowest per-runtime layer share (goal >= 99.9%);',
    '`end to end` is the within-one share of the final outputs between LiteRT.js and tfjs-tflite. End to end, one-step rounding',
    'differences per layer (XNNPACK requantizes in float, the reference in fixed point) can add up in deep networks.',
    'Random calibration makes the SQNR a lower bound: real data gives better ranges.', '',
    `Run ${new Date().toISOString().slice(0, 10)}, ${rows.length} models, ${((performance.now() - t0) / 1000).toFixed(0)} s.`, '',
    '| model | mode | nodes int8 / int16 / float | LiteRT.js | tfjs-tflite | Arm NN | reference | layers within 1 LSB | end to end |', '|---|---|---|---|---|---|---|---|---|',
  ];
  const notes: string[] = [];
  for (const r of rows) {
    if (r.status === 'skipped') { lines.push(`| ${r.id} | - | skipped: ${r.reason} | - | - | - | - | - | - |`); continue; }
    for (const [m, x] of Object.entries(r.modes)) {
      if (x.error) { lines.push(`| ${r.id} | ${m} | error | - | - | - | - | - | - |`); notes.push(`- ${r.id} ${m}: ${x.error}`); continue; }
      const c = (rt: string) => x.check!.cells.find((k) => k.runtime === rt);
      for (const k of x.check!.cells) if (k.status !== 'ran') notes.push(`- ${r.id} ${m} ${k.runtime}: ${k.detail.replace(/\s+/g, ' ').slice(0, 200)}`);
      const k = x.check!;
      const agree = !k.integerOutputs ? 'float outputs' : k.layersChecked ? `${(100 * k.worstWithinOne).toFixed(2)}%` : 'not checked';
      const e2e = k.integerOutputs ? `${(100 * k.endToEnd).toFixed(2)}%` : '-';
      lines.push(`| ${r.id} | ${m} | ${x.int8} / ${x.int16} / ${x.float} | ${cell(c('litert'))} | ${cell(c('tfjs-tflite'))} | ${cell(c('armnn'))} | ${k.integerOutputs ? cell(c('reference')) : '-'} | ${agree} | ${e2e} |`);
    }
  }
  lines.push('', '## Notes', '', ...notes, '');
  writeFileSync(out, lines.join('\n'));
  console.log(`wrote ${path.relative(process.cwd(), out)}`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(__filename)) void main(process.argv.slice(2)).catch((e) => { console.error(e); process.exit(1); });
