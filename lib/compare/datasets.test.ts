import { describe, expect, it } from 'vitest';
import type { Graph, Tensor } from '../ir/types';
import type { HostTensor } from '../runtime/types';
import { alignOutputs, bundledSet, classFolders, evalSpecs, inLayout, jsonMetrics, npyLabels, npySet } from './datasets';

const host = (shape: number[], data: number[], dtype: HostTensor['dtype'] = 'float32'): HostTensor =>
  ({ name: 'x', dtype, shape, data: dtype === 'int64' ? BigInt64Array.from(data.map(BigInt)) : dtype === 'float64' ? Float64Array.from(data) : Float32Array.from(data) });
const nhwc = [{ name: 'image', dtype: 'float32' as const, shape: [1, 2, 2, 1] }];
const seq = (n: number) => Array.from({ length: n }, (_, i) => i);

describe('classFolders', () => {
  it('numbers classes by code point order of their folder names, whatever the file order', () => {
    const r = classFolders(['dog/1.png', 'Cat/b.jpg', 'cat/a.png', 'dog/0.png']);
    expect(r.classes).toEqual(['Cat', 'cat', 'dog']);
    expect(r.labels).toEqual([2, 0, 1, 2]);
  });
  it('refuses images outside a class folder or nested deeper', () => {
    expect(() => classFolders(['x.png'])).toThrow(/class folder/);
    expect(() => classFolders(['a/b/x.png'])).toThrow(/class folder/);
  });
});

describe('evalSpecs', () => {
  it('reads integer-quantized inputs as float32 (quantized later with the model\'s parameters), others as they are', () => {
    const t = (name: string, dtype: Tensor['dtype'], quant?: Tensor['quant']): Tensor => ({ name, dtype, shape: [1, 4], ...(quant ? { quant } : {}) });
    const g = { inputs: ['q', 'i'], outputs: [], nodes: [], tensors: new Map([['q', t('q', 'int8', { scale: [0.1], zeroPoint: [3] })], ['i', t('i', 'int32')]]) } as unknown as Graph;
    expect(evalSpecs(g).map((s) => s.dtype)).toEqual(['float32', 'int32']);
  });
});

describe('bundledSet', () => {
  const idx = (dims: number[], data: number[]) => ({ dims, data: Uint8Array.from(data) });
  it('grey images scaled to [0, 1] in the input layout, with their labels; count cuts short', () => {
    const spec = [{ name: 'image', dtype: 'float32' as const, shape: [1, 2, 2, 1] }];
    const set = bundledSet(idx([3, 2, 2], [0, 51, 102, 255, 255, 0, 0, 0, 1, 2, 3, 4]), idx([3], [7, 1, 4]), spec, 2);
    const sets = [...set.sets];
    expect(set.count).toBe(2);
    expect(set.labels).toEqual([7, 1]);
    expect(Array.from(sets[0]![0]!.data as Float32Array)).toEqual([0, 0.2, 0.4, 1].map(Math.fround));
    expect(sets[0]![0]!.shape).toEqual([1, 2, 2, 1]);
    expect([...set.sets].length).toBe(2); // iterable again: the reference run needs no second copy
  });
  it('refuses models whose input is not one image of the bundled size', () => {
    expect(() => bundledSet(idx([1, 2, 2], [0, 0, 0, 0]), idx([1], [0]), [{ name: 'x', dtype: 'float32', shape: [1, 3, 224, 224] }], 1)).toThrow(/2x2x1 grey/);
    expect(() => bundledSet(idx([1, 2, 2], [0, 0, 0, 0]), idx([1], [0]), [{ name: 'x', dtype: 'float32', shape: [1, 10] }], 1)).toThrow(/one image input/);
  });
});

