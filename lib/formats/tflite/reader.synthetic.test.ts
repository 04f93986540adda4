/** The reader on small models built with the flatbuffers Builder and the flatc-generated bindings. */
import type * as flatbuffers from 'flatbuffers';
import { describe, expect, it } from 'vitest';
import type { Model } from '../../ir/types';
import { tensorFloats } from '../../ir/values';
import {
  ActivationFunctionType as Act, BatchMatMulOptions, BuiltinOperator as Op, BuiltinOptions, CallOnceOptions,
  CastOptions, ConcatenationOptions, DepthwiseConv2DOptions, FullyConnectedOptions,
  FullyConnectedOptionsWeightsFormat, GatherOptions, IfOptions, LeakyReluOptions, Padding, Pool2DOptions,
  ReducerOptions, ReshapeOptions, ResizeBilinearOptions, SoftmaxOptions, SqueezeOptions, StridedSliceOptions,
  TensorType as TT, TransposeConvOptions,
} from './generated/tflite_generated';
import { TABLES, UNIONS } from './generated/schema-info';
import { tfliteFormat } from './index';
import { PER_AXIS_CONV_MODEL, WHILE_MODEL, buildModel } from './test-model-builder';

const read = (bytes: Uint8Array): Promise<Model> => tfliteFormat.read([{ name: 'synthetic.tflite', bytes }]);
const f32 = (v: number[]) => new Uint8Array(new Float32Array(v).buffer);

