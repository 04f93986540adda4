/**
 * TF.js fixtures against @tensorflow/tfjs itself: the graph models are executed (cpu backend)
 * on zeros and every intermediate tensor's real shape is compared with the inferred one; the
 * layers model's every layer output likewise.
 */
import { existsSync, readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { readModel } from '../../formats/registry';
import type { Model } from '../types';
import { inferShapes } from './index';

const HUMAN = 'fixtures/third_party/human/models';
const GRAPH_MODELS = ['blazeface', 'emotion', 'movenet-lightning', 'antispoof', 'liveness'].filter((n) => existsSync(`${HUMAN}/${n}.json`));
const NSFW = 'fixtures/third_party/nsfwjs/mobilenet_v2';

function bytes(path: string): Uint8Array {
  return new Uint8Array(readFileSync(path));
}

/** The JSON plus its weight shards, as tfjs' fromMemory wants them. */
function artifacts(jsonPath: string): { json: Record<string, unknown>; weights: ArrayBuffer; files: Array<{ name: string; bytes: Uint8Array }> } {
  const json = JSON.parse(readFileSync(jsonPath, 'utf8')) as { weightsManifest: Array<{ paths: string[] }> };
  const dir = jsonPath.slice(0, jsonPath.lastIndexOf('/'));
  const shards = json.weightsManifest.flatMap((m) => m.paths).map((p) => ({ name: p, bytes: bytes(`${dir}/${p}`) }));
  const all = new Uint8Array(shards.reduce((a, s) => a + s.bytes.length, 0));
  let off = 0;
  for (const s of shards) { all.set(s.bytes, off); off += s.bytes.length; }
  return { json, weights: all.buffer, files: [{ name: jsonPath.split('/').pop()!, bytes: bytes(jsonPath) }, ...shards] };
}

/** Batch (or any unknown dim) fixed to 1. */
function batchOne(m: Model): Record<string, number[]> {
  const g = m.graphs[0]!;
  return Object.fromEntries(g.inputs.map((n) => [n, (g.tensors.get(n)!.shape ?? []).map((d) => (typeof d === 'number' ? d : 1))]));
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});


it('finds its test data (libonnx-testdata, fetched fixtures)', () => {
  expect(GRAPH_MODELS.length, 'install libonnx-testdata and run npm install (scripts/fetch-models.mjs)').toBeGreaterThan(0);
});

describe('TF.js graph models vs tfjs execution', () => {
  for (const name of GRAPH_MODELS) {
    it(name, async () => {
      const a = artifacts(`${HUMAN}/${name}.json`);
      const m = await readModel(a.files);
      const shapes = batchOne(m);
      const { model, report } = inferShapes(m, { inputShapes: shapes });
      expect(report.unknownOps).toEqual([]);
      expect(report.errors).toEqual([]);
      const g = model.graphs[0]!;
      const topo = a.json.modelTopology as tf.io.ModelArtifacts['modelTopology'];
      const weightSpecs = (a.json.weightsManifest as Array<{ weights: tf.io.WeightsManifestEntry[] }>).flatMap((w) => w.weights);
      const gm = await tf.loadGraphModel(tf.io.fromMemory({ modelTopology: topo, weightSpecs, weightData: a.weights }));
      const feeds: Record<string, tf.Tensor> = {};
      for (const n of g.inputs) {
        const t = g.tensors.get(n)!;
        feeds[n] = tf.zeros(shapes[n]!, t.dtype === 'int32' ? 'int32' : 'float32');
      }
      const names = g.nodes.flatMap((n) => n.outputs);
      const outs = gm.execute(feeds, names) as tf.Tensor[];
      const wrong: string[] = [];
      names.forEach((n, i) => {
        const real = outs[i]!.shape;
        const got = g.tensors.get(n)!.shape;
        if (JSON.stringify(got) !== JSON.stringify(real)) wrong.push(`${n}: inferred ${JSON.stringify(got)}, tfjs ${JSON.stringify(real)}`);
      });
      tf.dispose([...outs, ...Object.values(feeds)]);
      gm.dispose();
      expect(wrong).toEqual([]);
      expect(report.unknownAfter).toEqual([]);
    }, 60_000);
  }
});

describe('TF.js layers model vs tfjs', () => {
  it('nsfwjs mobilenet_v2: every layer output', async () => {
    const a = artifacts(`${NSFW}/model.json`);
    const m = await readModel(a.files);
    const { model, report } = inferShapes(m, { inputShapes: batchOne(m) });
    expect(report.unknownOps).toEqual([]);
    expect(report.errors).toEqual([]);
    expect(report.unknownAfter).toEqual([]);
    const weightSpecs = (a.json.weightsManifest as Array<{ weights: tf.io.WeightsManifestEntry[] }>).flatMap((w) => w.weights);
    const lm = await tf.loadLayersModel(tf.io.fromMemory({ modelTopology: a.json.modelTopology as object, weightSpecs, weightData: a.weights }));
    const g = model.graphs[0]!;
    const wrong: string[] = [];
    let compared = 0;
    for (const layer of lm.layers) {
      const t = g.tensors.get(layer.name);
      if (!t || g.inputs.includes(layer.name)) continue;
      // Keras reports the batch as null; ours was fixed to 1.
      const real = (layer.outputShape as Array<number | null>).map((d, i) => (i === 0 && d === null ? 1 : d));
      compared++;
      if (JSON.stringify(t.shape) !== JSON.stringify(real)) wrong.push(`${layer.name}: inferred ${JSON.stringify(t.shape)}, tfjs ${JSON.stringify(real)}`);
    }
    lm.dispose();
    expect(wrong).toEqual([]);
    expect(compared).toBeGreaterThan(100);
  }, 60_000);
});
