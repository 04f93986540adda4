/**
 * One small TF.js graph per op of tfjs-converter's op list (a few for ops with modes), and the
 * ops TFLite cannot express with a reason. Graphs use GraphDef attribute names, so tfjs and the
 * studio's reader see the same model.json. Run by tf-op-tests.ts.
 */
import type * as tf from '@tensorflow/tfjs';
import { A, type CaseGraph, type InputSpec } from './tf-op-tests';

export interface TfCase {
  op: string;
  /** Variant (mode, attribute) when an op has several cases. */
  label?: string;
  /** 1e-4 by default; 1e-3 for transcendental ops. */
  rtol?: number;
  /** The reference when tf.loadGraphModel cannot run the op (a tfjs bug), from tfjs ops directly. */
  ref?: (tfjs: typeof tf, inputs: tf.Tensor[]) => tf.Tensor[];
  /** Other ops whose name in a refusal also counts as naming this one (helpers in the graph). */
  names?: string[];
  build: (g: CaseGraph) => void;
}

const T3 = 1e-3;
const F = 'float32' as const, I = 'int32' as const, B = 'bool' as const;
type JD = typeof F | typeof I | typeof B;
export const TF_CASES: TfCase[] = [];
const add = (op: string, build: (g: CaseGraph) => void, o: Partial<TfCase> = {}) => void TF_CASES.push({ op, build, ...o });

// Elementwise unary: [op, lo, hi, rtol, step].
const UNARY: Array<[string, number, number, number?, number?]> = [
  ['Abs', -1, 1], ['Acos', -0.95, 0.95, T3], ['Asin', -0.95, 0.95, T3], ['Atan', -3, 3, T3], ['Ceil', -3, 3], ['Cos', -3, 3, T3],
  ['Cosh', -2, 2, T3], ['Elu', -2, 2, T3], ['Exp', -2, 2, T3], ['Floor', -3, 3], ['Log', 0.1, 3, T3], ['Neg', -1, 1], ['Relu', -1, 1],
  ['Relu6', -8, 8], ['Selu', -2, 2, T3], ['Sigmoid', -4, 4, T3], ['Sin', -3, 3, T3], ['Sinh', -2, 2, T3], ['Sqrt', 0, 3, T3],
  ['Rsqrt', 0.1, 3, T3], ['Square', -2, 2], ['Tan', -1.2, 1.2, T3], ['Tanh', -3, 3, T3], ['Sign', -1, 1, 1e-4, 0.5],
  ['Round', -3, 3, 1e-4, 0.25], ['Expm1', -1, 1, T3], ['Log1p', -0.9, 2, T3], ['Reciprocal', 0.2, 2, T3], ['Softplus', -5, 5, T3],
  ['Asinh', -3, 3, T3], ['Acosh', 1, 4, T3], ['Atanh', -0.9, 0.9, T3], ['Erf', -2, 2, T3], ['Snapshot', -1, 1],
  ['Identity', -1, 1], ['StopGradient', -1, 1], ['OnesLike', -1, 1], ['ZerosLike', -1, 1], ['Softmax', -2, 2, T3], ['LogSoftmax', -2, 2, T3],
];
for (const [op, lo, hi, rtol, step] of UNARY) add(op, (g) => void g.n(op, [g.x([2, 3], { lo, hi, step })]), rtol ? { rtol } : {});
add('LeakyRelu', (g) => void g.n('LeakyRelu', [g.x([2, 3])], { alpha: A.f(0.1) }));
const SPECIAL = [1, NaN, Infinity, -Infinity, 0, -2.5];
for (const op of ['IsNan', 'IsFinite', 'IsInf']) add(op, (g) => void g.n(op, [g.x([2, 3], { values: SPECIAL })]));

// Elementwise binary: y = op(x [2,3], x1 [3]).
const bin = (op: string, a: InputSpec = {}, b: InputSpec = {}, o: Partial<TfCase> = {}, label?: string) =>
  add(op, (g) => void g.n(op, [g.x([2, 3], a), g.x([3], b)]), { ...o, ...(label ? { label } : {}) });
