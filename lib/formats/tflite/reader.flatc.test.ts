/**
 * A model written as JSON by hand and encoded by flatc (testdata/quantized.json -> .tflite, see
 * testdata/make-facts.mjs): int8 per-axis and per-tensor quantization, int4 weights, a builtin
 * code above 127, BuiltinOptions2, a custom op, an omitted optional input, shape_signature.
 * The JSON is the expectation; flatc, not our code, produced the bytes.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Graph, Model } from '../../ir/types';
import { tfliteFormat } from './index';

const testdata = (f: string) => fileURLToPath(new URL(`./testdata/${f}`, import.meta.url));
const json = JSON.parse(readFileSync(testdata('quantized.json'), 'utf8'));
const bytes = new Uint8Array(readFileSync(testdata('quantized.tflite')));
const DTYPE: Record<string, string> = { INT8: 'int8', INT32: 'int32', INT4: 'int4', FLOAT32: 'float32' };

interface JsonTensor {
  name: string; shape: number[]; shape_signature?: number[]; type: string; buffer?: number;
  quantization?: { scale: number[]; zero_point: number[]; quantized_dimension?: number; min?: number[]; max?: number[] };
}

describe('flatc-encoded quantized model', () => {
  let model: Model;
  let g: Graph;
  let names: string[];
  const sg = json.subgraphs[0];
  beforeAll(async () => {
    model = await tfliteFormat.read([{ name: 'quantized.tflite', bytes }]);
    g = model.graphs[0]!;
    names = [...g.tensors.keys()];
  });

  it('model-level fields', () => {
    expect(model.metadata.description).toBe(json.description);
    expect(model.metadata.min_runtime_version).toBe('2.17.0');
    expect(g.name).toBe('main');
    expect(names).toEqual(sg.tensors.map((t: JsonTensor) => t.name));
    expect(g.inputs).toEqual(sg.inputs.map((i: number) => names[i]));
    expect(g.outputs).toEqual(sg.outputs.map((i: number) => names[i]));
  });

  it('tensors: dtype, shape, data, quantization', () => {
    sg.tensors.forEach((jt: JsonTensor) => {
      const t = g.tensors.get(jt.name)!;
      expect(t.dtype).toBe(DTYPE[jt.type]);
      expect(t.shape).toEqual((jt.shape_signature ?? jt.shape).map((d) => (d < 0 ? null : d)));
      const data = json.buffers[jt.buffer ?? 0].data;
      expect(t.data ? Array.from(t.data) : undefined).toEqual(data);
      const q = jt.quantization;
      if (!q) return expect(t.quant).toBeUndefined();
      expect(t.quant!.scale).toEqual(q.scale.map(Math.fround));
      expect(t.quant!.zeroPoint).toEqual(q.zero_point);
      expect(t.quant!.axis).toBe(q.scale.length > 1 ? (q.quantized_dimension ?? 0) : undefined);
      expect(t.quant!.min).toEqual(q.min?.map(Math.fround));
      expect(t.quant!.max).toEqual(q.max?.map(Math.fround));
    });
  });

  it('operators: op names, edges, options and custom options', () => {
    expect(g.nodes).toHaveLength(sg.operators.length);
    sg.operators.forEach((jo: Record<string, any>, i: number) => {
      const n = g.nodes[i]!;
      const code = json.operator_codes[jo.opcode_index];
      expect(n.op).toBe(`tfl.${code.builtin_code === 'CUSTOM' ? code.custom_code : code.builtin_code}`);
      expect(n.version).toBe(code.version ?? 1);
      expect(n.custom ?? false).toBe(code.builtin_code === 'CUSTOM');
      expect(n.inputs).toEqual(jo.inputs.map((t: number) => (t === -1 ? '' : names[t])));
      expect(n.outputs).toEqual(jo.outputs.map((t: number) => names[t]));
      for (const [k, v] of Object.entries({ ...jo.builtin_options, ...jo.builtin_options_2 })) {
        expect([k, (n.attrs[k] as { value: unknown }).value]).toEqual([k, v]);
      }
      if (jo.custom_options) expect(Array.from(n.attrs.custom_options!.value as Uint8Array)).toEqual(jo.custom_options);
    });
  });
});
