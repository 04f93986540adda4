import { expect, test } from '@playwright/test';
import { openStudio } from './support/studio';

test('run the sample on wasm: a prediction with its label and a latency', async ({ page }) => {
  test.setTimeout(120_000);
  await openStudio(page);
  await page.getByTestId('tab-run').click();
  await page.getByTestId('run-input').selectOption('sample');
  await page.getByTestId('run-sample').selectOption('3');
  await expect(page.getByTestId('run-backend')).toHaveValue('wasm');
  await page.getByTestId('run-start').click();
  await expect(page.getByTestId('run-topk')).toBeVisible({ timeout: 60_000 });
  await expect(page.getByTestId('run-topk').locator('li').first()).toContainText('Dress');
  await expect(page.getByTestId('run-median')).toContainText(/\d+\.\d+ ms/);
});

test('a long benchmark shows progress and can be cancelled; the next run works', async ({ page }) => {
  test.setTimeout(180_000);
  await openStudio(page);
  await page.getByTestId('tab-run').click();
  await page.getByTestId('run-runtime').selectOption('tfjs');
  await expect(page.getByTestId('run-backend').locator('option[value="cpu"]')).toHaveCount(1, { timeout: 60_000 });
  await page.getByTestId('run-backend').selectOption('cpu');
  await page.locator('.run input[type="number"]').fill('1000');
  await page.getByTestId('run-start').click();
  await expect(page.getByTestId('run-job')).toContainText(/run \d+ of 1000/, { timeout: 60_000 });
  await page.getByTestId('run-cancel').click();
  await expect(page.getByTestId('run-job')).toHaveCount(0);
  await expect(page.getByTestId('run-error')).toHaveCount(0);
  await expect(page.getByTestId('run-results')).toHaveCount(0);
  await page.locator('.run input[type="number"]').fill('3');
  await page.getByTestId('run-start').click();
  await expect(page.getByTestId('run-median')).toBeVisible({ timeout: 60_000 });
});

test('the converted model runs in LiteRT.js beside the original, same prediction, both on the chart', async ({ page }) => {
  test.setTimeout(180_000);
  await openStudio(page);
  await page.getByTestId('tab-run').click();
  await page.getByTestId('run-input').selectOption('sample');
  await page.getByTestId('run-sample').selectOption('7');
  await page.getByTestId('run-start').click();
  await expect(page.getByTestId('run-topk')).toBeVisible({ timeout: 60_000 });
  const original = (await page.getByTestId('run-topk').locator('li').first().textContent())!;

  await page.getByTestId('tab-convert').click();
  await page.getByTestId('convert-start').click();
  await expect(page.getByTestId('convert-ok')).toBeVisible({ timeout: 60_000 });
  await page.getByRole('button', { name: 'Run it…' }).click();
  await expect(page.getByTestId('run-variant')).toHaveValue('converted');
  await expect(page.getByTestId('run-runtime')).toHaveValue('litert');
  await page.getByTestId('run-input').selectOption('sample');
  await page.getByTestId('run-sample').selectOption('7');
  await page.getByTestId('run-start').click();
  await expect(page.getByTestId('runs-table').locator('tbody tr')).toHaveCount(2, { timeout: 60_000 });
  await expect(page.getByTestId('runs-table').locator('tbody tr').nth(1)).toContainText('converted');
  await expect(page.getByTestId('runs-table').locator('tbody tr').nth(1)).toContainText('litert/wasm');
  // Same class (label and probability) from the .tflite as from the ONNX original.
  expect(await page.getByTestId('run-topk').locator('li').first().textContent()).toBe(original);
  await expect(page.getByTestId('latency-chart').locator('.recharts-bar-rectangle')).toHaveCount(2);
});
