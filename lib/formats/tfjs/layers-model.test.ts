/**
 * Layers models: Sequential / Functional / nested / shared layers produced by tfjs-layers
 * itself (an independent producer: its layer list and getWeights() are the reference), and
 * hand-written Keras 3 configs with dict-style inbound_nodes.
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import type { Model } from '../../ir/types';
import { ModelFormatError } from '../errors';
import type { InputFile } from '../types';
import { tfjsFormat } from './index';
import { jsonFile, nums } from './testdata/fixtures';

/** Saves a tfjs-layers model the way model.save('file://...') would write model.json + one shard. */
async function saved(model: tf.LayersModel): Promise<InputFile[]> {
  let art: tf.io.ModelArtifacts | undefined;
  await model.save(tf.io.withSaveHandler(async (a) => {
    art = a;
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }));
  const parts = ([] as ArrayBuffer[]).concat(art!.weightData as ArrayBuffer | ArrayBuffer[]).map((b) => new Uint8Array(b));
  const bytes = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let off = 0;
  for (const p of parts) { bytes.set(p, off); off += p.length; }
  const doc = {
    modelTopology: art!.modelTopology,
    format: art!.format,
    generatedBy: art!.generatedBy,
    convertedBy: art!.convertedBy,
    weightsManifest: [{ paths: ['./group1-shard1of1.bin'], weights: art!.weightSpecs }],
  };
  return [jsonFile(doc, 'my-model.json'), { name: 'group1-shard1of1.bin', bytes }];
}

/** Our constants equal tfjs-layers' own weights, name by name. */
function expectWeightsMatch(m: Model, model: tf.LayersModel) {
  const g = m.graphs[0]!;
  const weights = model.weights;
  expect(weights.length).toBeGreaterThan(0);
  for (const w of weights) {
    const t = g.tensors.get(w.originalName) ?? g.tensors.get(w.name);
    expect(t, w.name).toBeDefined();
    expect(nums(t!)).toEqual(Array.from(w.read().dataSync()));
  }
}

const nonInputLayers = (model: tf.LayersModel) => model.layers.filter((l) => l.getClassName() !== 'InputLayer');

