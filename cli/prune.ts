/**
 * `prune <in> -o <out.tflite|out.onnx> [--sparsity 0.5] [--pattern 2:4] [--structured 0.25]`:
 * the Optimize tab's pruning on the command line. A .tflite output converts first when needed;
 * an .onnx output prunes the ONNX model itself.
 */
import { writeFile } from 'node:fs/promises';
import { writeOnnx } from '../lib/formats/onnx/write';
import { readModel } from '../lib/formats/registry';
import { writeTflite } from '../lib/formats/tflite/write';
import { prune, sizeReport, type PruneOptions } from '../lib/prune/index';
import { floatTfl } from '../lib/quantize/pipeline';
import { loadInputFiles } from './files';
import { parse, parseInputShapes, UsageError } from './run';

function fraction(v: string | undefined, name: string): number | undefined {
  if (v === undefined) return undefined;
  const x = Number(v);
  if (!(x >= 0 && x < 1)) throw new UsageError(`--${name} wants a fraction in [0, 1), got '${v}'`);
  return x;
}

export async function pruneCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, {
    output: { type: 'string', short: 'o' },
    sparsity: { type: 'string' },
    scope: { type: 'string' },
    pattern: { type: 'string' },
    structured: { type: 'string' },
    criterion: { type: 'string' },
    exclude: { type: 'string', multiple: true },
    'input-shape': { type: 'string', multiple: true },
    json: { type: 'boolean' },
  });
  if (positionals.length !== 1) throw new UsageError(`give exactly one model file${positionals.length ? ` (got ${positionals.join(' ')})` : ''}`);
  const out = values.output;
  if (!out || !/\.(tflite|onnx)$/i.test(out)) throw new UsageError('give the output file: -o out.tflite (or out.onnx for an ONNX model)');
  const options: PruneOptions = {};
  const sparsity = fraction(values.sparsity, 'sparsity');
  const structured = fraction(values.structured, 'structured');
  if (sparsity !== undefined) options.sparsity = sparsity;
  if (structured !== undefined) options.structured = structured;
  if (values.scope) {
    if (values.scope !== 'global' && values.scope !== 'layer') throw new UsageError('--scope must be global or layer');
    options.scope = values.scope;
  }
  if (values.pattern) {
    const m = /^(\d+):(\d+)$/.exec(values.pattern);
    if (!m || Number(m[1]) >= Number(m[2]) || Number(m[1]) < 1) throw new UsageError(`--pattern wants N:M with 1 <= N < M, e.g. 2:4, got '${values.pattern}'`);
    options.pattern = { n: Number(m[1]), m: Number(m[2]) };
  }
  if (values.criterion) {
    if (values.criterion !== 'l1' && values.criterion !== 'l2') throw new UsageError('--criterion must be l1 or l2');
    options.criterion = values.criterion;
  }
  if (values.exclude?.length) options.exclude = values.exclude;
  if (options.sparsity === undefined && !options.pattern && options.structured === undefined) throw new UsageError('give --sparsity, --pattern or --structured');
  const files = await loadInputFiles([positionals[0]!]);
  const source = await readModel(files);
  const onnx = /\.onnx$/i.test(out);
  if (onnx && source.format !== 'onnx') throw new UsageError(`-o ${out}: an .onnx output needs an ONNX model; ${files[0]!.name} is ${source.format}`);
  const shapes = Object.fromEntries(parseInputShapes(values['input-shape']));
  const base = onnx ? source : floatTfl(source, Object.keys(shapes).length ? { inputShapes: shapes } : {}).model;
  const before = onnx ? files[0]!.bytes : writeTflite(base);
  const { model, report } = prune(base, options);
  const bytes = onnx ? writeOnnx(model) : writeTflite(model);
  await writeFile(out, bytes);
  const a = sizeReport(before), b = sizeReport(bytes);
  const summary = {
    file: files[0]!.name, output: out, options, bytes: b.raw, gzipBytes: b.gzip, before: { bytes: a.raw, gzipBytes: a.gzip },
    totalParams: report.totalParams, totalZeros: report.totalZeros, removedChannels: report.removedChannels,
    layers: report.layers, skipped: report.skipped, notes: report.notes,
  };
  if (values.json) {
    console.log(JSON.stringify(summary, null, 2));
    return 0;
  }
  console.log(`${files[0]!.name} -> ${out}: ${b.raw} bytes (${a.raw} before), ${b.gzip} gzipped (${a.gzip} before)`);
  console.log(`  ${((100 * report.totalZeros) / Math.max(1, report.totalParams)).toFixed(1)}% of ${report.totalParams} weights are zero; ${report.removedChannels} filters removed`);
  for (const s of report.skipped.slice(0, 10)) console.log(`  left as is: ${s.node} (${s.reason})`);
  for (const n of report.notes) console.log(`  note: ${n}`);
  return 0;
}