for (const op of ['Add', 'AddV2', 'Sub', 'Mul', 'Maximum', 'Minimum', 'SquaredDifference']) bin(op);
for (const op of ['RealDiv', 'Div']) bin(op, {}, { lo: 0.5, hi: 2 });
const DIVISOR = { values: [1.5, -0.75, 2] };
for (const op of ['FloorDiv', 'FloorMod', 'Mod']) {
  bin(op, { lo: -4, hi: 4 }, DIVISOR);
  bin(op, { dtype: I, lo: -10, hi: 10 }, { dtype: I, values: [3, -4, 2] }, {}, 'int32');
}
bin('Pow', { lo: 0.2, hi: 2 }, { lo: -2, hi: 2 }, { rtol: T3 });
bin('Atan2', {}, {}, { rtol: T3 });
add('DivNoNan', (g) => void g.n('DivNoNan', [g.x([2, 3]), g.x([2, 3], { lo: -2, hi: 2, step: 1 })]));
for (const op of ['Equal', 'NotEqual', 'Greater', 'GreaterEqual', 'Less', 'LessEqual']) bin(op, { step: 0.5 }, { step: 0.5 });
for (const op of ['LogicalAnd', 'LogicalOr']) bin(op, { dtype: B }, { dtype: B });
add('LogicalNot', (g) => void g.n('LogicalNot', [g.x([2, 3], { dtype: B })]));
add('BitwiseAnd', (g) => void g.n('BitwiseAnd', [
  g.x([6], { dtype: I, values: [5, -1, 123456789, -2147483648, 2147483647, -7] }),
  g.x([6], { dtype: I, values: [3, -8, 987654321, -1, 65535, -65536] })]),
// tfjs's executor reads inputs 'a' and 'b' where the op list names them 'x' and 'y': it always fails.
{ ref: (t, [a, b]) => [t.bitwiseAnd(a!, b!)] });
add('AddN', (g) => void g.n('AddN', [g.x([2, 3]), g.x([2, 3]), g.x([2, 3])], { N: A.i(3) }));
add('BiasAdd', (g) => void g.n('BiasAdd', [g.x([2, 2, 3]), g.f([0.5, -1, 2])], { data_format: A.s('NHWC') }));
add('Prelu', (g) => void g.n('Prelu', [g.x([2, 3]), g.f([0.1, 0.2, 0.3])]));
add('ClipByValue', (g) => void g.n('ClipByValue', [g.x([2, 3], { lo: -2, hi: 2 }), g.f([-0.5], []), g.f([0.7], [])]));
add('Select', (g) => void g.n('Select', [g.x([2, 3], { dtype: B }), g.x([2, 3]), g.x([2, 3])], {}, { T: F }));
add('SelectV2', (g) => void g.n('SelectV2', [g.x([2, 3], { dtype: B }), g.x([2, 3]), g.x([3])], {}, { T: F }));

// Windows: convolutions and pools (NHWC).
const win = (strides: number[], padding: string, more: Record<string, ReturnType<typeof A.i>> = {}) => ({ strides: A.ints(strides), padding: A.s(padding), ...more });
const rnd = (n: number, seed: number) => Array.from({ length: n }, (_, i) => Math.fround(Math.sin(i * 12.9898 + seed) * 0.5));
const w = (g: CaseGraph, shape: number[], seed = 1) => g.f(rnd(shape.reduce((a, b) => a * b, 1), seed), shape);
for (const op of ['AvgPool', 'MaxPool']) {
  add(op, (g) => void g.n(op, [g.x([1, 5, 5, 2])], { ...win([1, 2, 2, 1], 'SAME'), ksize: A.ints([1, 2, 2, 1]), data_format: A.s('NHWC') }));
  add(op, (g) => void g.n(op, [g.x([2, 5, 6, 2])], { ...win([1, 1, 2, 1], 'VALID'), ksize: A.ints([1, 3, 2, 1]), data_format: A.s('NHWC') }), { label: 'valid' });
}
for (const op of ['AvgPool3D', 'MaxPool3D']) {
  add(op, (g) => void g.n(op, [g.x([1, 4, 5, 4, 2])], { ...win([1, 2, 2, 2, 1], 'SAME'), ksize: A.ints([1, 2, 3, 2, 1]), data_format: A.s('NDHWC') }));
  add(op, (g) => void g.n(op, [g.x([2, 4, 4, 3, 1])], { ...win([1, 1, 2, 1, 1], 'VALID'), ksize: A.ints([1, 3, 2, 2, 1]), data_format: A.s('NDHWC') }), { label: 'valid' });
}
for (const inc of [false, true]) {
  add('MaxPoolWithArgmax', (g) => {
    g.n('MaxPoolWithArgmax', [g.x([2, 4, 5, 2])], { ...win([1, 2, 2, 1], 'SAME'), ksize: A.ints([1, 2, 2, 1]), include_batch_in_index: A.b(inc), Targmax: A.t(I) });
    g.out('y', 'y:1');
  }, inc ? { label: 'batch-in-index' } : {});
}
add('Conv1D', (g) => void g.n('Conv1D', [g.x([2, 8, 3]), w(g, [3, 3, 4])], { stride: A.i(2), padding: A.s('SAME'), data_format: A.s('NWC'), dilation: A.i(1) }));
add('Conv1D', (g) => void g.n('Conv1D', [g.x([1, 9, 2]), w(g, [3, 2, 3])], { stride: A.i(1), padding: A.s('VALID'), data_format: A.s('NWC'), dilation: A.i(2) }), { label: 'dilated' });
add('Conv2D', (g) => void g.n('Conv2D', [g.x([1, 5, 5, 3]), w(g, [3, 3, 3, 4])], { ...win([1, 1, 1, 1], 'SAME'), dilations: A.ints([1, 1, 1, 1]), data_format: A.s('NHWC') }));
add('_FusedConv2D', (g) => void g.n('_FusedConv2D', [g.x([1, 5, 5, 3]), w(g, [3, 3, 3, 4]), g.f([0.1, -0.2, 0.3, 0])], {
  ...win([1, 2, 2, 1], 'VALID'), dilations: A.ints([1, 1, 1, 1]), fused_ops: A.strs(['BiasAdd', 'Relu']), num_args: A.i(1), data_format: A.s('NHWC') }));
