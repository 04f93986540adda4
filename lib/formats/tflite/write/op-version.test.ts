/**
 * Op versions: our table against the versions the real TFLite converter wrote into the fixture
 * files, targeted cases from op_version.cc, and the writer storing them.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AttrValue, DType, Graph, Model, Node, Tensor } from '../../../ir/types';
import manifest from '../../../../fixtures/manifest.json';
import { tfliteFormat } from '../index';
import { writeTflite } from '../write';
import { minOpVersion, VERSION_RULES, writtenOpVersion } from './op-version';

const FILES = manifest.models
  .filter((m) => 'format' in m && m.format === 'tflite' && m.files[0]!.endsWith('.tflite') && !m.id.startsWith('corrupt/'))
  .map((m) => m.files[0]!);

const read = (bytes: Uint8Array, name: string): Promise<Model> => tfliteFormat.read([{ name, bytes }]);

/**
 * Nodes whose file version is below what op_version.cc computes today: written by older
 * converters (mediapipe's), which the runtimes still run. Key: file basename | op | features.
 */
const OLDER_CONVERTER = new Set([
  'selfie_segmentation.tflite|DEQUANTIZE|float16|v2<3',
  'selfie_segmentation_landscape.tflite|DEQUANTIZE|float16|v2<3',
  'face_detection_short_range.tflite|DEQUANTIZE|float16|v2<3',
  'face_detection_full_range.tflite|DEQUANTIZE|float16|v2<3',
  'selfie_segmentation.tflite|RESIZE_BILINEAR|float32|v1<3',
  'selfie_segmentation_landscape.tflite|RESIZE_BILINEAR|float32|v1<3',
  'face_detection_full_range.tflite|RESIZE_BILINEAR|float32|v1<3',
]);

describe('minOpVersion against the versions in real converter output', () => {
  const totals = { equal: 0, lower: 0, files: 0 };
  it.each(FILES)('%s: file version >= computed minimum', async (file) => {
    if (!existsSync(file)) throw new Error(`missing fixture ${file}: run node scripts/fetch-models.mjs`);
    const base = path.basename(file);
    const m = await read(new Uint8Array(readFileSync(file)), base);
    const tooHigh = new Set<string>();
    for (const g of m.graphs) {
      for (const n of g.nodes) {
        if (n.custom) continue;
        const fileVersion = n.version ?? 1;
        const min = minOpVersion(n, g);
        if (min === fileVersion) totals.equal++;
        else if (min < fileVersion) totals.lower++;
        else tooHigh.add(`${base}|${n.op.slice(4)}|${g.tensors.get(n.inputs[0] ?? '')?.dtype}|v${fileVersion}<${min}`);
      }
    }
    totals.files++;
    expect([...tooHigh].filter((k) => !OLDER_CONVERTER.has(k))).toEqual([]);
    // The writer keeps every file version, so round trips stay identical.
    for (const g of m.graphs) for (const n of g.nodes) expect(writtenOpVersion(n, g)).toBe(n.version ?? 1);
    if (totals.files === FILES.length) {
      console.log(`op versions over ${FILES.length} fixtures: ${totals.equal} nodes equal, ${totals.lower} computed lower than the file`);
    }
  });

  it('the known older-converter exceptions still occur (the list is not stale)', async () => {
    const seen = new Set<string>();
    for (const file of FILES.filter((f) => existsSync(f))) {
      const base = path.basename(file);
      const m = await read(new Uint8Array(readFileSync(file)), base);
      for (const g of m.graphs) for (const n of g.nodes) {
        const min = minOpVersion(n, g);
        if (min > (n.version ?? 1)) seen.add(`${base}|${n.op.slice(4)}|${g.tensors.get(n.inputs[0] ?? '')?.dtype}|v${n.version ?? 1}<${min}`);
      }
    }
    expect([...OLDER_CONVERTER].filter((k) => !seen.has(k))).toEqual([]);
  });
});

