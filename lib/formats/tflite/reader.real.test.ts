/**
 * The reader on real third-party models, checked against facts flatc (an independent parser)
 * decoded from the same files: testdata/flatc-facts.json, made by testdata/make-facts.mjs.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AttrValue, Model } from '../../ir/types';
import { tensorFloats } from '../../ir/values';
import { AbortedError } from '../errors';
import { tfliteFormat } from './index';
import facts from './testdata/flatc-facts.json';

const FIXTURES = process.env.TFLITE_FIXTURES_DIR ?? 'fixtures/third_party';

/** fixtures/third_party/<package dir>/<file>, as scripts/fetch-models.mjs leaves it. */
function fixture(rel: string): Uint8Array {
  const file = path.join(FIXTURES, rel);
  if (!existsSync(file)) throw new Error(`missing fixture ${file}: run npm install (scripts/fetch-models.mjs) to fetch fixtures`);
  return new Uint8Array(readFileSync(file));
}

async function load(rel: string): Promise<{ model: Model; bytes: Uint8Array }> {
  const bytes = fixture(rel);
  return { model: await tfliteFormat.read([{ name: path.basename(rel), bytes }]), bytes };
}

/** flatc JSON prints enums by name and omits fields equal to their default. */
function plain(a: AttrValue | undefined): unknown {
  return a && 'value' in a ? a.value : undefined;
}

type Facts = typeof facts;
const entries = Object.entries(facts as Facts) as Array<[string, Facts[keyof Facts]]>;

describe('TFLite reader vs flatc on real models', () => {
  it.each(entries)('%s', async (rel, f) => {
    const { model, bytes } = await load(rel);
    expect(tfliteFormat.sniff(bytes.subarray(0, 16))).toBe(true);
    expect(model.format).toBe('tflite');
    expect(model.dialect).toBe('tfl');
    expect(model.opsets.tflite).toBe(f.version);
    expect(model.metadata.description ?? null).toBe(f.description);
    for (const name of f.metadata) expect(model.metadata[name]).toBeDefined();
    expect(model.graphs).toHaveLength(f.subgraphs.length);

    f.subgraphs.forEach((sf, gi) => {
      const g = model.graphs[gi]!;
      expect(g.nodes).toHaveLength(sf.operatorCount);
      expect(g.tensors.size).toBe(sf.tensorCount);
      const names = [...g.tensors.keys()];
      const histogram: Record<string, number> = {};
      for (const n of g.nodes) histogram[n.op.slice(4)] = (histogram[n.op.slice(4)] ?? 0) + 1;
      expect(histogram).toEqual(sf.histogram);

      sf.firstOps.forEach((of, i) => {
        const node = g.nodes[i]!;
        expect(node.op).toBe(`tfl.${of.op}`);
        expect(node.inputs).toEqual(of.inputs.map((t: number) => (t < 0 ? '' : names[t])));
        expect(node.outputs).toEqual(of.outputs.map((t: number) => names[t]));
        for (const [k, v] of Object.entries(of.options ?? {})) expect(plain(node.attrs[k])).toEqual(v);
      });

      const shape = (s: number[]) => s.map((d) => (d < 0 ? null : d));
      expect(g.inputs).toEqual(sf.inputs.map((t) => names[t.index]));
      expect(g.outputs).toEqual(sf.outputs.map((t) => names[t.index]));
      for (const t of [...sf.inputs, ...sf.outputs]) expect(g.tensors.get(names[t.index]!)!.shape).toEqual(shape(t.shape));
      for (const st of sf.sampleTensors) {
        const t = g.tensors.get(names[st.index]!)!;
        if (st.name) expect(t.name.startsWith(st.name)).toBe(true);
        expect(t.dtype).toBe(st.type === 'FLOAT16' ? 'float16' : st.type === 'INT32' ? 'int32' : st.type.toLowerCase());
        expect(t.shape).toEqual(shape(st.shape));
        expect(t.data?.length ?? 0).toBe(st.bytes);
        expect(t.isConstant ?? false).toBe(st.bytes > 0);
      }
      expect([...g.tensors.values()].filter((t) => t.sparsity)).toHaveLength(sf.sparseTensors);
    });
  });
});