add('Conv2DBackpropInput', (g) => void g.n('Conv2DBackpropInput', [g.k([1, 6, 6, 2]), w(g, [3, 3, 2, 3]), g.x([1, 3, 3, 3])],
  { ...win([1, 2, 2, 1], 'SAME'), dilations: A.ints([1, 1, 1, 1]), data_format: A.s('NHWC') }, { T: F }));
add('Conv2DBackpropInput', (g) => void g.n('Conv2DBackpropInput', [g.k([2, 6, 5, 2]), w(g, [3, 2, 2, 3]), g.x([2, 4, 4, 3])],
  { ...win([1, 1, 1, 1], 'VALID'), dilations: A.ints([1, 1, 1, 1]), data_format: A.s('NHWC') }, { T: F }), { label: 'valid' });
for (const op of ['DepthwiseConv2d', 'DepthwiseConv2dNative']) {
  add(op, (g) => void g.n(op, [g.x([1, 5, 5, 2]), w(g, [3, 3, 2, 2])], { ...win([1, 2, 2, 1], 'SAME'), dilations: A.ints([1, 1, 1, 1]), data_format: A.s('NHWC') }));
}
add('FusedDepthwiseConv2dNative', (g) => void g.n('FusedDepthwiseConv2dNative', [g.x([1, 5, 5, 2]), w(g, [3, 3, 2, 1]), g.f([0.5, -0.5])], {
  ...win([1, 1, 1, 1], 'VALID'), dilations: A.ints([1, 1, 1, 1]), fused_ops: A.strs(['BiasAdd', 'Relu6']), num_args: A.i(1), data_format: A.s('NHWC') }));
add('Conv3D', (g) => void g.n('Conv3D', [g.x([1, 4, 4, 4, 2]), w(g, [2, 3, 2, 2, 3])], { ...win([1, 1, 2, 1, 1], 'SAME'), dilations: A.ints([1, 1, 1, 1, 1]), data_format: A.s('NDHWC') }));
add('Conv3D', (g) => void g.n('Conv3D', [g.x([2, 5, 5, 4, 1]), w(g, [2, 2, 2, 1, 2])], { ...win([1, 1, 1, 1, 1], 'VALID'), dilations: A.ints([1, 2, 1, 2, 1]), data_format: A.s('NDHWC') }), { label: 'dilated' });
add('MaxPoolWithArgmax', (g) => {
  g.n('MaxPoolWithArgmax', [g.x([1, 5, 5, 3])], { ...win([1, 1, 2, 1], 'VALID'), ksize: A.ints([1, 3, 2, 1]), include_batch_in_index: A.b(false), Targmax: A.t(I) });
  g.out('y', 'y:1');
}, { label: 'valid' });
add('Dilation2D', (g) => void g.n('Dilation2D', [g.x([1, 6, 6, 1]), w(g, [2, 2, 1])], { ...win([1, 2, 1, 1], 'SAME'), rates: A.ints([1, 2, 2, 1]) }), { label: 'rates' });
for (const padding of ['VALID', 'SAME']) {
  add('Dilation2D', (g) => void g.n('Dilation2D', [g.x([1, 5, 6, 2]), w(g, [2, 3, 2])], { ...win([1, 1, 2, 1], padding), rates: A.ints([1, 1, 1, 1]) }), padding === 'SAME' ? { label: 'same' } : {});
}

