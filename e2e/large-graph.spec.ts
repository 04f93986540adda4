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
  const canvas = page.getByTestId('graph-canvas');
  await expect(canvas).toHaveAttribute('data-total-ops', '5000');
  const mounted = await page.locator('.react-flow__node').count();
  expect(mounted).toBeLessThan(500);
  const visible = async () => Number(await canvas.getAttribute('data-visible-ops'));
  expect(await visible()).toBeLessThan(500);

  // Collapse the open scope: its ops disappear into one node.
  const frame = page.locator('[data-testid="group-node"][data-expanded="true"]').first();
  const id = (await frame.getAttribute('data-group'))!;
  const before = await visible();
  await frame.getByRole('button', { name: /Collapse/ }).click();
  const group = page.locator(`[data-testid="group-node"][data-group="${id}"]`);
  await expect(group).toHaveAttribute('data-expanded', 'false');
  await expect.poll(visible).toBeLessThan(before);

  // Expand it again: its contents (ops, or the scopes inside it) are drawn.
  await group.click();
  await expect(group).toHaveAttribute('data-expanded', 'true');
  await expect(page.locator(`[data-testid="group-node"][data-group^="${id}/"]`).first()).toBeVisible();

  // Search finds a node hidden in a collapsed group; choosing it reveals and inspects it.
  await page.getByTestId('search').fill('stage7/block42/Relu');
  const hit = page.getByTestId('search-hit').first();
  await expect(hit).toContainText('/stage7/block42/Relu');
  await hit.click();
  await expect(page.getByTestId('inspector-op')).toHaveText('Relu');
  await expect(page.locator('[data-testid="op-node"][data-name="/stage7/block42/Relu"]')).toBeVisible();
});
