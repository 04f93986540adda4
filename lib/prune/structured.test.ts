/**
 * Structured pruning on hand-built graphs (residual + depthwise + BN + concat + GAP + Gemm;
 * channel padding joined by an add + NCHW flatten + MatMul), ONNX and converted to TFLite:
 * the pruned model must compute what the original computes with the removed channels'
 * downstream input slices zeroed (testing.ts), in the tfjs executor and in LiteRT.js (tfl) or
 * onnxruntime-web (onnx, written by lib/formats/onnx/write.ts).
 */
import { describe, expect, it } from 'vitest';
import { inferShapes } from '../ir/shapes';
import type { Model } from '../ir/types';
import { prune } from './index';
import { int8Weights, padded, residual, onnxModel, tflModel } from './test-graphs';
import { plan, randomFeeds, relativeDiffs, runnersFor, zeroedReference, type Runner } from './testing';
import type { OnnxGraphSpec } from '../transforms/onnx-to-tfl/testdata/onnx-build';

const cases: Array<[string, OnnxGraphSpec, string[]]> = [
  ['residual', residual, ['c1', 'c2', 'c3', 'c4', 'c5', 'fc1']],
  ['padded', padded, ['c1', 'c2', 'mm1']],
];

async function expectSame(label: string, runners: Runner[], pruned: Model, reference: Model, original: Model): Promise<void> {
  const feeds = randomFeeds(original);
  for (const r of runners) {
    const got = await r.run(pruned, feeds);
    const want = await r.run(reference, feeds);
    const before = await r.run(original, feeds);
    const diffs = relativeDiffs(got, want);
    console.log(`${label} ${r.name}: pruned vs zeroed reference ${diffs.map((d) => d.toExponential(1)).join(', ')}; vs original ${relativeDiffs(got, before).map((d) => d.toFixed(3)).join(', ')}`);
    for (const d of diffs) expect(d).toBeLessThanOrEqual(1e-6);
    // The check has teeth: removing channels does change the output.
    expect(Math.max(...relativeDiffs(got, before))).toBeGreaterThan(1e-3);
  }
}

describe('structured pruning follows channels through', () => {
  for (const [name, spec, layers] of cases) {
    for (const dialect of ['onnx', 'tfl'] as const) {
      it(`${name} (${dialect})`, async () => {
        const model = dialect === 'onnx' ? await onnxModel(spec) : await tflModel(spec);
        const { report, model: pruned } = prune(model, { structured: 0.34 });
        const shrunk = report.layers.filter((l) => l.channelsAfter! < l.channelsBefore!).map((l) => l.node);
        for (const l of layers) expect(shrunk, `${l} pruned`).toContain(l);
        expect(report.removedChannels).toBeGreaterThan(0);
        // Every tensor shape stays consistent with the ops: shape inference finds no conflict.
        expect(inferShapes(pruned).report.errors).toEqual([]);
        const p = plan(model, 0.34);
        expect(p.pruned.graphs[0]!.tensors).toEqual(pruned.graphs[0]!.tensors);
        await expectSame(`${name} ${dialect}`, runnersFor(model), pruned, zeroedReference(model, p.plan), model);
      });
    }
  }

  it('prunes a residual group together: both producers of an add lose the same channels', async () => {
    const model = await onnxModel(residual);
    const { plan: p } = plan(model, 0.25);
    expect(p.removed.get('a1')).toEqual(p.removed.get('e1'));
    expect(p.removed.get('a1')).toEqual(p.removed.get('d1'));
    expect(p.removed.get('a1')!.length).toBe(2);
    // Concat: each input pruned on its own, the concat's channels re-indexed.
    const f = p.removed.get('f1') ?? [], g = p.removed.get('g1') ?? [];
    expect(p.removed.get('h')).toEqual([...f, ...g.map((c) => c + 6)]);
  });

  it('honours exclude and per-layer fractions', async () => {
    const model = await onnxModel(residual);
    const { report } = prune(model, { structured: 0.5, exclude: ['c3', '/^fc/'], perLayer: { c5: 0.1 } });
    const after = Object.fromEntries(report.layers.map((l) => [l.node, l.channelsAfter]));
    expect(after).toMatchObject({ c3: 6, fc1: 7, c5: 9, c1: 4 });
    expect(report.skipped).toContainEqual({ node: 'c3', reason: 'excluded (c3)' });
  });

  it('leaves layers it cannot follow unpruned, and says why', async () => {
    const spec: OnnxGraphSpec = {
      ...residual,
      nodes: [
        ...residual.nodes.filter((n) => n.name !== 'fc2'),
        { name: 'fc2', op: 'Gemm', inputs: ['k2', 'wf2', 'bf2'], outputs: ['y'] },
        { name: 'sm', op: 'Softmax', inputs: ['f1'], outputs: ['z'] },
      ],
      outputs: [{ name: 'y' }, { name: 'z' }],
    };
    const model = await onnxModel(spec);
    const { report, model: pruned } = prune(model, { structured: 0.5 });
    expect(report.skipped).toContainEqual({ node: 'c3', reason: 'onnx.Softmax is not followed (sm)' });
    expect(report.skipped).toContainEqual({ node: 'fc2', reason: 'reaches a graph output' });
    // c3 keeps its filters; it still loses the input slices of the channels c1 gave up.
    expect(pruned.graphs[0]!.tensors.get('w3')!.shape).toEqual([6, 4, 1, 1]);
  });

  it('int8 per-channel weights: scales follow their channels, numbers match the reference', async () => {
    const model = int8Weights(await tflModel(residual));
    const { report, model: pruned } = prune(model, { structured: 0.34 });
    expect(report.removedChannels).toBeGreaterThan(0);
    const p = plan(model, 0.34);
    const c4 = model.graphs[0]!.nodes.find((n) => n.name === 'c4')!;
    const before = model.graphs[0]!.tensors.get(`${c4.inputs[1]}/int8`)!;
    const after = pruned.graphs[0]!.tensors.get(before.name)!;
    const gone = p.plan.removed.get(c4.outputs[0]!)!;
    const kept = [0, 1, 2, 3].filter((c) => !gone.includes(c));
    expect(after.shape![0]).toBe(kept.length);
    expect(after.quant!.scale).toEqual(kept.map((c) => before.quant!.scale[c]));
    expect(after.quant!.zeroPoint).toHaveLength(kept.length);
    await expectSame('residual int8 weights', runnersFor(model), pruned, zeroedReference(model, p.plan), model);
  });

  it('never mutates the input model', async () => {
    const model = await tflModel(residual);
    const g = model.graphs[0]!;
    const before = [...g.tensors.values()].map((t) => [t.name, JSON.stringify(t.shape), t.data ? Array.from(t.data) : null]);
    const nodes = JSON.stringify(g.nodes);
    prune(model, { structured: 0.5, sparsity: 0.5 });
    expect([...g.tensors.values()].map((t) => [t.name, JSON.stringify(t.shape), t.data ? Array.from(t.data) : null])).toEqual(before);
    expect(JSON.stringify(g.nodes)).toBe(nodes);
  });
});