// Creation.
add('Fill', (g) => void g.n('Fill', [g.k([2, 3]), g.x([])], { index_type: A.t(I) }, { T: F }));
add('LinSpace', (g) => void g.n('LinSpace', [g.x([]), g.f([3], []), g.k([5], [])], { Tidx: A.t(I) }, { T: F }));
add('OneHot', (g) => void g.n('OneHot', [g.x([2, 3], { dtype: I, lo: -1, hi: 5 }), g.k([4], []), g.f([2], []), g.f([-1], [])], { axis: A.i(-1), TI: A.t(I) }, { T: F }));
for (const op of ['Ones', 'Zeros']) add(op, (g) => void g.n(op, [g.k([2, 3])], {}, { T: F }));
add('Range', (g) => void g.n('Range', [g.k([1], []), g.k([10], []), g.k([3], [])], { Tidx: A.t(I) }));
add('Range', (g) => void g.n('Range', [g.k([5], []), g.k([-3], []), g.k([-2], [])], { Tidx: A.t(I) }), { label: 'negative' });
add('Fill', (g) => void g.n('Fill', [g.k([3, 1, 2]), g.k([7], [])], { index_type: A.t(I) }, { T: I }), { label: 'int32' });
add('LinSpace', (g) => void g.n('LinSpace', [g.f([2], []), g.x([]), g.k([1], [])], { Tidx: A.t(I) }, { T: F }), { label: 'one' });
add('Range', (g) => void g.n('Range', [g.f([0], []), g.f([1.5], []), g.f([0.25], [])], { Tidx: A.t(F) }), { label: 'float' });

// Evaluation, graph.
for (const op of ['LowerBound', 'UpperBound']) {
  add(op, (g) => void g.n(op, [g.f([-1, -0.5, 0, 0, 0.5, -0.5, 0, 0.5, 1, 1], [2, 5]), g.x([2, 4], { step: 0.5, lo: -1.5, hi: 1.5 })], { out_type: A.t(I) }));
}
add('NonMaxSuppressionV4', (g) => {
  g.n('NonMaxSuppressionV4', [g.x([8, 4], { lo: 0, hi: 1 }), g.x([8], { lo: 0, hi: 1 }), g.k([5], []), g.f([0.3], []), g.f([0.2], [])], { pad_to_max_output_size: A.b(true) }, { T: F });
  g.out('y', 'y:1');
});
add('NonMaxSuppressionV4', (g) => {
  g.n('NonMaxSuppressionV4', [g.x([8, 4], { lo: 0, hi: 1 }), g.x([8], { lo: 0, hi: 1 }), g.k([8], []), g.f([0.3], []), g.f([0.5], [])], { pad_to_max_output_size: A.b(true) }, { T: F });
  g.out('y', 'y:1');
}, { label: 'padded' });
add('TopKV2', (g) => { g.n('TopKV2', [g.x([3, 4]), g.k([4], [])], { sorted: A.b(true) }); g.out('y', 'y:1'); }, { label: 'k=n' });
add('TopKV2', (g) => { g.n('TopKV2', [g.x([2, 6]), g.k([3], [])], { sorted: A.b(true) }); g.out('y', 'y:1'); });
add('PlaceholderWithDefault', (g) => void g.n('PlaceholderWithDefault', [g.x([2, 3])], { dtype: A.t(F), shape: A.shape([2, 3]) }, { T: null }));
add('Placeholder', (g) => void g.n('Relu', [g.x([2, 3])]));
add('Const', (g) => void g.n('AddV2', [g.x([2, 3]), g.f([1, 2, 3])]));
add('IdentityN', (g) => { g.n('IdentityN', [g.x([2, 3]), g.x([4])], {}, { T: null }); g.out('y', 'y:1'); });
for (const op of ['Rank', 'Size', 'Shape']) add(op, (g) => void g.n(op, [g.x([2, 3, 4])], { out_type: A.t(I) }));
add('ShapeN', (g) => { g.n('ShapeN', [g.x([2, 3]), g.x([4])], { out_type: A.t(I), N: A.i(2) }); g.out('y', 'y:1'); });
add('Print', (g) => void g.n('Print', [g.x([2, 3]), 'x'], { message: A.s('tf-op-cases'), summarize: A.i(1), first_n: A.i(-1) }));
add('NoOp', (g) => { g.n('NoOp', [], {}, { T: null, name: 'noop' }); g.n('Relu', [g.x([2, 3])]); g.out('y'); });
add('FakeQuantWithMinMaxVars', (g) => void g.n('FakeQuantWithMinMaxVars', [g.x([2, 3], { lo: -1.5, hi: 1.5 }), g.f([-1], []), g.f([1], [])],
  { min: A.f(-1), max: A.f(1), num_bits: A.i(8), narrow_range: A.b(false) }, { T: null }));

// Image.
const MODES: Array<[string | undefined, boolean, boolean]> = [[undefined, false, false], ['align-corners', true, false], ['half-pixel', false, true]];
for (const op of ['ResizeBilinear', 'ResizeNearestNeighbor']) {
  for (const [label, ac, hp] of MODES) {
    add(op, (g) => void g.n(op, [g.x([1, 3, 4, 2]), g.k([5, 7])], { align_corners: A.b(ac), half_pixel_centers: A.b(hp) }), label ? { label } : {});
  }
}
for (const method of ['bilinear', 'nearest']) {
  add('CropAndResize', (g) => void g.n('CropAndResize', [g.x([2, 5, 6, 2]), g.f([0.1, 0.2, 0.8, 0.9, 0, 0, 1, 1, -0.2, 0.1, 0.5, 1.2], [3, 4]), g.k([1, 0, 1]), g.k([3, 4])],
    { method: A.s(method), extrapolation_value: A.f(0.5) }), method === 'nearest' ? { label: 'nearest' } : {});
}
add('CropAndResize', (g) => void g.n('CropAndResize', [g.x([1, 4, 4, 1]), g.f([0.2, 0.1, 0.7, 0.6, 0.9, 0.5, 0.1, 0], [2, 4]), g.k([0, 0]), g.k([1, 1])],
  { method: A.s('bilinear'), extrapolation_value: A.f(0) }), { label: 'one-pixel' });
