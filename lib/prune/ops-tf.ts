/** TF graph models (NHWC): Conv2D [kH,kW,I,O], DepthwiseConv2dNative [kH,kW,C,M], MatMul [K,N]. Unstructured only. */
import type { DialectOps } from './ops';

const conv = { kind: 'conv' as const, weights: [{ input: 1, outAxis: 3, inAxis: 2 }] };
// Output channel c*M+m comes from input channel c (axis 2) and multiplier m (axis 3).
const depthwise = { kind: 'depthwise' as const, weights: [{ input: 1, outAxis: 2 }] };
const dense = { kind: 'dense' as const, weights: [{ input: 1, outAxis: 1, inAxis: 0 }], transposeAttr: 'transpose_b' };

export const tfPruneOps: DialectOps = {
  lookThrough: [],
  layers: {
    'tf.Conv2D': conv,
    'tf._FusedConv2D': conv,
    'tf.Conv2DBackpropInput': { kind: 'conv', weights: [{ input: 1, outAxis: 2, inAxis: 3 }] },
    'tf.DepthwiseConv2dNative': depthwise,
    'tf.FusedDepthwiseConv2dNative': depthwise,
    'tf.MatMul': dense,
    'tf._FusedMatMul': dense,
  },
};
