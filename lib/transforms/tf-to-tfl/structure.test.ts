/** Structure of converted fixture graph models: op mapping, fusion, written bytes read back. */
import { describe, expect, it } from 'vitest';
import { readModel } from '../../formats/registry';
import { writeTflite } from '../../formats/tflite/write';
import { convertTfToTflite, supportedTfOps } from './index';
import { artifacts, readIr } from './test-support';

const BLAZE = 'fixtures/third_party/human/models/blazeface.json';

describe('tf-to-tfl structure (blazeface)', () => {
  it('one TFLite conv per TF conv, activations fused, Identity gone, output names kept', async () => {
    const src = await readIr(artifacts(BLAZE));
    const count = (ops: string[], op: string) => ops.filter((o) => o === op).length;
    const srcOps = src.graphs[0]!.nodes.map((n) => n.op);
    const { model, report } = convertTfToTflite(src);
    expect(report.converted).toBe(true);
    const g = model.graphs[0]!;
    const ops = g.nodes.map((n) => n.op);
    expect(ops.every((o) => o.startsWith('tfl.'))).toBe(true);
    expect(count(ops, 'tfl.CONV_2D')).toBe(count(srcOps, 'tf._FusedConv2D'));
    expect(count(ops, 'tfl.DEPTHWISE_CONV_2D')).toBe(count(srcOps, 'tf.DepthwiseConv2dNative'));
    // Every Relu after an AddV2 is fused into the ADD.
    expect(count(ops, 'tfl.RELU')).toBe(0);
    expect(g.nodes.filter((n) => n.op === 'tfl.ADD' && n.attrs.fused_activation_function?.value === 'RELU').length).toBe(count(srcOps, 'tf.Relu'));
    expect(g.outputs).toEqual(src.graphs[0]!.outputs);
    for (const o of g.outputs) expect(g.tensors.get(o)!.shape!.every((d) => typeof d === 'number' && d > 0)).toBe(true);
    expect(report.stats.nodesOut).toBe(g.nodes.length);

    const back = await readModel([{ name: 'blazeface.tflite', bytes: writeTflite(model) }]);
    const bg = back.graphs[0]!;
    expect(bg.nodes.map((n) => n.op)).toEqual(ops);
    expect(bg.outputs).toEqual(g.outputs);
    expect(bg.tensors.get('input')!.shape).toEqual([1, 256, 256, 3]);
  });

  it('honours an aborted signal', async () => {
    const src = await readIr(artifacts(BLAZE));
    const ac = new AbortController();
    ac.abort();
    expect(() => convertTfToTflite(src, {}, undefined, ac.signal)).toThrow();
  });

  it('drops control-only nodes (NoOp, Assert) and ^control inputs', async () => {
    const doc = {
      format: 'graph-model', modelTopology: { node: [
        { name: 'x', op: 'Placeholder', attr: { dtype: { type: 'DT_FLOAT' }, shape: { shape: { dim: [{ size: '1' }, { size: '4' }] } } } },
        { name: 'init', op: 'NoOp' },
        { name: 'check', op: 'Assert', input: ['x', '^init'] },
        { name: 'y', op: 'Relu', input: ['x', '^init', '^check'], attr: { T: { type: 'DT_FLOAT' } } },
      ] },
      weightsManifest: [],
    };
    const src = await readModel([{ name: 'model.json', bytes: new TextEncoder().encode(JSON.stringify(doc)) }]);
    expect(src.graphs[0]!.nodes.map((n) => n.op)).toEqual(['tf.NoOp', 'tf.Assert', 'tf.Relu']);
    const { model, report } = convertTfToTflite(src);
    expect(report.unsupported).toEqual([]);
    expect(model.graphs[0]!.nodes.map((n) => n.op)).toEqual(['tfl.RELU']);
    expect(model.graphs[0]!.outputs).toEqual(['y']);
  });

  it('lists its op table', () => {
    expect(supportedTfOps()).toEqual(expect.arrayContaining(['_FusedConv2D', 'DepthwiseConv2dNative', '_FusedMatMul', 'StridedSlice', 'ResizeBilinear']));
  });
});
