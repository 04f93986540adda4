/**
 * NumPy .npy files <-> HostTensor, the format ML engineers already use for inputs and outputs.
 * Format: https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html
 *
 * HostTensor has no Uint32Array / BigUint64Array member, so 'uint32' and 'uint64' tensors carry
 * their bits in an Int32Array / BigInt64Array (same bytes, the dtype says how to read them).
 * float16 is a Uint16Array of half-float bits, as everywhere in lib/.
 */
import type { DType } from './ir/types';
import { ModelFormatError } from './formats/errors';
import type { HostTensor } from './runtime/types';

const LABEL = 'NumPy .npy';
const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY
/** numpy itself refuses headers over 10000 bytes by default; leave room but never parse megabytes. */
const MAX_HEADER = 1 << 20;
const MAX_RANK = 64;

interface Kind { dtype: DType; size: number }

/** numpy type character + item size -> our dtype. */
const KINDS: Record<string, Kind> = {
  f4: { dtype: 'float32', size: 4 }, f8: { dtype: 'float64', size: 8 }, f2: { dtype: 'float16', size: 2 },
  i1: { dtype: 'int8', size: 1 }, u1: { dtype: 'uint8', size: 1 }, b1: { dtype: 'bool', size: 1 },
  i2: { dtype: 'int16', size: 2 }, u2: { dtype: 'uint16', size: 2 },
  i4: { dtype: 'int32', size: 4 }, u4: { dtype: 'uint32', size: 4 },
  i8: { dtype: 'int64', size: 8 }, u8: { dtype: 'uint64', size: 8 },
};

const DESCR: Partial<Record<DType, string>> = {
  float32: '<f4', float64: '<f8', float16: '<f2', int8: '|i1', uint8: '|u1', bool: '|b1',
  int16: '<i2', uint16: '<u2', int32: '<i4', uint32: '<u4', int64: '<i8', uint64: '<u8',
};

/** dtypes readNpy can return and writeNpy can write. */
export const NPY_DTYPES = Object.keys(DESCR) as DType[];

type HostData = HostTensor['data'];

/** A HostTensor's typed array over a fresh, aligned copy of `bytes` (little-endian). */
export function hostData(dtype: DType, bytes: Uint8Array): HostData {
  const buf = bytes.slice().buffer;
  switch (dtype) {
    case 'float32': return new Float32Array(buf);
    case 'float64': return new Float64Array(buf);
    case 'int32': case 'uint32': return new Int32Array(buf);
    case 'int16': return new Int16Array(buf);
    case 'uint16': case 'float16': return new Uint16Array(buf);
    case 'int8': return new Int8Array(buf);
    case 'uint8': case 'bool': return new Uint8Array(buf);
    case 'int64': case 'uint64': return new BigInt64Array(buf);
    default: throw new Error(`dtype ${dtype} has no host array`);
  }
}

// ---- header parsing: a Python dict literal such as {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }

type PyValue = string | boolean | number | PyValue[] | { [k: string]: PyValue };

class HeaderParser {
  private i = 0;
  constructor(private readonly s: string, private readonly fail: (why: string) => never) {}

  parse(): PyValue {
    const v = this.value(0);
    this.ws();
    if (this.i < this.s.length) this.fail(`header: unexpected '${this.s[this.i]}' at character ${this.i} after the dictionary`);
    return v;
  }

  private ws(): void {
    while (this.i < this.s.length && ' \t\n\r'.includes(this.s[this.i]!)) this.i++;
  }

  private expect(c: string): void {
    this.ws();
    if (this.s[this.i] !== c) this.fail(`header: expected '${c}' at character ${this.i}, found ${this.s[this.i] === undefined ? 'the end' : `'${this.s[this.i]}'`}`);
    this.i++;
  }

