import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { litertAdapter } from '../lib/runtime/litert';
import { ortAdapter } from '../lib/runtime/ort';
import { readModel } from '../lib/formats/registry';
import { openStudio, pickFiles, ROOT } from './support/studio';

const SAMPLES = path.join(ROOT, 'public', 'models', 'fashion-mnist-samples.bin');
const INFO = JSON.parse(readFileSync(path.join(ROOT, 'public', 'models', 'fashion-mnist-cnn.json'), 'utf8')) as { samples: { predicted: number[] } };

test('convert the ONNX sample, see both graphs, export, and the download runs in LiteRT.js', async ({ page }) => {
  test.setTimeout(180_000);
  await openStudio(page);
  await page.getByTestId('tab-convert').click();
  await page.getByTestId('convert-start').click();
  await expect(page.getByTestId('convert-ok')).toBeVisible({ timeout: 60_000 });
  await expect(page.getByTestId('convert-report')).toContainText('BatchNorm folded');
  await expect(page.getByTestId('pane-converted')).toBeVisible();
  await expect(page.getByTestId('pane-converted').getByTestId('op-node').filter({ hasText: 'CONV_2D' }).first()).toBeVisible();
  // No layout transpose survives in the converted graph.
  await expect(page.getByTestId('pane-converted').getByTestId('op-node').filter({ hasText: 'TRANSPOSE' })).toHaveCount(0);

  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-tflite').click()]);
  expect(download.suggestedFilename()).toBe('fashion-mnist-cnn.tflite');
  const bytes = new Uint8Array(readFileSync((await download.path())!));
  expect(new TextDecoder().decode(bytes.subarray(4, 8))).toBe('TFL3');

  // The downloaded file is real: LiteRT.js loads it and predicts what torch predicted.
  const model = await readModel([{ name: 'x.tflite', bytes }]);
  expect(model.graphs[0]!.nodes.map((n) => n.op)).not.toContain('tfl.TRANSPOSE');
  const session = await litertAdapter.load({ bytes }, { backend: 'wasm' });
  expect(session.inputs[0]!.shape).toEqual([1, 28, 28, 1]);
  const images = readFileSync(SAMPLES);
  for (let i = 0; i < 16; i++) {
    const data = Float32Array.from(images.subarray(i * 784, (i + 1) * 784), (v) => v / 255);
    const [out] = await session.run([{ name: 'image', dtype: 'float32', shape: [1, 28, 28, 1], data }]);
    const logits = Array.from(out!.data as Float32Array);
    expect(logits.indexOf(Math.max(...logits)), `sample ${i}`).toBe(INFO.samples.predicted[i]);
  }
  session.dispose();
});

test('a model with an unconvertible op stops with a report naming it, marks it on the graph and offers no export', async ({ page }) => {
  test.setTimeout(120_000);
  await openStudio(page);
  // An LSTM whose weights are graph inputs (not constants): the converter cannot unroll it.
  const lstm = '/usr/share/libonnx-testdata/data/node/test_lstm_defaults/model.onnx';
  await pickFiles(page, [lstm]);
  await page.getByTestId('tab-convert').click();
  await page.getByTestId('convert-start').click();
  await expect(page.getByTestId('convert-failed')).toBeVisible({ timeout: 60_000 });
  await expect(page.getByTestId('unsupported')).toContainText('LSTM');
  await expect(page.getByTestId('export-tflite')).toHaveCount(0);
  // The op that stopped the conversion is marked on the original graph.
  await expect(page.locator('[data-testid="op-node"].is-hit').filter({ hasText: 'LSTM' })).toBeVisible();
});

test('fixing an unknown input dim shows the new shapes downstream and converts with them', async ({ page }) => {
  test.setTimeout(120_000);
  await openStudio(page);
  const mel = path.join(ROOT, 'fixtures', 'third_party', 'openwakeword', 'melspectrogram.onnx');
  await pickFiles(page, [mel]);
  await expect(page.getByTestId('summary')).toContainText('batch_size');
  await page.getByTestId('tab-convert').click();
  await page.getByTestId('shape-input').fill('1x1760');
  await page.getByTestId('shape-apply').click();
  await expect(page.getByTestId('shape-preview')).toContainText('0 tensors still have unknown dims');
  // The input and the output now have static shapes; the output's must be what onnxruntime
  // really produces for 1760 samples.
  const ort = await ortAdapter.load({ bytes: new Uint8Array(readFileSync(mel)) }, { backend: 'wasm' });
  const [out] = await ort.run([{ name: 'input', dtype: 'float32', shape: [1, 1760], data: new Float32Array(1760) }]);
  ort.dispose();
  await expect(page.getByTestId('summary')).toContainText('1×1760');
  await expect(page.getByTestId('summary')).toContainText(`output\nfloat32 ${out!.shape.join('×')}`.replace('\n', ''));
  await page.getByTestId('convert-start').click();
  await expect(page.getByTestId('convert-ok')).toBeVisible({ timeout: 60_000 });
  await expect(page.getByTestId('convert-report')).toContainText('"input"');
  await expect(page.getByTestId('convert-report')).toContainText('1760');
});

test('clicking the input node lets the user fix its batch dim, and the graph shows the new shapes', async ({ page }) => {
  test.setTimeout(120_000);
  await openStudio(page);
  const emb = path.join(ROOT, 'fixtures', 'third_party', 'openwakeword', 'embedding_model.onnx');
  await pickFiles(page, [emb]);
  await expect(page.getByTestId('summary')).toContainText('unk__314×76×32×1');
  await page.getByTestId('input-node').first().click();
  await expect(page.getByTestId('inspector')).toContainText('Graph input');
  await page.getByTestId('input-shape').fill('4x76x32x1');
  await page.getByTestId('input-shape-apply').click();
  await expect(page.getByTestId('summary')).toContainText('4×76×32×1');
  // The edge out of the input now carries the fixed shape.
  await expect(page.locator('.gv-edge-label').filter({ hasText: '4x76x32x1' }).first()).toBeVisible();
  // The Convert tab takes the same shape.
  await page.getByTestId('tab-convert').click();
  await expect(page.getByTestId('shape-input')).toHaveValue('4x76x32x1');
});
