#!/usr/bin/env node
// Writes the small, deterministic fixtures that readers must survive: fixtures/corrupt/*, plus two
// tiny valid models of our own that the broken ones derive from (fixtures/own/add.tflite and
// fixtures/own/tfjs-add/). Run after scripts/train-fashion-mnist.py (one case truncates its ONNX).
//   node scripts/make-corrupt-fixtures.mjs
// Every byte is computed here (seeded PRNG, no clocks), so a rerun reproduces the committed files.
// File names avoid the words of the manifest's error regexes (truncated, missing, json, png...), so a
// regex match proves the reader named the cause rather than echoing the file name.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as flatbuffers from 'flatbuffers';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const OWN = path.join(ROOT, 'fixtures', 'own');
const CORRUPT = path.join(ROOT, 'fixtures', 'corrupt');
const FASHION = path.join(ROOT, 'public', 'models', 'fashion-mnist-cnn.onnx');

function write(dir, name, bytes) {
  const file = path.join(dir, name);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, bytes);
  return file;
}

/** mulberry32: tiny seeded PRNG so "random" bytes are the same on every run. */
function randomBytes(seed, n) {
  let a = seed >>> 0;
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = ((t ^ (t >>> 14)) >>> 0) & 0xff;
  }
  return out;
}

function varint(n) {
  // BigInt so lengths past 2^32 (the 2^40 case) encode correctly.
  const out = [];
  let v = BigInt(n);
  do {
    let b = Number(v & 0x7fn);
    v >>= 7n;
    if (v > 0n) b |= 0x80;
    out.push(b);
  } while (v > 0n);
  return out;
}

const ascii = (s) => [...Buffer.from(s, 'latin1')];

/**
 * A minimal valid TFLite model written table by table (field slots as in the public schema.fbs):
 * out = ADD(a, b), all float32 [1, 4]. Small enough to check by hand, real enough for runtimes.
 */
function buildAddTflite() {
  const b = new flatbuffers.Builder(512);
  const intVector = (xs) => {
    b.startVector(4, xs.length, 4);
    for (let i = xs.length - 1; i >= 0; i--) b.addInt32(xs[i]);
    return b.endVector();
  };
  const offsetVector = (xs) => {
    b.startVector(4, xs.length, 4);
    for (let i = xs.length - 1; i >= 0; i--) b.addOffset(xs[i]);
    return b.endVector();
  };
  const tensor = (name) => {
    const nameOff = b.createString(name);
    const shape = intVector([1, 4]);
    b.startObject(8);
    b.addFieldOffset(0, shape, 0); // shape
    b.addFieldInt8(1, 0, -1); // type FLOAT32 (forced: written even though 0 is the schema default)
    b.addFieldInt32(2, 0, -1); // buffer 0, the empty sentinel
    b.addFieldOffset(3, nameOff, 0); // name
    return b.endObject();
  };
  const tensors = offsetVector(['a', 'b', 'out'].map(tensor));

  b.startObject(1); // AddOptions { fused_activation_function: NONE }
  const addOptions = b.endObject();
  const opInputs = intVector([0, 1]);
  const opOutputs = intVector([2]);
  b.startObject(9);
  b.addFieldInt32(0, 0, -1); // opcode_index
  b.addFieldOffset(1, opInputs, 0);
  b.addFieldOffset(2, opOutputs, 0);
  b.addFieldInt8(3, 11, 0); // builtin_options_type = AddOptions
  b.addFieldOffset(4, addOptions, 0);
  const operators = offsetVector([b.endObject()]);

  const sgName = b.createString('main');
  const sgInputs = intVector([0, 1]);
  const sgOutputs = intVector([2]);
  b.startObject(5);
  b.addFieldOffset(0, tensors, 0);
  b.addFieldOffset(1, sgInputs, 0);
  b.addFieldOffset(2, sgOutputs, 0);
  b.addFieldOffset(3, operators, 0);
  b.addFieldOffset(4, sgName, 0);
  const subgraphs = offsetVector([b.endObject()]);

  b.startObject(4);
  b.addFieldInt8(0, 0, -1); // deprecated_builtin_code ADD
  b.addFieldInt32(2, 1, 0); // version 1
  b.addFieldInt32(3, 0, -1); // builtin_code ADD
  const opcodes = offsetVector([b.endObject()]);

  b.startObject(3);
  const buffers = offsetVector([b.endObject()]);
  const description = b.createString('Edge Model Studio fixture: out = a + b');

  b.startObject(5);
  b.addFieldInt32(0, 3, 0); // schema version
  b.addFieldOffset(1, opcodes, 0);
  b.addFieldOffset(2, subgraphs, 0);
  b.addFieldOffset(3, description, 0);
  b.addFieldOffset(4, buffers, 0);
  b.finish(b.endObject(), 'TFL3');
  return b.asUint8Array();
}

