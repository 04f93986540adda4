/**
 * `eval <model> [--data <dir | x.npy[,y.npy]> --labels <y.npy>] [--reference <float model>]
 * [--runtime litert|ort|tfjs] [--count N] [--norm unit|signed|imagenet|raw] [--json]`: the
 * model's numbers on evaluation data in a real runtime (LiteRT.js for .tflite, onnxruntime for
 * .onnx, the tfjs executor for TF.js), measured by lib/compare/metrics.ts: accuracy with labels,
 * and against --reference (run in its own default runtime on the same samples, transposed to its
 * layout) top-1 agreement, top-5 overlap, cosine and SQNR.
 *
 * --json prints { model, runtime, backend, dataset, metrics, classes?, reference? }; an SQNR of
 * identical outputs is "Infinity" (a string: JSON has no infinity, and null would read as "not
 * measured").
 */
import path from 'node:path';
import { alignOutputs, evalSpecs, inLayout, jsonMetrics } from '../lib/compare/datasets';
import { metrics, type Metrics } from '../lib/compare/metrics';
import type { Model } from '../lib/ir/types';
import { toFloatOutputs, toModelInputs } from '../lib/quantize/io';
import type { Normalisation } from '../lib/run/inputs';
import type { HostTensor, RuntimeSession } from '../lib/runtime/types';
import { evalData } from './eval-data';
import { intFlag, openSession, parse, UsageError, type OpenedSession } from './run';

const NORMS: readonly Normalisation[] = ['unit', 'signed', 'imagenet', 'raw'];

/** Float outputs of one sample, copied out of the runtime's memory (only these are kept). */
async function floatOutputs(session: RuntimeSession, model: Model, set: HostTensor[]): Promise<HostTensor[]> {
  const raw = await session.run(toModelInputs(model, set));
  return toFloatOutputs(model, raw).map((t) => ({ ...t, dtype: 'float32', data: Float32Array.from(t.data as ArrayLike<number>, Number) }));
}

function metricLines(m: Metrics): string[] {
  const out: string[] = [];
  if (m.accuracy !== undefined) out.push(`accuracy         ${m.accuracy.toFixed(4)} (${Math.round(m.accuracy * m.count)}/${m.count})`);
  if (m.top1Agreement !== undefined) out.push(`top-1 agreement  ${m.top1Agreement.toFixed(4)}`);
  if (m.top5Overlap !== undefined) out.push(`top-5 overlap    ${m.top5Overlap.toFixed(4)}`);
  if (m.cosine !== undefined) out.push(`cosine           ${m.cosine.toFixed(6)}`);
  if (m.sqnrDb !== undefined) out.push(`SQNR             ${Number.isFinite(m.sqnrDb) ? `${m.sqnrDb.toFixed(2)} dB` : `${m.sqnrDb} (identical outputs)`}`);
  return out;
}

export async function evalCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, {
    data: { type: 'string' },
    labels: { type: 'string' },
    reference: { type: 'string' },
    runtime: { type: 'string' },
    backend: { type: 'string' },
    threads: { type: 'string' },
    count: { type: 'string' },
    norm: { type: 'string' },
    json: { type: 'boolean' },
  });
  if (positionals.length !== 1) throw new UsageError(`give exactly one model file${positionals.length ? ` (got ${positionals.join(' ')})` : ''}`);
  const norm = (values.norm ?? 'unit') as Normalisation;
  if (!NORMS.includes(norm)) throw new UsageError(`--norm must be one of ${NORMS.join(', ')}`);
  const count = intFlag(values.count, 'count', Number.MAX_SAFE_INTEGER, 1);
  const sessions: OpenedSession[] = [];
  try {
    const main = await openSession(positionals[0]!, values);
    sessions.push(main);
    const data = evalData(evalSpecs(main.model.graphs[0]!), { ...(values.data !== undefined ? { data: values.data } : {}), ...(values.labels ? { labels: values.labels } : {}), count, norm });
    if (!data.labels && !values.reference) throw new UsageError(`${data.description}: no labels to score against and no --reference to compare with: give --labels y.npy, class sub-folders, or --reference <float model>`);
    if (data.count === 0) throw new UsageError(`${data.description}: no samples`);
    let ref: OpenedSession | undefined;
    if (values.reference) {
      ref = await openSession(values.reference, {});
      sessions.push(ref);
    }
    const refSpecs = ref ? evalSpecs(ref.model.graphs[0]!) : [];
    const outs: HostTensor[][] = [];
    const refs: HostTensor[][] = [];
    for (const set of data.sets) {
      const o = await floatOutputs(main.session, main.model, set);
      outs.push(o);
      if (ref) refs.push(alignOutputs(await floatOutputs(ref.session, ref.model, inLayout(set, refSpecs, `--reference ${ref.file}`)), o, `--reference ${ref.file}`));
    }
    const classesOut = outs[0]?.[0]?.data.length ?? 0;
    const maxLabel = (data.labels ?? []).reduce((a, b) => Math.max(a, b), -1);
    if (maxLabel >= classesOut) console.error(`warning: label ${maxLabel} but output 0 has ${classesOut} value(s): accuracy counts those samples as wrong`);
    const m = metrics(outs, ref ? refs : undefined, data.labels);
    const referenceInfo = ref ? { model: ref.file, runtime: ref.runtime, backend: ref.backend } : undefined;
    if (values.json) {
      console.log(JSON.stringify({
        model: main.file, runtime: main.runtime, backend: main.backend, dataset: data.description, metrics: jsonMetrics(m),
        ...(data.classes ? { classes: data.classes } : {}), ...(referenceInfo ? { reference: referenceInfo } : {}),
      }, null, 2));
      return 0;
    }
    console.log(`${main.file} on ${main.runtime}/${main.backend}: ${data.description}`);
    if (data.classes) console.log(`  classes: ${data.classes.map((c, i) => `${i} = ${c}`).join(', ')}`);
    if (ref) console.log(`  reference: ${path.basename(ref.file)} on ${ref.runtime}/${ref.backend}`);
    for (const l of metricLines(m)) console.log(`  ${l}`);
    return 0;
  } finally {
    for (const s of sessions) s.session.dispose();
  }
}