describe('synthetic TFLite models', () => {
  it('multi-subgraph WHILE: one IR graph per subgraph, subgraph attrs, names from outputs', async () => {
    const bytes = buildModel(WHILE_MODEL);
    const m = await read(bytes);
    expect(m.graphs.map((g) => g.name)).toEqual(['main', 'cond', 'body']);
    const w = m.graphs[0]!.nodes[0]!;
    expect(w).toMatchObject({ name: 'i_out', op: 'tfl.WHILE', inputs: ['i'], outputs: ['i_out'], version: 1 });
    expect(w.attrs.cond_subgraph_index).toEqual({ kind: 'subgraph', value: 1 });
    expect(w.attrs.body_subgraph_index).toEqual({ kind: 'subgraph', value: 2 });
    expect(m.graphs[1]!.nodes[0]!.op).toBe('tfl.LESS');
    expect(m.graphs[1]!.inputs).toEqual(['i']); // the constant limit is not an input
    expect(m.graphs[1]!.tensors.get('limit')!.isConstant).toBe(true);
    expect(m.graphs[2]!.tensors.get('keep_going')).toBeUndefined();
    expect(m.graphs[1]!.tensors.get('keep_going')!.dtype).toBe('bool');
  });

  it('per-axis int8 conv: quantization, options, dequantized weights', async () => {
    const bytes = buildModel(PER_AXIS_CONV_MODEL);
    const m = await read(bytes);
    const g = m.graphs[0]!;
    const conv = g.nodes[0]!;
    expect(conv.version).toBe(3);
    expect(conv.attrs).toEqual({
      padding: { kind: 'string', value: 'VALID' },
      stride_w: { kind: 'int', value: 2 },
      stride_h: { kind: 'int', value: 3 },
      fused_activation_function: { kind: 'string', value: 'RELU6' },
      dilation_w_factor: { kind: 'int', value: 1 },
      dilation_h_factor: { kind: 'int', value: 2 },
      quantized_bias_type: { kind: 'string', value: 'INT32' },
    });
    expect(g.tensors.get('x')!.quant).toEqual({ scale: [0.5], zeroPoint: [-3], min: [-62], max: [65] });
    const w = g.tensors.get('w')!;
    expect(w.quant).toEqual({ scale: [0.25, 2], zeroPoint: [0, 0], axis: 0 });
    expect(Array.from(tensorFloats(w)!)).toEqual([0.25, -0.5, 0.75, -1, 10, -12, 14, -16]);
    expect(g.tensors.get('b')!.quant!.axis).toBe(0);
    expect(Array.from(tensorFloats(g.tensors.get('b')!)!)).toEqual([12.5, -100]);
    expect(g.tensors.get('y')!.quant!.axis).toBeUndefined();
  });

  it('sparse, int4, shape_signature, variables, duplicate and empty names', async () => {
    const bytes = buildModel({
      opcodes: [{ code: Op.DENSIFY }, { code: Op.FULLY_CONNECTED }],
      buffers: [null, f32([1, 2, 3]), new Uint8Array([0x21, 0x43, 0x65, 0x87]), f32([0, 0])],
      subgraphs: [{
        tensors: [
          { name: 'sp', shape: [2, 4], buffer: 1, sparsity: {
            traversalOrder: [0, 1], dims: [{ dense: 2 }, { segments: [0, 2, 3], indices: [0, 3, 1] }],
          } },
          { name: 'dense', shape: [2, 4] },
          { name: 'q4', type: TT.INT4, shape: [2, 4], buffer: 2, quant: { scale: [0.5], zeroPoint: [0] } },
          { name: 'x', shapeSignature: [-1, 4], shape: [1, 4] },
          { name: 'x', shape: [1, 2] }, // duplicate name
          { name: '', shape: [1, 2] }, // no name
          { name: 'state', shape: [2], buffer: 3, isVariable: true },
        ],
        inputs: [3], outputs: [4],
        ops: [
          { opcode: 0, inputs: [0], outputs: [1] },
          { opcode: 1, inputs: [3, 2, -1], outputs: [4], intermediates: [5] },
        ],
      }],
    });
    const g = (await read(bytes)).graphs[0]!;
    expect(g.tensors.get('sp')!.sparsity).toEqual({
      traversalOrder: [0, 1], blockMap: [],
      dimMetadata: [{ format: 'dense', denseSize: 2 }, { format: 'sparse', segments: [0, 2, 3], indices: [0, 3, 1] }],
    });
    const q4 = g.tensors.get('q4')!;
    expect(q4.dtype).toBe('int4');
    expect(Array.from(q4.data!)).toEqual([0x21, 0x43, 0x65, 0x87]);
    expect(g.tensors.get('x')!.shape).toEqual([null, 4]);
    const names = [...g.tensors.keys()];
    expect(new Set(names).size).toBe(7);
    expect(names[4]).not.toBe('x');
    expect(names[5]).toBe('tensor_5');
    const fc = g.nodes[1]!;
    expect(fc.inputs).toEqual(['x', 'q4', '']); // -1 = omitted optional input
    expect(fc.outputs).toEqual([names[4]]);
    expect(fc.attrs.intermediates).toEqual({ kind: 'strings', value: ['tensor_5'] });
    const state = g.tensors.get('state')!;
    expect(state.isConstant).toBeUndefined();
    expect(state.data).toHaveLength(8);
  });

  it('opcodes: max(deprecated, builtin), codes above 127, unknown codes, custom ops', async () => {
    const custom = new Uint8Array([1, 2, 3, 4, 5]);
    const bytes = buildModel({
      opcodes: [
        { code: Op.GELU, version: 2 }, // deprecated = 127
        { code: 0, deprecated: Op.CONV_2D }, // old writer: only the byte-sized code
        { code: 999 },
        { code: Op.CUSTOM, custom: 'MyFancyOp' },
      ],
      buffers: [null],
      subgraphs: [{
        tensors: [{ name: 'a' }, { name: 'b' }, { name: 'c' }, { name: 'd' }, { name: 'e' }],
        inputs: [0], outputs: [4],
        ops: [
          { opcode: 0, inputs: [0], outputs: [1] },
          { opcode: 1, inputs: [1], outputs: [2] },
          { opcode: 2, inputs: [2], outputs: [2] }, // writes a tensor already produced: name falls back
          { opcode: 3, inputs: [2], outputs: [4], custom },
        ],
      }],
    });
    const g = (await read(bytes)).graphs[0]!;
    expect(g.nodes.map((n) => n.op)).toEqual(['tfl.GELU', 'tfl.CONV_2D', 'tfl.UNKNOWN_999', 'tfl.MyFancyOp']);
    expect(g.nodes[0]!.version).toBe(2);
    expect(g.nodes[2]!.name).toBe('UNKNOWN_999_2');
    const c = g.nodes[3]!;
    expect(c.custom).toBe(true);
    expect(c.attrs.custom_options?.kind).toBe('bytes');
    const opts = c.attrs.custom_options!.value as Uint8Array;
    expect(Array.from(opts)).toEqual([1, 2, 3, 4, 5]);
    expect(opts.buffer).toBe(bytes.buffer);
  });

  it('buffers stored after the flatbuffer (offset/size from the file start) are views', async () => {
    const big = new Uint8Array(4096).map((_, i) => (i * 7) & 0xff);
    const bytes = buildModel({
      opcodes: [{ code: Op.ADD }],
      buffers: [null, { tail: big }, f32([1])],
      subgraphs: [{
        tensors: [{ name: 'w', shape: [1024], buffer: 1 }, { name: 'one', shape: [1], buffer: 2 }, { name: 'y', shape: [1024] }],
        inputs: [], outputs: [2], ops: [{ opcode: 0, inputs: [0, 1], outputs: [2] }],
      }],
    });
    const g = (await read(bytes)).graphs[0]!;
    const w = g.tensors.get('w')!;
    expect(w.isConstant).toBe(true);
    expect(w.data!.buffer).toBe(bytes.buffer);
    expect(Array.from(w.data!)).toEqual(Array.from(big));
    expect(g.inputs).toEqual([]);
  });

  it('metadata, signatures and schema version', async () => {
    const text = new TextEncoder().encode('1.14.0\0\0\0\0\0\0\0\0\0\0');
    const bytes = buildModel({
      description: 'MLIR Converted.',
      opcodes: [{ code: Op.RELU }],
      buffers: [null, text, new Uint8Array([0, 1, 2, 250, 251])],
      subgraphs: [{ tensors: [{ name: 'in:0' }, { name: 'out:0' }], inputs: [0], outputs: [1], ops: [{ opcode: 0, inputs: [0], outputs: [1] }] }],
      metadata: [{ name: 'min_runtime_version', buffer: 1 }, { name: 'blob', buffer: 2 }],
      signatures: [{ key: 'serving_default', subgraph: 0, inputs: [['in', 0]], outputs: [['out', 1]] }],
    });
    const m = await read(bytes);
    expect(m.opsets).toEqual({ tflite: 3 });
    expect(m.metadata.description).toBe('MLIR Converted.');
    expect(m.metadata.min_runtime_version).toBe('1.14.0');
    expect(m.metadata.blob).toBe('<5 bytes of binary data>');
    expect(m.metadata['signature.serving_default']).toBe('subgraph 0; inputs: in=in:0; outputs: out=out:0');
    expect(m.files).toEqual([{ name: 'synthetic.tflite', bytes: bytes.length }]);
  });
});

