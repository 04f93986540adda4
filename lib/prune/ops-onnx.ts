/** ONNX (NCHW): Conv [O, I/group, kH, kW], Gemm B [I,O] or [O,I] with transB, MatMul B [K,N]. */
import { each, type ChannelOp, type DialectOps } from './ops';

const UNARY = [
  'Relu', 'LeakyRelu', 'Sigmoid', 'Tanh', 'HardSigmoid', 'HardSwish', 'Elu', 'Selu', 'Celu', 'Gelu', 'Softplus', 'Softsign',
  'Mish', 'ThresholdedRelu', 'Shrink', 'Clip', 'Abs', 'Neg', 'Exp', 'Log', 'Sqrt', 'Reciprocal', 'Floor', 'Ceil', 'Round',
  'Sign', 'Erf', 'Identity', 'Dropout', 'Cast', 'MaxPool', 'AveragePool', 'LpPool', 'GlobalAveragePool', 'GlobalMaxPool',
  'GlobalLpPool', 'Upsample',
];
const ELEMENTWISE = ['Add', 'Sub', 'Mul', 'Div', 'Max', 'Min', 'Sum', 'Mean', 'PRelu', 'Pow'];
const REDUCE = ['ReduceMean', 'ReduceMax', 'ReduceMin', 'ReduceSum', 'ReduceProd', 'ReduceL1', 'ReduceL2', 'ReduceLogSumExp', 'ReduceSumSquare'];

export const onnxPruneOps: DialectOps = {
  lookThrough: [],
  layers: {
    'onnx.Conv': { kind: 'conv', weights: [{ input: 1, outAxis: 0, inAxis: 1 }], channels: { bias: 2, dataAxis: 1, groupAttr: 'group' } },
    // Output channels per group on axis 1; not followed by structured pruning.
    'onnx.ConvTranspose': { kind: 'conv', weights: [{ input: 1, outAxis: 1, inAxis: 0 }] },
    'onnx.Gemm': {
      kind: 'dense', weights: [{ input: 1, outAxis: 1, inAxis: 0 }], transposeAttr: 'transB',
      channels: { bias: 2, dataAxis: 1, unless: 'transA' },
    },
    'onnx.MatMul': { kind: 'dense', weights: [{ input: 1, outAxis: -1, inAxis: -2 }], channels: { dataAxis: -1 } },
  },
  channelOps: {
    ...each<ChannelOp>(UNARY, 'onnx.', { kind: 'unary' }),
    'onnx.Resize': { kind: 'unary', sizesInput: 3 },
    ...each<ChannelOp>(ELEMENTWISE, 'onnx.', { kind: 'elementwise' }),
    ...each<ChannelOp>(REDUCE, 'onnx.', { kind: 'reduce', axesInput: 1, axesAttr: 'axes', keepAttr: 'keepdims', keepDefault: true }),
    'onnx.BatchNormalization': { kind: 'params', inputs: [1, 2, 3, 4] },
    'onnx.InstanceNormalization': { kind: 'params', inputs: [1, 2] },
    'onnx.Concat': { kind: 'concat', axisAttr: 'axis', defaultAxis: 0 },
    'onnx.Pad': { kind: 'pad', padsInput: 1, padsAttr: 'pads', layout: 'begins-ends', modeAttr: 'mode' },
    'onnx.Reshape': { kind: 'reshape', shapeInput: 1 },
    'onnx.Flatten': { kind: 'reshape' },
    'onnx.Squeeze': { kind: 'reshape' },
    'onnx.Unsqueeze': { kind: 'reshape' },
    'onnx.Transpose': { kind: 'transpose', permAttr: 'perm' },
  },
};
