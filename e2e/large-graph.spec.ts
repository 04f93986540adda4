import { expect, test } from '@playwright/test';
import { buildScopedOnnx } from './support/onnx-build';
import { openStudio, pickFiles } from './support/studio';

test('a 5,000-node graph opens grouped, and groups expand, search and inspect work', async ({ page }) => {
  test.setTimeout(180_000);
  await openStudio(page);
  const bytes = Buffer.from(buildScopedOnnx(1000));
  await pickFiles(page, [{ name: 'scoped-5k.onnx', mimeType: 'application/octet-stream', buffer: bytes }]);
  await expect(page.getByTestId('summary-nodes')).toHaveText('5000');

  // Grouped: far fewer DOM nodes than operators.
  const groups = page.getByTestId('group-node');
  await expect(groups.first()).toBeVisible();
  const mounted = await page.locator('.react-flow__node').count();
  expect(mounted).toBeLessThan(500);

  // Expanding a group shows its contents.
  const canvas = page.getByTestId('graph-canvas');
  await expect(canvas).toHaveAttribute('data-total-ops', '5000');
  const visibleBefore = Number(await canvas.getAttribute('data-visible-ops'));
  const first = page.locator('[data-testid="group-node"][data-expanded="false"]').first();
  const id = await first.getAttribute('data-group');
  await first.click();
  await expect(page.locator(`[data-testid="group-node"][data-group="${id}"]`)).toHaveAttribute('data-expanded', 'true');
  // Its children (ops, or the sub-scopes inside it) are now drawn.
  const children = page.locator(`[data-testid="group-node"][data-group^="${id}/"], [data-testid="op-node"]`);
  await expect.poll(async () => Number(await canvas.getAttribute('data-visible-ops')) + (await children.count())).toBeGreaterThan(visibleBefore);
  expect(await page.locator('.react-flow__node').count()).toBeLessThan(500);

  // Search finds a node hidden in a collapsed group; choosing it reveals and inspects it.
  await page.getByTestId('search').fill('stage7/block42/Relu');
  const hit = page.getByTestId('search-hit').first();
  await expect(hit).toContainText('/stage7/block42/Relu');
  await hit.click();
  await expect(page.getByTestId('inspector-op')).toHaveText('Relu');
  await expect(page.locator('[data-testid="op-node"][data-name="/stage7/block42/Relu"]')).toBeVisible();
});
