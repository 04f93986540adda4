/** Hostile and corrupt .tflite input: every failure is a ModelFormatError with a precise cause, fast. */
import * as flatbuffers from 'flatbuffers';
import { describe, expect, it } from 'vitest';
import { ModelFormatError } from '../errors';
import { FlatReader } from './flatbuf';
import { Buffer as FbBuffer, BuiltinOperator as Op, Model, Operator, OperatorCode, SubGraph, Tensor } from './generated/tflite_generated';
import { tfliteFormat } from './index';
import { buildModel, type ModelSpec } from './test-model-builder';

const read = (bytes: Uint8Array) => tfliteFormat.read([{ name: 'bad.tflite', bytes }]);

async function failure(bytes: Uint8Array): Promise<ModelFormatError> {
  try {
    await read(bytes);
  } catch (e) {
    expect(e).toBeInstanceOf(ModelFormatError);
    const err = e as ModelFormatError;
    expect(err.file).toBe('bad.tflite');
    expect(err.format).toBe('TFLite');
    return err;
  }
  throw new Error('expected the read to fail');
}

/** Either a model or a ModelFormatError: never another exception. */
async function readsOrRejectsCleanly(bytes: Uint8Array): Promise<void> {
  try {
    await read(bytes);
  } catch (e) {
    if (!(e instanceof ModelFormatError)) throw e;
  }
}

const f32 = (v: number[]) => new Uint8Array(new Float32Array(v).buffer);
const small = (over: Partial<ModelSpec['subgraphs'][0]> = {}, spec: Partial<ModelSpec> = {}): Uint8Array => buildModel({
  opcodes: [{ code: Op.ADD }],
  buffers: [null, f32([1, 2, 3, 4])],
  subgraphs: [{
    tensors: [{ name: 'x', shape: [4] }, { name: 'w', shape: [4], buffer: 1 }, { name: 'y', shape: [4] }],
    inputs: [0], outputs: [2], ops: [{ opcode: 0, inputs: [0, 1], outputs: [2] }], ...over,
  }],
  ...spec,
});

/** Byte position of a vector's 4-byte length prefix, located with the reader itself. */
function vectorLengthAt(bytes: Uint8Array, path: (r: FlatReader) => { pos: number } | null): number {
  const v = path(new FlatReader(bytes));
  if (!v) throw new Error('vector not found');
  return v.pos - 4;
}

function setU32(bytes: Uint8Array, pos: number, value: number): Uint8Array {
  const out = bytes.slice();
  new DataView(out.buffer).setUint32(pos, value, true);
  return out;
}

