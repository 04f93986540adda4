/**
 * The tfjs IR executor on the TF.js graph-model fixtures against TF.js's own GraphModel
 * (tf.loadGraphModel from memory), the native runtime for these files.
 */
import { existsSync, readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { randomHostTensor } from '../host-tensor';
import { tfjsAdapter } from './index';
import { bytesOf, expectAgree, loadModel } from './test-helpers';
import { hostToTf } from './util';

const DIR = 'fixtures/third_party/human/models';
const MODELS = ['antispoof', 'blazeface', 'emotion', 'liveness', 'movenet-lightning'];

async function nativeModel(file: string): Promise<tf.GraphModel> {
  const json = JSON.parse(readFileSync(file, 'utf8')) as {
    modelTopology: object; format?: string; generatedBy?: string; convertedBy?: string;
    weightsManifest: Array<{ paths: string[]; weights: tf.io.WeightsManifestEntry[] }>;
  };
  const dir = file.slice(0, file.lastIndexOf('/') + 1);
  const shards = json.weightsManifest.flatMap((g) => g.paths).map((p) => bytesOf(dir + p));
  const data = new Uint8Array(shards.reduce((n, s) => n + s.length, 0));
  let at = 0;
  for (const s of shards) { data.set(s, at); at += s.length; }
  return tf.loadGraphModel(tf.io.fromMemory({
    modelTopology: json.modelTopology,
    weightSpecs: json.weightsManifest.flatMap((g) => g.weights),
    weightData: data.buffer,
    format: json.format,
    generatedBy: json.generatedBy,
    convertedBy: json.convertedBy,
  }));
}

describe('tfjs executor vs tf.loadGraphModel on the TF.js graph fixtures', () => {
  for (const name of MODELS) {
    const file = `${DIR}/${name}.json`;
    it(name, async () => {
      const session = await tfjsAdapter.load({ model: await loadModel(file) }, { backend: 'cpu' });
      const native = await nativeModel(file);
      try {
        const feeds = session.inputs.map((sp, i) => randomHostTensor(sp, { seed: 11 + i, min: 0, max: 1 }));
        for (const f of feeds) if (f.data instanceof Int32Array) f.data.forEach((_, k, d) => { d[k] = (k * 7919) % 256; });
        const got = await session.run(feeds);
        const before = tf.memory().numTensors;
        await session.run(feeds);
        expect(tf.memory().numTensors).toBe(before);
        const feedDict: Record<string, tf.Tensor> = {};
        session.inputs.forEach((sp, i) => { feedDict[sp.name] = hostToTf(feeds[i]!); });
        const res = await native.executeAsync(feedDict, session.outputs.map((o) => o.name));
        const want = Array.isArray(res) ? res : [res];
        got.forEach((g, i) => expectAgree(`${name} ${g.name}`, g, { data: want[i]!.dataSync(), shape: want[i]!.shape }));
        tf.dispose([...want, ...Object.values(feedDict)]);
      } finally {
        session.dispose();
        native.dispose();
      }
    }, 120_000);
  }
});
