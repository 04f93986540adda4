/** Helpers for the ONNX writer's tests: the model files, a structural IR comparison, a QDQ model built by code. */
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import manifest from '../../../fixtures/manifest.json';
import type { Model, Node, Tensor } from '../../ir/types';
import { readOnnx } from './index';
import { writeOnnx } from './write';

export const LIBONNX = '/usr/share/libonnx-testdata/data';
const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../..');

export const f32 = (xs: number[]): Uint8Array => new Uint8Array(new Float32Array(xs).buffer);

/** Every model.onnx of Debian's libonnx-testdata (node, pytorch-converted, pytorch-operator, simple). */
export function libonnxModels(): string[] {
  return readdirSync(LIBONNX, { recursive: true, encoding: 'utf8' })
    .filter((p) => p.endsWith('model.onnx'))
    .map((p) => path.join(LIBONNX, p))
    .sort();
}

function onnxFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((p) => p.endsWith('.onnx')).map((p) => path.join(dir, p));
}

/** The ONNX fixtures: manifest entries (minus error cases), fixtures/third_party and public/models. */
export function fixtureModels(): string[] {
  const listed = manifest.models
    .filter((m) => 'format' in m && m.format === 'onnx' && !('error' in m))
    .map((m) => (path.isAbsolute(m.files[0]!) ? m.files[0]! : path.join(ROOT, m.files[0]!)));
  return [...new Set([...listed, ...onnxFiles(path.join(ROOT, 'fixtures/third_party')), ...onnxFiles(path.join(ROOT, 'public/models'))])].sort();
}

// ---- structural comparison: every difference as a path
// (`.graphs[0].nodes[3].attrs.then_branch.value.tensors{w}.data: 120 bytes != 124 bytes`).
// Plain data only, as the IR is: objects, arrays, Maps (by key, in any order), Uint8Arrays (by
// bytes) and primitives (NaN equals NaN, 0 and -0 differ).

const LIMIT = 20;

function show(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v.length > 60 ? `${v.slice(0, 60)}...` : v);
  if (v instanceof Uint8Array) return `${v.length} bytes`;
  if (Array.isArray(v)) return `array(${v.length})`;
  if (v instanceof Map) return `map(${v.size})`;
  if (typeof v === 'object' && v !== null) return `{${Object.keys(v).join(', ')}}`;
  return String(v);
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.from(a.buffer, a.byteOffset, a.length).equals(Buffer.from(b.buffer, b.byteOffset, b.length));
}

function diff(a: unknown, b: unknown, at: string, out: string[]): void {
  if (out.length >= LIMIT || Object.is(a, b)) return;
  const differ = () => out.push(`${at}: ${show(a)} != ${show(b)}`);
  if (a instanceof Uint8Array || b instanceof Uint8Array) {
    if (!(a instanceof Uint8Array && b instanceof Uint8Array && sameBytes(a, b))) differ();
  } else if (Array.isArray(a) || Array.isArray(b)) {
    if (Array.isArray(a) && Array.isArray(b) && a.length === b.length) a.forEach((x, i) => diff(x, b[i], `${at}[${i}]`, out));
    else differ();
  } else if (a instanceof Map || b instanceof Map) {
    if (a instanceof Map && b instanceof Map) {
      for (const k of a.keys()) if (!b.has(k)) out.push(`${at}{${k}}: only in the first`);
      for (const k of b.keys()) if (!a.has(k)) out.push(`${at}{${k}}: only in the second`);
      for (const [k, v] of a) if (b.has(k)) diff(v, b.get(k), `${at}{${k}}`, out);
    } else differ();
  } else if (typeof a === 'object' && typeof b === 'object' && a !== null && b !== null) {
    const x = a as Record<string, unknown>;
    const y = b as Record<string, unknown>;
    for (const k of Object.keys(x)) if (!Object.hasOwn(y, k)) out.push(`${at}.${k}: only in the first (${show(x[k])})`);
    for (const k of Object.keys(y)) if (!Object.hasOwn(x, k)) out.push(`${at}.${k}: only in the second (${show(y[k])})`);
    for (const k of Object.keys(x)) if (Object.hasOwn(y, k)) diff(x[k], y[k], `${at}.${k}`, out);
  } else differ();
}

