import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { readIdx } from '../lib/data/idx';
import { readModel } from '../lib/formats/registry';
import { toFloatOutputs, toModelInputs } from '../lib/quantize/io';
import { litertAdapter } from '../lib/runtime/litert';
import { openStudio, ROOT } from './support/studio';

const DATA = path.join(ROOT, 'public', 'datasets', 'fashion-mnist');
const argmax = (v: ArrayLike<number>) => { let b = 0; for (let i = 1; i < v.length; i++) if (v[i]! > v[b]!) b = i; return b; };

test('quantize the sample to int8 with calibration data, move the percentile, export, run the download in LiteRT.js', async ({ page }) => {
  test.setTimeout(240_000);
  await openStudio(page);
  await page.getByTestId('tab-optimize').click();
  await page.getByTestId('opt-mode').selectOption('int8');
  await page.getByTestId('opt-calib').selectOption('bundled');
  await page.getByTestId('opt-count').fill('100');
  await page.getByTestId('opt-method').selectOption('percentile');
  await page.getByTestId('opt-start').click();
  const estimate = page.getByTestId('opt-estimate');
  await expect(estimate).toContainText('accuracy', { timeout: 120_000 });
  const first = Number(await estimate.getAttribute('data-accuracy'));
  const firstSqnr = await estimate.getAttribute('data-sqnr');
  expect(first).toBeGreaterThan(0.8);
  await expect(page.getByTestId('opt-size')).toContainText('smaller');
  await expect(page.getByTestId('opt-counts')).toContainText('7 int8');
  // The quantized graph shows beside the original, every op marked int8.
  await expect(page.getByTestId('pane-converted').getByTestId('op-note').first()).toContainText('int8');

  // A much lower percentile clips activations hard: the estimate must move (re-quantized in the
  // worker from kept statistics, no recalibration).
  await page.getByTestId('opt-percentile').fill('99');
  await expect(page.getByTestId('opt-percentile-value')).toHaveText('99.000');
  await expect.poll(async () => estimate.getAttribute('data-sqnr'), { timeout: 60_000 }).not.toBe(firstSqnr);
  const moved = Number(await estimate.getAttribute('data-accuracy'));

  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('opt-export').click()]);
  expect(download.suggestedFilename()).toMatch(/int8\.tflite$/);
  const bytes = new Uint8Array(readFileSync((await download.path())!));
  const model = await readModel([{ name: 'q.tflite', bytes }]);
  const g = model.graphs[0]!;
  expect(g.tensors.get(g.inputs[0]!)!.dtype).toBe('int8');
  expect(g.nodes.filter((n) => n.op === 'tfl.CONV_2D').every((n) => g.tensors.get(n.inputs[1]!)!.dtype === 'int8')).toBe(true);

  // The real runtime on the same 200 labelled images as the app's estimate: the numbers agree.
  const images = readIdx(new Uint8Array(readFileSync(path.join(DATA, 'test-images.idx'))));
  const labels = readIdx(new Uint8Array(readFileSync(path.join(DATA, 'test-labels.idx')))).data;
  const session = await litertAdapter.load({ bytes }, { backend: 'wasm' });
  let ok = 0;
  for (let i = 0; i < 200; i++) {
    const x = { name: g.inputs[0]!, dtype: 'float32' as const, shape: [1, 28, 28, 1], data: Float32Array.from(images.data.subarray(i * 784, (i + 1) * 784), (v) => v / 255) };
    const outs = toFloatOutputs(model, await session.run(toModelInputs(model, [x])));
    if (argmax(outs[0]!.data as Float32Array) === labels[i]) ok++;
  }
  session.dispose();
  expect(Math.abs(ok / 200 - moved)).toBeLessThanOrEqual(0.01);
});

test('prune 50% with float16 weights, see sparsity on the graph and a smaller compressed file; cancel a calibration', async ({ page }) => {
  test.setTimeout(180_000);
  await openStudio(page);
  await page.getByTestId('tab-optimize').click();
  await page.getByTestId('opt-mode').selectOption('float16');
  await page.getByTestId('prune-sparsity').fill('0.5');
  await page.getByTestId('opt-start').click();
  await expect(page.getByTestId('opt-prune')).toContainText('of 156', { timeout: 120_000 });
  await expect(page.getByTestId('pane-converted').getByTestId('op-note').filter({ hasText: 'zeros' }).first()).toBeVisible();

  // A long calibration (random data, warned about) can be cancelled; nothing already made is lost.
  await page.getByTestId('opt-mode').selectOption('int8');
  await page.getByTestId('opt-calib').selectOption('random');
  await expect(page.getByTestId('opt-random-warning')).toBeVisible();
  await page.getByTestId('opt-count').fill('5000');
  await page.getByTestId('opt-start').click();
  await expect(page.getByTestId('opt-job')).toBeVisible();
  await page.getByTestId('opt-cancel').click();
  await expect(page.getByTestId('opt-job')).toHaveCount(0);
  await expect(page.getByTestId('opt-prune')).toBeVisible();
  await expect(page.getByTestId('opt-error')).toHaveCount(0);
});
