/** TFLite writer: read -> write -> read gives the same IR, on every fixture and on synthetic models. */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type * as flatbuffers from 'flatbuffers';
import type { Graph, Model, Tensor } from '../../ir/types';
import manifest from '../../../fixtures/manifest.json';
import { BuiltinOperator as Op, BuiltinOptions, Model as FbModel, TensorType as TT } from './generated/tflite_generated';
import * as flatbuffersRt from 'flatbuffers';
import { UNIONS } from './generated/schema-info';
import { tfliteFormat } from './index';
import { PER_AXIS_CONV_MODEL, WHILE_MODEL, buildModel, type ModelSpec } from './test-model-builder';
import { writeTflite } from './write';

const read = (bytes: Uint8Array, name = 'model.tflite'): Promise<Model> => tfliteFormat.read([{ name, bytes }]);
const f32 = (v: number[]) => new Uint8Array(new Float32Array(v).buffer);

/** Tensors without their bytes (compared separately, fast), in graph order. */
function tensorFacts(g: Graph): unknown[] {
  return [...g.tensors.entries()].map(([k, t]) => {
    const { data, ...rest } = t;
    return { key: k, ...rest, bytes: data?.length ?? null };
  });
}

function sameBytes(a: Uint8Array | undefined, b: Uint8Array | undefined): boolean {
  if (!a || !b) return a === b;
  return a.length === b.length && Buffer.from(a.buffer, a.byteOffset, a.length).equals(Buffer.from(b.buffer, b.byteOffset, b.length));
}

function expectSameGraphs(a: Model, b: Model): void {
  expect(b.graphs.length).toBe(a.graphs.length);
  a.graphs.forEach((ga, i) => {
    const gb = b.graphs[i]!;
    expect({ name: gb.name, inputs: gb.inputs, outputs: gb.outputs }).toEqual({ name: ga.name, inputs: ga.inputs, outputs: ga.outputs });
    expect(gb.nodes).toEqual(ga.nodes);
    expect(tensorFacts(gb)).toEqual(tensorFacts(ga));
    const differ = [...ga.tensors.values()].filter((t: Tensor) => !sameBytes(t.data, gb.tensors.get(t.name)?.data)).map((t) => t.name);
    expect(differ).toEqual([]);
  });
  expect(b.opsets).toEqual(a.opsets);
}

/** Metadata the writer keeps: all but binary entries (their bytes are not in the IR); a default signature is added. */
function expectSameMetadata(a: Model, b: Model): void {
  const kept = Object.fromEntries(Object.entries(a.metadata).filter(([, v]) => !/^<\d+ bytes of binary data>$/.test(v)));
  if (!Object.keys(a.metadata).some((k) => k.startsWith('signature.'))) {
    const g = a.graphs[0]!;
    kept['signature.serving_default'] = `subgraph 0; inputs: ${g.inputs.join(', ')}; outputs: ${g.outputs.join(', ')}`;
  }
  expect(b.metadata).toEqual(kept);
}

/** Every non-empty buffer's data starts at a multiple of 16 in the file. */
function unalignedBuffers(bytes: Uint8Array): number[] {
  const m = FbModel.getRootAsModel(new flatbuffersRt.ByteBuffer(bytes));
  const bad: number[] = [];
  expect(m.buffers(0)!.dataLength()).toBe(0);
  for (let i = 0; i < m.buffersLength(); i++) {
    const data = m.buffers(i)!.dataArray();
    if (data && data.length > 0 && (data.byteOffset - bytes.byteOffset) % 16 !== 0) bad.push(i);
  }
  return bad;
}

async function roundTrip(bytes: Uint8Array, name: string): Promise<{ a: Model; b: Model; written: Uint8Array }> {
  const a = await read(bytes, name);
  const written = writeTflite(a);
  const b = await read(written, name);
  return { a, b: { ...b, files: a.files }, written };
}

const FILES = [
  ...manifest.models.filter((m) => 'format' in m && m.format === 'tflite' && m.files[0]!.endsWith('.tflite')).map((m) => m.files[0]!),
  'lib/formats/tflite/testdata/quantized.tflite',
];

describe('read -> write -> read on fixture files', () => {
  it.each(FILES)('%s', async (file) => {
    if (!existsSync(file)) {
      if (file.includes('third_party')) throw new Error(`missing fixture ${file}: run node scripts/fetch-models.mjs`);
      throw new Error(`missing ${file}`);
    }
    const { a, b, written } = await roundTrip(new Uint8Array(readFileSync(file)), path.basename(file));
    expectSameGraphs(a, b);
    expectSameMetadata(a, b);
    expect(unalignedBuffers(written)).toEqual([]);
    // Operator codes carry both fields; the byte-sized one saturates at 127.
    const fm = FbModel.getRootAsModel(new flatbuffersRt.ByteBuffer(written));
    for (let i = 0; i < fm.operatorCodesLength(); i++) {
      const oc = fm.operatorCodes(i)!;
      expect(oc.deprecatedBuiltinCode()).toBe(Math.min(oc.builtinCode(), 127));
    }
  });
});

