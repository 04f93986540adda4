/**
 * Evaluation data as sample sets for a model, from what a user has: the bundled labelled
 * Fashion-MNIST test images, images labelled by the folder they sit in (`cat/1.png`), or .npy
 * inputs with .npy labels. Pure: callers read the files (the CLI with node:fs) and pass bytes,
 * decoded images or arrays in.
 *
 * Samples are float in the model's own input shapes: a quantized input (int8 with scale and
 * zero point) gets float data that lib/quantize/io.ts quantizes as the device application
 * would, so a float model and its int8 variant see the very same numbers.
 */
import type { Graph } from '../ir/types';
import type { Idx } from '../data/idx';
import type { Metrics } from './metrics';
import { greyImageSamples, imageSamples, inputSpecs, npySamples, zipInputs, type DecodedImage } from '../quantize/calibrate/sources';
import { imageLayout, type InputSpec, type Normalisation } from '../run/inputs';
import { findPerm, transpose } from '../run/layout';
import type { HostTensor } from '../runtime/types';

export interface EvalSet {
  /** One tensor per model input per sample; images decode lazily, one at a time. */
  sets: Iterable<HostTensor[]>;
  count: number;
  labels?: number[];
  /** Class names by label index (image folders). */
  classes?: string[];
  description: string;
}

const size = (shape: number[]): number => shape.reduce((a, b) => a * b, 1);

/** The model's inputs as specs for float sample data (quantized integer inputs read as float32). */
export function evalSpecs(g: Graph): InputSpec[] {
  return inputSpecs(g).map((s) => {
    const t = g.tensors.get(s.name);
    const quantized = !!t?.quant && t.quant.scale.length === 1 && /^(u?int8|int16)$/.test(t.dtype);
    return quantized ? { ...s, dtype: 'float32' } : s;
  });
}

/**
 * Labels from the folder each image sits in, relative to the data folder: class names sorted by
 * code point (not locale, so every machine numbers them alike) are labels 0, 1, ...
 */
