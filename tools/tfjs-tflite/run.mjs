#!/usr/bin/env node
// Runs one .tflite in @tensorflow/tfjs-tflite (its own tfjs-core 4.9 copy, installed in this folder)
// and answers on stdout. Lives in a child process so its globals, shims and tfjs copy never mix
// with the caller's process. Protocol (both ways): u32 LE header length, UTF-8 JSON header, payload.
//   request header : { modelBytes, runs?, inputs: [{ name, dtype, shape, byteLength }] }
//   request payload: model bytes, then each input's raw little-endian data in order
//   response header: { ok: true, runs, outputs: [{ name, dtype, shape, byteLength }], inputs: [...] }
//                 or { ok: false, kind: 'error' | 'unsupported', stage?, message }
// `runs` > 1 runs the loaded model once per input set (inputs and outputs listed run-major),
// so a whole test set costs one process start and one model load.
import fs from 'node:fs';
import path from 'node:path';
import vm from 'node:vm';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const pkgDir = path.join(here, 'node_modules', '@tensorflow', 'tfjs-tflite');
const wasmDir = path.join(pkgDir, 'wasm');

// Everything the runtime prints goes to stderr: stdout carries only the response.
const stdoutWrite = process.stdout.write.bind(process.stdout);
for (const k of ['log', 'info', 'debug']) console[k] = (...a) => console.error(...a);

function reply(header, chunks = []) {
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const len = Buffer.alloc(4);
  len.writeUInt32LE(json.length, 0);
  stdoutWrite(Buffer.concat([len, json, ...chunks.map((c) => Buffer.from(c.buffer, c.byteOffset, c.byteLength))]));
}

function fail(kind, message, stage = undefined) {
  reply({ ok: false, kind, stage, message: String(message).slice(0, 4000) });
  process.exitCode = kind === 'error' ? 1 : 0;
}

function installShims() {
  // The package loads its emscripten glue the way a web worker would (importScripts, self.location,
  // fetch for the .wasm); Node has none of these, so give it file-backed equivalents.
  const base = pathToFileURL(wasmDir + path.sep).href;
  globalThis.self = globalThis;
  globalThis.location = { href: base, origin: 'file://' };
  globalThis.require = createRequire(path.join(wasmDir, 'x.js'));
  globalThis.__dirname = wasmDir;
  globalThis.importScripts = (...urls) => {
    if (process.env.TFJS_TFLITE_DEBUG) console.error('importScripts', urls);
    for (const u of urls) {
      const file = u.startsWith('file:') ? fileURLToPath(u) : path.resolve(wasmDir, u);
      vm.runInThisContext(fs.readFileSync(file, 'utf8'), { filename: file });
    }
  };
  globalThis.fetch = async (u) => {
    const s = String(u);
    if (process.env.TFJS_TFLITE_DEBUG) console.error('fetch', s);
    if (/^[a-z]+:/i.test(s) && !s.startsWith('file:')) throw new Error(`this verifier reads local files only, not ${s}`);
    const file = s.startsWith('file:') ? fileURLToPath(s) : path.resolve(wasmDir, s);
    const body = fs.readFileSync(file);
    const type = file.endsWith('.wasm') ? 'application/wasm' : 'text/javascript';
    return new Response(body, { status: 200, headers: { 'content-type': type } });
  };
  // Its multi-thread probe posts a SharedArrayBuffer through a MessageChannel; failing that probe
  // selects the single-threaded wasm build (threads would need Worker + blob: URLs Node lacks).
  globalThis.MessageChannel = class {
    constructor() {
      const port = { postMessage() { throw new Error('no threads in this verifier'); }, onmessage: null, close() {} };
      this.port1 = port;
      this.port2 = port;
    }
  };
}

const ARRAYS = {
  float32: Float32Array, int32: Int32Array, int8: Int8Array, uint8: Uint8Array,
  int16: Int16Array, bool: Uint8Array, int64: BigInt64Array, float64: Float64Array,
};

async function readStdin() {
  const parts = [];
  for await (const c of process.stdin) parts.push(c);
  return Buffer.concat(parts);
}

