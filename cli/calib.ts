/**
 * `--calib` on the CLI: calibration samples from a folder of images (PNG / JPEG, decoded with
 * pngjs / jpeg-js, resized and normalised like the app does), .npy files (one sample or a batch
 * each; one file per model input separated by commas), the bundled Fashion-MNIST images
 * (`samples`), or seeded random data (`random`, with a warning: its ranges say little about real
 * inputs). Samples are read lazily, one at a time.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { readIdx } from '../lib/data/idx';
import type { Model } from '../lib/ir/types';
import { readNpy } from '../lib/npy';
import type { CalibrationData } from '../lib/quantize/pipeline';
import { greyImageSamples, imageSamples, inputSpecs, npySamples, randomSamples, zipInputs, type DecodedImage } from '../lib/quantize/calibrate/sources';
import type { Normalisation } from '../lib/run/inputs';
import type { HostTensor } from '../lib/runtime/types';
import { UsageError } from './run';

const IMAGE = /\.(png|jpe?g)$/i;
const BUNDLED = path.resolve(__dirname, '..', 'public', 'datasets', 'fashion-mnist', 'calibration-images.idx');

export function decodeImageFile(file: string): DecodedImage {
  const bytes = readFileSync(file);
  try {
    if (/\.png$/i.test(file)) {
      const png = PNG.sync.read(bytes);
      return { name: path.basename(file), rgba: png.data, width: png.width, height: png.height };
    }
    // maxMemoryUsageInMB bounds what a hostile JPEG header can make the decoder allocate.
    const img = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true, maxMemoryUsageInMB: 512 });
    return { name: path.basename(file), rgba: img.data, width: img.width, height: img.height };
  } catch (e) {
    throw new Error(`${file}: cannot decode as ${/\.png$/i.test(file) ? 'PNG' : 'JPEG'}: ${(e as Error).message}`);
  }
}

function* take<T>(it: Iterable<T>, n: number): Generator<T> {
  if (n <= 0) return;
  let i = 0;
  for (const x of it) { yield x; if (++i >= n) return; }
}

function* images(files: string[]): Generator<DecodedImage> {
  for (const f of files) yield decodeImageFile(f);
}

function npyChain(files: string[], spec: ReturnType<typeof inputSpecs>[number]): Iterator<HostTensor> {
  return (function* () { for (const f of files) yield* npySamples(readNpy(new Uint8Array(readFileSync(f)), path.basename(f)), spec, f); })();
}

function countNpy(files: string[], spec: ReturnType<typeof inputSpecs>[number]): number {
  let n = 0;
  const it = npyChain(files, spec);
  while (!it.next().done) n++;
  return n;
}

/** The calibration data `--calib` names, for the float `tfl` model (inputs in its layout). */
export function calibrationData(arg: string, model: Model, options: { count?: number; normalisation?: Normalisation; warn?: (s: string) => void }): CalibrationData {
  const specs = inputSpecs(model.graphs[0]!);
  const max = options.count ?? 500;
  const norm = options.normalisation ?? 'unit';
  const random = /^random(?::(\d+))?$/.exec(arg);
  if (random) {
    const n = Math.min(Number(random[1] ?? 100), max);
    options.warn?.(`calibrating on ${n} random inputs: their activation ranges need not match real data; accuracy may suffer`);
    return { samples: zipInputs(specs.map((s, i) => randomSamples(s, n, 1 + 1000 * i))), count: n, description: `${n} seeded random inputs` };
  }
  if (arg === 'samples') {
    if (specs.length !== 1) throw new UsageError('--calib samples works for single-input image models only');
    const idx = readIdx(new Uint8Array(readFileSync(BUNDLED)), 'bundled calibration images');
    const n = Math.min(idx.dims[0]!, max);
    return { samples: zipInputs([greyImageSamples(idx.data, idx.dims[2]!, idx.dims[1]!, n, specs[0]!, norm)]), count: n, description: `${n} bundled Fashion-MNIST training images` };
  }
  const parts = arg.split(',');
  if (parts.length !== specs.length && parts.length > 1) throw new UsageError(`--calib gives ${parts.length} paths; the model has ${specs.length} input(s) (${specs.map((s) => s.name).join(', ')})`);
  const filesOf = (p: string): string[] => {
    const st = statSync(p, { throwIfNoEntry: false });
    if (!st) throw new UsageError(`--calib ${p}: no such file or folder`);
    if (!st.isDirectory()) return [p];
    return readdirSync(p).sort().map((f) => path.join(p, f)).filter((f) => statSync(f).isFile() && (IMAGE.test(f) || /\.npy$/i.test(f)));
  };
  const lists = parts.map(filesOf);
  if (lists.some((l) => l.length === 0)) throw new UsageError(`--calib ${arg}: no .npy, .png or .jpg files there`);
  const allImages = lists.every((l) => l.every((f) => IMAGE.test(f)));
  if (allImages) {
    if (specs.length !== 1) throw new UsageError('image folders calibrate single-input models; give .npy files per input instead');
    const n = Math.min(lists[0]!.length, max);
    return { samples: zipInputs([imageSamples(images(lists[0]!.slice(0, n)), specs[0]!, norm)]), count: n, description: `${n} images from ${arg} (${norm} normalisation)` };
  }
  if (lists.some((l) => l.some((f) => IMAGE.test(f)))) throw new UsageError(`--calib ${arg}: mixes images and .npy files`);
  const n = Math.min(...lists.map((l, i) => countNpy(l, specs[i]!)), max);
  return { samples: take(zipInputs(lists.map((l, i) => npyChain(l, specs[i]!))), n), count: n, description: `${n} samples from ${arg}` };
}
