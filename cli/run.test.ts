import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { readTensorProto } from '../lib/formats/onnx';
import { tensorValues } from '../lib/ir/values';
import { readNpy, writeNpy } from '../lib/npy';
import { latencyStats } from './bench';

const ROOT = path.resolve(__dirname, '..');
const MODEL = path.join(ROOT, 'public', 'models', 'fashion-mnist-cnn.onnx');
const meta = JSON.parse(readFileSync(path.join(ROOT, 'public', 'models', 'fashion-mnist-cnn.json'), 'utf8')) as { samples: { predicted: number[] } };
const pixels = new Uint8Array(readFileSync(path.join(ROOT, 'public', 'models', 'fashion-mnist-samples.bin')));
const SPLIT = '/usr/share/libonnx-testdata/data/node/test_split_equal_parts_1d';
const MEL = path.join(ROOT, 'fixtures', 'third_party', 'openwakeword', 'melspectrogram.onnx');
const tmp = mkdtempSync(path.join(tmpdir(), 'cli-run-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  try {
    const r = await promisify(execFile)(process.execPath, [path.join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), path.join(ROOT, 'cli', 'main.ts'), ...args], { cwd: ROOT, encoding: 'utf8' });
    return { code: 0, out: r.stdout, err: r.stderr };
  } catch (e) {
    const x = e as { code: number; stdout: string; stderr: string };
    return { code: x.code, out: x.stdout, err: x.stderr };
  }
}

const argmax = (v: ArrayLike<number>) => Array.from(v).indexOf(Math.max(...Array.from(v)));

function sampleNpy(s: number, dtype: 'float32' | 'float64'): string {
  const img = pixels.subarray(s * 784, (s + 1) * 784);
  const data = dtype === 'float32' ? Float32Array.from(img, (p) => p / 255) : Float64Array.from(img, (p) => p / 255);
  const p = path.join(tmp, `sample${s}_${dtype}.npy`);
  writeFileSync(p, writeNpy({ name: 'image', dtype, shape: [1, 1, 28, 28], data }));
  return p;
}