for (const mode of ['REFLECT', 'WRAP', 'NEAREST']) {
  add('ImageProjectiveTransformV3', (g) => void g.n('ImageProjectiveTransformV3', [g.x([1, 4, 5, 1]), g.f([1.3, 0.4, -1.2, -0.3, 1.2, -0.9, 0.02, -0.03], [1, 8]), g.k([5, 6]), g.f([0], [])],
    { interpolation: A.s('BILINEAR'), fill_mode: A.s(mode), dtype: A.t(F) }), { label: mode.toLowerCase() });
}
for (const interp of ['NEAREST', 'BILINEAR']) {
  add('ImageProjectiveTransformV3', (g) => void g.n('ImageProjectiveTransformV3', [g.x([1, 4, 5, 2]), g.f([0.9, 0.2, 0.3, -0.1, 1.1, -0.4, 0.01, 0.02], [1, 8]), g.k([4, 5]), g.f([0.25], [])],
    { interpolation: A.s(interp), fill_mode: A.s('CONSTANT'), dtype: A.t(F) }), interp === 'BILINEAR' ? { label: 'bilinear' } : {});
}

// Matrices, normalization.
add('_FusedMatMul', (g) => void g.n('_FusedMatMul', [g.x([2, 3]), w(g, [3, 4]), g.f([0.1, 0.2, -0.3, 0])], { fused_ops: A.strs(['BiasAdd', 'Relu']), num_args: A.i(1), transpose_a: A.b(false), transpose_b: A.b(false) }));
add('MatMul', (g) => void g.n('MatMul', [g.x([2, 3]), w(g, [3, 4])], { transpose_a: A.b(false), transpose_b: A.b(false) }));
add('MatMul', (g) => void g.n('MatMul', [g.x([2, 3]), g.x([4, 3])], { transpose_a: A.b(false), transpose_b: A.b(true) }), { label: 'computed' });
for (const op of ['BatchMatMul', 'BatchMatMulV2']) add(op, (g) => void g.n(op, [g.x([2, 2, 3]), g.x([2, 3, 4])], { adj_x: A.b(false), adj_y: A.b(false) }));
add('Transpose', (g) => void g.n('Transpose', [g.x([2, 3, 4]), g.k([2, 0, 1])]));
const EINSUM: Array<[string, number[][]]> = [['ij,jk->ik', [[2, 3], [3, 4]]], ['bij,bkj->bik', [[2, 2, 3], [2, 4, 3]]], ['ij->ji', [[2, 3]]], ['bhqd,bhkd->bhqk', [[1, 2, 3, 4], [1, 2, 5, 4]]]];
for (const [eq, shapes] of EINSUM) {
  add('Einsum', (g) => void g.n('Einsum', shapes.map((s) => g.x(s)), { equation: A.s(eq), N: A.i(shapes.length) }), { label: eq });
}
add('Einsum', (g) => void g.n('Einsum', [g.x([3, 4])], { equation: A.s('ij->i'), N: A.i(1) }), { label: 'ij->i' });
// tfjs reads both band limits from input 1, so the cases keep them equal.
for (const [lo, label] of [[1, undefined], [-1, 'all']] as const) {
  add('MatrixBandPart', (g) => void g.n('MatrixBandPart', [g.x([2, 3, 4]), g.k([lo], []), g.k([lo], [])], { Tindex: A.t(I) }), label ? { label } : {});
}
add('EuclideanNorm', (g) => void g.n('EuclideanNorm', [g.x([2, 3, 4]), g.k([1, 2])], { keep_dims: A.b(false) }), { rtol: T3 });
for (const op of ['FusedBatchNorm', 'FusedBatchNormV2', 'FusedBatchNormV3']) {
  add(op, (g) => void g.n(op, [g.x([1, 2, 2, 3]), g.f([1, 0.5, 2]), g.f([0.1, 0, -0.1]), g.f([0.2, -0.3, 0]), g.f([1, 0.5, 2])],
    { epsilon: A.f(0.001), is_training: A.b(false), data_format: A.s('NHWC') }), { rtol: T3 });
}
add('LRN', (g) => void g.n('LRN', [g.x([1, 2, 2, 6])], { depth_radius: A.i(2), bias: A.f(1), alpha: A.f(0.5), beta: A.f(0.75) }), { rtol: T3 });