describe('builtin options -> attrs', () => {
  type Case = [BuiltinOptions, (b: flatbuffers.Builder) => flatbuffers.Offset, Record<string, unknown>];
  const cases: Case[] = [
    [BuiltinOptions.DepthwiseConv2DOptions, (b) => DepthwiseConv2DOptions.createDepthwiseConv2DOptions(b, Padding.SAME, 1, 1, 2, Act.RELU, 1, 1),
      { padding: 'SAME', depth_multiplier: 2, fused_activation_function: 'RELU', dilation_w_factor: 1 }],
    [BuiltinOptions.Pool2DOptions, (b) => Pool2DOptions.createPool2DOptions(b, Padding.VALID, 2, 2, 3, 3, Act.NONE),
      { padding: 'VALID', stride_w: 2, filter_width: 3, filter_height: 3 }],
    [BuiltinOptions.FullyConnectedOptions, (b) => FullyConnectedOptions.createFullyConnectedOptions(b, Act.TANH, FullyConnectedOptionsWeightsFormat.SHUFFLED4x16INT8, true, false, TT.FLOAT32),
      { fused_activation_function: 'TANH', weights_format: 'SHUFFLED4x16INT8', keep_num_dims: true }],
    [BuiltinOptions.SoftmaxOptions, (b) => SoftmaxOptions.createSoftmaxOptions(b, 0.7), { beta: 0.7 }],
    [BuiltinOptions.ConcatenationOptions, (b) => ConcatenationOptions.createConcatenationOptions(b, -1, Act.NONE), { axis: -1 }],
    [BuiltinOptions.ReshapeOptions, (b) => ReshapeOptions.createReshapeOptions(b, ReshapeOptions.createNewShapeVector(b, [1, -1])), { new_shape: [1, -1] }],
    [BuiltinOptions.ResizeBilinearOptions, (b) => ResizeBilinearOptions.createResizeBilinearOptions(b, false, true),
      { align_corners: false, half_pixel_centers: true }],
    [BuiltinOptions.StridedSliceOptions, (b) => StridedSliceOptions.createStridedSliceOptions(b, 1, 2, 0, 0, 4, true),
      { begin_mask: 1, end_mask: 2, shrink_axis_mask: 4, offset: true }],
    [BuiltinOptions.GatherOptions, (b) => GatherOptions.createGatherOptions(b, 1, 0), { axis: 1, batch_dims: 0 }],
    [BuiltinOptions.LeakyReluOptions, (b) => LeakyReluOptions.createLeakyReluOptions(b, 0.1), { alpha: 0.1 }],
    [BuiltinOptions.SqueezeOptions, (b) => SqueezeOptions.createSqueezeOptions(b, SqueezeOptions.createSqueezeDimsVector(b, [1, 2])), { squeeze_dims: [1, 2] }],
    [BuiltinOptions.CastOptions, (b) => CastOptions.createCastOptions(b, TT.FLOAT16, TT.BFLOAT16), { in_data_type: 'FLOAT16', out_data_type: 'BFLOAT16' }],
    [BuiltinOptions.TransposeConvOptions, (b) => TransposeConvOptions.createTransposeConvOptions(b, Padding.SAME, 2, 2, Act.RELU, TT.INT64),
      { stride_h: 2, fused_activation_function: 'RELU', quantized_bias_type: 'INT64' }],
    [BuiltinOptions.BatchMatMulOptions, (b) => BatchMatMulOptions.createBatchMatMulOptions(b, false, true, false), { adj_x: false, adj_y: true }],
    [BuiltinOptions.ReducerOptions, (b) => ReducerOptions.createReducerOptions(b, true), { keep_dims: true }],
  ];

  it.each(cases.map((c) => [UNIONS.BuiltinOptions![c[0]]!, c] as const))('%s', async (_name, [type, build, expected]) => {
    const bytes = buildModel({
      opcodes: [{ code: Op.ADD }], buffers: [null],
      subgraphs: [{ tensors: [{ name: 'a' }, { name: 'b' }], inputs: [0], outputs: [1], ops: [{ opcode: 0, inputs: [0], outputs: [1], options: { type, build } }] }],
    });
    const attrs = (await read(bytes)).graphs[0]!.nodes[0]!.attrs;
    for (const [k, v] of Object.entries(expected)) expect([k, (attrs[k] as { value: unknown } | undefined)?.value]).toEqual([k, v]);
  });

  it('IF / CALL_ONCE subgraph indices become subgraph refs and are range-checked', async () => {
    const model = (opts: Case[0], build: Case[1], subgraphs: number) => buildModel({
      opcodes: [{ code: Op.IF }], buffers: [null],
      subgraphs: Array.from({ length: subgraphs }, () => ({
        tensors: [{ name: 'a' }, { name: 'b' }], inputs: [0], outputs: [1],
        ops: [{ opcode: 0, inputs: [0], outputs: [1], options: { type: opts, build } }],
      })),
    });
    const m = await read(model(BuiltinOptions.IfOptions, (b) => IfOptions.createIfOptions(b, 1, 2), 3));
    expect(m.graphs[0]!.nodes[0]!.attrs.then_subgraph_index).toEqual({ kind: 'subgraph', value: 1 });
    expect(m.graphs[0]!.nodes[0]!.attrs.else_subgraph_index).toEqual({ kind: 'subgraph', value: 2 });
    const c = await read(model(BuiltinOptions.CallOnceOptions, (b) => CallOnceOptions.createCallOnceOptions(b, 1), 2));
    expect(c.graphs[0]!.nodes[0]!.attrs.init_subgraph_index).toEqual({ kind: 'subgraph', value: 1 });
    await expect(read(model(BuiltinOptions.IfOptions, (b) => IfOptions.createIfOptions(b, 1, 5), 2)))
      .rejects.toThrow(/refers to subgraph 5 in else_subgraph_index but the model has 2 subgraphs/);
  });

  it('every BuiltinOptions table, empty, gives each schema field with its default', async () => {
    const members = UNIONS.BuiltinOptions!;
    const bytes = buildModel({
      opcodes: [{ code: Op.ADD }], buffers: [null],
      subgraphs: [{
        tensors: members.map((_, i) => ({ name: `t${i}` })), inputs: [0], outputs: [members.length - 1],
        ops: members.slice(1).map((_, i) => ({ opcode: 0, inputs: [i], outputs: [i + 1], options: {
          type: (i + 1) as BuiltinOptions,
          build: (b: flatbuffers.Builder) => { b.startObject(0); return b.endObject(); },
        } })),
      }],
    });
    const nodes = (await read(bytes)).graphs[0]!.nodes;
    expect(nodes).toHaveLength(members.length - 1);
    nodes.forEach((n, i) => {
      const fields = TABLES[members[i + 1]!]!.filter((f) => !f.vector && f.kind !== 'string');
      expect(Object.keys(n.attrs).sort()).toEqual(fields.map((f) => f.name).sort());
    });
    const byTable = (name: string) => nodes[members.indexOf(name) - 1]!.attrs;
    expect(byTable('AddOptions').pot_scale_int16).toEqual({ kind: 'bool', value: true });
    expect(byTable('BidirectionalSequenceLSTMOptions').time_major).toEqual({ kind: 'bool', value: true });
    expect(byTable('UniqueOptions').idx_out_type).toEqual({ kind: 'string', value: 'INT32' });
    expect(byTable('Conv2DOptions').dilation_h_factor).toEqual({ kind: 'int', value: 1 });
    expect(byTable('LSTMOptions').kernel_type).toEqual({ kind: 'string', value: 'FULL' });
    expect(byTable('CallOptions').subgraph).toEqual({ kind: 'subgraph', value: 0 });
  });
});

