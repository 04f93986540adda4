/**
 * Model x runtime table: every fixture model (fixtures/manifest.json, non-error entries) is
 * converted to .tflite and either verified (the original in its native runtime against the
 * .tflite in LiteRT.js, tfjs-tflite and Arm NN, on seeded inputs) or stopped with the ops named.
 *
 *   npx tsx scripts/runtime-matrix.ts [--out docs/runtime-matrix.md] [--only <id substring>]
 *
 * lib/verify/fixtures-convert.test.ts runs the same checkFixture on each fixture.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { readTensorProto } from '../lib/formats/onnx/index';
import { readModel } from '../lib/formats/registry';
import { hostData } from '../lib/npy';
import type { HostTensor } from '../lib/runtime/types';
import type { Model } from '../lib/ir/types';
import { convertToTflite } from '../lib/transforms/to-tflite';
import type { UnsupportedOp } from '../lib/transforms/types';
import { VERIFY_RUNTIMES, type VerifyRuntime, type VerifyStatus } from '../lib/verify/index';
import { verifyConversion, type ReferenceRun } from '../cli/convert';
import { hostNumbers } from '../cli/run';
import { parameterInputs } from '../lib/verify/onnx-node-tests';

const ROOT = path.resolve(__dirname, '..');

export interface ManifestEntry { id: string; files: string[]; format?: string; error?: unknown }

export function fixtureEntries(): ManifestEntry[] {
  const m = JSON.parse(readFileSync(path.join(ROOT, 'fixtures', 'manifest.json'), 'utf8')) as { models: ManifestEntry[] };
  return m.models.filter((e) => !e.error && !e.id.startsWith('corrupt/'));
}

export const entryPresent = (e: ManifestEntry) => e.files.every((f) => existsSync(path.resolve(ROOT, f)));

/**
 * Sizes for open input dims where 1 is not a good size (fixture id -> input name -> shape).
 * Every other open dim becomes 1.
 */
export const INPUT_SHAPES: Record<string, Record<string, number[]>> = {
  // 1760 samples = 110 ms at 16 kHz: the chunk openWakeWord feeds its mel front end.
  'openwakeword/melspectrogram.onnx': { input: [1, 1760] },
  'openwakeword/melspectrogram.tflite': { 'serving_default_input:0': [1, 1760] },
  // silero VAD takes 512-sample chunks at 16 kHz.
  'silero-vad/v5': { input: [1, 512], state: [2, 1, 128] },
  'silero-vad/legacy': { input: [1, 512], h: [2, 1, 64], c: [2, 1, 64] },
};

/**
 * Inputs fixed at conversion (`inputValues`): silero VAD's sample rate selects its 16 kHz branch,
 * which is what folds its If nest (the 8 kHz branch has run-time shapes).
 */
export const INPUT_VALUES: Record<string, Record<string, number[]>> = {
  'silero-vad/v5': { sr: [16000] },
  'silero-vad/legacy': { sr: [16000] },
};

/** The table entries plus 1 for every other open dim of the main graph's inputs. */
export function inputShapesFor(id: string, model: Model): Record<string, number[]> | undefined {
  const g = model.graphs[0]!;
  const known = INPUT_SHAPES[id] ?? {};
  const out: Record<string, number[]> = {};
  for (const name of g.inputs) {
    if (known[name]) { out[name] = known[name]; continue; }
    const shape = g.tensors.get(name)?.shape;
    if (shape && shape.some((d) => typeof d !== 'number' || d < 0)) out[name] = shape.map((d) => (typeof d === 'number' && d >= 0 ? d : 1));
  }
  return Object.keys(out).length ? out : undefined;
}

/**
 * libonnx-testdata tests ship their inputs (test_data_set_0/input_N.pb): random data would be
 * meaningless for inputs such as a Reshape's shape, a Resize's scales or Gather indices.
 */
export function shippedInputs(e: ManifestEntry): HostTensor[] | undefined {
  const dir = path.join(path.dirname(path.resolve(ROOT, e.files[0]!)), 'test_data_set_0');
  if (!e.id.startsWith('onnx-node/') || !existsSync(path.join(dir, 'input_0.pb'))) return undefined;
  const out: HostTensor[] = [];
  for (let i = 0; existsSync(path.join(dir, `input_${i}.pb`)); i++) {
    const t = readTensorProto(new Uint8Array(readFileSync(path.join(dir, `input_${i}.pb`))), `input_${i}.pb`);
    out.push({ name: t.name, dtype: t.dtype, shape: (t.shape ?? []).map((d) => (typeof d === 'number' ? d : 0)), data: hostData(t.dtype, t.data ?? new Uint8Array(0)) });
  }
  return out;
}

/**
 * A runtime that cannot take or give a tensor of some dtype at the model's boundary (LiteRT.js
 * has no bool / int64 / float16 / float64 I/O; tfjs-tflite and Arm NN lack some too) lacks a
 * feature, like a missing op: 'unsupported', named, rather than 'error'.
 */
export function dtypeGap(detail: string): string | undefined {
  const m = /cannot pass (\w+) tensors|is unknown, got (\w+)|dtype (\w+) is not supported/.exec(detail);
  return m ? `${m[1] ?? m[2] ?? m[3]} I/O` : undefined;
}