describe('npySet and npyLabels', () => {
  it('an NCHW batch feeds an NHWC input, sample by sample', () => {
    // Two samples [1, 1, 2, 2]: the single channel makes NCHW and NHWC the same order.
    const s = npySet([{ tensor: host([2, 1, 2, 2], seq(8)), file: 'x.npy' }], nhwc, 10);
    const sets = [...s.sets];
    expect(s.count).toBe(2);
    expect(sets[1]![0]!.shape).toEqual([1, 2, 2, 1]);
    expect(Array.from(sets[1]![0]!.data as Float32Array)).toEqual([4, 5, 6, 7]);
  });
  it('labels must match the samples one to one, before --count cuts', () => {
    const x = { tensor: host([3, 2, 2, 1], seq(12)), file: 'x.npy' };
    expect(npySet([x], nhwc, 2, { values: [1, 0, 1], file: 'y.npy' }).labels).toEqual([1, 0]);
    expect(() => npySet([x], nhwc, 2, { values: [1, 0], file: 'y.npy' })).toThrow('y.npy: 2 labels for 3 samples in x.npy');
  });
  it('one array per input, and the same number of samples in each', () => {
    const two = [...nhwc, { ...nhwc[0]!, name: 'b' }];
    expect(() => npySet([{ tensor: host([1, 2, 2, 1], seq(4)), file: 'a.npy' }], two, 5)).toThrow(/1 .npy file\(s\) for a model with 2 input/);
    expect(() => npySet([{ tensor: host([2, 2, 2, 1], seq(8)), file: 'a.npy' }, { tensor: host([3, 2, 2, 1], seq(12)), file: 'b.npy' }], two, 5)).toThrow(/a.npy 2, b.npy 3/);
  });
  it('labels are whole numbers >= 0 in [N] or [N, 1]; int64 reads as numbers', () => {
    expect(npyLabels(host([3], [2, 0, 9], 'int64'), 'y.npy')).toEqual([2, 0, 9]);
    expect(npyLabels(host([2, 1], [1, 3], 'float64'), 'y.npy')).toEqual([1, 3]);
    expect(() => npyLabels(host([2], [1, 1.5], 'float64'), 'y.npy')).toThrow('y.npy: label 1 is 1.5');
    expect(() => npyLabels(host([1], [-1], 'float64'), 'y.npy')).toThrow(/not a class index/);
    expect(() => npyLabels(host([2, 2], [1, 1, 1, 1]), 'y.npy')).toThrow(/\[N\]/);
  });
});

describe('layouts between a model and its reference', () => {
  it('inLayout transposes NHWC samples for an NCHW reference; values follow their pixel', () => {
    // [1, 2, 2, 3] NHWC: value = 10 * pixel + channel.
    const x = host([1, 2, 2, 3], [0, 1, 2, 10, 11, 12, 20, 21, 22, 30, 31, 32]);
    const [t] = inLayout([x], [{ name: 'input', dtype: 'float32', shape: [1, 3, 2, 2] }], 'ref');
    expect(t!.shape).toEqual([1, 3, 2, 2]);
    expect(Array.from(t!.data as Float32Array)).toEqual([0, 10, 20, 30, 1, 11, 21, 31, 2, 12, 22, 32]);
    expect(t!.name).toBe('input');
    expect(() => inLayout([x], [{ name: 'input', dtype: 'float32', shape: [1, 3, 4, 4] }], 'ref')).toThrow(/ref: input input is \[1, 3, 4, 4\]/);
  });
  it('alignOutputs brings NCHW reference outputs to the NHWC model outputs; same-size shapes reshape', () => {
    const ref = host([1, 3, 1, 2], [0, 1, 10, 11, 20, 21]);
    const [a] = alignOutputs([ref], [host([1, 1, 2, 3], seq(6))], 'ref');
    expect(Array.from(a!.data as Float32Array)).toEqual([0, 10, 20, 1, 11, 21]);
    expect(alignOutputs([host([10], seq(10))], [host([1, 10], seq(10))], 'ref')[0]!.shape).toEqual([1, 10]);
    expect(() => alignOutputs([host([1, 5], seq(5))], [host([1, 10], seq(10))], 'ref')).toThrow(/output 0 is \[1, 5\]/);
    expect(() => alignOutputs([], [host([1, 10], seq(10))], 'ref')).toThrow(/0 output/);
  });
});

describe('jsonMetrics', () => {
  it('writes an infinite SQNR as "Infinity" (JSON.stringify would write null) and drops absent metrics', () => {
    const j = JSON.parse(JSON.stringify(jsonMetrics({ count: 2, accuracy: 0.5, sqnrDb: Infinity, cosine: undefined })));
    expect(j).toEqual({ count: 2, accuracy: 0.5, sqnrDb: 'Infinity' });
    expect(Number(j.sqnrDb)).toBe(Infinity);
    expect(jsonMetrics({ count: 1, sqnrDb: -Infinity }).sqnrDb).toBe('-Infinity');
  });
});