describe('TFLite reader details on real models', () => {
  it('face_detection_short_range: fp16 weights are views into the file and dequantize to sane floats', async () => {
    const { model, bytes } = await load('mediapipe-face_detection/face_detection_short_range.tflite');
    const g = model.graphs[0]!;
    expect(g.nodes).toHaveLength(164);
    const deq = g.nodes.find((n) => n.op === 'tfl.DEQUANTIZE')!;
    expect(deq.version).toBe(2);
    const w = g.tensors.get(deq.inputs[0]!)!;
    expect(w.dtype).toBe('float16');
    expect(w.isConstant).toBe(true);
    expect(w.data!.buffer).toBe(bytes.buffer); // a view, not a copy
    const values = tensorFloats(w)!;
    expect(values.length).toBeGreaterThan(0);
    expect(values.every((v) => Number.isFinite(v) && Math.abs(v) < 1000)).toBe(true);
    const conv = g.nodes.find((n) => n.op === 'tfl.CONV_2D')!;
    expect(conv.attrs.padding).toEqual({ kind: 'string', value: 'SAME' });
    expect(conv.attrs.fused_activation_function).toEqual({ kind: 'string', value: 'NONE' });
    expect(conv.attrs.dilation_w_factor).toEqual({ kind: 'int', value: 1 });
    expect(new Set(g.nodes.map((n) => n.name)).size).toBe(g.nodes.length);
  });

  it('selfie_segmentation: the custom op keeps its name and options bytes', async () => {
    const { model } = await load('mediapipe-selfie_segmentation/selfie_segmentation.tflite');
    const custom = model.graphs[0]!.nodes.filter((n) => n.custom);
    expect(custom.length).toBeGreaterThan(0);
    for (const n of custom) {
      expect(n.op).toBe('tfl.Convolution2DTransposeBias');
      expect(n.attrs.custom_options?.kind).toBe('bytes');
    }
  });

  it('hey_jarvis: IF refers to its branch subgraphs', async () => {
    const { model } = await load('openwakeword/hey_jarvis_v0.1.tflite');
    expect(model.graphs).toHaveLength(3);
    const iff = model.graphs[0]!.nodes.find((n) => n.op === 'tfl.IF')!;
    expect(iff.attrs.then_subgraph_index?.kind).toBe('subgraph');
    expect(iff.attrs.else_subgraph_index?.kind).toBe('subgraph');
    const branches = [plain(iff.attrs.then_subgraph_index), plain(iff.attrs.else_subgraph_index)].sort();
    expect(branches).toEqual([1, 2]);
    expect(model.metadata.min_runtime_version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(model.metadata['signature.serving_default']).toContain('subgraph 0');
  });

  it('face_detection_full_range_sparse: sparse weights are densified by DENSIFY', async () => {
    const { model } = await load('mediapipe-face_detection/face_detection_full_range_sparse.tflite');
    const g = model.graphs[0]!;
    const densify = g.nodes.filter((n) => n.op === 'tfl.DENSIFY');
    expect(densify.length).toBeGreaterThan(0);
    const t = g.tensors.get(densify[0]!.inputs[0]!)!;
    expect(t.sparsity).toBeDefined();
    expect(t.sparsity!.dimMetadata).toHaveLength(t.sparsity!.traversalOrder.length);
    const sparseDim = t.sparsity!.dimMetadata.find((d) => d.format === 'sparse');
    expect(sparseDim).toBeDefined();
    if (sparseDim?.format === 'sparse') expect(sparseDim.segments.length).toBeGreaterThan(1);
  });

  it('reports progress at most ~50 times, ending at 1, and honours an aborted signal', async () => {
    const bytes = fixture('mediapipe-face_detection/face_detection_full_range.tflite');
    const seen: number[] = [];
    await tfliteFormat.read([{ name: 'f.tflite', bytes }], { onProgress: (f) => seen.push(f) });
    expect(seen.length).toBeGreaterThan(5);
    expect(seen.length).toBeLessThanOrEqual(50);
    expect(seen.at(-1)).toBe(1);
    expect(seen.every((v, i) => i === 0 || v >= seen[i - 1]!)).toBe(true);
    const ctl = new AbortController();
    ctl.abort();
    await expect(tfliteFormat.read([{ name: 'f.tflite', bytes }], { signal: ctl.signal })).rejects.toBeInstanceOf(AbortedError);
    // Cancelled mid-parse: the read stops at the next progress point.
    const mid = new AbortController();
    let calls = 0;
    const reading = tfliteFormat.read([{ name: 'f.tflite', bytes }], {
      signal: mid.signal,
      onProgress: () => { if (++calls === 5) mid.abort(); },
    });
    await expect(reading).rejects.toBeInstanceOf(AbortedError);
    expect(calls).toBe(5);
  });
});
