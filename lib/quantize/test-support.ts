/**
 * Test support: the bundled Fashion-MNIST model converted to `tfl`, its bundled calibration and
 * evaluation images, and a small synthetic `tfl` graph with the op kinds the quantizer treats
 * differently (fixed output scales, shared scales, an op without integer kernel). Node only.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { AttrValue, Graph, Model, Node, Tensor } from '../ir/types';
import { readIdx } from '../data/idx';
import { readModel } from '../formats/registry';
import { seededRandom } from '../runtime/host-tensor';
import type { HostTensor } from '../runtime/types';
import { tflOptions } from '../transforms/onnx-to-tfl/builder';
import { convertToTflite } from '../transforms/to-tflite';

export const ROOT = path.resolve(__dirname, '../..');
const DATA = path.join(ROOT, 'public', 'datasets', 'fashion-mnist');

export async function fashionOnnx(): Promise<Model> {
  const bytes = new Uint8Array(readFileSync(path.join(ROOT, 'public', 'models', 'fashion-mnist-cnn.onnx')));
  return readModel([{ name: 'fashion-mnist-cnn.onnx', bytes }]);
}

export async function fashionTfl(): Promise<Model> {
  const r = convertToTflite(await fashionOnnx());
  if (!r.converted) throw new Error('Fashion-MNIST did not convert');
  return r.model;
}

export interface Images { pixels: Uint8Array; count: number; labels?: Uint8Array }

export function bundledImages(which: 'calibration' | 'test'): Images {
  const img = readIdx(new Uint8Array(readFileSync(path.join(DATA, which === 'calibration' ? 'calibration-images.idx' : 'test-images.idx'))));
  const out: Images = { pixels: img.data, count: img.dims[0]! };
  if (which === 'test') out.labels = readIdx(new Uint8Array(readFileSync(path.join(DATA, 'test-labels.idx')))).data;
  return out;
}

/** Image i as the NHWC [1, 28, 28, 1] float input of the converted model (pixel / 255). */
export function fashionInput(images: Images, i: number, name = 'image'): HostTensor {
  const data = new Float32Array(784);
  for (let k = 0, o = i * 784; k < 784; k++) data[k] = images.pixels[o + k]! / 255;
  return { name, dtype: 'float32', shape: [1, 28, 28, 1], data };
}

export function* fashionSamples(images: Images, count: number, name = 'image'): Generator<HostTensor[]> {
  for (let i = 0; i < Math.min(count, images.count); i++) yield [fashionInput(images, i, name)];
}

export const argmax = (v: ArrayLike<number>): number => { let b = 0; for (let i = 1; i < v.length; i++) if (v[i]! > v[b]!) b = i; return b; };

// ---- a synthetic graph ----------------------------------------------------------------------

const f32 = (v: ArrayLike<number>): Uint8Array => new Uint8Array(Float32Array.from(v).buffer);
const i32 = (v: number[]): Uint8Array => new Uint8Array(Int32Array.from(v).buffer);