describe('layers models written by tfjs-layers', () => {
  it('Sequential without InputLayer: input from batch_input_shape, chain of keras.* nodes, weights as inputs', async () => {
    const model = tf.sequential({ layers: [
      tf.layers.dense({ units: 3, inputShape: [4], activation: 'relu', name: 'd1' }),
      tf.layers.dropout({ rate: 0.25, name: 'drop' }),
      tf.layers.dense({ units: 2, name: 'd2' }),
    ] });
    const files = await saved(model);
    expect(tfjsFormat.sniff(files[0]!.bytes)).toBe(true);
    const m = await tfjsFormat.read(files);
    expect(m.format).toBe('tfjs-layers');
    expect(m.dialect).toBe('keras');
    const g = m.graphs[0]!;
    expect(g.nodes.length).toBe(nonInputLayers(model).length);
    expect(g.nodes.map((n) => `${n.name}:${n.op}`)).toEqual(['d1:keras.Dense', 'drop:keras.Dropout', 'd2:keras.Dense']);
    expect(g.inputs).toEqual(['d1_input']);
    expect(g.tensors.get('d1_input')!.shape).toEqual([null, 4]);
    expect(g.nodes[0]!.inputs).toEqual(['d1_input', 'd1/kernel', 'd1/bias']);
    expect(g.nodes[1]!.inputs).toEqual(['d1']);
    expect(g.nodes[1]!.attrs.rate).toEqual({ kind: 'float', value: 0.25 });
    expect(g.nodes[0]!.attrs.units).toEqual({ kind: 'int', value: 3 });
    expect(g.nodes[0]!.attrs.activation).toEqual({ kind: 'string', value: 'relu' });
    expect(g.outputs).toEqual(['d2']);
    expectWeightsMatch(m, model);
    expect(m.metadata.modelClass).toBe('Sequential');
  });

  it('Functional with two inputs, a shared layer and a concatenate', async () => {
    const a = tf.input({ shape: [3], name: 'a' });
    const c = tf.input({ shape: [3], name: 'c' });
    const b = tf.input({ shape: [5], name: 'b' });
    const shared = tf.layers.dense({ units: 2, name: 'shared' });
    const sa = shared.apply(a) as tf.SymbolicTensor;
    const sc = shared.apply(c) as tf.SymbolicTensor;
    const cat = tf.layers.concatenate({ name: 'cat' }).apply([sa, sc, b]) as tf.SymbolicTensor;
    const out = tf.layers.dense({ units: 1, name: 'out' }).apply(cat) as tf.SymbolicTensor;
    const model = tf.model({ inputs: [a, c, b], outputs: out, name: 'fn' });
    const m = await tfjsFormat.read(await saved(model));
    const g = m.graphs[0]!;
    expect(g.nodes.length).toBe(nonInputLayers(model).length);
    expect(g.inputs).toEqual(['a', 'c', 'b']);
    expect(g.tensors.get('b')!.shape).toEqual([null, 5]);
    const sh = g.nodes.find((n) => n.name === 'shared')!;
    expect(sh.outputs).toEqual(['shared', 'shared@1']);
    expect(sh.inputs).toEqual(['a', 'c', 'shared/kernel', 'shared/bias']);
    expect(sh.attrs._calls).toEqual({ kind: 'int', value: 2 });
    expect(g.nodes.find((n) => n.name === 'cat')!.inputs).toEqual(['shared', 'shared@1', 'b']);
    expect(g.outputs).toEqual(['out']);
    expectWeightsMatch(m, model);
  });

  it('a nested model stays one node that owns its inner weights', async () => {
    const inner = tf.sequential({ name: 'inner', layers: [
      tf.layers.dense({ units: 4, inputShape: [3], name: 'inner_d1' }),
      tf.layers.dense({ units: 2, name: 'inner_d2' }),
    ] });
    const x = tf.input({ shape: [3], name: 'x' });
    const y = inner.apply(x) as tf.SymbolicTensor;
    const z = tf.layers.dense({ units: 1, name: 'head' }).apply(y) as tf.SymbolicTensor;
    const model = tf.model({ inputs: x, outputs: z });
    const m = await tfjsFormat.read(await saved(model));
    const g = m.graphs[0]!;
    expect(g.nodes.length).toBe(nonInputLayers(model).length);
    const node = g.nodes.find((n) => n.name === 'inner')!;
    expect(node.op).toBe('keras.Sequential');
    expect(node.inputs).toEqual(['x', 'inner_d1/kernel', 'inner_d1/bias', 'inner_d2/kernel', 'inner_d2/bias']);
    expect(node.attrs.layers?.kind).toBe('json');
    expect(g.nodes.find((n) => n.name === 'head')!.inputs[0]).toBe('inner');
    expectWeightsMatch(m, model);
    expect(m.metadata.warnings).toBeUndefined();
  });
});

const kt = (layer: string, shape: Array<number | null>, node = 0, tensor = 0) => ({
  class_name: '__keras_tensor__', config: { shape, dtype: 'float32', keras_history: [layer, node, tensor] },
});

function keras3Doc(wrapInModelConfig: boolean) {
  const model = {
    module: 'keras', class_name: 'Functional', registered_name: 'Functional',
    config: {
      name: 'k3',
      layers: [
        { module: 'keras.layers', class_name: 'InputLayer', name: 'input_layer', inbound_nodes: [],
          config: { batch_shape: [null, 8, 8, 1], dtype: 'float32', sparse: false, name: 'input_layer' } },
        { module: 'keras.layers', class_name: 'Conv2D', name: 'conv2d',
          config: { name: 'conv2d', dtype: { module: 'keras', class_name: 'DTypePolicy', config: { name: 'float32' } }, filters: 2, kernel_size: [3, 3], padding: 'same', use_bias: true },
          inbound_nodes: [{ args: [kt('input_layer', [null, 8, 8, 1])], kwargs: {} }] },
        { module: 'keras.layers', class_name: 'Add', name: 'add', config: { name: 'add' },
          inbound_nodes: [{ args: [[kt('conv2d', [null, 8, 8, 2]), kt('conv2d', [null, 8, 8, 2])]], kwargs: {} }] },
      ],
      input_layers: ['input_layer', 0, 0],
      output_layers: [['add', 0, 0]],
    },
  };
  return {
    format: 'layers-model',
    generatedBy: 'keras v3.5.0',
    convertedBy: 'TensorFlow.js Converter v4.22.0',
    modelTopology: wrapInModelConfig ? { keras_version: '3.5.0', backend: 'tensorflow', model_config: model } : model,
    weightsManifest: [{ paths: ['group1-shard1of1.bin'], weights: [
      { name: 'conv2d/kernel', shape: [3, 3, 1, 2], dtype: 'float32' },
      { name: 'conv2d/bias', shape: [2], dtype: 'float32' },
    ] }],
  };
}
const k3shard = { name: 'group1-shard1of1.bin', bytes: new Uint8Array(4 * 20) };

