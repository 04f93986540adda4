import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { dismissError, fixturePath, loadSeq, manifest, openStudio, pickFiles, waitForOpen } from './support/studio';

const FORMAT_LABEL: Record<string, string> = {
  onnx: 'ONNX',
  tflite: 'TFLite',
  'tfjs-graph': 'TF.js graph model',
  'tfjs-layers': 'TF.js layers model',
};

test('first open shows the bundled sample graph and its summary', async ({ page }) => {
  await openStudio(page);
  await expect(page.getByTestId('summary-format')).toHaveText('ONNX');
  await expect(page.locator('.summary h2')).toContainText('fashion');
  expect(await page.getByTestId('op-node').count()).toBeGreaterThan(3);
  await expect(page.locator('.react-flow__minimap')).toBeVisible();
  await expect(page.getByTestId('op-histogram')).toContainText('Conv');
  // A small gallery of samples that work offline; one click opens another.
  const cards = page.getByTestId('gallery-card');
  expect(await cards.count()).toBeGreaterThanOrEqual(3);
  const before = await loadSeq(page);
  await cards.filter({ hasText: 'TFLite' }).first().click();
  await waitForOpen(page, before);
  await expect(page.getByTestId('summary-format')).toHaveText('TFLite');
});

test('every fixture model opens with the independent node count; every corrupt file shows its error', async ({ page }) => {
  test.setTimeout(600_000);
  await openStudio(page);
  const entries = manifest();
  const failures: string[] = [];
  let lastGood = (await page.locator('.summary h2').textContent()) ?? '';
  for (const m of entries) {
    const files = m.files.map(fixturePath);
    if (!files.every((f) => existsSync(f))) {
      failures.push(`${m.id}: fixture files missing (${files.join(', ')}); run npm install to fetch them`);
      continue;
    }
    await dismissError(page);
    await pickFiles(page, files);
    const error = page.getByTestId('error');
    if (m.error) {
      if (!(await error.isVisible())) { failures.push(`${m.id}: expected an error, got none`); continue; }
      const text = (await error.textContent()) ?? '';
      if (!new RegExp(m.error.match, 'i').test(text)) failures.push(`${m.id}: error "${text}" does not match /${m.error.match}/`);
      if (!text.includes(path.basename(files[0]!)) && !text.includes(path.basename(files.at(-1)!))) failures.push(`${m.id}: error does not name the file: ${text}`);
      // The model that was open stays open.
      const still = (await page.locator('.summary h2').textContent()) ?? '';
      if (still !== lastGood) failures.push(`${m.id}: the open model changed from ${lastGood} to ${still} after a failed open`);
    } else {
      if (await error.isVisible()) { failures.push(`${m.id}: ${await error.textContent()}`); continue; }
      const nodes = Number(await page.getByTestId('summary-nodes').textContent());
      const format = await page.getByTestId('summary-format').textContent();
      if (nodes !== m.nodeCount) failures.push(`${m.id}: ${nodes} operators shown, independent count is ${m.nodeCount}`);
      if (m.format && format !== FORMAT_LABEL[m.format]) failures.push(`${m.id}: format ${format}, expected ${FORMAT_LABEL[m.format]}`);
      lastGood = (await page.locator('.summary h2').textContent()) ?? '';
    }
  }
  expect(failures, failures.join('\n')).toEqual([]);
});

test('clicking a node opens its inspector with attributes and weight statistics', async ({ page }) => {
  await openStudio(page);
  const conv = page.locator('[data-testid="op-node"]', { hasText: 'Conv' }).first();
  await conv.click();
  await expect(page.getByTestId('inspector-op')).toHaveText('Conv');
  const inspector = page.getByTestId('inspector');
  await expect(inspector).toContainText('kernel_shape');
  await expect(inspector.getByTestId('weight-stats').first()).toContainText('zeros');
  await expect(inspector.getByTestId('histogram').first().locator('.recharts-bar-rectangle').first()).toBeVisible();
});

test('a corrupt file gets a clear error and the open model stays open', async ({ page }) => {
  await openStudio(page);
  const before = await page.locator('.summary h2').textContent();
  await pickFiles(page, [{ name: 'broken.onnx', mimeType: 'application/octet-stream', buffer: Buffer.from([0x08, 0x07, 0x3a, 0xff, 0xff, 0xff, 0xff, 0x0f, 1, 2]) }]);
  await expect(page.getByTestId('error')).toContainText('broken.onnx');
  await expect(page.getByTestId('error')).toContainText('ONNX');
  await expect(page.locator('.summary h2')).toHaveText(before!);
  expect(await page.getByTestId('op-node').count()).toBeGreaterThan(0);
  await pickFiles(page, [{ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('hello, this is not a model') }]);
  await expect(page.getByTestId('error')).toContainText(/notes\.txt.*not recognised/);
});

test('a model opens from a URL, TF.js shards fetched relative to model.json', async ({ page, baseURL }) => {
  await openStudio(page);
  const gallery = JSON.parse(readFileSync(fixturePath('public/models/gallery.json'), 'utf8')) as unknown;
  const list = (Array.isArray(gallery) ? gallery : (gallery as { samples: unknown[] }).samples) as Array<{ format: string; files: string[] }>;
  const tfjs = list.find((s) => s.format.startsWith('tfjs'));
  expect(tfjs, 'the gallery lists a TF.js sample').toBeTruthy();
  const before = await loadSeq(page);
  await page.getByTestId('url-input').fill(`${baseURL}${tfjs!.files[0]}`);
  await page.getByTestId('open-url').click();
  await waitForOpen(page, before);
  await expect(page.getByTestId('error')).toHaveCount(0);
  await expect(page.getByTestId('summary-format')).toHaveText(/TF\.js/);
  expect(await page.getByTestId('op-node').count() + (await page.getByTestId('group-node').count())).toBeGreaterThan(0);

  const before404 = await loadSeq(page);
  await page.getByTestId('url-input').fill(`${baseURL}/models/no-such-model.onnx`);
  await page.getByTestId('open-url').click();
  await waitForOpen(page, before404);
  await expect(page.getByTestId('error')).toContainText('404');
  await expect(page.getByTestId('summary-format')).toHaveText(/TF\.js/);
});

test('dropping files anywhere on the page opens each format', async ({ page }) => {
  await openStudio(page);
  for (const format of ['onnx', 'tflite', 'tfjs-graph', 'tfjs-layers']) {
    const m = manifest().find((e) => e.format === format && !e.id.startsWith('own/') && e.files.every((f) => existsSync(fixturePath(f))));
    expect(m, `a ${format} fixture is present`).toBeTruthy();
    // Shards first: the studio must find the model file by content, not by order or name.
    const files = [...m!.files].reverse().map((f) => ({ name: path.basename(f), bytes: [...readFileSync(fixturePath(f))] }));
    const before = await loadSeq(page);
    await page.evaluate((files) => {
      const dt = new DataTransfer();
      for (const f of files) dt.items.add(new File([new Uint8Array(f.bytes)], f.name));
      for (const type of ['dragenter', 'dragover', 'drop']) {
        document.querySelector('.canvas')!.dispatchEvent(new DragEvent(type, { dataTransfer: dt, bubbles: true, cancelable: true }));
      }
    }, files);
    await waitForOpen(page, before);
    await expect(page.getByTestId('error')).toHaveCount(0);
    await expect(page.getByTestId('summary-format')).toHaveText(FORMAT_LABEL[format]!);
    await expect(page.getByTestId('summary-nodes')).toHaveText(String(m!.nodeCount));
    expect(await page.locator('.react-flow__node').count()).toBeGreaterThan(0);
  }
});
