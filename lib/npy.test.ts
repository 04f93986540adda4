import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ModelFormatError } from './formats/errors';
import { halfToFloat } from './ir/values';
import { readNpy, writeNpy } from './npy';
import type { HostTensor } from './runtime/types';

const DIR = path.join(__dirname, 'npy-testdata');
interface Expected { dtype?: string; shape?: number[]; values?: Array<number | string> | null; error?: string }
const expected = JSON.parse(readFileSync(path.join(DIR, 'expected.json'), 'utf8')) as Record<string, Expected>;
const file = (name: string) => new Uint8Array(readFileSync(path.join(DIR, `${name}.npy`)));

/** Values as numpy's tolist() would print them (64-bit ints and non-finite floats as strings). */
function listOf(t: HostTensor): Array<number | string> {
  const out: Array<number | string> = [];
  for (let i = 0; i < t.data.length; i++) {
    const v = t.data[i]!;
    let x: number | string;
    if (t.dtype === 'float16') x = halfToFloat(v as number);
    else if (t.dtype === 'uint32') x = (v as number) >>> 0;
    else if (t.dtype === 'int64') x = (v as bigint).toString();
    else if (t.dtype === 'uint64') x = BigInt.asUintN(64, v as bigint).toString();
    else x = v as number;
    out.push(typeof x === 'number' && !Number.isFinite(x) ? (Number.isNaN(x) ? 'nan' : x > 0 ? 'inf' : '-inf') : x);
  }
  return out;
}

function readError(bytes: Uint8Array): unknown {
  try {
    readNpy(bytes, 'x.npy');
    return null;
  } catch (e) {
    return e;
  }
}

const good = Object.entries(expected).filter(([, e]) => !e.error);

describe('readNpy on files written by numpy', () => {
  it('has every dtype in the set, in both byte orders where it matters', () => {
    const dtypes = new Set(good.map(([, e]) => e.dtype));
    for (const d of ['float32', 'float64', 'float16', 'int8', 'uint8', 'bool', 'int16', 'uint16', 'int32', 'uint32', 'int64', 'uint64']) expect(dtypes).toContain(d);
    expect(good.filter(([n]) => n.endsWith('_be')).length).toBeGreaterThanOrEqual(5);
  });

  for (const [name, e] of good) {
    it(name, () => {
      const t = readNpy(file(name), `${name}.npy`);
      expect(t.dtype).toBe(e.dtype);
      expect(t.shape).toEqual(e.shape);
      expect(listOf(t)).toEqual(e.values);
    });
  }

  for (const [name, e] of Object.entries(expected).filter(([, x]) => x.error)) {
    it(`refuses ${name} with a clear error`, () => {
      const err = readError(file(name));
      expect(err).toBeInstanceOf(ModelFormatError);
      expect((err as Error).message).toContain('x.npy: cannot read as NumPy .npy');
      expect((err as Error).message).toContain(e.error!);
    });
  }
});