/** A hand-written TF.js graph model: y = x + w, with w = [1, 2, 3, 4] in one 16-byte shard. */
function tfjsAddModel() {
  const f32 = { type: 'DT_FLOAT' };
  return {
    format: 'graph-model',
    generatedBy: 'Edge Model Studio fixture',
    convertedBy: 'scripts/make-corrupt-fixtures.mjs',
    modelTopology: {
      node: [
        { name: 'x', op: 'Placeholder', attr: { dtype: f32, shape: { shape: { dim: [{ size: '1' }, { size: '4' }] } } } },
        { name: 'w', op: 'Const', attr: { dtype: f32, value: { tensor: { dtype: 'DT_FLOAT', tensorShape: { dim: [{ size: '4' }] } } } } },
        { name: 'y', op: 'AddV2', input: ['x', 'w'], attr: { T: f32 } },
      ],
      versions: { producer: 1 },
    },
    weightsManifest: [{ paths: ['group1-shard1of1.bin'], weights: [{ name: 'w', shape: [4], dtype: 'float32' }] }],
    signature: {
      inputs: { 'x:0': { name: 'x:0', dtype: 'DT_FLOAT', tensorShape: { dim: [{ size: '1' }, { size: '4' }] } } },
      outputs: { 'y:0': { name: 'y:0', dtype: 'DT_FLOAT', tensorShape: { dim: [{ size: '1' }, { size: '4' }] } } },
    },
  };
}

/**
 * ModelProto.graph -> GraphProto.node -> NodeProto.attribute -> AttributeProto.g -> GraphProto...
 * `levels` messages deep, all schema-valid field numbers, so only a depth cap stops a recursive parser.
 */
function deepOnnx(levels) {
  const fields = [1, 5, 6]; // GraphProto.node, NodeProto.attribute, AttributeProto.g (all length-delimited)
  let inner = [];
  for (let i = levels - 1; i >= 1; i--) {
    const field = fields[(i - 1) % 3];
    inner = [(field << 3) | 2, ...varint(inner.length), ...inner];
  }
  return Uint8Array.from([0x08, 0x08, 0x3a, ...varint(inner.length), ...inner]);
}

function deepOnnxFast(levels) {
  // Same bytes as deepOnnx, built back to front into one buffer (deepOnnx is O(n^2) at 100k levels).
  const fields = [1, 5, 6];
  const buf = new Uint8Array(levels * 6 + 16);
  let pos = buf.length, len = 0;
  const prepend = (bytes) => { pos -= bytes.length; buf.set(bytes, pos); len += bytes.length; };
  for (let i = levels - 1; i >= 1; i--) prepend([(fields[(i - 1) % 3] << 3) | 2, ...varint(len)]);
  prepend([0x3a, ...varint(len)]);
  prepend([0x08, 0x08]);
  return buf.slice(pos);
}

