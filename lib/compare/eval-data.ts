/**
 * Evaluation samples for the app, from what the user picked: the bundled labelled Fashion-MNIST
 * test images, a folder of images labelled by sub-folder name (`cat/1.png`), or .npy inputs with
 * optional .npy labels. The sample building and the labelling are lib/compare/datasets.ts, the
 * same functions `cli eval` uses, so both print the same numbers on the same files. Here only the
 * browser-side reading: bytes and image decoding come in through `env`.
 */
import type { Model } from '../ir/types';
import { readIdx } from '../data/idx';
import { readNpy } from '../npy';
import type { DecodedImage } from '../quantize/calibrate/sources';
import type { Normalisation } from '../run/inputs';
import type { HostTensor } from '../runtime/types';
import { bundledSet, classFolders, evalSpecs, imageSet, npyLabels, npySet } from './datasets';

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

/**
 * A picked folder's paths start with the folder's own name (`data/cat/1.png`): labels come from
 * the path below it. Labelled only when every image sits one level down and there are two or
 * more classes; otherwise the images are unlabelled (agreement with the float model only).
 */
export function folderLabels(paths: string[]): { labels: number[]; classes: string[] } | undefined {
  const below = paths.map((p) => p.split('/').filter(Boolean).slice(1).join('/'));
  if (below.some((p) => p.split('/').length !== 2)) return undefined;
  const l = classFolders(below);
  return l.classes.length > 1 ? l : undefined;
}

export async function evalData(model: Model, spec: EvalDataSpec, env: EvalEnv): Promise<EvalData> {
  const specs = evalSpecs(model.graphs[0]!);
  if (spec.kind === 'bundled') {
    const [img, lab] = await Promise.all([env.fetchBytes('/datasets/fashion-mnist/test-images.idx'), env.fetchBytes('/datasets/fashion-mnist/test-labels.idx')]);
    const set = bundledSet(readIdx(img, 'test-images.idx'), readIdx(lab, 'test-labels.idx'), specs, spec.count);
    return { sets: [...set.sets], ...(set.labels ? { labels: set.labels } : {}), description: set.description };
  }
  if (spec.kind === 'images') {
    const files = spec.files.slice(0, spec.count);
    if (!files.length) throw new Error('the picked folder holds no .png or .jpg images');
    const labelled = folderLabels(files.map((f) => f.path));
    const images: DecodedImage[] = [];
    for (const f of files) {
      try {
        images.push(await env.decodeImage(f.blob));
      } catch (e) {
        throw new Error(`${f.path}: not a readable image (${e instanceof Error ? e.message : String(e)})`);
      }
    }
    const root = files[0]!.path.split('/')[0] ?? 'the folder';
    const set = imageSet(() => images, images.length, specs, spec.normalisation, root, labelled);
    return { sets: [...set.sets], ...(set.labels ? { labels: set.labels, classes: set.classes! } : {}), description: set.description };
  }
  const x = readNpy(spec.inputs.bytes, spec.inputs.name);
  const labels = spec.labels ? { values: npyLabels(readNpy(spec.labels.bytes, spec.labels.name), spec.labels.name), file: spec.labels.name } : undefined;
  const set = npySet([{ tensor: x, file: spec.inputs.name }], specs, spec.count, labels);
  return { sets: [...set.sets], ...(set.labels ? { labels: set.labels } : {}), description: set.description };
}
