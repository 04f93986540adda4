/**
 * `eval --data` read from disk: a folder of images in class sub-folders (`data/cat/1.png`), a
 * folder of unlabelled images (for --reference), .npy inputs (comma separated, one per model
 * input) with `--labels y.npy`, or without --data the bundled Fashion-MNIST test set. The file
 * reading lives here; turning it into samples is lib/compare/datasets.ts.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { readIdx } from '../lib/data/idx';
import { bundledSet, classFolders, imageSet, npyLabels, npySet, type EvalSet } from '../lib/compare/datasets';
import { readNpy } from '../lib/npy';
import type { InputSpec, Normalisation } from '../lib/run/inputs';
import { decodeImageFile } from './calib';
import { UsageError } from './run';

const IMAGE = /\.(png|jpe?g)$/i;
const BUNDLED = path.resolve(__dirname, '..', 'public', 'datasets', 'fashion-mnist');

export interface DataOptions {
  data?: string;
  labels?: string;
  count: number;
  norm: Normalisation;
}

const statOf = (p: string) => statSync(p, { throwIfNoEntry: false });

function readArray(file: string, flag: string, inputName?: string) {
  const st = statOf(file);
  if (!st) throw new UsageError(`${flag} ${file}: no such file`);
  if (!st.isFile() || !/\.npy$/i.test(file)) throw new UsageError(`${flag} ${file}: not a .npy file`);
  return readNpy(new Uint8Array(readFileSync(file)), path.basename(file), inputName);
}

/**
 * The images of a data folder: every sub-folder a class (all of them must hold images, so a
 * missing class cannot silently renumber the others), or images directly in it (unlabelled).
 */
function imageFolder(dir: string): { files: string[]; labelled?: { labels: number[]; classes: string[] } } {
  const entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const subdirs = entries.filter((e) => e.isDirectory() && !e.name.startsWith('.'));
  const loose = entries.filter((e) => e.isFile() && IMAGE.test(e.name));
  if (subdirs.length && loose.length) throw new UsageError(`--data ${dir}: has both class sub-folders and loose images (${loose[0]!.name}): put every image in its class folder`);
  if (!subdirs.length) {
    if (!loose.length) throw new UsageError(`--data ${dir}: no .png or .jpg images, and no class sub-folders`);
    return { files: loose.map((e) => path.join(dir, e.name)) };
  }
  const rel: string[] = [];
  for (const d of subdirs) {
    const imgs = readdirSync(path.join(dir, d.name)).filter((f) => IMAGE.test(f) && statOf(path.join(dir, d.name, f))?.isFile()).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    if (!imgs.length) throw new UsageError(`--data ${dir}: class folder '${d.name}' holds no .png or .jpg images (every sub-folder is a class)`);
    rel.push(...imgs.map((f) => `${d.name}/${f}`));
  }
  return { files: rel.map((r) => path.join(dir, r)), labelled: classFolders(rel) };
}

export function evalData(specs: InputSpec[], o: DataOptions): EvalSet {
  if (o.data === undefined) {
    if (o.labels) throw new UsageError('--labels goes with --data <x.npy>: the bundled set brings its own labels');
    const images = readIdx(new Uint8Array(readFileSync(path.join(BUNDLED, 'test-images.idx'))), 'test-images.idx');
    const labels = readIdx(new Uint8Array(readFileSync(path.join(BUNDLED, 'test-labels.idx'))), 'test-labels.idx');
    return bundledSet(images, labels, specs, o.count, o.norm);
  }
  const parts = o.data.split(',').filter(Boolean);
  const first = statOf(parts[0] ?? '');
  if (parts.length === 1 && first?.isDirectory()) {
    if (o.labels) throw new UsageError(`--labels goes with .npy data; the images in ${o.data} are labelled by their sub-folders`);
    const { files, labelled } = imageFolder(parts[0]!);
    const chosen = files.slice(0, o.count);
    const decode = function* () { for (const f of chosen) yield decodeImageFile(f); };
    return imageSet(decode, chosen.length, specs, o.norm, o.data, labelled);
  }
  const arrays = parts.map((p, i) => ({ tensor: readArray(p, '--data', specs[i]?.name), file: path.basename(p) }));
  const labels = o.labels ? { values: npyLabels(readArray(o.labels, '--labels'), path.basename(o.labels)), file: path.basename(o.labels) } : undefined;
  return npySet(arrays, specs, o.count, labels);
}