// Reductions.
for (const op of ['Max', 'Mean', 'Min', 'Sum', 'Prod']) {
  add(op, (g) => void g.n(op, [g.x([2, 3, 4]), g.k([1])], { keep_dims: A.b(false), Tidx: A.t(I) }));
  add(op, (g) => void g.n(op, [g.x([2, 3, 4]), g.k([0, -1])], { keep_dims: A.b(true), Tidx: A.t(I) }), { label: 'keep-dims' });
}
for (const op of ['All', 'Any']) add(op, (g) => void g.n(op, [g.x([2, 3, 4], { dtype: B }), g.k([1])], { keep_dims: A.b(false), Tidx: A.t(I) }));
for (const op of ['ArgMax', 'ArgMin']) add(op, (g) => void g.n(op, [g.x([3, 4]), g.k([1], [])], { output_type: A.t(I) }));
for (const op of ['Cumsum', 'Cumprod']) {
  for (const [ex, rev] of [[false, false], [true, false], [false, true], [true, true]]) {
    add(op, (g) => void g.n(op, [g.x([2, 5], { lo: 0.5, hi: 1.5 }), g.k([1], [])], { exclusive: A.b(ex!), reverse: A.b(rev!) }),
      ex || rev ? { label: `${ex ? 'exclusive' : ''}${ex && rev ? '-' : ''}${rev ? 'reverse' : ''}` } : {});
  }
}
add('Bincount', (g) => void g.n('Bincount', [g.x([6], { dtype: I, lo: 0, hi: 7 }), g.k([5], []), g.x([6])], {}, { T: F }));
for (const bo of [false, true]) {
  add('DenseBincount', (g) => void g.n('DenseBincount', [g.x([2, 6], { dtype: I, lo: 0, hi: 7 }), g.k([5], []), g.x([2, 6])], { binary_output: A.b(bo), Tidx: A.t(I) }, { T: F }),
    bo ? { label: 'binary' } : {});
}

// Slicing, joining.
add('ConcatV2', (g) => void g.n('ConcatV2', [g.x([2, 3]), g.x([2, 2]), g.k([1], [])], { N: A.i(2) }));
add('Concat', (g) => void g.n('Concat', [g.k([0], []), g.x([2, 3]), g.x([1, 3])], { N: A.i(2) }, { T: F }));
add('GatherV2', (g) => void g.n('GatherV2', [g.x([4, 3]), g.k([3, 0, 1, 3], [2, 2]), g.k([0], [])], { batch_dims: A.i(0) }));
add('GatherV2', (g) => void g.n('GatherV2', [g.x([4, 3]), g.x([5], { dtype: I, lo: 0, hi: 3 }), g.k([1], [])], { batch_dims: A.i(0) }), { label: 'axis1' });
add('Gather', (g) => void g.n('Gather', [g.x([4, 3]), g.x([5], { dtype: I, lo: 0, hi: 4 })], { validate_indices: A.b(true) }));
add('Reverse', (g) => void g.n('Reverse', [g.x([2, 3, 4]), g.k([1, 0, 1], [3], B)]));
add('ReverseV2', (g) => void g.n('ReverseV2', [g.x([2, 3, 4]), g.k([0, 2])]));
add('Slice', (g) => void g.n('Slice', [g.x([3, 4]), g.k([1, 0]), g.k([2, -1])], { Index: A.t(I) }));
add('StridedSlice', (g) => void g.n('StridedSlice', [g.x([4, 6]), g.k([1, 0]), g.k([4, 6]), g.k([2, 3])], {}));
// tfjs 4.22 gets shrink_axis_mask wrong next to a non-unit stride, so the cases keep them apart.
add('StridedSlice', (g) => void g.n('StridedSlice', [g.x([4, 6, 2]), g.k([3, 5]), g.k([0, 0]), g.k([-1, -2])], { end_mask: A.i(1) }), { label: 'masks' });
add('StridedSlice', (g) => void g.n('StridedSlice', [g.x([4, 6, 2]), g.k([1, 1, 0]), g.k([2, 4, 2]), g.k([1, 1, 1])], { shrink_axis_mask: A.i(1) }), { label: 'shrink' });
add('Pack', (g) => void g.n('Pack', [g.x([2, 3]), g.x([2, 3])], { axis: A.i(1), N: A.i(2) }));
add('Unpack', (g) => { g.n('Unpack', [g.x([3, 2])], { axis: A.i(0), num: A.i(3) }); g.out('y', 'y:1', 'y:2'); });
add('Tile', (g) => void g.n('Tile', [g.x([2, 3]), g.k([2, 1])]));
add('Split', (g) => { g.n('Split', [g.k([1], []), g.x([2, 6])], { num_split: A.i(3) }, { T: F }); g.out('y', 'y:1', 'y:2'); });
add('SplitV', (g) => { g.n('SplitV', [g.x([2, 6]), g.k([1, -1, 2]), g.k([1], [])], { num_split: A.i(3) }); g.out('y', 'y:1', 'y:2'); });
add('ScatterNd', (g) => void g.n('ScatterNd', [g.k([0, 2, 0], [3, 1]), g.x([3, 4]), g.k([5, 4])], { Tindices: A.t(I) }, { T: F }));
add('ScatterNd', (g) => void g.n('ScatterNd', [g.x([3, 1], { dtype: I, lo: 0, hi: 5 }), g.x([3, 4]), g.k([5, 4])], { Tindices: A.t(I) }, { T: F }), { label: 'computed-indices' });
add('GatherNd', (g) => void g.n('GatherNd', [g.x([3, 4]), g.k([0, 1, 2, 3], [2, 2])], { Tindices: A.t(I) }));
add('SparseToDense', (g) => void g.n('SparseToDense', [g.k([0, 1, 1, 2, 2, 0], [3, 2]), g.k([3, 4]), g.x([3]), g.f([0.5], [])], { validate_indices: A.b(true), Tindices: A.t(I) }, { T: F }));
add('TensorScatterUpdate', (g) => void g.n('TensorScatterUpdate', [g.x([4, 3]), g.k([1, 3], [2, 1]), g.x([2, 3])], { Tindices: A.t(I) }));
add('SparseReshape', (g) => {
  g.n('SparseReshape', [g.x([5, 3], { dtype: I, values: [0, 0, 1, 1, 2, 3, 0, 1, 0, 1, 1, 2, 1, 2, 3] }), g.k([2, 3, 4]), g.k([4, -1])], {}, { T: null });
  g.out('y', 'y:1');
});
for (const op of ['SparseSegmentSum', 'SparseSegmentMean']) add(op, (g) => void g.n(op, [g.x([4, 3]), g.k([0, 2, 3, 2]), g.k([0, 0, 1, 3])], { Tidx: A.t(I) }));

