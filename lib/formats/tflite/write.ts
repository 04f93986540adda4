/**
 * IR Model (dialect `tfl`) -> .tflite flatbuffer bytes, the inverse of read.ts.
 *
 * What real runtimes need, and why it is done here:
 * - buffer 0 is the empty sentinel; every constant gets its own buffer (tensors sharing one
 *   Uint8Array share a buffer), its bytes 16-byte aligned (XNNPACK and mmap users want aligned
 *   weights; flatc's generators ignore `force_align`, so the vectors are aligned by hand);
 * - each operator code sets `builtin_code` and `deprecated_builtin_code = min(code, 127)`
 *   (127 = PLACEHOLDER_FOR_GREATER_OP_CODES): old runtimes (Arm NN) read only the byte field;
 * - shapes are static: `shape` has 1 where the IR has an unknown dim, and `shape_signature`
 *   (-1 there) is written only when a dim is unknown, as the converter does;
 * - a 'serving_default' signature def maps graph 0's inputs/outputs when the model has none.
 * Models over 2 GB (buffers after the flatbuffer) are not written.
 */
import * as flatbuffers from 'flatbuffers';
import type { DType, Graph, Model, Node, Quantization, Sparsity, Tensor } from '../../ir/types';
import { ENUMS } from './generated/schema-info';
import {
  Buffer as FbBuffer, DimensionMetadata, Int32Vector, Metadata, Model as FbModel, Operator, OperatorCode,
  QuantizationParameters, SignatureDef, SparseIndexVector, SparsityParameters, SubGraph, Tensor as FbTensor,
  TensorMap, Uint16Vector, Uint8Vector,
} from './generated/tflite_generated';
import { dtypeOf } from './tensors';
import { metadataSpec, type SignatureSpec } from './write/metadata';
import { writtenOpVersion } from './write/op-version';
import { chooseOptions, writeOptions } from './write/options';

const CUSTOM = 32;
const PLACEHOLDER_FOR_GREATER_OP_CODES = 127;
const BUFFER_ALIGN = 16;

type Offset = flatbuffers.Offset;

function invert(values: Record<number, string>): Map<string, number> {
  return new Map(Object.entries(values).map(([k, v]) => [v, Number(k)]));
}

const BUILTIN_CODES = invert(ENUMS.BuiltinOperator?.values ?? {});
/** IR dtype -> TensorType code, from the schema's names through the reader's own mapping. */
const TENSOR_TYPES = new Map<DType, number>();
for (const [code, name] of Object.entries(ENUMS.TensorType?.values ?? {})) {
  const dtype = dtypeOf(name);
  if (dtype !== 'unknown' && !TENSOR_TYPES.has(dtype)) TENSOR_TYPES.set(dtype, Number(code));
}

interface OpCodeKey {
  code: number;
  custom: string | null;
  version: number;
}

function opCodeOf(node: Node, graph: Graph): OpCodeKey {
  if (!node.op.startsWith('tfl.')) {
    throw new Error(`TFLite writer: node ${node.name} in graph ${graph.name} has op ${node.op}, not a tfl.* op (convert the model first)`);
  }
  const name = node.op.slice(4);
  const version = writtenOpVersion(node, graph);
  if (node.custom) return { code: CUSTOM, custom: name, version };
  const code = BUILTIN_CODES.get(name) ?? (/^UNKNOWN_\d+$/.test(name) ? Number(name.slice(8)) : undefined);
  if (code === undefined) {
    throw new Error(`TFLite writer: node ${node.name} in graph ${graph.name} has op ${node.op}, which is no TFLite builtin (mark it custom to write it as a custom op)`);
  }
  if (code === CUSTOM) return { code, custom: '', version };
  return { code, custom: null, version };
}

class Writer {
  readonly b = new flatbuffers.Builder(1 << 16);
  /** Buffer offsets; index 0 is the empty sentinel. */
  readonly buffers: Offset[] = [];
  private readonly bufferIndex = new Map<Uint8Array, number>();
  readonly opcodes: OpCodeKey[] = [];

  constructor(private readonly model: Model) {
    this.buffers.push(FbBuffer.createBuffer(this.b, 0, 0n, 0n));
  }

  ints(values: number[]): Offset {
    const b = this.b;
    b.startVector(4, values.length, 4);
    for (let i = values.length - 1; i >= 0; i--) b.addInt32(values[i]!);
    return b.endVector();
  }

  tables(offsets: Offset[]): Offset {
    const b = this.b;
    b.startVector(4, offsets.length, 4);
    for (let i = offsets.length - 1; i >= 0; i--) b.addOffset(offsets[i]!);
    return b.endVector();
  }

  buffer(data: Uint8Array): number {
    const known = this.bufferIndex.get(data);
    if (known !== undefined) return known;
    const b = this.b;
    // Pads so the vector's bytes start BUFFER_ALIGN-aligned, then copies them in one `set`
    // (createByteVector's own alignment, 4, is then already met): same bytes as a per-byte loop.
    b.prep(BUFFER_ALIGN, data.length);
    const vec = b.createByteVector(data);
    const index = this.buffers.length;
    this.buffers.push(FbBuffer.createBuffer(b, vec, 0n, 0n));
    this.bufferIndex.set(data, index);
    return index;
  }

