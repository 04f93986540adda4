import { describe, expect, it } from 'vitest';
import type { Node } from '../ir/types';
import { opCategory, opDetail, opLabel, shapeLabel } from './ops';
import { graphOf } from './synthetic';

describe('ops', () => {
  it('labels and categorises ops across dialects', () => {
    expect(opLabel('tfl.CONV_2D')).toBe('CONV_2D');
    expect(opCategory('tfl.DEPTHWISE_CONV_2D')).toBe('conv');
    expect(opCategory('onnx.MatMul')).toBe('matmul');
    expect(opCategory('tfl.FULLY_CONNECTED')).toBe('matmul');
    expect(opCategory('onnx.QuantizeLinear')).toBe('quant');
    expect(opCategory('onnx.Relu')).toBe('activation');
    expect(opCategory('tfl.MAX_POOL_2D')).toBe('pooling');
    expect(opCategory('onnx.BatchNormalization')).toBe('norm');
    expect(opCategory('tfl.RESHAPE')).toBe('shape');
    expect(opCategory('onnx.Loop')).toBe('control');
    expect(opCategory('onnx.Relu', true)).toBe('custom');
  });

  it('summarises key attributes', () => {
    const g = graphOf([], [], []);
    const conv: Node = {
      name: 'c', op: 'onnx.Conv', inputs: [], outputs: [],
      attrs: { kernel_shape: { kind: 'ints', value: [3, 3] }, strides: { kind: 'ints', value: [2, 2] }, auto_pad: { kind: 'string', value: 'SAME_UPPER' } },
    };
    expect(opDetail(conv, g)).toBe('3x3 /2 SAME');
    g.tensors.set('w', { name: 'w', dtype: 'float32', shape: [16, 5, 5, 8], isConstant: true });
    const tfl: Node = {
      name: 't', op: 'tfl.CONV_2D', inputs: ['x', 'w'], outputs: [],
      attrs: { stride_h: { kind: 'int', value: 1 }, stride_w: { kind: 'int', value: 1 }, padding: { kind: 'string', value: 'VALID' }, fused_activation_function: { kind: 'string', value: 'RELU6' } },
    };
    expect(opDetail(tfl, g)).toBe('5x5 VALID RELU6');
    expect(opDetail({ name: 'x', op: 'onnx.Concat', inputs: [], outputs: [], attrs: { axis: { kind: 'int', value: 1 } } }, g)).toBe('axis=1');
    expect(opDetail({ name: 'x', op: 'onnx.Relu', inputs: [], outputs: [], attrs: {} }, g)).toBeUndefined();
  });

  it('formats shapes', () => {
    expect(shapeLabel([1, 32, null, 'batch'])).toBe('1x32x?xbatch');
    expect(shapeLabel(null)).toBe('?');
    expect(shapeLabel([])).toBe('scalar');
  });
});
