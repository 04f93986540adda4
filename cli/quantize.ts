/**
 * `quantize <in> -o <out.tflite> --mode float16|dynamic|int8|int16x8 [--calib ...]`: the app's
 * quantization on the command line, through the same pipeline (lib/quantize/pipeline.ts). The
 * recipe it prints (--json) replays to the same bytes.
 */
import { writeFile } from 'node:fs/promises';
import { gzipSync } from 'fflate';
import { readModel } from '../lib/formats/registry';
import { methodName, parseMethod } from '../lib/quantize/calibrate/ranges';
import { QUANT_MODES, type QuantMode } from '../lib/quantize/index';
import { floatTfl, makeVariant, type VariantRequest } from '../lib/quantize/pipeline';
import type { LayerPrecision } from '../lib/quantize/types';
import type { Normalisation } from '../lib/run/inputs';
import { calibrationData } from './calib';
import { loadInputFiles } from './files';
import { intFlag, parse, parseInputShapes, UsageError } from './run';

const NORMS: readonly Normalisation[] = ['unit', 'signed', 'imagenet', 'raw'];

export async function quantizeCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, {
    output: { type: 'string', short: 'o' },
    mode: { type: 'string' },
    calib: { type: 'string' },
    'calib-method': { type: 'string' },
    'calib-count': { type: 'string' },
    'calib-norm': { type: 'string' },
    'per-tensor': { type: 'boolean' },
    'per-channel-dense': { type: 'boolean' },
    'float-io': { type: 'boolean' },
    activations: { type: 'string' },
    'keep-float': { type: 'string', multiple: true },
    int16: { type: 'string', multiple: true },
    'input-shape': { type: 'string', multiple: true },
    'keep-layout': { type: 'boolean' },
    json: { type: 'boolean' },
  });
  if (positionals.length !== 1) throw new UsageError(`give exactly one model file${positionals.length ? ` (got ${positionals.join(' ')})` : ''}`);
  if (!values.output) throw new UsageError('give the output file: -o out.tflite');
  const target = /\.onnx$/i.test(values.output) ? 'onnx' : /\.tflite$/i.test(values.output) ? 'tflite' : null;
  if (!target) throw new UsageError(`-o ${values.output}: quantize writes .tflite, or .onnx (QDQ, int8) for ONNX models`);
  const mode = values.mode as QuantMode | undefined;
  if (!mode || !(QUANT_MODES as readonly string[]).includes(mode)) throw new UsageError(`--mode must be one of ${QUANT_MODES.join(', ')}`);
  const integer = mode === 'int8' || mode === 'int16x8';
  if (integer && !values.calib) throw new UsageError(`--mode ${mode} needs calibration data: --calib <folder of images | a.npy[,b.npy] | samples | random[:N]>`);
  if (!integer && values.calib) throw new UsageError(`--mode ${mode} changes weights only and takes no --calib`);
  const norm = (values['calib-norm'] ?? 'unit') as Normalisation;
  if (!NORMS.includes(norm)) throw new UsageError(`--calib-norm must be one of ${NORMS.join(', ')}`);
  let method;
  try {
    method = parseMethod(values['calib-method'] ?? 'minmax');
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const layers: Array<{ match: string; precision: LayerPrecision }> = [
    ...(values['keep-float'] ?? []).map((m) => ({ match: asPattern(m), precision: 'float' as const })),
    ...(values.int16 ?? []).map((m) => ({ match: asPattern(m), precision: 'int16' as const })),
  ];
  const say = (s: string) => { if (!values.json) console.log(s); };
  const files = await loadInputFiles([positionals[0]!]);
  const source = await readModel(files);
  const shapes = Object.fromEntries(parseInputShapes(values['input-shape']));
  const convert = { ...(Object.keys(shapes).length ? { inputShapes: shapes } : {}), ...(values['keep-layout'] ? { keepLayout: true } : {}) };
  if (target === 'onnx' && source.format !== 'onnx') throw new UsageError(`-o ${values.output}: QDQ .onnx output needs an ONNX model; ${files[0]!.name} is ${source.format}`);
  if (target === 'onnx' && mode !== 'int8') throw new UsageError(`-o ${values.output}: ONNX output is int8 QDQ; use --mode int8`);
  if (values.activations && values.activations !== 'int8' && values.activations !== 'uint8') throw new UsageError('--activations must be int8 or uint8');
  const req: VariantRequest = {
    mode, method, convert, target,
    ...(values.activations ? { activations: values.activations as 'int8' | 'uint8' } : {}),
    ...(values['per-tensor'] ? { perTensor: true } : {}),
    ...(values['per-channel-dense'] ? { perChannelDense: true } : {}),
    ...(values['float-io'] ? { floatIO: true } : {}),
    ...(layers.length ? { layers } : {}),
  };
  if (integer) {
    const float = target === 'onnx' ? source : floatTfl(source, convert).model;
    req.calibration = calibrationData(values.calib!, float, {
      count: intFlag(values['calib-count'], 'calib-count', 500, 1), normalisation: norm, warn: (s) => console.error(`warning: ${s}`),
    });
    say(`calibrating on ${req.calibration.description} (${methodName(method)})`);
  }
  const t0 = performance.now();
  const v = await makeVariant(source, req);
  const ms = performance.now() - t0;
  await writeFile(values.output, v.bytes);
  const gz = gzipSync(v.bytes, { level: 9 }).length;
  const r = v.report;
  say(`${files[0]!.name} (${source.format}) -> ${values.output}: ${mode}, ${v.bytes.length} bytes (${gz} gzipped), ${ms.toFixed(0)} ms`);
  say(`  nodes: ${r.counts.int8} int8, ${r.counts.int16} int16, ${r.counts.float} float; ${r.conversions} QUANTIZE/DEQUANTIZE inserted; weights ${r.weightBytes.before} -> ${r.weightBytes.after} bytes`);
  for (const n of r.notes) say(`  note: ${n}`);
  if (values.json) {
    console.log(JSON.stringify({ file: files[0]!.name, output: values.output, mode, bytes: v.bytes.length, gzipBytes: gz, ms, counts: r.counts, conversions: r.conversions, notes: r.notes, nodes: r.nodes, recipe: v.recipe }, null, 2));
  }
  return 0;
}

/** A plain name is matched as a regular expression on node names, as the flag's help says. */
function asPattern(m: string): string {
  return /^\/.*\/[a-z]*$/s.test(m) ? m : `/${m}/`;
}
