/**
 * Builds small .tflite files from a plain description with the flatbuffers Builder and the
 * flatc-generated bindings, so tests can craft exactly the structures they need (multi-subgraph
 * WHILE, per-axis int8, sparse, int4, large-model buffers stored after the flatbuffer...).
 * Test support only; the app never imports it.
 */
import * as flatbuffers from 'flatbuffers';
import {
  ActivationFunctionType, Buffer as FbBuffer, BuiltinOperator, BuiltinOptions, Conv2DOptions, DimensionMetadata,
  Int32Vector, Metadata, Model, Operator, OperatorCode, Padding, QuantizationParameters, SignatureDef,
  SparseIndexVector, SparsityParameters, SubGraph, Tensor as FbTensor, TensorMap, TensorType, WhileOptions,
} from './generated/tflite_generated';

export interface TensorSpec {
  name?: string;
  type?: TensorType;
  shape?: number[];
  shapeSignature?: number[];
  buffer?: number;
  isVariable?: boolean;
  quant?: { scale?: number[]; zeroPoint?: number[]; axis?: number; min?: number[]; max?: number[] };
  sparsity?: {
    traversalOrder: number[];
    blockMap?: number[];
    dims: Array<{ dense: number } | { segments: number[]; indices: number[] }>;
  };
}

export interface OpSpec {
  opcode: number;
  inputs: number[];
  outputs: number[];
  options?: { type: BuiltinOptions; build: (b: flatbuffers.Builder) => flatbuffers.Offset };
  custom?: Uint8Array;
  intermediates?: number[];
}

export interface SubgraphSpec {
  name?: string;
  tensors: TensorSpec[];
  inputs: number[];
  outputs: number[];
  ops: OpSpec[];
}

/** A buffer inline (`data`), empty (null), or stored after the flatbuffer (`tail`, bytes to append). */
export type BufferSpec = Uint8Array | null | { tail: Uint8Array };

export interface ModelSpec {
  version?: number;
  description?: string;
  /** `deprecated` defaults to min(code, 127), as current converters write it. */
  opcodes: Array<{ code: number; custom?: string; version?: number; deprecated?: number }>;
  buffers: BufferSpec[];
  subgraphs: SubgraphSpec[];
  metadata?: Array<{ name: string; buffer: number }>;
  signatures?: Array<{ key: string; subgraph: number; inputs: Array<[string, number]>; outputs: Array<[string, number]> }>;
}

const PLACEHOLDER = 1n << 40n;