describe('Keras 3 configs', () => {
  for (const wrap of [true, false]) {
    it(`dict-style inbound_nodes, DTypePolicy, single-triple input_layers (model_config: ${wrap})`, async () => {
      const m = await tfjsFormat.read([jsonFile(keras3Doc(wrap)), k3shard]);
      const g = m.graphs[0]!;
      expect(g.nodes.map((n) => n.op)).toEqual(['keras.Conv2D', 'keras.Add']);
      expect(g.inputs).toEqual(['input_layer']);
      expect(g.tensors.get('input_layer')!.shape).toEqual([null, 8, 8, 1]);
      expect(g.nodes[0]!.inputs).toEqual(['input_layer', 'conv2d/kernel', 'conv2d/bias']);
      expect(g.nodes[1]!.inputs).toEqual(['conv2d', 'conv2d']);
      // Shapes of intermediate tensors come from the Keras 3 tensor records.
      expect(g.tensors.get('conv2d')!.shape).toEqual([null, 8, 8, 2]);
      expect(g.tensors.get('conv2d')!.dtype).toBe('float32');
      expect(g.outputs).toEqual(['add']);
      expect(g.nodes[0]!.attrs.dtype?.kind).toBe('json');
      if (wrap) expect(m.metadata.keras_version).toBe('3.5.0');
    });
  }

  it('model-prefixed weight names still find their layer', async () => {
    const doc = keras3Doc(true);
    doc.weightsManifest[0]!.weights[0]!.name = 'k3/conv2d/kernel';
    const m = await tfjsFormat.read([jsonFile(doc), k3shard]);
    expect(m.graphs[0]!.nodes[0]!.inputs).toContain('k3/conv2d/kernel');
  });
});

async function reason(doc: unknown, files: InputFile[] = [k3shard]): Promise<string> {
  try {
    await tfjsFormat.read([jsonFile(doc), ...files]);
  } catch (e) {
    expect(e).toBeInstanceOf(ModelFormatError);
    return (e as ModelFormatError).reason;
  }
  throw new Error('expected an error');
}

describe('layers model errors', () => {
  it('unknown inbound layer, missing class_name, duplicate names, missing layers', async () => {
    // A JSON round trip gives a loosely typed copy to corrupt.
    const d1 = JSON.parse(JSON.stringify(keras3Doc(true)));
    d1.modelTopology.model_config.config.layers[2]!.inbound_nodes = [{ args: [kt('ghost', [1])], kwargs: {} }];
    expect(await reason(d1)).toBe('modelTopology.model_config.config.layers[2].inbound_nodes[0] refers to layer "ghost", which the model does not have');

    const d2 = keras3Doc(false) as { modelTopology: { config: { layers: Array<Record<string, unknown>> } } };
    delete d2.modelTopology.config.layers[1]!.class_name;
    expect(await reason(d2)).toBe('modelTopology.config.layers[1].class_name is missing');

    const d3 = keras3Doc(false) as { modelTopology: { config: { layers: Array<Record<string, unknown>> } } };
    d3.modelTopology.config.layers[2]!.name = 'conv2d';
    expect(await reason(d3)).toBe('modelTopology.config.layers[2].name "conv2d" is used by two layers');

    expect(await reason({ format: 'layers-model', modelTopology: { keras_version: '2' }, weightsManifest: [] }))
      .toBe('modelTopology.model_config is missing (format says layers-model)');
    expect(await reason({ modelTopology: { model_config: { class_name: 'Sequential', config: { name: 's' } } } }))
      .toBe('modelTopology.model_config.config.layers is missing');
  });

  it('unmatched weights stay as constants and are reported', async () => {
    const doc = keras3Doc(true);
    doc.weightsManifest[0]!.weights[1]!.name = 'nobody/bias';
    const m = await tfjsFormat.read([jsonFile(doc), k3shard]);
    expect(m.graphs[0]!.tensors.get('nobody/bias')!.isConstant).toBe(true);
    expect(m.metadata.warnings).toContain('nobody/bias');
  });
});