describe('writeNpy', () => {
  it('writes the same bytes numpy does for little-endian arrays', () => {
    let compared = 0;
    for (const [name] of good) {
      const bytes = file(name);
      if (bytes[6] !== 1 || name.endsWith('_be') || name === 'fortran_1d') continue;
      expect(Buffer.from(writeNpy(readNpy(bytes))).equals(Buffer.from(bytes)), name).toBe(true);
      compared++;
    }
    expect(compared).toBeGreaterThan(10);
  });

  it('round-trips every dtype through write and read', () => {
    for (const [name] of good) {
      const t = readNpy(file(name));
      const back = readNpy(writeNpy(t));
      expect(back.dtype).toBe(t.dtype);
      expect(back.shape).toEqual(t.shape);
      expect(listOf(back)).toEqual(listOf(t));
    }
  });

  it('refuses data that does not match the shape, and dtypes numpy files cannot carry here', () => {
    expect(() => writeNpy({ name: 'a', dtype: 'float32', shape: [2, 2], data: new Float32Array(3) })).toThrow(/4 elements but the data has 3/);
    expect(() => writeNpy({ name: 'a', dtype: 'bfloat16', shape: [1], data: new Uint16Array(1) })).toThrow(/bfloat16/);
  });

  const numpy = existsSync('/usr/bin/python3') && (() => {
    try { execFileSync('/usr/bin/python3', ['-c', 'import numpy'], { stdio: 'ignore' }); return true; } catch { return false; }
  })();

  it('writes files numpy reads back to the same values', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'npy-'));
    try {
      const names = good.map(([n]) => n);
      for (const n of names) writeFileSync(path.join(dir, `${n}.npy`), writeNpy(readNpy(file(n))));
      const script = `
import json, sys, numpy as np
out = {}
for n in sys.argv[2:]:
    a = np.load(sys.argv[1] + '/' + n + '.npy')
    v = a.ravel().tolist()
    if a.dtype.kind in 'iu' and a.dtype.itemsize == 8: v = [str(x) for x in v]
    if a.dtype.kind == 'b': v = [1 if x else 0 for x in v]
    if a.dtype.kind == 'f': v = [x if np.isfinite(x) else str(x) for x in v]
    out[n] = {'descr': a.dtype.str, 'shape': list(a.shape), 'values': v}
print(json.dumps(out))`;
      const got = JSON.parse(execFileSync('/usr/bin/python3', ['-c', script, dir, ...names], { encoding: 'utf8' })) as Record<string, { descr: string; shape: number[]; values: unknown[] }>;
      for (const [n, e] of good) {
        expect(got[n]!.shape, n).toEqual(e.shape);
        expect(got[n]!.values, n).toEqual(e.values);
        expect(got[n]!.descr, n).toMatch(/^[<|]/);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('readNpy on corrupt files', () => {
  const src = file('f4_le');

  it('names the cause for every truncation point', () => {
    for (let n = 0; n < src.length; n++) {
      const err = readError(src.subarray(0, n));
      expect(err, `cut at ${n}`).toBeInstanceOf(ModelFormatError);
      expect((err as Error).message).toMatch(/truncated|shorter|header/);
    }
  });

  it('rejects a bad magic, an unknown version, a huge header length and trailing bytes', () => {
    const bad = (f: (b: Uint8Array) => void) => { const b = src.slice(); f(b); return (readError(b) as Error).message; };
    expect(bad((b) => { b[1] = 0x41; })).toMatch(/magic/);
    expect(bad((b) => { b[6] = 9; })).toMatch(/version 9\.0/);
    expect(bad((b) => { b[6] = 2; b[8] = 0xff; b[9] = 0xff; b[10] = 0xff; b[11] = 0x7f; })).toMatch(/implausibly large/);
    const longer = new Uint8Array(src.length + 3);
    longer.set(src);
    expect((readError(longer) as Error).message).toMatch(/3 unexpected bytes/);
  });

  it('explains malformed headers', () => {
    const make = (h: string) => {
      const b = new Uint8Array(10 + h.length);
      b.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, h.length & 0xff, h.length >> 8]);
      for (let i = 0; i < h.length; i++) b[10 + i] = h.charCodeAt(i);
      return (readError(b) as Error).message;
    };
    expect(make("{'descr': '<f4', 'fortran_order': False}\n")).toMatch(/no 'shape' key/);
    expect(make("{'descr': '<f4', 'fortran_order': False, 'shape': (2, -1), }\n")).toMatch(/non-negative/);
    expect(make("{'descr': '<f4', 'fortran_order': 0, 'shape': (), }\n")).toMatch(/fortran_order/);
    expect(make("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3\n")).toMatch(/expected '\)'/);
    expect(make("{'descr: '<f4'}")).toMatch(/header/);
    expect(make("{'descr': '<q7', 'fortran_order': False, 'shape': (), }")).toMatch(/'<q7' is not supported/);
    expect(make('['.repeat(50))).toMatch(/nested too deeply/);
    expect(make("{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999, 99999999999), }")).toMatch(/truncated/);
  });

  it('never throws anything but ModelFormatError on random byte flips', () => {
    let seed = 12345;
    const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
    for (let k = 0; k < 2000; k++) {
      const b = src.slice();
      for (let j = 0; j < 3; j++) b[Math.floor(rand() * 128)] = Math.floor(rand() * 256);
      const err = readError(b);
      if (err !== null) expect(err).toBeInstanceOf(ModelFormatError);
    }
  });
});