function parseRequest(buf) {
  if (buf.length < 4) throw new Error('request shorter than its 4-byte header length');
  const hlen = buf.readUInt32LE(0);
  if (4 + hlen > buf.length) throw new Error(`request header (${hlen} bytes) runs past the end`);
  const header = JSON.parse(buf.subarray(4, 4 + hlen).toString('utf8'));
  let at = 4 + hlen;
  const take = (n) => {
    if (!Number.isInteger(n) || n < 0 || at + n > buf.length) throw new Error(`payload of ${n} bytes runs past the end at ${at}`);
    const out = new Uint8Array(n);
    out.set(buf.subarray(at, at + n));
    at += n;
    return out;
  };
  const model = take(header.modelBytes);
  const inputs = (header.inputs ?? []).map((t) => ({ ...t, bytes: take(t.byteLength) }));
  const runs = header.runs ?? 1;
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`runs must be a positive integer, got ${runs}`);
  return { model, inputs, runs };
}

function typed(dtype, bytes) {
  const C = ARRAYS[dtype];
  if (!C) throw new Error(`dtype ${dtype} is not supported by this verifier`);
  return new C(bytes.buffer, bytes.byteOffset, bytes.byteLength / C.BYTES_PER_ELEMENT);
}

async function main() {
  if (!fs.existsSync(pkgDir)) {
    return fail('error', 'tools/tfjs-tflite/node_modules is missing: run npm ci --prefix tools/tfjs-tflite --legacy-peer-deps');
  }
  const req = parseRequest(await readStdin());
  installShims();
  const require = createRequire(import.meta.url);
  // tfjs-core must be loaded (the package imports it); the cpu backend keeps it from warning.
  const tf = require('@tensorflow/tfjs-core');
  require('@tensorflow/tfjs-backend-cpu');
  await tf.setBackend('cpu');
  const tflite = require('@tensorflow/tfjs-tflite');
  // No setWasmPath: its default "" resolves against self.location, which points at wasmDir.

  let model;
  try {
    model = await tflite.loadTFLiteModel(req.model.buffer, { numThreads: 1 });
  } catch (e) {
    return fail('error', `tfjs-tflite could not load the model: ${e?.message ?? e}`, 'load');
  }
  // Use the runner underneath TFLiteModel: it exposes each tensor's real TFLite dtype and a view
  // into wasm memory, so int8/uint8/int16 go in and come out exactly (TFLiteModel widens to int32).
  const runner = model.modelRunner;
  const ins = runner.getInputs();
  const seen = ins.map((t) => ({ name: t.name, dtype: t.dataType, shape: shapeOf(t) }));
  const runs = req.runs;
  if (req.inputs.length !== ins.length * runs) {
    return fail('error', `model has ${ins.length} inputs, request has ${req.inputs.length} tensors for ${runs} run(s)`);
  }
  const outs = [];
  const chunks = [];
  for (let r = 0; r < runs; r++) {
    for (let i = 0; i < ins.length; i++) {
      const info = ins[i];
      const given = req.inputs[r * ins.length + i];
      const want = shapeOf(info);
      const same = want.length === given.shape.length && want.every((d, k) => d === -1 || d === given.shape[k]);
      if (!same) return fail('error', `input ${i} (${info.name}) wants shape [${want}], got [${given.shape}]`);
      if (info.dataType !== given.dtype) {
        return fail('error', `input ${i} (${info.name}) is ${info.dataType}, got ${given.dtype}`);
      }
      const dst = info.data();
      const src = typed(given.dtype, given.bytes);
      if (dst.length !== src.length) return fail('error', `input ${i} holds ${dst.length} elements, got ${src.length}`);
      dst.set(src);
    }
    let okRun;
    try {
      okRun = runner.infer();
    } catch (e) {
      return fail('error', `tfjs-tflite infer threw: ${e?.message ?? e}`);
    }
    if (!okRun) return fail('error', 'tfjs-tflite infer returned false');
    for (const info of runner.getOutputs()) {
      const data = info.data().slice(); // copy out of wasm memory before the next run
      outs.push({ name: info.name, dtype: info.dataType, shape: shapeOf(info), byteLength: data.byteLength });
      chunks.push(data);
    }
  }
  reply({ ok: true, runs, outputs: outs, inputs: seen }, chunks);
}

function shapeOf(info) {
  const s = String(info.shape ?? '');
  return s === '' ? [] : s.split(',').map(Number);
}

main().catch((e) => fail('error', e?.stack ?? e));
