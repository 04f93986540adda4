/** `cli quantize` and `cli prune` as real processes, and their output files read back. */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PNG } from 'pngjs';
import { cli, ROOT } from './test-cli';
import { afterAll, describe, expect, it } from 'vitest';
import { readModel } from '../lib/formats/registry';
import { writeNpy } from '../lib/npy';
import { applyRecipe } from '../lib/transforms/index';
import { writeTflite } from '../lib/formats/tflite/write';
import { bundledImages, fashionInput, fashionOnnx } from '../lib/quantize/test-support';

const SAMPLE = path.join(ROOT, 'public', 'models', 'fashion-mnist-cnn.onnx');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'ems-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const read = async (f: string) => readModel([{ name: path.basename(f), bytes: new Uint8Array(readFileSync(f)) }]);

describe('cli quantize', () => {
  it('int8 from the bundled samples: an int8 .tflite whose printed recipe replays to the same bytes', async () => {
    const out = path.join(tmp, 'q8.tflite');
    const r = cli(['quantize', SAMPLE, '-o', out, '--mode', 'int8', '--calib', 'samples', '--calib-count', '50', '--calib-method', 'percentile:99.9', '--json']);
    expect(r.code, r.err).toBe(0);
    const j = JSON.parse(r.out.slice(r.out.indexOf('{'))) as { counts: Record<string, number>; recipe: Array<{ transform: string; options: Record<string, unknown> }> };
    expect(j.counts.int8).toBe(7);
    const m = await read(out);
    expect(m.graphs[0]!.tensors.get(m.graphs[0]!.inputs[0]!)!.dtype).toBe('int8');
    expect(m.metadata.quantization).toMatch(/percentile:99.9 over 50 bundled/);
    const replay = applyRecipe(await fashionOnnx(), j.recipe);
    expect(Buffer.from(writeTflite(replay.model)).equals(readFileSync(out))).toBe(true);
  }, 120_000);

  it('calibrates from .npy batches and from a folder of PNGs (NCHW data for the ONNX original works too)', async () => {
    const imgs = bundledImages('calibration');
    const batch = new Float32Array(8 * 784);
    for (let i = 0; i < 8; i++) batch.set(fashionInput(imgs, i).data as Float32Array, i * 784);
    const npy = path.join(tmp, 'calib.npy');
    writeFileSync(npy, writeNpy({ name: 'image', dtype: 'float32', shape: [8, 1, 28, 28], data: batch }));
    const r1 = cli(['quantize', SAMPLE, '-o', path.join(tmp, 'a.tflite'), '--mode', 'int8', '--calib', npy]);
    expect(r1.code, r1.err).toBe(0);
    expect(r1.out).toContain('calibrating on 8 samples');
    const dir = path.join(tmp, 'pngs');
    mkdirSync(dir, { recursive: true });
    for (let i = 0; i < 4; i++) {
      const png = new PNG({ width: 28, height: 28 });
      for (let k = 0; k < 784; k++) { const v = imgs.pixels[i * 784 + k]!; png.data.set([v, v, v, 255], k * 4); }
      writeFileSync(path.join(dir, `${i}.png`), PNG.sync.write(png));
    }
    const r2 = cli(['quantize', SAMPLE, '-o', path.join(tmp, 'b.tflite'), '--mode', 'int16x8', '--calib', dir]);
    expect(r2.code, r2.err).toBe(0);
    expect(r2.out).toContain('4 images from');
    expect((await read(path.join(tmp, 'b.tflite'))).graphs[0]!.nodes.some((n) => n.op === 'tfl.CONV_2D')).toBe(true);
  }, 120_000);

  it('random calibration warns; QDQ .onnx output; mistakes get a usage message', async () => {
    const r = cli(['quantize', SAMPLE, '-o', path.join(tmp, 'q.onnx'), '--mode', 'int8', '--calib', 'random:8']);
    expect(r.code, r.err).toBe(0);
    const onnx = await read(path.join(tmp, 'q.onnx'));
    expect(onnx.graphs[0]!.nodes.some((n) => n.op === 'onnx.QuantizeLinear')).toBe(true);
    expect(cli(['quantize', SAMPLE, '-o', path.join(tmp, 'x.tflite'), '--mode', 'int8']).err).toMatch(/needs calibration data/);
    expect(cli(['quantize', SAMPLE, '-o', path.join(tmp, 'x.tflite'), '--mode', 'int4']).err).toMatch(/--mode must be one of/);
    expect(cli(['quantize', SAMPLE, '-o', path.join(tmp, 'x.onnx'), '--mode', 'float16']).err).toMatch(/ONNX output is int8 QDQ/);
    expect(cli(['quantize', SAMPLE, '-o', path.join(tmp, 'x.tflite'), '--mode', 'int8', '--calib', path.join(tmp, 'nope')]).err).toMatch(/no such file/);
  }, 120_000);
});

describe('cli prune', () => {
  it('structured + 50% magnitude: smaller raw and gzipped; 2:4 on an .onnx', async () => {
    const r = cli(['prune', SAMPLE, '-o', path.join(tmp, 'p.tflite'), '--sparsity', '0.5', '--structured', '0.25', '--json']);
    expect(r.code, r.err).toBe(0);
    const j = JSON.parse(r.out) as { bytes: number; gzipBytes: number; before: { bytes: number; gzipBytes: number }; removedChannels: number };
    expect(j.bytes).toBeLessThan(j.before.bytes * 0.7);
    expect(j.gzipBytes).toBeLessThan(j.before.gzipBytes * 0.5);
    expect(j.removedChannels).toBeGreaterThan(0);
    const r2 = cli(['prune', SAMPLE, '-o', path.join(tmp, 'p.onnx'), '--pattern', '2:4']);
    expect(r2.code, r2.err).toBe(0);
    expect((await read(path.join(tmp, 'p.onnx'))).format).toBe('onnx');
    expect(cli(['prune', SAMPLE, '-o', path.join(tmp, 'p.tflite'), '--sparsity', '1.5']).err).toMatch(/fraction/);
  }, 120_000);
});
