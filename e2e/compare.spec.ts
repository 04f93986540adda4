import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { readIdx } from '../lib/data/idx';
import { readModel } from '../lib/formats/registry';
import { argmax } from '../lib/compare/metrics';
import { readReportData } from '../lib/report/json';
import { toFloatOutputs, toModelInputs } from '../lib/quantize/io';
import { greyImageSamples } from '../lib/quantize/calibrate/sources';
import { litertAdapter } from '../lib/runtime/litert';
import { openStudio, ROOT } from './support/studio';

const DATA = path.join(ROOT, 'public', 'datasets', 'fashion-mnist');

/** `npm run cli -- ...`, without npm's banner. */
function cli(args: string[]): string {
  return execFileSync(process.execPath, [path.join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), path.join(ROOT, 'cli', 'main.ts'), ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'ignore'] }).toString();
}

async function makeVariant(page: Page, mode: string, id: string) {
  await page.getByTestId('tab-optimize').click();
  await page.getByTestId('opt-mode').selectOption(mode);
  if (mode === 'int8') await page.getByTestId('opt-calib').selectOption('bundled');
  await page.getByTestId('opt-start').click();
  await expect(page.locator(`[data-testid="opt-result"][data-variant="${id}"]`)).toBeVisible({ timeout: 120_000 });
}

/** Evaluate all, and wait until every row has its score (or the panel shows an error). */
async function evaluateAll(page: Page, rows: number) {
  await page.getByTestId('cmp-evaluate').click();
  await expect(page.locator('[data-testid="variant-row"][data-scored="true"], [data-testid="cmp-error"]')).toHaveCount(rows, { timeout: 240_000 });
  await expect(page.getByTestId('cmp-error')).toHaveCount(0);
  await expect(page.getByTestId('cmp-job')).toHaveCount(0);
}

async function saveDownload(page: Page, testId: string, variant?: string): Promise<string> {
  const button = variant ? page.locator(`[data-testid="${testId}"][data-variant="${variant}"]`) : page.getByTestId(testId);
  const [d] = await Promise.all([page.waitForEvent('download'), button.click()]);
  const out = path.join(mkdtempSync(path.join(os.tmpdir(), 'ems-e2e-')), d.suggestedFilename());
  await d.saveAs(out);
  return out;
}