export interface RuntimeCell { runtime: VerifyRuntime; status: VerifyStatus; maxAbs?: number; op?: string; detail: string }

export interface FixtureRow {
  id: string;
  format: string;
  /**
   * 'verified': converted and run; 'unsupported': stopped naming ops; 'unavailable': no lowering
   * for the dialect yet; 'failed': the converter or writer threw (a bug: it should report instead).
   */
  outcome: 'verified' | 'unsupported' | 'unavailable' | 'failed';
  inputShapes?: Record<string, number[]>;
  unsupported: UnsupportedOp[];
  notes: string[];
  reference?: ReferenceRun;
  cells: RuntimeCell[];
  ms: number;
}

/** Converts one fixture and, when it converts, verifies it in every runtime. */
export async function checkFixture(e: ManifestEntry): Promise<FixtureRow> {
  const t0 = performance.now();
  const files = e.files.map((f) => ({ name: path.basename(f), bytes: new Uint8Array(readFileSync(path.resolve(ROOT, f))) }));
  const model = await readModel(files);
  const inputShapes = inputShapesFor(e.id, model);
  let result: ReturnType<typeof convertToTflite>;
  // Shipped test inputs that have no host array (strings) are left to the converter to refuse.
  const feeds = (() => { try { return shippedInputs(e); } catch { return undefined; } })();
  let inputValues = INPUT_VALUES[e.id];
  try {
    result = convertToTflite(model, { inputShapes, inputValues });
    // A node test refused as written is tried with its parameter inputs fixed to the test's
    // values, as the coverage report does (lib/verify/onnx-node-tests.ts).
    const params = feeds ? parameterInputs(model.graphs[0]!, model.graphs[0]!.inputs) : [];
    const numeric = params.every((n) => feeds?.[model.graphs[0]!.inputs.indexOf(n)]?.dtype !== 'string');
    if (!result.converted && feeds && numeric && params.length > 0 && params.length < feeds.length) {
      inputValues = Object.fromEntries(params.map((n) => [n, Array.from(hostNumbers(feeds[model.graphs[0]!.inputs.indexOf(n)]!))]));
      const retry = convertToTflite(model, { inputShapes, inputValues });
      if (retry.converted) result = retry;
      else inputValues = undefined;
    }
  } catch (err) {
    return { id: e.id, format: model.format, inputShapes, outcome: 'failed', unsupported: [], notes: [`conversion threw: ${(err as Error).message?.split('\n')[0]}`], cells: [], ms: performance.now() - t0 };
  }
  const unsupported = result.reports.flatMap((r) => r.unsupported);
  const notes = result.reports.flatMap((r) => r.notes);
  if (result.converted && inputValues) notes.unshift(`inputs fixed: ${Object.entries(inputValues).map(([k, v]) => `${k}=${v.length > 4 ? `[${v.length} values]` : v.join(',')}`).join(', ')}`);
  const base = { id: e.id, format: model.format, inputShapes, unsupported, notes };
  if (!result.converted || !result.bytes) {
    return { ...base, outcome: unsupported.length ? 'unsupported' : 'unavailable', cells: [], ms: performance.now() - t0 };
  }
  const check = await verifyConversion({ model, bytes: files[0]!.bytes }, result, { seed: 1, feeds });
  const cells = check.results.map((r): RuntimeCell => {
    // lib/verify may already call a dtype it cannot pass 'unsupported' (without naming an op).
    const gap = r.status === 'error' || (r.status === 'unsupported' && !r.op) ? dtypeGap(r.detail) : undefined;
    return gap ? { runtime: r.runtime, status: 'unsupported', op: gap, detail: r.detail } : { runtime: r.runtime, status: r.status, maxAbs: r.maxAbs, op: r.op, detail: r.detail };
  });
  return { ...base, outcome: 'verified', reference: check.reference, cells, ms: performance.now() - t0 };
}

const LABEL: Record<VerifyRuntime, string> = { litert: 'LiteRT.js', 'tfjs-tflite': 'tfjs-tflite', armnn: 'Arm NN' };
const esc = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

function cellText(c: RuntimeCell | undefined): string {
  if (!c) return '-';
  if (c.status === 'ok') return c.maxAbs === undefined ? 'ok' : `ok (${c.maxAbs === 0 ? '0' : c.maxAbs.toExponential(1)})`;
  if (c.status === 'mismatch') return `**MISMATCH** (${c.maxAbs?.toExponential(1)})`;
  if (c.status === 'unsupported') return `unsupported${c.op ? `: ${c.op}` : ''}`;
  return 'error';
}