function build(spec: ModelSpec, tailOffsets: bigint[] | null): Uint8Array {
  const b = new flatbuffers.Builder(1024);
  const ints = (v: number[]) => {
    b.startVector(4, v.length, 4);
    for (let i = v.length - 1; i >= 0; i--) b.addInt32(v[i]!);
    return b.endVector();
  };
  const tables = (v: flatbuffers.Offset[]) => {
    b.startVector(4, v.length, 4);
    for (let i = v.length - 1; i >= 0; i--) b.addOffset(v[i]!);
    return b.endVector();
  };

  let tailIndex = 0;
  const buffers = spec.buffers.map((buf) => {
    if (buf === null) return FbBuffer.createBuffer(b, 0, 0n, 0n);
    if (buf instanceof Uint8Array) {
      b.startVector(1, buf.length, 16);
      for (let i = buf.length - 1; i >= 0; i--) b.addInt8(buf[i]!);
      const data = b.endVector();
      return FbBuffer.createBuffer(b, data, 0n, 0n);
    }
    const offset = tailOffsets ? tailOffsets[tailIndex++]! : PLACEHOLDER;
    return FbBuffer.createBuffer(b, 0, offset, BigInt(buf.tail.length));
  });

  const opcodes = spec.opcodes.map((oc) => {
    const custom = oc.custom !== undefined ? b.createString(oc.custom) : 0;
    return OperatorCode.createOperatorCode(b, oc.deprecated ?? Math.min(oc.code, 127), custom, oc.version ?? 1, oc.code);
  });

  const subgraphs = spec.subgraphs.map((sg) => {
    const tensors = sg.tensors.map((t) => {
      const name = b.createString(t.name ?? '');
      const shape = ints(t.shape ?? []);
      const sig = t.shapeSignature ? ints(t.shapeSignature) : 0;
      let quant = 0;
      if (t.quant) {
        const q = t.quant;
        const f32 = (v?: number[]) => (v ? QuantizationParameters.createScaleVector(b, v) : 0);
        quant = QuantizationParameters.createQuantizationParameters(
          b, f32(q.min), f32(q.max), f32(q.scale),
          q.zeroPoint ? QuantizationParameters.createZeroPointVector(b, q.zeroPoint.map(BigInt)) : 0,
          0, 0, q.axis ?? 0);
      }
      let sparsity = 0;
      if (t.sparsity) {
        const dims = t.sparsity.dims.map((d) => {
          if ('dense' in d) return DimensionMetadata.createDimensionMetadata(b, 0, d.dense, 0, 0, 0, 0);
          const seg = Int32Vector.createInt32Vector(b, Int32Vector.createValuesVector(b, d.segments));
          const idx = Int32Vector.createInt32Vector(b, Int32Vector.createValuesVector(b, d.indices));
          return DimensionMetadata.createDimensionMetadata(b, 1, 0, SparseIndexVector.Int32Vector, seg, SparseIndexVector.Int32Vector, idx);
        });
        sparsity = SparsityParameters.createSparsityParameters(
          b, ints(t.sparsity.traversalOrder), t.sparsity.blockMap ? ints(t.sparsity.blockMap) : 0, tables(dims));
      }
      FbTensor.startTensor(b);
      FbTensor.addShape(b, shape);
      FbTensor.addType(b, t.type ?? TensorType.FLOAT32);
      FbTensor.addBuffer(b, t.buffer ?? 0);
      FbTensor.addName(b, name);
      if (quant) FbTensor.addQuantization(b, quant);
      if (t.isVariable) FbTensor.addIsVariable(b, true);
      if (sparsity) FbTensor.addSparsity(b, sparsity);
      if (sig) FbTensor.addShapeSignature(b, sig);
      return FbTensor.endTensor(b);
    });
    const ops = sg.ops.map((op) => {
      const options = op.options ? op.options.build(b) : 0;
      const inputs = ints(op.inputs);
      const outputs = ints(op.outputs);
      const custom = op.custom ? Operator.createCustomOptionsVector(b, op.custom) : 0;
      const inter = op.intermediates ? ints(op.intermediates) : 0;
      Operator.startOperator(b);
      Operator.addOpcodeIndex(b, op.opcode);
      Operator.addInputs(b, inputs);
      Operator.addOutputs(b, outputs);
      if (op.options) {
        Operator.addBuiltinOptionsType(b, op.options.type);
        Operator.addBuiltinOptions(b, options);
      }
      if (custom) Operator.addCustomOptions(b, custom);
      if (inter) Operator.addIntermediates(b, inter);
      return Operator.endOperator(b);
    });
    const name = b.createString(sg.name ?? '');
    return SubGraph.createSubGraph(b, tables(tensors), ints(sg.inputs), ints(sg.outputs), tables(ops), name);
  });

  const metadata = (spec.metadata ?? []).map((m) => Metadata.createMetadata(b, b.createString(m.name), m.buffer));
  const signatures = (spec.signatures ?? []).map((s) => {
    const maps = (list: Array<[string, number]>) =>
      tables(list.map(([n, i]) => TensorMap.createTensorMap(b, b.createString(n), i)));
    const inputs = maps(s.inputs);
    const outputs = maps(s.outputs);
    const key = b.createString(s.key);
    SignatureDef.startSignatureDef(b);
    SignatureDef.addInputs(b, inputs);
    SignatureDef.addOutputs(b, outputs);
    SignatureDef.addSignatureKey(b, key);
    SignatureDef.addSubgraphIndex(b, s.subgraph);
    return SignatureDef.endSignatureDef(b);
  });

  const opcodesVec = tables(opcodes);
  const subgraphsVec = tables(subgraphs);
  const description = b.createString(spec.description ?? 'synthetic');
  const buffersVec = tables(buffers);
  const metadataVec = metadata.length ? tables(metadata) : 0;
  const signaturesVec = signatures.length ? tables(signatures) : 0;
  Model.startModel(b);
  Model.addVersion(b, spec.version ?? 3);
  Model.addOperatorCodes(b, opcodesVec);
  Model.addSubgraphs(b, subgraphsVec);
  Model.addDescription(b, description);
  Model.addBuffers(b, buffersVec);
  if (metadataVec) Model.addMetadata(b, metadataVec);
  if (signaturesVec) Model.addSignatureDefs(b, signaturesVec);
  b.finish(Model.endModel(b), 'TFL3');
  return b.asUint8Array();
}

