/**
 * Einsum equations (the forms ONNX's own tests use, which ship in float64, plus ellipsis,
 * implicit outputs and summed-away indices) converted and run in LiteRT.js against
 * onnxruntime-web on the same float32 inputs.
 */
import * as ort from 'onnxruntime-web';
import { describe, expect, it } from 'vitest';
import { readModel } from '../../formats/registry';
import { writeTflite } from '../../formats/tflite/write';
import { litertAdapter } from '../../runtime/litert';
import { onnxToTfl } from './index';
import { parseEquation } from './rules-einsum';
import { aString, buildOnnx, seeded } from './testdata/onnx-build';

async function maxDiff(equation: string, shapes: number[][]): Promise<number> {
  const names = shapes.map((_, i) => `x${i}`);
  const bytes = buildOnnx({
    inputs: shapes.map((shape, i) => ({ name: names[i]!, shape })),
    outputs: [{ name: 'y' }],
    nodes: [{ op: 'Einsum', inputs: names, outputs: ['y'], attrs: [aString('equation', equation)] }],
  });
  const { model, report } = onnxToTfl(await readModel([{ name: 'e.onnx', bytes }]), { keepLayout: true });
  expect(report.unsupported).toEqual([]);
  const data = shapes.map((s, i) => Float32Array.from(seeded(s.reduce((a, b) => a * b, 1), 5 + i)));
  const session = await ort.InferenceSession.create(bytes, { executionProviders: ['wasm'] });
  const want = (await session.run(Object.fromEntries(names.map((n, i) => [n, new ort.Tensor('float32', data[i]!, shapes[i]!)])))).y!;
  const lrt = await litertAdapter.load({ bytes: writeTflite(model) }, { backend: 'wasm' });
  const [got] = await lrt.run(names.map((name, i) => ({ name, dtype: 'float32' as const, shape: shapes[i]!, data: data[i]! })));
  lrt.dispose();
  await session.release();
  expect(got!.shape).toEqual(want.dims);
  const a = want.data as Float32Array, b = got!.data as Float32Array;
  return a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);
}

describe('Einsum lowering', () => {
  const cases: Array<[string, number[][]]> = [
    ['bij,bjk->bik', [[2, 3, 4], [2, 4, 5]]],
    ['ij->ji', [[3, 4]]],
    ['ij->i', [[3, 4]]],
    ['i,i', [[5], [5]]],
    ['i,j->ij', [[3], [4]]],
    ['...ij,...jk->...ik', [[2, 3, 2, 4], [2, 3, 4, 3]]],
    ['bhqd,bhkd->bhqk', [[1, 2, 3, 4], [1, 2, 5, 4]]],
    ['abc,cd', [[2, 3, 4], [4, 2]]],
    ['ab,cb->ac', [[3, 7], [2, 7]]],
    ['abc,b->a', [[2, 3, 4], [3]]],
  ];
  for (const [eq, shapes] of cases) {
    it(`${eq} matches onnxruntime`, async () => expect(await maxDiff(eq, shapes)).toBeLessThan(1e-5));
  }

  it('expands the ellipsis right-aligned and finds the implicit output', () => {
    expect(parseEquation('...ij,...jk', [4, 3])).toEqual({ inputs: [['α', 'β', 'i', 'j'], ['β', 'j', 'k']], output: ['α', 'β', 'i', 'k'] });
    expect(parseEquation('ba', [2]).output).toEqual(['a', 'b']);
  });

  it('refuses a diagonal by name', () => {
    expect(() => parseEquation('ii->i', [2])).toThrow(/repeated index/);
  });
});