// ---- targeted cases ---------------------------------------------------------------------------

interface Spec { dtype: DType; shape: number[]; scale?: number[]; axis?: number; constant?: boolean }

/** A one-node graph; inputs named i0.., '' for an omitted one; outputs o0... */
function graphOf(op: string, inputs: Array<Spec | null>, outputs: Spec[], attrs: Record<string, AttrValue> = {}): { node: Node; graph: Graph } {
  const tensors = new Map<string, Tensor>();
  const add = (name: string, s: Spec) => {
    const t: Tensor = { name, dtype: s.dtype, shape: s.shape };
    if (s.scale) t.quant = { scale: s.scale, zeroPoint: s.scale.map(() => 0), ...(s.axis !== undefined ? { axis: s.axis } : {}) };
    if (s.constant) {
      t.isConstant = true;
      t.data = new Uint8Array(s.shape.reduce((a, b) => a * b, 1) * (s.dtype === 'float32' || s.dtype === 'int32' ? 4 : s.dtype === 'float16' ? 2 : 1));
    }
    tensors.set(name, t);
    return name;
  };
  const node: Node = {
    name: 'n',
    op: `tfl.${op}`,
    inputs: inputs.map((s, i) => (s ? add(`i${i}`, s) : '')),
    outputs: outputs.map((s, i) => add(`o${i}`, s)),
    attrs,
  };
  const graph: Graph = { name: 'main', nodes: [node], inputs: node.inputs.filter((n) => n && !tensors.get(n)!.isConstant), outputs: node.outputs, tensors };
  return { node, graph };
}
const v = (g: { node: Node; graph: Graph }) => minOpVersion(g.node, g.graph);

const F = (shape: number[], constant = false): Spec => ({ dtype: 'float32', shape, constant });
const Q = (dtype: DType, shape: number[], scale = [0.1], constant = false, axis?: number): Spec => ({ dtype, shape, scale, constant, ...(axis !== undefined ? { axis } : {}) });
const I32 = (shape: number[]): Spec => ({ dtype: 'int32', shape, constant: true });
const str = (value: string): AttrValue => ({ kind: 'string', value });
const int = (value: number): AttrValue => ({ kind: 'int', value });
const bool = (value: boolean): AttrValue => ({ kind: 'bool', value });

