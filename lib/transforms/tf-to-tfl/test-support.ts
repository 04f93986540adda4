/**
 * Test support (Node only): a TF.js model's files, the original run by tfjs itself (cpu backend),
 * seeded inputs, and the tolerance check. Used by the tf-to-tfl and keras-to-tfl tests.
 */
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { readModel } from '../../formats/registry';
import type { DType, Model } from '../../ir/types';
import { randomHostTensor } from '../../runtime/host-tensor';
import type { HostTensor } from '../../runtime/types';

export interface Artifacts {
  json: { modelTopology: unknown; weightsManifest: Array<{ paths: string[]; weights: tf.io.WeightsManifestEntry[] }> };
  weightData: ArrayBuffer;
  files: Array<{ name: string; bytes: Uint8Array }>;
}

export function artifacts(jsonPath: string): Artifacts {
  const json = JSON.parse(readFileSync(jsonPath, 'utf8')) as Artifacts['json'];
  const dir = jsonPath.slice(0, jsonPath.lastIndexOf('/'));
  const shards = json.weightsManifest.flatMap((m) => m.paths).map((p) => ({ name: p, bytes: new Uint8Array(readFileSync(`${dir}/${p}`)) }));
  const all = new Uint8Array(shards.reduce((a, s) => a + s.bytes.length, 0));
  let off = 0;
  for (const s of shards) { all.set(s.bytes, off); off += s.bytes.length; }
  return { json, weightData: all.buffer, files: [{ name: jsonPath.split('/').pop()!, bytes: new Uint8Array(readFileSync(jsonPath)) }, ...shards] };
}

export const readIr = (a: Artifacts): Promise<Model> => readModel(a.files);

async function cpu(): Promise<void> {
  if (tf.getBackend() !== 'cpu') await tf.setBackend('cpu');
  await tf.ready();
}

function toTf(x: HostTensor): tf.Tensor {
  const dtype = x.dtype === 'int32' ? 'int32' : 'float32';
  return tf.tensor(x.data as Float32Array | Int32Array, x.shape, dtype);
}

async function toHost(name: string, t: tf.Tensor): Promise<HostTensor> {
  const data = await t.data();
  const dtype: DType = t.dtype === 'int32' ? 'int32' : 'float32';
  return { name, dtype, shape: t.shape, data: data as Float32Array | Int32Array };
}

/** The original graph model in tfjs; outputs in the order of `outputs` (IR tensor names). */
export async function runTfjsGraph(a: Artifacts, inputs: HostTensor[], outputs: string[]): Promise<HostTensor[]> {
  await cpu();
  const weightSpecs = a.json.weightsManifest.flatMap((w) => w.weights);
  const gm = await tf.loadGraphModel(tf.io.fromMemory({ modelTopology: a.json.modelTopology as object, weightSpecs, weightData: a.weightData }));
  const feeds: Record<string, tf.Tensor> = {};
  for (const x of inputs) feeds[x.name] = toTf(x);
  const outs = gm.execute(feeds, outputs);
  const list = Array.isArray(outs) ? outs : [outs];
  const res = await Promise.all(list.map((t, i) => toHost(outputs[i]!, t)));
  tf.dispose([...list, ...Object.values(feeds)]);
  gm.dispose();
  return res;
}

/** The original layers model in tfjs (single input / output). */
export async function runTfjsLayers(a: Artifacts, input: HostTensor, outputName: string): Promise<HostTensor> {
  await cpu();
  const weightSpecs = a.json.weightsManifest.flatMap((w) => w.weights);
  const lm = await tf.loadLayersModel(tf.io.fromMemory({ modelTopology: a.json.modelTopology as object, weightSpecs, weightData: a.weightData }));
  const x = toTf(input);
  const y = lm.predict(x) as tf.Tensor;
  const res = await toHost(outputName, y);
  tf.dispose([x, y]);
  lm.dispose();
  return res;
}

/** Seeded random inputs for a converted model's (static) inputs. */
export function inputsFor(m: Model, seed: number, min = -1, max = 1): HostTensor[] {
  const g = m.graphs[0]!;
  return g.inputs.map((name, k) => {
    const t = g.tensors.get(name)!;
    return randomHostTensor({ name, dtype: t.dtype, shape: t.shape as number[] }, { seed: seed + k, min, max });
  });
}