  opcode(key: OpCodeKey): number {
    const i = this.opcodes.findIndex((k) => k.code === key.code && k.custom === key.custom && k.version === key.version);
    if (i >= 0) return i;
    this.opcodes.push(key);
    return this.opcodes.length - 1;
  }

  quantization(q: Quantization): Offset {
    const b = this.b;
    const floats = (v: number[] | undefined) => (v && v.length > 0 ? QuantizationParameters.createScaleVector(b, v) : 0);
    const min = floats(q.min);
    const max = floats(q.max);
    const scale = floats(q.scale);
    const zp = q.zeroPoint.length > 0 ? QuantizationParameters.createZeroPointVector(b, q.zeroPoint.map((z) => BigInt(Math.trunc(z)))) : 0;
    return QuantizationParameters.createQuantizationParameters(b, min, max, scale, zp, 0, 0, q.axis ?? 0);
  }

  /** Index vectors in the smallest type that holds them, as the converter stores them. */
  private indexVector(values: number[]): [SparseIndexVector, Offset] {
    const b = this.b;
    const max = values.reduce((m, v) => Math.max(m, v), 0);
    const min = values.reduce((m, v) => Math.min(m, v), 0);
    if (min >= 0 && max < 256) return [SparseIndexVector.Uint8Vector, Uint8Vector.createUint8Vector(b, Uint8Vector.createValuesVector(b, values))];
    if (min >= 0 && max < 65536) {
      return [SparseIndexVector.Uint16Vector, Uint16Vector.createUint16Vector(b, Uint16Vector.createValuesVector(b, values))];
    }
    return [SparseIndexVector.Int32Vector, Int32Vector.createInt32Vector(b, Int32Vector.createValuesVector(b, values))];
  }

  sparsity(s: Sparsity): Offset {
    const b = this.b;
    const dims = s.dimMetadata.map((d) => {
      if (d.format === 'dense') return DimensionMetadata.createDimensionMetadata(b, 0, d.denseSize, 0, 0, 0, 0);
      const [segType, seg] = this.indexVector(d.segments);
      const [idxType, idx] = this.indexVector(d.indices);
      return DimensionMetadata.createDimensionMetadata(b, 1, 0, segType, seg, idxType, idx);
    });
    const order = this.ints(s.traversalOrder);
    const blockMap = s.blockMap.length > 0 ? this.ints(s.blockMap) : 0;
    return SparsityParameters.createSparsityParameters(b, order, blockMap, this.tables(dims));
  }

  tensor(t: Tensor, graph: Graph): Offset {
    const b = this.b;
    const type = TENSOR_TYPES.get(t.dtype);
    if (type === undefined) throw new Error(`TFLite writer: tensor ${t.name} in graph ${graph.name} has dtype ${t.dtype}, which TFLite cannot store`);
    const buffer = t.data && t.data.length > 0 ? this.buffer(t.data) : 0;
    const name = b.createString(t.name);
    const dims = t.shape ?? [];
    const unknown = dims.some((d) => typeof d !== 'number');
    const shape = this.ints(dims.map((d) => (typeof d === 'number' ? d : 1)));
    const signature = unknown ? this.ints(dims.map((d) => (typeof d === 'number' ? d : -1))) : 0;
    const quant = t.quant ? this.quantization(t.quant) : 0;
    const sparsity = t.sparsity ? this.sparsity(t.sparsity) : 0;
    FbTensor.startTensor(b);
    FbTensor.addShape(b, shape);
    FbTensor.addType(b, type);
    FbTensor.addBuffer(b, buffer);
    FbTensor.addName(b, name);
    if (quant) FbTensor.addQuantization(b, quant);
    if (buffer && !t.isConstant) FbTensor.addIsVariable(b, true);
    if (sparsity) FbTensor.addSparsity(b, sparsity);
    if (signature) FbTensor.addShapeSignature(b, signature);
    return FbTensor.endTensor(b);
  }

