/**
 * Evaluation samples for a model from what the user picked: the bundled labelled Fashion-MNIST
 * test images, a folder of images labelled by sub-folder name (`cat/1.png`; numeric folder names
 * are class indices, other names are sorted and numbered), or .npy inputs with optional .npy
 * labels. Samples come in the model's own input shapes. Environment-neutral: bytes and decoders
 * are passed in.
 */
import type { Model } from '../ir/types';
import { readIdx } from '../data/idx';
import { readNpy } from '../npy';
import { greyImageSamples, imageSamples, inputSpecs, npySamples, zipInputs, type DecodedImage } from '../quantize/calibrate/sources';
import { imageLayout, type Normalisation } from '../run/inputs';
import type { HostTensor } from '../runtime/types';

export type EvalDataSpec =
  | { kind: 'bundled'; count: number }
  | { kind: 'images'; files: Array<{ blob: Blob; path: string }>; normalisation: Normalisation; count: number }
  | { kind: 'npy'; inputs: { name: string; bytes: Uint8Array }; labels?: { name: string; bytes: Uint8Array }; count: number };

export interface EvalData {
  sets: HostTensor[][];
  labels?: number[];
  /** Class names by index, for image folders. */
  classes?: string[];
  description: string;
}

export interface EvalEnv {
  fetchBytes(url: string): Promise<Uint8Array>;
  decodeImage(file: Blob): Promise<DecodedImage>;
}

/** The folder a file sits in, relative to the picked root: its class. */
function classOf(path: string): string | null {
  const parts = path.split('/').filter(Boolean);
  return parts.length >= 2 ? parts[parts.length - 2]! : null;
}

export function classIndex(names: string[]): Map<string, number> {
  const unique = [...new Set(names)];
  if (unique.every((n) => /^\d+$/.test(n))) return new Map(unique.map((n) => [n, Number(n)]));
  return new Map(unique.sort().map((n, i) => [n, i]));
}

export async function evalData(model: Model, spec: EvalDataSpec, env: EvalEnv): Promise<EvalData> {
  const specs = inputSpecs(model.graphs[0]!);
  const one = specs.length === 1 ? specs[0]! : null;
  if (spec.kind === 'bundled') {
    if (!one || !imageLayout(one.shape)) throw new Error('the bundled evaluation set is 28x28 images; this model does not take one image input');
    const [img, lab] = await Promise.all([env.fetchBytes('/datasets/fashion-mnist/test-images.idx'), env.fetchBytes('/datasets/fashion-mnist/test-labels.idx')]);
    const images = readIdx(img, 'test-images.idx'), labels = readIdx(lab, 'test-labels.idx');
    const n = Math.min(spec.count, images.dims[0]!);
    return {
      sets: [...zipInputs([greyImageSamples(images.data, images.dims[2]!, images.dims[1]!, n, one)])],
      labels: Array.from(labels.data.subarray(0, n)),
      description: `${n} bundled Fashion-MNIST test images (labelled)`,
    };
  }
  if (spec.kind === 'images') {
    if (!one || !imageLayout(one.shape)) throw new Error('image evaluation needs a model with one image input');
    const files = spec.files.slice(0, spec.count);
    const names = files.map((f) => classOf(f.path));
    const labelled = names.every((n) => n !== null) && new Set(names).size > 1;
    const index = labelled ? classIndex(names as string[]) : null;
    const images: DecodedImage[] = [];
    for (const f of files) images.push(await env.decodeImage(f.blob));
    return {
      sets: [...zipInputs([imageSamples(images, one, spec.normalisation)])],
      ...(index ? { labels: names.map((n) => index.get(n!)!), classes: [...index].sort((a, b) => a[1] - b[1]).map(([k]) => k) } : {}),
      description: `${images.length} of your images${index ? `, labelled by folder (${index.size} classes)` : ', unlabelled'}`,
    };
  }
  if (!one) throw new Error('.npy evaluation takes one input; this model has several');
  const x = readNpy(spec.inputs.bytes, spec.inputs.name);
  const sets = [...zipInputs([npySamples(x, one, spec.inputs.name)])].slice(0, spec.count);
  let labels: number[] | undefined;
  if (spec.labels) {
    const y = readNpy(spec.labels.bytes, spec.labels.name);
    labels = Array.from(y.data as ArrayLike<number | bigint>, Number).slice(0, sets.length);
    if (labels.length !== sets.length) throw new Error(`${spec.labels.name}: ${labels.length} labels for ${sets.length} samples in ${spec.inputs.name}`);
  }
  return { sets, ...(labels ? { labels } : {}), description: `${sets.length} samples from ${spec.inputs.name}${labels ? ' (labelled)' : ''}` };
}
