/**
 * Does the page stay responsive while a large model opens and its groups expand?
 * Opens generated 5k- and 20k-node ONNX graphs in the production build (start it first:
 * `npm run build && npx next start -p 3311`), records main-thread long tasks (> 50 ms) with
 * PerformanceObserver, and prints the longest one against the same page opening the small
 * Fashion-MNIST sample in the same run (the floor). Usage: npx tsx bench/ui-open.ts [baseURL]
 */
import { chromium, type Page } from '@playwright/test';
import { buildScopedOnnx } from '../e2e/support/onnx-build';

const base = process.argv[2] ?? 'http://127.0.0.1:3311';

async function watch(page: Page, action: () => Promise<void>): Promise<{ ms: number; longest: number; total: number }> {
  await page.evaluate(() => {
    const w = window as unknown as { __long: number[] };
    w.__long = [];
    new PerformanceObserver((list) => { for (const e of list.getEntries()) w.__long.push(e.duration); }).observe({ type: 'longtask' });
  });
  const t0 = Date.now();
  await action();
  const ms = Date.now() - t0;
  await page.waitForTimeout(300);
  const long = await page.evaluate(() => (window as unknown as { __long: number[] }).__long);
  return { ms, longest: Math.max(0, ...long), total: long.reduce((a, b) => a + b, 0) };
}

async function open(page: Page, name: string, bytes: Uint8Array): Promise<void> {
  const seq = Number(await page.locator('.studio').getAttribute('data-load-seq'));
  await page.getByTestId('file-input').setInputFiles([{ name, mimeType: 'application/octet-stream', buffer: Buffer.from(bytes) }]);
  await page.waitForFunction((s) => Number(document.querySelector('.studio')?.getAttribute('data-load-seq')) > s, seq, { timeout: 120_000 });
  await page.waitForTimeout(200);
}

(async () => {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  await page.goto(base);
  await page.getByTestId('summary').waitFor();
  const sample = await (await fetch(`${base}/models/fashion-mnist-cnn.onnx`)).arrayBuffer();
  const floor = await watch(page, () => open(page, 'floor.onnx', new Uint8Array(sample)));
  console.log(`floor (12-op sample): open ${floor.ms} ms, longest main-thread task ${floor.longest.toFixed(0)} ms`);
  for (const blocks of [1000, 4000]) {
    const r = await watch(page, () => open(page, `scoped-${blocks * 5}.onnx`, buildScopedOnnx(blocks, 20)));
    const frame = page.locator('[data-testid="group-node"][data-expanded="true"]').first();
    const e = await watch(page, async () => {
      await frame.getByRole('button', { name: /Collapse/ }).click();
      await page.locator('[data-testid="group-node"][data-expanded="false"]').first().click();
      await page.waitForTimeout(500);
    });
    console.log(
      `${blocks * 5} ops: open ${r.ms} ms, longest task ${r.longest.toFixed(0)} ms (${(r.longest / Math.max(1, floor.longest)).toFixed(2)}x floor), ` +
        `blocked ${r.total.toFixed(0)} ms in all; collapse+expand longest task ${e.longest.toFixed(0)} ms`,
    );
  }
  await browser.close();
})();