export function classFolders(paths: string[]): { classes: string[]; labels: number[] } {
  const names = paths.map((p) => {
    const parts = p.split(/[\\/]/).filter(Boolean);
    if (parts.length !== 2) throw new Error(`${p}: an image must sit in a class folder directly under the data folder (e.g. cat/1.png)`);
    return parts[0]!;
  });
  const classes = [...new Set(names)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const index = new Map(classes.map((c, i) => [c, i]));
  return { classes, labels: names.map((n) => index.get(n)!) };
}

function oneImageInput(specs: InputSpec[], what: string): InputSpec {
  const one = specs.length === 1 ? specs[0]! : null;
  if (!one || !imageLayout(one.shape)) throw new Error(`${what} needs a model with one image input (rank 4, 1 or 3 channels); this one takes ${specs.map((s) => `${s.name} [${s.shape.map((d) => d ?? '?').join(', ')}]`).join(', ')}`);
  return one;
}

/** The bundled test images (IDX) with their labels; for models with one 28x28x1 image input. */
export function bundledSet(images: Idx, labels: Idx, specs: InputSpec[], count: number, norm: Normalisation = 'unit'): EvalSet {
  const spec = oneImageInput(specs, 'the bundled Fashion-MNIST set');
  const l = imageLayout(spec.shape)!;
  const [, h, w] = images.dims;
  const fixed = spec.shape.slice(1).every((d) => typeof d === 'number');
  if (!fixed || l.channels !== 1 || l.height !== h || l.width !== w) {
    throw new Error(`the bundled Fashion-MNIST set is ${h}x${w}x1 grey images; input ${spec.name} is [${spec.shape.map((d) => d ?? '?').join(', ')}]: give --data`);
  }
  if (labels.dims[0] !== images.dims[0]) throw new Error(`bundled set: ${labels.dims[0]} labels for ${images.dims[0]} images`);
  const n = Math.min(count, images.dims[0]!);
  return {
    sets: { [Symbol.iterator]: () => zipInputs([greyImageSamples(images.data, w!, h!, n, spec, norm)]) },
    count: n,
    labels: Array.from(labels.data.subarray(0, n)),
    description: `${n} bundled Fashion-MNIST test images (labelled${norm === 'unit' ? '' : `, ${norm} normalisation`})`,
  };
}

/** Decoded images (in the order of `labels`), resized and normalised for the model's image input. */
export function imageSet(images: () => Iterable<DecodedImage>, count: number, specs: InputSpec[], norm: Normalisation, what: string, labelled?: { labels: number[]; classes: string[] }): EvalSet {
  const spec = oneImageInput(specs, 'image data');
  return {
    sets: { [Symbol.iterator]: () => zipInputs([imageSamples(images(), spec, norm)]) },
    count,
    ...(labelled ? { labels: labelled.labels.slice(0, count), classes: labelled.classes } : {}),
    description: `${count} images from ${what} (${labelled ? `labelled by folder, ${labelled.classes.length} classes, ` : ''}${norm} normalisation)`,
  };
}

/**
 * .npy arrays, one per model input: each one sample or an [N, ...] batch, in either layout; with
 * labels, one per sample (checked before `count` cuts the data short).
 */
export function npySet(arrays: Array<{ tensor: HostTensor; file: string }>, specs: InputSpec[], count: number, labels?: { values: number[]; file: string }): EvalSet {
  if (arrays.length !== specs.length) throw new Error(`${arrays.length} .npy file(s) for a model with ${specs.length} input(s) (${specs.map((s) => s.name).join(', ')}): give one per input, comma separated`);
  const perInput = arrays.map((a, i) => [...npySamples(a.tensor, specs[i]!, a.file)]);
  const counts = perInput.map((p) => p.length);
  if (new Set(counts).size > 1) throw new Error(`the .npy inputs hold different numbers of samples: ${arrays.map((a, i) => `${a.file} ${counts[i]}`).join(', ')}`);
  const total = counts[0] ?? 0;
  if (labels && labels.values.length !== total) throw new Error(`${labels.file}: ${labels.values.length} labels for ${total} samples in ${arrays.map((a) => a.file).join(', ')}`);
  const n = Math.min(count, total);
  const sets = Array.from({ length: n }, (_, k) => perInput.map((p) => p[k]!));
  return {
    sets, count: n,
    ...(labels ? { labels: labels.values.slice(0, n) } : {}),
    description: `${n} samples from ${arrays.map((a) => a.file).join(', ')}${labels ? ` (labels from ${labels.file})` : ''}`,
  };
}

/** Class indices from a labels array: N whole numbers >= 0, shaped [N] or [N, 1]. */
export function npyLabels(t: HostTensor, file: string): number[] {
  if (t.shape.length > 2 || (t.shape.length === 2 && t.shape[1] !== 1)) throw new Error(`${file}: labels must be shaped [N] (or [N, 1]), got [${t.shape.join(', ')}]`);
  const out = Array.from(t.data as ArrayLike<number | bigint>, Number);
  const bad = out.findIndex((v) => !Number.isInteger(v) || v < 0);
  if (bad >= 0) throw new Error(`${file}: label ${bad} is ${out[bad]}, not a class index (a whole number >= 0)`);
  return out;
}

/** A sample set (in one model's input shapes) in another model's shapes: NCHW <-> NHWC by the shapes. */
export function inLayout(set: HostTensor[], specs: InputSpec[], what: string): HostTensor[] {
  if (set.length !== specs.length) throw new Error(`${what} takes ${specs.length} input(s); the data has ${set.length}`);
  return set.map((t, i) => {
    const want = specs[i]!.shape.map((d) => d ?? 1);
    if (t.shape.join() === want.join()) return t;
    const perm = findPerm(t.shape, want);
    if (perm && size(t.shape) === size(want)) return { ...transpose(t, perm), name: specs[i]!.name };
    if (size(t.shape) === size(want) && t.shape.filter((d) => d !== 1).join() === want.filter((d) => d !== 1).join()) return { ...t, shape: want };
    throw new Error(`${what}: input ${specs[i]!.name} is [${want.join(', ')}]; the data is [${t.shape.join(', ')}]`);
  });
}

/** Reference outputs in the shapes of the evaluated model's outputs (a converted model may be NHWC). */
export function alignOutputs(reference: HostTensor[], like: HostTensor[], what: string): HostTensor[] {
  if (reference.length !== like.length) throw new Error(`${what} has ${reference.length} output(s), the model ${like.length}`);
  return reference.map((r, i) => {
    const want = like[i]!.shape;
    if (r.shape.join() === want.join()) return r;
    if (size(r.shape) !== size(want)) throw new Error(`${what}: output ${i} is [${r.shape.join(', ')}], the model's [${want.join(', ')}]`);
    const perm = findPerm(r.shape, want);
    return perm ? transpose(r, perm) : { ...r, shape: want };
  });
}

/**
 * Metrics as JSON: an infinite SQNR (outputs identical to the reference) is the string
 * "Infinity" rather than JSON.stringify's null, which would read as "not measured";
 * Number("Infinity") and Python's float("Infinity") both read it back.
 */
export function jsonMetrics(m: Metrics): Record<string, number | string> {
  const out: Record<string, number | string> = {};
  for (const [k, v] of Object.entries(m)) if (v !== undefined) out[k] = Number.isFinite(v) ? v : Number.isNaN(v) ? 'NaN' : v > 0 ? 'Infinity' : '-Infinity';
  return out;
}