  private value(depth: number): PyValue {
    if (depth > 8) this.fail('header: nested too deeply');
    this.ws();
    const c = this.s[this.i];
    if (c === '{') return this.dict(depth);
    if (c === '(' || c === '[') return this.seq(depth, c === '(' ? ')' : ']');
    if (c === "'" || c === '"') return this.str();
    const m = /^(True|False|-?\d+L?)/.exec(this.s.slice(this.i, this.i + 32));
    if (!m) this.fail(`header: unexpected ${c === undefined ? 'end' : `'${c}'`} at character ${this.i}`);
    this.i += m[0].length;
    if (m[0] === 'True' || m[0] === 'False') return m[0] === 'True';
    const n = Number(m[0].replace('L', ''));
    if (!Number.isSafeInteger(n)) this.fail(`header: integer ${m[0]} is too large`);
    return n;
  }

  private str(): string {
    const q = this.s[this.i++]!;
    const end = this.s.indexOf(q, this.i);
    if (end < 0) this.fail(`header: unterminated string at character ${this.i - 1}`);
    const v = this.s.slice(this.i, end);
    this.i = end + 1;
    return v;
  }

  private seq(depth: number, close: string): PyValue[] {
    this.i++;
    const out: PyValue[] = [];
    for (;;) {
      this.ws();
      if (this.s[this.i] === close) { this.i++; return out; }
      out.push(this.value(depth + 1));
      this.ws();
      if (this.s[this.i] === ',') { this.i++; continue; }
      this.expect(close);
      return out;
    }
  }

  private dict(depth: number): { [k: string]: PyValue } {
    this.i++;
    const out: { [k: string]: PyValue } = Object.create(null) as { [k: string]: PyValue };
    for (;;) {
      this.ws();
      if (this.s[this.i] === '}') { this.i++; return out; }
      const k = this.value(depth + 1);
      if (typeof k !== 'string') this.fail(`header: dictionary key at character ${this.i} is not a string`);
      this.expect(':');
      out[k] = this.value(depth + 1);
      this.ws();
      if (this.s[this.i] === ',') { this.i++; continue; }
      this.expect('}');
      return out;
    }
  }
}

function parseDescr(descr: PyValue, fail: (why: string) => never): { kind: Kind; bigEndian: boolean } {
  if (typeof descr !== 'string') fail('structured dtypes (a list of fields) are not supported; save a plain array');
  const m = /^([<>|=]?)([a-zA-Z])(\d*)$/.exec(descr);
  const code = m ? `${m[2]}${m[3]}` : '';
  const kind = KINDS[code];
  if (!m || !kind) {
    const t = m?.[2];
    const why = t === 'O' ? 'object arrays (pickled Python objects) are not supported'
      : t === 'U' || t === 'S' ? 'string arrays are not supported'
      : t === 'c' ? 'complex arrays are not supported'
      : `dtype '${descr}' is not supported (supported: ${Object.keys(KINDS).join(' ')})`;
    fail(why);
  }
  // '=' means native order of the writer, which numpy never writes to files; treat it as little.
  return { kind, bigEndian: m[1] === '>' && kind.size > 1 };
}

function byteSwap(bytes: Uint8Array, size: number): Uint8Array {
  const out = new Uint8Array(bytes.length);
  for (let i = 0; i < bytes.length; i += size) for (let j = 0; j < size; j++) out[i + j] = bytes[i + size - 1 - j]!;
  return out;
}

/**
 * Reads a .npy file (format versions 1.0, 2.0, 3.0; little- or big-endian; C order).
 * Throws ModelFormatError naming the file and the cause for anything else.
 */
