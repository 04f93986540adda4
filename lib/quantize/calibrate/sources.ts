/**
 * Calibration samples from what users have: .npy arrays (one sample, or a batch along the first
 * dim), decoded images (resized and normalised like the Run panel does), IDX data sets (the
 * bundled Fashion-MNIST images), or seeded random data (which says little about real
 * activations: callers must warn). Every source yields one sample set (one tensor per model
 * input) at a time, in the model's input shapes.
 */
import type { DType } from '../../ir/types';
import { imageToTensor, type InputSpec, type Normalisation } from '../../run/inputs';
import { findPerm, transpose } from '../../run/layout';
import { randomHostTensor } from '../../runtime/host-tensor';
import type { HostTensor } from '../../runtime/types';

export interface DecodedImage { name: string; rgba: ArrayLike<number>; width: number; height: number }

const size = (shape: number[]): number => shape.reduce((a, b) => a * b, 1);
const staticShape = (spec: InputSpec): number[] => spec.shape.map((d) => d ?? 1);

/** Casts float arrays to the input's float dtype; other dtypes must match. */
function asInput(t: HostTensor, spec: InputSpec, what: string): HostTensor {
  if (t.dtype === spec.dtype) return { ...t, name: spec.name };
  if (spec.dtype === 'float32' && (t.dtype === 'float64' || t.dtype === 'float16' || t.dtype === 'uint8')) {
    return { name: spec.name, dtype: 'float32', shape: t.shape, data: Float32Array.from(t.data as ArrayLike<number>) };
  }
  throw new Error(`${what}: ${t.dtype} data for input ${spec.name}, which is ${spec.dtype}`);
}

/**
 * One .npy array as samples for one input: shaped like the input (one sample), or [N, ...] with
 * the rest shaped like the input (N samples). Either may be in the other layout (NCHW for an
 * NHWC input), as data prepared for the ONNX original is.
 */
export function* npySamples(t: HostTensor, spec: InputSpec, file: string): Generator<HostTensor> {
  const want = staticShape(spec);
  const one = size(want);
  const fit = (x: HostTensor): HostTensor => {
    if (x.shape.join() === want.join()) return asInput(x, spec, file);
    const perm = findPerm(x.shape, want);
    if (perm && size(x.shape) === one) return asInput({ ...transpose(x, perm), shape: want }, spec, file);
    throw new Error(`${file}: shape [${x.shape.join(', ')}] does not fit input ${spec.name} [${want.join(', ')}]`);
  };
  if (size(t.shape) === one) { yield fit({ ...t, shape: t.shape.length === want.length ? t.shape : want }); return; }
  const n = t.shape[0] ?? 0;
  const rest = t.shape.slice(1);
  const per = size(rest);
  if (n < 1 || per * n !== t.data.length) throw new Error(`${file}: shape [${t.shape.join(', ')}] is neither one sample nor a batch for input ${spec.name} [${want.join(', ')}]`);
  // A batch of [N, ...rest] where rest drops the input's leading 1 (e.g. [N, 28, 28, 1] for [1, 28, 28, 1]).
  const sample = rest.length === want.length ? rest : [1, ...rest];
  for (let i = 0; i < n; i++) {
    const data = t.data.subarray(i * per, (i + 1) * per) as HostTensor['data'];
    yield fit({ name: t.name, dtype: t.dtype, shape: sample, data });
  }
}

export function* imageSamples(images: Iterable<DecodedImage>, spec: InputSpec, normalisation: Normalisation): Generator<HostTensor> {
  for (const im of images) yield imageToTensor(im.rgba, im.width, im.height, spec, normalisation);
}

/** Grey uint8 images (IDX, row-major HxW), scaled to [0, 1] in the input's layout and size. */
export function* greyImageSamples(pixels: Uint8Array, width: number, height: number, count: number, spec: InputSpec, normalisation: Normalisation = 'unit'): Generator<HostTensor> {
  const n = width * height;
  for (let i = 0; i < count; i++) {
    const grey = pixels.subarray(i * n, (i + 1) * n);
    const rgba = new Uint8Array(n * 4);
    for (let k = 0; k < n; k++) { rgba[4 * k] = rgba[4 * k + 1] = rgba[4 * k + 2] = grey[k]!; rgba[4 * k + 3] = 255; }
    yield imageToTensor(rgba, width, height, spec, normalisation);
  }
}

export function* randomSamples(spec: InputSpec, count: number, seed = 1): Generator<HostTensor> {
  // Uniform [0, 1): the range of image inputs normalised to unit scale, the commonest case.
  for (let i = 0; i < count; i++) yield randomHostTensor(spec, { seed: seed + i, min: 0, max: 1 });
}

/** Zips one generator per model input into sample sets; stops at the shortest. */
export function* zipInputs(perInput: Array<Iterator<HostTensor>>): Generator<HostTensor[]> {
  for (;;) {
    const set: HostTensor[] = [];
    for (const it of perInput) {
      const r = it.next();
      if (r.done) return;
      set.push(r.value);
    }
    yield set;
  }
}

export function inputSpecs(graph: { inputs: string[]; tensors: Map<string, { dtype: DType; shape: Array<number | string | null> | null }> }): InputSpec[] {
  return graph.inputs.map((name) => {
    const t = graph.tensors.get(name);
    return { name, dtype: t?.dtype ?? 'float32', shape: (t?.shape ?? []).map((d) => (typeof d === 'number' ? d : null)) };
  });
}