describe('minOpVersion targeted cases (op_version.cc)', () => {
  it('TRANSPOSE_CONV: 1 plain, 3 with a bias, 4 with a fused activation, 2 with int8 weights', () => {
    const ins = [I32([4]), F([8, 3, 3, 4], true), F([1, 5, 5, 4])];
    expect(v(graphOf('TRANSPOSE_CONV', ins, [F([1, 10, 10, 8])]))).toBe(1);
    expect(v(graphOf('TRANSPOSE_CONV', [...ins, null], [F([1, 10, 10, 8])]))).toBe(1);
    expect(v(graphOf('TRANSPOSE_CONV', [...ins, F([8], true)], [F([1, 10, 10, 8])]))).toBe(3);
    expect(v(graphOf('TRANSPOSE_CONV', [...ins, F([8], true)], [F([1, 10, 10, 8])], { fused_activation_function: str('RELU') }))).toBe(4);
    expect(v(graphOf('TRANSPOSE_CONV', [...ins, F([8], true)], [F([1, 10, 10, 8])], { fused_activation_function: str('NONE') }))).toBe(3);
    const q = [I32([4]), Q('int8', [8, 3, 3, 4], [0.1], true), Q('int8', [1, 5, 5, 4])];
    expect(v(graphOf('TRANSPOSE_CONV', q, [Q('int8', [1, 10, 10, 8])]))).toBe(2);
  });

  it('FULLY_CONNECTED: float 1, no bias 6, keep_num_dims 5, int8 4, hybrid 3, per-channel hybrid 12, int16 7', () => {
    const fc = (x: Spec, w: Spec, out: Spec, bias: Spec | null | 'absent', attrs: Record<string, AttrValue> = {}) =>
      v(graphOf('FULLY_CONNECTED', bias === 'absent' ? [x, w] : [x, w, bias], [out], attrs));
    expect(fc(F([1, 8]), F([4, 8], true), F([1, 4]), F([4], true), { keep_num_dims: bool(false) })).toBe(1);
    expect(fc(F([1, 8]), F([4, 8], true), F([1, 4]), null)).toBe(1); // omitted bias ('') still counts as an input
    expect(fc(F([1, 8]), F([4, 8], true), F([1, 4]), 'absent')).toBe(6);
    expect(fc(F([1, 8]), F([4, 8], true), F([1, 4]), F([4], true), { keep_num_dims: bool(true) })).toBe(5);
    expect(fc(Q('int8', [1, 8]), Q('int8', [4, 8], [0.1], true), Q('int8', [1, 4]), Q('int32', [4], [0.01], true))).toBe(4);
    expect(fc(F([1, 8]), Q('int8', [4, 8], [0.1], true), F([1, 4]), F([4], true))).toBe(3);
    expect(fc(F([1, 8]), Q('int8', [4, 8], [0.1, 0.2, 0.3, 0.4], true, 0), F([1, 4]), F([4], true))).toBe(12);
    expect(fc(F([1, 8]), Q('int8', [4, 8], [0.1], true), F([1, 4]), F([4], true), { asymmetric_quantize_inputs: bool(true) })).toBe(9);
    expect(fc(Q('int16', [1, 8]), Q('int16', [4, 8], [0.1], true), Q('int16', [1, 4]), null)).toBe(7);
  });

  it('CONV_2D: float 1, int8 3, hybrid 2 / per-channel 5, grouped 6', () => {
    const conv = (x: Spec, w: Spec, out: Spec) => v(graphOf('CONV_2D', [x, w, F([8], true)], [out]));
    expect(conv(F([1, 8, 8, 4]), F([8, 3, 3, 4], true), F([1, 8, 8, 8]))).toBe(1);
    expect(conv(Q('int8', [1, 8, 8, 4]), Q('int8', [8, 3, 3, 4], Array(8).fill(0.1), true, 0), Q('int8', [1, 8, 8, 8]))).toBe(3);
    expect(conv(F([1, 8, 8, 4]), Q('int8', [8, 3, 3, 4], [0.1], true), F([1, 8, 8, 8]))).toBe(2);
    expect(conv(F([1, 8, 8, 4]), Q('int8', [8, 3, 3, 4], Array(8).fill(0.1), true, 0), F([1, 8, 8, 8]))).toBe(5);
    expect(conv(F([1, 8, 8, 4]), F([8, 3, 3, 2], true), F([1, 8, 8, 8]))).toBe(6);
  });

  it('DEPTHWISE_CONV_2D: 1, dilated 2, int8 3, hybrid 4 / per-channel 6', () => {
    const dw = (x: Spec, w: Spec, out: Spec, attrs: Record<string, AttrValue> = {}) => v(graphOf('DEPTHWISE_CONV_2D', [x, w, F([4], true)], [out], attrs));
    const one = { dilation_w_factor: int(1), dilation_h_factor: int(1) };
    expect(dw(F([1, 8, 8, 4]), F([1, 3, 3, 4], true), F([1, 8, 8, 4]), one)).toBe(1);
    expect(dw(F([1, 8, 8, 4]), F([1, 3, 3, 4], true), F([1, 8, 8, 4]), { ...one, dilation_h_factor: int(2) })).toBe(2);
    expect(dw(Q('int8', [1, 8, 8, 4]), Q('int8', [1, 3, 3, 4], [0.1], true), Q('int8', [1, 8, 8, 4]), { dilation_w_factor: int(2) })).toBe(3);
    expect(dw(F([1, 8, 8, 4]), Q('int8', [1, 3, 3, 4], [0.1], true), F([1, 8, 8, 4]))).toBe(4);
    expect(dw(F([1, 8, 8, 4]), Q('int8', [1, 3, 3, 4], [0.1, 0.1, 0.1, 0.1], true, 3), F([1, 8, 8, 4]))).toBe(6);
  });

  it('DEQUANTIZE / QUANTIZE by type and per-channel scales', () => {
    expect(v(graphOf('DEQUANTIZE', [{ dtype: 'float16', shape: [4], constant: true }], [F([4])]))).toBe(3);
    expect(v(graphOf('DEQUANTIZE', [Q('int8', [4])], [F([4])]))).toBe(2);
    expect(v(graphOf('DEQUANTIZE', [Q('int8', [4, 2], [0.1, 0.2, 0.3, 0.4], true, 0)], [F([4, 2])]))).toBe(5);
    expect(v(graphOf('DEQUANTIZE', [Q('uint8', [4])], [F([4])]))).toBe(1);
    expect(v(graphOf('QUANTIZE', [F([4])], [Q('int8', [4])]))).toBe(1);
    expect(v(graphOf('QUANTIZE', [F([4])], [Q('int16', [4])]))).toBe(2);
  });

  it('element-wise, pooling, shape ops by dtype, rank and options', () => {
    const x8 = Q('int8', [1, 4, 4, 2]);
    expect(v(graphOf('ADD', [x8, x8], [x8]))).toBe(2);
    expect(v(graphOf('ADD', [{ dtype: 'int16', shape: [4] }, { dtype: 'int16', shape: [4] }], [{ dtype: 'int16', shape: [4] }]))).toBe(5);
    expect(v(graphOf('SUB', [F([1, 2, 3, 4, 5]), F([5])], [F([1, 2, 3, 4, 5])]))).toBe(3);
    expect(v(graphOf('SUB', [F([1, 2, 3, 4, 5]), F([1, 2, 3, 4, 5])], [F([1, 2, 3, 4, 5])]))).toBe(1);
    expect(v(graphOf('MUL', [Q('int8', [4], [2]), Q('int8', [4], [1])], [Q('int8', [4], [0.5])]))).toBe(3);
    expect(v(graphOf('MUL', [Q('int8', [4], [0.1]), Q('int8', [4], [0.1])], [Q('int8', [4], [0.5])]))).toBe(2);
    expect(v(graphOf('MAX_POOL_2D', [x8], [x8]))).toBe(2);
    expect(v(graphOf('SOFTMAX', [Q('int16', [1, 4])], [Q('int16', [1, 4])]))).toBe(3);
    expect(v(graphOf('TRANSPOSE', [F([1, 2, 3, 4, 5]), I32([5])], [F([5, 4, 3, 2, 1])]))).toBe(4);
    expect(v(graphOf('TRANSPOSE', [F([1, 2, 3, 4, 5, 6]), I32([6])], [F([6, 5, 4, 3, 2, 1])]))).toBe(6);
    expect(v(graphOf('PAD', [F([1, 2, 3, 4, 5]), I32([5, 2])], [F([1, 2, 3, 4, 5])]))).toBe(4);
    expect(v(graphOf('STRIDED_SLICE', [F([1, 2, 3, 4, 5]), I32([5]), I32([5]), I32([5])], [F([1, 2, 3, 4, 5])]))).toBe(4);
    expect(v(graphOf('STRIDED_SLICE', [F([4]), I32([1]), I32([1]), I32([1])], [F([1, 4])], { new_axis_mask: int(1) }))).toBe(6);
    expect(v(graphOf('RESIZE_BILINEAR', [F([1, 4, 4, 2]), I32([2])], [F([1, 8, 8, 2])], { half_pixel_centers: bool(true) }))).toBe(3);
    expect(v(graphOf('RESIZE_NEAREST_NEIGHBOR', [F([1, 4, 4, 2]), I32([2])], [F([1, 8, 8, 2])], { align_corners: bool(true) }))).toBe(3);
    expect(v(graphOf('GATHER', [F([4, 2]), I32([3])], [F([3, 2])], { axis: int(0), batch_dims: int(0) }))).toBe(1);
    expect(v(graphOf('GATHER', [F([4, 2]), I32([3])], [F([3, 2])], { batch_dims: int(1) }))).toBe(5);
    expect(v(graphOf('CAST', [F([4])], [{ dtype: 'float16', shape: [4] }]))).toBe(5);
    expect(v(graphOf('CAST', [F([4])], [{ dtype: 'int32', shape: [4] }]))).toBe(1);
    expect(v(graphOf('GELU', [x8], [x8]))).toBe(2);
    expect(v(graphOf('RESHAPE', [x8, I32([2])], [Q('int8', [1, 32])]))).toBe(1);
  });

  it('covers every builtin our converters emit', () => {
    const emitted = ['CONV_2D', 'DEPTHWISE_CONV_2D', 'FULLY_CONNECTED', 'ADD', 'SUB', 'MUL', 'DIV', 'AVERAGE_POOL_2D', 'MAX_POOL_2D',
      'RESHAPE', 'CONCATENATION', 'SOFTMAX', 'LOGISTIC', 'TANH', 'RELU', 'RELU6', 'PAD', 'PADV2', 'MEAN', 'TRANSPOSE',
      'TRANSPOSE_CONV', 'STRIDED_SLICE', 'SLICE', 'GATHER', 'SQUEEZE', 'SPLIT', 'PACK', 'UNPACK', 'RESIZE_BILINEAR',
      'RESIZE_NEAREST_NEIGHBOR', 'BATCH_MATMUL', 'DEQUANTIZE', 'QUANTIZE', 'MAXIMUM', 'MINIMUM', 'LEAKY_RELU', 'HARD_SWISH',
      'PRELU', 'SELECT_V2', 'EXP', 'LOG', 'SQRT', 'RSQRT', 'POW', 'SUM', 'REDUCE_MAX', 'REDUCE_MIN', 'REDUCE_PROD', 'CAST',
      'ARG_MAX', 'ARG_MIN', 'SPACE_TO_DEPTH', 'DEPTH_TO_SPACE', 'MIRROR_PAD', 'GELU', 'ELU', 'LOG_SOFTMAX', 'GATHER_ND',
      'ABS', 'NEG', 'SIGN', 'FLOOR', 'CEIL', 'ROUND', 'SIN', 'COS', 'SQUARE', 'SQUARED_DIFFERENCE', 'EQUAL', 'NOT_EQUAL',
      'LESS', 'LESS_EQUAL', 'GREATER', 'GREATER_EQUAL', 'LOGICAL_AND', 'LOGICAL_OR', 'LOGICAL_NOT', 'FLOOR_DIV', 'FLOOR_MOD',
      'RELU_N1_TO_1'];
    expect(emitted.filter((op) => !(op in VERSION_RULES))).toEqual([]);
  });
});

describe('the writer stores the computed minimum for converter-made nodes', () => {
  it('TRANSPOSE_CONV with a bias and no version is written as version 3; a file version is kept', async () => {
    const { node, graph } = graphOf('TRANSPOSE_CONV',
      [{ dtype: 'int32', shape: [4], constant: true }, F([8, 3, 3, 4], true), F([1, 5, 5, 4]), F([8], true)], [F([1, 10, 10, 8])],
      { padding: str('SAME'), stride_w: int(2), stride_h: int(2) });
    const model: Model = { format: 'tflite', dialect: 'tfl', name: 'tc.tflite', files: [], graphs: [graph], metadata: {}, opsets: { tflite: 3 } };
    const back = await read(writeTflite(model), 'tc.tflite');
    expect(back.graphs[0]!.nodes[0]!.version).toBe(3);
    node.version = 4;
    const kept = await read(writeTflite(model), 'tc.tflite');
    expect(kept.graphs[0]!.nodes[0]!.version).toBe(4);
  });
});