function randomConst(name: string, shape: number[], seed: number, scale = 0.5): Tensor {
  const rnd = seededRandom(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  return { name, dtype: 'float32', shape, data: f32(Array.from({ length: n }, () => (rnd() * 2 - 1) * scale)), isConstant: true };
}

const node = (name: string, op: string, inputs: string[], outputs: string[], attrs: Record<string, AttrValue> = {}): Node =>
  ({ name, op: `tfl.${op}`, inputs, outputs, attrs: tflOptions(op, attrs) });

/**
 * x[1,8,8,3] -> CONV_2D(relu) a[1,8,8,4] -> MAX_POOL b[1,4,4,4]
 *           \-> DEPTHWISE c[1,8,8,3] -> AVERAGE_POOL d[1,4,4,3]
 * CONCATENATION(b, d) e[1,4,4,7] -> ABS -> ADD 1.5 -> LOG -> RESHAPE f[1,112] -> FC g[1,5] -> SOFTMAX y[1,5]
 * LOG has no integer kernel: it runs float between DEQUANTIZE and QUANTIZE.
 */
export function syntheticTfl(): Model {
  const t = (name: string, shape: number[]): Tensor => ({ name, dtype: 'float32', shape });
  const tensors: Tensor[] = [
    t('x', [1, 8, 8, 3]), t('a', [1, 8, 8, 4]), t('b', [1, 4, 4, 4]), t('c', [1, 8, 8, 3]), t('d', [1, 4, 4, 3]),
    t('e', [1, 4, 4, 7]), t('e1', [1, 4, 4, 7]), t('e2', [1, 4, 4, 7]), t('f', [1, 112]), t('g', [1, 5]), t('y', [1, 5]),
    randomConst('conv/w', [4, 3, 3, 3], 1), randomConst('conv/b', [4], 2, 0.1),
    randomConst('dw/w', [1, 3, 3, 3], 3), randomConst('dw/b', [3], 4, 0.1),
    { ...randomConst('one', [1], 5), data: f32([1.5]) },
    randomConst('fc/w', [5, 112], 6, 0.2), randomConst('fc/b', [5], 7, 0.1),
    { name: 'shape', dtype: 'int32', shape: [2], data: i32([1, 112]), isConstant: true },
  ];
  const pool = { padding: { kind: 'string', value: 'VALID' }, stride_w: { kind: 'int', value: 2 }, stride_h: { kind: 'int', value: 2 }, filter_width: { kind: 'int', value: 2 }, filter_height: { kind: 'int', value: 2 } } as Record<string, AttrValue>;
  const nodes: Node[] = [
    node('conv', 'CONV_2D', ['x', 'conv/w', 'conv/b'], ['a'], { padding: { kind: 'string', value: 'SAME' }, stride_w: { kind: 'int', value: 1 }, stride_h: { kind: 'int', value: 1 }, fused_activation_function: { kind: 'string', value: 'RELU' } }),
    node('pool', 'MAX_POOL_2D', ['a'], ['b'], pool),
    node('dw', 'DEPTHWISE_CONV_2D', ['x', 'dw/w', 'dw/b'], ['c'], { padding: { kind: 'string', value: 'SAME' }, stride_w: { kind: 'int', value: 1 }, stride_h: { kind: 'int', value: 1 }, depth_multiplier: { kind: 'int', value: 1 } }),
    node('avg', 'AVERAGE_POOL_2D', ['c'], ['d'], pool),
    node('concat', 'CONCATENATION', ['b', 'd'], ['e'], { axis: { kind: 'int', value: 3 } }),
    node('abs', 'ABS', ['e'], ['e1']),
    node('shift', 'ADD', ['e1', 'one'], ['e2']),
    node('log', 'LOG', ['e2'], ['e3']),
    node('flat', 'RESHAPE', ['e3', 'shape'], ['f'], { new_shape: { kind: 'ints', value: [1, 112] } }),
    node('fc', 'FULLY_CONNECTED', ['f', 'fc/w', 'fc/b'], ['g']),
    node('softmax', 'SOFTMAX', ['g'], ['y'], { beta: { kind: 'float', value: 1 } }),
  ];
  tensors.push(t('e3', [1, 4, 4, 7]));
  const g: Graph = { name: 'main', nodes, inputs: ['x'], outputs: ['y'], tensors: new Map(tensors.map((x) => [x.name, x])) };
  return { format: 'tflite', dialect: 'tfl', name: 'synthetic.tflite', files: [], graphs: [g], metadata: {}, opsets: { tflite: 3 } };
}

export function* syntheticSamples(count: number): Generator<HostTensor[]> {
  for (let i = 0; i < count; i++) {
    const rnd = seededRandom(100 + i);
    yield [{ name: 'x', dtype: 'float32', shape: [1, 8, 8, 3], data: Float32Array.from({ length: 192 }, () => rnd() * 2 - 1) }];
  }
}