export function readNpy(bytes: Uint8Array, fileName = 'array.npy', name = ''): HostTensor {
  const fail = (why: string): never => { throw new ModelFormatError(fileName, LABEL, why); };
  if (bytes.length < 10) fail(`truncated: ${bytes.length} bytes is shorter than the 10-byte preamble`);
  if (MAGIC.some((b, i) => bytes[i] !== b)) fail('not a .npy file (no \\x93NUMPY magic at the start)');
  const major = bytes[6]!, minor = bytes[7]!;
  if (major < 1 || major > 3) fail(`format version ${major}.${minor} is not supported (1.0, 2.0, 3.0 are)`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let headerStart = 10, headerLen: number;
  if (major === 1) headerLen = dv.getUint16(8, true);
  else {
    if (bytes.length < 12) fail('truncated: the 4-byte header length is cut off');
    headerLen = dv.getUint32(8, true);
    headerStart = 12;
  }
  if (headerLen > MAX_HEADER) fail(`header length ${headerLen} is implausibly large`);
  const dataStart = headerStart + headerLen;
  if (dataStart > bytes.length) fail(`truncated: header of ${headerLen} bytes runs past the end of the file at byte ${bytes.length}`);
  const headerBytes = bytes.subarray(headerStart, dataStart);
  const header = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(headerBytes);
  const dict = new HeaderParser(header, fail).parse();
  if (typeof dict !== 'object' || Array.isArray(dict)) fail('header is not a dictionary');
  const d = dict as { [k: string]: PyValue };
  for (const k of ['descr', 'fortran_order', 'shape']) if (!(k in d)) fail(`header has no '${k}' key`);
  const { kind, bigEndian } = parseDescr(d.descr!, fail);
  if (typeof d.fortran_order !== 'boolean') fail("header 'fortran_order' is not True or False");
  const shapeV = d.shape!;
  if (!Array.isArray(shapeV) || shapeV.some((x) => typeof x !== 'number' || x < 0)) fail("header 'shape' is not a tuple of non-negative integers");
  const shape = shapeV as number[];
  if (shape.length > MAX_RANK) fail(`rank ${shape.length} is over the limit of ${MAX_RANK}`);
  let count = 1;
  for (const n of shape) count *= n;
  if (d.fortran_order === true && shape.filter((n) => n > 1).length > 1) {
    fail('Fortran-order (column-major) arrays are not supported; save with np.ascontiguousarray(a)');
  }
  const nbytes = count * kind.size;
  const have = bytes.length - dataStart;
  if (nbytes > have) fail(`truncated: shape (${shape.join(', ')}) of ${d.descr as string} needs ${nbytes} data bytes, the file has ${have} after the header`);
  if (nbytes < have) fail(`${have - nbytes} unexpected bytes after the array data (shape (${shape.join(', ')}) of ${d.descr as string} needs ${nbytes})`);
  let raw = bytes.subarray(dataStart, dataStart + nbytes);
  if (bigEndian) raw = byteSwap(raw, kind.size);
  const data = hostData(kind.dtype, raw);
  if (kind.dtype === 'bool') for (let i = 0; i < data.length; i++) (data as Uint8Array)[i] = data[i] ? 1 : 0;
  return { name, dtype: kind.dtype, shape, data };
}

/** Writes a HostTensor as a little-endian C-order .npy (version 1.0, or 2.0 for huge headers). */
export function writeNpy(t: HostTensor): Uint8Array {
  const descr = DESCR[t.dtype];
  if (!descr) throw new Error(`cannot write ${t.name || 'tensor'} as .npy: dtype ${t.dtype} has no NumPy equivalent here (supported: ${NPY_DTYPES.join(', ')})`);
  const count = t.shape.reduce((a, b) => a * b, 1);
  if (count !== t.data.length) throw new Error(`cannot write ${t.name || 'tensor'} as .npy: shape [${t.shape.join(', ')}] has ${count} elements but the data has ${t.data.length}`);
  const shape = t.shape.length === 1 ? `(${t.shape[0]},)` : `(${t.shape.join(', ')})`;
  const dict = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shape}, }`;
  // numpy pads with spaces so that the data starts on a 64-byte boundary, and ends with '\n'.
  let pre = 10;
  let total = Math.ceil((pre + dict.length + 1) / 64) * 64;
  let major = 1;
  if (total - pre > 0xffff) { major = 2; pre = 12; total = Math.ceil((pre + dict.length + 1) / 64) * 64; }
  const header = dict + ' '.repeat(total - pre - dict.length - 1) + '\n';
  const src = new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
  const out = new Uint8Array(total + src.length);
  out.set(MAGIC, 0);
  out[6] = major;
  out[7] = 0;
  const dv = new DataView(out.buffer);
  if (major === 1) dv.setUint16(8, header.length, true);
  else dv.setUint32(8, header.length, true);
  for (let i = 0; i < header.length; i++) out[pre + i] = header.charCodeAt(i);
  out.set(src, total);
  return out;
}