describe('cli run (the real process)', () => {
  // Sample 15 is one torch gets wrong (label 7, predicted 5): agreeing there means the same numbers, not just a good model.
  for (const [s, dtype] of [[0, 'float32'], [6, 'float32'], [15, 'float64']] as const) {
    it(`writes logits whose top-1 is torch's prediction for sample ${s} (${dtype} .npy)`, async () => {
      const out = path.join(tmp, `out${s}.npy`);
      const r = await cli(['run', MODEL, '--input', sampleNpy(s, dtype), '--output', out, '--runtime', 'ort', '--backend', 'wasm']);
      expect(r.code, r.err).toBe(0);
      if (dtype === 'float64') expect(r.err).toMatch(/converted .* from float64 to float32/);
      const t = readNpy(new Uint8Array(readFileSync(out)));
      expect(t.dtype).toBe('float32');
      expect(t.shape).toEqual([1, 10]);
      expect(argmax(t.data as Float32Array)).toBe(meta.samples.predicted[s]);
      expect(r.out).toContain(`top: ${meta.samples.predicted[s]} (`);
    });
  }

  it('uses seeded random inputs without --input, says so, and is reproducible', async () => {
    const a = path.join(tmp, 'rand_a.npy'), b = path.join(tmp, 'rand_b.npy'), c = path.join(tmp, 'rand_c.npy');
    // One process at a time: the machine has two cores and other suites run beside this one.
    const ra = await cli(['run', MODEL, '-o', a]);
    const rb = await cli(['run', MODEL, '-o', b]);
    const rc = await cli(['run', MODEL, '-o', c, '--seed', '7']);
    for (const r of [ra, rb, rc]) expect(r.code, r.err).toBe(0);
    expect(ra.err).toMatch(/seeded random inputs \(seed 0.*image float32 \[1, 1, 28, 28\]/);
    expect(Buffer.compare(readFileSync(a), readFileSync(b))).toBe(0);
    expect(Buffer.compare(readFileSync(a), readFileSync(c))).not.toBe(0);
  });

  it('names the input with dynamic dims and runs once --input-shape fixes them', async () => {
    const bad = await cli(['run', MEL]);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/input 'input' has dynamic dims \[\?, \?\]: give --input-shape input=1x1/);
    const ok = await cli(['run', MEL, '--input-shape', 'input=1x1280']);
    expect(ok.code, ok.err).toBe(0);
    expect(ok.out).toMatch(/output: float32 \[1, 1, 5, 32\]/);
  });

  it('writes several outputs with --output out_%d.npy, matching the ONNX test data', async () => {
    const input = readTensorProto(new Uint8Array(readFileSync(path.join(SPLIT, 'test_data_set_0', 'input_0.pb'))), 'input_0.pb');
    const inPath = path.join(tmp, 'split_in.npy');
    writeFileSync(inPath, writeNpy({ name: 'input', dtype: 'float32', shape: [6], data: tensorValues(input) as Float32Array }));
    const refused = await cli(['run', path.join(SPLIT, 'model.onnx'), '--input', inPath, '--output', path.join(tmp, 'split.npy')]);
    expect(refused.code).toBe(2);
    expect(refused.err).toMatch(/3 outputs: give --output with %d/);
    const r = await cli(['run', path.join(SPLIT, 'model.onnx'), '--input', inPath, '--output', path.join(tmp, 'split_%d.npy')]);
    expect(r.code, r.err).toBe(0);
    for (let i = 0; i < 3; i++) {
      const want = readTensorProto(new Uint8Array(readFileSync(path.join(SPLIT, 'test_data_set_0', `output_${i}.pb`))), 'o.pb');
      const got = readNpy(new Uint8Array(readFileSync(path.join(tmp, `split_${i}.npy`))));
      expect(Array.from(got.data as Float32Array)).toEqual(Array.from(tensorValues(want) as Float32Array));
    }
  });

  it('refuses a wrong number of inputs, an unknown runtime and an unavailable backend', async () => {
    const x = sampleNpy(1, 'float32');
    const two = await cli(['run', MODEL, '--input', `${x},${x}`]);
    const rt = await cli(['run', MODEL, '--runtime', 'coreml']);
    const be = await cli(['run', MODEL, '--backend', 'webgpu']);
    expect(two.code).toBe(2);
    expect(two.err).toMatch(/takes 1 input\(s\) \(image\); --input gave 2/);
    expect(rt.err).toMatch(/--runtime must be one of ort, litert, tfjs/);
    expect(be.code).toBe(1);
    expect(be.err).toMatch(/backend 'webgpu' is not available for runtime 'ort' here \(available: wasm\)/);
  });
});

describe('cli bench', () => {
  it('--json prints sane latency numbers', async () => {
    const r = await cli(['bench', MODEL, '--runtime', 'ort', '--runs', '20', '--warmup', '3', '--json']);
    expect(r.code, r.err).toBe(0);
    const j = JSON.parse(r.out) as Record<string, number | string>;
    expect(j).toMatchObject({ runtime: 'ort', backend: 'wasm', runs: 20 });
    const { medianMs, p90Ms, minMs, meanMs } = j as Record<string, number>;
    for (const v of [medianMs, p90Ms, minMs, meanMs]) expect(v).toBeGreaterThan(0);
    expect(p90Ms).toBeGreaterThanOrEqual(medianMs!);
    expect(medianMs).toBeGreaterThanOrEqual(minMs!);
    expect(meanMs).toBeGreaterThanOrEqual(minMs!);
    expect(medianMs).toBeLessThan(1000);
  });

  it('computes median, p90, min and mean as numpy does (linear interpolation)', () => {
    // numpy: np.percentile([5, 1, 4, 2, 3, 10], [50, 90]) == [3.5, 7.5]
    expect(latencyStats([5, 1, 4, 2, 3, 10])).toEqual({ medianMs: 3.5, p90Ms: 7.5, minMs: 1, meanMs: 25 / 6 });
    expect(latencyStats([2])).toEqual({ medianMs: 2, p90Ms: 2, minMs: 2, meanMs: 2 });
  });
});
