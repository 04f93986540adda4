/**
 * The IDX format of MNIST-style data sets (big-endian header: magic 0x00000803 for uint8 images
 * with 3 dims, 0x00000801 for uint8 labels; then one uint32 per dimension; then the data).
 * Pure: works on bytes in Node, workers and the page.
 */
export interface Idx {
  dims: number[];
  /** The uint8 payload, a view into the input bytes. */
  data: Uint8Array;
}

export function readIdx(bytes: Uint8Array, what = 'IDX data'): Idx {
  if (bytes.length < 8) throw new Error(`${what}: ${bytes.length} bytes is too short for an IDX header`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0);
  if (magic >>> 8 !== 0x08) throw new Error(`${what}: not uint8 IDX data (magic 0x${magic.toString(16)})`);
  const rank = magic & 0xff;
  if (rank < 1 || rank > 4 || bytes.length < 4 + 4 * rank) throw new Error(`${what}: bad IDX rank ${rank}`);
  const dims = Array.from({ length: rank }, (_, i) => view.getUint32(4 + 4 * i));
  const size = dims.reduce((a, b) => a * b, 1);
  const start = 4 + 4 * rank;
  if (bytes.length < start + size) throw new Error(`${what}: truncated (header says ${size} bytes of data, ${bytes.length - start} present)`);
  return { dims, data: bytes.subarray(start, start + size) };
}

export function writeIdx(dims: number[], data: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + 4 * dims.length + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, 0x0800 | dims.length);
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d));
  out.set(data, 4 + 4 * dims.length);
  return out;
}