function main() {
  if (!fs.existsSync(FASHION)) throw new Error(`${path.relative(ROOT, FASHION)} is missing: run scripts/train-fashion-mnist.py first`);
  fs.rmSync(CORRUPT, { recursive: true, force: true });
  const written = [];
  const out = (dir, name, bytes) => written.push(write(dir, name, bytes));

  const add = buildAddTflite();
  out(OWN, 'add.tflite', add);
  const tfjs = JSON.stringify(tfjsAddModel(), null, 1);
  const shard = new Uint8Array(new Float32Array([1, 2, 3, 4]).buffer);
  out(OWN, 'tfjs-add/model.json', tfjs);
  out(OWN, 'tfjs-add/group1-shard1of1.bin', shard);

  out(CORRUPT, 'zero-bytes.bin', new Uint8Array(0));
  // Seed chosen so the bytes sniff as nothing: first byte is not a protobuf tag, no TFL3, no '{'.
  const noise = randomBytes(20240601, 4096);
  if (noise[0] === 0x08 || noise[0] === 0x7b || Buffer.from(noise.subarray(4, 8)).toString('latin1') === 'TFL3') {
    throw new Error('random.bin seed produces a sniffable header; pick another seed');
  }
  out(CORRUPT, 'random.bin', noise);

  const fashion = fs.readFileSync(FASHION);
  out(CORRUPT, 'fashion-first40pct.onnx', fashion.subarray(0, Math.floor(fashion.length * 0.4)));

  // ir_version 8, then ModelProto.graph claiming 2^40 bytes, followed by a little real content.
  const graphStart = [0x0a, 0x04, ...ascii('Relu'), 0x12, 0x01, ...ascii('x')]; // would-be node bytes
  out(CORRUPT, 'huge-length.onnx', Uint8Array.from([0x08, 0x08, 0x3a, ...varint(2 ** 40), ...graphStart]));

  // The fast builder is checked against the obvious one at a depth where the obvious one is cheap.
  if (Buffer.compare(Buffer.from(deepOnnxFast(300)), Buffer.from(deepOnnx(300))) !== 0) throw new Error('deep builders disagree');
  const deep = deepOnnxFast(100_000);
  out(CORRUPT, 'stack-bomb.onnx', deep);

  // 'TFL3' at offset 4, a root offset pointing far past the end, then garbage.
  const fake = new Uint8Array(256);
  new DataView(fake.buffer).setUint32(0, 0x7ffffff0, true);
  fake.set(ascii('TFL3'), 4);
  fake.set(randomBytes(7, 248), 8);
  out(CORRUPT, 'fake.tflite', fake);
  out(CORRUPT, 'add-first-half.tflite', add.subarray(0, Math.floor(add.length / 2)));

  out(CORRUPT, 'broken-text/model.json', tfjs.slice(0, Math.floor(tfjs.length / 2)));
  out(CORRUPT, 'no-shard/model.json', tfjs);
  out(CORRUPT, 'cut-shard/model.json', tfjs);
  out(CORRUPT, 'cut-shard/group1-shard1of1.bin', shard.subarray(0, 8));

  // An 8x8 PNG header (signature + IHDR) and a zip local-file header: common wrong drops.
  const png = [0x89, ...ascii('PNG\r\n\x1a\n'), 0, 0, 0, 13, ...ascii('IHDR'), 0, 0, 0, 8, 0, 0, 0, 8, 8, 6, 0, 0, 0, 0x6d, 0x88, 0xe5, 0x06];
  out(CORRUPT, 'photo.png', Uint8Array.from(png));
  const zip = [...ascii('PK\x03\x04'), 20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 10, 0, 0, 0, ...ascii('model.onnx')];
  out(CORRUPT, 'bundle.zip', Uint8Array.from(zip));

  // Positive case: recognition is by content, so this must read as TFLite despite its name.
  out(CORRUPT, 'misnamed/model.onnx', add);

  const total = written.reduce((n, f) => n + fs.statSync(f).size, 0);
  console.log(`make-corrupt-fixtures: wrote ${written.length} files, ${(total / 1024).toFixed(0)} KiB`);
}

main();
