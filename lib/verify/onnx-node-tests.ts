/**
 * ONNX's own backend node tests (Debian libonnx-testdata: model.onnx + test_data_set_0 with the
 * reference implementation's outputs) driven through the converter: each test is converted to
 * .tflite, run in LiteRT.js on the test's inputs, and compared with the expected outputs.
 *
 * Outcome of one test:
 *   pass     converted, and every output matches (allclose, rtol = atol = 1e-4, 1e-3 for
 *            transcendental ops; integer and bool outputs exactly)
 *   refused  not converted, the report names the op (or the reason, e.g. a run-time shape)
 *   wrong    converted and ran, but an output differs: the one outcome that must never happen
 *   failed   converted, but the file did not load or run in LiteRT.js
 *   skipped  not a float-path test here (other domains, no data, string / fp16 / quantized I/O)
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { readOnnx, readTensorProto } from '../formats/onnx/index';
import { writeTflite } from '../formats/tflite/write';
import type { DType, Model, Tensor } from '../ir/types';
import { tensorValues } from '../ir/values';
import { litertAdapter } from '../runtime/litert';
import { runTfjsTflite } from './tfjs-tflite';
import type { HostTensor } from '../runtime/types';
import { onnxToTfl } from '../transforms/onnx-to-tfl/index';
import { EXPRESSIBLE, OUT_OF_REACH, TRANSCENDENTAL } from './onnx-expressible';

export const NODE_TESTS = '/usr/share/libonnx-testdata/data/node';

export type Outcome = 'pass' | 'refused' | 'wrong' | 'failed' | 'skipped';

export interface CaseResult {
  test: string;
  ops: string[];
  outcome: Outcome;
  /** Every op of the test has a TFLite builtin or composition (the goal's denominator). */
  expressible: boolean;
  /** For refusals: the report names one of the test's ops. */
  named?: boolean;
  /**
   * Parameter inputs given to the converter as constants (see parameterInputs): set when the
   * test as written was refused and converts once they are fixed to the test's values.
   */
  fixed?: string[];
  detail: string;
  /** The same .tflite in tfjs-tflite (when asked for): a second, older TFLite interpreter. */
  tfjsTflite?: { outcome: 'pass' | 'wrong' | 'unsupported' | 'failed'; detail: string };
}

export interface NodeTestOptions {
  /** Also run every test that passes in LiteRT.js in tfjs-tflite (a child process per test). */
  tfjsTflite?: boolean;
}

/**
 * The test's graph inputs that are parameters rather than data: never the first (data) operand
 * of a node, e.g. Resize scales, Slice bounds, reduction axes, Conv weights. Exporters write
 * these as initializers; the node tests feed them as inputs to test the op for any value. Fixing
 * them is what a user does with `inputValues`, so the coverage counts a test converted that way
 * separately ("pass, parameters fixed"), and only when some data input is still fed.
 */
export function parameterInputs(g: Model['graphs'][number], feedNames: string[]): string[] {
  const data = new Set(g.nodes.map((n) => n.inputs[0]).filter((x): x is string => !!x));
  return feedNames.filter((n) => !data.has(n));
}

const FLOAT_PATH: ReadonlySet<DType> = new Set(['float32', 'int32', 'int64', 'bool']);

export function nodeTestDirs(root = NODE_TESTS): string[] {
  if (!existsSync(root)) return [];
  return readdirSync(root).filter((d) => existsSync(`${root}/${d}/model.onnx`) && existsSync(`${root}/${d}/test_data_set_0`)).sort();
}

function readSet(dir: string, prefix: string): Tensor[] {
  const files = readdirSync(dir).filter((f) => f.startsWith(prefix) && f.endsWith('.pb'));
  files.sort((a, b) => parseInt(a.slice(prefix.length), 10) - parseInt(b.slice(prefix.length), 10));
  return files.map((f) => readTensorProto(new Uint8Array(readFileSync(`${dir}/${f}`)), f));
}

function host(t: Tensor, name: string): HostTensor {
  const v = tensorValues(t);
  if (!v) throw new Error(`input ${name} has no values`);
  return { name, dtype: t.dtype, shape: (t.shape ?? []) as number[], data: v as HostTensor['data'] };
}

const num = (v: number | bigint | boolean): number => Number(v);

/** Describes the first element outside tolerance, or '' when all match. */
export function compareOutput(i: number, want: Tensor, got: HostTensor, rtol: number): string {
  const wshape = (want.shape ?? []) as number[];
  const wn = wshape.reduce((a, b) => a * b, 1);
  if (got.data.length !== wn) return `output ${i}: ${got.data.length} values (shape ${JSON.stringify(got.shape)}), want ${wn} (shape ${JSON.stringify(wshape)})`;
  if (JSON.stringify(got.shape) !== JSON.stringify(wshape) && !(wn === 1 && got.shape.length + wshape.length <= 1)) {
    return `output ${i}: shape ${JSON.stringify(got.shape)}, want ${JSON.stringify(wshape)}`;
  }
  const w = tensorValues(want);
  if (!w) return `output ${i}: expected values unreadable`;
  const exact = want.dtype !== 'float32' && want.dtype !== 'float64';
  for (let k = 0; k < wn; k++) {
    const a = num(w[k]!), b = num(got.data[k]!);
    if (Number.isNaN(a) && Number.isNaN(b)) continue;
    if (a === b) continue;
    if (exact || !(Math.abs(a - b) <= rtol * Math.max(1, Math.abs(a)))) return `output ${i}[${k}] = ${b}, want ${a}`;
  }
  return '';
}