  operator(node: Node, graph: Graph, index: Map<string, number>): Offset {
    const b = this.b;
    const key = opCodeOf(node, graph);
    const ref = (name: string, role: string): number => {
      if (name === '') return -1;
      const i = index.get(name);
      if (i === undefined) throw new Error(`TFLite writer: node ${node.name} in graph ${graph.name} has ${role} ${name}, which is not a tensor of the graph`);
      return i;
    };
    for (const [k, a] of Object.entries(node.attrs)) {
      if (a.kind === 'subgraph' && (a.value < 0 || a.value >= this.model.graphs.length)) {
        throw new Error(`TFLite writer: node ${node.name} refers to subgraph ${a.value} in ${k} but the model has ${this.model.graphs.length} graphs`);
      }
    }
    const choice = chooseOptions(node.op.slice(4), node.attrs, node.name);
    const options = choice ? writeOptions(b, choice.table, node.attrs) : 0;
    const inputs = this.ints(node.inputs.map((n) => ref(n, 'input')));
    const outputs = this.ints(node.outputs.map((n) => ref(n, 'output')));
    const co = node.attrs.custom_options;
    const custom = co?.kind === 'bytes' ? Operator.createCustomOptionsVector(b, co.value) : 0;
    const inter = node.attrs.intermediates;
    const intermediates = inter?.kind === 'strings' ? this.ints(inter.value.map((n) => ref(n, 'intermediate'))) : 0;
    Operator.startOperator(b);
    Operator.addOpcodeIndex(b, this.opcode(key));
    Operator.addInputs(b, inputs);
    Operator.addOutputs(b, outputs);
    if (choice?.field === 'builtin_options') {
      Operator.addBuiltinOptionsType(b, choice.type);
      Operator.addBuiltinOptions(b, options);
    } else if (choice) {
      Operator.addBuiltinOptions2Type(b, choice.type);
      Operator.addBuiltinOptions2(b, options);
    }
    if (custom) Operator.addCustomOptions(b, custom);
    if (intermediates) Operator.addIntermediates(b, intermediates);
    return Operator.endOperator(b);
  }

  subgraph(graph: Graph): Offset {
    const index = new Map<string, number>();
    const tensors: Offset[] = [];
    for (const [name, t] of graph.tensors) {
      if (t.name !== name) throw new Error(`TFLite writer: graph ${graph.name} lists tensor ${t.name} under the name ${name}`);
      index.set(name, tensors.length);
      tensors.push(this.tensor(t, graph));
    }
    const io = (names: string[], role: string) => names.map((n) => {
      const i = index.get(n);
      if (i === undefined) throw new Error(`TFLite writer: graph ${graph.name} ${role} ${n} is not a tensor of the graph`);
      return i;
    });
    const ops = graph.nodes.map((n) => this.operator(n, graph, index));
    const inputs = this.ints(io(graph.inputs, 'input'));
    const outputs = this.ints(io(graph.outputs, 'output'));
    const name = this.b.createString(graph.name);
    return SubGraph.createSubGraph(this.b, this.tables(tensors), inputs, outputs, this.tables(ops), name);
  }

  signatures(list: SignatureSpec[]): Offset[] {
    const b = this.b;
    return list.map((s) => {
      const graph = this.model.graphs[s.subgraph]!;
      const names = [...graph.tensors.keys()];
      const maps = (list: Array<[string, string]>) =>
        this.tables(list.map(([alias, tensor]) => TensorMap.createTensorMap(b, b.createString(alias), names.indexOf(tensor))));
      return SignatureDef.createSignatureDef(b, maps(s.inputs), maps(s.outputs), b.createString(s.key), s.subgraph);
    });
  }

  write(): Uint8Array {
    const b = this.b;
    const m = this.model;
    if (m.dialect !== 'tfl') throw new Error(`TFLite writer: the model is in the ${m.dialect} dialect; convert it to tfl first`);
    if (m.graphs.length === 0) throw new Error('TFLite writer: the model has no graphs');
    const subgraphs = m.graphs.map((g) => this.subgraph(g));
    const spec = metadataSpec(m);
    const metadata = spec.entries.map(([name, text]) =>
      Metadata.createMetadata(b, b.createString(name), this.buffer(new TextEncoder().encode(text))));
    const signatures = this.signatures(spec.signatures);
    const opcodes = this.opcodes.map((k) => {
      const custom = k.custom !== null ? b.createString(k.custom) : 0;
      const deprecated = Math.min(k.code, PLACEHOLDER_FOR_GREATER_OP_CODES);
      return OperatorCode.createOperatorCode(b, deprecated, custom, k.version, k.code);
    });
    const opcodesVec = this.tables(opcodes);
    const subgraphsVec = this.tables(subgraphs);
    const description = spec.description !== null ? b.createString(spec.description) : 0;
    const buffersVec = this.tables(this.buffers);
    const metadataVec = metadata.length > 0 ? this.tables(metadata) : 0;
    const signaturesVec = this.tables(signatures);
    FbModel.startModel(b);
    FbModel.addVersion(b, m.opsets.tflite ?? 3);
    FbModel.addOperatorCodes(b, opcodesVec);
    FbModel.addSubgraphs(b, subgraphsVec);
    if (description) FbModel.addDescription(b, description);
    FbModel.addBuffers(b, buffersVec);
    if (metadataVec) FbModel.addMetadata(b, metadataVec);
    FbModel.addSignatureDefs(b, signaturesVec);
    b.finish(FbModel.endModel(b), 'TFL3');
    // asUint8Array is a view into the builder's (larger) buffer: copy to a tight one.
    return b.asUint8Array().slice();
  }
}

/** Writes a `tfl` dialect model as .tflite bytes. Throws an Error naming the node or tensor it cannot write. */
export function writeTflite(model: Model): Uint8Array {
  return new Writer(model).write();
}
