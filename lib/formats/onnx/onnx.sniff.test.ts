/** sniff: says yes to ModelProto heads, no to other formats and noise, never throws. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { sniffOnnx } from './index';
import { len, model, msg, reluGraph, vint } from './testdata/wire';

const DATA = '/usr/share/libonnx-testdata/data';
const HERE = path.dirname(new URL(import.meta.url).pathname);
const expected = JSON.parse(readFileSync(path.join(HERE, 'testdata/expected.json'), 'utf8')) as { models: Array<{ path: string }> };
const text = (s: string) => new TextEncoder().encode(s);

describe('sniffOnnx', () => {
  it('recognises every Debian test model, whole and by its first 64 bytes', () => {
    for (const { path: p } of expected.models) {
      const bytes = new Uint8Array(readFileSync(path.join(DATA, p)));
      expect(sniffOnnx(bytes), p).toBe(true);
      expect(sniffOnnx(bytes.subarray(0, 64)), `${p} head`).toBe(true);
    }
  });

  it('recognises a model without ir_version by its graph', () => {
    const bytes = model(...reluGraph()).subarray(2); // drop the ir_version field
    expect(sniffOnnx(bytes)).toBe(true);
  });

  it('rejects other formats and text', () => {
    const tflite = new Uint8Array([0x1c, 0, 0, 0, 0x54, 0x46, 0x4c, 0x33, 0x14, 0, 0x20, 0]);
    expect(sniffOnnx(tflite)).toBe(false);
    expect(sniffOnnx(text('{"format": "graph-model", "modelTopology": {}}'))).toBe(false);
    expect(sniffOnnx(new Uint8Array([0x50, 0x4b, 0x03, 0x04, 0x14, 0, 0, 0]))).toBe(false);
    expect(sniffOnnx(new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))).toBe(false);
    expect(sniffOnnx(text('hello world, this is not a model'))).toBe(false);
    expect(sniffOnnx(new Uint8Array([]))).toBe(false);
    expect(sniffOnnx(new Uint8Array(msg(vint(1, 5000))))).toBe(false); // absurd ir_version
    expect(sniffOnnx(new Uint8Array(msg(vint(1, 8), vint(7, 3))))).toBe(false); // graph with a varint wire type
    expect(sniffOnnx(new Uint8Array(msg(vint(1, 8), len(7, [0x7a]))))).toBe(true);
  });

  it('says no to nearly all random bytes and never throws', () => {
    let seed = 99;
    const rand = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 24);
    let yes = 0;
    for (let k = 0; k < 5000; k++) {
      const b = Uint8Array.from({ length: 1 + (k % 300) }, rand);
      if (sniffOnnx(b)) yes++;
    }
    expect(yes).toBeLessThan(25);
  });
});