describe('corrupt TFLite files', () => {
  it('sniff is cheap and never throws', () => {
    expect(tfliteFormat.sniff(new Uint8Array())).toBe(false);
    expect(tfliteFormat.sniff(new Uint8Array([1, 2, 3]))).toBe(false);
    expect(tfliteFormat.sniff(small().subarray(0, 8))).toBe(true);
    expect(tfliteFormat.sniff(new TextEncoder().encode('\x08\x07\x12\x04onnx'))).toBe(false);
  });

  it('rejects files without the TFL3 identifier or too short to hold a header', async () => {
    expect((await failure(new Uint8Array([1, 2, 3]))).reason).toMatch(/truncated: file is 3 bytes/);
    const b = small();
    b[5] = 0x41;
    expect((await failure(b)).reason).toMatch(/missing the "TFL3" file identifier/);
  });

  it('truncated files name what runs past the end', async () => {
    const b = small();
    const err = await failure(b.subarray(0, Math.floor(b.length / 2)));
    expect(err.reason).toMatch(/^truncated.* past the end of the file \(\d+ bytes\)/);
    expect(err.message).toContain('bad.tflite: cannot read as TFLite: truncated');
    // Every prefix either fails cleanly or (if the cut only hits padding) still reads.
    for (let n = 0; n < b.length; n += 3) await readsOrRejectsCleanly(b.subarray(0, n));
  });

  it('a root offset past the end of the file', async () => {
    const err = await failure(setU32(small(), 0, 0x7fff0000));
    expect(err.reason).toMatch(/^truncated or corrupt: table model points to byte \d+, past the end of the file/);
  });

  it('a huge vector length is caught before decoding it', async () => {
    const b = small();
    const at = vectorLengthAt(b, (r) => r.tableAt(r.root('Model').vec('subgraphs')!, 0).vec('tensors'));
    const err = await failure(setU32(b, at, 0x7fffffff));
    expect(err.reason).toMatch(/truncated: vector model\.subgraphs\[0\]\.tensors claims 2147483647 elements/);
  });

  it('tensor, operator code, buffer and subgraph indices are validated', async () => {
    expect((await failure(small({ ops: [{ opcode: 0, inputs: [0, 99], outputs: [2] }] }))).reason)
      .toBe('tensor index 99 out of range in operator 0 of subgraph 0 (the subgraph has 3 tensors)');
    expect((await failure(small({ ops: [{ opcode: 0, inputs: [0, -2], outputs: [2] }] }))).reason)
      .toMatch(/tensor index -2 out of range/);
    expect((await failure(small({ ops: [{ opcode: 0, inputs: [0, 1], outputs: [2] }, { opcode: 5, inputs: [2], outputs: [0] }] }))).reason)
      .toBe('operator code index 5 out of range in operator 1 of subgraph 0 (the model has 1 operator codes)');
    expect((await failure(small({ tensors: [{ name: 'x' }, { name: 'w', buffer: 7 }, { name: 'y' }] }))).reason)
      .toBe('tensor 1 of subgraph 0 refers to buffer 7 but the model has 2 buffers');
    expect((await failure(small({ inputs: [42] }))).reason).toMatch(/tensor index 42 out of range in subgraph 0 inputs/);
    expect((await failure(small({}, { metadata: [{ name: 'm', buffer: 9 }] }))).reason).toMatch(/metadata 0 \(m\) refers to buffer 9/);
  });

  it('a buffer stored after the flatbuffer but cut off names its end', async () => {
    const b = buildModel({
      opcodes: [{ code: Op.ADD }], buffers: [null, { tail: new Uint8Array(1000) }],
      subgraphs: [{ tensors: [{ name: 'w', shape: [250], buffer: 1 }, { name: 'y' }], inputs: [], outputs: [1], ops: [{ opcode: 0, inputs: [0, 0], outputs: [1] }] }],
    });
    const cut = b.subarray(0, b.length - 500);
    const m = /^truncated: file is (\d+) bytes but buffer 1 ends at (\d+)$/.exec((await failure(cut)).reason);
    expect(Number(m?.[1])).toBe(cut.length);
    expect(Number(m?.[2])).toBeGreaterThan(cut.length);
    expect(Number(m?.[2])).toBeLessThanOrEqual(b.length);
  });

  it('shared sub-objects cannot make the reader do unbounded work', async () => {
    // 100k operators that all point at one operator table with 20k inputs: ~500 KB on disk,
    // 2e9 tensor references if walked naively.
    const b = new flatbuffers.Builder(1 << 20);
    const inputs = Operator.createInputsVector(b, new Array(20_000).fill(0));
    const outputs = Operator.createOutputsVector(b, [0]);
    const op = Operator.createOperator(b, 0, inputs, outputs, 0, 0, 0, 0, 0, 0, 0n, 0n, 0, 0);
    const ops = SubGraph.createOperatorsVector(b, new Array(100_000).fill(op));
    Tensor.startTensor(b);
    const tensors = SubGraph.createTensorsVector(b, [Tensor.endTensor(b)]);
    const sg = SubGraph.createSubGraph(b, tensors, 0, 0, ops, 0);
    const subgraphs = Model.createSubgraphsVector(b, [sg]);
    const codes = Model.createOperatorCodesVector(b, [OperatorCode.createOperatorCode(b, 0, 0, 1, 0)]);
    const buffers = Model.createBuffersVector(b, [FbBuffer.createBuffer(b, 0, 0n, 0n)]);
    Model.startModel(b);
    Model.addVersion(b, 3);
    Model.addOperatorCodes(b, codes);
    Model.addSubgraphs(b, subgraphs);
    Model.addBuffers(b, buffers);
    b.finish(Model.endModel(b), 'TFL3');
    const t0 = Date.now();
    const err = await failure(b.asUint8Array());
    expect(err.reason).toMatch(/work limit exceeded/);
    expect(Date.now() - t0).toBeLessThan(5000);
  });

  it('random bytes behind a TFL3 identifier fail cleanly and quickly', async () => {
    let seed = 12345;
    const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
    const t0 = Date.now();
    for (let i = 0; i < 300; i++) {
      const bytes = new Uint8Array(8 + Math.floor(rand() * 4096)).map(() => Math.floor(rand() * 256));
      bytes.set([0x54, 0x46, 0x4c, 0x33], 4);
      // Small root offsets make the walk go further before it fails.
      if (i % 2) new DataView(bytes.buffer).setUint32(0, Math.floor(rand() * 64), true);
      await readsOrRejectsCleanly(bytes);
    }
    expect(Date.now() - t0).toBeLessThan(10_000);
  });

  it('bit flips in a valid model never escape as anything but ModelFormatError', async () => {
    const base = small({}, { metadata: [{ name: 'min_runtime_version', buffer: 1 }] });
    let seed = 99;
    const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
    for (let i = 0; i < 500; i++) {
      const b = base.slice();
      for (let k = 0; k < 3; k++) {
        const at = 8 + Math.floor(rand() * (b.length - 8));
        b[at] = b[at]! ^ (1 << Math.floor(rand() * 8));
      }
      await readsOrRejectsCleanly(b);
    }
  });
});
