/**
 * Builds a ~100 MB, 5,000-node ONNX model for bench/onnx-parse.ts: 1,000 residual blocks of
 * Conv -> Relu -> MatMul -> Add -> Relu with random float32 weights, value_info for every
 * intermediate (as shape-inferred exports have), PyTorch-style names. Encoded with protobufjs
 * from onnx.proto, so the bytes do not come from the reader under test.
 *
 *   npx tsx bench/make-big-onnx.ts        -> .cache/bench/big.onnx
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import protobuf from 'protobufjs';

export const BIG_ONNX = path.resolve(__dirname, '../.cache/bench/big.onnx');
const PROTO = path.resolve(__dirname, '../lib/formats/onnx/testdata/onnx.proto');

const BLOCKS = 1000;
const C = 48; // channels
const S = 64; // spatial size; MatMul mixes along the last axis
const FLOAT = 1;

/** Deterministic xorshift32 noise in [-0.5, 0.5): the bytes look like real weights (incompressible). */
function randomFloats(n: number, seed: number): Uint8Array {
  const out = new Float32Array(n);
  let x = seed | 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = (x >>> 0) / 4294967296 - 0.5;
  }
  return new Uint8Array(out.buffer);
}

const shape = (dims: Array<number | string>) => ({
  dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })),
});
const valueInfo = (name: string, dims: Array<number | string>) => ({
  name,
  type: { tensorType: { elemType: FLOAT, shape: shape(dims) } },
});
const ints = (name: string, v: number[]) => ({ name, type: 7, ints: v });

export function makeBigOnnx(): Uint8Array {
  const root = protobuf.loadSync(PROTO);
  const ModelProto = root.lookupType('onnx.ModelProto');
  const act = ['batch', C, S, S];
  const nodes: object[] = [];
  const inits: object[] = [];
  const infos: object[] = [];
  let x = 'input';
  for (let b = 0; b < BLOCKS; b++) {
    const p = `/blocks.${b}`;
    const w = `blocks.${b}.conv.weight`;
    const bias = `blocks.${b}.conv.bias`;
    const mix = `blocks.${b}.mix.weight`;
    inits.push(
      { name: w, dataType: FLOAT, dims: [C, C, 3, 3], rawData: randomFloats(C * C * 9, 4 * b + 1) },
      { name: bias, dataType: FLOAT, dims: [C], rawData: randomFloats(C, 4 * b + 2) },
      { name: mix, dataType: FLOAT, dims: [S, S], rawData: randomFloats(S * S, 4 * b + 3) },
    );
    const conv = `${p}/conv/Conv_output_0`;
    const relu = `${p}/act/Relu_output_0`;
    const mm = `${p}/mix/MatMul_output_0`;
    const add = `${p}/Add_output_0`;
    const out = `${p}/out/Relu_output_0`;
    nodes.push(
      {
        name: `${p}/conv/Conv`, opType: 'Conv', input: [x, w, bias], output: [conv],
        attribute: [ints('dilations', [1, 1]), { name: 'group', type: 2, i: 1 }, ints('kernel_shape', [3, 3]), ints('pads', [1, 1, 1, 1]), ints('strides', [1, 1])],
      },
      { name: `${p}/act/Relu`, opType: 'Relu', input: [conv], output: [relu] },
      { name: `${p}/mix/MatMul`, opType: 'MatMul', input: [relu, mix], output: [mm] },
      { name: `${p}/Add`, opType: 'Add', input: [mm, x], output: [add] },
      { name: `${p}/out/Relu`, opType: 'Relu', input: [add], output: [out] },
    );
    for (const v of [conv, relu, mm, add]) infos.push(valueInfo(v, act));
    if (b < BLOCKS - 1) infos.push(valueInfo(out, act));
    x = out;
  }
  const model = {
    irVersion: 8,
    producerName: 'edge-model-studio bench',
    producerVersion: '1',
    opsetImport: [{ domain: '', version: 17 }],
    graph: { name: 'big', node: nodes, initializer: inits, input: [valueInfo('input', act)], output: [valueInfo(x, act)], valueInfo: infos },
  };
  const err = ModelProto.verify(model);
  if (err) throw new Error(`bench model does not match onnx.proto: ${err}`);
  return ModelProto.encode(model).finish();
}

if (process.argv[1]?.endsWith('make-big-onnx.ts')) {
  const t0 = performance.now();
  const bytes = makeBigOnnx();
  mkdirSync(path.dirname(BIG_ONNX), { recursive: true });
  writeFileSync(BIG_ONNX, bytes);
  console.log(`wrote ${BIG_ONNX}: ${(bytes.length / 1e6).toFixed(1)} MB, ${BLOCKS * 5} nodes in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}