export async function runNodeTest(test: string, root = NODE_TESTS, options: NodeTestOptions = {}): Promise<CaseResult> {
  const dir = `${root}/${test}`;
  let model: Model;
  try {
    model = readOnnx(new Uint8Array(readFileSync(`${dir}/model.onnx`)), 'model.onnx');
  } catch (e) {
    return { test, ops: [], outcome: 'skipped', expressible: false, detail: `unreadable: ${(e as Error).message}` };
  }
  const g = model.graphs[0]!;
  const ops = [...new Set(g.nodes.map((n) => n.op.replace(/^onnx\./, '')))];
  const base = { test, ops };
  if (g.nodes.some((n) => n.domain && n.domain !== 'ai.onnx')) return { ...base, outcome: 'skipped', expressible: false, detail: `domain ${g.nodes.find((n) => n.domain && n.domain !== 'ai.onnx')!.domain}` };
  let inputs: Tensor[], expected: Tensor[];
  try {
    inputs = readSet(`${dir}/test_data_set_0`, 'input_');
    expected = readSet(`${dir}/test_data_set_0`, 'output_');
  } catch (e) {
    // Sequence and optional values are stored as other protos than TensorProto.
    return { ...base, outcome: 'skipped', expressible: false, detail: `test data is not tensors: ${(e as Error).message.slice(0, 80)}` };
  }
  const io = [...inputs, ...expected];
  const odd = io.find((t) => !FLOAT_PATH.has(t.dtype));
  if (odd || !io.some((t) => t.dtype === 'float32')) return { ...base, outcome: 'skipped', expressible: false, detail: odd ? `${odd.dtype} tensor` : 'no float tensor' };
  const reach = OUT_OF_REACH.find(([re]) => re.test(test));
  const expressible = ops.every((o) => EXPRESSIBLE.has(o)) && !reach;
  const res = (outcome: Outcome, detail: string, named?: boolean): CaseResult => ({ ...base, outcome, expressible, detail, ...(named === undefined ? {} : { named }) });

  // Graph inputs the test feeds (optional inputs may be left out: the data set has one per input).
  const feedNames = g.inputs.filter((n) => !g.tensors.get(n)?.data);
  let { model: tfl, report } = onnxToTfl(model, { keepLayout: true });
  let fixed: string[] = [];
  if (!report.converted) {
    const params = parameterInputs(g, feedNames);
    if (params.length > 0 && params.length < feedNames.length) {
      const values = Object.fromEntries(params.map((n) => [n, inputs[feedNames.indexOf(n)]!]).filter(([, t]) => !!t));
      const retry = onnxToTfl(model, { keepLayout: true, inputValues: values });
      // The retry's refusal is the op's own limit, when it names one of the test's ops.
      const names = retry.report.unsupported.some((u) => ops.includes(u.op.replace(/^onnx\./, '')));
      if (retry.report.converted || names) ({ model: tfl, report } = retry);
      if (retry.report.converted) fixed = params;
    }
  }
  if (!report.converted) {
    const first = report.unsupported[0]!;
    const named = report.unsupported.some((u) => ops.includes(u.op.replace(/^onnx\./, '')));
    return res('refused', `${first.op.replace(/^onnx\./, '')}: ${first.reason ?? ''}`, named);
  }
  const resF = (outcome: Outcome, detail: string): CaseResult => ({ ...res(outcome, detail), ...(fixed.length ? { fixed } : {}) });
  let session;
  const bytes = writeTflite(tfl);
  try {
    session = await litertAdapter.load({ bytes }, { backend: 'wasm' });
  } catch (e) {
    return resF('failed', `LiteRT.js did not load it: ${(e as Error).message.split('\n')[0]}`);
  }
  try {
    const tg = tfl.graphs[0]!;
    const feeds = tg.inputs.map((name) => {
      const k = feedNames.indexOf(name);
      if (k < 0 || !inputs[k]) throw new Error(`no test data for input ${name}`);
      return host(inputs[k]!, name);
    });
    const got = await session.run(feeds);
    const rtol = ops.some((o) => TRANSCENDENTAL.has(o)) ? 1e-3 : 1e-4;
    for (let i = 0; i < expected.length; i++) {
      const out = got[i];
      if (!out) return resF('wrong', `output ${i} missing`);
      const why = compareOutput(i, expected[i]!, out, rtol);
      if (why) return resF('wrong', why);
    }
    const pass = resF('pass', fixed.length ? `parameters fixed: ${fixed.join(', ')}` : '');
    return options.tfjsTflite ? { ...pass, tfjsTflite: await inTfjsTflite(bytes, feeds, expected, rtol) } : pass;
  } catch (e) {
    return resF('failed', `LiteRT.js run: ${(e as Error).message.split('\n')[0]}`);
  } finally {
    session.dispose();
  }
}

async function inTfjsTflite(bytes: Uint8Array, feeds: HostTensor[], expected: Tensor[], rtol: number): Promise<NonNullable<CaseResult['tfjsTflite']>> {
  const r = await runTfjsTflite(bytes, feeds);
  if (!r.ok) return { outcome: r.kind === 'unsupported' ? 'unsupported' : 'failed', detail: `${r.stage ?? ''}: ${r.message.split('\n')[0]!.slice(0, 160)}` };
  for (let i = 0; i < expected.length; i++) {
    const out = r.outputs[i];
    if (!out) return { outcome: 'wrong', detail: `output ${i} missing` };
    const why = compareOutput(i, expected[i]!, out, rtol);
    if (why) return { outcome: 'wrong', detail: why };
  }
  return { outcome: 'pass', detail: '' };
}