const SYNTHETIC: Record<string, ModelSpec> = {
  'WHILE with cond/body subgraphs': WHILE_MODEL,
  'per-axis int8 conv with min/max': PER_AXIS_CONV_MODEL,
  'sparse, int4, shape_signature, variables, duplicate names, intermediates': {
    opcodes: [{ code: Op.DENSIFY }, { code: Op.FULLY_CONNECTED }],
    buffers: [null, f32([1, 2, 3]), new Uint8Array([0x21, 0x43, 0x65, 0x87]), f32([0, 0])],
    subgraphs: [{
      tensors: [
        { name: 'sp', shape: [2, 4], buffer: 1, sparsity: { traversalOrder: [0, 1], blockMap: [1], dims: [{ dense: 2 }, { segments: [0, 2, 3], indices: [0, 3, 1] }] } },
        { name: 'dense', shape: [2, 4] },
        { name: 'q4', type: TT.INT4, shape: [2, 4], buffer: 2, quant: { scale: [0.5], zeroPoint: [0] } },
        { name: 'x', shapeSignature: [-1, 4], shape: [1, 4] },
        { name: 'x', shape: [1, 2] },
        { name: '', shape: [1, 2] },
        { name: 'state', shape: [2], buffer: 3, isVariable: true },
      ],
      inputs: [3], outputs: [4],
      ops: [{ opcode: 0, inputs: [0], outputs: [1] }, { opcode: 1, inputs: [3, 2, -1], outputs: [4], intermediates: [5] }],
    }],
  },
  'codes above 127, unknown codes, custom ops': {
    opcodes: [{ code: Op.GELU, version: 2 }, { code: 0, deprecated: Op.CONV_2D }, { code: 999 }, { code: Op.CUSTOM, custom: 'MyFancyOp' }],
    buffers: [null],
    subgraphs: [{
      tensors: [{ name: 'a' }, { name: 'b' }, { name: 'c' }, { name: 'd' }, { name: 'e' }],
      inputs: [0], outputs: [4],
      ops: [
        { opcode: 0, inputs: [0], outputs: [1] }, { opcode: 1, inputs: [1], outputs: [2] },
        { opcode: 2, inputs: [2], outputs: [2] }, { opcode: 3, inputs: [2], outputs: [4], custom: new Uint8Array([1, 2, 3, 4, 5]) },
      ],
    }],
  },
  'buffers stored after the flatbuffer': {
    opcodes: [{ code: Op.ADD }],
    buffers: [null, { tail: new Uint8Array(4096).map((_, i) => (i * 7) & 0xff) }, f32([1])],
    subgraphs: [{
      tensors: [{ name: 'w', shape: [1024], buffer: 1 }, { name: 'one', shape: [1], buffer: 2 }, { name: 'y', shape: [1024] }],
      inputs: [], outputs: [2], ops: [{ opcode: 0, inputs: [0, 1], outputs: [2] }],
    }],
  },
  'metadata and signatures': {
    description: 'MLIR Converted.',
    opcodes: [{ code: Op.RELU }],
    buffers: [null, new TextEncoder().encode('1.14.0\0\0\0\0\0\0\0\0\0\0'), new Uint8Array([0, 1, 2, 250, 251])],
    subgraphs: [{ tensors: [{ name: 'in:0' }, { name: 'out, =odd' }], inputs: [0], outputs: [1], ops: [{ opcode: 0, inputs: [0], outputs: [1] }] }],
    metadata: [{ name: 'min_runtime_version', buffer: 1 }, { name: 'blob', buffer: 2 }],
    signatures: [{ key: 'serving_default', subgraph: 0, inputs: [['in', 0]], outputs: [['out', 1]] }],
  },
  // Carried by RELU, an op with no options table of its own: a table then has to be found from
  // the attributes alone. (An op with its own table gets that table: see chooseOptions.)
  'every BuiltinOptions table, empty (all fields at their defaults)': {
    opcodes: [{ code: Op.RELU }], buffers: [null],
    subgraphs: [{
      tensors: UNIONS.BuiltinOptions!.map((_, i) => ({ name: `t${i}` })), inputs: [0], outputs: [UNIONS.BuiltinOptions!.length - 1],
      ops: UNIONS.BuiltinOptions!.slice(1).map((_, i) => ({ opcode: 0, inputs: [i], outputs: [i + 1], options: {
        type: (i + 1) as BuiltinOptions,
        build: (b: flatbuffers.Builder) => { b.startObject(0); return b.endObject(); },
      } })),
    }],
  },
};

