/** TF.js layers models: weights are found by their Keras name, kernels are [..., in, out]. Unstructured only. */
import type { DialectOps } from './ops';

const kernel = [{ input: 'kernel', outAxis: -1, inAxis: -2 }];

export const kerasPruneOps: DialectOps = {
  lookThrough: [],
  layers: {
    'keras.Conv1D': { kind: 'conv', weights: kernel },
    'keras.Conv2D': { kind: 'conv', weights: kernel },
    'keras.Conv3D': { kind: 'conv', weights: kernel },
    'keras.Dense': { kind: 'dense', weights: kernel },
    'keras.Conv2DTranspose': { kind: 'conv', weights: [{ input: 'kernel', outAxis: -2, inAxis: -1 }] },
    'keras.DepthwiseConv2D': { kind: 'depthwise', weights: [{ input: 'depthwise_kernel', outAxis: -2 }] },
    'keras.SeparableConv2D': {
      kind: 'conv',
      weights: [{ input: 'depthwise_kernel', outAxis: -2 }, { input: 'pointwise_kernel', outAxis: -1, inAxis: -2 }],
    },
  },
};
