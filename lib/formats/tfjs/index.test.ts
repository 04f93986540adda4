/**
 * The plugin surface: sniff, companions, JSON errors with positions, top-level structure
 * errors, cancellation, progress, and hostile input (truncation and byte mutations).
 */
import { describe, expect, it } from 'vitest';
import { AbortedError, ModelFormatError } from '../errors';
import type { InputFile } from '../types';
import { sniffTfjs, tfjsFormat } from './index';
import { findJsonError } from './json';
import { f32Bytes, jsonFile } from './testdata/fixtures';

const enc = new TextEncoder();
const bytes = (s: string) => enc.encode(s);

const small = {
  format: 'graph-model',
  modelTopology: {
    node: [
      { name: 'x', op: 'Placeholder', attr: { dtype: { type: 'DT_FLOAT' } } },
      { name: 'w', op: 'Const', attr: { dtype: { type: 'DT_FLOAT' } } },
      { name: 'y', op: 'Mul', input: ['x', 'w'], attr: { T: { type: 'DT_FLOAT' } } },
    ],
  },
  weightsManifest: [{ paths: ['w.bin'], weights: [{ name: 'w', shape: [2], dtype: 'float32' }] }],
};
const smallFiles = (): InputFile[] => [jsonFile(small), { name: 'w.bin', bytes: f32Bytes([3, 4]) }];

async function failure(files: InputFile[]): Promise<ModelFormatError> {
  try {
    await tfjsFormat.read(files);
  } catch (e) {
    if (!(e instanceof ModelFormatError)) throw e;
    return e;
  }
  throw new Error('expected a ModelFormatError');
}

describe('sniff', () => {
  it('recognises model.json by content, after a BOM and whitespace, from a 64 KB head', () => {
    expect(sniffTfjs(bytes('{"modelTopology": {}}'))).toBe(true);
    expect(sniffTfjs(bytes('\ufeff \n\t{"weightsManifest":[]}'))).toBe(true);
    expect(sniffTfjs(bytes('{"format" : "layers-model", "x": 1'))).toBe(true);
    expect(sniffTfjs(bytes('{"format":"graph-model"'))).toBe(true);
    // A huge file cut at 64 KB in the middle of a multi-byte character still sniffs.
    const big = bytes('{"modelTopology": {"node": [' + '{"name": "é"},'.repeat(10000));
    expect(sniffTfjs(big.subarray(0, 64 * 1024 - 1))).toBe(true);
    expect(tfjsFormat.extensions).toEqual(['.json']);
    expect(tfjsFormat.id).toBe('tfjs');
    expect(tfjsFormat.label).toBe('TF.js');
  });

  it('rejects other JSON, binary files and empty input without throwing', () => {
    expect(sniffTfjs(bytes('{"class_name": "Sequential", "config": {}}'))).toBe(false);
    expect(sniffTfjs(bytes('["modelTopology"]'))).toBe(false);
    expect(sniffTfjs(bytes('{"format": "onnx"}'))).toBe(false);
    expect(sniffTfjs(new Uint8Array(0))).toBe(false);
    expect(sniffTfjs(Uint8Array.from([0x08, 0x07, 0x12, 0x04, 0x54, 0x46, 0x4c, 0x33]))).toBe(false);
    expect(sniffTfjs(Uint8Array.from([0xef, 0xbb]))).toBe(false);
  });
});

describe('companions', () => {
  it('lists shard paths as written, across groups, without duplicates', () => {
    const doc = { modelTopology: {}, weightsManifest: [{ paths: ['a/g1-s1', 'a/g1-s2'], weights: [] }, { paths: ['g2', 'a/g1-s1'], weights: [] }] };
    expect(tfjsFormat.companions!(jsonFile(doc))).toEqual(['a/g1-s1', 'a/g1-s2', 'g2']);
  });
  it('returns [] on any problem', () => {
    expect(tfjsFormat.companions!({ name: 'm.json', bytes: bytes('{"weightsManifest": [') })).toEqual([]);
    expect(tfjsFormat.companions!({ name: 'm.json', bytes: bytes('{"weightsManifest": 5}') })).toEqual([]);
    expect(tfjsFormat.companions!({ name: 'm.json', bytes: bytes('{"weightsManifest": [null, {"paths": [1, "ok"]}]}') })).toEqual(['ok']);
    expect(tfjsFormat.companions!({ name: 'm.json', bytes: Uint8Array.from([0xff, 0x00]) })).toEqual([]);
  });
});

