/**
 * ONNX parse time: our reader (lib/formats/onnx) against protobufjs decoding the same bytes
 * with ModelProto from onnx.proto, in the same process. Goal: ours / protobufjs <= 0.6.
 * Also checks that initializer data are views into the file's buffer (no copy of weights).
 *
 *   npx tsx bench/onnx-parse.ts [file.onnx] [runs]      (default: .cache/bench/big.onnx, 30 runs)
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import protobuf from 'protobufjs';
import { readOnnx } from '../lib/formats/onnx/index';
import { BIG_ONNX, makeBigOnnx } from './make-big-onnx';

const PROTO = path.resolve(__dirname, '../lib/formats/onnx/testdata/onnx.proto');

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/**
 * No forced GC between runs: V8's forced full GC also throws away optimized code, which would
 * measure a cold JIT. Instead each parser runs in blocks and the first run of a block (which
 * pays for the other parser's garbage) is not counted, so each side is timed with its own GC.
 */
function time(fn: () => unknown): number {
  const t0 = performance.now();
  fn();
  return performance.now() - t0;
}

const BLOCK = 4;

function block(fn: () => unknown, into: number[]): void {
  fn();
  for (let i = 1; i < BLOCK; i++) into.push(time(fn));
}

function main(): void {
  const file = process.argv[2] ?? BIG_ONNX;
  const runs = Number(process.argv[3] ?? 30);
  if (!process.argv[2] && !existsSync(file)) {
    console.log(`building ${file} ...`);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, makeBigOnnx());
  }
  const buf = readFileSync(file);
  // A plain Uint8Array, as a browser or worker has it (protobufjs takes a faster path for Node Buffers).
  const bytes = new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  const ModelProto = protobuf.loadSync(PROTO).lookupType('onnx.ModelProto');

  const ours = () => readOnnx(bytes, path.basename(file));
  const theirs = () => ModelProto.decode(bytes);
  // The very first parse of each, with nothing compiled yet (what a fresh worker sees).
  const coldOurs = time(ours);
  const coldPb = time(theirs);
  for (let i = 0; i < 5; i++) {
    ours();
    theirs();
  }
  const a: number[] = [];
  const b: number[] = [];
  const c: number[] = [];
  const theirsBuffer = () => ModelProto.decode(buf);
  while (a.length < runs) {
    block(ours, a);
    block(theirs, b);
    block(theirsBuffer, c);
  }
  if (process.env.VERBOSE) console.log('ours', a.map((x) => x.toFixed(1)).join(' '), '\npbjs', b.map((x) => x.toFixed(1)).join(' '));
  const tOurs = median(a);
  const tPb = median(b);

  const model = ours();
  const g = model.graphs[0]!;
  let inits = 0;
  let views = 0;
  let weightBytes = 0;
  for (const t of g.tensors.values()) {
    if (!t.isConstant || !t.data) continue;
    inits++;
    weightBytes += t.data.byteLength;
    if (t.data.buffer === bytes.buffer) views++;
  }
  const bufTime = median(c);

  console.log(`file: ${file} (${(bytes.length / 1e6).toFixed(1)} MB, ${g.nodes.length} nodes, ${inits} initializers, ${(weightBytes / 1e6).toFixed(1)} MB of weights)`);
  console.log(`ours (readOnnx -> IR):           ${tOurs.toFixed(2)} ms  (median of ${a.length})`);
  console.log(`protobufjs ModelProto.decode:    ${tPb.toFixed(2)} ms  (median of ${b.length}, Uint8Array input)`);
  console.log(`protobufjs with a Node Buffer:   ${bufTime.toFixed(2)} ms  (Node-only fast path for strings; ours/that ${(tOurs / bufTime).toFixed(3)})`);
  console.log(`ratio ours/protobufjs:           ${(tOurs / tPb).toFixed(3)}  (goal <= 0.6: ${tOurs / tPb <= 0.6 ? 'met' : 'NOT met'})`);
  // The fastest run of each is the least disturbed by other processes on a shared machine.
  const minOurs = Math.min(...a);
  const minPb = Math.min(...b);
  console.log(`fastest runs:                    ours ${minOurs.toFixed(2)} ms, protobufjs ${minPb.toFixed(2)} ms, ratio ${(minOurs / minPb).toFixed(3)}`);
  console.log(`first (cold) run:                ours ${coldOurs.toFixed(1)} ms, protobufjs ${coldPb.toFixed(1)} ms, ratio ${(coldOurs / coldPb).toFixed(3)}`);
  console.log(`initializer data are views into the file buffer: ${views}/${inits} ${views === inits ? '(no copies)' : '(SOME COPIED)'}`);
}

main();