test('compare int8 and float16 variants, fix the worst layer, reload, export a report and a replayable recipe', async ({ page }) => {
  test.setTimeout(420_000);
  await openStudio(page);
  await makeVariant(page, 'int8', 'v1');
  await makeVariant(page, 'float16', 'v2');

  await page.getByTestId('tab-compare').click();
  await page.getByTestId('cmp-count').fill('1000');
  const rows = page.getByTestId('variant-row');
  await expect(rows).toHaveCount(3);
  await evaluateAll(page, 3);
  const acc = async (id: string) => Number(await page.locator(`[data-testid="variant-row"][data-variant="${id}"]`).getAttribute('data-accuracy'));
  const int8Acc = await acc('v1');
  expect(int8Acc).toBeGreaterThan(0.85);
  expect(Math.abs((await acc('v2')) - (await acc('original')))).toBeLessThanOrEqual(0.002);
  // Two variants and the original on the chart, with a frontier.
  const chart = page.getByTestId('chart-accuracy-size');
  await expect(chart).toHaveAttribute('data-points', '3');
  expect((await chart.getAttribute('data-frontier'))!.length).toBeGreaterThan(0);

  // A cancelled evaluation loses nothing that was there.
  await page.getByTestId('cmp-evaluate').click();
  await expect(page.getByTestId('cmp-job')).toBeVisible();
  await page.getByTestId('cmp-cancel').click();
  await expect(page.getByTestId('cmp-job')).toHaveCount(0);
  await expect(page.getByTestId('cmp-error')).toHaveCount(0);
  await expect(page.locator('[data-testid="variant-row"][data-scored="true"]')).toHaveCount(3);
  expect(await acc('v1')).toBe(int8Acc);

  // Latency, the same protocol on each runtime x backend; the device is named beside it.
  await page.getByTestId('cmp-latency').click();
  await expect(page.getByTestId('cmp-job')).toBeVisible();
  await expect(page.getByTestId('cmp-job')).toHaveCount(0, { timeout: 240_000 });
  await expect(page.getByTestId('cmp-run-error')).toHaveCount(0);
  const cell = (id: string, pair: string) => page.locator(`[data-testid="variant-row"][data-variant="${id}"] [data-testid="latency-cell"][data-pair="${pair}"]`);
  await expect(cell('original', 'ort/wasm')).toContainText('ms');
  await expect(cell('v1', 'litert/wasm')).toContainText('ms');
  await expect(cell('v2', 'litert/wasm')).toContainText('ms');
  await expect(page.getByTestId('chart-latency')).toBeVisible();
  await expect(page.getByTestId('latency-device')).toContainText('cores');

  // Per-layer error on the graph; keep the worst node float; a third point appears.
  await page.getByTestId('cmp-layer-variant').selectOption('v1');
  await page.getByTestId('cmp-layer-errors').click();
  await expect(page.getByTestId('chart-layer-error')).toBeVisible({ timeout: 60_000 });
  await expect(page.locator('[data-testid="pane-converted"] .gv-tone-heat-bad, [data-testid="pane-converted"] .gv-tone-heat-mid, [data-testid="pane-converted"] .gv-tone-heat-good').first()).toBeVisible();
  const worst = await page.evaluate(() => {
    const notes = [...document.querySelectorAll('[data-testid="pane-converted"] [data-testid="op-node"]')];
    let best: { name: string; db: number } | null = null;
    for (const n of notes) {
      const db = Number((n.querySelector('[data-testid="op-note"]')?.textContent ?? '').replace(' dB', ''));
      const name = n.getAttribute('data-name') ?? '';
      if (Number.isFinite(db) && (!best || db < best.db)) best = { name, db };
    }
    return best;
  });
  expect(worst).not.toBeNull();
  // A node picked in the variant: its twin is selected in the float graph, and its weights and
  // activations are drawn float against quantized.
  const weighted = page.locator('[data-testid="pane-converted"] [data-testid="op-node"][title*="FULLY_CONNECTED"], [data-testid="pane-converted"] [data-testid="op-node"][title*="CONV_2D"]').first();
  const weightedName = (await weighted.getAttribute('data-name'))!;
  await weighted.click();
  await expect(page.locator('[data-testid="pane-original"] [data-testid="op-node"].is-selected')).toHaveAttribute('data-name', weightedName);
  await expect(page.getByTestId('hist-weights')).toBeVisible({ timeout: 60_000 });
  await expect(page.getByTestId('hist-activations')).toBeVisible();
  await expect(page.getByTestId('node-histograms')).toContainText('int8');
  await page.locator(`[data-testid="pane-converted"] [data-testid="op-node"][data-name="${worst!.name}"]`).click();
  await page.getByTestId('cmp-keep-float').click();
  await expect(page.getByTestId('cmp-layer-variant').locator('option')).toHaveCount(3, { timeout: 120_000 });
  await expect(rows).toHaveCount(4);
  await evaluateAll(page, 4);
  await expect(chart).toHaveAttribute('data-points', '4');

  // A reload keeps all of it (once the panel says it is saved).
  await expect(page.getByTestId('storage')).toHaveAttribute('data-saving', 'false');
  await expect(page.getByTestId('storage')).toContainText('Kept across reloads: 3 variant(s)');
  await page.reload();
  await expect(page.getByTestId('op-node').first()).toBeVisible({ timeout: 60_000 });
  await page.getByTestId('tab-compare').click();
  await expect(rows).toHaveCount(4, { timeout: 60_000 });
  await expect(page.getByTestId('chart-accuracy-size')).toHaveAttribute('data-points', '4');
  expect(await acc('v1')).toBe(int8Acc);

  // Downloads: the int8 .tflite runs in LiteRT.js with the accuracy the table shows.
  const tflite = await saveDownload(page, 'export-variant', 'v1');
  const bytes = new Uint8Array(readFileSync(tflite));
  const model = await readModel([{ name: 'v1.tflite', bytes }]);
  const images = readIdx(new Uint8Array(readFileSync(path.join(DATA, 'test-images.idx'))));
  const labels = readIdx(new Uint8Array(readFileSync(path.join(DATA, 'test-labels.idx')))).data;
  const session = await litertAdapter.load({ bytes }, { backend: 'wasm' });
  let ok = 0;
  // The same image preparation as the app's (lib/quantize/calibrate/sources.ts), in Node.
  const spec = { name: model.graphs[0]!.inputs[0]!, dtype: 'float32' as const, shape: [1, 28, 28, 1] };
  let i = 0;
  for (const x of greyImageSamples(images.data, 28, 28, 1000, spec)) {
    const outs = toFloatOutputs(model, await session.run(toModelInputs(model, [x])));
    if (argmax(outs[0]!.data as Float32Array) === labels[i++]) ok++;
  }
  session.dispose();
  expect(ok / 1000).toBe(int8Acc);

  // The recipe replays with the CLI to the same bytes.
  const recipe = await saveDownload(page, 'export-recipe', 'v1');
  const out = path.join(path.dirname(recipe), 'replayed.tflite');
  cli(['optimize', path.join(ROOT, 'public', 'models', 'fashion-mnist-cnn.onnx'), '--recipe', recipe, '-o', out]);
  expect(Buffer.from(readFileSync(out)).equals(Buffer.from(bytes))).toBe(true);

  // The report is one offline file with the same numbers.
  const report = readFileSync(await saveDownload(page, 'export-report'), 'utf8');
  expect(report).not.toMatch(/https?:\/\/|<link|src=/);
  const data = readReportData(report);
  expect(data.evals.find((e) => e.variant === 'v1')!.metrics.accuracy).toBe(int8Acc);
  // And the table a person reads shows the app's number, opened from disk with the network cut.
  const file = path.join(path.dirname(recipe), 'report.html');
  writeFileSync(file, report);
  const offline = await page.context().browser()!.newContext({ offline: true });
  const view = await offline.newPage();
  await view.goto(`file://${file}`);
  await expect(view.locator('tr[data-id="v1"] td[data-k="quality"]')).toHaveText(`${(100 * int8Acc).toFixed(2)}%`);
  await offline.close();

  // `cli eval` measures the downloaded file the way the app did.
  const measured = JSON.parse(cli(['eval', tflite, '--json'])) as { runtime: string; metrics: { accuracy: number } };
  expect(measured.runtime).toBe('litert');
  expect(measured.metrics.accuracy).toBe(int8Acc);

  // An int8 QDQ .onnx variant: the accuracy the table shows is what onnxruntime gives its download.
  await page.getByTestId('tab-optimize').click();
  await page.getByTestId('opt-mode').selectOption('int8');
  await page.getByTestId('opt-target').selectOption('onnx');
  await page.getByTestId('opt-calib').selectOption('bundled');
  await page.getByTestId('opt-start').click();
  await expect(page.locator('[data-testid="opt-result"][data-variant="v4"]')).toBeVisible({ timeout: 120_000 });
  await page.getByTestId('tab-compare').click();
  await evaluateAll(page, 5);
  const qdqAcc = await acc('v4');
  expect(qdqAcc).toBeGreaterThan(0.85);
  const onnx = await saveDownload(page, 'export-variant', 'v4');
  expect(onnx).toMatch(/\.onnx$/);
  const qdq = JSON.parse(cli(['eval', onnx, '--json'])) as { runtime: string; metrics: { accuracy: number } };
  expect(qdq.runtime).toBe('ort');
  expect(qdq.metrics.accuracy).toBe(qdqAcc);

  // Opening another model keeps this one: after a reload (which reopens the other) the sample
  // is listed with its variants, and one click brings them back with their scores.
  await expect(page.getByTestId('storage')).toHaveAttribute('data-saving', 'false');
  await page.getByTestId('gallery-card').filter({ hasText: 'MediaPipe face detection' }).click();
  await expect(page.getByTestId('summary')).toContainText('face_detection', { timeout: 60_000 });
  await expect(rows).toHaveCount(1);
  await expect(page.getByTestId('storage')).toHaveAttribute('data-saving', 'false');
  await page.reload();
  await expect(page.getByTestId('summary')).toContainText('face_detection', { timeout: 60_000 });
  const kept = page.getByTestId('recent-card').filter({ hasText: 'Fashion-MNIST' });
  await expect(kept).toHaveAttribute('data-variants', '4');
  await kept.click();
  await expect(page.getByTestId('summary')).toContainText('fashion-mnist-cnn', { timeout: 60_000 });
  await page.getByTestId('tab-compare').click();
  await expect(rows).toHaveCount(5, { timeout: 60_000 });
  expect(await acc('v4')).toBe(qdqAcc);
  // Forgetting it removes it from the list (and from the browser's storage).
  await page.getByTestId('recent-forget').nth(await page.getByTestId('recent-card').evaluateAll((els) => els.findIndex((e) => e.textContent?.includes('MediaPipe')))).click();
  await expect(page.getByTestId('recent-card').filter({ hasText: 'MediaPipe' })).toHaveCount(0);
});