// Transformations.
add('Cast', (g) => void g.n('Cast', [g.x([2, 3], { lo: -3, hi: 3 })], { SrcT: A.t(F), DstT: A.t(I) }, { T: null }));
add('Cast', (g) => void g.n('Cast', [g.x([2, 3], { dtype: I, lo: -5, hi: 5 })], { SrcT: A.t(I), DstT: A.t(F) }, { T: null }), { label: 'int-float' });
add('Cast', (g) => void g.n('Cast', [g.x([2, 3], { step: 0.5 })], { SrcT: A.t(F), DstT: A.t(B) }, { T: null }), { label: 'float-bool' });
add('Cast', (g) => void g.n('Cast', [g.x([2, 3], { dtype: B })], { SrcT: A.t(B), DstT: A.t(F) }, { T: null }), { label: 'bool-float' });
add('ExpandDims', (g) => void g.n('ExpandDims', [g.x([2, 3]), g.k([-1], [])], { Tdim: A.t(I) }));
for (const mode of ['REFLECT', 'SYMMETRIC']) add('MirrorPad', (g) => void g.n('MirrorPad', [g.x([3, 4]), g.k([1, 1, 2, 0], [2, 2])], { mode: A.s(mode) }), { label: mode.toLowerCase() });
add('Pad', (g) => void g.n('Pad', [g.x([2, 3]), g.k([1, 0, 2, 1], [2, 2])], { Tpaddings: A.t(I) }));
add('PadV2', (g) => void g.n('PadV2', [g.x([2, 3]), g.k([1, 0, 2, 1], [2, 2]), g.f([0.5], [])], { Tpaddings: A.t(I) }));
add('Reshape', (g) => void g.n('Reshape', [g.x([2, 6]), g.k([3, -1])], { Tshape: A.t(I) }));
add('EnsureShape', (g) => void g.n('EnsureShape', [g.x([2, 3]), g.k([2, 3])], { shape: A.shape([2, 3]) }));
add('Squeeze', (g) => void g.n('Squeeze', [g.x([1, 3, 1, 2])], {}), { label: 'all' });
add('SpaceToBatchND', (g) => void g.n('SpaceToBatchND', [g.x([2, 6, 3]), g.k([3]), g.k([1, 2], [1, 2])], {}), { label: 'rank3' });
add('Squeeze', (g) => void g.n('Squeeze', [g.x([2, 1, 3, 1])], { squeeze_dims: A.ints([1]) }));
add('SpaceToBatchND', (g) => void g.n('SpaceToBatchND', [g.x([1, 4, 3, 2]), g.k([2, 2]), g.k([1, 1, 0, 1], [2, 2])], {}));
add('BatchToSpaceND', (g) => void g.n('BatchToSpaceND', [g.x([4, 2, 2, 1]), g.k([2, 2]), g.k([0, 0, 1, 0], [2, 2])], {}));
add('DepthToSpace', (g) => void g.n('DepthToSpace', [g.x([1, 2, 3, 8])], { block_size: A.i(2), data_format: A.s('NHWC') }));
add('BroadcastTo', (g) => void g.n('BroadcastTo', [g.x([3, 1]), g.k([2, 3, 4])], { Tidx: A.t(I) }));
add('BroadcastArgs', (g) => void g.n('BroadcastArgs', [g.x([3], { dtype: I, values: [2, 1, 4] }), g.x([2], { dtype: I, values: [3, 1] })]));