/** Differences between two values of IR data (at most 20); [] when they are equal. */
export function irDiff(a: unknown, b: unknown): string[] {
  const out: string[] = [];
  diff(a, b, '', out);
  return out;
}

/** Differences between two models, leaving out `files` (the sizes of the bytes they came from). */
export function modelDiff(a: Model, b: Model): string[] {
  return irDiff({ ...a, files: [] }, { ...b, files: [] });
}

/** The differences after read -> write -> read, and whether writing the reread model gives the same bytes again. */
export function roundTrip(bytes: Uint8Array, name: string): { diff: string[]; stable: boolean } {
  const a = readOnnx(bytes, name);
  const written = writeOnnx(a);
  const b = readOnnx(written, name);
  return { diff: modelDiff(a, b), stable: Buffer.from(writeOnnx(b)).equals(Buffer.from(written)) };
}

// ---- models built by code

/**
 * A QDQ model as a quantizer builds it (opset 13, no irVersion): x -> QuantizeLinear (per-axis
 * scales, int8 zero points) -> DequantizeLinear -> Conv with an int8 weight and an int32 bias, each
 * through a per-axis DequantizeLinear -> QuantizeLinear to uint8. Outputs y (float) and y_q.
 */
export function qdqModel(): Model {
  const t = (name: string, dtype: Tensor['dtype'], shape: number[], data?: Uint8Array): Tensor =>
    data ? { name, dtype, shape, data, isConstant: true } : { name, dtype, shape };
  const tensors = new Map<string, Tensor>();
  for (const x of [
    t('x', 'float32', [1, 2, 2, 2]),
    t('x_scale', 'float32', [2], f32([0.5, 0.25])),
    t('x_zp', 'int8', [2], new Uint8Array(Int8Array.of(0, -3).buffer)),
    t('w_q', 'int8', [2, 2, 1, 1], new Uint8Array(Int8Array.of(3, -2, 1, 4).buffer)),
    t('w_scale', 'float32', [2], f32([0.5, 0.25])),
    t('b_q', 'int32', [2], new Uint8Array(Int32Array.of(10, -8).buffer)),
    t('b_scale', 'float32', [2], f32([0.125, 0.5])),
    t('y_scale', 'float32', [], f32([0.5])),
    t('y_zp', 'uint8', [], Uint8Array.of(128)),
    t('y', 'float32', [1, 2, 2, 2]),
    t('y_q', 'uint8', [1, 2, 2, 2]),
  ]) tensors.set(x.name, x);
  const axis = (v: number) => ({ axis: { kind: 'int' as const, value: v } });
  const nodes: Node[] = [
    { name: 'q_x', op: 'onnx.QuantizeLinear', inputs: ['x', 'x_scale', 'x_zp'], outputs: ['x_q'], attrs: axis(1) },
    { name: 'dq_x', op: 'onnx.DequantizeLinear', inputs: ['x_q', 'x_scale', 'x_zp'], outputs: ['x_dq'], attrs: axis(1) },
    { name: 'dq_w', op: 'onnx.DequantizeLinear', inputs: ['w_q', 'w_scale'], outputs: ['w_dq'], attrs: axis(0) },
    { name: 'dq_b', op: 'onnx.DequantizeLinear', inputs: ['b_q', 'b_scale', ''], outputs: ['b_dq'], attrs: axis(0) },
    { name: 'conv', op: 'onnx.Conv', inputs: ['x_dq', 'w_dq', 'b_dq'], outputs: ['y'], attrs: { kernel_shape: { kind: 'ints', value: [1, 1] } } },
    { name: 'q_y', op: 'onnx.QuantizeLinear', inputs: ['y', 'y_scale', 'y_zp'], outputs: ['y_q'], attrs: {} },
  ];
  for (const n of nodes) for (const o of n.outputs) if (!tensors.has(o)) tensors.set(o, { name: o, dtype: 'unknown', shape: null });
  return {
    format: 'onnx', dialect: 'onnx', name: 'qdq.onnx', files: [], metadata: { producer: 'edge-model-studio test' }, opsets: { '': 13 },
    graphs: [{ name: 'qdq', nodes, inputs: ['x'], outputs: ['y', 'y_q'], tensors }],
  };
}
