/**
 * Per-channel weight quantization kernels: wasm SIMD (weights.wat) where the engine has it, and
 * a JS version with the same float32 arithmetic otherwise, so both give the same bytes.
 *
 * Why wasm: quantizing is two passes over every weight of a model. Scalar JS measured ~10x a
 * plain copy of the same bytes on MobileNetV2's weights; the SIMD kernels read 4-16 floats per
 * instruction (bench/quantize.ts prints the ratio).
 */
import { WASM_BASE64 } from './weights-wasm';

interface Exports {
  memory: WebAssembly.Memory;
  absmax(p: number, n: number): number;
  absmax_cols(p: number, rows: number, cols: number, out: number): void;
  quantize(src: number, dst: number, n: number, inv: number, qmax: number): void;
  quantize_cols(src: number, dst: number, rows: number, cols: number, invp: number, qmax: number): void;
  absmax_rows(p: number, rows: number, inner: number, out: number): void;
  quantize_rows(src: number, dst: number, rows: number, inner: number, invp: number, qmax: number): void;
}

let instance: Exports | null | undefined;

function decode(b64: string): Uint8Array<ArrayBuffer> {
  if (typeof atob === 'function') return Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  return Uint8Array.from(Buffer.from(b64, 'base64'));
}

/** The kernels, or null where wasm SIMD is missing (or JS is forced for tests). */
function kernels(): Exports | null {
  if (instance !== undefined) return instance;
  instance = null;
  try {
    const bytes = decode(WASM_BASE64);
    if (typeof WebAssembly !== 'undefined' && WebAssembly.validate(bytes)) {
      instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), {}).exports as unknown as Exports;
    }
  } catch {
    instance = null;
  }
  return instance;
}

/** Test hook: run the JS versions (to check both give the same results). */
export function useWasmKernels(on: boolean): void {
  instance = on ? undefined : null;
}

export const wasmKernelsAvailable = (): boolean => kernels() !== null;

/** Grows wasm memory to at least `bytes` and returns its buffer. */
function room(k: Exports, bytes: number): ArrayBuffer {
  const have = k.memory.buffer.byteLength;
  if (bytes > have) k.memory.grow(Math.ceil((bytes - have) / 65536));
  return k.memory.buffer;
}

/** [outer, channels, inner]: channel c of block o starts at (o * channels + c) * inner. */
export type Blocks = [outer: number, channels: number, inner: number];

/** Largest |w| per channel. */
export function absMaxBlocks(values: Float32Array, [outer, channels, inner]: Blocks): Float64Array {
  const out = new Float64Array(channels);
  const k = kernels();
  if (k && (inner >= 16 || (inner === 1 && outer > 1))) {
    const buf = room(k, values.byteLength + channels * 4);
    new Float32Array(buf, 0, values.length).set(values);
    if (inner === 1) {
      const o = new Float32Array(buf, values.byteLength, channels).fill(0);
      k.absmax_cols(0, outer, channels, values.byteLength);
      out.set(o);
      return out;
    }
    for (let b = 0, i = 0; b < outer; b++) {
      for (let c = 0; c < channels; c++, i += inner) out[c] = Math.max(out[c]!, k.absmax(i * 4, inner));
    }
    return out;
  }
  for (let o = 0, i = 0; o < outer; o++) {
    for (let c = 0; c < channels; c++) {
      let m = out[c]!;
      for (const end = i + inner; i < end; i++) {
        const v = values[i]!;
        const a = v < 0 ? -v : v;
        if (a > m) m = a;
      }
      out[c] = m;
    }
  }
  return out;
}

/** std::round on a float32, as the wasm kernel computes it. */
function round32(x: number, qmax: number): number {
  if (x !== x) return -qmax; // what the kernel's pmax / pmin clamp makes of NaN
  const t = Math.trunc(x);
  const r = Math.abs(x - t) >= 0.5 ? t + (x < 0 ? -1 : 1) : t;
  return r > qmax ? qmax : r < -qmax ? -qmax : r;
}

/** int8 codes round(w * inv[c]) with float32 products; `inv` per channel (float32 values). */
export function quantizeBlocks(values: Float32Array, [outer, channels, inner]: Blocks, inv: Float32Array, qmax: number): Int8Array {
  const k = kernels();
  if (k && (inner >= 16 || (inner === 1 && outer > 1))) {
    const n = values.length;
    const buf = room(k, n * 5 + channels * 4 + 16);
    new Float32Array(buf, 0, n).set(values);
    const dst = n * 4, invp = Math.ceil((n * 5) / 16) * 16;
    if (inner === 1) {
      new Float32Array(buf, invp, channels).set(inv);
      k.quantize_cols(0, dst, outer, channels, invp, qmax);
    } else {
      for (let b = 0, i = 0; b < outer; b++) {
        for (let c = 0; c < channels; c++, i += inner) k.quantize(i * 4, dst + i, inner, inv[c]!, qmax);
      }
    }
    return new Int8Array(buf, dst, n).slice();
  }
  const out = new Int8Array(values.length);
  for (let o = 0, i = 0; o < outer; o++) {
    for (let c = 0; c < channels; c++) {
      const f = inv[c]!;
      for (const end = i + inner; i < end; i++) out[i] = round32(Math.fround(values[i]! * f), qmax);
    }
  }
  return out;
}

/**
 * Symmetric per-channel quantization in one go: the weights are copied into wasm memory once,
 * for both passes. Scales are float32 (as the file stores them): max|w| / qmax, or 1 / qmax for
 * an all-zero channel.
 */
export function quantizeSymmetric(values: Float32Array, b: Blocks, qmax: number): { codes: Int8Array; scales: number[] } {
  const scaleOf = (m: number) => Math.fround(m > 0 ? m / qmax : 1 / qmax);
  const k = kernels();
  const [outer, channels, inner] = b;
  if (!k || !(inner >= 16 || (inner === 1 && outer > 1))) {
    const abs = absMaxBlocks(values, b);
    const scales = new Array<number>(channels);
    const inv = new Float32Array(channels);
    for (let c = 0; c < channels; c++) { scales[c] = scaleOf(abs[c]!); inv[c] = 1 / scales[c]!; }
    return { codes: quantizeBlocks(values, b, inv, qmax), scales };
  }
  const n = values.length;
  const dst = n * 4, side = Math.ceil((n * 5) / 16) * 16;
  const buf = room(k, side + channels * 4);
  new Float32Array(buf, 0, n).set(values);
  const abs = new Float64Array(channels);
  if (inner === 1) {
    new Float32Array(buf, side, channels).fill(0);
    k.absmax_cols(0, outer, channels, side);
    abs.set(new Float32Array(buf, side, channels));
  } else {
    const m = new Float32Array(buf, side, channels);
    for (let o = 0; o < outer; o++) {
      k.absmax_rows(o * channels * inner * 4, channels, inner, side);
      for (let c = 0; c < channels; c++) abs[c] = Math.max(abs[c]!, m[c]!);
    }
  }
  // Loops, not TypedArray.from(x, fn): the mapping form costs more than the kernels here.
  const scales = new Array<number>(channels);
  const inv = new Float32Array(buf, side, channels);
  for (let c = 0; c < channels; c++) { scales[c] = scaleOf(abs[c]!); inv[c] = 1 / scales[c]!; }
  if (inner === 1) k.quantize_cols(0, dst, outer, channels, side, qmax);
  else for (let o = 0; o < outer; o++) k.quantize_rows(o * channels * inner * 4, dst + o * channels * inner, channels, inner, side, qmax);
  return { codes: new Int8Array(buf, dst, n).slice(), scales };
}
