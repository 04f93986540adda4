/**
 * Against the ONNX backend test cases (Debian libonnx-testdata): each case ships the real
 * outputs its model computes. The model's declared output types are wiped, shapes are inferred,
 * and the result must be the shape and dtype of output_N.pb.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readOnnx, readTensorProto } from '../../formats/onnx/index';
import type { Model, Tensor } from '../types';
import { inferShapes } from './index';
import { onnxOps } from './onnx-ops';

const ROOT = '/usr/share/libonnx-testdata/data';
const SUITES = ['node', 'pytorch-converted', 'pytorch-operator', 'simple'];
const cases = SUITES.filter((s) => existsSync(`${ROOT}/${s}`)).flatMap((s) =>
  readdirSync(`${ROOT}/${s}`).filter((t) => existsSync(`${ROOT}/${s}/${t}/model.onnx`)).sort().map((t) => `${s}/${t}`));

/** Outputs that depend on the data, not only on shapes: inference may only say "unknown" there. */
const DATA_DEPENDENT = /^node\/test_(compress|nonzero|unique|nonmaxsuppression|loop11|range_.*_expanded)/;

function readPb(path: string): Tensor | null {
  if (!existsSync(path)) return null;
  try {
    return readTensorProto(new Uint8Array(readFileSync(path)), path);
  } catch {
    return null; // sequence / optional outputs are not TensorProtos
  }
}

/**
 * Small inputs (shapes, axes, scales, indices) become initializers, as exporters store them;
 * the other inputs keep only their declared type. Declared output types are wiped.
 */
function prepare(dir: string, m: Model): Model {
  const g = m.graphs[0]!;
  const tensors = new Map(g.tensors);
  g.inputs.forEach((name, k) => {
    const t = tensors.get(name)!;
    const v = readPb(`${dir}/test_data_set_0/input_${k}.pb`);
    if (!v?.shape) return;
    const n = v.shape.reduce<number>((a, b) => a * (b as number), 1);
    if (/int/.test(t.dtype) || (v.shape.length <= 1 && n <= 8)) tensors.set(name, { ...t, data: v.data, isConstant: true });
  });
  for (const o of g.outputs) tensors.set(o, { ...tensors.get(o)!, shape: null, dtype: 'unknown' });
  return { ...m, graphs: [{ ...g, tensors }] };
}


it('finds its test data (libonnx-testdata, fetched fixtures)', () => {
  expect(cases.length, 'install libonnx-testdata and run npm install (scripts/fetch-models.mjs)').toBeGreaterThan(0);
});

describe('ONNX node tests (libonnx-testdata)', () => {
  it('infers the real output shape and dtype of every case whose ops have rules', () => {
    let exact = 0, partial = 0, unsupported = 0;
    const wrong: string[] = [];
    const notExact: string[] = [];
    for (const t of cases) {
      const dir = `${ROOT}/${t}`;
      const m = readOnnx(new Uint8Array(readFileSync(`${dir}/model.onnx`)), t);
      const g = m.graphs[0]!;
      const supported = g.nodes.every((n) => onnxOps[n.op.slice(5)] && (!n.domain || n.domain === 'ai.onnx'));
      const { model, report } = inferShapes(prepare(dir, m));
      if (!supported) {
        unsupported++;
        // Never throws; the op types without rules are named.
        const custom = g.nodes.some((n) => n.domain && n.domain !== 'ai.onnx');
        expect(custom || report.unknownOps.length > 0, t).toBe(true);
        continue;
      }
      let all = true;
      g.outputs.forEach((o, i) => {
        const ref = readPb(`${dir}/test_data_set_0/output_${i}.pb`);
        if (!ref?.shape) return;
        const got = model.graphs[0]!.tensors.get(o)!;
        // The test data stores bfloat16 results as uint16.
        const dtypeOk = got.dtype === ref.dtype || (got.dtype === 'bfloat16' && ref.dtype === 'uint16');
        const compatible = dtypeOk && (got.shape === null ||
          (got.shape.length === ref.shape.length && got.shape.every((d, k) => typeof d !== 'number' || d === ref.shape![k])));
        if (!compatible) wrong.push(`${t} ${o}: got ${got.dtype}${JSON.stringify(got.shape)}, real ${ref.dtype}${JSON.stringify(ref.shape)}`);
        if (JSON.stringify(got.shape) !== JSON.stringify(ref.shape) || !dtypeOk) all = false;
      });
      if (all) exact++;
      else {
        partial++;
        if (!DATA_DEPENDENT.test(t)) notExact.push(t);
      }
    }
    // Never a wrong fact; an unknown dim only where the data decides it.
    expect(wrong).toEqual([]);
    expect(notExact).toEqual([]);
    expect(exact).toBeGreaterThan(970);
    console.log(`libonnx tests (${SUITES.join(', ')}): ${exact} exact, ${partial} data-dependent partial, ${unsupported} with ops lacking rules`);
  }, 120_000);
});