/** The .tflite bytes; `tail` buffers are appended after the flatbuffer, 16-byte aligned. */
export function buildModel(spec: ModelSpec): Uint8Array {
  const tails = spec.buffers.filter((x): x is { tail: Uint8Array } => x !== null && !(x instanceof Uint8Array));
  if (tails.length === 0) return build(spec, null);
  // Offsets are file positions, known only once the flatbuffer's size is: build, measure, rebuild
  // (the ulong fields keep their size, so the second build has the same length).
  const size = build(spec, null).length;
  const offsets: bigint[] = [];
  let pos = Math.ceil(size / 16) * 16;
  for (const t of tails) {
    offsets.push(BigInt(pos));
    pos = Math.ceil((pos + t.tail.length) / 16) * 16;
  }
  const head = build(spec, offsets);
  if (head.length !== size) throw new Error('flatbuffer size changed between builds');
  const out = new Uint8Array(pos);
  out.set(head);
  tails.forEach((t, i) => out.set(t.tail, Number(offsets[i])));
  return out;
}

const scalar = (name: string, type = TensorType.INT32): TensorSpec => ({ name, type, shape: [] });

/** A WHILE loop: subgraph 0 calls cond (1: i < 10) and body (2: i + 1). */
export const WHILE_MODEL: ModelSpec = {
  opcodes: [{ code: BuiltinOperator.WHILE }, { code: BuiltinOperator.LESS }, { code: BuiltinOperator.ADD }],
  buffers: [null, new Uint8Array(new Int32Array([10]).buffer), new Uint8Array(new Int32Array([1]).buffer)],
  subgraphs: [
    { name: 'main', tensors: [scalar('i'), scalar('i_out')], inputs: [0], outputs: [1],
      ops: [{ opcode: 0, inputs: [0], outputs: [1], options: { type: BuiltinOptions.WhileOptions, build: (b) => WhileOptions.createWhileOptions(b, 1, 2) } }] },
    { name: 'cond', tensors: [scalar('i'), { ...scalar('limit'), buffer: 1 }, scalar('keep_going', TensorType.BOOL)], inputs: [0], outputs: [2],
      ops: [{ opcode: 1, inputs: [0, 1], outputs: [2] }] },
    { name: 'body', tensors: [scalar('i'), { ...scalar('one'), buffer: 2 }, scalar('next')], inputs: [0], outputs: [2],
      ops: [{ opcode: 2, inputs: [0, 1], outputs: [2] }] },
  ],
};

/** An int8 CONV_2D (version 3) with per-axis weight and bias scales and min/max on the input. */
export const PER_AXIS_CONV_MODEL: ModelSpec = {
  opcodes: [{ code: BuiltinOperator.CONV_2D, version: 3 }],
  // weights: [2 out channels, 1, 2, 2]
  buffers: [null, new Uint8Array(new Int8Array([1, -2, 3, -4, 5, -6, 7, -8]).buffer), new Uint8Array(new Int32Array([100, -100]).buffer)],
  subgraphs: [{
    tensors: [
      { name: 'x', type: TensorType.INT8, shape: [1, 4, 4, 1], quant: { scale: [0.5], zeroPoint: [-3], min: [-62], max: [65] } },
      { name: 'w', type: TensorType.INT8, shape: [2, 1, 2, 2], buffer: 1, quant: { scale: [0.25, 2], zeroPoint: [0, 0], axis: 0 } },
      { name: 'b', type: TensorType.INT32, shape: [2], buffer: 2, quant: { scale: [0.125, 1], zeroPoint: [0, 0] } },
      { name: 'y', type: TensorType.INT8, shape: [1, 2, 2, 2], quant: { scale: [0.1], zeroPoint: [7] } },
    ],
    inputs: [0], outputs: [3],
    ops: [{ opcode: 0, inputs: [0, 1, 2], outputs: [3], options: {
      type: BuiltinOptions.Conv2DOptions,
      build: (b) => Conv2DOptions.createConv2DOptions(b, Padding.VALID, 2, 3, ActivationFunctionType.RELU6, 1, 2, TensorType.INT32),
    } }],
  }],
};
