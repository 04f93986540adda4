/**
 * Writes the Fashion-MNIST subsets the studio bundles, from Debian's dataset-fashion-mnist
 * (Fashion-MNIST is MIT-licensed): calibration images from the training set (never used for
 * evaluation) and a labelled evaluation set from the test set.
 *
 *   npx tsx scripts/make-fashion-data.ts     # -> public/datasets/fashion-mnist/*.idx
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { readIdx, writeIdx } from '../lib/data/idx';

const SRC = process.env.FASHION_MNIST_DIR ?? '/usr/share/datasets/fashion-mnist';
const OUT = path.resolve(__dirname, '..', 'public', 'datasets', 'fashion-mnist');
const CALIB = 500;
const TEST = 1000;

const load = (f: string) => readIdx(gunzipSync(readFileSync(path.join(SRC, f))), f);
const head = (x: ReturnType<typeof load>, n: number) => writeIdx([n, ...x.dims.slice(1)], x.data.subarray(0, n * x.dims.slice(1).reduce((a, b) => a * b, 1)));

mkdirSync(OUT, { recursive: true });
writeFileSync(path.join(OUT, 'calibration-images.idx'), head(load('train-images-idx3-ubyte.gz'), CALIB));
writeFileSync(path.join(OUT, 'test-images.idx'), head(load('t10k-images-idx3-ubyte.gz'), TEST));
writeFileSync(path.join(OUT, 'test-labels.idx'), head(load('t10k-labels-idx1-ubyte.gz'), TEST));
console.log(`wrote ${CALIB} calibration images (train 0..${CALIB - 1}) and ${TEST} labelled test images (t10k 0..${TEST - 1}) to ${path.relative(process.cwd(), OUT)}`);
