/** `convert` through the real CLI process; outputs checked in independent runtimes. */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import * as ort from 'onnxruntime-web';
import { afterAll, describe, expect, it } from 'vitest';
import { readModel } from '../lib/formats/registry';
import { litertAdapter } from '../lib/runtime/litert';

const ROOT = path.resolve(__dirname, '..');
const TMP = mkdtempSync(path.join(os.tmpdir(), 'convert-cli-'));
afterAll(() => rmSync(TMP, { recursive: true, force: true }));

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [path.join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), path.join(ROOT, 'cli', 'main.ts'), ...args], { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 << 20 });
    return { code: 0, out: stdout, err: stderr };
  } catch (e) {
    const x = e as { code: number; stdout: string; stderr: string };
    return { code: x.code, out: x.stdout, err: x.stderr };
  }
}

const argmax = (v: ArrayLike<number>): number => { let b = 0; for (let i = 1; i < v.length; i++) if (v[i]! > v[b]!) b = i; return b; };
const LSTM = '/usr/share/libonnx-testdata/data/node/test_lstm_defaults/model.onnx';
const EMBED = 'fixtures/third_party/openwakeword/embedding_model.onnx';
const SILERO = 'fixtures/third_party/silero-vad/silero_vad_v5.onnx';

describe('cli convert (the real process)', () => {
  it('Fashion-MNIST: converts, prints the report, and LiteRT.js gives onnxruntime\'s top-1 on the 16 samples', async () => {
    const out = path.join(TMP, 'fashion.tflite');
    const r = await cli(['convert', 'public/models/fashion-mnist-cnn.onnx', '-o', out]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/converted/);
    expect(r.out).toMatch(/folded batch norms: 2/);
    expect(r.out).toMatch(/NHWC inputs/);
    const bytes = new Uint8Array(readFileSync(out));
    // Our own reader sees a tfl model: the file is a TFLite flatbuffer, not the ONNX copied.
    expect((await readModel([{ name: 'f.tflite', bytes }])).dialect).toBe('tfl');
    const lrt = await litertAdapter.load({ bytes }, { backend: 'wasm' });
    const session = await ort.InferenceSession.create(new Uint8Array(readFileSync('public/models/fashion-mnist-cnn.onnx')), { executionProviders: ['wasm'] });
    const samples = new Uint8Array(readFileSync('public/models/fashion-mnist-samples.bin'));
    const tops = new Set<number>();
    for (let s = 0; s < 16; s++) {
      const x = Float32Array.from(samples.subarray(s * 784, (s + 1) * 784), (v) => v / 255);
      const ref = (await session.run({ image: new ort.Tensor('float32', x, [1, 1, 28, 28]) })).logits!.data as Float32Array;
      // One channel: the NHWC input holds the same bytes as the NCHW one.
      const [y] = await lrt.run([{ name: 'image', dtype: 'float32', shape: [1, 28, 28, 1], data: x }]);
      expect(argmax(y!.data as Float32Array)).toBe(argmax(ref));
      tops.add(argmax(ref));
    }
    // The samples are not all one class, so agreeing is not trivial.
    expect(tops.size).toBeGreaterThan(3);
    lrt.dispose();
    await session.release();
  }, 60_000);

  it('an unconvertible op (LSTM with run-time weights): exits 1 naming it with its nodes, and writes nothing', async () => {
    const out = path.join(TMP, 'lstm.tflite');
    const r = await cli(['convert', LSTM, '-o', out]);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/UNSUPPORTED onnx\.LSTM x1/);
    expect(r.err).toMatch(/cannot be converted \(.*onnx\.LSTM x1/);
    expect(existsSync(out)).toBe(false);
  }, 60_000);

  it('--input-shape fixes openWakeWord\'s symbolic batch; --verify agrees in the three runtimes', async () => {
    const out = path.join(TMP, 'embed.tflite');
    const without = await cli(['convert', EMBED, '-o', out]);
    expect(without.code).toBe(1);
    expect(without.out).toMatch(/input_1.*not static|not static.*input_1/);
    expect(existsSync(out)).toBe(false);

    const bad = await cli(['convert', EMBED, '-o', out, '--input-shape', 'nope=1x2']);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/input_1/);

    const r = await cli(['convert', EMBED, '-o', out, '--input-shape', 'input_1=1x76x32x1', '--verify', '--json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out.slice(r.out.indexOf('{\n'))) as { converted: boolean; recipe: Array<{ options: { inputShapes?: unknown } }>; verify: { reference: { status: string }; results: Array<{ runtime: string; status: string }> } };
    expect(j.converted).toBe(true);
    expect(j.recipe[0]!.options.inputShapes).toEqual({ input_1: [1, 76, 32, 1] });
    expect(j.verify.reference.status).toBe('ok');
    expect(j.verify.results.map((x) => `${x.runtime}:${x.status}`)).toEqual(['litert:ok', 'tfjs-tflite:ok', 'armnn:ok']);
    const m = await readModel([{ name: 'e.tflite', bytes: new Uint8Array(readFileSync(out)) }]);
    const g = m.graphs[0]!;
    expect(g.tensors.get(g.inputs[0]!)!.shape).toEqual([1, 76, 32, 1]);
  }, 120_000);

  it('--input-value fixes silero VAD v5\'s sample rate: the 8 kHz branch folds away, --verify feeds sr to onnxruntime', async () => {
    const out = path.join(TMP, 'silero.tflite');
    const shapes = ['--input-shape', 'input=1x512', '--input-shape', 'state=2x1x128'];
    const without = await cli(['convert', SILERO, '-o', out, ...shapes]);
    expect(without.code).toBe(1);
    expect(existsSync(out)).toBe(false);
    const bad = await cli(['convert', SILERO, '-o', out, ...shapes, '--input-value', 'rate=16000']);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/'rate'.*inputs are .*sr/);
    const r = await cli(['convert', SILERO, '-o', out, ...shapes, '--input-value', 'sr=16000', '--verify', '--json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out.slice(r.out.indexOf('{\n'))) as { recipe: Array<{ options: { inputValues?: unknown } }>; verify: { reference: { status: string }; results: Array<{ runtime: string; status: string }> } };
    expect(j.recipe[0]!.options.inputValues).toEqual({ sr: [16000] });
    expect(j.verify.reference.status).toBe('ok');
    expect(j.verify.results.find((x) => x.runtime === 'litert')?.status).toBe('ok');
    const g = (await readModel([{ name: 's.tflite', bytes: new Uint8Array(readFileSync(out)) }])).graphs[0]!;
    expect(g.inputs).not.toContain('sr');
  }, 120_000);
});