describe('read -> write -> read on synthetic models', () => {
  it.each(Object.entries(SYNTHETIC))('%s', async (_name, spec) => {
    const { a, b, written } = await roundTrip(buildModel(spec), 'synthetic.tflite');
    expectSameGraphs(a, b);
    expectSameMetadata(a, b);
    expect(unalignedBuffers(written)).toEqual([]);
  });

  it('non-default option values of every table survive (each scalar field set to a distinct value)', async () => {
    // Builds attrs directly: every scalar field of every options table gets a non-default value.
    const a = await read(buildModel(SYNTHETIC['every BuiltinOptions table, empty (all fields at their defaults)']!));
    const g = a.graphs[0]!;
    let k = 2;
    for (const n of g.nodes) {
      for (const [key, v] of Object.entries(n.attrs)) {
        if (v.kind === 'int') v.value = k++ % 100 + 2;
        else if (v.kind === 'float') v.value = (k++ % 100) / 8;
        else if (v.kind === 'bool') v.value = !v.value;
        else if (v.kind === 'subgraph') v.value = 0;
        else if (v.kind === 'string' && key === 'fused_activation_function') v.value = 'RELU6';
      }
    }
    const b = await read(writeTflite(a));
    expect(b.graphs[0]!.nodes).toEqual(g.nodes);
  });
});

describe('writer errors and conventions', () => {
  it('writes ADD with only a fused activation as AddOptions, not a look-alike table', async () => {
    const m = await read(buildModel(SYNTHETIC['every BuiltinOptions table, empty (all fields at their defaults)']!));
    const g = m.graphs[0]!;
    g.nodes = [{ name: 'add', op: 'tfl.ADD', inputs: [g.inputs[0]!, g.inputs[0]!], outputs: [g.outputs[0]!], attrs: { fused_activation_function: { kind: 'string', value: 'RELU' } } }];
    const back = (await read(writeTflite(m))).graphs[0]!.nodes[0]!;
    expect(back.attrs.fused_activation_function).toEqual({ kind: 'string', value: 'RELU' });
    expect(back.attrs).toHaveProperty('pot_scale_int16');
  });

  const base = async () => read(buildModel(SYNTHETIC['per-axis int8 conv with min/max']!));

  it('rejects a node whose op is not tfl.*, naming it', async () => {
    const m = await base();
    m.graphs[0]!.nodes[0]!.op = 'onnx.Conv';
    expect(() => writeTflite(m)).toThrow(/node y .*onnx\.Conv, not a tfl\.\* op/);
  });

  it('rejects attributes that fit no options table, naming the node', async () => {
    const m = await base();
    m.graphs[0]!.nodes[0]!.attrs.bogus = { kind: 'int', value: 1 };
    expect(() => writeTflite(m)).toThrow(/node y \(tfl\.CONV_2D\): attributes .*bogus.* match no TFLite options table \(expected the fields of Conv2DOptions\)/);
  });

  it('writes a converter-style node with only some options (defaults fill the rest)', async () => {
    const m = await base();
    m.graphs[0]!.nodes[0]!.attrs = { padding: { kind: 'string', value: 'SAME' }, stride_w: { kind: 'int', value: 1 }, stride_h: { kind: 'int', value: 1 } };
    const attrs = (await read(writeTflite(m))).graphs[0]!.nodes[0]!.attrs;
    expect(attrs.padding).toEqual({ kind: 'string', value: 'SAME' });
    expect(attrs.fused_activation_function).toEqual({ kind: 'string', value: 'NONE' });
    expect(attrs.dilation_w_factor).toEqual({ kind: 'int', value: 1 });
  });

  it('static shapes: unknown dims become 1 in shape and -1 in shape_signature only', async () => {
    const m = await base();
    m.graphs[0]!.tensors.get('x')!.shape = [null, 4, 4, 1];
    const bytes = writeTflite(m);
    const t = FbModel.getRootAsModel(new flatbuffersRt.ByteBuffer(bytes)).subgraphs(0)!;
    const byName = (n: string) => Array.from({ length: t.tensorsLength() }, (_, i) => t.tensors(i)!).find((x) => x.name() === n)!;
    expect(Array.from(byName('x').shapeArray()!)).toEqual([1, 4, 4, 1]);
    expect(Array.from(byName('x').shapeSignatureArray()!)).toEqual([-1, 4, 4, 1]);
    expect(byName('y').shapeSignatureLength()).toBe(0);
  });

  it('adds a serving_default signature over the graph inputs/outputs when the model has none', async () => {
    const m = await base();
    const fm = FbModel.getRootAsModel(new flatbuffersRt.ByteBuffer(writeTflite(m)));
    const s = fm.signatureDefs(0)!;
    expect(fm.signatureDefsLength()).toBe(1);
    expect(s.signatureKey()).toBe('serving_default');
    expect([s.inputs(0)!.name(), s.inputs(0)!.tensorIndex(), s.outputs(0)!.name(), s.outputs(0)!.tensorIndex()]).toEqual(['x', 0, 'y', 3]);
  });
});