/** Op -> why TFLite cannot express it (shown in docs/tf-op-coverage.md). */
export const TF_NOT_EXPRESSIBLE: Record<string, string> = {};
const nx = (ops: string, why: string) => { for (const op of ops.split(' ')) TF_NOT_EXPRESSIBLE[op] = why; };
nx('LoopCond Switch Merge Enter Exit NextIteration', 'TF1 dataflow control flow (frames, dead tensors): no TFLite builtin, and tfjs runs it only with executeAsync');
nx('StatelessIf If StatelessWhile While', 'control flow with function bodies: TFLite IF / WHILE need subgraphs, which this converter does not write');
nx('EmptyTensorList TensorListScatter TensorListScatterV2 TensorListGather TensorListGetItem TensorListSetItem TensorListReserve '
  + 'TensorListFromTensor TensorListStack TensorListSplit TensorListConcat TensorListConcatV2 TensorListPopBack TensorListPushBack '
  + 'TensorListLength TensorListResize', 'tensor lists are variant tensors: TFLite has no tensor-list builtins');
nx('TensorArrayV3 TensorArrayWriteV3 TensorArrayReadV3 TensorArrayGatherV3 TensorArrayScatterV3 TensorArrayConcatV3 TensorArraySplitV3 '
  + 'TensorArraySizeV3 TensorArrayCloseV3', 'tensor arrays are resources with run-time size: no TFLite builtins');
nx('HashTable HashTableV2 LookupTableImport LookupTableImportV2 LookupTableFind LookupTableFindV2 LookupTableSize LookupTableSizeV2 '
  + 'InitializeTable InitializeTableV2', 'hash tables are resources (TFLite HASHTABLE_* need resource variables and an initializer subgraph, not written here)');
nx('RandomStandardNormal RandomUniform RandomUniformInt TruncatedNormal Multinomial', 'random: no reference output to match');
nx('NonMaxSuppressionV2 NonMaxSuppressionV3 NonMaxSuppressionV5', 'output shape depends on the input values (tfjs does not pad)');
nx('Where ListDiff Unique UniqueV2', 'output shape depends on the input values');
nx('Complex ComplexAbs Real Imag FFT IFFT RFFT IRFFT', 'complex64 tensors: LiteRT.js cannot pass them and no builtin makes one from real parts (RFFT2D is 2-D only)');
nx('StaticRegexReplace StringNGrams StringSplit StringToHashBucketFast', 'string tensors');
nx('RaggedGather RaggedRange RaggedTensorToTensor', 'ragged tensors: output shapes depend on the row-split values');
nx('SparseFillEmptyRows', 'output size depends on the values (how many rows are empty)');
nx('SimpleMLCreateModelResource SimpleMLLoadModelFromPathWithHandle SimpleMLInferenceOpWithHandle', 'TF Decision Forests resources loaded from files');

// Some ops again with a consumer after them: their output shape and dtype must reach the next op
// (most have no rule in TF shape inference, so the lowering works the shape out).
const THEN: Array<[string, string, JD?]> = [
  ['Conv3D', 'Neg'], ['Einsum', 'Neg'], ['Split', 'Neg'], ['SplitV', 'Neg'], ['EnsureShape', 'Neg'], ['Reverse', 'Neg'], ['Cumprod', 'Neg'], ['Acos', 'Neg'],
  ['Equal', 'LogicalNot'], ['Dilation2D', 'Neg'], ['CropAndResize', 'Neg'], ['MaxPoolWithArgmax', 'Neg'], ['SpaceToBatchND', 'Neg'],
  ['Range', 'Neg', I], ['Shape', 'Neg', I], ['Snapshot', 'Neg'], ['OneHot', 'Neg'], ['Conv2DBackpropInput', 'Neg'], ['Gather', 'Neg'],
];
for (const [op, next, T] of THEN) {
  const base = TF_CASES.find((c) => c.op === op)!;
  add(op, (g) => {
    base.build(g);
    const y = g.outputs[0] ?? g.nodes[g.nodes.length - 1]!.name;
    g.out();
    g.n(next, [y], {}, { name: 'z', T: next === 'LogicalNot' ? null : T });
  }, { label: `then-${next}`, ...(base.rtol ? { rtol: base.rtol } : {}) });
}