export function matrixMarkdown(rows: FixtureRow[], meta: { date: string; ms: number }): string {
  const out: string[] = [
    '# Model x runtime results',
    '',
    'Generated by `npx tsx scripts/runtime-matrix.ts` (do not edit by hand). Each fixture model of',
    '`fixtures/manifest.json` is converted to .tflite with `convertToTflite` (open input dims fixed as in',
    '`INPUT_SHAPES` of the script, else to 1). A model that converts runs in its native runtime',
    '(onnxruntime-web for ONNX, LiteRT.js on the original file for TFLite, the tfjs IR executor for TF.js',
    'graph and layers models) and, as the written .tflite, in LiteRT.js, @tensorflow/tfjs-tflite and Arm NN',
    '(CpuRef), on the same seeded inputs (NHWC where the converter changed the layout). Cells: `ok (max',
    '|diff|)` within 1e-4 of the output range (and same top-1 for classifier outputs), `MISMATCH`,',
    '`unsupported: OP` (the runtime lacks an op or dtype), `error` (see the notes below the table).',
    'A model that does not convert names the ops it stopped on, and nothing is written.',
    '',
    `Run ${meta.date}, ${rows.length} models, ${(meta.ms / 1000).toFixed(0)} s.`,
    '',
    `| model | format | conversion | reference | ${VERIFY_RUNTIMES.map((r) => LABEL[r]).join(' | ')} |`,
    `|---|---|---|---|${VERIFY_RUNTIMES.map(() => '---').join('|')}|`,
  ];
  const notes: string[] = [];
  for (const r of rows) {
    let conv: string;
    if (r.outcome === 'verified') conv = 'converted';
    else if (r.outcome === 'unsupported') conv = `stopped: ${r.unsupported.map((u) => `${u.op} x${u.count}`).join(', ')}`;
    else if (r.outcome === 'failed') conv = `**FAILED**: ${r.notes.join('; ')}`;
    else conv = `not available: ${r.notes.join('; ')}`;
    const ref = !r.reference ? '-' : r.reference.status === 'ok' ? r.reference.runtime : `none (${r.reference.runtime} failed)`;
    const cells = VERIFY_RUNTIMES.map((rt) => cellText(r.cells.find((c) => c.runtime === rt)));
    out.push(`| ${esc(r.id)} | ${r.format} | ${esc(conv)} | ${esc(ref)} | ${cells.join(' | ')} |`);
    if (r.reference && r.reference.status !== 'ok') notes.push(`- ${r.id}, reference: ${esc(r.reference.detail)}`);
    for (const c of r.cells) if (c.status === 'error' || c.status === 'mismatch' || (c.status === 'unsupported' && !c.op)) notes.push(`- ${r.id}, ${LABEL[c.runtime]}: ${esc(c.detail.slice(0, 300))}`);
    for (const u of r.unsupported.filter((x) => x.reason)) notes.push(`- ${r.id}: ${u.op} (${u.nodes.slice(0, 3).join(', ')}${u.nodes.length > 3 ? ', ...' : ''}): ${esc(u.reason!)}`);
  }
  const counts = (s: VerifyStatus) => rows.flatMap((r) => r.cells).filter((c) => c.status === s).length;
  out.push('', `Totals over the runtime cells: ${counts('ok')} ok, ${counts('mismatch')} mismatch, ${counts('unsupported')} unsupported, ${counts('error')} error; ` +
    `${rows.filter((r) => r.outcome === 'verified').length} models converted, ${rows.filter((r) => r.outcome === 'unsupported').length} stopped naming ops, ${rows.filter((r) => r.outcome === 'unavailable').length} without a lowering yet, ${rows.filter((r) => r.outcome === 'failed').length} where the converter threw.`);
  if (notes.length) out.push('', '## Notes', '', ...notes);
  return out.join('\n') + '\n';
}

async function main(argv: string[]): Promise<number> {
  const oi = argv.indexOf('--out');
  const outFile = path.resolve(ROOT, oi >= 0 ? argv[oi + 1]! : 'docs/runtime-matrix.md');
  const only = argv.indexOf('--only') >= 0 ? argv[argv.indexOf('--only') + 1] : undefined;
  const entries = fixtureEntries().filter(entryPresent).filter((e) => !only || e.id.includes(only));
  const t0 = performance.now();
  const rows: FixtureRow[] = [];
  for (const e of entries) {
    const r = await checkFixture(e).catch((err: unknown): FixtureRow => ({
      id: e.id, format: e.format ?? '?', outcome: 'failed', unsupported: [], notes: [`failed: ${(err as Error).message?.split('\n')[0]}`], cells: [], ms: 0,
    }));
    rows.push(r);
    console.log(`${r.id.padEnd(48)} ${r.outcome.padEnd(11)} ${r.cells.map((c) => `${c.runtime}:${c.status}`).join(' ')} ${r.unsupported.map((u) => u.op).join(',')} (${(r.ms / 1000).toFixed(1)} s)`);
  }
  const md = matrixMarkdown(rows, { date: new Date().toISOString().slice(0, 10), ms: performance.now() - t0 });
  writeFileSync(outFile, md);
  console.log(`wrote ${path.relative(ROOT, outFile)}`);
  return rows.some((r) => r.cells.some((c) => c.status === 'mismatch')) ? 1 : 0;
}

if (process.argv[1] && /runtime-matrix\.ts$/.test(process.argv[1])) {
  main(process.argv.slice(2)).then((c) => process.exit(c), (e: unknown) => { console.error(e); process.exit(1); });
}