describe('JSON errors carry the position', () => {
  it('locates the first syntax error like a JSON parser would', () => {
    expect(findJsonError('{"a": }').at).toBe(6);
    expect(findJsonError('{"a": 1').at).toBe(7);
    expect(findJsonError('{"a": 1').why).toContain('end of input');
    expect(findJsonError('[1, 2,]').at).toBe(6);
    expect(findJsonError('{"a": [1, 2}').at).toBe(11);
    expect(findJsonError('{"a": "x\ny"}').why).toContain('string');
    expect(findJsonError('{a: 1}').why).toContain('property name');
    expect(findJsonError('{"a": 1} x').why).toContain('after the JSON value');
    expect(findJsonError('{"a": tru}').at).toBe(6);
    expect(findJsonError('{"a": "\\q"}').at).toBe(7);
  });

  it('read() reports file, format, position, line and column', async () => {
    const e = await failure([{ name: 'model.json', bytes: bytes('{\n  "modelTopology": {\n    "node": [}\n}') }]);
    expect(e.message).toMatch(/^model\.json: cannot read as TF\.js: invalid JSON at position 36 \(line 3, column 14\): unexpected character "}"/);
  });

  it('empty file, non-object JSON, missing modelTopology', async () => {
    expect((await failure([{ name: 'a.json', bytes: new Uint8Array(0) }])).reason).toContain('invalid JSON at position 0');
    expect((await failure([jsonFile([1, 2])])).reason).toBe('the file holds JSON array, expected an object with modelTopology');
    expect((await failure([jsonFile({ weightsManifest: [] })])).reason).toContain('modelTopology is missing');
    expect((await failure([jsonFile({ modelTopology: 'x' })])).reason).toBe('modelTopology is a string, expected an object');
    expect((await failure([jsonFile({ modelTopology: {} })])).reason).toContain('neither "node"');
    expect((await failure([jsonFile({ ...small, weightsManifest: [{ paths: 'w.bin' }] })])).reason)
      .toBe('weightsManifest[0].paths is a string, expected an array');
  });
});

describe('reading', () => {
  it('reports progress, lists files, works without a manifest (no data)', async () => {
    const phases: number[] = [];
    const m = await tfjsFormat.read(smallFiles(), { onProgress: (f) => phases.push(f) });
    expect(phases[0]).toBe(0);
    expect(phases[phases.length - 1]).toBe(1);
    expect(m.files).toEqual([{ name: 'model.json', bytes: jsonFile(small).bytes.length }, { name: 'w.bin', bytes: 8 }]);
    const noWeights = await tfjsFormat.read([jsonFile({ ...small, weightsManifest: undefined })]);
    expect(noWeights.graphs[0]!.tensors.get('w')!.data).toBeUndefined();
    expect(noWeights.metadata.warnings).toContain('no weightsManifest');
  });

  it('a fired AbortSignal cancels', async () => {
    const ac = new AbortController();
    ac.abort();
    await expect(tfjsFormat.read(smallFiles(), { signal: ac.signal })).rejects.toBeInstanceOf(AbortedError);
  });

  it('deeply nested metadata does not overflow the stack', async () => {
    const deep = '{"a":'.repeat(100000) + '1' + '}'.repeat(100000);
    const text = JSON.stringify(small).replace(/}$/, `, "userDefinedMetadata": ${deep}}`);
    const m = await tfjsFormat.read([{ name: 'model.json', bytes: bytes(text) }, smallFiles()[1]!]);
    expect(m.metadata.userDefinedMetadata).toContain('nested');
  });

  it('every truncation and random byte mutation fails cleanly with ModelFormatError or reads', async () => {
    const base = jsonFile(small).bytes;
    const shard = smallFiles()[1]!;
    let rejected = 0;
    const attempt = async (b: Uint8Array) => {
      try {
        await tfjsFormat.read([{ name: 'model.json', bytes: b }, shard]);
      } catch (e) {
        expect(e, String(e)).toBeInstanceOf(ModelFormatError);
        rejected++;
      }
    };
    for (let n = 0; n < base.length; n++) await attempt(base.subarray(0, n));
    let s = 12345;
    const r = () => ((s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32);
    const alphabet = bytes('{}[]":,0-1.eE"\\ nulltrue');
    for (let k = 0; k < 2000; k++) {
      const b = base.slice();
      for (let j = 0; j < 3; j++) b[Math.floor(r() * b.length)] = alphabet[Math.floor(r() * alphabet.length)]!;
      await attempt(b);
    }
    expect(rejected).toBeGreaterThan(base.length);
  });

  it('structural mutations of valid JSON (wrong types anywhere) fail cleanly', async () => {
    const paths: Array<(d: any) => void> = [];
    const replacements = [null, 5, 'str', [], {}, true, -1, [null]];
    const visit = (v: unknown, setter: (d: any, x: unknown) => void, get: (d: any) => any) => {
      for (const x of replacements) paths.push((d) => setter(d, x));
      if (v && typeof v === 'object') {
        for (const k of Object.keys(v)) {
          visit((v as any)[k], (d, x) => { get(d)[k] = x; }, (d) => get(d)[k]);
        }
      }
    };
    for (const k of Object.keys(small)) visit((small as any)[k], (d, x) => { d[k] = x; }, (d) => d[k]);
    expect(paths.length).toBeGreaterThan(100);
    for (const mutate of paths) {
      const d = JSON.parse(JSON.stringify(small));
      mutate(d);
      try {
        await tfjsFormat.read([jsonFile(d), smallFiles()[1]!]);
      } catch (e) {
        expect(e, String(e)).toBeInstanceOf(ModelFormatError);
      }
    }
  });
});
