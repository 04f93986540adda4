/** TFLite (NHWC, channels last everywhere): CONV_2D [O,H,W,I], DEPTHWISE_CONV_2D [1,H,W,C*M], FULLY_CONNECTED [O,I]. */
import { each, type ChannelOp, type DialectOps } from './ops';

const UNARY = [
  'RELU', 'RELU6', 'RELU_N1_TO_1', 'RELU_0_TO_1', 'LOGISTIC', 'TANH', 'HARD_SWISH', 'LEAKY_RELU', 'ELU', 'GELU',
  'ABS', 'NEG', 'EXP', 'LOG', 'SQRT', 'RSQRT', 'SQUARE', 'SIN', 'COS', 'FLOOR', 'CEIL', 'ROUND', 'CAST',
  'QUANTIZE', 'DEQUANTIZE', 'AVERAGE_POOL_2D', 'MAX_POOL_2D', 'L2_POOL_2D', 'RESIZE_BILINEAR', 'RESIZE_NEAREST_NEIGHBOR',
];
const ELEMENTWISE = ['ADD', 'SUB', 'MUL', 'DIV', 'MAXIMUM', 'MINIMUM', 'SQUARED_DIFFERENCE', 'PRELU', 'POW'];
const REDUCE = ['MEAN', 'SUM', 'REDUCE_MAX', 'REDUCE_MIN', 'REDUCE_PROD'];

const channel = { dataAxis: -1, bias: 2 };

export const tflPruneOps: DialectOps = {
  lookThrough: ['tfl.DEQUANTIZE'],
  layers: {
    'tfl.CONV_2D': { kind: 'conv', weights: [{ input: 1, outAxis: 0, inAxis: 3 }], channels: channel },
    'tfl.DEPTHWISE_CONV_2D': { kind: 'depthwise', weights: [{ input: 1, outAxis: 3 }], channels: channel },
    'tfl.FULLY_CONNECTED': { kind: 'dense', weights: [{ input: 1, outAxis: 0, inAxis: 1 }], channels: channel },
    // Its output shape is an input tensor: not followed by structured pruning.
    'tfl.TRANSPOSE_CONV': { kind: 'conv', weights: [{ input: 1, outAxis: 0, inAxis: 3 }] },
  },
  channelOps: {
    ...each<ChannelOp>(UNARY, 'tfl.', { kind: 'unary' }),
    ...each<ChannelOp>(ELEMENTWISE, 'tfl.', { kind: 'elementwise' }),
    ...each<ChannelOp>(REDUCE, 'tfl.', { kind: 'reduce', axesInput: 1, keepAttr: 'keep_dims', keepDefault: false }),
    'tfl.CONCATENATION': { kind: 'concat', axisAttr: 'axis', defaultAxis: 0 },
    'tfl.PAD': { kind: 'pad', padsInput: 1, layout: 'pairs' },
    'tfl.PADV2': { kind: 'pad', padsInput: 1, layout: 'pairs' },
    'tfl.MIRROR_PAD': { kind: 'pad', padsInput: 1, layout: 'pairs', mirror: true },
    'tfl.RESHAPE': { kind: 'reshape', shapeInput: 1, shapeAttr: 'new_shape' },
    'tfl.SQUEEZE': { kind: 'reshape' },
    'tfl.EXPAND_DIMS': { kind: 'reshape' },
    'tfl.TRANSPOSE': { kind: 'transpose', permInput: 1 },
  },
};
